// The verifier's query phase on the WebAssembly kernels (src/stark/query-kernels.ts,
// src/wasm/assembly/points.ts) against the BigInt references it replaced (deepAt, foldGroup,
// evaluateFinal at pointAt), and the kernel's Merkle climb (blake3Climb) against hashNode on noble's
// BLAKE3: random and edge values, every point, several shapes.
import { describe, expect, it } from 'vitest';
import * as Fp from '../src/field/goldilocks.js';
import * as Fp2 from '../src/field/ext2.js';
import { blake3 } from '../src/hash/digest.js';
import { blake3Climb } from '../src/hash/short.js';
import { deepAt } from '../src/stark/deep.js';
import { pointAt } from '../src/stark/domain.js';
import { evaluateFinal, foldGroup } from '../src/stark/fri.js';
import { deepAtPoints, evaluateAtPositions, foldGroups, pointExponents } from '../src/stark/query-kernels.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, rng } from './reference/model.js';

const k = await Kernels.load();

function values(n: number, seed: bigint): bigint[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? EDGE[(i / 3) % EDGE.length]! : r.element()));
}
const ext = (xs: readonly bigint[]): Fp2.Fp2[] => Array.from({ length: xs.length / 2 }, (_, i) => [xs[2 * i]!, xs[2 * i + 1]!] as const);
const pairs = (v: BigUint64Array): bigint[][] => Array.from({ length: v.length / 2 }, (_, i) => [v[2 * i]!, v[2 * i + 1]!]);

describe('deepAtPoints', () => {
  it.each([[1, 1, 3], [5, 2, 112], [7, 3, 17], [2, 1, 1]])('w = %i, S = %i, %i points: each as deepAt', (w, s, m) => {
    const seed = BigInt(w * 100 + s * 10 + m);
    const logSize = 10, shift = 7n;
    const positions = values(m, seed).map((x) => Number(x % 1024n));
    const trace = BigUint64Array.from(values(m * w, seed + 1n)), comp = BigUint64Array.from(values(m * 2 * s, seed + 2n));
    const [z0, z1, ...rest] = values(4 + 2 * w + 2 * w + 2 * s + 2 * (2 * w + s), seed + 3n);
    const z: Fp2.Fp2 = [z0!, z1! === 0n ? 1n : z1!];
    const zw = Fp2.mulBase(z, Fp.rootOfUnity(8));
    const e = ext(rest);
    const d = { z, zw, oodTrace: e.slice(0, w), oodTraceNext: e.slice(w, 2 * w), oodComposition: e.slice(2 * w, 2 * w + s), gammas: e.slice(2 * w + s, 4 * w + 2 * s) };
    const got = pairs(deepAtPoints(k, trace, comp, pointExponents(positions, logSize), shift, logSize, d));
    positions.forEach((p, r) => {
      const x = Fp2.fromBase(pointAt(shift, logSize, p));
      const want = deepAt(trace.subarray(r * w, (r + 1) * w), comp.subarray(r * 2 * s, (r + 1) * 2 * s), Fp2.inv(Fp2.sub(x, z)), Fp2.inv(Fp2.sub(x, zw)), d);
      expect(got[r], `point ${r}`).toEqual(want);
    });
  });
});

describe('foldGroups', () => {
  it.each([[1, 5, 7n], [2, 5, 7n], [2, 12, 49n], [1, 1, 3n], [2, 2, 7n]])('f = 2^%i on a layer of 2^%i at %i·⟨ω⟩: each group as foldGroup', (logF, logSize, shift) => {
    const f = 2 ** logF, seed = BigInt(logF * 100 + logSize) + shift;
    const groups = [...new Set(values(9, seed).map((x) => Number(x % BigInt(2 ** (logSize - logF)))))];
    const v = BigUint64Array.from(values(groups.length * 2 * f, seed + 1n));
    const [a0, a1] = values(2, seed + 2n);
    const got = pairs(foldGroups(k, v, groups, logF, Fp.inv(shift), logSize, [a0!, a1!]));
    groups.forEach((g, q) => {
      const group = ext([...v.subarray(q * 2 * f, (q + 1) * 2 * f)]);
      expect(got[q], `group ${g}`).toEqual(foldGroup(group, Fp.inv(shift), logSize, g, [a0!, a1!]));
    });
  });
});

describe('evaluateAtPositions', () => {
  it.each([[1, 3], [16, 6], [5, 2]])('%i coefficients, positions of 2^%i: each as evaluateFinal at pointAt', (d, logSize) => {
    const coeffs = ext(values(2 * d, BigInt(d * 10 + logSize)));
    const positions = Array.from({ length: 2 ** logSize }, (_, p) => p);
    const got = pairs(evaluateAtPositions(k, coeffs, 49n, logSize, positions));
    positions.forEach((p) => expect(got[p]).toEqual(evaluateFinal(coeffs, pointAt(49n, logSize, p))));
  });

  it('pointExponents are the bit-reversed positions', () => {
    expect([...pointExponents([0, 1, 2, 3, 6], 3)]).toEqual([0n, 4n, 2n, 6n, 3n]);
  });
});

describe('blake3Climb', () => {
  const node = (l: Uint8Array, r: Uint8Array) => blake3(Uint8Array.from([...l, ...r]));

  it('hashes each level\'s named pairs as noble does, appending the parents', () => {
    const initial = Array.from({ length: 5 }, (_, i) => blake3(Uint8Array.of(i)));
    // nodes 0..4; level 1 makes 5 = (0,1), 6 = (4,2), 7 = (3,3); level 2 makes 8 = (6,5); level 3 makes 9 = (8,7)
    const levels = [Uint32Array.of(0, 1, 4, 2, 3, 3), Uint32Array.of(6, 5), Uint32Array.of(8, 7)];
    const n5 = node(initial[0]!, initial[1]!), n6 = node(initial[4]!, initial[2]!), n7 = node(initial[3]!, initial[3]!);
    expect(blake3Climb(initial, levels)).toEqual(node(node(n6, n5), n7));
    expect(blake3Climb(initial, [])).toEqual(initial[4]);
  });

  it('levels wider than the kernel\'s four lanes, with a remainder: 5 and 9 pairs', () => {
    const initial = Array.from({ length: 19 }, (_, i) => blake3(Uint8Array.of(i, 7)));
    const first = Uint32Array.from({ length: 18 }, (_, i) => (i * 7) % 19); // 9 pairs of nodes 0 … 18
    const second = Uint32Array.from({ length: 10 }, (_, i) => 19 + ((i * 3) % 9)); // 5 pairs of the 9 parents
    const parents = Array.from({ length: 9 }, (_, i) => node(initial[first[2 * i]!]!, initial[first[2 * i + 1]!]!));
    const grand = Array.from({ length: 5 }, (_, i) => node(parents[second[2 * i]! - 19]!, parents[second[2 * i + 1]! - 19]!));
    expect(blake3Climb(initial, [first, second])).toEqual(grand[4]);
    expect(blake3Climb(initial, [first])).toEqual(parents[8]);
  });

  it('refuses a level naming a node not made yet', () => {
    const initial = [new Uint8Array(32), new Uint8Array(32)];
    expect(() => blake3Climb(initial, [Uint32Array.of(0, 2)])).toThrow(/node 2 is not made yet/);
  });
});
