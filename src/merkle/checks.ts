/**
 * Shape rules of the tree (32-byte BLAKE3 digests, power-of-two leaf counts) and the checks built on them.
 *
 * @module
 */

import { DIGEST_BYTES } from '../hash/digest.js';

/**
 * Deepest tree a proof may claim. 2^32 leaves is far past any tree that fits in memory, and
 * every leaf count and index stays an exact integer (ordinary arithmetic, no 32-bit bitwise ops).
 */
export const MAX_DEPTH = 32;

/** A real Uint8Array of 32 bytes; never throws (ArrayBuffer.isView refuses a Proxy, whose length getter would). */
export function isDigest(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && value instanceof Uint8Array && value.length === DIGEST_BYTES;
}

export function isDepth(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DEPTH;
}

/** Whether `value` names a leaf of a tree of `depth` (a valid depth). */
export function isLeafIndex(depth: number, value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** depth;
}

export function assertDepth(depth: unknown): asserts depth is number {
  if (!isDepth(depth)) throw new RangeError(`depth must be an integer in [0, ${MAX_DEPTH}], got ${String(depth)}`);
}

export function assertLeafIndex(depth: number, index: unknown, name = 'index'): asserts index is number {
  if (!isLeafIndex(depth, index))
    throw new RangeError(`${name} must be an integer in [0, ${2 ** depth}), got ${String(index)}`);
}

/** A non-empty list of leaf indices of a tree of `depth`; duplicates and any order allowed. */
export function assertLeafIndices(depth: number, indices: unknown): asserts indices is readonly number[] {
  if (!Array.isArray(indices) || indices.length === 0)
    throw new RangeError('indices must be a non-empty array of leaf indices');
  for (let k = 0; k < indices.length; k++) assertLeafIndex(depth, indices[k], `indices[${k}]`);
}

/**
 * Reads exactly `count` digests out of an untrusted list, each element once (a getter cannot
 * answer differently later); undefined if `list` is anything else.
 */
export function readDigests(list: unknown, count: number): Uint8Array[] | undefined {
  if (!Array.isArray(list) || list.length !== count) return undefined;
  const digests: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const digest: unknown = list[k];
    if (!isDigest(digest)) return undefined;
    digests.push(digest);
  }
  return digests;
}

/** Compares every byte whatever the inputs, so the result is the only thing that depends on the data. */
export function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  let difference = 0;
  for (let k = 0; k < DIGEST_BYTES; k++) difference |= (a[k] as number) ^ (b[k] as number);
  return difference === 0;
}
