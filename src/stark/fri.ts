/**
 * FRI over F_p2 for capseal-stark-v1 (FRI: Ben-Sasson, Bentov, Horesh, Riabzev, ICALP 2018): folding factor f ∈ {2, 4}, layers in
 * bit-reversed order (./domain.ts), final polynomial in clear.
 *
 * A fold by f = 2^r is r binary folds with α, α², α⁴, …: writing P(X) = Σ_{j<f} X^j·g_j(X^f), it yields
 * Σ_j α^j·g_j(Y). The binary fold of adjacent positions (2j, 2j+1), which hold P(x) and P(−x) for
 * x = point(2j), is q_j = (P(x) + P(−x))/2 + α·(P(x) − P(−x))/(2x); the result lives on the coset
 * s²·⟨ω_{N/2}⟩, bit-reversed again. Layer 0 (the DEEP composition) is not committed: the verifier
 * recomputes it from the trace and composition openings. Layers 1 … L−1 are committed with one
 * Merkle leaf per fold group (f consecutive values, 2f base elements); layer L is sent as the
 * coefficients of its polynomial, of degree < n/f^L ≤ MAX_FINAL_DEGREE.
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { reverseBits, rootPower } from './domain.js';
import { MAX_FINAL_DEGREE, type ProofOptions } from './options.js';

const INV2 = Fp.inv(2n);

export interface FriPlan {
  /** Folds L ≥ 1; layers 1 … L−1 are committed. */
  folds: number;
  /** Coefficients of the final polynomial: n / f^L. */
  finalDegree: number;
}

/** Fold until the degree bound n/f^L is at most MAX_FINAL_DEGREE, and at least once. */
export function friPlan(logN: number, o: ProofOptions): FriPlan {
  const logF = Math.log2(o.foldingFactor);
  if (logN < logF) throw new RangeError(`trace length 2^${logN} is below the folding factor ${o.foldingFactor}`);
  let folds = 1;
  while (logN - logF * folds > Math.log2(MAX_FINAL_DEGREE) && logN - logF * (folds + 1) >= 0) folds++;
  return { folds, finalDegree: 2 ** (logN - logF * folds) };
}

/** The binary fold of one pair (P(x), P(−x)) with α, given 1/x: what foldLayer computes at one position. */
export function foldPair(a: Fp2.Fp2, b: Fp2.Fp2, invX: bigint, alpha: Fp2.Fp2): Fp2.Fp2 {
  const sum = Fp2.mulBase(Fp2.add(a, b), INV2);
  const diff = Fp2.mulBase(Fp2.sub(a, b), Fp.mul(invX, INV2));
  return Fp2.add(sum, Fp2.mul(alpha, diff));
}

/**
 * Folds one group (the f values at positions f·g … f·g + f − 1 of a layer of size 2^logSize on
 * shift·⟨ω⟩, given 1/shift) into the value at position g of the next layer. Position f·g + r holds the point
 * x_0·ω_f^bitrev(r) with x_0 = shift·ω^bitrev(g) (ω of order 2^logSize, bitrev on logSize − log f
 * bits), so one exponentiation gives every inverse point of the group and of its later binary folds.
 */
export function foldGroup(values: readonly Fp2.Fp2[], invShift: bigint, logSize: number, g: number, alpha: Fp2.Fp2): Fp2.Fp2 {
  const logF = Math.log2(values.length);
  let invBase = Fp.mul(invShift, rootPower(logSize, reverseBits(g, logSize - logF), true));
  let vals = values, a = alpha;
  for (let logM = logF; logM > 0; logM--) {
    const next: Fp2.Fp2[] = [];
    for (let j = 0; 2 * j < vals.length; j++) {
      const invX = Fp.mul(invBase, rootPower(logM, reverseBits(2 * j, logM), true));
      next.push(foldPair(vals[2 * j]!, vals[2 * j + 1]!, invX, a));
    }
    vals = next;
    invBase = Fp.square(invBase);
    a = Fp2.square(a);
  }
  return vals[0]!;
}

/** Horner evaluation of an F_p2 polynomial at a base-field point. */
export function evaluateFinal(coeffs: readonly Fp2.Fp2[], x: bigint): Fp2.Fp2 {
  let acc: Fp2.Fp2 = Fp2.ZERO;
  for (let j = coeffs.length - 1; j >= 0; j--) acc = Fp2.add(Fp2.mulBase(acc, x), coeffs[j]!);
  return acc;
}
