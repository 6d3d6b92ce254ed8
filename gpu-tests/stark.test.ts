// capseal-stark-v1 with the GPU backend: the same inputs give byte-identical proofs on the CPU and
// on the GPU, and they verify. On the GPU run, the trace LDE and commitments, the constraint
// composition, its split into segments and their LDE, the OOD answers, the DEEP composition and
// every FRI fold and layer commitment run on the device, and opened rows are gathered there. A trace
// with one wrong cell is refused on the GPU with the same message as on the CPU (the device's degree
// check of the composition catches it), and a cheating GPU prover's proof is rejected. AIRs with an
// auxiliary segment (LogUp lookups and multiset equality) prove byte-identically too, their
// auxiliary LDE and commitment on the device, and a forged lookup proved on the GPU is rejected.
import { afterAll, describe, expect, it } from 'vitest';
import { AIRS, agentTrace, agentTraceV2, fibTrace, geomTrace } from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { encodeProof } from '../src/stark/codec.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import type { Column } from '../src/field/columns.js';
import type { Air } from '../src/stark/air.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';
import { permAir, permTrace, rangeAir, rangeTrace, SHUFFLED, VALUES } from '../test/helpers/lookup-airs.js';

// One device for the file: its pipelines (compiled per device, seconds each on SwiftShader) serve every test.
const shared: Promise<GpuBackend | string> = nodeGpuBackend();
afterAll(async () => {
  const gpu = await shared;
  if (typeof gpu !== 'string') await gpu.destroy();
});

const hex = (i: number) => i.toString(16).padStart(64, '0');
const actions = Array.from({ length: 11 }, (_, i) => ({
  action_type: i % 2 ? 'tool_call' : 'code_gen', instruction_hash: hex(3 * i + 1), input_hash: hex(3 * i + 2), output_hash: hex(3 * i + 3),
  success: true, gate_decision: 'allow', gate_score: 0.9, policy_verdict: null,
}));

const cases = [
  { id: 'geom_air_v1', make: () => geomTrace(6) },
  { id: 'fib_air_v1', make: () => fibTrace(5) },
  { id: 'agent_air_v1', make: () => agentTrace(actions) },
  { id: 'agent_air_v2', make: () => agentTraceV2(actions) },
] as const;

type Case = (typeof cases)[number];

/** Runs `body` with the shared GPU, a fresh CPU backend, and case `c`'s AIR, trace and public inputs. */
async function withCase(c: Case, t: { skip(): void }, body: (e: {
  gpu: GpuBackend; cpu: CpuBackend; k: Kernels; air: Air; trace: Column[]; pub: Uint8Array;
}) => Promise<void>): Promise<void> {
  const gpu = requireGpu(await shared, t);
  const cpu = await CpuBackend.create();
  try {
    const { trace, publicInputs } = c.make();
    const entry = AIRS[c.id];
    await body({ gpu, cpu, k: await Kernels.load(), air: entry.air(publicInputs), trace, pub: entry.encode(publicInputs) });
  } finally {
    await cpu.destroy();
  }
}

describe('STARK proofs on the GPU backend', () => {
  for (const c of cases)
    it(`${c.id}: GPU and CPU proofs are byte-identical and verify`, (t) =>
      withCase(c, t, async ({ gpu, cpu, k, air, trace, pub }) => {
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
      }));

  for (const c of cases)
    it(`${c.id}: a trace with one wrong cell is refused on the GPU as on the CPU; a cheating GPU proof is rejected`, (t) =>
      withCase(c, t, async ({ gpu, cpu, k, air, trace, pub }) => {
        const bad = trace.map((col) => col.slice());
        const row = trace[0]!.length >> 1;
        bad[0]![row] = bad[0]![row]! === 0n ? 1n : bad[0]![row]! - 1n;
        const statementHash = new Uint8Array(32).fill(5);
        const input = { air, trace: bad, statementHash, publicInputs: pub, options: TEST_OPTIONS_INSECURE };
        const onCpu = await prove(k, cpu, input).then(() => 'proved', (e: unknown) => String(e));
        expect(onCpu).toMatch(/UnsatisfiedConstraintError: trace violates (transition|boundary) constraint \d+(?: \(\w+\))? at row \d+/);
        await expect(prove(k, gpu, input)).rejects.toThrow(onCpu.replace(/^UnsatisfiedConstraintError: /, ''));
        const forged = await proveDishonestly(k, gpu, input);
        expect(verifyProof(k, air, forged.proof, statementHash, pub, { minSecurityBits: 0 }).ok).toBe(false);
      }));

  const auxCases = [
    { name: 'a range check (LogUp with multiplicities)', air: rangeAir, trace: () => rangeTrace(VALUES), forged: () => rangeTrace(VALUES.map((v, i) => (i === 3 ? 40 : v))) },
    { name: 'a multiset equality', air: permAir, trace: () => permTrace(SHUFFLED), forged: () => permTrace(SHUFFLED.map((v, i) => (i === 0 ? SHUFFLED[1]! : v))) },
  ];
  for (const c of auxCases)
    it(`${c.name}: the auxiliary segment proves byte-identically on the GPU; a forged one is rejected`, async (t) => {
      const gpu = requireGpu(await shared, t);
      const cpu = await CpuBackend.create();
      try {
        const k = await Kernels.load(), air = c.air(), pub = new Uint8Array([1]), statementHash = new Uint8Array(32).fill(9);
        const input = { air, trace: c.trace(), statementHash, publicInputs: pub, options: TEST_OPTIONS_INSECURE };
        const onGpu = await prove(k, gpu, input);
        const onCpu = await prove(k, cpu, input);
        const where = Object.fromEntries(onGpu.stages.map((s) => [s.stage, s.backend]));
        for (const stage of ['trace lde', 'aux lde', 'aux commit', 'constraints', 'ood', 'deep composition', 'fri']) expect(where[stage], stage).toBe('gpu');
        expect(Buffer.from(encodeProof(onGpu.proof)).equals(Buffer.from(encodeProof(onCpu.proof)))).toBe(true);
        expect(verifyProof(k, air, onGpu.proof, statementHash, pub, { minSecurityBits: 28 })).toEqual({ ok: true, securityBits: 28 });
        const forged = await proveDishonestly(k, gpu, { ...input, trace: c.forged() });
        expect(verifyProof(k, air, forged.proof, statementHash, pub, { minSecurityBits: 0 }).ok).toBe(false);
      } finally {
        await cpu.destroy();
      }
    });
});
