// The verifier's query-phase comparisons reject: with one value of the kernels' results changed (as a
// wrong kernel, or a proof whose FRI layers disagree, would give), an honest proof is refused with the
// code of the check that compares it — fri-folding for a fold, final-polynomial for the last one. A
// tampered proof cannot reach these checks without a new proof of work, so the kernels are wrapped.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { P } from '../src/field/goldilocks.js';
import { decodeProof } from '../src/stark/codec.js';
import { Kernels } from '../src/wasm/kernels.js';
import { cpuProofBytes, geomProofInput } from './helpers/proof.js';

const input = geomProofInput(10, 3);
const proofBytes = await cpuProofBytes(input);
const k = await Kernels.load();

/** The verifier with one query kernel's output bumped at element `at` on its `call`-th call. */
async function verifierWith(kernel: 'foldGroups' | 'evaluateAtPositions', call: number, at = 0) {
  vi.resetModules();
  vi.doMock('../src/stark/query-kernels.js', async (original) => {
    const real = await original<typeof import('../src/stark/query-kernels.js')>();
    let calls = 0;
    const wrapped = (...args: unknown[]) => {
      const out = (real[kernel] as (...a: unknown[]) => BigUint64Array)(...args);
      if (calls++ === call) out[at] = (out[at]! + 1n) % P;
      return out;
    };
    return { ...real, [kernel]: wrapped };
  });
  return (await import('../src/stark/verifier.js')).verifyProof;
}

const verdict = (verifyProof: Awaited<ReturnType<typeof verifierWith>>) =>
  verifyProof(k, input.air, decodeProof(proofBytes), input.statementHash, input.publicInputs, { minSecurityBits: 0 });

describe('the query phase', () => {
  afterEach(() => vi.doUnmock('../src/stark/query-kernels.js'));

  it('accepts the honest proof through the same wrapping when nothing is changed', async () => {
    expect(verdict(await verifierWith('foldGroups', -1)).ok).toBe(true);
  });

  it.each([[0, 0], [0, 3], [1, 1]])('a fold of layer %i that disagrees with the next layer (value %i) is fri-folding', async (call, at) => {
    const v = verdict(await verifierWith('foldGroups', call, at));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.code).toBe('fri-folding');
  });

  it('a last fold that disagrees with the final polynomial is final-polynomial', async () => {
    const v = verdict(await verifierWith('evaluateAtPositions', 0, 1));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.code).toBe('final-polynomial');
  });
});
