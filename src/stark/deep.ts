// The DEEP composition (DESIGN.md "The STARK"), on the LDE domain for the prover and at one point
// for the verifier — the same formula, term for term:
//   D(x) = [Σ_i γ_i·(T_i(x) − T_i(z)) + Σ_j γ''_j·(C_j(x) − C_j(z))] / (x − z)
//        + [Σ_i γ'_i·(T_i(x) − T_i(z·ω))] / (x − z·ω)
// with γ = gammas[0 … w), γ' = gammas[w … 2w), γ'' = gammas[2w …). Every quotient is a polynomial of
// degree < n − 1 exactly when the claimed OOD values are right, which FRI then tests.
import type { Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import type { Kernels } from '../wasm/kernels.js';
import type { ExtColumn } from './ext-columns.js';

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

/** The OOD parameters of the DEEP composition (what the prover knows besides the LDE columns). */
export type DeepParams = Omit<DeepInput, 'xs' | 'trace' | 'segments'>;

/**
 * The challenge split (γ, γ', γ'') and the constant parts of the two numerators: cz = Σγ·T(z) +
 * Σγ''·C(z) and czw = Σγ'·T(zω). Shared by the CPU and GPU implementations.
 */
export function deepConstants(d: DeepParams, w: number) {
  const gz = d.gammas.slice(0, w), gzw = d.gammas.slice(w, 2 * w), gc = d.gammas.slice(2 * w);
  return { gz, gzw, gc, cz: Fp2.add(dot(gz, d.oodTrace), dot(gc, d.oodComposition)), czw: dot(gzw, d.oodTraceNext) };
}

/**
 * Runs in wasm memory: accumulators (acc_z, acc_zω) gather γ-weighted columns with the fused F_p2
 * kernels, then each is multiplied by 1/(x − ζ) = ((x − ζ0) + ζ1·u) / ((x − ζ0)² − 7·ζ1²) — one base
 * batch inversion per ζ ∈ {z, z·ω}.
 */
export function deepComposition(k: Kernels, d: DeepInput): ExtColumn {
  const w = d.trace.length, N = d.xs.length, bytes = N * 8;
  const { gz, gzw, gc, cz, czw } = deepConstants(d, w);
  return k.scoped(() => {
    const zeroed = () => k.allocZeroed(bytes);
    const az = [zeroed(), zeroed()] as const, aw = [zeroed(), zeroed()] as const;
    const tmp = k.alloc(bytes), tmp1 = k.alloc(bytes);
    d.trace.forEach((col, i) => {
      k.put(col, tmp);
      k.raw.ext_axpy_base(az[0], az[1], tmp, gz[i]![0], gz[i]![1], N);
      k.raw.ext_axpy_base(aw[0], aw[1], tmp, gzw[i]![0], gzw[i]![1], N);
    });
    d.segments.forEach((seg, j) => {
      k.put(seg.c0, tmp);
      k.put(seg.c1, tmp1);
      k.raw.ext_axpy(az[0], az[1], tmp, tmp1, gc[j]![0], gc[j]![1], N);
    });
    k.raw.vec_add_scalar(az[0], az[0], Fp.neg(cz[0]), N);
    k.raw.vec_add_scalar(az[1], az[1], Fp.neg(cz[1]), N);
    k.raw.vec_add_scalar(aw[0], aw[0], Fp.neg(czw[0]), N);
    k.raw.vec_add_scalar(aw[1], aw[1], Fp.neg(czw[1]), N);
    const xs = k.put(d.xs), scratch = k.alloc(bytes);
    const divide = (acc: readonly [number, number], zeta: Fp2.Fp2) => {
      k.raw.vec_add_scalar(tmp, xs, Fp.neg(zeta[0]), N); // x − ζ0
      k.raw.vec_mul(tmp1, tmp, tmp, N);
      k.raw.vec_add_scalar(tmp1, tmp1, Fp.neg(Fp.mul(Fp2.W, Fp.square(zeta[1]))), N);
      if (k.raw.batch_inverse(tmp1, tmp1, scratch, N) >= 0) throw new Error('DEEP: x − ζ vanished on the LDE domain (ζ ∈ F_p)');
      k.raw.vec_mul(tmp, tmp, tmp1, N); // (x − ζ0)/norm
      k.raw.vec_scale(tmp1, tmp1, zeta[1], N); // ζ1/norm
      k.raw.ext_mul(acc[0], acc[1], acc[0], acc[1], tmp, tmp1, N);
    };
    divide(az, d.z);
    divide(aw, d.zw);
    k.raw.vec_add(az[0], az[0], aw[0], N);
    k.raw.vec_add(az[1], az[1], aw[1], N);
    return { c0: k.get(az[0], N), c1: k.get(az[1], N) };
  });
}

/**
 * D at one point x ∈ F_p from the opened trace row and composition row (segment j = columns 2j, 2j+1),
 * given 1/(x − z) and 1/(x − z·ω) (the verifier inverts them for all its points in one batch).
 */
export function deepAt(
  traceRow: BigUint64Array, compRow: BigUint64Array, invXz: Fp2.Fp2, invXzw: Fp2.Fp2, d: Omit<DeepParams, 'z' | 'zw'>,
): Fp2.Fp2 {
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
  return Fp2.add(Fp2.mul(atZ, invXz), Fp2.mul(atZw, invXzw));
}
