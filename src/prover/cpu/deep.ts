/**
 * The DEEP composition on the CPU (DEEP-ALI: Ben-Sasson, Goldberg, Kopparty, Saraf 2019): layer 0 of FRI,
 *   D(x) = Σ_i γ_i·(T_i(x) − T_i(z))/(x − z) + Σ_i γ'_i·(T_i(x) − T_i(zω))/(x − zω) + Σ_j γ''_j·(C_j(x) − C_j(z))/(x − z)
 * over the LDE points, in wasm memory. The verifier's pointwise form and the constants shared with the
 * GPU are src/stark/deep.ts.
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { ExtColumn } from '../../field/ext-columns.js';
import { deepConstants, type DeepParams } from '../../stark/deep.js';

/** The DEEP composition's inputs: the OOD parameters and the LDE columns over the points `xs`. */
export interface DeepInput extends DeepParams {
  xs: Column;
  trace: readonly Column[];
  segments: readonly ExtColumn[];
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
