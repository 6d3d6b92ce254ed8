// An independent, deliberately naive BigInt model of the field and transforms, written straight from
// the definitions (no shared code with src/): the yardstick every fast path is tested against.
import type { Expr } from '../../src/stark/expr.js';
export const P = 2n ** 64n - 2n ** 32n + 1n;
export const md = (x: bigint): bigint => ((x % P) + P) % P;
export const madd = (a: bigint, b: bigint) => md(a + b);
export const msub = (a: bigint, b: bigint) => md(a - b);
export const mmul = (a: bigint, b: bigint) => md(a * b);
export function mpow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = md(b);
  while (e > 0n) {
    if (e & 1n) r = md(r * b);
    b = md(b * b);
    e >>= 1n;
  }
  return r;
}
export const minv = (a: bigint) => mpow(a, P - 2n);
/** Primitive 2^k-th root from the generator 7, straight from the definition. */
export const mroot = (k: number) => mpow(7n, (P - 1n) / 2n ** BigInt(k));

/** Naive O(n²) DFT: y_i = Σ_j c_j·ω^(ij). */
export function naiveDft(coeffs: readonly bigint[], omega: bigint): bigint[] {
  const n = coeffs.length;
  return Array.from({ length: n }, (_, i) => {
    let acc = 0n;
    const wi = mpow(omega, BigInt(i));
    let w = 1n;
    for (let j = 0; j < n; j++) {
      acc = md(acc + coeffs[j]! * w);
      w = md(w * wi);
    }
    return acc;
  });
}

/** Horner evaluation of Σ c_j x^j. */
export function horner(coeffs: ArrayLike<bigint>, x: bigint): bigint {
  let acc = 0n;
  for (let j = coeffs.length - 1; j >= 0; j--) acc = md(acc * x + coeffs[j]!);
  return acc;
}

const reverse = (x: number, bits: number): number => parseInt(x.toString(2).padStart(bits, '0').split('').reverse().join('') || '0', 2);

/** Σ coeffs_i·x^i on the LDE domain 7·⟨ω_N⟩ (N = 2^(logN + logBeta)) at bit-reversed positions: x_p = 7·ω_N^bitrev(p). */
export function onLde(coeffs: readonly bigint[], logN: number, logBeta: number): BigUint64Array {
  const bits = logN + logBeta, w = mroot(bits);
  return BigUint64Array.from({ length: 2 ** bits }, (_, p) => horner(coeffs, mmul(7n, mpow(w, BigInt(reverse(p, bits))))));
}

/** F_p2 = F_p[u]/(u² − 7), from the definition. */
export const m2mul = (a: readonly [bigint, bigint], b: readonly [bigint, bigint]): [bigint, bigint] => [
  md(a[0] * b[0] + 7n * a[1] * b[1]),
  md(a[0] * b[1] + a[1] * b[0]),
];

/** Values that stress reduction: 0, 1, p−1, around 2^32, 2^63, near p and near 2^64 (non-canonical ones excluded). */
export const EDGE: readonly bigint[] = [
  0n, 1n, 2n, 3n, 7n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 33n, 2n ** 48n,
  2n ** 63n - 1n, 2n ** 63n, 2n ** 63n + 1n, 2n ** 64n - 2n ** 33n, P - 2n ** 32n, P - 2n ** 32n + 1n,
  P - 3n, P - 2n, P - 1n, 0xfffffffe_ffffffffn, 0xfffffffe_00000001n, 0xffffffff_00000000n,
  0x8000_0000_ffff_ffffn, 0x7fff_ffff_0000_0001n, 0x0000_0001_ffff_ffffn, 0xdead_beef_0bad_f00dn % P,
];

/** Deterministic 64-bit generator (splitmix64) so failures reproduce. */
export function rng(seed = 1n) {
  let s = seed;
  const M = 2n ** 64n - 1n;
  const next64 = (): bigint => {
    s = (s + 0x9e3779b97f4a7c15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  return {
    next64,
    /** Canonical element, biased toward the top of the range half the time (where reductions bite). */
    element: (): bigint => {
      const x = next64();
      return (x & 1n ? x : P - 1n - (x >> 40n)) % P;
    },
    column(n: number): BigUint64Array {
      const c = new BigUint64Array(n);
      for (let i = 0; i < n; i++) c[i] = next64() % P;
      return c;
    },
  };
}

/** mulberry32: a seeded uniform generator on [0, 1), so every fuzz failure reproduces. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The value of a constraint expression at one row, straight from its definition (a share is its child). */
export function exprModel(e: Expr, row: { cur: readonly bigint[]; next: readonly bigint[]; periodic: readonly bigint[] }): bigint {
  switch (e.op) {
    case 'const': return e.value;
    case 'cur': return row.cur[e.col]!;
    case 'next': return row.next[e.col]!;
    case 'periodic': return row.periodic[e.index]!;
    case 'add': return madd(exprModel(e.a, row), exprModel(e.b, row));
    case 'sub': return msub(exprModel(e.a, row), exprModel(e.b, row));
    case 'mul': return mmul(exprModel(e.a, row), exprModel(e.b, row));
    case 'neg': return md(-exprModel(e.a, row));
    case 'pow': return mpow(exprModel(e.a, row), BigInt(e.exp));
    case 'let': return exprModel(e.a, row);
    default: throw new RangeError(`exprModel: ${e.op} is a leaf of the auxiliary segment (lower the AIR first)`);
  }
}
