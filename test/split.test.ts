// The composition split (src/prover/cpu/split.ts) against a plain BigInt model: a polynomial of degree
// < S·n, evaluated by Horner at every point of the bit-reversed LDE domain s·⟨ω_N⟩, must come back as
// its own coefficients cut into S segments, for every blowup and segment count; anything at or above
// S·n is reported (the prover then refuses), and S > β is refused.
import { describe, expect, it } from 'vitest';
import { splitSegments } from '../src/prover/cpu/split.js';
import { Kernels } from '../src/wasm/kernels.js';
import { onLde, rng, EDGE } from './reference/model.js';

const k = await Kernels.load();

function poly(len: number, seed: bigint): bigint[] {
  const r = rng(seed);
  return Array.from({ length: len }, (_, i) => (i < EDGE.length ? EDGE[i]! : r.element()));
}

describe('splitSegments', () => {
  it.each([
    [3, 1, 1], [3, 1, 2], [2, 2, 1], [2, 2, 3], [2, 2, 4], [3, 3, 5], [2, 3, 8], [1, 4, 7], [1, 4, 16], [0, 2, 2],
  ])('n = 2^%i, β = 2^%i, S = %i: the coefficients, cut', (logN, logBeta, S) => {
    const n = 2 ** logN;
    const c0 = poly(S * n, BigInt(S * 100 + logN)), c1 = poly(S * n, BigInt(S * 100 + logN + 50));
    const { segments: segs, lowDegree } = splitSegments(k, { c0: onLde(c0, logN, logBeta), c1: onLde(c1, logN, logBeta) }, logN, S);
    expect(lowDegree).toBe(true);
    expect(segs).toHaveLength(S);
    segs.forEach((s, j) => {
      expect([...s.c0]).toEqual(c0.slice(j * n, (j + 1) * n));
      expect([...s.c1]).toEqual(c1.slice(j * n, (j + 1) * n));
    });
  });

  it.each([[0], [1], [7], [15]])('a coefficient at S·n + %i is reported as not low-degree, and the cut drops it', (extra) => {
    const logN = 2, logBeta = 3, S = 2, n = 4;
    const c0 = [...poly(S * n, 9n), ...Array<bigint>(extra).fill(0n), 5n];
    const c1 = poly(S * n, 10n);
    const comp = { c0: onLde(c0, logN, logBeta), c1: onLde(c1, logN, logBeta) };
    const cut = splitSegments(k, comp, logN, S);
    expect(cut.lowDegree).toBe(false);
    // In c1 as well.
    expect(splitSegments(k, { c0: comp.c1, c1: comp.c0 }, logN, S).lowDegree).toBe(false);
    expect(cut.segments.map((s) => s.c1)).toEqual([0, 1].map((j) => BigUint64Array.from(c1.slice(j * n, (j + 1) * n))));
  });

  it('refuses more segments than the blowup holds', () => {
    const comp = { c0: new BigUint64Array(16), c1: new BigUint64Array(16) };
    expect(() => splitSegments(k, comp, 2, 5)).toThrow(/5 segments do not fit an LDE of blowup 4/);
  });
});
