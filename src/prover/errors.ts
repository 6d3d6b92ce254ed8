// Typed errors of the prover: a trace that breaks its AIR.

/** The composition is not of degree < S·n: the trace does not satisfy the AIR (or the prover is broken). */
export class NotLowDegreeError extends RangeError {
  override readonly name = 'NotLowDegreeError';
  constructor(segments: number) {
    super(`composition has degree ≥ ${segments}·n: the trace does not satisfy the AIR`);
  }
}

/** The first constraint a trace breaks (boundaries first, then transitions row by row), and where. */
export class UnsatisfiedConstraintError extends RangeError {
  override readonly name = 'UnsatisfiedConstraintError';
  constructor(
    readonly kind: 'transition' | 'boundary',
    readonly index: number,
    readonly row: number,
    /** The constraint's name, where the AIR names it. */
    readonly constraint?: string,
  ) {
    super(`trace violates ${kind} constraint ${index}${constraint === undefined ? '' : ` (${constraint})`} at row ${row}`);
  }
}
