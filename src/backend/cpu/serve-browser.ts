/**
 * A Web Worker serving CPU jobs: one wasm instance per worker, answering job messages from the pool
 * (./browser.ts) with the handlers of its entry module (./worker-browser.ts, or a layer above's).
 *
 * @module
 */
import { Kernels } from '../../wasm/kernels.js';
import { answerJob, type Job, type JobHandlers } from './jobs.js';

export function serveBrowserJobs(handlers: JobHandlers): void {
  const k = Kernels.loadSync();
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, transfer: Transferable[]): void };
  scope.onmessage = (e) => {
    const { reply, transfer } = answerJob(k, handlers, e.data as { id: number; job: Job });
    scope.postMessage(reply, transfer);
  };
}
