// A fixed pool of worker threads running CPU jobs. Node-only (worker_threads): the browser build
// constructs CpuBackend without a pool. Workers are unref'd so an idle pool never keeps the
// process alive, and terminated by destroy().
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Job, JobResult, JobRunner } from './jobs.js';

type Pending = { resolve: (r: JobResult) => void; reject: (e: Error) => void };

/** Running from TypeScript sources (tests, tsx) the worker is a .ts file and needs tsx's loader. */
const workerUrl = (): URL =>
  new URL(import.meta.url.endsWith('.ts') ? './worker-from-source.mjs' : './worker.js', import.meta.url);

export class WorkerPool implements JobRunner {
  readonly size: number;
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private next = 0;
  /** Set when a worker dies: its jobs can never finish, so every later job fails fast. */
  private broken: Error | undefined;

  constructor(size = Math.max(1, availableParallelism())) {
    this.size = size;
    const url = workerUrl();
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(url);
      w.unref();
      w.on('message', (msg: { id: number; result?: JobResult; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.result!);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => this.fail(new Error(`worker exited with code ${code}`)));
      return w;
    });
  }

  /**
   * Runs a job on the next worker (round robin). Inputs are copied unless listed in `transfer` (then
   * they move to the worker and are unusable here); results are always transferred back.
   */
  run(job: Job, transfer: ArrayBuffer[] = []): Promise<JobResult> {
    if (this.broken) return Promise.reject(new Error(`CPU worker pool is unusable: ${this.broken.message}`));
    const id = this.nextId++;
    const worker = this.workers[this.next++ % this.size]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, job }, transfer);
    });
  }

  private fail(e: Error): void {
    this.broken ??= e;
    for (const p of this.pending.values()) p.reject(new Error(`CPU worker failed: ${e.message}`));
    this.pending.clear();
  }

  async destroy(): Promise<void> {
    this.fail(new Error('pool destroyed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
