// The AIRs of Benchmark Policy v2's new workloads on the GPU backend, at the workloads' smallest
// sizes: keccak_chain_v1 (keccak_stream_v1: 2,796 columns, 3,361 constraints), keccak_merkle_v1
// (merkle_build_open_v1: Keccak-f plus a LogUp bus on the auxiliary segment) and mem_stream_v1
// (mem_stream_branch_v1: LogUp byte range checks). Each proof made on the GPU is byte-identical to the
// CPU's proof of the same statement under the policy's proof options, with every stage the device
// can run on the device, and verifies; a tampered statement does not. (A pack of the GPU track is
// gpu-tests/capsulebench.test.ts's, the same runner whatever the workload.)
// On SwiftShader the two Keccak AIRs take 3½ and 5 minutes (their trace LDE of ~2,800 columns: the
// NTT costs tens of ms a column there), more than CI's budget: they run on a hardware adapter, or with
// CAPSEAL_GPU_WIDE_TESTS=1 (both passed on SwiftShader so, 2026-12-06: 213 s and 310 s).
import { afterAll, describe, expect, it } from 'vitest';
import { AIRS, keccakChainSample, keccakMerkleSample, memStreamSample, type AirId } from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { SHIPPED_POLICY } from '../src/capsulebench/policy.js';
import { policyOptions } from '../src/capsulebench/runner.js';
import { prove } from '../src/prover/prover.js';
import { encodeProof } from '../src/stark/codec.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const shared: Promise<GpuBackend | string> = nodeGpuBackend();
afterAll(async () => {
  const gpu = await shared;
  if (typeof gpu !== 'string') await gpu.destroy();
});

const CASES: { id: AirId; logN: number; wide?: true; sample: (logN: number) => { trace: BigUint64Array[]; publicInputs: unknown } }[] = [
  { id: 'mem_stream_v1', logN: 8, sample: memStreamSample },
  { id: 'keccak_chain_v1', logN: 7, wide: true, sample: keccakChainSample },
  { id: 'keccak_merkle_v1', logN: 7, wide: true, sample: keccakMerkleSample },
];
// nodeGpuBackend chose SwiftShader (no hardware driver) when it set this, synchronously, above.
const wide = process.env['CAPSEAL_GPU_ADAPTER'] !== 'swiftshader' || process.env['CAPSEAL_GPU_WIDE_TESTS'] === '1';

describe('the new workloads\' AIRs on the GPU backend', () => {
  for (const c of CASES.filter((x) => wide || !x.wide))
    it(`${c.id} at 2^${c.logN} rows: GPU and CPU proofs are byte-identical and verify`, async (t) => {
      const gpu = requireGpu(await shared, t);
      const cpu = await CpuBackend.create();
      try {
        const k = await Kernels.load(), entry = AIRS[c.id], { trace, publicInputs } = c.sample(c.logN);
        const air = entry.air(publicInputs), pub = entry.encode(publicInputs), statementHash = new Uint8Array(32).fill(3);
        const input = { air, trace, statementHash, publicInputs: pub, options: policyOptions(SHIPPED_POLICY) };
        const onGpu = await prove(k, gpu, input);
        const onCpu = await prove(k, cpu, input);
        const where = Object.fromEntries(onGpu.stages.map((s) => [s.stage, s.backend]));
        for (const stage of ['trace lde', 'trace commit', 'constraints', 'composition commit', 'ood', 'deep composition', 'fri']) expect(where[stage], stage).toBe('gpu');
        if (air.aux) for (const stage of ['aux lde', 'aux commit']) expect(where[stage], stage).toBe('gpu');
        expect(Buffer.from(encodeProof(onGpu.proof)).equals(Buffer.from(encodeProof(onCpu.proof)))).toBe(true);
        expect(verifyProof(k, air, onGpu.proof, statementHash, pub, { minSecurityBits: 100 })).toEqual({ ok: true, securityBits: 100 });
        expect(verifyProof(k, air, onGpu.proof, new Uint8Array(32), pub, { minSecurityBits: 100 }).ok).toBe(false);
      } finally {
        await cpu.destroy();
      }
    }, 900_000);

});
