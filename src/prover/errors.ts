// Typed errors of the prover.

/** The composition is not of degree < S·n: the trace does not satisfy the AIR (or the prover is broken). */
export class NotLowDegreeError extends RangeError {
  override readonly name = 'NotLowDegreeError';
  constructor(segments: number) {
    super(`composition has degree ≥ ${segments}·n: the trace does not satisfy the AIR`);
  }
}
