// Worker-thread entry of the CPU backend (Node worker_threads): one wasm instance per worker.
import { parentPort } from 'node:worker_threads';
import { Kernels } from '../../wasm/kernels.js';
import { runJob, transferables, type Job } from './jobs.js';

const k = Kernels.loadSync();
parentPort!.on('message', ({ id, job }: { id: number; job: Job }) => {
  try {
    const result = runJob(k, job);
    parentPort!.postMessage({ id, result }, transferables(result));
  } catch (e) {
    parentPort!.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
