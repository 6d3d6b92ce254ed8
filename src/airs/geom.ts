/**
 * GEOM_AIR_V1: a walk of 2×2 matrices over F_p with a cubic accumulator; it proves that n − 1 steps
 * from the initial matrix reach the final matrix and accumulator.
 *   Columns: m11, m12, m21, m22 (the state M_i, row-major), acc.
 *   Periodic: sel, period 8: 1 0 1 1 0 1 0 0. Step matrix S_i = sel·A + (1 − sel)·B with
 *     A = [[1, 1], [0, 1]] and B = [[1, 0], [1, 1]] (both of determinant 1, so every step is invertible).
 *   Transitions: M_{i+1} = M_i · S_i, four constraints of degree 2 (sel × state);
 *     next.acc = cur.acc + cur.m11 · cur.m12 · cur.m22, degree 3.
 *   Boundaries: row 0 holds the initial matrix and acc = 0; row n − 1 the final matrix and final_acc.
 *   Public inputs: steps = n, the number of trace rows (a power of two in [8, 2^30]); initial_m11 …
 *     initial_m22, final_m11 … final_m22, final_acc (decimal strings < p).
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ initial_m11, m12, m21, m22 ‖
 *     final_m11, m12, m21, m22 ‖ final_acc (8 bytes LE each).
 *
 * @module
 */
import { z } from 'zod';
import * as F from '../field/goldilocks.js';
import type { Air } from '../stark/air.js';
import { defineAir } from '../stark/define.js';
import { add, eq, mul, product, sum } from '../stark/expr.js';
import { checkLogN, FieldElementSchema, parseInput, publicInputBytes, StepsSchema } from './public-inputs.js';

export const GEOM_AIR_ID = 'geom_air_v1';

export type Matrix2 = readonly [readonly [bigint, bigint], readonly [bigint, bigint]];

export const GEOM_A: Matrix2 = [[1n, 1n], [0n, 1n]];
export const GEOM_B: Matrix2 = [[1n, 0n], [1n, 1n]];
/** sel at row i is GEOM_SELECTOR[i mod 8]: 1 steps by A, 0 by B. */
export const GEOM_SELECTOR: readonly (0 | 1)[] = [1, 0, 1, 1, 0, 1, 0, 0];
/** geomTrace's default initial matrix. */
export const IDENTITY: Matrix2 = [[1n, 0n], [0n, 1n]];

export const GEOM_COLUMNS = ['m11', 'm12', 'm21', 'm22', 'acc'] as const;

export const GeomPublicInputsSchema = z.strictObject({
  steps: StepsSchema,
  initial_m11: FieldElementSchema,
  initial_m12: FieldElementSchema,
  initial_m21: FieldElementSchema,
  initial_m22: FieldElementSchema,
  final_m11: FieldElementSchema,
  final_m12: FieldElementSchema,
  final_m21: FieldElementSchema,
  final_m22: FieldElementSchema,
  final_acc: FieldElementSchema,
});
export type GeomPublicInputs = z.output<typeof GeomPublicInputsSchema>;

const parse = (publicInputs: unknown): GeomPublicInputs => parseInput(GeomPublicInputsSchema, publicInputs, `${GEOM_AIR_ID} public inputs`);

/** [initial m11, m12, m21, m22, final m11, m12, m21, m22, final_acc], the encoding's order. */
const elements = (pi: GeomPublicInputs): bigint[] =>
  [pi.initial_m11, pi.initial_m12, pi.initial_m21, pi.initial_m22, pi.final_m11, pi.final_m12, pi.final_m21, pi.final_m22, pi.final_acc].map(BigInt);

export function geomAir(publicInputs: unknown): Air {
  const pi = parse(publicInputs);
  const last = pi.steps - 1;
  const v = elements(pi);
  // Row 0 holds the initial matrix and acc = 0, the last row the final matrix and acc.
  const pin = (row: number, prefix: string, values: readonly bigint[]) =>
    Object.fromEntries(GEOM_COLUMNS.map((column, col) => [`${prefix}_${column}`, { column, row, value: values[col]! }]));
  return defineAir({
    id: GEOM_AIR_ID,
    logN: Math.log2(pi.steps),
    columns: GEOM_COLUMNS,
    periodic: { sel: BigUint64Array.from(GEOM_SELECTOR, BigInt) },
    transitions: ({ cur, next, periodic }) => {
      const m = [[cur.m11, cur.m12], [cur.m21, cur.m22]] as const, n = [[next.m11, next.m12], [next.m21, next.m22]] as const;
      // S_i[k][j] = B[k][j] + sel · (A[k][j] − B[k][j]): degree 1.
      const step = (k: number, j: number) => add(GEOM_B[k]![j]!, mul(periodic.sel, F.sub(GEOM_A[k]![j]!, GEOM_B[k]![j]!)));
      const walk = (r: 0 | 1, c: 0 | 1) => eq(n[r][c], sum(mul(m[r][0], step(0, c)), mul(m[r][1], step(1, c))));
      return {
        walk_m11: walk(0, 0), walk_m12: walk(0, 1), walk_m21: walk(1, 0), walk_m22: walk(1, 1),
        accumulate: eq(next.acc, add(cur.acc, product(cur.m11, cur.m12, cur.m22))),
      };
    },
    boundaries: { ...pin(0, 'initial', [...v.slice(0, 4), 0n]), ...pin(last, 'final', v.slice(4)) },
  });
}

const matMul = (x: Matrix2, y: Matrix2): Matrix2 => {
  const at = (r: number, c: number) => F.add(F.mul(x[r]![0]!, y[0]![c]!), F.mul(x[r]![1]!, y[1]![c]!));
  return [[at(0, 0), at(0, 1)], [at(1, 0), at(1, 1)]];
};

/** The walk from `initial` (canonical entries; default IDENTITY) over n = 2^logN rows. */
export function geomTrace(logN: number, initial: Matrix2 = IDENTITY): { trace: BigUint64Array[]; publicInputs: GeomPublicInputs } {
  checkLogN('geomTrace', logN);
  if (initial.length !== 2 || initial.some((r) => r.length !== 2) || !initial.flat().every(F.isCanonical))
    throw new RangeError('geomTrace: the initial matrix must hold four canonical field elements (bigint, 0 ≤ x < p)');
  const n = 2 ** logN;
  const trace = Array.from({ length: 5 }, () => new BigUint64Array(n));
  let m = initial, acc = 0n;
  for (let i = 0; i < n; i++) {
    [m[0][0], m[0][1], m[1][0], m[1][1], acc].forEach((v, col) => (trace[col]![i] = v));
    acc = F.add(acc, F.mul(F.mul(m[0][0], m[0][1]), m[1][1]));
    m = matMul(m, GEOM_SELECTOR[i % GEOM_SELECTOR.length] ? GEOM_A : GEOM_B);
  }
  const cell = (col: number, row: number) => String(trace[col]![row]);
  return {
    trace,
    publicInputs: {
      steps: n,
      initial_m11: cell(0, 0), initial_m12: cell(1, 0), initial_m21: cell(2, 0), initial_m22: cell(3, 0),
      final_m11: cell(0, n - 1), final_m12: cell(1, n - 1), final_m21: cell(2, n - 1), final_m22: cell(3, n - 1),
      final_acc: cell(4, n - 1),
    },
  };
}

export function encodeGeomPublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  return publicInputBytes(GEOM_AIR_ID, pi.steps, elements(pi));
}
