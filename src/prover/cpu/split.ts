/**
 * Cutting the composition polynomial into segments of degree < n, which are committed instead of it (as
 * the ethSTARK documentation, ePrint 2021/582, does), on the CPU kernels.
 *
 * C (degree < S·n) is given on the LDE domain s·⟨ω_N⟩, N = β·n, bit-reversed: block b holds the coset
 * c_t·H (c_t = s·ω_N^t, t = bitrev_β(b)) in bit-reversed order. Rather than one size-N inverse
 * transform, each block is interpolated alone, then the blocks are combined by a size-β transform:
 * with C(x) = Σ_j x^(j·n)·C_j(x) and x^n = c_t^n = s^n·ω_β^t on coset t, the block's interpolant
 * R_t(y) (R_t(ω_n^i) = C(c_t·ω_n^i)) has coefficients R_t[m]·c_t^(−m) = Σ_j ω_β^(t·j)·D_j[m],
 * D_j = s^(n·j)·C_j: a length-β DFT over the blocks, the same for every m. β size-n transforms
 * stay in cache where one size-N transform does not, and no bit-reversal pass runs.
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import { twiddlesFor } from '../../ntt/ntt.js';
import type { Kernels } from '../../wasm/kernels.js';
import { COSET_SHIFT, reverseBits } from '../../stark/domain.js';
import type { ExtColumn } from '../../field/ext-columns.js';

/**
 * Coefficients of C (degree < S·n, on the bit-reversed LDE domain of 2^logN·β points) cut into S
 * segments C_j with C(x) = Σ_j x^(j·n)·C_j(x), and whether C is of degree < S·n (every coefficient
 * from S·n on zero; when not, the segments drop those coefficients and the prover must refuse).
 */
export function splitSegments(k: Kernels, comp: ExtColumn, logN: number, S: number): { segments: ExtColumn[]; lowDegree: boolean } {
  const [c0, c1] = [comp.c0, comp.c1].map((col) => segmentsOf(k, col, logN, S));
  return { segments: c0!.segments.map((c, j) => ({ c0: c, c1: c1!.segments[j]! })), lowDegree: c0!.lowDegree && c1!.lowDegree };
}

/** One coordinate of splitSegments: the segments of a base column given on the bit-reversed LDE blocks. */
export function segmentsOf(k: Kernels, col: Column, logN: number, S: number): { segments: Column[]; lowDegree: boolean } {
  const n = 2 ** logN, beta = col.length / n, logBeta = Math.log2(beta), bytes = n * 8;
  if (!Number.isInteger(logBeta) || beta < 1) throw new RangeError(`splitSegments: ${col.length} values are not 2^${logN}·β`);
  if (S > beta) throw new RangeError(`splitSegments: ${S} segments do not fit an LDE of blowup ${beta}`);
  const tw = twiddlesFor(k, logN);
  return k.scoped(() => {
    const blocks = k.put(col), at = (b: number) => blocks + b * bytes;
    // Block b → R_t[m]·c_t^(−m)/β (the DIT takes bit-reversed input; it leaves n·R_t).
    const scale = Fp.inv(BigInt(n * beta)), omega = Fp.rootOfUnity(logN + logBeta);
    for (let b = 0; b < beta; b++) {
      k.raw.dit(at(b), logN, tw.inverse);
      const ct = Fp.mul(COSET_SHIFT, Fp.pow(omega, BigInt(reverseBits(b, logBeta))));
      k.raw.vec_mul_powers(at(b), at(b), scale, Fp.inv(ct), n);
    }
    // Inverse length-β DFT across blocks (DIT: block b holds index bitrev(b), so D_j lands in block j).
    const tmp = k.alloc(bytes);
    for (let len = 1; len < beta; len *= 2) {
      const w = Fp.inverseRootOfUnity(Math.log2(2 * len));
      for (let start = 0; start < beta; start += 2 * len) {
        for (let j = 0; j < len; j++) {
          const u = at(start + j), v = at(start + j + len);
          k.raw.vec_scale(tmp, v, Fp.pow(w, BigInt(j)), n);
          k.raw.vec_sub(v, u, tmp, n);
          k.raw.vec_add(u, u, tmp, n);
        }
      }
    }
    const lowDegree = isZeroWords(new Uint32Array(k.raw.memory.buffer, at(S), (beta - S) * n * 2));
    // C_j = D_j·s^(−n·j).
    const sn = Fp.inv(Fp.pow(COSET_SHIFT, BigInt(n)));
    const segments = Array.from({ length: S }, (_, j) => {
      k.raw.vec_scale(at(j), at(j), Fp.pow(sn, BigInt(j)), n);
      return k.get(at(j), n);
    });
    return { segments, lowDegree };
  });
}

/** Whether the words are all zero (a column read as 32-bit words: no bigint per element). */
function isZeroWords(w: Uint32Array): boolean {
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}
