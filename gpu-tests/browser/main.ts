// The Chromium side of gpu-tests/browser.test.ts: builds the kernel cases' environment on the
// browser's WebGPU and runs cases by name. Outcomes cross the page boundary as plain values, so a
// failing case's message and in-page stack reach the test whole.
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { GpuBackend } from '../../src/backend/gpu/gpu-backend.js';
import { createBrowserGpuContext } from '../../src/gpu/browser.js';
import { adapterName } from '../../src/gpu/context.js';
import { CASES, SPLIT_BINDING_BYTES, type CaseEnv } from '../cases.js';

export interface CapsealPage {
  /** Creates the backends; the adapter's name, or why there is no GPU. */
  init(): Promise<{ adapter: string } | { error: string }>;
  run(name: string): Promise<{ ok: true } | { ok: false; error: string }>;
  destroy(): Promise<void>;
}

declare global {
  interface Window {
    capseal: CapsealPage;
  }
}

const detail = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

let env: CaseEnv | undefined;

window.capseal = {
  async init() {
    const made = await Promise.allSettled([
      createBrowserGpuContext().then((ctx) => GpuBackend.create(ctx)),
      createBrowserGpuContext({ maxBindingBytes: SPLIT_BINDING_BYTES }).then((ctx) => GpuBackend.create(ctx)),
      CpuBackend.create(),
    ] as const);
    const [gpu, split, cpu] = made;
    if (gpu.status === 'fulfilled' && split.status === 'fulfilled' && cpu.status === 'fulfilled') {
      env = { gpu: gpu.value, split: split.value, cpu: cpu.value };
      return { adapter: adapterName(gpu.value.adapter) };
    }
    // One failed: release the others rather than leave a device behind.
    await Promise.all(made.map((r) => r.status === 'fulfilled' && r.value.destroy()));
    const failure = made.find((r) => r.status === 'rejected')!.reason;
    return { error: failure instanceof Error ? failure.message : String(failure) };
  },

  async run(name) {
    const c = CASES.find((x) => x.name === name);
    if (!env) return { ok: false, error: 'init() has not created the backends' };
    if (!c) return { ok: false, error: `no case named "${name}"` };
    try {
      await c.run(env);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: detail(e) };
    }
  },

  async destroy() {
    await Promise.all([env?.gpu.destroy(), env?.split.destroy(), env?.cpu.destroy()]);
    env = undefined;
  },
};
