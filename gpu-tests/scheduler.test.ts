// The scheduler on a real adapter: a simulated device loss mid-run (the device destroyed under the
// scheduler's feet), an input over the GPU's binding limit and an allocation the device has no memory
// for (a real out-of-memory error, provoked by asking for maxBufferSize) all finish on the CPU, with a notice,
// the same bytes as the CPU backend, and each stage recorded with the backend that ran it. The same
// for a whole proof that the scheduler runs resident on the GPU (`prove --backend gpu|auto`).
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { ALL_ON_GPU, Scheduler } from '../src/backend/scheduler.js';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { encodeProof } from '../src/stark/codec.js';
import { prove } from '../src/prover/prover.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { rng } from '../test/reference/model.js';
import { cpuProofBytes, geomProofInput } from '../test/helpers/proof.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const column = rng(77n).column(1 << 9);

/**
 * Makes the device's allocations whose label starts with `label` ask for maxBufferSize bytes, which
 * Vulkan drivers refuse with an out-of-memory error (the reason for the context's headroom): a
 * device out of memory at that allocation. Skips (fails under CAPSEAL_REQUIRE_GPU=1) on an adapter
 * that grants the allocation.
 */
async function exhaustMemoryAt(gpu: GpuBackend, label: string, t: { skip(): void }): Promise<void> {
  const d = gpu.ctx.device, create = d.createBuffer.bind(d), size = gpu.ctx.limits.maxBufferSize;
  d.pushErrorScope('out-of-memory');
  create({ size, usage: 0x80 }).destroy(); // STORAGE
  if (!(await d.popErrorScope())) requireGpu(`this adapter grants a buffer of maxBufferSize (${size} bytes)`, t);
  d.createBuffer = (desc) => create(desc.label?.startsWith(label) ? { ...desc, size } : desc);
}

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

  it('an allocation the device has no memory for: the operation runs on the CPU and the GPU is kept', async (t) => {
    const gpu = requireGpu(await nodeGpuBackend(), t);
    await exhaustMemoryAt(gpu, 'lde[', t);
    const notices: string[] = [];
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: ALL_ON_GPU, notice: (m) => notices.push(m) });
    try {
      const m = await s.upload([column]);
      const leaves = await s.hashRows(await s.lde(m, { blowup: 4, order: 'natural' }));
      await s.ntt(m);
      expect(Buffer.from(leaves).equals(Buffer.from(await cpuReference()))).toBe(true);
      expect(notices.join('\n')).toMatch(/^lde: exceeds the GPU's limits \(out of GPU memory allocating lde\[0\.\.1\) \(\d+ bytes\): /);
      expect(s.stages.map((r) => `${r.op}:${r.backend}`)).toEqual(['lde:cpu', 'hashRows:gpu', 'ntt:gpu']);
      expect(s.stages[0]!.fallback).toMatch(/^gpu limits: out of GPU memory/);
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

describe('a whole proof on the scheduler\'s GPU', () => {
  const input = geomProofInput(7, 9);
  const { air, statementHash, publicInputs: pub } = input;
  const cpuProof = () => cpuProofBytes(input);

  /** Proves on a scheduler over `gpu` (everything on the GPU); returns the result and the notices. */
  async function proveOn(gpu: GpuBackend) {
    const notices: string[] = [];
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: ALL_ON_GPU, notice: (m) => notices.push(m), choice: 'gpu' });
    try {
      const k = await Kernels.load();
      const r = await prove(k, s, input);
      expect(verifyProof(k, air, r.proof, statementHash, pub, { minSecurityBits: 0 }).ok).toBe(true);
      expect(verifyProof(k, air, r.proof, new Uint8Array(32), pub, { minSecurityBits: 0 }).ok).toBe(false);
      return { r, notices, hasGpu: s.hasGpu };
    } finally {
      await s.destroy();
    }
  }

  it('runs resident on the device: every step on the GPU, the CPU\'s bytes', async (t) => {
    const gpu = requireGpu(await nodeGpuBackend(), t);
    const { r, notices } = await proveOn(gpu);
    expect(notices).toEqual([]);
    expect(r.backend).toBe(gpu.description);
    for (const stage of ['trace lde', 'trace commit', 'constraints', 'composition split', 'deep composition', 'fri'])
      expect(r.stages.find((st) => st.stage === stage)?.backend, stage).toBe('gpu');
    expect(Buffer.from(encodeProof(r.proof)).equals(await cpuProof())).toBe(true);
  });

  it('device lost mid-proof: proved again on the CPU with a notice, the same bytes', async (t) => {
    const gpu = requireGpu(await nodeGpuBackend(), t);
    const lde = gpu.lde.bind(gpu);
    gpu.lde = async (m, o) => {
      const out = await lde(m, o);
      gpu.ctx.device.destroy(); // the trace LDE lived only on this device
      return out;
    };
    const { r, notices, hasGpu } = await proveOn(gpu);
    expect(hasGpu).toBe(false);
    expect(notices.join('\n')).toMatch(/^prove: the GPU is unavailable \(.*lost.*\); continuing on the CPU$/);
    expect(r.stages[0]).toMatchObject({ stage: 'gpu attempt', backend: 'gpu' });
    expect(r.stages[0]!.note).toMatch(/^gpu lost: /);
    expect(r.stages.slice(1).every((st) => st.backend === 'cpu')).toBe(true);
    expect(Buffer.from(encodeProof(r.proof)).equals(await cpuProof())).toBe(true);
  });

  it('a trace LDE over the binding limit: proved through the scheduler, the GPU kept for what fits', async (t) => {
    // 4 KiB bindings: the 2^7-row trace columns (1 KiB) fit, their 2^9-row LDE columns (4 KiB) fit,
    // the LDE's row digests (2^9 × 32 B = 16 KiB) do not.
    const gpu = requireGpu(await nodeGpuBackend({ maxBindingBytes: 4096 }), t);
    const { r, notices, hasGpu } = await proveOn(gpu);
    expect(hasGpu).toBe(true);
    expect(notices[0]).toMatch(/^prove: exceeds the GPU's limits/);
    expect(r.stages[0]!.note).toMatch(/^gpu limits: /);
    expect(r.stages.find((st) => st.stage === 'trace lde')?.backend).toBe('gpu');
    expect(Buffer.from(encodeProof(r.proof)).equals(await cpuProof())).toBe(true);
  });

  it('the device out of memory mid-proof (the composition): proved through the scheduler, the same bytes', async (t) => {
    const gpu = requireGpu(await nodeGpuBackend(), t);
    await exhaustMemoryAt(gpu, 'composition[', t);
    const { r, notices, hasGpu } = await proveOn(gpu);
    expect(hasGpu).toBe(true);
    expect(notices[0]).toMatch(/^prove: exceeds the GPU's limits \(out of GPU memory allocating composition\[0\.\.2\)/);
    expect(r.stages[0]).toMatchObject({ stage: 'gpu attempt', backend: 'gpu' });
    expect(r.stages[0]!.note).toMatch(/^gpu limits: out of GPU memory/);
    expect(Buffer.from(encodeProof(r.proof)).equals(await cpuProof())).toBe(true);
  });
});
