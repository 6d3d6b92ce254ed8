// Node adapter: a CpuBackend whose heavy work runs on worker threads (worker_threads).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CpuBackend } from './cpu-backend.js';
import type { JobReply } from './jobs.js';
import { WorkerPool } from './pool.js';

/** Running from TypeScript sources (tests, tsx) the worker is a .ts file and needs tsx's loader. */
const workerUrl = (): URL =>
  new URL(import.meta.url.endsWith('.ts') ? './worker-from-source.mjs' : './worker.js', import.meta.url);

/** A pool of `size` Node worker threads. */
export function nodeWorkerPool(size: number): WorkerPool {
  const url = workerUrl();
  return new WorkerPool(size, (on) => {
    const w = new Worker(url);
    w.unref();
    w.on('message', (msg: JobReply) => on.reply(msg));
    w.on('error', (e) => on.fail(e));
    w.on('exit', (code) => on.fail(new Error(`worker exited with code ${code}`)));
    return { post: (m, transfer) => w.postMessage(m, transfer), terminate: () => w.terminate() };
  });
}

/** threads = 1 runs everything on the calling thread; default: one per available core. */
export async function createNodeCpuBackend(opts: { threads?: number } = {}): Promise<CpuBackend> {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new RangeError(`threads must be an integer in [1, 256], got ${threads}`);
  return CpuBackend.create(threads > 1 ? { pool: nodeWorkerPool(threads) } : {});
}
