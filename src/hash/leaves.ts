/**
 * Bulk BLAKE3 for Merkle trees on the wasm kernels (src/wasm/assembly/blake3.ts; spec:
 * github.com/BLAKE3-team/BLAKE3-specs). Byte-identical to ./digest's blake3 on the same bytes.
 *
 * Leaf encoding: row r of a matrix of Goldilocks elements is hashed as its elements in column
 * order, each 8 bytes little-endian. This encoding is part of the proof format.
 *
 * @module
 */
import type { Kernels } from '../wasm/kernels.js';
import { ELEMENT_BYTES } from '../field/goldilocks.js';
import { DIGEST_BYTES } from './digest.js';

const PAIR_BYTES = 2 * DIGEST_BYTES;

function assertCount(what: string, x: number): void {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${what} must be a non-negative integer, got ${x}`);
}

/** Rows (or pairs) hashed per kernel call: wasm scratch stays a few MB whatever the matrix size. */
const CHUNK_ROWS = 1 << 15;

function checkColumns(fn: string, cols: readonly BigUint64Array[]): number {
  const first = cols[0];
  if (first === undefined) throw new RangeError(`${fn}: need at least one column (the row count comes from the columns)`);
  const n = first.length;
  for (let c = 1; c < cols.length; c++) {
    const len = cols[c]!.length;
    if (len !== n) throw new RangeError(`${fn}: column ${c} has ${len} elements, column 0 has ${n}`);
  }
  return n;
}

/** The leaf digests of `cols`' rows into out[at …), chunk by chunk through wasm scratch. */
function leavesInto(k: Kernels, cols: readonly BigUint64Array[], out: Uint8Array, at: number): void {
  const n = cols[0]!.length, m = cols.length;
  for (let r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, n - r0);
    k.scoped(() => {
      // Column-major copy: one contiguous set() per column, no transposition on the JS side.
      const data = k.alloc(rows * m * ELEMENT_BYTES), digests = k.alloc(rows * DIGEST_BYTES);
      const mem = k.u64; // taken after alloc: growing memory detaches older views
      for (let c = 0; c < m; c++) mem.set(cols[c]!.subarray(r0, r0 + rows), data / ELEMENT_BYTES + c * rows);
      k.raw.blake3_rows(digests, data, rows, m, ELEMENT_BYTES, rows * ELEMENT_BYTES);
      out.set(k.u8.subarray(digests, digests + rows * DIGEST_BYTES), at + r0 * DIGEST_BYTES);
    });
  }
}

/** Parents of the `pairs` child pairs at children[from …) into out[to …), chunk by chunk. */
function parentsInto(k: Kernels, children: Uint8Array, from: number, pairs: number, out: Uint8Array, to: number): void {
  for (let p0 = 0; p0 < pairs; p0 += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, pairs - p0);
    k.scoped(() => {
      const ptr = k.alloc(count * PAIR_BYTES);
      k.u8.set(children.subarray(from + p0 * PAIR_BYTES, from + (p0 + count) * PAIR_BYTES), ptr);
      k.raw.blake3_pairs(ptr, ptr, count); // in place: the kernel supports out == data
      out.set(k.u8.subarray(ptr, ptr + count * DIGEST_BYTES), to + p0 * DIGEST_BYTES);
    });
  }
}

/**
 * Leaf digests of the matrix whose columns are `cols` (all of length n): n·32 bytes, digest r =
 * BLAKE3(cols[0][r] ‖ cols[1][r] ‖ … , each 8-byte LE).
 */
export function hashRows(k: Kernels, cols: readonly BigUint64Array[]): Uint8Array {
  const out = new Uint8Array(checkColumns('hashRows', cols) * DIGEST_BYTES);
  leavesInto(k, cols, out, 0);
  return out;
}

/**
 * The layers of the Merkle tree over the rows of `cols` (n a power of two) from level `keptFrom` up
 * (0: from the leaves), concatenated in one buffer: a chunk of rows is hashed and reduced to that
 * level in wasm scratch, then each level above. A worker builds its range's subtree this way
 * (src/merkle/tree.ts treeFromSubtrees joins them; the levels below keptFrom are hashed again there
 * when an opening needs them).
 */
export function rowsSubtree(k: Kernels, cols: readonly BigUint64Array[], keptFrom = 0): Uint8Array {
  const n = cols[0]?.length ?? 0, m = cols.length;
  if (n === 0 || 2 ** Math.round(Math.log2(n)) !== n || cols.some((c) => c.length !== n))
    throw new RangeError('rowsSubtree: columns of one power-of-two length are needed');
  if (!Number.isInteger(keptFrom) || keptFrom < 0 || 2 ** keptFrom > Math.min(n, CHUNK_ROWS))
    throw new RangeError(`rowsSubtree: keptFrom must be an integer in [0, ${Math.log2(Math.min(n, CHUNK_ROWS))}], got ${keptFrom}`);
  const base = n / 2 ** keptFrom, out = new Uint8Array((2 * base - 1) * DIGEST_BYTES);
  if (keptFrom === 0) leavesInto(k, cols, out, 0);
  else
    for (let r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - r0);
      k.scoped(() => {
        const data = k.alloc(rows * m * ELEMENT_BYTES), nodes = k.alloc(rows * DIGEST_BYTES);
        const mem = k.u64;
        for (let c = 0; c < m; c++) mem.set(cols[c]!.subarray(r0, r0 + rows), data / ELEMENT_BYTES + c * rows);
        k.raw.blake3_rows(nodes, data, rows, m, ELEMENT_BYTES, rows * ELEMENT_BYTES);
        for (let count = rows; count > rows / 2 ** keptFrom; count /= 2) k.raw.blake3_pairs(nodes, nodes, count / 2);
        out.set(k.u8.subarray(nodes, nodes + (rows / 2 ** keptFrom) * DIGEST_BYTES), (r0 / 2 ** keptFrom) * DIGEST_BYTES);
      });
    }
  for (let at = 0, count = base; count > 1; at += count * DIGEST_BYTES, count /= 2) parentsInto(k, out, at, count / 2, out, at + count * DIGEST_BYTES);
  return out;
}

/** Splits rowsSubtree's bytes into its layers (views, leaves first). */
export function subtreeLayers(bytes: Uint8Array): Uint8Array[] {
  const n = (bytes.length / DIGEST_BYTES + 1) / 2;
  if (!Number.isInteger(n) || 2 ** Math.round(Math.log2(n)) !== n) throw new RangeError(`subtreeLayers: ${bytes.length} bytes are not the layers of a tree`);
  const layers: Uint8Array[] = [];
  for (let at = 0, count = n; count >= 1; at += count * DIGEST_BYTES, count /= 2) layers.push(bytes.subarray(at, at + count * DIGEST_BYTES));
  return layers;
}

/** Leaf digests of a row-major rows × cols matrix (element (r, c) at data[r·cols + c]); same digests as hashRows. */
export function hashRowsRowMajor(k: Kernels, data: BigUint64Array, rows: number, cols: number): Uint8Array {
  assertCount('hashRowsRowMajor: rows', rows);
  assertCount('hashRowsRowMajor: cols', cols);
  if (data.length !== rows * cols) {
    throw new RangeError(`hashRowsRowMajor: ${rows} rows × ${cols} cols needs ${rows * cols} elements, got ${data.length}`);
  }
  return k.scoped(() => {
    const ptr = k.alloc(data.length * ELEMENT_BYTES);
    const out = k.alloc(rows * DIGEST_BYTES);
    k.u64.set(data, ptr / ELEMENT_BYTES);
    k.raw.blake3_rows(out, ptr, rows, cols, cols * ELEMENT_BYTES, ELEMENT_BYTES);
    return k.u8.slice(out, out + rows * DIGEST_BYTES);
  });
}

/** One Merkle layer up: 2m child digests (64·m bytes) → m parents, parent i = BLAKE3(child 2i ‖ child 2i+1). */
export function hashPairs(k: Kernels, layer: Uint8Array): Uint8Array {
  if (layer.length % PAIR_BYTES !== 0) {
    throw new RangeError(`hashPairs: layer is ${layer.length} bytes, not a multiple of ${PAIR_BYTES} (pairs of ${DIGEST_BYTES}-byte digests)`);
  }
  const pairs = layer.length / PAIR_BYTES, out = new Uint8Array(pairs * DIGEST_BYTES);
  parentsInto(k, layer, 0, pairs, out, 0);
  return out;
}
