// The scheduler on a real adapter: a simulated device loss mid-run (the device destroyed under the
// scheduler's feet) and an input over the GPU's binding limit both finish on the CPU, with a notice,
// the same bytes as the CPU backend, and each stage recorded with the backend that ran it.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { ALL_ON_GPU, Scheduler } from '../src/backend/scheduler.js';
import { rng } from '../test/reference/model.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const column = rng(77n).column(1 << 9);

async function cpuReference(): Promise<Uint8Array> {
  const cpu = await CpuBackend.create();
  try {
    return await cpu.hashRows(await cpu.lde(await cpu.upload([column]), { blowup: 4, order: 'natural' }));
  } finally {
    await cpu.destroy();
  }
}

describe('scheduler on a GPU', () => {
  it('recovers from device loss: results already on the lost device are rebuilt on the CPU', async (t) => {
    const gpu = requireGpu(await nodeGpuBackend(), t);
    const notices: string[] = [];
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: ALL_ON_GPU, notice: (m) => notices.push(m) });
    try {
      const lde = await s.lde(await s.upload([column]), { blowup: 4, order: 'natural' });
      gpu.ctx.device.destroy(); // the LDE lived only on this device
      const leaves = await s.hashRows(lde);
      expect(Buffer.from(leaves).equals(Buffer.from(await cpuReference()))).toBe(true);
      expect(s.hasGpu).toBe(false);
      expect(notices.join('\n')).toMatch(/hashRows: the GPU is unavailable \(.*lost.*\); continuing on the CPU/);
      expect(s.stages.map((r) => `${r.op}:${r.backend}`)).toEqual(['lde:gpu', 'hashRows:cpu']);
      expect(s.stages[1]!.fallback).toMatch(/^gpu lost/);
    } finally {
      await s.destroy();
    }
  });

  it('runs an operation over the binding limit on the CPU and keeps the GPU for the rest', async (t) => {
    // 4 KiB bindings: the 2^9-row input fits, its 2^11-row LDE (16 KiB per column) does not.
    const gpu = requireGpu(await nodeGpuBackend({ maxBindingBytes: 4096 }), t);
    const notices: string[] = [];
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: ALL_ON_GPU, notice: (m) => notices.push(m) });
    try {
      const m = await s.upload([column]);
      const lde = await s.lde(m, { blowup: 4, order: 'natural' });
      const leaves = await s.hashRows(lde);
      await s.ntt(m);
      expect(Buffer.from(leaves).equals(Buffer.from(await cpuReference()))).toBe(true);
      expect(notices.join('\n')).toMatch(/lde: exceeds the GPU's limits/);
      expect(s.stages.map((r) => `${r.op}:${r.backend}`)).toEqual(['lde:cpu', 'hashRows:cpu', 'ntt:gpu']);
      expect(s.hasGpu).toBe(true);
    } finally {
      await s.destroy();
    }
  });

  it('auto places each operation by its measured threshold', async (t) => {
    const gpu = requireGpu(await nodeGpuBackend(), t);
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: { ...ALL_ON_GPU, ntt: 1 << 10, hashRows: Infinity } });
    try {
      const small = await s.upload([column]);
      const big = await s.upload([rng(3n).column(1 << 10)]);
      await s.ntt(small);
      await s.ntt(big);
      await s.hashRows(big);
      expect(s.stages.map((r) => `${r.op}:${r.backend}:${r.size}`)).toEqual(['ntt:cpu:512', 'ntt:gpu:1024', 'hashRows:cpu:1024']);
    } finally {
      await s.destroy();
    }
  });
});
