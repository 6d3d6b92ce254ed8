/**
 * Binary Merkle tree over 32-byte leaf digests (layer 0 = leaves, layer depth = root), every layer kept,
 * or (treeFromSubtrees with PrunedLevels) the layers from a level up, a node below rehashed from its
 * leaves when asked for and a whole pruned layer rehashed from all of them.
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

/** Where a tree keeps only its levels from `keptFrom` up: `leaves(first, count)` hashes leaves again on demand. */
export interface PrunedLevels {
  keptFrom: number;
  leaves(first: number, count: number): Uint8Array;
}

/**
 * The tree whose lower levels are `subtrees` (each the layers of one subtree, all of the same depth;
 * together the leaves in order, as when the rows were hashed in ranges on several threads) and whose
 * upper levels are hashed here over their roots. No layer is copied. With `pruned`, the subtrees'
 * layers start at level `pruned.keptFrom`, and a node below it is recomputed when asked for
 * (openings ask for a few): the tree then holds 2^−keptFrom of its leaf layer.
 */
export function treeFromSubtrees(subtrees: readonly (readonly Uint8Array[])[], hashLayer: LayerHasher = nobleLayerHasher, pruned?: PrunedLevels): MerkleTree {
  const depth = subtrees[0]?.length;
  if (depth === undefined || depth === 0) throw new RangeError('treeFromSubtrees needs at least one subtree with a leaf layer');
  if (2 ** Math.round(Math.log2(subtrees.length)) !== subtrees.length) throw new RangeError(`subtree count must be a power of two, got ${subtrees.length}`);
  for (const [i, s] of subtrees.entries())
    s.forEach((l, level) => {
      const expected = DIGEST_BYTES * 2 ** (depth - 1 - level);
      if (s.length !== depth || !(l instanceof Uint8Array) || l.length !== expected)
        throw new RangeError(`subtree ${i}: layer ${level} must be ${expected} bytes of a depth-${depth - 1} subtree`);
    });
  const keptFrom = pruned?.keptFrom ?? 0;
  if (!Number.isInteger(keptFrom) || keptFrom < 0) throw new RangeError(`keptFrom must be a non-negative integer, got ${keptFrom}`);
  const upper = buildMerkleTree(concatRoots(subtrees.map((s) => s[depth - 1]!)), hashLayer);
  const lower = Array.from({ length: depth - 1 }, (_, level) => subtrees.map((s) => s[level]!));
  const layers = [...Array.from({ length: keptFrom }, () => undefined), ...lower, ...Array.from({ length: upper.depth + 1 }, (_, level) => [upper.layer(level)])];
  return new LayeredTree(layers, pruned && { ...pruned, hashLayer });
}

function concatRoots(roots: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(roots.length * DIGEST_BYTES);
  roots.forEach((r, i) => out.set(r, i * DIGEST_BYTES));
  return out;
}

/** Layers held as equal-sized parts (one part, or one per subtree). */
class LayeredTree implements MerkleTree {
  /** Levels below a pruned tree's keptFrom are undefined. */
  readonly #layers: readonly (readonly Uint8Array[] | undefined)[];
  readonly #pruned: (PrunedLevels & { hashLayer: LayerHasher }) | undefined;
  #recent: { index: number; tree: MerkleTree } | undefined;

  constructor(layers: readonly (Uint8Array | readonly Uint8Array[] | undefined)[], pruned?: PrunedLevels & { hashLayer: LayerHasher }) {
    this.#layers = layers.map((l) => (l instanceof Uint8Array ? [l] : l));
    this.#pruned = pruned;
  }

  /**
   * The subtree under node `index` of level keptFrom, hashed again from its leaves; checked against
   * the kept node, so a change to the rows since the commitment is an error, not a wrong opening.
   */
  #below(index: number): MerkleTree {
    if (this.#recent?.index === index) return this.#recent.tree;
    const { keptFrom, leaves, hashLayer } = this.#pruned!;
    const span = 2 ** keptFrom, tree = buildMerkleTree(leaves(index * span, span), hashLayer);
    const kept = this.node(keptFrom, index);
    if (tree.root.some((b, i) => b !== kept[i])) throw new Error(`Merkle tree: the leaves under node ${index} of level ${keptFrom} no longer hash to the committed node`);
    this.#recent = { index, tree };
    return tree;
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
    if (parts === undefined) {
      const span = 2 ** (this.#pruned!.keptFrom - level), under = Math.floor(index / span);
      return this.#below(under).node(level, index - under * span);
    }
    const per = parts[0]!.length / DIGEST_BYTES, i = index % per;
    return parts[Math.floor(index / per)]!.slice(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
  }

  layer(level: number): Uint8Array {
    const parts = this.#layer(level);
    if (parts === undefined) {
      // A pruned level, whole: every subtree below the kept level hashed again (a capsule's row archive may ask).
      const count = 2 ** (this.depth - this.#pruned!.keptFrom);
      return this.#concat(Array.from({ length: count }, (_, i) => this.#below(i).layer(level)));
    }
    if (parts.length === 1) return parts[0]!.slice();
    return this.#concat(parts);
  }

  #concat(parts: readonly Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #layer(level: number): readonly Uint8Array[] | undefined {
    const layer = Number.isInteger(level) && level >= 0 && level < this.#layers.length ? this.#layers[level] : null;
    if (layer === null) throw new RangeError(`level must be an integer in [0, ${this.depth}], got ${String(level)}`);
    return layer;
  }
}
