/**
 * Columns: contiguous arrays of canonical Goldilocks elements (BigUint64Array), the unit of all bulk
 * work. Canonicality checks read the 32-bit halves (x ≥ p ⇔ hi = 2^32−1 and lo ≠ 0), so no bigint is
 * created per element; arithmetic runs in the WebAssembly kernels.
 *
 * @module
 */
import type { Kernels } from '../wasm/kernels.js';
import { ELEMENT_BYTES } from './goldilocks.js';

export type Column = BigUint64Array;

/** Whether col[0 … to) are all zero (read as 32-bit words: no bigint per element). */
export function isZeroUpTo(col: Column, to: number): boolean {
  const w = new Uint32Array(col.buffer, col.byteOffset, 2 * to);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

/** Whether columns can live in memory shared with worker threads: Node, or a cross-origin-isolated page. */
export const SHARED_MEMORY = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

/** A zeroed column of n elements, in memory shared with workers where there is some. */
export const sharedColumn = (n: number): Column => new BigUint64Array(SHARED_MEMORY ? new SharedArrayBuffer(8 * n) : new ArrayBuffer(8 * n));

const isShared = (c: Column): boolean => typeof SharedArrayBuffer === 'function' && c.buffer instanceof SharedArrayBuffer;

/**
 * Elements [lo, hi) of `c` as a worker job's input: a view of the same memory when it is shared (no
 * copy), else a fresh copy whose buffer is added to `moved` (to be transferred, not cloned: cloning a
 * subarray would copy its whole buffer).
 */
export function toWorker(c: Column, moved: ArrayBuffer[], lo = 0, hi = c.length): Column {
  if (isShared(c)) return c.subarray(lo, hi);
  const fresh = c.slice(lo, hi);
  moved.push(fresh.buffer as ArrayBuffer);
  return fresh;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Index of the first non-canonical element (≥ p), or −1. */
export function findNonCanonical(col: Column): number {
  const words = new Uint32Array(col.buffer, col.byteOffset, col.length * 2);
  const [lo, hi] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  for (let i = 0; i < col.length; i++) {
    if (words[2 * i + hi] === 0xffffffff && words[2 * i + lo] !== 0) return i;
  }
  return -1;
}

export function assertCanonicalColumn(col: Column, what = 'column'): void {
  if (!(col instanceof BigUint64Array)) throw new TypeError(`${what}: expected a BigUint64Array`);
  const bad = findNonCanonical(col);
  if (bad >= 0) throw new RangeError(`${what}: element ${bad} is not canonical (≥ p)`);
}

/** Canonical bytes: each element 8 bytes little-endian, in order. */
export function encodeColumn(col: Column): Uint8Array {
  assertCanonicalColumn(col);
  if (LITTLE_ENDIAN) return new Uint8Array(col.buffer.slice(col.byteOffset, col.byteOffset + col.byteLength));
  const out = new Uint8Array(col.length * ELEMENT_BYTES);
  const view = new DataView(out.buffer);
  col.forEach((x, i) => view.setBigUint64(i * ELEMENT_BYTES, x, true));
  return out;
}

/** Strict decoder: length a multiple of 8, every element < p. */
export function decodeColumn(bytes: Uint8Array): Column {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeColumn: expected a Uint8Array');
  if (bytes.length % ELEMENT_BYTES !== 0)
    throw new RangeError(`decodeColumn: ${bytes.length} bytes is not a multiple of ${ELEMENT_BYTES}`);
  const col = new BigUint64Array(bytes.length / ELEMENT_BYTES);
  if (LITTLE_ENDIAN) new Uint8Array(col.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < col.length; i++) col[i] = view.getBigUint64(i * ELEMENT_BYTES, true);
  }
  const bad = findNonCanonical(col);
  if (bad >= 0) throw new RangeError(`decodeColumn: element ${bad} is not canonical (≥ p)`);
  return col;
}

function sameLength(op: string, a: Column, b: Column): void {
  if (a.length !== b.length) throw new RangeError(`${op}: column lengths differ (${a.length} vs ${b.length})`);
}

type Binary = 'vec_add' | 'vec_sub' | 'vec_mul';

function binary(k: Kernels, op: Binary, a: Column, b: Column): Column {
  sameLength(op, a, b);
  return k.scoped(() => {
    const pa = k.put(a);
    const pb = k.put(b);
    k.raw[op](pa, pa, pb, a.length);
    return k.get(pa, a.length);
  });
}

export const addColumns = (k: Kernels, a: Column, b: Column): Column => binary(k, 'vec_add', a, b);
export const subColumns = (k: Kernels, a: Column, b: Column): Column => binary(k, 'vec_sub', a, b);
export const mulColumns = (k: Kernels, a: Column, b: Column): Column => binary(k, 'vec_mul', a, b);

export function scaleColumn(k: Kernels, a: Column, c: bigint): Column {
  return k.scoped(() => {
    const pa = k.put(a);
    k.raw.vec_scale(pa, pa, c, a.length);
    return k.get(pa, a.length);
  });
}

/** [start, start·step, start·step², …] of length n. */
export function powersColumn(k: Kernels, start: bigint, step: bigint, n: number): Column {
  return k.scoped(() => {
    const out = k.alloc(n * ELEMENT_BYTES);
    k.raw.powers(out, start, step, n);
    return k.get(out, n);
  });
}

/** Element-wise inverses; throws naming the first zero. */
export function batchInverseColumn(k: Kernels, a: Column): Column {
  return k.scoped(() => {
    const pa = k.put(a);
    const scratch = k.alloc(a.length * ELEMENT_BYTES);
    const zero = k.raw.batch_inverse(pa, pa, scratch, a.length);
    if (zero >= 0) throw new RangeError(`batchInverse: element ${zero} is zero`);
    return k.get(pa, a.length);
  });
}
