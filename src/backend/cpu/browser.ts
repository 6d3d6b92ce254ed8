/**
 * Browser adapter: a CpuBackend whose heavy work runs on Web Workers. The page supplies the worker
 * (a bundler resolves `new Worker(new URL('…/worker-browser.ts', import.meta.url), { type: 'module' })`
 * where it is written, so the library does not tie itself to one bundler's worker syntax).
 *
 * @module
 */
import { CpuBackend } from './cpu-backend.js';
import { BACKEND_JOBS, type JobHandlers, type JobReply } from './jobs.js';
import { WorkerPool } from './pool.js';

/** The jobs a backend's workers serve: the table, and a factory starting a worker whose entry serves exactly it. */
export interface BrowserJobs {
  handlers: JobHandlers;
  /** Starts one worker: ./worker-browser.ts for BACKEND_JOBS, or a layer above's entry for its table. */
  worker: () => Worker;
}

export interface BrowserCpuOptions {
  /** Worker threads; 1 runs everything on the calling thread. */
  threads: number;
  /** Needed when threads > 1; with 1 thread only its table is used (default: the Backend operations). */
  jobs?: BrowserJobs;
}

export async function createBrowserCpuBackend(o: BrowserCpuOptions): Promise<CpuBackend> {
  if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256) throw new RangeError(`threads must be an integer in [1, 256], got ${o.threads}`);
  const jobs = o.jobs?.handlers ?? BACKEND_JOBS;
  if (o.threads === 1) return CpuBackend.create({ jobs });
  if (!o.jobs) throw new RangeError('threads > 1 needs the jobs: their table and a worker factory whose entry serves it');
  const spawn = o.jobs.worker;
  return CpuBackend.create({
    jobs,
    pool: new WorkerPool(o.threads, (on) => {
      const w = spawn();
      w.onmessage = (e: MessageEvent<JobReply>) => on.reply(e.data);
      w.onerror = (e) => on.fail(new Error(e.message || 'a CPU worker failed to start'));
      w.onmessageerror = () => on.fail(new Error('a CPU worker\'s reply could not be read'));
      return { post: (m, transfer) => w.postMessage(m, transfer), terminate: () => w.terminate() };
    }),
  });
}
