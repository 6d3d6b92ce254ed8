// Web Worker entry of the CPU backend (./browser.ts): one wasm instance per worker.
import { Kernels } from '../../wasm/kernels.js';
import { answerJob } from './jobs.js';

const k = Kernels.loadSync();
const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, transfer: Transferable[]): void };
scope.onmessage = (e) => {
  const { reply, transfer } = answerJob(k, e.data as Parameters<typeof answerJob>[1]);
  scope.postMessage(reply, transfer);
};
