/**
 * The evaluation domains of capseal-stark-v1 and their layouts. The trace domain is H = ⟨ω_n⟩; the
 * LDE domain is the coset s·⟨ω_N⟩ (s = 7, N = β·n), stored in BIT-REVERSED order: position p holds
 * the point s·ω_N^bitrev_N(p). In that order the f points that one FRI fold maps to the same point
 * (x·ω_f^k) sit at adjacent positions f·m … f·m + f − 1, and a folded layer is bit-reversed again, so
 * one Merkle leaf opens a whole fold group.
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';

export const COSET_SHIFT = Fp.GENERATOR;

export { reverseBits } from '../ntt/points.js';
import { reverseBits } from '../ntt/points.js';

/** ω^(2^b) for b < logSize, ω = rootOfUnity(logSize) or its inverse, memoized by (logSize, inverse). */
const squares = new Map<number, bigint[]>();

/**
 * ω^e for ω of order 2^logSize (its inverse when `inverse`), 0 ≤ e < 2^logSize: the product of the
 * memoized ω^(2^b) over e's set bits, a third of the multiplications of a square-and-multiply.
 */
export function rootPower(logSize: number, e: number, inverse = false): bigint {
  if (!Number.isSafeInteger(e) || e < 0 || e >= 2 ** logSize) throw new RangeError(`rootPower: exponent ${e} is outside [0, 2^${logSize})`);
  const key = inverse ? -1 - logSize : logSize;
  let table = squares.get(key);
  if (!table) {
    table = [inverse ? Fp.inverseRootOfUnity(logSize) : Fp.rootOfUnity(logSize)];
    for (let b = 1; b < logSize; b++) table.push(Fp.square(table[b - 1]!));
    squares.set(key, table);
  }
  let r = 1n;
  for (let b = 0; e > 0; b++, e = Math.floor(e / 2)) if (e % 2) r = Fp.mul(r, table[b]!);
  return r;
}

/** The point at bit-reversed position p of the coset shift·⟨ω_size⟩ (size = 2^logSize). */
export function pointAt(shift: bigint, logSize: number, p: number): bigint {
  return Fp.mul(shift, rootPower(logSize, reverseBits(p, logSize)));
}
