// The DEEP composition (DESIGN.md "The STARK"), on the LDE domain for the prover and at one point
// for the verifier — the same formula, term for term:
//   D(x) = [Σ_i γ_i·(T_i(x) − T_i(z)) + Σ_j γ''_j·(C_j(x) − C_j(z))] / (x − z)
//        + [Σ_i γ'_i·(T_i(x) − T_i(z·ω))] / (x − z·ω)
// with γ = gammas[0 … w), γ' = gammas[w … 2w), γ'' = gammas[2w …). Every quotient is a polynomial of
// degree < n − 1 exactly when the claimed OOD values are right, which FRI then tests.
import { batchInverseColumn, mulColumns, scaleColumn, subColumns, type Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import type { Kernels } from '../wasm/kernels.js';
import { addExt, constantColumn, mulExt, scaleBase, scaleExt, subConstExt, type ExtColumn } from './ext-columns.js';

export interface DeepInput {
  xs: Column;
  trace: readonly Column[];
  segments: readonly ExtColumn[];
  z: Fp2.Fp2;
  zw: Fp2.Fp2;
  oodTrace: readonly Fp2.Fp2[];
  oodTraceNext: readonly Fp2.Fp2[];
  oodComposition: readonly Fp2.Fp2[];
  gammas: readonly Fp2.Fp2[];
}

const dot = (cs: readonly Fp2.Fp2[], vs: readonly Fp2.Fp2[]): Fp2.Fp2 => cs.reduce((acc, c, i) => Fp2.add(acc, Fp2.mul(c, vs[i]!)), Fp2.ZERO);

/** 1/(x − z) on every x ∈ F_p of `xs`: ((x − z0) + z1·u) / ((x − z0)² − 7·z1²), one base batch inverse. */
function inverseDistance(k: Kernels, xs: Column, z: Fp2.Fp2): ExtColumn {
  const d = subColumns(k, xs, constantColumn(xs.length, z[0]));
  const norm = subColumns(k, mulColumns(k, d, d), constantColumn(xs.length, Fp.mul(Fp2.W, Fp.square(z[1]))));
  const inv = batchInverseColumn(k, norm);
  return { c0: mulColumns(k, d, inv), c1: scaleColumn(k, inv, z[1]) };
}

export function deepComposition(k: Kernels, d: DeepInput): ExtColumn {
  const w = d.trace.length, N = d.xs.length;
  const zero = (): ExtColumn => ({ c0: constantColumn(N, 0n), c1: constantColumn(N, 0n) });
  let atZ = zero(), atZw = zero();
  d.trace.forEach((col, i) => {
    atZ = addExt(k, atZ, scaleBase(k, col, d.gammas[i]!));
    atZw = addExt(k, atZw, scaleBase(k, col, d.gammas[w + i]!));
  });
  d.segments.forEach((seg, j) => (atZ = addExt(k, atZ, scaleExt(k, seg, d.gammas[2 * w + j]!))));
  const gz = d.gammas.slice(0, w), gzw = d.gammas.slice(w, 2 * w), gc = d.gammas.slice(2 * w);
  atZ = subConstExt(k, atZ, Fp2.add(dot(gz, d.oodTrace), dot(gc, d.oodComposition)));
  atZw = subConstExt(k, atZw, dot(gzw, d.oodTraceNext));
  return addExt(k, mulExt(k, atZ, inverseDistance(k, d.xs, d.z)), mulExt(k, atZw, inverseDistance(k, d.xs, d.zw)));
}

/** D at one point x ∈ F_p from the opened trace row and composition row (segment j = columns 2j, 2j+1). */
export function deepAt(x: bigint, traceRow: readonly bigint[], compRow: readonly bigint[], d: Omit<DeepInput, 'xs' | 'trace' | 'segments'>): Fp2.Fp2 {
  const w = traceRow.length;
  let atZ: Fp2.Fp2 = Fp2.ZERO, atZw: Fp2.Fp2 = Fp2.ZERO;
  traceRow.forEach((v, i) => {
    atZ = Fp2.add(atZ, Fp2.mul(d.gammas[i]!, Fp2.sub(Fp2.fromBase(v), d.oodTrace[i]!)));
    atZw = Fp2.add(atZw, Fp2.mul(d.gammas[w + i]!, Fp2.sub(Fp2.fromBase(v), d.oodTraceNext[i]!)));
  });
  d.oodComposition.forEach((cz, j) => {
    const c: Fp2.Fp2 = [compRow[2 * j]!, compRow[2 * j + 1]!];
    atZ = Fp2.add(atZ, Fp2.mul(d.gammas[2 * w + j]!, Fp2.sub(c, cz)));
  });
  const xe = Fp2.fromBase(x);
  return Fp2.add(Fp2.div(atZ, Fp2.sub(xe, d.z)), Fp2.div(atZw, Fp2.sub(xe, d.zw)));
}
