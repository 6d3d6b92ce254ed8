// `bench prove`: a whole capseal-stark-v1 proof of a GEOM, FIB or AGENT trace of 2^N rows, then its
// verification; prints prove_ms, verify_ms (medians), proof_bytes, security_bits and the per-stage
// times with the backend that ran each stage.
import { createHash } from 'node:crypto';
import { AIRS, agentTrace, fibTrace, geomTrace, type AirId } from '../src/airs/index.js';
import type { Column } from '../src/field/columns.js';
import { encodeProof } from '../src/stark/codec.js';
import { DEFAULT_OPTIONS } from '../src/stark/options.js';
import { prove, type StageTiming } from '../src/stark/prover.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import type { Measured } from './backends.js';
import { progress, stats } from './measure.js';

export const PROVE_AIRS = { geom: 'geom_air_v1', fib: 'fib_air_v1', agent: 'agent_air_v1' } as const satisfies Record<string, AirId>;
export type ProveAir = keyof typeof PROVE_AIRS;

const VERIFY_WARMUP = 5;
const VERIFY_RUNS = 15;

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
  return agentTrace(agentLog(logN));
}

export interface ProveRecord {
  prove_ms: number;
  verify_ms: number;
  proof_bytes: number;
  security_bits: number;
  stages: StageTiming[];
  prove_runs: number;
}

export async function benchProve(mb: Measured, airName: ProveAir, logN: number, runs: number): Promise<ProveRecord> {
  const k = await Kernels.load();
  const { trace, publicInputs } = traceFor(airName, logN);
  const entry = AIRS[PROVE_AIRS[airName]];
  const air = entry.air(publicInputs);
  const pub = entry.encode(publicInputs);
  const statementHash = createHash('sha256').update(`capseal bench ${airName} ${logN}`).digest();
  progress(`prove: ${air.id}, 2^${logN} rows × ${air.width} columns, ${mb.backend.description}, default options`);
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof prove>> | undefined;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    last = await prove(k, mb.backend, { air, trace, statementHash, publicInputs: pub, options: DEFAULT_OPTIONS });
    times.push(performance.now() - t0);
    progress(`  run ${r + 1}/${runs}: ${times.at(-1)!.toFixed(0)} ms`);
  }
  const { proof, stages } = last!;
  // Verification is timed after warm-up runs (JIT, and the collector reclaiming the prover's memory).
  const verifyTimes: number[] = [];
  for (let r = 0; r < VERIFY_WARMUP + VERIFY_RUNS; r++) {
    const t0 = performance.now();
    const v = verifyProof(k, air, proof, statementHash, pub, { minSecurityBits: 100 });
    verifyTimes.push(performance.now() - t0);
    if (!v.ok) throw new Error(`the proof did not verify: ${v.code}: ${v.message}`);
  }
  return {
    prove_ms: stats(times).median_ms, verify_ms: stats(verifyTimes.slice(VERIFY_WARMUP)).median_ms,
    proof_bytes: encodeProof(proof).length, security_bits: proof.securityBits,
    stages: stages.map((s) => ({ ...s, ms: Math.round(s.ms) })), prove_runs: runs,
  };
}
