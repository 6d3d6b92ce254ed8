/**
 * Worker-thread entry (Node): verifies submissions one at a time for ./verifier-pool.ts. Verification
 * is CPU-bound, so each of the server's N verifiers is a thread of its own; the kernels load once.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { Kernels } from '../wasm/kernels.js';
import { verifySubmission, type VerifyTask } from './verification.js';

const kernels = Kernels.load();
parentPort!.on('message', (task: VerifyTask) => {
  void (async () => {
    try {
      parentPort!.postMessage({ outcome: await verifySubmission(await kernels, task) });
    } catch (e) {
      parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
