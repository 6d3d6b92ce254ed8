/**
 * The capseal-stark-v1 prover (docs/architecture.md): the stage driver and the steps on the CPU or
 * the GPU. Verification needs only capseal/stark.
 *
 * @module
 */
export { prove, PROVE_STAGES, type ProveInput, type ProveProgress, type ProveResult, type StageTiming } from './prover.js';
export { NotLowDegreeError, UnsatisfiedConstraintError } from './errors.js';
export { PROVER_JOBS } from './cpu/jobs.js';
