// `bench prove`: a whole capseal-stark-v1 proof of a GEOM, FIB or AGENT trace of 2^N rows, then its
// verification; prints prove_ms (median, min, max), verify_ms (steady-state median) and verify_first_ms, proof_bytes, security_bits
// and the per-stage times with the backend that ran each stage. `gpu-vs-cpu --op prove` runs the
// same job (proveJob) on both backends.
import { createHash } from 'node:crypto';
import { AIR_BY_NAME, AIRS, sampleActionLog, type AirEntry } from '../src/airs/index.js';
import type { Backend } from '../src/backend/backend.js';
import { encodeProof } from '../src/stark/codec.js';
import { MIN_LOG_N } from '../src/airs/public-inputs.js';
import { DEFAULT_OPTIONS, DEFAULT_SECURITY_BITS, securityBits, type ProofOptions } from '../src/stark/options.js';
import { prove, type StageTiming } from '../src/prover/prover.js';
import type { StarkProof } from '../src/stark/proof.js';
import { verifyProof, type StarkVerdict } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import type { Measured } from './backends.js';
import { CheckFailed, progress, time } from './measure.js';

/** The AIRs a proof benchmark runs, by short name (the registry's: agent is the AIR `capseal prove --air agent` proves with). */
export const PROVE_AIRS = AIR_BY_NAME;
export type ProveAir = string;

/** One untimed proof first: JIT tiers, and on a GPU the pipelines' compilation. */
export const PROVE_WARMUP = 1;
/** V8 optimizes the verifier's JavaScript only after a few dozen calls; the median is of the steady state. */
const VERIFY_WARMUP = 50;
const VERIFY_RUNS = 51;

/**
 * The fewest trace rows (log2) a proof at the default options can be proved and verified with: below
 * it there are too few distinct query positions for DEFAULT_SECURITY_BITS (2^3 rows give 64 bits).
 */
export const MIN_PROVE_LOG_N = minLogNFor(DEFAULT_OPTIONS);

function minLogNFor(options: ProofOptions): number {
  return Array.from({ length: 64 }, (_, n) => n).find((n) => n >= MIN_LOG_N && securityBits(n, options) >= DEFAULT_SECURITY_BITS)!;
}

/** The proof options a benchmark of `airName` proves with: its registry entry's, else the default. */
export const proveOptions = (airName: ProveAir): ProofOptions => {
  const id = PROVE_AIRS[airName];
  return (id === undefined ? undefined : (AIRS[id] as AirEntry).options) ?? DEFAULT_OPTIONS;
};

/** MIN_PROVE_LOG_N for `airName`'s proof options (Keccak's blowup 4 with 42 queries needs 2^6 rows) and its sample. */
export const minProveLogN = (airName: ProveAir): number => {
  const id = PROVE_AIRS[airName];
  return Math.max(minLogNFor(proveOptions(airName)), (id === undefined ? undefined : (AIRS[id] as AirEntry).minLogN) ?? MIN_LOG_N);
};

/** A synthetic agent log of 2^logN actions (deterministic). */
export const agentLog = (logN: number): unknown[] => sampleActionLog(2 ** logN);

/** A proof job: the trace and statement of one AIR at 2^logN rows, ready to prove on any backend. */
export interface ProveJob {
  label: string;
  run(backend: Backend): ReturnType<typeof prove>;
  verify(proof: StarkProof): StarkVerdict;
}

export async function proveJob(airName: ProveAir, logN: number): Promise<ProveJob> {
  const k = await Kernels.load();
  const id = PROVE_AIRS[airName];
  if (id === undefined) throw new RangeError(`--air must be one of ${Object.keys(PROVE_AIRS).join(', ')}, got ${JSON.stringify(airName)}`);
  const entry: AirEntry = AIRS[id];
  const { trace, publicInputs } = entry.sample(logN);
  const air = entry.air(publicInputs);
  const pub = entry.encode(publicInputs);
  const options = proveOptions(airName);
  const statementHash = createHash('sha256').update(`capseal bench ${airName} ${logN}`).digest();
  return {
    label: `prove: ${air.id}, 2^${logN} rows × ${air.width} columns, ${entry.options ? `blowup ${options.blowup}, ${options.queries} queries` : 'default options'}`,
    run: (backend) => prove(k, backend, { air, trace, statementHash, publicInputs: pub, options }),
    verify: (proof) => verifyProof(k, air, proof, statementHash, pub, { minSecurityBits: DEFAULT_SECURITY_BITS }),
  };
}

export interface ProveRecord {
  prove_ms: number;
  prove_min_ms: number;
  prove_max_ms: number;
  verify_ms: number;
  verify_first_ms: number;
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
  const verify = () => {
    const res = job.verify(proof);
    if (!res.ok) throw new CheckFailed(`the proof did not verify: ${res.code}: ${res.message}`);
  };
  // The first verification alone (the verifier's code not yet optimized), then the steady state after
  // warm-up runs (JIT, and the collector reclaiming the prover's memory).
  const first = performance.now();
  verify();
  const verifyFirstMs = performance.now() - first;
  const v = await time(verify, VERIFY_RUNS, VERIFY_WARMUP);
  return {
    prove_ms: s.median_ms, prove_min_ms: s.min_ms, prove_max_ms: s.max_ms, verify_ms: v.median_ms, verify_first_ms: verifyFirstMs,
    proof_bytes: encodeProof(proof).length, security_bits: proof.securityBits,
    stages: stages.map((st) => ({ ...st, ms: Math.round(st.ms) })), prove_runs: runs,
  };
}
