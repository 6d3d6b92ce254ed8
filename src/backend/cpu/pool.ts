/**
 * A fixed pool of worker threads running CPU jobs, whatever the runtime: the worker itself comes from
 * a spawner (./node.ts: Node worker_threads, unref'd so an idle pool never keeps the process alive;
 * ./browser.ts: Web Workers). Jobs go round robin; destroy() terminates the workers.
 *
 * @module
 */
import type { Job, JobReply, JobResult, JobRunner } from './jobs.js';

type Pending = { resolve: (r: JobResult) => void; reject: (e: Error) => void };

/** One worker as the pool drives it. */
export interface PoolWorker {
  post(message: { id: number; job: Job }, transfer: ArrayBuffer[]): void;
  terminate(): Promise<unknown> | void;
}

/** Starts a worker that answers job messages with JobReply and calls `fail` if it dies. */
export type SpawnWorker = (on: { reply(r: JobReply): void; fail(e: Error): void }) => PoolWorker;

export class WorkerPool implements JobRunner {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  /** Each worker's WebAssembly memory, as its last reply told. */
  private readonly memory: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private next = 0;
  /** Set when a worker dies: its jobs can never finish, so every later job fails fast. */
  private broken: Error | undefined;

  constructor(size: number, spawn: SpawnWorker) {
    this.size = size;
    this.memory = new Array<number>(size).fill(0);
    try {
      for (let w = 0; w < size; w++) this.workers.push(this.#start(w, spawn));
    } catch (e) {
      // A worker that cannot start (a browser's limit, a missing script): those started end too.
      for (const w of this.workers) void w.terminate();
      throw e;
    }
  }

  #start(w: number, spawn: SpawnWorker): PoolWorker {
    return spawn({
      reply: (msg) => {
        this.memory[w] = msg.memoryBytes;
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if ('error' in msg) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      },
      fail: (e) => this.fail(e),
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
      worker.post({ id, job }, transfer);
    });
  }

  memoryBytes(): number {
    return this.memory.reduce((a, b) => a + b, 0);
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
