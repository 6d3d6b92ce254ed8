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

export function reverseBits(x: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r = (r * 2) | ((x >>> i) & 1);
  return r >>> 0;
}

/** The point at bit-reversed position p of the coset shift·⟨ω_size⟩ (size = 2^logSize). */
export function pointAt(shift: bigint, logSize: number, p: number): bigint {
  return Fp.mul(shift, Fp.pow(Fp.rootOfUnity(logSize), BigInt(reverseBits(p, logSize))));
}
