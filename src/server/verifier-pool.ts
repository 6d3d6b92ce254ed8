/**
 * N verification threads (./verify-thread.ts), one submission each at a time. A thread that crashes
 * or runs past the time limit is replaced, and its submission's promise rejects: the job engine
 * then retries it (./jobs.ts), so no submission is lost to a crash.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { VerifyOutcome, VerifyTask } from './verification.js';

const threadUrl = (): URL => new URL(import.meta.url.endsWith('.ts') ? './verify-thread-from-source.mjs' : './verify-thread.js', import.meta.url);

/** The pool was closed (the process is stopping) before or while it verified: not the submission's fault. */
export class PoolClosedError extends Error {
  constructor() {
    super('the verifier pool closed');
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class VerifierPool {
  readonly #slots: Slot[] = [];
  readonly #waiting: ((s: Slot | null) => void)[] = [];
  #closed = false;

  constructor(size: number, private readonly timeoutMs: number) {
    for (let i = 0; i < size; i++) this.#slots.push({ worker: this.#spawn(), busy: false });
  }

  #spawn(): Worker {
    const w = new Worker(threadUrl());
    w.unref();
    return w;
  }

  /** A free thread, or null once the pool is closed. */
  async #acquire(): Promise<Slot | null> {
    const idle = this.#slots.find((s) => !s.busy);
    const slot = idle ?? (await new Promise<Slot | null>((resolve) => this.#waiting.push(resolve)));
    if (slot) slot.busy = true;
    return slot;
  }

  #release(slot: Slot): void {
    slot.busy = false;
    const next = this.#waiting.shift();
    if (next) next(slot);
  }

  /** Verifies one submission on a free thread. */
  async run(task: VerifyTask): Promise<VerifyOutcome> {
    const slot = this.#closed ? null : await this.#acquire();
    if (!slot) throw new PoolClosedError();
    const w = slot.worker;
    try {
      return await new Promise<VerifyOutcome>((resolve, reject) => {
        const timer = setTimeout(() => fail(new Error(`verification ran past ${Math.round(this.timeoutMs / 1000)} s`)), this.timeoutMs);
        const done = () => {
          clearTimeout(timer);
          w.off('message', onMessage).off('error', fail).off('exit', onExit);
        };
        function fail(e: Error) {
          done();
          reject(e);
        }
        const onMessage = (m: { outcome: VerifyOutcome } | { error: string }) => {
          done();
          if ('error' in m) reject(new Error(`verification failed: ${m.error}`));
          else resolve(m.outcome);
        };
        const onExit = (code: number) => fail(new Error(`the verification thread exited with code ${code}`));
        w.on('message', onMessage).once('error', fail).once('exit', onExit);
        w.postMessage(task);
      });
    } catch (e) {
      if (this.#closed) throw new PoolClosedError();
      // A thread that failed or hung is not trusted with another submission.
      void w.terminate();
      slot.worker = this.#spawn();
      throw e;
    } finally {
      this.#release(slot);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w(null);
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
