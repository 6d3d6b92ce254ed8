/**
 * The NTT layer: transforms, coset low-degree extension and interpolation over Goldilocks columns.
 *
 * @module
 */
export { forwardNtt, inverseNtt, log2Size } from './ntt.js';
export { cosetLde, evaluateOnCoset, extendColumns, interpolateCoset, MAX_BLOWUP, type CosetOptions, type EvaluationOrder, type LdeOptions } from './lde.js';
