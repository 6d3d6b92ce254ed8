// `bench prove`: a whole capseal-stark-v1 proof of a GEOM, FIB or AGENT trace of 2^N rows, then its
// verification; prints prove_ms (median, min, max), verify_ms (median), proof_bytes, security_bits
// and the per-stage times with the backend that ran each stage. `gpu-vs-cpu --op prove` runs the
// same job (proveJob) on both backends.
import { createHash } from 'node:crypto';
import { AIRS, agentTraceV2, fibTrace, geomTrace, type AirId } from '../src/airs/index.js';
import type { Backend } from '../src/backend/backend.js';
import type { Column } from '../src/field/columns.js';
import { encodeProof } from '../src/stark/codec.js';
import { MIN_LOG_N } from '../src/airs/public-inputs.js';
import { DEFAULT_OPTIONS, DEFAULT_SECURITY_BITS, securityBits } from '../src/stark/options.js';
import { prove, type StageTiming } from '../src/prover/prover.js';
import type { StarkProof } from '../src/stark/proof.js';
import { verifyProof, type StarkVerdict } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import type { Measured } from './backends.js';
import { CheckFailed, progress, time } from './measure.js';

// agent: the AIR `capseal prove --air agent` proves with.
export const PROVE_AIRS = { geom: 'geom_air_v1', fib: 'fib_air_v1', agent: 'agent_air_v2' } as const satisfies Record<string, AirId>;
export type ProveAir = keyof typeof PROVE_AIRS;

/** One untimed proof first: JIT tiers, and on a GPU the pipelines' compilation. */
export const PROVE_WARMUP = 1;
const VERIFY_WARMUP = 5;
const VERIFY_RUNS = 15;

/**
 * The fewest trace rows (log2) a proof at the default options can be proved and verified with: below
 * it there are too few distinct query positions for DEFAULT_SECURITY_BITS (2^3 rows give 64 bits).
 */
export const MIN_PROVE_LOG_N = Array.from({ length: 64 }, (_, n) => n)
  .find((n) => n >= MIN_LOG_N && securityBits(n, DEFAULT_OPTIONS) >= DEFAULT_SECURITY_BITS)!;

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A synthetic agent log of 2^logN actions (deterministic). */
export function agentLog(logN: number): unknown[] {
  return Array.from({ length: 2 ** logN }, (_, i) => ({
    action_type: i % 3 ? 'tool_call' : 'code_gen', instruction_hash: hex(`i${i}`), input_hash: hex(`in${i}`),
    output_hash: hex(`out${i}`), success: i % 7 !== 0, gate_decision: i % 5 ? 'allow' : 'skip', gate_score: i % 2 ? 0.5 : null,
    policy_verdict: i % 4 ? 'ok' : null,
  }));
}

function traceFor(air: ProveAir, logN: number): { trace: Column[]; publicInputs: unknown } {
  if (air === 'geom') return geomTrace(logN);
  if (air === 'fib') return fibTrace(logN);
  return agentTraceV2(agentLog(logN));
}

/** A proof job: the trace and statement of one AIR at 2^logN rows, ready to prove on any backend. */
export interface ProveJob {
  label: string;
  run(backend: Backend): ReturnType<typeof prove>;
  verify(proof: StarkProof): StarkVerdict;
}

export async function proveJob(airName: ProveAir, logN: number): Promise<ProveJob> {
  const k = await Kernels.load();
  const { trace, publicInputs } = traceFor(airName, logN);
  const entry = AIRS[PROVE_AIRS[airName]];
  const air = entry.air(publicInputs);
  const pub = entry.encode(publicInputs);
  const statementHash = createHash('sha256').update(`capseal bench ${airName} ${logN}`).digest();
  return {
    label: `prove: ${air.id}, 2^${logN} rows × ${air.width} columns, default options`,
    run: (backend) => prove(k, backend, { air, trace, statementHash, publicInputs: pub, options: DEFAULT_OPTIONS }),
    verify: (proof) => verifyProof(k, air, proof, statementHash, pub, { minSecurityBits: DEFAULT_SECURITY_BITS }),
  };
}

export interface ProveRecord {
  prove_ms: number;
  prove_min_ms: number;
  prove_max_ms: number;
  verify_ms: number;
  proof_bytes: number;
  security_bits: number;
  stages: StageTiming[];
  prove_runs: number;
}

/** Proving runs (after one warm-up: JIT, GPU pipelines), then verification runs of the last proof. */
export async function benchProve(mb: Measured, airName: ProveAir, logN: number, runs: number): Promise<ProveRecord> {
  const job = await proveJob(airName, logN);
  progress(`${job.label}, ${mb.backend.description}`);
  let last: Awaited<ReturnType<typeof prove>> | undefined;
  let r = 0;
  const s = await time(async () => {
    const t0 = performance.now();
    last = await job.run(mb.backend);
    progress(`  ${r++ < PROVE_WARMUP ? 'warm-up' : `run ${r - PROVE_WARMUP}/${runs}`}: ${(performance.now() - t0).toFixed(0)} ms`);
  }, runs, PROVE_WARMUP);
  const { proof, stages } = last!;
  // Verification is timed after warm-up runs (JIT, and the collector reclaiming the prover's memory).
  const v = await time(() => {
    const res = job.verify(proof);
    if (!res.ok) throw new CheckFailed(`the proof did not verify: ${res.code}: ${res.message}`);
  }, VERIFY_RUNS, VERIFY_WARMUP);
  return {
    prove_ms: s.median_ms, prove_min_ms: s.min_ms, prove_max_ms: s.max_ms, verify_ms: v.median_ms,
    proof_bytes: encodeProof(proof).length, security_bits: proof.securityBits,
    stages: stages.map((st) => ({ ...st, ms: Math.round(st.ms) })), prove_runs: runs,
  };
}
