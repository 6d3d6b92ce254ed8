/**
 * The CPU backend's unit of work: a pure function of columns, named by `op`, run on the calling
 * thread or in a worker. The worker and the inline path look the op up in the same table, so a
 * worker computes exactly what the inline path computes. The backend's own ops are BACKEND_JOBS;
 * a layer above adds its own (the prover's steps: src/prover/cpu/jobs.ts) by serving a larger table
 * from its own worker entry — this layer never imports it.
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import { cosetBlocks, extendColumns, type CosetOptions, type LdeOptions } from '../../ntt/lde.js';
import { forwardNtt, inverseNtt } from '../../ntt/ntt.js';
import { hashRows, rowsSubtree } from '../../hash/leaves.js';
import type { Kernels } from '../../wasm/kernels.js';

/** A job: the op that runs it and its (structured-cloneable) inputs. */
export interface Job {
  readonly op: string;
  readonly [input: string]: unknown;
}

export type JobResult = { columns: Column[] } | { bytes: Uint8Array };

/** Runs one kind of job; it narrows `job` to its own inputs. */
export type JobHandler<J extends Job = Job> = (k: Kernels, job: J) => JobResult;
export type JobHandlers = Readonly<Record<string, JobHandler<never>>>;

/** Makes a handler table entry from a handler typed for its own job. */
export const handler = <J extends Job>(run: JobHandler<J>): JobHandler<never> => run as JobHandler<never>;

interface ColumnsJob extends Job {
  columns: Column[];
}

/** The Backend operations (./cpu-backend.ts builds these jobs). */
export const BACKEND_JOBS: JobHandlers = {
  ntt: handler((k, job: ColumnsJob) => ({ columns: forwardNtt(k, job.columns) })),
  intt: handler((k, job: ColumnsJob) => ({ columns: inverseNtt(k, job.columns) })),
  lde: handler((k, job: ColumnsJob & { opts: LdeOptions }) => ({ columns: extendColumns(k, job.columns, job.opts) })),
  cosetBlocks: handler((k, job: ColumnsJob & { units: [number, number][]; opts: CosetOptions; into?: Column[] }) => ({ columns: cosetBlocks(k, job.columns, job.units, job.opts, job.into) })),
  hashRows: handler((k, job: ColumnsJob) => ({ bytes: hashRows(k, job.columns) })),
  rowsSubtree: handler((k, job: ColumnsJob & { keptFrom: number }) => ({ bytes: rowsSubtree(k, job.columns, job.keptFrom) })),
};

/** Whether `handlers` runs `op` (own keys only: a job message is not trusted to name a prototype key). */
export const handles = (handlers: JobHandlers, op: string): boolean => Object.hasOwn(handlers, op);

export function runJob(k: Kernels, handlers: JobHandlers, job: Job): JobResult {
  if (!handles(handlers, job.op)) throw new Error(`this CPU backend runs no '${job.op}' jobs (its worker serves ${Object.keys(handlers).join(', ')})`);
  return (handlers[job.op] as JobHandler)(k, job);
}

/** A result's buffers, handed back to the caller instead of copied. */
function transferables(r: JobResult): ArrayBuffer[] {
  if ('bytes' in r) return [r.bytes.buffer as ArrayBuffer];
  return r.columns.map((c) => c.buffer as ArrayBuffer);
}

/** A worker's answer to one job message, with the bytes its WebAssembly memory has grown to. */
export type JobReply = ({ id: number; result: JobResult } | { id: number; error: string }) & { memoryBytes: number };

/** What a worker does with a job message (./serve-node.ts, ./serve-browser.ts): the reply and what it hands back. */
export function answerJob(k: Kernels, handlers: JobHandlers, { id, job }: { id: number; job: Job }): { reply: JobReply; transfer: ArrayBuffer[] } {
  const memoryBytes = () => k.raw.memory.buffer.byteLength;
  try {
    const result = runJob(k, handlers, job);
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
