/**
 * Node adapter: a CpuBackend whose heavy work runs on worker threads (worker_threads).
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CpuBackend } from './cpu-backend.js';
import { BACKEND_JOBS, type JobHandlers, type JobReply } from './jobs.js';
import { WorkerPool } from './pool.js';

/** The jobs a backend's workers serve: the table and the worker entry module that serves it. */
export interface NodeJobs {
  handlers: JobHandlers;
  /** The entry (./worker.ts or a layer above's); a .ts entry is booted through tsx (./worker-from-source.mjs). */
  worker: URL;
}

/** An entry module beside `base` (an import.meta.url): the .ts file from sources, the .js one when built. */
export const workerEntry = (name: string, base: string): URL => new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);

/** The Backend operations only. */
export const BACKEND_NODE_JOBS: NodeJobs = { handlers: BACKEND_JOBS, worker: workerEntry('worker', import.meta.url) };

/** A pool of `size` Node worker threads running `entry`. */
export function nodeWorkerPool(size: number, entry: URL): WorkerPool {
  const fromSource = entry.pathname.endsWith('.ts');
  return new WorkerPool(size, (on) => {
    const w = fromSource ? new Worker(new URL('./worker-from-source.mjs', import.meta.url), { workerData: { entry: entry.href } }) : new Worker(entry);
    w.unref();
    w.on('message', (msg: JobReply) => on.reply(msg));
    w.on('error', (e) => on.fail(e));
    w.on('exit', (code) => on.fail(new Error(`worker exited with code ${code}`)));
    return { post: (m, transfer) => w.postMessage(m, transfer), terminate: () => w.terminate() };
  });
}

export interface NodeCpuOptions {
  /** 1 runs everything on the calling thread; default: one per available core. */
  threads?: number;
  /** The jobs its workers serve (default: the Backend operations only). */
  jobs?: NodeJobs;
}

export async function createNodeCpuBackend(opts: NodeCpuOptions = {}): Promise<CpuBackend> {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new RangeError(`threads must be an integer in [1, 256], got ${threads}`);
  const jobs = opts.jobs ?? BACKEND_NODE_JOBS;
  return CpuBackend.create({ jobs: jobs.handlers, ...(threads > 1 ? { pool: nodeWorkerPool(threads, jobs.worker) } : {}) });
}
