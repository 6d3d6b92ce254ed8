// The scheduler without a GPU: `auto` on a machine with no adapter falls back to the CPU with a
// notice and records every stage on the CPU; `gpu` there is an error. The prover's resident-GPU
// fallback is driven here by a stand-in GPU that fails on cue. (Device loss and limits on a real
// adapter are in gpu-tests/scheduler.test.ts.)
import { describe, expect, it } from 'vitest';
import { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { createNodeBackend } from '../src/prover/node.js';
import { GpuContext } from '../src/gpu/context.js';
import { runDispatches } from '../src/gpu/dispatch.js';
import { GpuDeviceLostError, GpuLimitError, GpuOperationError, GpuUnavailableError } from '../src/gpu/errors.js';
import type { Backend } from '../src/backend/backend.js';
import { ALL_ON_GPU, Scheduler } from '../src/backend/scheduler.js';
import { encodeProof } from '../src/stark/codec.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { prove } from '../src/prover/prover.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { nodeShaderLibrary } from '../src/gpu/shaders-node.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { rng } from './reference/model.js';
import { cpuProofBytes, geomProofInput } from './helpers/proof.js';

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

/** A stand-in GPU: the CPU backend under another name, whose `failAt`-th hashRows throws `error`. */
function flakyGpu(inner: CpuBackend, failAt: number, error: Error): Backend & { destroyed: boolean } {
  let calls = 0;
  return {
    kind: 'cpu', description: 'gpu: stand-in', destroyed: false,
    upload: (c) => inner.upload(c), download: (m) => inner.download(m), read: (m) => inner.download(m), ntt: (m) => inner.ntt(m), intt: (m) => inner.intt(m),
    lde: (m, o) => inner.lde(m, o), merkleTree: (l) => inner.merkleTree(l), release: (m) => inner.release(m),
    async hashRows(m) {
      if (++calls === failAt) throw error;
      return inner.hashRows(m);
    },
    async destroy() {
      this.destroyed = true;
      await inner.destroy();
    },
  };
}

describe('prover on the scheduler', () => {
  const input = geomProofInput(6, 3);
  const { air, statementHash, publicInputs: pub } = input;
  // LDE cells of this proof: 2^6 rows × blowup 4 × 5 columns.
  const cells = 64 * TEST_OPTIONS_INSECURE.blowup * air.width;

  const cases = [
    { name: 'a GPU lost mid-proof is dropped', error: new GpuDeviceLostError('the GPU device was lost (destroyed)'), kept: false, note: /^gpu lost: / },
    { name: 'a proof over the GPU limits keeps the GPU for smaller work', error: new GpuLimitError('too big'), kept: true, note: /^gpu limits: too big/ },
  ];
  for (const c of cases)
    it(`${c.name}; the proof is made again through the scheduler, same bytes, with a notice and a record`, async () => {
      const gpu = flakyGpu(await CpuBackend.create(), 2, c.error); // the 2nd hashRows: the composition commit
      const notices: string[] = [];
      const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: ALL_ON_GPU, notice: (m) => notices.push(m), choice: 'gpu' });
      try {
        const k = await Kernels.load();
        const r = await prove(k, s, input);
        expect(Buffer.from(encodeProof(r.proof)).equals(await cpuProofBytes(input))).toBe(true);
        expect(verifyProof(k, air, r.proof, statementHash, pub, { minSecurityBits: 0 }).ok).toBe(true);
        expect(verifyProof(k, air, r.proof, new Uint8Array(32), pub, { minSecurityBits: 0 }).ok).toBe(false);
        expect(notices).toHaveLength(1);
        expect(notices[0]).toMatch(c.kept ? /^prove: exceeds the GPU's limits/ : /^prove: the GPU is unavailable/);
        expect(r.stages[0]).toMatchObject({ stage: 'gpu attempt', backend: 'gpu' });
        expect(r.stages[0]!.note).toMatch(c.note);
        expect(s.hasGpu).toBe(c.kept);
        expect(gpu.destroyed).toBe(!c.kept);
        // The rerun is labelled by where the scheduler placed each operation.
        const where = Object.fromEntries(r.stages.slice(1).map((st) => [st.stage, st.backend]));
        expect(where['constraints']).toBe('cpu');
        expect(where['trace lde']).toBe(c.kept ? 'gpu' : 'cpu');
        expect(r.backend).toMatch(c.kept ? /^gpu: gpu: stand-in \| cpu: wasm/ : /^gpu: cpu: wasm .*\(no GPU\)$/);
      } finally {
        await s.destroy();
      }
    });

  it('resident only from the LDE threshold on: below it, the proof runs through the per-operation path', async () => {
    const gpu = flakyGpu(await CpuBackend.create(), 0, new Error('unused'));
    const below = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: { ...ALL_ON_GPU, lde: cells + 1, hashRows: Infinity } });
    try {
      const r = await prove(await Kernels.load(), below, input);
      expect(r.backend).toMatch(/^auto: /);
      expect(r.stages.find((st) => st.stage === 'trace lde')!.backend).toBe('cpu');
      expect(below.residentGpu('lde', cells)).toBeUndefined();
      expect(below.residentGpu('lde', cells + 1)).toBe(gpu);
    } finally {
      await below.destroy();
    }
  });

  it('read: a matrix with a CPU copy is read in place; one only on the GPU is downloaded', async () => {
    const gpuSide = await CpuBackend.create();
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu: flakyGpu(gpuSide, 0, new Error('unused')), thresholds: { ...ALL_ON_GPU, lde: Infinity } });
    try {
      const col = rng(6n).column(1 << 6);
      const m = await s.upload([col]);
      const [seen] = await s.read(m);
      expect(seen).toEqual(col);
      expect((await s.read(m))[0]).toBe(seen); // the CPU copy itself
      const onGpu = await s.ntt(m);
      const [a] = await s.read(onGpu), [b] = await s.read(onGpu);
      expect(a).toEqual((await gpuSide.download(await gpuSide.ntt(await gpuSide.upload([col]))))[0]);
      expect(a).not.toBe(b); // downloads
      expect(s.stages.map((r) => `${r.op}:${r.backend}`)).toEqual(['ntt:gpu']);
    } finally {
      await s.destroy();
    }
  });

  it('an error that is not a GPU failure is reported, not hidden by a CPU rerun', async () => {
    const gpu = flakyGpu(await CpuBackend.create(), 1, new GpuOperationError('hashRows: validation error'));
    const s = new Scheduler({ cpu: await CpuBackend.create(), gpu, thresholds: ALL_ON_GPU });
    try {
      await expect(prove(await Kernels.load(), s, input)).rejects.toThrow(GpuOperationError);
    } finally {
      await s.destroy();
    }
  });
});

describe('GPU limits', () => {
  /** A WebGPU stand-in whose adapter and device report `limits` (no GPU work is done with it). */
  const reporting = (limits: Record<string, number>): GPU => {
    const device = { limits, features: new Set(), lost: new Promise(() => {}) };
    const adapter = { limits, features: new Set(), info: { vendor: 'stand-in' }, requestDevice: async () => device };
    return { requestAdapter: async () => adapter } as unknown as GPU;
  };
  const base = {
    maxStorageBuffersPerShaderStage: 8, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024, maxComputeWorkgroupsPerDimension: 65535,
  };

  it('binding sizes of 2^31 bytes and more (real discrete GPUs) are kept, 2 MiB under the buffer limit, at most 2^32 − 2^21, rounded down to 256 bytes', async () => {
    const cases = [
      [2 ** 32 - 4, 2 ** 40, 2 ** 32 - 2 ** 21],
      [2 ** 31, 2 ** 31 + 5, 2 ** 31 - 2 ** 21],
      [2 ** 31 - 4, 2 ** 33, 2 ** 31 - 256],
      [2 ** 30 + 100, 2 ** 30, 2 ** 30 - 2 ** 21],
    ] as const;
    for (const [binding, buffer, want] of cases) {
      const ctx = await GpuContext.create(reporting({ ...base, maxStorageBufferBindingSize: binding, maxBufferSize: buffer }), nodeShaderLibrary());
      expect(ctx.maxBindingBytes).toBe(want);
    }
  });

  it('a dispatch over the workgroup limit is a GpuLimitError (the scheduler falls back); a malformed count is a bug', async () => {
    const ctx = { limits: { maxComputeWorkgroupsPerDimension: 65535 } } as GpuContext;
    const dispatch = (groups: [number, number?]) => runDispatches(ctx, 'test', [{ pipeline: {} as GPUComputePipeline, resources: [], params: new Uint32Array(4), groups }]);
    await expect(dispatch([65536])).rejects.toThrow(GpuLimitError);
    await expect(dispatch([1, 65536])).rejects.toThrow(/test: workgroup count 1×65536 outside \[1, 65535\] per dimension/);
    for (const bad of [[0], [1.5], [4, 0]] as [number, number?][]) {
      const e = await dispatch(bad).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RangeError);
      expect(e).not.toBeInstanceOf(GpuLimitError);
      expect(String(e)).toMatch(/is not a positive integer/);
    }
  });
});
