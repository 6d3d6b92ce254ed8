import { describe, expect, it, beforeAll } from 'vitest';
import { forwardNtt, inverseNtt, cosetLde, evaluateOnCoset, interpolateCoset } from '../src/ntt/index.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, P, horner, mmul, mpow, mroot, naiveDft, rng } from './reference/model.js';

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.load();
});
const r = rng(7n);

describe('NTT against the naive O(n²) BigInt DFT', () => {
  for (let logN = 0; logN <= 9; logN++) {
    it(`n = 2^${logN}: forward matches the DFT, inverse recovers the coefficients`, () => {
      const n = 2 ** logN;
      const coeffs = r.column(n);
      if (n >= EDGE.length) coeffs.set(EDGE); // edge values flow through every butterfly
      const expected = naiveDft([...coeffs], mroot(logN));
      const [evals] = forwardNtt(k, [coeffs]);
      expect([...evals!]).toEqual(expected);
      const [back] = inverseNtt(k, [evals!]);
      expect(back).toEqual(coeffs);
    });
  }
  it('batches columns independently and leaves inputs untouched', () => {
    const cols = [r.column(64), r.column(64), r.column(64)];
    const copies = cols.map((c) => c.slice());
    const out = forwardNtt(k, cols);
    cols.forEach((c, i) => {
      expect(c).toEqual(copies[i]);
      expect([...out[i]!]).toEqual(naiveDft([...c], mroot(6)));
    });
    expect(forwardNtt(k, [])).toEqual([]);
  });
  it('rejects bad shapes with precise errors', () => {
    expect(() => forwardNtt(k, [new BigUint64Array(3)])).toThrow(/power of two/);
    expect(() => forwardNtt(k, [new BigUint64Array(0)])).toThrow(/power of two/);
    expect(() => inverseNtt(k, [new BigUint64Array(4), new BigUint64Array(8)])).toThrow(/column 1 has length 8/);
    expect(() => forwardNtt(k, [[1n, 2n] as never])).toThrow(/BigUint64Array/);
  });
});

// Sizes around the kernels' 2^13 cache block: the radix-4 steps pair stages, with one radix-2 stage where the count is odd.
describe('large sizes: round trips and transform identities', () => {
  for (const logN of [12, 13, 14, 15, 16, 17, 20]) {
    it(`n = 2^${logN}: inverse(forward(x)) = x, and spot values match Horner`, () => {
      const n = 2 ** logN;
      const coeffs = r.column(n);
      const [evals] = forwardNtt(k, [coeffs]);
      expect(inverseNtt(k, [evals!])[0]).toEqual(coeffs);
      const w = mroot(logN);
      for (const i of [0, 1, n / 2 + 3, n - 1]) expect(evals![i]).toBe(horner(coeffs, mpow(w, BigInt(i))));
    });
  }
});

describe('coset LDE', () => {
  it('small sizes: every output point equals the interpolant at s·ω_N^i (all blowups, both orders)', () => {
    for (const logN of [0, 1, 3, 5]) {
      for (const blowup of [2, 4, 8, 16]) {
        const n = 2 ** logN, N = n * blowup;
        const evals = r.column(n);
        const [coeffs] = inverseNtt(k, [evals]);
        const [lde] = cosetLde(k, [evals], { blowup });
        const [ldeRev] = cosetLde(k, [evals], { blowup, order: 'bit-reversed' });
        const wN = mroot(Math.log2(N));
        const logBig = Math.log2(N);
        for (let i = 0; i < N; i++) {
          const expected = horner(coeffs!, mmul(7n, mpow(wN, BigInt(i))));
          expect(lde![i]).toBe(expected);
          const rev = parseInt(i.toString(2).padStart(logBig, '0').split('').reverse().join(''), 2) || 0;
          expect(ldeRev![rev]).toBe(expected);
        }
      }
    }
  });
  it('custom shift, evaluateOnCoset and interpolateCoset agree', () => {
    const evals = r.column(32);
    const [coeffs] = inverseNtt(k, [evals]);
    const shift = 12345n;
    const [lde] = cosetLde(k, [evals], { blowup: 4, shift });
    expect(evaluateOnCoset(k, [coeffs!], { blowup: 4, shift })[0]).toEqual(lde);
    const big = interpolateCoset(k, [lde!], shift)[0]!;
    expect(big.subarray(0, 32)).toEqual(coeffs);
    expect(big.subarray(32).every((c) => c === 0n)).toBe(true); // degree stays < n
    expect(horner(coeffs!, mmul(shift, mpow(mroot(7), 5n)))).toBe(lde![5]);
  });
  it('n = 2^20 at blowup 2: the extension interpolates back to the same degree-<n polynomial', () => {
    const n = 2 ** 20;
    const evals = r.column(n);
    const [lde] = cosetLde(k, [evals], { blowup: 2 });
    const back = interpolateCoset(k, [lde!])[0]!;
    expect(back.subarray(n).every((c) => c === 0n)).toBe(true);
    expect(forwardNtt(k, [back.slice(0, n)])[0]).toEqual(evals);
    const wN = mroot(21);
    for (const i of [1, 2 ** 20 + 1]) expect(lde![i]).toBe(horner(back.subarray(0, n), mmul(7n, mpow(wN, BigInt(i)))));
  });
  it('rejects bad options', () => {
    const col = r.column(8);
    expect(() => cosetLde(k, [col], { blowup: 3 })).toThrow(/power of two/);
    expect(() => cosetLde(k, [col], { blowup: 1 })).toThrow(/\[2, 16\]/);
    expect(() => cosetLde(k, [col], { blowup: 32 })).toThrow(/\[2, 16\]/);
    expect(() => cosetLde(k, [col], { blowup: 2, shift: 0n })).toThrow(/non-zero/);
    expect(() => cosetLde(k, [col], { blowup: 2, shift: P })).toThrow(/canonical/);
    expect(() => cosetLde(k, [col], { blowup: 2, order: 'sideways' as never })).toThrow(/order/);
  });
});
