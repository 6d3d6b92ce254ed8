// A fresh Worker that times one proof's verification for a run made in the page (src/capsulebench/verify-timing.ts).
import '../zod-csp.js';
import { timeVerification } from '../../../src/capsulebench/verify-timing.js';
import type { VerifyJob } from '../../../src/capsulebench/runner.js';
import { Kernels } from '../../../src/wasm/kernels.js';

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<VerifyJob>) => void) | null; postMessage(m: unknown): void };
scope.onmessage = async (e) => {
  try {
    scope.postMessage(timeVerification(await Kernels.load(), e.data));
  } catch (err) {
    scope.postMessage({ error: `the WebAssembly kernels did not load: ${err instanceof Error ? err.message : String(err)}`, rejected: false });
  }
};
