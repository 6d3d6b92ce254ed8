/**
 * Measured scheduler thresholds: each operation runs on both backends at growing sizes with its
 * data already resident, and the GPU takes an operation from the smallest measured size at which
 * it wins there and at every larger size measured. Nothing is assumed about either device.
 *
 * @module
 */
import { z } from 'zod';
import type { Backend, Matrix } from './backend.js';
import { OPERATIONS, type Operation, type Thresholds } from './scheduler.js';

/** Sizes (elements, or leaves) at which both backends are timed. */
export const CALIBRATION_LOG_SIZES = [10, 13, 16, 18] as const;
const WIDTH = 8;
const BLOWUP = 8;
const RUNS = 3;

function splitmix(n: number, seed: number): BigUint64Array {
  const out = new BigUint64Array(n);
  let s = BigInt(seed);
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    out[i] = (s ^ (s >> 29n)) % 0xffffffff00000001n;
  }
  return out;
}

/** Median wall time of `op` in ms after one warm-up run (which compiles GPU pipelines). */
async function timeOp(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!;
}

/** One timed operation of `size` on `b`, with inputs made and uploaded outside the timing. */
async function measure(b: Backend, op: Operation, size: number): Promise<number> {
  if (op === 'merkleTree') {
    const leaves = new Uint8Array(32 * size).fill(7);
    return timeOp(async () => void (await b.merkleTree(leaves)));
  }
  const rows = Math.max(1, (op === 'lde' ? size / BLOWUP : size) / WIDTH);
  const m = await b.upload(Array.from({ length: WIDTH }, (_, j) => splitmix(rows, j)));
  const keep = async (out: Promise<Matrix>) => b.release(await out);
  try {
    switch (op) {
      case 'ntt': return await timeOp(() => keep(b.ntt(m)));
      case 'intt': return await timeOp(() => keep(b.intt(m)));
      case 'lde': return await timeOp(() => keep(b.lde(m, { blowup: BLOWUP, order: 'bit-reversed' })));
      case 'hashRows': return await timeOp(async () => void (await b.hashRows(m)));
    }
  } finally {
    b.release(m);
  }
}

export interface Calibration {
  thresholds: Thresholds;
  /** Per operation and log size: [cpu ms, gpu ms]. */
  samples: Record<Operation, Record<number, [number, number]>>;
}

export async function calibrate(cpu: Backend, gpu: Backend, progress: (msg: string) => void = () => {}): Promise<Calibration> {
  const thresholds = {} as Record<Operation, number>;
  const samples = {} as Calibration['samples'];
  for (const op of OPERATIONS) {
    samples[op] = {};
    let from = Infinity;
    for (const logSize of [...CALIBRATION_LOG_SIZES].reverse()) {
      const size = 2 ** logSize;
      const pair: [number, number] = [await measure(cpu, op, size), await measure(gpu, op, size)];
      samples[op][logSize] = pair;
      progress(`calibrate ${op} 2^${logSize}: cpu ${pair[0].toFixed(2)} ms, gpu ${pair[1].toFixed(2)} ms`);
      if (pair[1] >= pair[0]) break; // the GPU lost here: smaller sizes will not change the threshold
      from = size;
    }
    thresholds[op] = from;
  }
  return { thresholds, samples };
}

/** JSON cannot hold Infinity: "never on the GPU" is stored as null. */
export const thresholdsToJson = (t: Thresholds): Record<string, number | null> =>
  Object.fromEntries(OPERATIONS.map((op) => [op, Number.isFinite(t[op]) ? t[op] : null]));

const thresholdJson = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.null()]);
const thresholdsJson = z.strictObject(Object.fromEntries(OPERATIONS.map((op) => [op, thresholdJson])) as Record<Operation, typeof thresholdJson>);

/** Parses stored thresholds; undefined when they do not have exactly the expected shape. */
export function thresholdsFromJson(j: unknown): Thresholds | undefined {
  const r = thresholdsJson.safeParse(j);
  if (!r.success) return undefined;
  return Object.fromEntries(OPERATIONS.map((op) => [op, r.data[op] ?? Infinity])) as Record<Operation, number>;
}
