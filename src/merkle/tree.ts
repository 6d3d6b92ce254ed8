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

/**
 * The tree whose lower levels are `subtrees` (each the layers of one subtree, leaves first, all of
 * the same depth; together the leaves in order, as when the rows were hashed in ranges on several
 * threads) and whose upper levels are hashed here over their roots. No layer is copied.
 */
export function treeFromSubtrees(subtrees: readonly (readonly Uint8Array[])[], hashLayer: LayerHasher = nobleLayerHasher): MerkleTree {
  const depth = subtrees[0]?.length;
  if (depth === undefined || depth === 0) throw new RangeError('treeFromSubtrees needs at least one subtree with a leaf layer');
  if (2 ** Math.round(Math.log2(subtrees.length)) !== subtrees.length) throw new RangeError(`subtree count must be a power of two, got ${subtrees.length}`);
  for (const [i, s] of subtrees.entries())
    s.forEach((l, level) => {
      const expected = DIGEST_BYTES * 2 ** (depth - 1 - level);
      if (s.length !== depth || !(l instanceof Uint8Array) || l.length !== expected)
        throw new RangeError(`subtree ${i}: layer ${level} must be ${expected} bytes of a depth-${depth - 1} subtree`);
    });
  const upper = buildMerkleTree(concatRoots(subtrees.map((s) => s[depth - 1]!)), hashLayer);
  const lower = Array.from({ length: depth - 1 }, (_, level) => subtrees.map((s) => s[level]!));
  return new LayeredTree([...lower, ...Array.from({ length: upper.depth + 1 }, (_, level) => [upper.layer(level)])]);
}

function concatRoots(roots: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(roots.length * DIGEST_BYTES);
  roots.forEach((r, i) => out.set(r, i * DIGEST_BYTES));
  return out;
}

/** Layers held as equal-sized parts (one part, or one per subtree). */
class LayeredTree implements MerkleTree {
  readonly #layers: readonly (readonly Uint8Array[])[];

  constructor(layers: readonly (Uint8Array | readonly Uint8Array[])[]) {
    this.#layers = layers.map((l) => (l instanceof Uint8Array ? [l] : l));
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
    const parts = this.#layer(level);
    // Level `level` holds as many nodes as a tree of depth (depth - level) has leaves.
    assertLeafIndex(this.depth - level, index);
    const per = parts[0]!.length / DIGEST_BYTES, i = index % per;
    return parts[Math.floor(index / per)]!.slice(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
  }

  layer(level: number): Uint8Array {
    const parts = this.#layer(level);
    if (parts.length === 1) return parts[0]!.slice();
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #layer(level: number): readonly Uint8Array[] {
    const layer = Number.isInteger(level) ? this.#layers[level] : undefined;
    if (layer === undefined) throw new RangeError(`level must be an integer in [0, ${this.depth}], got ${String(level)}`);
    return layer;
  }
}
