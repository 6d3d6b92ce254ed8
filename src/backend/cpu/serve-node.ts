/**
 * A Node worker thread serving CPU jobs: one wasm instance per worker, answering job messages from
 * the pool (./node.ts) with the handlers of its entry module (./worker.ts, or a layer above's).
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { Kernels } from '../../wasm/kernels.js';
import { answerJob, type Job, type JobHandlers } from './jobs.js';

export function serveNodeJobs(handlers: JobHandlers): void {
  const k = Kernels.loadSync();
  parentPort!.on('message', (msg: { id: number; job: Job }) => {
    const { reply, transfer } = answerJob(k, handlers, msg);
    parentPort!.postMessage(reply, transfer);
  });
}
