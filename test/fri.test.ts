// The prover's FRI fold (foldLayer: one fused WebAssembly pass over a whole layer) against the
// verifier's scalar fold of one pair (foldPair, F_p2 in BigInt), at every position: edge values,
// random values, several sizes and coset shifts.
import { describe, expect, it } from 'vitest';
import * as Fp from '../src/field/goldilocks.js';
import type { Fp2 } from '../src/field/ext2.js';
import { blockShift, foldBy, foldCoefficients, foldLayer } from '../src/prover/cpu/fri.js';
import { evaluateOnCoset } from '../src/ntt/lde.js';
import { foldPair } from '../src/stark/fri.js';
import { pointAt, rootPower } from '../src/stark/domain.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, minv, mpow, mroot, rng } from './reference/model.js';

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

describe('foldBy on blocks (the FRI folds spread over threads)', () => {
  it.each([[2, 1, 8, 7n], [4, 1, 8, 7n], [4, 2, 10, 49n], [2, 3, 9, 3n]])('fold by %i of 2^%i blocks of a layer of 2^%i on %i·⟨ω⟩: the blocks\' folds, joined, are the layer\'s', (f, logBlocks, logSize, shift) => {
    const v = layer(2 ** logSize, BigInt(f * 1000 + logBlocks * 100 + logSize) + shift);
    const alpha = [rng(shift + 5n).element(), rng(shift + 6n).element()] as const;
    const whole = foldBy(k, v, shift, logSize, alpha, f);
    const size = 2 ** (logSize - logBlocks);
    const blocks = Array.from({ length: 2 ** logBlocks }, (_, q) =>
      foldBy(k, { c0: v.c0.subarray(q * size, (q + 1) * size), c1: v.c1.subarray(q * size, (q + 1) * size) }, blockShift(shift, logSize, logBlocks, q), logSize - logBlocks, alpha, f));
    expect(whole.c0.length).toBe(2 ** logSize / f);
    expect(blocks.flatMap((b) => [...b.c0])).toEqual([...whole.c0]);
    expect(blocks.flatMap((b) => [...b.c1])).toEqual([...whole.c1]);
  });
});

describe('foldCoefficients (FRI\'s first fold of the DEEP polynomial, in coefficient form)', () => {
  it.each([[2, 4, 3], [4, 4, 5], [2, 8, 6], [4, 8, 2]])('fold by %i, blowup %i, 2^%i coefficients: the folded evaluations are foldLayer\'s', (f, blowup, logCoeffs) => {
    const r = rng(BigInt(f * 100 + blowup * 10 + logCoeffs));
    const p = { c0: r.column(2 ** logCoeffs), c1: r.column(2 ** logCoeffs) };
    const alpha = [r.element(), r.element()] as const;
    const on = (c: typeof p, shift: bigint) => {
      const [c0, c1] = evaluateOnCoset(k, [c.c0, c.c1], { blowup, shift, order: 'bit-reversed' });
      return { c0: c0!, c1: c1! };
    };
    // foldLayer applied log2 f times to the evaluations on 7·⟨ω⟩, as the prover's evaluation path does.
    let v = on(p, 7n), shift = 7n, a: Fp2 = alpha, logSize = logCoeffs + Math.log2(blowup);
    for (let i = 0; i < Math.log2(f); i++) {
      v = foldLayer(k, v, shift, logSize - i, a);
      shift = Fp.square(shift);
      a = [Fp.add(Fp.mul(a[0], a[0]), Fp.mul(7n, Fp.mul(a[1], a[1]))), Fp.mul(2n, Fp.mul(a[0], a[1]))];
    }
    expect(on(foldCoefficients(k, p, alpha, f), Fp.pow(7n, BigInt(f)))).toEqual(v);
  });
});

describe('rootPower (the verifier\'s powers of roots of unity)', () => {
  it('equals the BigInt model\'s ω^e and ω^(−e) at the ends of the range and at random exponents', () => {
    const r = rng(77n);
    for (const logSize of [1, 2, 5, 13, 23, 32]) {
      const size = 2 ** logSize, w = mroot(logSize);
      for (const e of [0, 1, size / 2, size - 1, ...Array.from({ length: 6 }, () => Number(r.element() % BigInt(size)))]) {
        expect(rootPower(logSize, e)).toBe(mpow(w, BigInt(e)));
        expect(rootPower(logSize, e, true)).toBe(mpow(minv(w), BigInt(e)));
      }
      expect(() => rootPower(logSize, size)).toThrow(/outside \[0, 2\^/);
    }
  });
});
