/**
 * The out-of-domain answers on the CPU kernels: every trace column at z and z·ω and every composition
 * segment at z, from their coefficients. The GPU's are ../gpu/ood.ts.
 *
 * @module
 */
import { powersColumn, type Column } from '../../field/columns.js';
import { evaluateBaseAt, extPowers, joinCoordinates, mulExtByBase } from '../../field/ext-columns.js';
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import type { OodAnswers } from '../../stark/steps.js';
import type { Kernels } from '../../wasm/kernels.js';

/**
 * `traceCoeffs` (n coefficients per column) at z and z·ω, and the segments (c0, c1 column pairs) at z;
 * ω is the trace domain's generator, given when the columns are a range of the coefficients
 * (oodPart) rather than all n of them.
 */
export function oodAnswers(
  k: Kernels, traceCoeffs: readonly Column[], segmentCoeffs: readonly Column[], z: Fp2.Fp2, omega = Fp.rootOfUnity(Math.log2(traceCoeffs[0]!.length)),
): OodAnswers {
  const n = traceCoeffs[0]!.length;
  // (z·ω)^i = z^i·ω^i: a base-field scaling, cheaper than a second F_p2 power table.
  const zPowers = extPowers(k, z, n), zwPowers = mulExtByBase(k, zPowers, powersColumn(k, 1n, omega, n));
  return {
    oodTrace: evaluateBaseAt(k, traceCoeffs, zPowers),
    oodTraceNext: evaluateBaseAt(k, traceCoeffs, zwPowers),
    oodComposition: joinCoordinates(evaluateBaseAt(k, segmentCoeffs, zPowers)),
  };
}

/** The coefficient range [lo, hi) of a thread's share of the OOD answers. */
export interface OodRange {
  lo: number;
  hi: number;
}

/**
 * The OOD answers from their shares: share [lo, hi) evaluated the coefficients lo … hi − 1 as a
 * polynomial of their own (oodAnswers with the full domain's ω), so it is scaled by z^lo, or (z·ω)^lo
 * for the next row, before the shares are added.
 */
export function joinOodShares(ranges: readonly OodRange[], shares: readonly OodAnswers[], z: Fp2.Fp2, zw: Fp2.Fp2): OodAnswers {
  const join = (pick: (a: OodAnswers) => Fp2.Fp2[], point: Fp2.Fp2): Fp2.Fp2[] => {
    const scales = ranges.map((r) => Fp2.pow(point, BigInt(r.lo)));
    return pick(shares[0]!).map((_, i) => shares.reduce((acc, share, s) => Fp2.add(acc, Fp2.mul(scales[s]!, pick(share)[i]!)), Fp2.ZERO));
  };
  return { oodTrace: join((a) => a.oodTrace, z), oodTraceNext: join((a) => a.oodTraceNext, zw), oodComposition: join((a) => a.oodComposition, z) };
}

/** OodAnswers as one column (each F_p2 value as c0, c1; the three lists in order) and back: a worker's reply. */
export const packOod = (a: OodAnswers): Column => BigUint64Array.from([...a.oodTrace, ...a.oodTraceNext, ...a.oodComposition].flat());
export function unpackOod(c: Column, width: number, segments: number): OodAnswers {
  const ext = (at: number, count: number): Fp2.Fp2[] => Array.from({ length: count }, (_, i) => [c[2 * (at + i)]!, c[2 * (at + i) + 1]!] as const);
  if (c.length !== 2 * (2 * width + segments)) throw new Error(`OOD share: ${c.length} values, expected ${2 * (2 * width + segments)}`);
  return { oodTrace: ext(0, width), oodTraceNext: ext(width, width), oodComposition: ext(2 * width, segments) };
}
