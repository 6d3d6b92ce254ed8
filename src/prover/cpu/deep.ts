/**
 * The DEEP composition on the CPU (DEEP-ALI: Ben-Sasson, Goldberg, Kopparty, Saraf 2019), layer 0 of
 * FRI, built in coefficient form:
 *   P_z = Σ_i γ_i·T_i + Σ_j γ''_j·C_j,   P_zw = Σ_i γ'_i·T_i   (F_p2 polynomials of degree < n),
 *   D = (P_z − P_z(z))/(x − z) + (P_zw − P_zw(z·ω))/(x − z·ω),
 * from the trace's and the segments' coefficients, each quotient by synthetic division. D is the
 * polynomial the pointwise formula of src/stark/deep.ts (the GPU's, the verifier's) takes on every
 * point, so its LDE is that layer byte for byte — but n coefficients are combined instead of β·n
 * values, and one F_p2 column's LDE replaces β·n divisions. The divisions' remainders are P_z(z) and
 * P_zw(z·ω): they must equal the constants the OOD answers give, which checks those answers.
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import type * as Fp2 from '../../field/ext2.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { ExtColumn } from '../../field/ext-columns.js';
import { deepConstants, type DeepParams } from '../../stark/deep.js';

/** D's n coefficients (the last zero) from the trace's coefficients and the segments' (c0, c1) coefficients. */
export function deepCoefficients(k: Kernels, trace: readonly Column[], segments: readonly ExtColumn[], d: DeepParams): ExtColumn {
  const w = trace.length, n = trace[0]!.length, bytes = n * 8;
  if (segments.length !== d.oodComposition.length || [...trace, ...segments.flatMap((s) => [s.c0, s.c1])].some((c) => c.length !== n))
    throw new RangeError(`deepCoefficients: ${w} trace and ${segments.length} segment polynomials of ${n} coefficients expected`);
  const { gz, gzw, gc, cz, czw } = deepConstants(d, w);
  return k.scoped(() => {
    const zeroed = () => k.allocZeroed(bytes);
    const pz = [zeroed(), zeroed()] as const, pw = [zeroed(), zeroed()] as const;
    const a = k.alloc(bytes), b = k.alloc(bytes);
    trace.forEach((c, i) => {
      k.put(c, a);
      k.raw.ext_axpy_base(pz[0], pz[1], a, gz[i]![0], gz[i]![1], n);
      k.raw.ext_axpy_base(pw[0], pw[1], a, gzw[i]![0], gzw[i]![1], n);
    });
    segments.forEach((s, j) => {
      k.put(s.c0, a);
      k.put(s.c1, b);
      k.raw.ext_axpy(pz[0], pz[1], a, b, gc[j]![0], gc[j]![1], n);
    });
    const qz = [k.alloc(bytes), k.alloc(bytes)] as const, qw = [a, b] as const, rem = k.alloc(16);
    const divide = (p: readonly [number, number], zeta: Fp2.Fp2, q: readonly [number, number], expected: Fp2.Fp2, at: string) => {
      k.raw.ext_div_linear(q[0], q[1], p[0], p[1], zeta[0], zeta[1], n, rem);
      if (k.u64[rem / 8] !== expected[0] || k.u64[rem / 8 + 1] !== expected[1])
        throw new Error(`DEEP: the combined polynomial at ${at} is not what the OOD answers say`);
    };
    divide(pz, d.z, qz, cz, 'z');
    divide(pw, d.zw, qw, czw, 'z·ω');
    k.raw.vec_add(qz[0], qz[0], qw[0], n);
    k.raw.vec_add(qz[1], qz[1], qw[1], n);
    return { c0: k.get(qz[0], n), c1: k.get(qz[1], n) };
  });
}
