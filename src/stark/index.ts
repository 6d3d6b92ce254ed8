/**
 * capseal-stark-v1 (docs/architecture.md): AIR expressions, verifier, options, codec. The prover is capseal/prover.
 *
 * @module
 */
export * from './expr.js';
export { airDigest, checkAir, checkTrace, compositionSegments, maxDegree, type Air, type AirNames, type BoundaryConstraint, type TraceCheck } from './air.js';
export { defineAir, type AirDefinition } from './define.js';
export { compositionTerms, type CompositionTerms } from './composition.js';
export { DEFAULT_OPTIONS, TEST_OPTIONS_INSECURE, checkOptions, securityBits, type ProofOptions } from './options.js';
export { PROTOCOL_ID, Transcript } from './transcript.js';
export type { Opening, StarkProof } from './proof.js';
export { verifyProof, type StarkErrorCode, type StarkVerdict, type VerifyOptions } from './verifier.js';
export { decodeProof, encodeProof, proofFromJson, proofToJson, ProofDecodeError } from './codec.js';
