// capseal-stark-v1 with the GPU backend: the same inputs give byte-identical proofs on the CPU and
// on the GPU, and they verify. On the GPU run, the trace LDE and commitments, the constraint
// composition, its split into segments and their LDE, the OOD answers, the DEEP composition and
// every FRI fold and layer commitment run on the device, and opened rows are gathered there.
import { describe, expect, it } from 'vitest';
import { AIRS, agentTrace, fibTrace, geomTrace } from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { encodeProof } from '../src/stark/codec.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { prove } from '../src/stark/prover.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const hex = (i: number) => i.toString(16).padStart(64, '0');
const actions = Array.from({ length: 11 }, (_, i) => ({
  action_type: i % 2 ? 'tool_call' : 'code_gen', instruction_hash: hex(3 * i + 1), input_hash: hex(3 * i + 2), output_hash: hex(3 * i + 3),
  success: true, gate_decision: 'allow', gate_score: 0.9, policy_verdict: null,
}));

const cases = [
  { id: 'geom_air_v1', make: () => geomTrace(6) },
  { id: 'fib_air_v1', make: () => fibTrace(5) },
  { id: 'agent_air_v1', make: () => agentTrace(actions) },
] as const;

describe('STARK proofs on the GPU backend', () => {
  for (const c of cases)
    it(`${c.id}: GPU and CPU proofs are byte-identical and verify`, async (t) => {
      const gpu = requireGpu(await nodeGpuBackend(), t);
      const cpu = await CpuBackend.create();
      try {
        const k = await Kernels.load();
        const { trace, publicInputs } = c.make();
        const entry = AIRS[c.id];
        const air = entry.air(publicInputs), pub = entry.encode(publicInputs);
        const statementHash = new Uint8Array(32).fill(7);
        const input = { air, trace, statementHash, publicInputs: pub, options: TEST_OPTIONS_INSECURE };
        const onGpu = await prove(k, gpu, input);
        const onCpu = await prove(k, cpu, input);
        const where = Object.fromEntries(onGpu.stages.map((s) => [s.stage, s.backend]));
        for (const stage of ['trace lde', 'trace commit', 'constraints', 'composition split', 'composition commit', 'ood', 'deep composition', 'fri'])
          expect(where[stage], stage).toBe('gpu');
        expect(Buffer.from(encodeProof(onGpu.proof)).equals(Buffer.from(encodeProof(onCpu.proof)))).toBe(true);
        expect(verifyProof(k, air, onGpu.proof, statementHash, pub, { minSecurityBits: 28 })).toEqual({ ok: true, securityBits: 28 });
        expect(verifyProof(k, air, onGpu.proof, new Uint8Array(32), pub, { minSecurityBits: 28 }).ok).toBe(false);
      } finally {
        await Promise.all([gpu.destroy(), cpu.destroy()]);
      }
    });
});
