/**
 * The node rule, node = BLAKE3(left ‖ right), and the injectable layer hasher that applies it to a whole level.
 *
 * @module
 */
import { blake3, DIGEST_BYTES } from '../hash/digest.js';
import { blake3Short } from '../hash/short.js';

const PAIR_BYTES = 2 * DIGEST_BYTES;

/**
 * Hashes one tree level: `children` holds 2m digests (64m bytes), the result m parents
 * (32m bytes) with parent i = BLAKE3(children[64i..64i+64)). Backends (wasm, GPU) supply fast
 * ones. It must not modify `children`, and the tree keeps the returned array, so it must be
 * memory the hasher will not write again.
 */
export type LayerHasher = (children: Uint8Array) => Uint8Array;

/** Reference layer hasher: one noble BLAKE3 call per parent. */
export const nobleLayerHasher: LayerHasher = (children) => {
  if (!(children instanceof Uint8Array)) throw new TypeError('children must be a Uint8Array');
  if (children.length === 0 || children.length % PAIR_BYTES !== 0)
    throw new RangeError(`children must be a non-empty multiple of ${PAIR_BYTES} bytes, got ${children.length}`);
  const parentCount = children.length / PAIR_BYTES;
  const parents = new Uint8Array(parentCount * DIGEST_BYTES);
  for (let i = 0; i < parentCount; i++)
    parents.set(blake3(children.subarray(i * PAIR_BYTES, (i + 1) * PAIR_BYTES)), i * DIGEST_BYTES);
  return parents;
};

/**
 * One node from its two children, independent of any injected hasher (BLAKE3 on the wasm kernel:
 * see src/hash/short.ts); verifyPath climbs with it, verifyBatch with blake3Climb.
 */
export function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  const pair = new Uint8Array(PAIR_BYTES);
  pair.set(left);
  pair.set(right, DIGEST_BYTES);
  return blake3Short(pair);
}
