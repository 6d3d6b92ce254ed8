/**
 * The composition at the OOD point z, from the claimed trace values T(z), T(z·ω): the verifier's
 * evaluation of ./composition.ts's terms, as the provers evaluate them over the LDE domain.
 *
 * @module
 */
import * as Fp2 from '../field/ext2.js';
import { inverseNtt } from '../ntt/index.js';
import type { Kernels } from '../wasm/kernels.js';
import type { Air } from './air.js';
import { compositionTerms } from './composition.js';
import { evalExtAll } from './expr.js';

/** Horner evaluation of base-field coefficients at an F_p2 point. */
function hornerExt(coeffs: ArrayLike<bigint>, x: Fp2.Fp2): Fp2.Fp2 {
  let acc: Fp2.Fp2 = Fp2.ZERO;
  for (let j = coeffs.length - 1; j >= 0; j--) acc = Fp2.add(Fp2.mul(acc, x), Fp2.fromBase(coeffs[j]!));
  return acc;
}

/** A periodic column's polynomial Q(x) = P(x^(n/m)) at z. */
function periodicAt(k: Kernels, values: BigUint64Array, logN: number, z: Fp2.Fp2): Fp2.Fp2 {
  const [p] = inverseNtt(k, [values]);
  return hornerExt(p!, Fp2.pow(z, BigInt(2 ** logN / values.length)));
}

/** The composition (./composition.ts) at z from the claimed T(z), T(z·ω). */
export function compositionAt(k: Kernels, air: Air, z: Fp2.Fp2, cur: readonly Fp2.Fp2[], next: readonly Fp2.Fp2[], alphas: readonly Fp2.Fp2[]): Fp2.Fp2 {
  const terms = compositionTerms(air, alphas);
  const periodic = air.periodic.map((v) => periodicAt(k, v, air.logN, z));
  let transitions: Fp2.Fp2 = Fp2.ZERO;
  const values = evalExtAll(terms.transitions.map((t) => t.expr), { cur, next, periodic });
  terms.transitions.forEach(({ alpha }, t) => (transitions = Fp2.add(transitions, Fp2.mul(alpha, values[t]!))));
  // (z − g^(n−1)) / (z^n − 1) and 1/(z − g^row) per boundary row; z ∉ F_p, so none vanishes. One batch inversion.
  const [transitionInverse, ...rowInverses] = Fp2.batchInverse([
    Fp2.sub(Fp2.pow(z, BigInt(2 ** air.logN)), Fp2.ONE),
    ...terms.boundaryGroups.map((group) => Fp2.sub(z, Fp2.fromBase(group.point))),
  ]);
  let total = Fp2.mul(transitions, Fp2.mul(Fp2.sub(z, Fp2.fromBase(terms.lastRow)), transitionInverse!));
  // The row constraints read the current row only: z's values, with the periodic columns at z.
  const rowValues = evalExtAll(terms.boundaryGroups.flatMap((group) => group.rowTerms.map((r) => r.expr)), { cur, next: cur, periodic });
  let r = 0;
  terms.boundaryGroups.forEach((group, i) => {
    let sum: Fp2.Fp2 = Fp2.ZERO;
    for (const b of group.terms) sum = Fp2.add(sum, Fp2.mul(b.alpha, Fp2.sub(cur[b.col]!, Fp2.fromBase(b.value))));
    for (const t of group.rowTerms) sum = Fp2.add(sum, Fp2.mul(t.alpha, rowValues[r++]!));
    total = Fp2.add(total, Fp2.mul(sum, rowInverses[i]!));
  });
  return total;
}

/** Σ_j z^(j·n)·C_j(z): the composition from its committed segments. */
export function segmentsAt(logN: number, z: Fp2.Fp2, segments: readonly Fp2.Fp2[]): Fp2.Fp2 {
  const zn = Fp2.pow(z, BigInt(2 ** logN));
  let acc: Fp2.Fp2 = Fp2.ZERO;
  for (let j = segments.length - 1; j >= 0; j--) acc = Fp2.add(Fp2.mul(acc, zn), segments[j]!);
  return acc;
}
