/**
 * Matrices resident on the GPU: columns of `height` elements (8 bytes each, little-endian words),
 * stored column after column. A matrix larger than one storage binding is split by whole columns
 * into segments, each its own buffer, so every kernel binds at most one segment at a time (row
 * hashing binds several; see ./blake3.ts).
 *
 * @module
 */
import { ELEMENT_BYTES } from '../field/goldilocks.js';
import type { Column } from '../field/columns.js';
import type { GpuContext } from './context.js';
import { GpuLimitError } from './errors.js';

export interface Segment {
  readonly buffer: GPUBuffer;
  readonly firstColumn: number;
  readonly columns: number;
}

/** A matrix on the device; structurally a backend Matrix (src/backend/backend.ts) held by 'gpu'. */
export interface GpuMatrix {
  readonly backend: 'gpu';
  readonly height: number;
  readonly width: number;
  segments: Segment[] | undefined;
}

/** Whole columns of `height` that fit one binding. */
export function columnsPerSegment(ctx: GpuContext, height: number): number {
  const per = Math.floor(ctx.maxBindingBytes / (height * ELEMENT_BYTES));
  if (per < 1)
    throw new GpuLimitError(`a column of ${height} elements (${height * ELEMENT_BYTES} bytes) exceeds one GPU binding (${ctx.maxBindingBytes} bytes)`);
  return per;
}

/**
 * Allocates a zeroed matrix. `perSegment` (default: as many as fit) fixes how columns are grouped;
 * operations that map column c to columns c·β … c·β + β - 1 pass a multiple of β.
 */
export function allocMatrix(ctx: GpuContext, height: number, width: number, label: string, perSegment = columnsPerSegment(ctx, height)): GpuMatrix {
  const segments: Segment[] = [];
  for (let first = 0; first < width; first += perSegment) {
    const columns = Math.min(perSegment, width - first);
    segments.push({ buffer: ctx.storage(columns * height * ELEMENT_BYTES, `${label}[${first}..${first + columns})`), firstColumn: first, columns });
  }
  return { backend: 'gpu', height, width, segments };
}

export function uploadColumns(ctx: GpuContext, columns: readonly Column[], height: number): GpuMatrix {
  const m = allocMatrix(ctx, height, columns.length, 'matrix');
  for (const s of m.segments!)
    for (let j = 0; j < s.columns; j++) {
      const col = columns[s.firstColumn + j]!;
      ctx.device.queue.writeBuffer(s.buffer, j * height * ELEMENT_BYTES, col.buffer, col.byteOffset, col.byteLength);
    }
  return m;
}

export async function downloadColumns(ctx: GpuContext, m: GpuMatrix): Promise<Column[]> {
  const out: Column[] = [];
  for (const s of segmentsOf(m)) {
    const bytes = await ctx.read(s.buffer, 0, s.columns * m.height * ELEMENT_BYTES);
    for (let j = 0; j < s.columns; j++) out.push(new BigUint64Array(bytes, j * m.height * ELEMENT_BYTES, m.height));
  }
  return out;
}

/** Any backend's matrix handle (src/backend/backend.ts's Matrix, which sits above this layer). */
type Handle = { readonly backend: string };

export function segmentsOf(m: Handle): Segment[] {
  const segs = m.backend === 'gpu' ? (m as GpuMatrix).segments : undefined;
  if (!segs) throw new Error(`matrix is ${m.backend === 'gpu' ? 'released' : `held by the ${m.backend} backend`}`);
  return segs;
}

/** A handle as the GPU matrix it must be (throws, naming the holder, for any other or a released one). */
export function gpuMatrix(m: Handle): GpuMatrix {
  segmentsOf(m);
  return m as GpuMatrix;
}

export function releaseMatrix(m: Handle): void {
  const g = m as GpuMatrix;
  g.segments?.forEach((s) => s.buffer.destroy());
  g.segments = undefined;
}

/**
 * A's columns then b's (equal heights) as one matrix over the same buffers, nothing copied: a view
 * whose storage belongs to a and b (release those, never the view).
 */
export function joinMatrices(a: GpuMatrix, b: GpuMatrix): GpuMatrix {
  if (a.height !== b.height) throw new RangeError(`joinMatrices: heights ${a.height} and ${b.height} differ`);
  const shifted = segmentsOf(b).map((s) => ({ ...s, firstColumn: s.firstColumn + a.width }));
  return { backend: 'gpu', height: a.height, width: a.width + b.width, segments: [...segmentsOf(a), ...shifted] };
}

/** The buffer and element offset of column `c` of `m`. */
export function columnAt(m: GpuMatrix, c: number): { buffer: GPUBuffer; offset: number } {
  const s = segmentsOf(m).find((seg) => c >= seg.firstColumn && c < seg.firstColumn + seg.columns);
  if (!s) throw new RangeError(`column ${c} is outside the ${m.width}-column matrix`);
  return { buffer: s.buffer, offset: (c - s.firstColumn) * m.height };
}

export interface RowCopy {
  from: GpuMatrix;
  fromColumn: number;
  fromRow: number;
  to: GpuMatrix;
  toColumn: number;
  toRow: number;
  rows: number;
}

/** Copies row ranges between columns on the device (one submission), e.g. to cut polynomials into segments. */
export async function copyRows(ctx: GpuContext, copies: readonly RowCopy[]): Promise<void> {
  await ctx.runCopies('copy rows', (enc) => {
    for (const c of copies) {
      const a = columnAt(c.from, c.fromColumn), b = columnAt(c.to, c.toColumn);
      if (c.fromRow + c.rows > c.from.height || c.toRow + c.rows > c.to.height) throw new RangeError('copyRows: rows out of range');
      enc.copyBufferToBuffer(a.buffer, (a.offset + c.fromRow) * ELEMENT_BYTES, b.buffer, (b.offset + c.toRow) * ELEMENT_BYTES, c.rows * ELEMENT_BYTES);
    }
  });
}

/**
 * The rows at `positions` (row-major, `width` elements each), gathered on the device into one small
 * buffer and read back: openings without downloading the matrix.
 */
export async function gatherRows(ctx: GpuContext, m: GpuMatrix, positions: readonly number[]): Promise<BigUint64Array> {
  const bytes = positions.length * m.width * ELEMENT_BYTES;
  if (bytes === 0) return new BigUint64Array(0);
  const out = ctx.storage(bytes, 'gathered rows');
  try {
    const columns = Array.from({ length: m.width }, (_, c) => columnAt(m, c));
    await ctx.runCopies('gather rows', (enc) =>
      positions.forEach((p, r) => {
        if (!Number.isInteger(p) || p < 0 || p >= m.height) throw new RangeError(`gatherRows: row ${p} is outside [0, ${m.height})`);
        columns.forEach((col, c) =>
          enc.copyBufferToBuffer(col.buffer, (col.offset + p) * ELEMENT_BYTES, out, (r * m.width + c) * ELEMENT_BYTES, ELEMENT_BYTES));
      }),
    );
    return new BigUint64Array(await ctx.read(out, 0, bytes));
  } finally {
    out.destroy();
  }
}
