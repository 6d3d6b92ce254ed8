// The scheduler without a GPU: `auto` on a machine with no adapter falls back to the CPU with a
// notice and records every stage on the CPU; `gpu` there is an error. (Device loss and limits, which
// need a real adapter, are in gpu-tests/scheduler.test.ts.)
import { describe, expect, it } from 'vitest';
import { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { createNodeBackend } from '../src/backend/node.js';
import { GpuContext } from '../src/gpu/context.js';
import { GpuUnavailableError } from '../src/gpu/errors.js';
import { nodeShaderLibrary } from '../src/gpu/shaders-node.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { rng } from './reference/model.js';

/** A WebGPU implementation that has no adapter, as on a machine without a GPU or driver. */
const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
const acquireGpu = async () => GpuBackend.create(await GpuContext.create(noAdapter, nodeShaderLibrary()));

describe('scheduler without an adapter', () => {
  it('auto falls back to the CPU with a notice, and results match the CPU backend', async () => {
    const notices: string[] = [];
    const s = await createNodeBackend({ choice: 'auto', threads: 1, acquireGpu, notice: (m) => notices.push(m) });
    const cpu = await CpuBackend.create();
    try {
      expect(s.hasGpu).toBe(false);
      expect(notices.join('\n')).toMatch(/no GPU: no WebGPU adapter is available; running on the CPU/);
      const col = rng(5n).column(1 << 8);
      const m = await s.upload([col]);
      const l = await s.lde(m, { blowup: 4, order: 'bit-reversed' });
      const leaves = await s.hashRows(l);
      const ref = await cpu.hashRows(await cpu.lde(await cpu.upload([col]), { blowup: 4, order: 'bit-reversed' }));
      expect(Buffer.from(leaves).equals(Buffer.from(ref))).toBe(true);
      expect(s.stages.map((r) => `${r.op}:${r.backend}`)).toEqual(['lde:cpu', 'hashRows:cpu']);
    } finally {
      await Promise.all([s.destroy(), cpu.destroy()]);
    }
  });

  it('gpu without an adapter is an error, not a silent CPU run', async () => {
    await expect(createNodeBackend({ choice: 'gpu', threads: 1, acquireGpu })).rejects.toThrow(GpuUnavailableError);
  });

  it('a runtime without WebGPU at all is reported as unavailable', async () => {
    await expect(GpuContext.create(undefined, nodeShaderLibrary())).rejects.toThrow(/no WebGPU implementation/);
  });
});
