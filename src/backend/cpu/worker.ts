// Worker-thread entry of the CPU backend (Node worker_threads): one wasm instance per worker.
import { parentPort } from 'node:worker_threads';
import { Kernels } from '../../wasm/kernels.js';
import { answerJob } from './jobs.js';

const k = Kernels.loadSync();
parentPort!.on('message', (msg: Parameters<typeof answerJob>[1]) => {
  const { reply, transfer } = answerJob(k, msg);
  parentPort!.postMessage(reply, transfer);
});
