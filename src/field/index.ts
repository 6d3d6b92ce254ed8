/**
 * The field layer: Goldilocks F_p, its quadratic extension F_p2, and column (bulk) operations.
 *
 * @module
 */
export * as Fp from './goldilocks.js';
export * as Fp2 from './ext2.js';
export type { Fp2 as Fp2Element } from './ext2.js';
export * from './columns.js';
export { batchInverseIn, type InvertibleField } from './batch-inverse.js';
