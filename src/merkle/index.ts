/**
 * Binary Merkle tree over BLAKE3 digests: building, single and batched openings, and their verification.
 *
 * @module
 */
export { MAX_DEPTH } from './checks.js';
export { hashNode, type LayerHasher, nobleLayerHasher } from './hasher.js';
export { batchSiblingCount, type MultiProof, openBatch, openPath, verifyBatch, verifyPath } from './proof.js';
export { buildMerkleTree, treeFromSubtrees, type MerkleTree } from './tree.js';
