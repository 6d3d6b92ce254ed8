/**
 * The row archive (README.md "Capsules"): the committed trace-LDE
 * rows (the leaves of statement.trace_root) in aligned chunks of chunk_len rows. A chunk root is the
 * Merkle node above its chunk, so the chunk roots are one layer of the trace tree (arity 2) and
 * rebuild its root. Files: chunk_roots.bin (the roots, 32 bytes each, in order), chunk_roots.json
 * (the same as hex), chunks/<i>.bin (chunk i's rows, row-major, each element 8 bytes LE — the
 * bytes each leaf hashes). chunk_roots_digest = SHA-256(chunk_roots.bin).
 *
 * @module
 */
import { z } from 'zod';
import type { Column } from '../field/columns.js';
import { findNonCanonical } from '../field/columns.js';
import { ELEMENT_BYTES } from '../field/goldilocks.js';
import { DIGEST_BYTES } from '../hash/digest.js';
import { hashPairs, hashRowsRowMajor } from '../hash/leaves.js';
import type { Kernels } from '../wasm/kernels.js';
import { HashHexSchema } from './spec.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

export const CHUNK_ROOTS_SCHEMA = 'capseal_chunk_roots_v1';
export const ROW_INDEX_ARITY = 2;
/** Rows per chunk when the caller names none (fewer when the LDE is smaller). */
export const DEFAULT_CHUNK_LEN = 1024;

export const ChunkRootsJsonSchema = z.strictObject({
  schema: z.literal(CHUNK_ROOTS_SCHEMA),
  chunk_roots: z.array(HashHexSchema),
});

/** Names inside the archive directory; chunk files sit in its CHUNKS_DIR. */
export const CHUNKS_DIR = 'chunks';
export const chunkFileName = (index: number): string => `${index}.bin`;
export const CHUNK_ROOTS_BIN = 'chunk_roots.bin';
export const CHUNK_ROOTS_JSON = 'chunk_roots.json';

/** Throws unless chunkLen is a power of two in [1, rows]. */
export function checkChunkLen(chunkLen: number, rows: number): void {
  if (!Number.isSafeInteger(chunkLen) || chunkLen < 1 || (chunkLen & (chunkLen - 1)) !== 0 || chunkLen > rows)
    throw new RangeError(`chunk length must be a power of two in [1, ${rows}] (the committed rows), got ${chunkLen}`);
}

/** Hashes a layer of digests up `levels` times (node = BLAKE3(left ‖ right)). */
function climb(k: Kernels, layer: Uint8Array, levels: number): Uint8Array {
  for (let i = 0; i < levels; i++) layer = hashPairs(k, layer);
  return layer;
}

/** The trace root from the chunk roots (a power-of-two count of digests). */
export function rootOfChunkRoots(k: Kernels, roots: Uint8Array): Uint8Array {
  const count = roots.length / DIGEST_BYTES;
  return climb(k, roots, Math.log2(count));
}

/** Chunk `index`'s bytes: its rows, row-major, 8 bytes LE per element. */
export function encodeChunk(lde: readonly Column[], index: number, chunkLen: number): Uint8Array {
  const width = lde.length, start = index * chunkLen;
  const out = new BigUint64Array(chunkLen * width);
  for (let c = 0; c < width; c++) {
    const col = lde[c]!;
    for (let r = 0; r < chunkLen; r++) out[r * width + c] = col[start + r]!;
  }
  return new Uint8Array(out.buffer); // little-endian on every platform Node and browsers run on
}

/** The root of a chunk file's rows, or why the bytes are not a chunk of this shape. */
export function rootOfChunk(k: Kernels, bytes: Uint8Array, chunkLen: number, width: number): { root: Uint8Array } | { error: string } {
  const expected = chunkLen * width * ELEMENT_BYTES;
  if (bytes.length !== expected) return { error: `${bytes.length} bytes, expected ${chunkLen} rows × ${width} elements × 8 = ${expected}` };
  // A copy of exactly these bytes: `bytes` may be a view into a larger buffer (Node's Buffer pool).
  const values = new BigUint64Array(new Uint8Array(bytes).buffer);
  const bad = findNonCanonical(values);
  if (bad >= 0) return { error: `row ${Math.floor(bad / width)} holds a non-canonical element` };
  return { root: climb(k, hashRowsRowMajor(k, values, chunkLen, width), Math.log2(chunkLen)) };
}

export const chunkRootsToJson = (roots: Uint8Array): z.output<typeof ChunkRootsJsonSchema> => ({
  schema: CHUNK_ROOTS_SCHEMA,
  chunk_roots: Array.from({ length: roots.length / DIGEST_BYTES }, (_, i) => bytesToHex(roots.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES))),
});

export const chunkRootsFromJson = (j: z.output<typeof ChunkRootsJsonSchema>): Uint8Array => hexToBytes(j.chunk_roots.join(''));
