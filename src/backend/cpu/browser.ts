// Browser adapter: a CpuBackend whose heavy work runs on Web Workers. The page supplies the worker
// (a bundler resolves `new Worker(new URL('…/worker-browser.ts', import.meta.url), { type: 'module' })`
// where it is written, so the library does not tie itself to one bundler's worker syntax).
import { CpuBackend } from './cpu-backend.js';
import { BACKEND_JOBS, type JobHandlers, type JobReply } from './jobs.js';
import { WorkerPool } from './pool.js';

export interface BrowserCpuOptions {
  /** Worker threads; 1 runs everything on the calling thread. */
  threads: number;
  /** Starts one worker running ./worker-browser.ts, or an entry serving `jobs` (needed when threads > 1). */
  worker?: () => Worker;
  /** The table the worker serves, used inline too (default: the Backend operations only). */
  jobs?: JobHandlers;
}

export async function createBrowserCpuBackend(o: BrowserCpuOptions): Promise<CpuBackend> {
  if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256) throw new RangeError(`threads must be an integer in [1, 256], got ${o.threads}`);
  const jobs = o.jobs ?? BACKEND_JOBS;
  if (o.threads === 1) return CpuBackend.create({ jobs });
  const spawn = o.worker;
  if (!spawn) throw new RangeError('threads > 1 needs a worker factory');
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
