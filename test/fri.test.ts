// The prover's FRI fold (foldLayer: one fused WebAssembly pass over a whole layer) against the
// verifier's scalar fold of one pair (foldPair, F_p2 in BigInt), at every position: edge values,
// random values, several sizes and coset shifts.
import { describe, expect, it } from 'vitest';
import * as Fp from '../src/field/goldilocks.js';
import { foldLayer } from '../src/prover/cpu/fri.js';
import { foldPair } from '../src/stark/fri.js';
import { pointAt } from '../src/stark/domain.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, rng } from './reference/model.js';

const k = await Kernels.load();

function layer(n: number, seed: bigint): { c0: BigUint64Array; c1: BigUint64Array } {
  const r = rng(seed);
  const value = (i: number) => (i < EDGE.length ? EDGE[(i * 7) % EDGE.length]! : r.element());
  return { c0: BigUint64Array.from({ length: n }, (_, i) => value(i)), c1: BigUint64Array.from({ length: n }, (_, i) => value(i + 3)) };
}

describe('foldLayer', () => {
  it.each([[1, 7n], [2, 7n], [6, 7n], [6, 3n], [11, 49n]])('2^%i values on %i·⟨ω⟩: every position as foldPair', (logSize, shift) => {
    const v = layer(2 ** logSize, BigInt(logSize) * 31n + shift);
    const alpha = [rng(shift).element(), rng(shift + 1n).element()] as const;
    const out = foldLayer(k, v, shift, logSize, alpha);
    expect(out.c0.length).toBe(2 ** (logSize - 1));
    for (let j = 0; j < out.c0.length; j++) {
      const x = pointAt(shift, logSize, 2 * j);
      const want = foldPair([v.c0[2 * j]!, v.c1[2 * j]!], [v.c0[2 * j + 1]!, v.c1[2 * j + 1]!], Fp.inv(x), alpha);
      expect([out.c0[j], out.c1[j]], `position ${j}`).toEqual(want);
    }
  });
});
