/**
 * Typed errors of the prover: a trace that breaks its AIR.
 *
 * @module
 */

/**
 * A polynomial the prover commits is above its degree bound — the composition (degree ≥ S·n) or
 * FRI's last layer: the trace does not satisfy the AIR (or the prover is broken). The prover turns it
 * into an UnsatisfiedConstraintError naming the first broken constraint when the host finds one.
 */
export class NotLowDegreeError extends RangeError {
  override readonly name = 'NotLowDegreeError';
  constructor(what: string) {
    super(`${what}: the trace does not satisfy the AIR`);
  }
}

/** The first constraint a trace breaks (boundaries first, then row constraints, then transitions row by row), and where. */
export class UnsatisfiedConstraintError extends RangeError {
  override readonly name = 'UnsatisfiedConstraintError';
  constructor(
    readonly kind: 'transition' | 'boundary' | 'row',
    readonly index: number,
    readonly row: number,
    /** The constraint's name, where the AIR names it. */
    readonly constraint?: string,
  ) {
    super(`trace violates ${kind} constraint ${index}${constraint === undefined ? '' : ` (${constraint})`} at row ${row}`);
  }
}
