// The CPU backend's unit of work: a pure function of columns, run on the calling thread or in a
// worker. Shared by both sides so a worker computes exactly what the inline path computes. Besides
// the Backend operations, the prover's CPU steps run the composition and the DEEP composition here,
// by coset block (as the GPU steps run src/gpu/composition.ts and deep.ts).
import type { Column } from '../../field/columns.js';
import { extendColumns, type LdeOptions } from '../../ntt/lde.js';
import { forwardNtt, inverseNtt } from '../../ntt/ntt.js';
import { hashRows } from '../../hash/leaves.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { Fp2 } from '../../field/ext2.js';
import type { Air } from '../../stark/air.js';
import { compositionBlock, type CompositionBlock } from '../../stark/composition.js';
import { deepComposition, type DeepInput } from '../../stark/deep.js';

export type Job =
  | { op: 'ntt'; columns: Column[] }
  | { op: 'intt'; columns: Column[] }
  | { op: 'lde'; columns: Column[]; opts: LdeOptions }
  | { op: 'hashRows'; columns: Column[] }
  | { op: 'compositionBlock'; air: Air; block: CompositionBlock; alphas: readonly Fp2[] }
  | { op: 'deep'; input: DeepInput };

export type JobResult = { columns: Column[] } | { bytes: Uint8Array };

export function runJob(k: Kernels, job: Job): JobResult {
  switch (job.op) {
    case 'ntt':
      return { columns: forwardNtt(k, job.columns) };
    case 'intt':
      return { columns: inverseNtt(k, job.columns) };
    case 'lde':
      return { columns: extendColumns(k, job.columns, job.opts) };
    case 'hashRows':
      return { bytes: hashRows(k, job.columns) };
    case 'compositionBlock': {
      const c = compositionBlock(k, job.air, job.block, job.alphas);
      return { columns: [c.c0, c.c1] };
    }
    case 'deep': {
      const d = deepComposition(k, job.input);
      return { columns: [d.c0, d.c1] };
    }
  }
}

/** A result's buffers, handed back to the caller instead of copied. */
export function transferables(r: JobResult): ArrayBuffer[] {
  if ('bytes' in r) return [r.bytes.buffer as ArrayBuffer];
  return r.columns.map((c) => c.buffer as ArrayBuffer);
}

/** A worker's answer to one job message, with the bytes its WebAssembly memory has grown to. */
export type JobReply = ({ id: number; result: JobResult } | { id: number; error: string }) & { memoryBytes: number };

/** What a worker does with a job message (./worker.ts in Node, ./worker-browser.ts in a browser): the reply and what it hands back. */
export function answerJob(k: Kernels, { id, job }: { id: number; job: Job }): { reply: JobReply; transfer: ArrayBuffer[] } {
  const memoryBytes = () => k.raw.memory.buffer.byteLength;
  try {
    const result = runJob(k, job);
    return { reply: { id, result, memoryBytes: memoryBytes() }, transfer: transferables(result) };
  } catch (e) {
    return { reply: { id, error: e instanceof Error ? e.message : String(e), memoryBytes: memoryBytes() }, transfer: [] };
  }
}

/** Where jobs run in parallel: a pool of worker threads (./pool.ts), Node's or the browser's. */
export interface JobRunner {
  readonly size: number;
  /** The bytes the workers' WebAssembly memories have grown to (a memory never shrinks: the most so far). */
  memoryBytes(): number;
  run(job: Job, transfer?: ArrayBuffer[]): Promise<JobResult>;
  destroy(): Promise<void>;
}
