/**
 * The out-of-domain answers on the CPU kernels: every trace column at z and z·ω and every composition
 * segment at z, from their coefficients. The GPU's are ../gpu/ood.ts.
 *
 * @module
 */
import { powersColumn, type Column } from '../../field/columns.js';
import { evaluateBaseAt, extPowers, joinCoordinates, mulExtByBase } from '../../field/ext-columns.js';
import * as Fp from '../../field/goldilocks.js';
import type * as Fp2 from '../../field/ext2.js';
import type { OodAnswers } from '../../stark/steps.js';
import type { Kernels } from '../../wasm/kernels.js';

/** `traceCoeffs` (n coefficients per column) at z and z·ω, and the segments (c0, c1 column pairs) at z. */
export function oodAnswers(k: Kernels, traceCoeffs: readonly Column[], segmentCoeffs: readonly Column[], z: Fp2.Fp2): OodAnswers {
  const n = traceCoeffs[0]!.length;
  // (z·ω)^i = z^i·ω^i: a base-field scaling, cheaper than a second F_p2 power table.
  const zPowers = extPowers(k, z, n), zwPowers = mulExtByBase(k, zPowers, powersColumn(k, 1n, Fp.rootOfUnity(Math.log2(n)), n));
  return {
    oodTrace: evaluateBaseAt(k, traceCoeffs, zPowers),
    oodTraceNext: evaluateBaseAt(k, traceCoeffs, zwPowers),
    oodComposition: joinCoordinates(evaluateBaseAt(k, segmentCoeffs, zPowers)),
  };
}
