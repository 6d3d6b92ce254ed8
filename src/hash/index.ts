/**
 * Hashing: reference digests (@noble/hashes) and bulk BLAKE3 on the wasm kernels for Merkle trees.
 *
 * @module
 */
export { DIGEST_BYTES, blake3, sha256, sha256Hex } from './digest.js';
export { hashRows, hashRowsRowMajor, hashPairs } from './leaves.js';
