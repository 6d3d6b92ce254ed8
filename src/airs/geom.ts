// GEOM_AIR_V1: a walk of 2×2 matrices over F_p with a cubic accumulator; it proves that n − 1 steps
// from the initial matrix reach the final matrix and accumulator.
//   Columns: m11, m12, m21, m22 (the state M_i, row-major), acc.
//   Periodic: sel, period 8: 1 0 1 1 0 1 0 0. Step matrix S_i = sel·A + (1 − sel)·B with
//     A = [[1, 1], [0, 1]] and B = [[1, 0], [1, 1]] (both of determinant 1, so every step is invertible).
//   Transitions: M_{i+1} = M_i · S_i, four constraints of degree 2 (sel × state);
//     next.acc = cur.acc + cur.m11 · cur.m12 · cur.m22, degree 3.
//   Boundaries: row 0 holds the initial matrix and acc = 0; row n − 1 the final matrix and final_acc.
//   Public inputs: steps = n, the number of trace rows (a power of two in [8, 2^30]); initial_m11 …
//     initial_m22, final_m11 … final_m22, final_acc (decimal strings < p).
//   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ initial_m11, m12, m21, m22 ‖
//     final_m11, m12, m21, m22 ‖ final_acc (8 bytes LE each).
import { z } from 'zod';
import * as F from '../field/goldilocks.js';
import type { Air, BoundaryConstraint } from '../stark/air.js';
import { add, cur, mul, next, periodic, product, sub, sum } from '../stark/expr.js';
import { checkLogN, FieldElementSchema, parseInput, publicInputBytes, StepsSchema } from './public-inputs.js';

export const GEOM_AIR_ID = 'geom_air_v1';

export type Matrix2 = readonly [readonly [bigint, bigint], readonly [bigint, bigint]];

export const GEOM_A: Matrix2 = [[1n, 1n], [0n, 1n]];
export const GEOM_B: Matrix2 = [[1n, 0n], [1n, 1n]];
/** sel at row i is GEOM_SELECTOR[i mod 8]: 1 steps by A, 0 by B. */
export const GEOM_SELECTOR: readonly (0 | 1)[] = [1, 0, 1, 1, 0, 1, 0, 0];
/** geomTrace's default initial matrix. */
export const IDENTITY: Matrix2 = [[1n, 0n], [0n, 1n]];

const M11 = 0, M12 = 1, M21 = 2, M22 = 3, ACC = 4;
/** Column of matrix entry (r, c). */
const entry = (r: number, c: number): number => 2 * r + c;

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
  // S_i[k][j] = B[k][j] + sel · (A[k][j] − B[k][j]): degree 1.
  const step = (k: number, j: number) => add(GEOM_B[k]![j]!, mul(periodic(0), F.sub(GEOM_A[k]![j]!, GEOM_B[k]![j]!)));
  const walk = [0, 1].flatMap((r) =>
    [0, 1].map((c) => sub(next(entry(r, c)), sum(mul(cur(entry(r, 0)), step(0, c)), mul(cur(entry(r, 1)), step(1, c))))),
  );
  const v = elements(pi);
  // values in column order: m11, m12, m21, m22, acc.
  const pin = (row: number, values: readonly bigint[]): BoundaryConstraint[] => values.map((value, col) => ({ col, row, value }));
  return {
    id: GEOM_AIR_ID,
    width: 5,
    logN: Math.log2(pi.steps),
    periodic: [BigUint64Array.from(GEOM_SELECTOR, BigInt)],
    transitions: [...walk, sub(next(ACC), add(cur(ACC), product(cur(M11), cur(M12), cur(M22))))],
    boundaries: [...pin(0, [...v.slice(0, 4), 0n]), ...pin(last, v.slice(4))],
    parameters: new Uint8Array(0),
  };
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
      initial_m11: cell(M11, 0), initial_m12: cell(M12, 0), initial_m21: cell(M21, 0), initial_m22: cell(M22, 0),
      final_m11: cell(M11, n - 1), final_m12: cell(M12, n - 1), final_m21: cell(M21, n - 1), final_m22: cell(M22, n - 1),
      final_acc: cell(ACC, n - 1),
    },
  };
}

export function encodeGeomPublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  return publicInputBytes(GEOM_AIR_ID, pi.steps, elements(pi));
}
