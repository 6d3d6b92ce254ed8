/**
 * The DEEP-ALI composition polynomial of capseal-stark-v1 (DEEP-ALI: Ben-Sasson, Goldberg, Kopparty,
 * Saraf 2019; ethSTARK documentation, Starkware 2021), written once:
 *   C(x) = Σ_t α_t·c_t(x)·(x − g^(n−1))/(x^n − 1)
 *        + Σ_rows [Σ_{b at row} α_b·(T_col(b)(x) − v_b) + Σ_{r at row} α_r·e_r(x)]/(x − g^row)
 * with one α ∈ F_p2 per transition, then per boundary constraint, then per row constraint e_r, in AIR
 * order (the transcript draws them in that order). Transition constraints hold on rows 0 … n−2, hence
 * the divisor (x^n − 1)/(x − g^(n−1)); boundary and row constraints sharing a row share one division,
 * rows ascending, boundaries then row constraints within a row, each in AIR order. An AIR with an
 * auxiliary segment is composed as its lowered base-field AIR (./aux.ts). compositionTerms is that structure; the CPU prover
 * (src/prover/cpu/composition.ts), the GPU's constants (src/prover/gpu/composition.ts) and the
 * verifier's OOD check (./ood.ts) all evaluate it, so they agree term for term.
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import type { Fp2 } from '../field/ext2.js';
import type { Air } from './air.js';
import type { Expr } from './expr.js';

export interface TransitionTerm {
  readonly expr: Expr;
  readonly alpha: Fp2;
}

export interface BoundaryTerm {
  readonly col: number;
  readonly value: bigint;
  readonly alpha: Fp2;
}

/** A row constraint's expression (over the current row) and its coefficient. */
export interface RowTerm {
  readonly expr: Expr;
  readonly alpha: Fp2;
}

/** The boundary and row constraints of one row, divided together by (x − point). */
export interface BoundaryGroup {
  readonly row: number;
  /** g^row, g generating the trace domain. */
  readonly point: bigint;
  readonly terms: readonly BoundaryTerm[];
  readonly rowTerms: readonly RowTerm[];
}

export interface CompositionTerms {
  readonly transitions: readonly TransitionTerm[];
  /** g^(n−1): the transition divisor is (x^n − 1)/(x − lastRow). */
  readonly lastRow: bigint;
  /** Rows ascending. */
  readonly boundaryGroups: readonly BoundaryGroup[];
}

/** How many composition coefficients the transcript draws for `air`: one per constraint. */
export const compositionCoefficientCount = (air: Air): number => air.transitions.length + air.boundaries.length + (air.rowConstraints?.length ?? 0);

/**
 * The composition's terms for `air` (a base-field AIR: lowered, ./aux.ts, if it has an auxiliary
 * segment) and its coefficients `alphas` (compositionCoefficientCount of them, in AIR order).
 */
export function compositionTerms(air: Air, alphas: readonly Fp2[]): CompositionTerms {
  const T = air.transitions.length, B = air.boundaries.length, rowConstraints = air.rowConstraints ?? [];
  if (air.aux !== undefined) throw new RangeError(`composition: ${air.id} has an auxiliary segment; compose its lowered AIR (src/stark/aux.ts)`);
  if (alphas.length !== compositionCoefficientCount(air))
    throw new RangeError(`composition: ${alphas.length} coefficients, expected ${compositionCoefficientCount(air)} (${T} transitions + ${B} boundaries + ${rowConstraints.length} row constraints)`);
  const g = Fp.rootOfUnity(air.logN);
  const rows = [...new Set([...air.boundaries.map((b) => b.row), ...rowConstraints.map((r) => r.row)])].sort((a, b) => a - b);
  return {
    transitions: air.transitions.map((expr, t) => ({ expr, alpha: alphas[t]! })),
    lastRow: Fp.pow(g, BigInt(2 ** air.logN - 1)),
    boundaryGroups: rows.map((row) => ({
      row,
      point: Fp.pow(g, BigInt(row)),
      terms: air.boundaries.flatMap((b, i) => (b.row === row ? [{ col: b.col, value: b.value, alpha: alphas[T + i]! }] : [])),
      rowTerms: rowConstraints.flatMap((r, i) => (r.row === row ? [{ expr: r.expr, alpha: alphas[T + B + i]! }] : [])),
    })),
  };
}
