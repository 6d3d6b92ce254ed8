/**
 * Merkle openings: single authentication paths, and batched multi-openings that send each needed sibling once.
 *
 * @module
 */
import {
  assertDepth,
  assertLeafIndex,
  assertLeafIndices,
  equalDigests,
  isDepth,
  isDigest,
  isLeafIndex,
  readDigests,
} from './checks.js';
import { blake3Climb } from '../hash/short.js';
import { hashNode } from './hasher.js';
import type { MerkleTree } from './tree.js';

/**
 * A batched opening of a tree of `depth`: the siblings the verifier cannot compute from the opened
 * leaves or from lower levels, in canonical order (levels bottom-up, within a level by increasing
 * node index).
 */
export interface MultiProof {
  readonly depth: number;
  readonly siblings: readonly Uint8Array[];
}

/** The authentication path of leaf `index`: its `depth` siblings, bottom-up. */
export function openPath(tree: MerkleTree, index: number): Uint8Array[] {
  assertLeafIndex(tree.depth, index);
  const siblings: Uint8Array[] = [];
  for (let level = 0, node = index; level < tree.depth; level++, node = parentOf(node))
    siblings.push(tree.node(level, siblingOf(node)));
  return siblings;
}

/**
 * Whether `siblings` proves that `leaf` is leaf `index` of the tree of `depth` with `root`.
 * Malformed input of any kind yields false, never an exception; a well-formed path is always
 * hashed all the way up and compared at the root only.
 */
export function verifyPath(
  root: Uint8Array,
  depth: number,
  index: number,
  leaf: Uint8Array,
  siblings: readonly Uint8Array[],
): boolean {
  if (!isDigest(root) || !isDepth(depth) || !isLeafIndex(depth, index) || !isDigest(leaf)) return false;
  const path = readDigests(siblings, depth);
  if (path === undefined) return false;
  let node = leaf;
  let position = index;
  for (const sibling of path) {
    node = position % 2 === 0 ? hashNode(node, sibling) : hashNode(sibling, node);
    position = parentOf(position);
  }
  return equalDigests(node, root);
}

/**
 * Opens the leaves at `indices` at once. The opening is defined over the sorted set of distinct
 * indices: order and repetitions in `indices` do not change the proof.
 */
export function openBatch(tree: MerkleTree, indices: readonly number[]): MultiProof {
  return { depth: tree.depth, siblings: batchSiblingNodes(tree.depth, indices).map(([level, index]) => tree.node(level, index)) };
}

/**
 * The (level, index) of every sibling a batch opening of `indices` sends, in proof order: what a tree
 * kept elsewhere (on the GPU) must fetch to build the MultiProof.
 */
export function batchSiblingNodes(depth: number, indices: readonly number[]): Array<[level: number, index: number]> {
  assertDepth(depth);
  assertLeafIndices(depth, indices);
  const nodes: Array<[number, number]> = [];
  const opened = distinctSorted(indices);
  const takeSibling = (level: number, index: number): null => {
    nodes.push([level, index]);
    return null;
  };
  climb(depth, opened, opened.map(() => null), takeSibling, nothing);
  return nodes;
}

/** The number of siblings in a valid batched opening of `indices` (duplicates and order ignored). */
export function batchSiblingCount(depth: number, indices: readonly number[]): number {
  assertDepth(depth);
  assertLeafIndices(depth, indices);
  return countSiblings(depth, distinctSorted(indices));
}

/**
 * Whether `proof` opens the tree of `depth` with `root` at `indices` to `leaves` (one leaf per
 * given index, in the same order; a repeated index must repeat the same leaf). Rejects, never
 * throws on, anything malformed: another depth, an empty or out-of-range index list, a sibling
 * list of any length but the exact one, digests that are not 32-byte Uint8Arrays, or
 * conflicting leaves for one index.
 */
export function verifyBatch(
  root: Uint8Array,
  depth: number,
  indices: readonly number[],
  leaves: readonly Uint8Array[],
  proof: MultiProof,
): boolean {
  if (!isDigest(root) || !isDepth(depth) || typeof proof !== 'object' || proof === null) return false;
  // Each field is read once: an accessor cannot show the checks one value and the hashing another.
  const proofDepth: unknown = proof.depth;
  const proofSiblings: unknown = proof.siblings;
  if (proofDepth !== depth || !Array.isArray(indices) || indices.length === 0) return false;
  const given = readDigests(leaves, indices.length);
  if (given === undefined) return false;

  const leafAt = new Map<number, Uint8Array>();
  for (let k = 0; k < given.length; k++) {
    const index: unknown = indices[k];
    const leaf = given[k] as Uint8Array;
    if (!isLeafIndex(depth, index)) return false;
    const seen = leafAt.get(index);
    if (seen === undefined) leafAt.set(index, leaf);
    else if (!equalDigests(seen, leaf)) return false;
  }
  const opened = distinctSorted([...leafAt.keys()]);
  // A valid opening sends at most depth siblings per opened leaf; the climb below asks for exactly the
  // number it needs, and any other length is a rejection.
  if (!Array.isArray(proofSiblings)) return false;
  const claimed: unknown = proofSiblings.length; // read once: a Proxy could answer the bound one length and the read another
  if (typeof claimed !== 'number' || !Number.isInteger(claimed) || claimed > opened.length * depth) return false;
  const siblings = readDigests(proofSiblings, claimed);
  if (siblings === undefined) return false;

  // The climb runs on node numbers (the opened leaves, then the siblings, then each level's parents in
  // order) and the kernel hashes each level's pairs in one call (src/hash/short.ts blake3Climb).
  let made = opened.length + siblings.length, next = 0;
  const levels: Uint32Array[] = [];
  climb(
    depth,
    opened,
    opened.map((_, j) => j),
    // Past the end of a short list a leaf stands in; the count check below rejects it before any hashing.
    () => opened.length + Math.min(next++, siblings.length - 1),
    (lefts, rights) => {
      const level = new Uint32Array(2 * lefts.length);
      const parents = lefts.map((left, i) => {
        level[2 * i] = left;
        level[2 * i + 1] = rights[i]!;
        return made++;
      });
      levels.push(level);
      return parents;
    },
  );
  if (next !== siblings.length) return false;
  try {
    const computed = blake3Climb([...opened.map((index) => leafAt.get(index) as Uint8Array), ...siblings], levels);
    return equalDigests(computed, root);
  } catch {
    return false; // a digest that is not what it claimed (a subclass lying about its length) cannot be copied in: a rejection, not a throw
  }
}

function siblingOf(index: number): number {
  return index % 2 === 0 ? index + 1 : index - 1;
}

function parentOf(index: number): number {
  return Math.floor(index / 2);
}

function distinctSorted(indices: readonly number[]): number[] {
  return [...new Set(indices)].sort((a, b) => a - b);
}

const nothing = (lefts: readonly null[]): null[] => lefts.map(() => null);

function countSiblings(depth: number, opened: number[]): number {
  let count = 0;
  const countSibling = (): null => {
    count++;
    return null;
  };
  climb(depth, opened, opened.map(() => null), countSibling, nothing);
  return count;
}

/**
 * Walks a batched opening from the distinct sorted leaf indices `opened` (carrying `values`) up to
 * the root, returning the root's value. At each level every known node is paired with its sibling:
 * the next known node if that is the sibling, otherwise `sibling(level, index)` supplies it; `join`
 * then turns the level's pairs into their parents at once. This is the single place that fixes which
 * siblings a proof holds and their canonical order.
 */
function climb<T>(
  depth: number,
  opened: readonly number[],
  values: readonly T[],
  sibling: (level: number, index: number) => T,
  join: (lefts: readonly T[], rights: readonly T[]) => T[],
): T {
  let known = opened;
  let knownValues = values;
  for (let level = 0; level < depth; level++) {
    const parents: number[] = [];
    const lefts: T[] = [], rights: T[] = [];
    for (let k = 0; k < known.length; k++) {
      const index = known[k] as number;
      const value = knownValues[k] as T;
      if (index % 2 === 0) {
        lefts.push(value);
        rights.push(known[k + 1] === index + 1 ? (knownValues[++k] as T) : sibling(level, index + 1));
      } else {
        lefts.push(sibling(level, index - 1));
        rights.push(value);
      }
      parents.push(parentOf(index));
    }
    known = parents;
    knownValues = join(lefts, rights);
  }
  return knownValues[0] as T;
}
