// Cutting the composition polynomial into segments of degree < n (DESIGN.md "The STARK": "composition
// split into degree-< n segments and committed"), on the CPU kernels.
import type { Column } from '../field/columns.js';
import { interpolateCoset } from '../ntt/lde.js';
import type { Kernels } from '../wasm/kernels.js';
import { bitReversed, COSET_SHIFT } from './domain.js';
import type { ExtColumn } from './ext-columns.js';

/** The composition is not of degree < S·n: the trace does not satisfy the AIR (or the prover is broken). */
export class NotLowDegreeError extends RangeError {
  override readonly name = 'NotLowDegreeError';
  constructor(segments: number) {
    super(`composition has degree ≥ ${segments}·n: the trace does not satisfy the AIR`);
  }
}

/** Coefficients of C (degree < S·n) cut into S segments C_j with C(x) = Σ_j x^(j·n)·C_j(x). */
export function splitSegments(k: Kernels, comp: ExtColumn, logN: number, S: number, cheat: boolean): ExtColumn[] {
  const n = 2 ** logN;
  const [c0, c1] = interpolateCoset(k, [bitReversed(k, comp.c0), bitReversed(k, comp.c1)], COSET_SHIFT) as [Column, Column];
  if (!cheat && !(isZeroFrom(c0, S * n) && isZeroFrom(c1, S * n)))
    throw new NotLowDegreeError(S);
  return Array.from({ length: S }, (_, j) => ({ c0: c0.slice(j * n, (j + 1) * n), c1: c1.slice(j * n, (j + 1) * n) }));
}

/** Whether col[from …] are all zero (read as 32-bit words: no bigint per element). */
export function isZeroFrom(col: Column, from: number): boolean {
  return isZeroWords(new Uint32Array(col.buffer, col.byteOffset + from * 8, (col.length - from) * 2));
}

export const isZeroUpTo = (col: Column, to: number): boolean => isZeroWords(new Uint32Array(col.buffer, col.byteOffset, to * 2));

function isZeroWords(w: Uint32Array): boolean {
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}
