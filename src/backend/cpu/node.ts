// Node adapter: a CpuBackend whose heavy work runs on worker threads.
import { availableParallelism } from 'node:os';
import { CpuBackend } from './cpu-backend.js';
import { WorkerPool } from './pool.js';

/** threads = 1 runs everything on the calling thread; default: one per available core. */
export async function createNodeCpuBackend(opts: { threads?: number } = {}): Promise<CpuBackend> {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new RangeError(`threads must be an integer in [1, 256], got ${threads}`);
  return CpuBackend.create(threads > 1 ? { pool: new WorkerPool(threads) } : {});
}
