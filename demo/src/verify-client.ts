// "Verify in your browser": runs the pack verifier (the CLI's and the server's code) in a Worker,
// telling each check as it runs; resolves with the report, the milliseconds and this page's verifier build.
import type { PackCheck, PackReport } from '../../src/capsulebench/contract.js';
import { pageVerifier } from './build-info.js';
import type { VerifyPackMessage } from './workers/verify-pack.worker.js';

/** `signal` ends the worker (the page was left); the promise then rejects. */
export async function verifyInBrowser(bytes: Uint8Array, onCheck: (c: PackCheck) => void, signal?: AbortSignal): Promise<{ report: PackReport; ms: number; build: { version: string; build_hash: string } }> {
  const build = await pageVerifier();
  const w = new Worker(new URL('./workers/verify-pack.worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new Error('verification stopped: the page was left')), { once: true });
      w.onmessage = (e: MessageEvent<VerifyPackMessage>) => {
        const m = e.data;
        if (m.kind === 'check') onCheck(m.check);
        else if (m.kind === 'done') resolve({ report: m.report, ms: m.ms, build });
        else reject(new Error(`the verifier failed: ${m.message}`));
      };
      w.onerror = (e) => reject(new Error(`the verifier worker failed: ${e.message || 'it did not start'}`));
      w.postMessage(bytes);
    });
  } finally {
    w.terminate();
  }
}
