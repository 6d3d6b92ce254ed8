// Tests for src/merkle: roots against an independent recursive reference, pinned vectors, and
// single/batched openings under tampering, malformed input and random fuzzing.
import { blake3 } from '@noble/hashes/blake3.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '@noble/hashes/utils.js';
import { mulberry32 } from './reference/model.js';
import {
  batchSiblingCount,
  buildMerkleTree,
  hashNode,
  type LayerHasher,
  MAX_DEPTH,
  type MultiProof,
  nobleLayerHasher,
  openBatch,
  openPath,
  treeFromSubtrees,
  verifyBatch,
  verifyPath,
} from '../src/merkle/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const rng = mulberry32;

const randomInt = (random: () => number, bound: number): number => Math.floor(random() * bound);

function randomBytes(random: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => randomInt(random, 256));
}

/** Non-mutating list edits (the ES2023 Array methods are outside this project's ES2022 lib). */
function replaced<T>(list: readonly T[], k: number, value: T): T[] {
  const copy = [...list];
  copy[k] = value;
  return copy;
}

function inserted<T>(list: readonly T[], k: number, value: T): T[] {
  return [...list.slice(0, k), value, ...list.slice(k)];
}

function removed<T>(list: readonly T[], k: number): T[] {
  return [...list.slice(0, k), ...list.slice(k + 1)];
}

function digestsOf(leaves: Uint8Array): Uint8Array[] {
  return Array.from({ length: leaves.length / 32 }, (_, i) => leaves.slice(32 * i, 32 * i + 32));
}

/** Independent reference: the root by plain recursion over noble's blake3, no layers, no shared code. */
function referenceRoot(digests: readonly Uint8Array[]): Uint8Array {
  if (digests.length === 1) return digests[0] as Uint8Array;
  const half = digests.length / 2;
  return blake3(concatBytes(referenceRoot(digests.slice(0, half)), referenceRoot(digests.slice(half))));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

function randomTree(seed: number, depth: number) {
  const random = rng(seed);
  const leaves = randomBytes(random, 32 * 2 ** depth);
  return { random, leaves, digests: digestsOf(leaves), tree: buildMerkleTree(leaves) };
}

describe('node rule', () => {
  it('hashes the 64-byte concatenation left ‖ right (official BLAKE3 vectors)', () => {
    // From BLAKE3's test_vectors.json: input byte i is i % 251.
    const input = Uint8Array.from({ length: 64 }, (_, i) => i % 251);
    expect(hex(hashNode(input.subarray(0, 32), input.subarray(32)))).toBe(
      '4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98',
    );
    expect(hex(nobleLayerHasher(input))).toBe('4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98');
  });

  it('nobleLayerHasher hashes every pair and validates its input', () => {
    const random = rng(1);
    const children = randomBytes(random, 64 * 5);
    const parents = nobleLayerHasher(children);
    expect(parents.length).toBe(32 * 5);
    for (let i = 0; i < 5; i++)
      expect(hex(parents.subarray(32 * i, 32 * i + 32))).toBe(hex(blake3(children.subarray(64 * i, 64 * i + 64))));
    expect(() => nobleLayerHasher(new Uint8Array(0))).toThrow(/non-empty multiple of 64 bytes, got 0/);
    expect(() => nobleLayerHasher(new Uint8Array(96))).toThrow(/got 96/);
    expect(() => nobleLayerHasher([] as never)).toThrow(TypeError);
  });
});

describe('buildMerkleTree', () => {
  it('matches the recursive reference for depths 0..10', () => {
    for (let depth = 0; depth <= 10; depth++) {
      const { leaves, digests, tree } = randomTree(100 + depth, depth);
      expect(tree.depth).toBe(depth);
      expect(tree.leafCount).toBe(2 ** depth);
      expect(hex(tree.root)).toBe(hex(referenceRoot(digests)));
      expect(hex(tree.leaf(2 ** depth - 1))).toBe(hex(leaves.subarray(leaves.length - 32)));
    }
  });

  it('depth 0: the root is the single leaf', () => {
    const leaf = randomBytes(rng(2), 32);
    const tree = buildMerkleTree(leaf);
    expect(tree.depth).toBe(0);
    expect(hex(tree.root)).toBe(hex(leaf));
  });

  it('pins the root over BLAKE3(u64le(0..7))', () => {
    const l = Array.from({ length: 8 }, (_, i) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(i), true);
      return blake3(bytes);
    });
    const H = (a: Uint8Array, b: Uint8Array) => blake3(concatBytes(a, b));
    const L = (i: number) => l[i] as Uint8Array;
    const chained = H(H(H(L(0), L(1)), H(L(2), L(3))), H(H(L(4), L(5)), H(L(6), L(7))));
    const root = buildMerkleTree(concatBytes(...l)).root;
    expect(hex(root)).toBe(hex(chained));
    expect(hex(root)).toBe('ad4139f75e97242708e5842e65cdf425771ad27e907b4b4c2f407080196dc364');
  });

  it('copies the leaves in and every digest out', () => {
    const { leaves, tree } = randomTree(3, 3);
    const root = tree.root;
    leaves.fill(0);
    tree.root.fill(0);
    tree.leaf(0).fill(0);
    expect(hex(tree.root)).toBe(hex(root));
    expect(tree.leaf(0).some((byte) => byte !== 0)).toBe(true);
  });

  it('keepLeaves: the same tree, holding the caller\'s leaves instead of a copy', () => {
    const { leaves, tree } = randomTree(5, 4);
    const kept = buildMerkleTree(leaves, undefined, { keepLeaves: true });
    expect(hex(kept.root)).toBe(hex(tree.root));
    expect(kept.layer(1)).toEqual(tree.layer(1));
    leaves.fill(0); // what the caller promised not to do shows through
    expect(kept.leaf(0).every((byte) => byte === 0)).toBe(true);
    expect(tree.leaf(0).some((byte) => byte !== 0)).toBe(true);
  });

  it('rejects malformed leaves and out-of-range accessors', () => {
    expect(() => buildMerkleTree(new Uint8Array(0))).toThrow(/non-empty multiple of 32 bytes, got 0/);
    expect(() => buildMerkleTree(new Uint8Array(33))).toThrow(/got 33/);
    expect(() => buildMerkleTree(new Uint8Array(96))).toThrow(/power of two, got 3/);
    expect(() => buildMerkleTree([1, 2] as never)).toThrow(/must be a Uint8Array/);
    const { tree } = randomTree(4, 2);
    expect(() => tree.leaf(4)).toThrow(/index must be an integer in \[0, 4\), got 4/);
    expect(() => tree.leaf(-1)).toThrow(RangeError);
    expect(() => tree.leaf(0.5)).toThrow(RangeError);
    expect(() => tree.node(3, 0)).toThrow(/level must be an integer in \[0, 2\], got 3/);
    expect(() => tree.node(1, 2)).toThrow(/\[0, 2\), got 2/);
    expect(hex(tree.node(2, 0))).toBe(hex(tree.root));
    for (const level of [-1, 3, 0.5]) expect(() => tree.layer(level)).toThrow(/level must be an integer in \[0, 2\]/);
  });

  it('layer(level) is every node of the level, concatenated, and a copy', () => {
    const { tree } = randomTree(5, 4);
    for (let level = 0; level <= 4; level++)
      expect(hex(tree.layer(level))).toBe(hex(concatBytes(...Array.from({ length: 2 ** (4 - level) }, (_, i) => tree.node(level, i)))));
    tree.layer(1).fill(0);
    expect(tree.node(1, 0).some((byte) => byte !== 0)).toBe(true);
  });
});

describe('injected layer hasher', () => {
  it('is called once per level and builds the same tree', () => {
    const { leaves, tree } = randomTree(5, 6);
    const sizes: number[] = [];
    const counting: LayerHasher = (children) => {
      sizes.push(children.length);
      return nobleLayerHasher(children);
    };
    expect(hex(buildMerkleTree(leaves, counting).root)).toBe(hex(tree.root));
    expect(sizes).toEqual([64 * 32, 32 * 32, 16 * 32, 8 * 32, 4 * 32, 2 * 32]);
    sizes.length = 0;
    buildMerkleTree(leaves.subarray(0, 32), counting);
    expect(sizes).toEqual([]);
  });

  it('a wrong hasher yields a root that no path verifies under noble', () => {
    const { leaves, tree } = randomTree(6, 4);
    // Children swapped: H(right ‖ left).
    const swapped: LayerHasher = (children) => {
      const flipped = new Uint8Array(children.length);
      for (let i = 0; i < children.length; i += 64) {
        flipped.set(children.subarray(i + 32, i + 64), i);
        flipped.set(children.subarray(i, i + 32), i + 32);
      }
      return nobleLayerHasher(flipped);
    };
    const wrong = buildMerkleTree(leaves, swapped);
    expect(hex(wrong.root)).not.toBe(hex(tree.root));
    for (let index = 0; index < 16; index++)
      expect(verifyPath(wrong.root, 4, index, wrong.leaf(index), openPath(wrong, index))).toBe(false);
  });

  it('a hasher returning the wrong size is reported', () => {
    const { leaves } = randomTree(7, 2);
    expect(() => buildMerkleTree(leaves, (children) => nobleLayerHasher(children).subarray(32))).toThrow(
      /returned 32 bytes for level 1, expected 64 bytes/,
    );
    expect(() => buildMerkleTree(leaves, () => [] as never)).toThrow(/non-Uint8Array for level 1/);
  });
});

describe('single openings', () => {
  it('every index of small trees verifies', () => {
    for (let depth = 0; depth <= 5; depth++) {
      const { digests, tree } = randomTree(200 + depth, depth);
      for (let index = 0; index < 2 ** depth; index++) {
        const path = openPath(tree, index);
        expect(path.length).toBe(depth);
        expect(verifyPath(tree.root, depth, index, digests[index] as Uint8Array, path)).toBe(true);
      }
    }
  });

  it('rejects every tampering', () => {
    const depth = 4;
    const { random, digests, tree } = randomTree(8, depth);
    for (let index = 0; index < 2 ** depth; index++) {
      const honest = { root: tree.root, depth, index, leaf: digests[index] as Uint8Array, path: openPath(tree, index) };
      const verify = (claim: Partial<typeof honest>) => {
        const { root, depth: d, index: i, leaf, path } = { ...honest, ...claim };
        return verifyPath(root, d, i, leaf, path);
      };
      const path = honest.path;
      const sibling = (k: number) => path[k] as Uint8Array;
      expect(verify({})).toBe(true);
      for (let k = 0; k < depth; k++)
        expect(verify({ path: replaced(path, k, flipBit(sibling(k), randomInt(random, 256))) })).toBe(false);
      expect(verify({ leaf: flipBit(honest.leaf, randomInt(random, 256)) })).toBe(false);
      for (const wrongIndex of [index ^ 1, (index + 5) % 16, 16, -1, index + 0.5])
        expect(verify({ index: wrongIndex })).toBe(false);
      expect(verify({ path: path.slice(1) })).toBe(false);
      expect(verify({ path: [...path, sibling(0)] })).toBe(false);
      expect(verify({ path: replaced(path, 1, sibling(1).subarray(1)) })).toBe(false);
      expect(verify({ path: replaced(path, 1, concatBytes(sibling(1), new Uint8Array(1))) })).toBe(false);
      expect(verify({ depth: 3 })).toBe(false);
      expect(verify({ depth: 5, path: [...path, tree.root] })).toBe(false);
      expect(verify({ root: flipBit(tree.root, randomInt(random, 256)) })).toBe(false);
      expect(verify({ root: tree.root.subarray(0, 31) })).toBe(false);
    }
  });

  it('openPath rejects out-of-range indices', () => {
    const { tree } = randomTree(9, 3);
    expect(() => openPath(tree, 8)).toThrow(/index must be an integer in \[0, 8\), got 8/);
    expect(() => openPath(tree, -1)).toThrow(RangeError);
  });
});

/** Random multiset of indices, unsorted, with repeats. */
function randomIndices(random: () => number, depth: number, count: number): number[] {
  return Array.from({ length: count }, () => randomInt(random, 2 ** depth));
}

describe('batched openings', () => {
  it('pins the canonical sibling order', () => {
    const { digests, tree } = randomTree(10, 3);
    const proof = openBatch(tree, [6, 1]);
    // Level 0: siblings of leaves 1 and 6 are 0 and 7; level 1: nodes 0 and 3 need 1 and 2; level 2: 0, 1 known.
    expect(proof.depth).toBe(3);
    expect(proof.siblings.map(hex)).toEqual([tree.node(0, 0), tree.node(0, 7), tree.node(1, 1), tree.node(1, 2)].map(hex));
    expect(batchSiblingCount(3, [1, 6])).toBe(4);
    const leaves = [digests[6], digests[1]] as Uint8Array[];
    expect(verifyBatch(tree.root, 3, [6, 1], leaves, proof)).toBe(true);
    expect(verifyBatch(tree.root, 3, [6, 1], leaves, { depth: 3, siblings: proof.siblings.slice().reverse() })).toBe(false);
  });

  it('opening every leaf needs no siblings; adjacent leaves share theirs', () => {
    const { digests, tree } = randomTree(11, 4);
    const all = Array.from({ length: 16 }, (_, i) => i);
    expect(openBatch(tree, all).siblings).toEqual([]);
    expect(verifyBatch(tree.root, 4, all, digests, { depth: 4, siblings: [] })).toBe(true);
    expect(batchSiblingCount(4, [0, 1])).toBe(3);
    expect(batchSiblingCount(4, [0, 1, 2, 3])).toBe(2);
    expect(batchSiblingCount(4, [5])).toBe(4);
  });

  it('depth 0: the only leaf, no siblings', () => {
    const leaf = randomBytes(rng(12), 32);
    const tree = buildMerkleTree(leaf);
    const proof = openBatch(tree, [0, 0]);
    expect(proof).toEqual({ depth: 0, siblings: [] });
    expect(verifyBatch(tree.root, 0, [0, 0], [leaf, leaf], proof)).toBe(true);
    expect(verifyBatch(tree.root, 0, [1], [leaf], proof)).toBe(false);
  });

  it('random index sets (unsorted, repeated) verify with fewer siblings than separate paths', () => {
    const random = rng(13);
    for (let trial = 0; trial < 60; trial++) {
      const depth = 1 + randomInt(random, 9);
      const { digests, tree } = randomTree(1000 + trial, depth);
      const indices = randomIndices(random, depth, 1 + randomInt(random, 3 * depth));
      const proof = openBatch(tree, indices);
      const distinct = new Set(indices).size;
      expect(proof.depth).toBe(depth);
      expect(proof.siblings.length).toBe(batchSiblingCount(depth, indices));
      expect(proof.siblings.length).toBeLessThanOrEqual(distinct * depth);
      if (distinct > 1) expect(proof.siblings.length).toBeLessThan(distinct * depth);
      // Order and repetition do not change the proof.
      const canonical = [...new Set(indices)].sort((a, b) => a - b);
      expect(openBatch(tree, canonical).siblings.map(hex)).toEqual(proof.siblings.map(hex));
      const leaves = indices.map((index) => digests[index] as Uint8Array);
      expect(verifyBatch(tree.root, depth, indices, leaves, proof)).toBe(true);
      // Any order of the (index, leaf) pairs verifies too.
      expect(verifyBatch(tree.root, depth, [...indices].reverse(), [...leaves].reverse(), proof)).toBe(true);
    }
  });

  it('rejects every tampering', () => {
    const depth = 6;
    const { random, digests, tree } = randomTree(14, depth);
    const indices = [40, 3, 17, 3, 41, 62, 9];
    const leaves = indices.map((index) => digests[index] as Uint8Array);
    const proof = openBatch(tree, indices);
    const honest = { root: tree.root, depth, indices, leaves, proofDepth: depth, siblings: proof.siblings };
    const verify = (claim: Partial<typeof honest>) => {
      const c = { ...honest, ...claim };
      return verifyBatch(c.root, c.depth, c.indices, c.leaves, { depth: c.proofDepth, siblings: c.siblings });
    };
    const siblings = proof.siblings;
    const sibling = (k: number) => siblings[k] as Uint8Array;
    expect(siblings.length).toBeGreaterThan(3);
    expect(verify({})).toBe(true);
    for (let k = 0; k < siblings.length; k++) {
      const other = (k + 1) % siblings.length;
      expect(verify({ siblings: replaced(siblings, k, flipBit(sibling(k), randomInt(random, 256))) })).toBe(false);
      expect(verify({ siblings: removed(siblings, k) })).toBe(false);
      expect(verify({ siblings: inserted(siblings, k, sibling(k)) })).toBe(false);
      expect(verify({ siblings: replaced(siblings, k, sibling(k).subarray(1)) })).toBe(false);
      expect(verify({ siblings: replaced(replaced(siblings, k, sibling(other)), other, sibling(k)) })).toBe(false);
    }
    expect(verify({ siblings: [...siblings, tree.node(0, 0)] })).toBe(false);
    for (let k = 0; k < leaves.length; k++) {
      expect(verify({ leaves: replaced(leaves, k, flipBit(leaves[k] as Uint8Array, randomInt(random, 256))) })).toBe(false);
      expect(verify({ leaves: replaced(leaves, k, digests[(indices[k] as number) ^ 1] as Uint8Array) })).toBe(false);
    }
    // Index 3 appears twice (positions 1 and 3): the two copies must agree.
    expect(verify({ leaves: replaced(leaves, 3, digests[4] as Uint8Array) })).toBe(false);
    // Dropping an opened leaf leaves a sibling the proof does not carry.
    expect(verify({ indices: indices.slice(1), leaves: leaves.slice(1) })).toBe(false);
    expect(verify({ leaves: leaves.slice(1) })).toBe(false);
    expect(verify({ leaves: [...leaves, leaves[0] as Uint8Array] })).toBe(false);
    for (const wrongIndex of [64, -40, 40.5]) expect(verify({ indices: replaced(indices, 0, wrongIndex) })).toBe(false);
    expect(verify({ indices: [], leaves: [] })).toBe(false);
    expect(verify({ proofDepth: 5 })).toBe(false);
    expect(verify({ proofDepth: 7 })).toBe(false);
    expect(verify({ depth: 5 })).toBe(false);
    expect(verify({ depth: 7, proofDepth: 7 })).toBe(false);
    expect(verify({ root: flipBit(tree.root, 0) })).toBe(false);
  });

  it('openBatch and batchSiblingCount reject invalid indices and depths', () => {
    const { tree } = randomTree(15, 3);
    expect(() => openBatch(tree, [])).toThrow(/non-empty array/);
    expect(() => openBatch(tree, [1, 8])).toThrow(/indices\[1\] must be an integer in \[0, 8\), got 8/);
    expect(() => batchSiblingCount(3, [0.5])).toThrow(/indices\[0\]/);
    expect(() => batchSiblingCount(MAX_DEPTH + 1, [0])).toThrow(/depth must be an integer in \[0, 32\], got 33/);
    expect(() => batchSiblingCount(-1, [0])).toThrow(/depth/);
  });
});

describe('hostile input', () => {
  const junk: unknown[] = [
    undefined, null, 0, 1, -1, 0.5, NaN, Infinity, 2 ** 53, '0', 'abc', true, 1n, Symbol('x'), () => 0,
    {}, [], [null], new Array(3), [undefined, undefined], new Uint8Array(31), new Uint8Array(33), new Uint16Array(16),
    new ArrayBuffer(32), new DataView(new ArrayBuffer(32)), { depth: 3, siblings: 'abc' }, { length: 3 },
    { depth: 3, siblings: new Array(10) }, Object.create(null),
  ];

  it('verifyPath never throws and never accepts junk in any argument', () => {
    const depth = 3;
    const { digests, tree } = randomTree(16, depth);
    const args: unknown[] = [tree.root, depth, 5, digests[5], openPath(tree, 5)];
    expect(verifyPath(...(args as Parameters<typeof verifyPath>))).toBe(true);
    for (let position = 0; position < args.length; position++)
      for (const value of junk) {
        const mutated = replaced(args, position, value) as Parameters<typeof verifyPath>;
        expect(verifyPath(...mutated)).toBe(false);
      }
    expect(verifyPath(tree.root, depth, 5, digests[5] as Uint8Array, [null, null, null] as never)).toBe(false);
    expect(verifyPath(tree.root, depth, 5, digests[5] as Uint8Array, new Array(3))).toBe(false);
  });

  it('verifyBatch never throws and never accepts junk in any argument', () => {
    const depth = 4;
    const { digests, tree } = randomTree(17, depth);
    const indices = [2, 9, 9];
    const args: unknown[] = [tree.root, depth, indices, indices.map((i) => digests[i]), openBatch(tree, indices)];
    expect(verifyBatch(...(args as Parameters<typeof verifyBatch>))).toBe(true);
    for (let position = 0; position < args.length; position++)
      for (const value of junk) {
        const mutated = replaced(args, position, value) as Parameters<typeof verifyBatch>;
        expect(verifyBatch(...mutated)).toBe(false);
      }
    const proof = args[4] as MultiProof;
    const leaves = args[3] as Uint8Array[];
    for (const value of junk) {
      expect(verifyBatch(tree.root, depth, indices, leaves, { depth: value, siblings: proof.siblings } as never)).toBe(false);
      expect(verifyBatch(tree.root, depth, indices, leaves, { depth, siblings: value } as never)).toBe(false);
      const junkSiblings = replaced(proof.siblings, 0, value as never);
      expect(verifyBatch(tree.root, depth, indices, leaves, { depth, siblings: junkSiblings })).toBe(false);
      expect(verifyBatch(tree.root, depth, replaced(indices, 1, value as never), leaves, proof)).toBe(false);
      expect(verifyBatch(tree.root, depth, indices, replaced(leaves, 1, value as never), proof)).toBe(false);
    }
  });

  it('verifyBatch reads the sibling count once: a Proxy that grows after the bound, or a length that is an object, is rejected after a bounded number of reads', () => {
    const depth = 4;
    const { digests, tree } = randomTree(19, depth);
    const indices = [2, 9];
    const leaves = indices.map((i) => digests[i] as Uint8Array);
    const honest = openBatch(tree, indices);
    let reads = 0, lengths = 0;
    const growing = new Proxy([...honest.siblings], {
      get(target, key, receiver) {
        if (key === 'length') return lengths++ === 0 ? target.length : 5_000_000;
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(verifyBatch(tree.root, depth, indices, leaves, { depth, siblings: growing })).toBe(false);
    expect(reads).toBeLessThanOrEqual(indices.length * depth);
    let valueOfs = 0;
    const objectLength = new Proxy([...honest.siblings], {
      get: (target, key, receiver) => (key === 'length' ? { valueOf: () => (valueOfs++, 3) } : Reflect.get(target, key, receiver)),
    });
    expect(verifyBatch(tree.root, depth, indices, leaves, { depth, siblings: objectLength })).toBe(false);
    expect(valueOfs).toBe(0);
    // A Proxy of a real digest passes the shape check but cannot be copied into the kernel: a rejection, not a throw.
    const proxied = honest.siblings.map((d) => new Proxy(d as Uint8Array, {}));
    expect(verifyBatch(tree.root, depth, indices, leaves, { depth, siblings: proxied })).toBe(false);
    expect(verifyBatch(tree.root, depth, indices, leaves, honest)).toBe(true);
  });

  it('fuzz: random mutations of valid proofs never throw and verify only when unchanged', () => {
    const random = rng(18);
    const garbage = (): unknown => (random() < 0.5 ? randomBytes(random, 32) : junk[randomInt(random, junk.length)]);
    const pick = (list: readonly unknown[]): number => randomInt(random, list.length);
    // An earlier mutation may have left junk in the slot; then fresh random bytes stand in for the flip.
    const flipped = (value: unknown): Uint8Array =>
      value instanceof Uint8Array && value.length > 0
        ? flipBit(value, randomInt(random, 8 * value.length))
        : randomBytes(random, 32);
    let unchangedTrials = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const depth = randomInt(random, 7);
      const { digests, tree } = randomTree(5000 + (trial % 50), depth);
      const indices = randomIndices(random, depth, 1 + randomInt(random, 6));
      const proof = openBatch(tree, indices);
      let root: unknown = tree.root;
      let claimedDepth: unknown = depth;
      let claimedIndices: unknown[] = [...indices];
      let leaves: unknown[] = indices.map((index) => digests[index]);
      let siblings: unknown[] = [...proof.siblings];
      for (let mutations = 1 + randomInt(random, 3); mutations > 0; mutations--) {
        const kind = randomInt(random, 10);
        if (kind === 0 && siblings.length > 0) {
          const k = pick(siblings);
          siblings = replaced(siblings, k, flipped(siblings[k]));
        } else if (kind === 1) {
          const k = pick(leaves);
          leaves = replaced(leaves, k, flipped(leaves[k]));
        } else if (kind === 2 && siblings.length > 0) siblings = removed(siblings, pick(siblings));
        else if (kind === 3) siblings = inserted(siblings, randomInt(random, siblings.length + 1), garbage());
        else if (kind === 4 && siblings.length > 1) {
          const a = pick(siblings);
          const b = (a + 1 + randomInt(random, siblings.length - 1)) % siblings.length;
          siblings = replaced(replaced(siblings, a, siblings[b]), b, siblings[a]);
        } else if (kind === 5) {
          const replacement = random() < 0.7 ? randomInt(random, 2 ** (depth + 2)) - 2 ** depth : garbage();
          claimedIndices = replaced(claimedIndices, pick(claimedIndices), replacement);
        } else if (kind === 6) claimedDepth = random() < 0.7 ? randomInt(random, MAX_DEPTH + 3) - 1 : garbage();
        else if (kind === 7) root = random() < 0.5 ? flipBit(tree.root, randomInt(random, 256)) : garbage();
        else if (kind === 8 && siblings.length > 0) siblings = replaced(siblings, pick(siblings), garbage());
        else if (kind === 9) leaves = replaced(leaves, pick(leaves), garbage());
      }
      const sameDigest = (value: unknown, expected: Uint8Array) => value instanceof Uint8Array && hex(value) === hex(expected);
      const unchanged =
        sameDigest(root, tree.root) &&
        claimedDepth === depth &&
        claimedIndices.every((value, k) => value === indices[k]) &&
        leaves.every((leaf, k) => sameDigest(leaf, digests[indices[k] as number] as Uint8Array)) &&
        siblings.length === proof.siblings.length &&
        siblings.every((value, k) => sameDigest(value, proof.siblings[k] as Uint8Array));
      if (unchanged) unchangedTrials++;
      const claimedProof = { depth: claimedDepth, siblings } as never;
      const result = verifyBatch(root as never, claimedDepth as never, claimedIndices as never, leaves as never, claimedProof);
      expect(result).toBe(unchanged);
    }
    // Some draws change nothing (a sibling mutation with no siblings, a value redrawn to itself); most must.
    expect(unchangedTrials).toBeLessThan(300);
  });

  it('fuzz: random garbage never throws and never verifies', () => {
    const random = rng(19);
    const anything = (): unknown => {
      const choice = randomInt(random, 4);
      if (choice === 0) return junk[randomInt(random, junk.length)];
      if (choice === 1) return randomBytes(random, 32);
      if (choice === 2) return randomInt(random, 40) - 4;
      return Array.from({ length: randomInt(random, 8) }, () =>
        random() < 0.7 ? randomBytes(random, 32) : junk[randomInt(random, junk.length)],
      );
    };
    for (let trial = 0; trial < 2000; trial++) {
      const [a, b, c, d, e] = Array.from({ length: 5 }, anything) as [never, never, never, never, never];
      expect(verifyPath(a, b, c, d, e)).toBe(false);
      const depth = random() < 0.5 ? b : randomInt(random, 6);
      expect(verifyBatch(a, depth, c, d, random() < 0.5 ? e : ({ depth, siblings: anything() } as never))).toBe(false);
    }
  });
});

describe('treeFromSubtrees (trees built by threads over row ranges)', () => {
  const leavesOf = (count: number, seed: number) => {
    const rand = mulberry32(seed);
    return Uint8Array.from({ length: 32 * count }, () => Math.floor(rand() * 256));
  };
  const layersOf = (t: ReturnType<typeof buildMerkleTree>) => Array.from({ length: t.depth + 1 }, (_, l) => t.layer(l));

  it('equals the tree over all leaves for 1, 2, 4 and 8 subtrees: nodes, layers, openings', () => {
    const leaves = leavesOf(64, 5), whole = buildMerkleTree(leaves);
    for (const parts of [1, 2, 4, 8]) {
      const share = leaves.length / parts;
      const subtrees = Array.from({ length: parts }, (_, i) => layersOf(buildMerkleTree(leaves.subarray(i * share, (i + 1) * share))));
      const t = treeFromSubtrees(subtrees);
      expect(t.root).toEqual(whole.root);
      expect(t.depth).toBe(whole.depth);
      for (let level = 0; level <= whole.depth; level++) {
        expect(t.layer(level), `${parts} subtrees, level ${level}`).toEqual(whole.layer(level));
        for (let i = 0; i < 2 ** (whole.depth - level); i++) expect(t.node(level, i)).toEqual(whole.node(level, i));
      }
      expect(openBatch(t, [0, 17, 40, 63])).toEqual(openBatch(whole, [0, 17, 40, 63]));
    }
  });

  it('pruned below a level: every node and layer as the full tree, hashed again from the leaves on demand', () => {
    const leaves = leavesOf(64, 9), whole = buildMerkleTree(leaves);
    for (const [parts, keptFrom] of [[1, 2], [2, 3], [4, 4], [8, 1]] as const) {
      const share = leaves.length / parts;
      let asked = 0;
      const source = (first: number, count: number) => {
        asked++;
        return leaves.slice(first * 32, (first + count) * 32);
      };
      // Each subtree from level keptFrom up, as rowsSubtree keeps it.
      const subtrees = Array.from({ length: parts }, (_, i) => layersOf(buildMerkleTree(leaves.subarray(i * share, (i + 1) * share))).slice(keptFrom));
      const t = treeFromSubtrees(subtrees, undefined, { keptFrom, leaves: source });
      expect(t.root).toEqual(whole.root);
      expect(openBatch(t, [3, 17, 40, 63])).toEqual(openBatch(whole, [3, 17, 40, 63]));
      expect(asked).toBeGreaterThan(0);
      for (let level = 0; level <= whole.depth; level++) expect(t.layer(level), `${parts} subtrees from level ${keptFrom}, level ${level}`).toEqual(whole.layer(level));
    }
  });

  it('a pruned tree refuses to open leaves that changed since the commitment', () => {
    const leaves = leavesOf(16, 3), changed = leaves.slice();
    changed[5 * 32] = changed[5 * 32]! ^ 1;
    const t = treeFromSubtrees([layersOf(buildMerkleTree(leaves)).slice(2)], undefined, { keptFrom: 2, leaves: (first, count) => changed.slice(first * 32, (first + count) * 32) });
    expect(t.leaf(0)).toEqual(leaves.slice(0, 32)); // an untouched group still opens
    expect(() => t.leaf(5)).toThrow(/no longer hash to the committed node/);
  });

  it('refuses subtrees of different shapes or a count that is not a power of two', () => {
    const a = layersOf(buildMerkleTree(leavesOf(4, 1))), b = layersOf(buildMerkleTree(leavesOf(8, 2)));
    expect(() => treeFromSubtrees([])).toThrow(/at least one subtree/);
    expect(() => treeFromSubtrees([a, b])).toThrow(/subtree 1: layer 0 must be 128 bytes/);
    expect(() => treeFromSubtrees([a, a, a])).toThrow(/power of two/);
  });
});
