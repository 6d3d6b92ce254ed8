/**
 * Binary Merkle tree over 32-byte leaf digests with every layer kept (layer 0 = leaves, layer depth = root).
 *
 * @module
 */
import { DIGEST_BYTES } from '../hash/digest.js';
import { assertLeafIndex } from './checks.js';
import { type LayerHasher, nobleLayerHasher } from './hasher.js';

export interface MerkleTree {
  /** Levels above the leaves: 2^depth leaves; 0 for a single leaf, which is then the root. */
  readonly depth: number;
  readonly leafCount: number;
  /** A copy of the root digest. */
  readonly root: Uint8Array;
  /** A copy of leaf `index`. */
  leaf(index: number): Uint8Array;
  /** A copy of node `index` of `level` (level 0 = leaves, holding 2^(depth - level) nodes). */
  node(level: number, index: number): Uint8Array;
  /** A copy of every node of `level`, concatenated. */
  layer(level: number): Uint8Array;
}

/**
 * Builds the tree over `leaves`, the concatenated leaf digests (a power-of-two count of 32-byte
 * digests). `hashLayer` is called once per level, bottom-up. The leaves are copied, unless
 * `keepLeaves`: then the tree holds `leaves` itself, which the caller must not modify afterwards.
 */
export function buildMerkleTree(leaves: Uint8Array, hashLayer: LayerHasher = nobleLayerHasher, opts: { keepLeaves?: boolean } = {}): MerkleTree {
  if (!(leaves instanceof Uint8Array)) throw new TypeError('leaves must be a Uint8Array');
  if (leaves.length === 0 || leaves.length % DIGEST_BYTES !== 0)
    throw new RangeError(`leaves must be a non-empty multiple of ${DIGEST_BYTES} bytes, got ${leaves.length}`);
  const leafCount = leaves.length / DIGEST_BYTES;
  const depth = Math.round(Math.log2(leafCount));
  if (2 ** depth !== leafCount) throw new RangeError(`leaf count must be a power of two, got ${leafCount}`);

  const layers: Uint8Array[] = [opts.keepLeaves ? leaves : leaves.slice()];
  for (let level = 1; level <= depth; level++) {
    const expectedBytes = (leafCount / 2 ** level) * DIGEST_BYTES;
    const parents = hashLayer(layers[level - 1] as Uint8Array);
    // An injected hasher is checked: a short or long layer would corrupt every level above it.
    if (!(parents instanceof Uint8Array) || parents.length !== expectedBytes) {
      const got = parents instanceof Uint8Array ? `${parents.length} bytes` : 'a non-Uint8Array';
      throw new RangeError(`layer hasher returned ${got} for level ${level}, expected ${expectedBytes} bytes`);
    }
    layers.push(parents);
  }
  return new LayeredTree(layers);
}

/**
 * A tree from layers computed elsewhere (the GPU): layer 0 = leaves, each next layer half as long,
 * the last a single root. Only shapes are checked; the caller vouches for the hashing.
 */
export function treeFromLayers(layers: readonly Uint8Array[]): MerkleTree {
  if (layers.length === 0) throw new RangeError('a tree needs at least the leaf layer');
  layers.forEach((l, level) => {
    const expected = DIGEST_BYTES * 2 ** (layers.length - 1 - level);
    if (!(l instanceof Uint8Array) || l.length !== expected)
      throw new RangeError(`layer ${level} must be ${expected} bytes, got ${l instanceof Uint8Array ? l.length : typeof l}`);
  });
  return new LayeredTree(layers);
}

class LayeredTree implements MerkleTree {
  readonly #layers: readonly Uint8Array[];

  constructor(layers: readonly Uint8Array[]) {
    this.#layers = layers;
  }

  get depth(): number {
    return this.#layers.length - 1;
  }

  get leafCount(): number {
    return 2 ** this.depth;
  }

  get root(): Uint8Array {
    return this.node(this.depth, 0);
  }

  leaf(index: number): Uint8Array {
    return this.node(0, index);
  }

  node(level: number, index: number): Uint8Array {
    const layer = this.#layer(level);
    // Level `level` holds as many nodes as a tree of depth (depth - level) has leaves.
    assertLeafIndex(this.depth - level, index);
    return layer.slice(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES);
  }

  layer(level: number): Uint8Array {
    return this.#layer(level).slice();
  }

  #layer(level: number): Uint8Array {
    const layer = Number.isInteger(level) ? this.#layers[level] : undefined;
    if (layer === undefined) throw new RangeError(`level must be an integer in [0, ${this.depth}], got ${String(level)}`);
    return layer;
  }
}
