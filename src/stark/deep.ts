/**
 * The DEEP composition (DEEP-ALI: Ben-Sasson, Goldberg, Kopparty, Saraf, ePrint 2019/336): the formula
 * the GPU prover evaluates on the LDE domain, the CPU prover builds in coefficient form and the
 * verifier's kernel (src/wasm/assembly/points.ts deep_points) evaluates at the opened points:
 *   D(x) = [Σ_i γ_i·(T_i(x) − T_i(z)) + Σ_j γ''_j·(C_j(x) − C_j(z))] / (x − z)
 *        + [Σ_i γ'_i·(T_i(x) − T_i(z·ω))] / (x − z·ω)
 * with γ = gammas[0 … w), γ' = gammas[w … 2w), γ'' = gammas[2w …). Every quotient is a polynomial of
 * degree < n − 1 exactly when the claimed OOD values are right, which FRI then tests.
 *
 * @module
 */
import * as Fp2 from '../field/ext2.js';

const dot = (cs: readonly Fp2.Fp2[], vs: readonly Fp2.Fp2[]): Fp2.Fp2 => cs.reduce((acc, c, i) => Fp2.add(acc, Fp2.mul(c, vs[i]!)), Fp2.ZERO);

/** The OOD parameters of the DEEP composition (what the prover knows besides the LDE columns). */
export interface DeepParams {
  z: Fp2.Fp2;
  zw: Fp2.Fp2;
  oodTrace: readonly Fp2.Fp2[];
  oodTraceNext: readonly Fp2.Fp2[];
  oodComposition: readonly Fp2.Fp2[];
  gammas: readonly Fp2.Fp2[];
}

/**
 * The challenge split (γ, γ', γ'') and the constant parts of the two numerators: cz = Σγ·T(z) +
 * Σγ''·C(z) and czw = Σγ'·T(zω). Shared by the CPU and GPU implementations.
 */
export function deepConstants(d: DeepParams, w: number) {
  const gz = d.gammas.slice(0, w), gzw = d.gammas.slice(w, 2 * w), gc = d.gammas.slice(2 * w);
  return { gz, gzw, gc, cz: Fp2.add(dot(gz, d.oodTrace), dot(gc, d.oodComposition)), czw: dot(gzw, d.oodTraceNext) };
}

/**
 * D at one point x ∈ F_p from the opened trace row and composition row (segment j = columns 2j, 2j+1),
 * given 1/(x − z) and 1/(x − z·ω): the BigInt reference the verifier's kernel is tested against.
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
