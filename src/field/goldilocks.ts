/**
 * Goldilocks prime field F_p, p = 2^64 − 2^32 + 1 (docs/architecture.md; the field of Plonky2 and Winterfell's f64).
 * Scalar operations on canonical bigints (0 ≤ x < p), for verifiers, setup and small values; bulk work
 * on columns runs in the WebAssembly kernels (./columns.ts), never element by element in bigint.
 * Canonical encoding: 8 bytes little-endian, value < p; decoders reject anything else.
 *
 * @module
 */
import { batchInverseIn } from './batch-inverse.js';

export const P = 0xffffffff00000001n;
/** Multiplicative generator of F_p^*; also the LDE coset offset. */
export const GENERATOR = 7n;
/** p − 1 = 2^32 · (2^32 − 1). */
export const TWO_ADICITY = 32;
export const ELEMENT_BYTES = 8;

export function isCanonical(x: unknown): x is bigint {
  return typeof x === 'bigint' && x >= 0n && x < P;
}

/** Reduces any bigint (negative ones included) into [0, p). */
export function reduce(x: bigint): bigint {
  const r = x % P;
  return r < 0n ? r + P : r;
}

export function add(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s >= P ? s - P : s;
}

export function sub(a: bigint, b: bigint): bigint {
  return a >= b ? a - b : a - b + P;
}

export function neg(a: bigint): bigint {
  return a === 0n ? 0n : P - a;
}

export function mul(a: bigint, b: bigint): bigint {
  return (a * b) % P;
}

export function square(a: bigint): bigint {
  return (a * a) % P;
}

/** a^e for e ≥ 0 (square-and-multiply). */
export function pow(a: bigint, e: bigint): bigint {
  if (e < 0n) throw new RangeError('pow: negative exponent');
  let r = 1n;
  let b = a;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
}

/** a^(p−2) = a^−1; zero has no inverse. */
export function inv(a: bigint): bigint {
  if (a === 0n) throw new RangeError('inv: zero has no inverse in F_p');
  return pow(a, P - 2n);
}

export function div(a: bigint, b: bigint): bigint {
  return mul(a, inv(b));
}

/** n inverses for the price of one inversion (Montgomery's trick); throws on a zero element. */
export function batchInverse(xs: readonly bigint[]): bigint[] {
  return batchInverseIn({ one: 1n, mul, inv, isZero: (x) => x === 0n }, xs);
}

const roots: bigint[] = [];

/** Primitive 2^logN-th root of unity: GENERATOR^((p−1)/2^logN) (memoized: verifiers ask often). */
export function rootOfUnity(logN: number): bigint {
  if (!Number.isInteger(logN) || logN < 0 || logN > TWO_ADICITY)
    throw new RangeError(`rootOfUnity: log size must be an integer in [0, ${TWO_ADICITY}], got ${logN}`);
  return (roots[logN] ??= pow(GENERATOR, (P - 1n) >> BigInt(logN)));
}

const inverseRoots: bigint[] = [];

/** The inverse of rootOfUnity(logN) (memoized). */
export function inverseRootOfUnity(logN: number): bigint {
  return (inverseRoots[logN] ??= inv(rootOfUnity(logN)));
}

export function encode(x: bigint): Uint8Array {
  if (!isCanonical(x)) throw new RangeError(`encode: not a canonical field element: ${String(x)}`);
  const lo = Number(x & 0xffffffffn), hi = Number(x >> 32n);
  return Uint8Array.of(lo, lo >>> 8, lo >>> 16, lo >>> 24, hi, hi >>> 8, hi >>> 16, hi >>> 24);
}

/** Strict decoder: exactly 8 bytes, value < p. */
export function decode(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ELEMENT_BYTES)
    throw new RangeError(`decode: expected ${ELEMENT_BYTES} bytes`);
  const x = new DataView(bytes.buffer, bytes.byteOffset, ELEMENT_BYTES).getBigUint64(0, true);
  if (x >= P) throw new RangeError('decode: value ≥ p is not canonical');
  return x;
}
