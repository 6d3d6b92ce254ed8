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

const describe = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

let env: CaseEnv | undefined;

window.capseal = {
  async init() {
    try {
      const [gpu, split, cpu] = await Promise.all([
        createBrowserGpuContext().then((ctx) => GpuBackend.create(ctx)),
        createBrowserGpuContext({ maxBindingBytes: SPLIT_BINDING_BYTES }).then((ctx) => GpuBackend.create(ctx)),
        CpuBackend.create(),
      ]);
      env = { gpu, split, cpu };
      return { adapter: adapterName(gpu.adapter) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  },

  async run(name) {
    const c = CASES.find((x) => x.name === name);
    if (!env) return { ok: false, error: 'init() has not created the backends' };
    if (!c) return { ok: false, error: `no case named "${name}"` };
    try {
      await c.run(env);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: describe(e) };
    }
  },

  async destroy() {
    await Promise.all([env?.gpu.destroy(), env?.split.destroy(), env?.cpu.destroy()]);
    env = undefined;
  },
};
