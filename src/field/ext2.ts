/**
 * Quadratic extension F_p2 = F_p[u]/(u² − 7) (docs/architecture.md): 7 generates F_p^*, so it is a non-square and
 * u² − 7 is irreducible. Element a = c0 + c1·u, encoded as 16 bytes: c0 then c1, each canonical 8-byte LE.
 * Used where soundness needs a field larger than 64 bits (out-of-domain point, FRI challenges).
 *
 * @module
 */
import * as F from './goldilocks.js';
import { batchInverseIn } from './batch-inverse.js';

export type Fp2 = readonly [c0: bigint, c1: bigint];
/** The non-residue W in u² = W. */
export const W = 7n;
export const ELEMENT_BYTES = 16;
export const ZERO: Fp2 = [0n, 0n];
export const ONE: Fp2 = [1n, 0n];
/** u, the generator of F_p2 over F_p (u² = W). */
export const U: Fp2 = [0n, 1n];

export const fromBase = (c0: bigint): Fp2 => [c0, 0n];
export const isCanonical = (a: unknown): a is Fp2 =>
  Array.isArray(a) && a.length === 2 && F.isCanonical(a[0]) && F.isCanonical(a[1]);
export const eq = (a: Fp2, b: Fp2): boolean => a[0] === b[0] && a[1] === b[1];
export const isZero = (a: Fp2): boolean => a[0] === 0n && a[1] === 0n;

export const add = (a: Fp2, b: Fp2): Fp2 => [F.add(a[0], b[0]), F.add(a[1], b[1])];
export const sub = (a: Fp2, b: Fp2): Fp2 => [F.sub(a[0], b[0]), F.sub(a[1], b[1])];
export const neg = (a: Fp2): Fp2 => [F.neg(a[0]), F.neg(a[1])];
export const mulBase = (a: Fp2, b: bigint): Fp2 => [F.mul(a[0], b), F.mul(a[1], b)];

/** (a0 + a1u)(b0 + b1u) = a0b0 + 7·a1b1 + (a0b1 + a1b0)u, reduced once per coordinate. */
export function mul(a: Fp2, b: Fp2): Fp2 {
  return [(a[0] * b[0] + W * a[1] * b[1]) % F.P, (a[0] * b[1] + a[1] * b[0]) % F.P];
}

export function square(a: Fp2): Fp2 {
  return mul(a, a);
}

export function pow(a: Fp2, e: bigint): Fp2 {
  if (e < 0n) throw new RangeError('pow: negative exponent');
  let r: Fp2 = ONE;
  let b = a;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = mul(r, b);
    b = mul(b, b);
  }
  return r;
}

/** 1/(a0 + a1u) = (a0 − a1u) / (a0² − 7a1²); the norm is non-zero for a ≠ 0 since 7 is a non-square. */
export function inv(a: Fp2): Fp2 {
  if (isZero(a)) throw new RangeError('inv: zero has no inverse in F_p2');
  const norm = F.reduce(a[0] * a[0] - W * a[1] * a[1]);
  const n = F.inv(norm);
  return [F.mul(a[0], n), F.mul(F.neg(a[1]), n)];
}

export const div = (a: Fp2, b: Fp2): Fp2 => mul(a, inv(b));

export function batchInverse(xs: readonly Fp2[]): Fp2[] {
  return batchInverseIn({ one: ONE, mul, inv, isZero }, xs);
}

export function encode(a: Fp2): Uint8Array {
  if (!isCanonical(a)) throw new RangeError('encode: not a canonical F_p2 element');
  const out = new Uint8Array(ELEMENT_BYTES);
  out.set(F.encode(a[0]), 0);
  out.set(F.encode(a[1]), 8);
  return out;
}

export function decode(bytes: Uint8Array): Fp2 {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ELEMENT_BYTES)
    throw new RangeError(`decode: expected ${ELEMENT_BYTES} bytes`);
  return [F.decode(bytes.subarray(0, 8)), F.decode(bytes.subarray(8, 16))];
}
