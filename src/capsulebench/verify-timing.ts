/**
 * Verification timed as Benchmark Policy v1 asks (README.md "CapsuleBench"), run in a fresh worker
 * (./verify-worker-node.ts in Node, the web app's worker in a browser) so the figure is not helped or
 * hurt by the prover's JIT state, caches or garbage. Each verification decodes the proof bytes and
 * runs the STARK verifier under the statement hash; the first is reported apart (cold), then
 * `warmups` untimed, then `runs` timed, in microseconds.
 *
 * @module
 */
import { AIRS, type AirId } from '../airs/index.js';
import { decodeProof } from '../stark/codec.js';
import { verifyProof } from '../stark/verifier.js';
import type { Kernels } from '../wasm/kernels.js';
import { RunFailed, type VerifyJob } from './runner.js';

/** The proof failed verification (the run fails), as opposed to the worker failing to run. */
export class ProofRejected extends Error {}

/** A worker's answer: the times, or why there are none (`rejected`: the proof did not verify). */
export type VerifyTiming = { cold_us: number; runs_us: number[] } | { error: string; rejected: boolean };

export function timeVerification(k: Kernels, job: VerifyJob): VerifyTiming {
  try {
    if (!Object.hasOwn(AIRS, job.airId)) throw new Error(`unknown AIR ${job.airId}`);
    const entry = AIRS[job.airId as AirId];
    const air = entry.air(job.publicInputs), publicInputs = entry.encode(job.publicInputs);
    const once = (): number => {
      const t0 = performance.now();
      const v = verifyProof(k, air, decodeProof(job.proof), job.statementHash, publicInputs, { minSecurityBits: job.minSecurityBits });
      const us = Math.round((performance.now() - t0) * 1000);
      if (!v.ok) throw new ProofRejected(`the proof does not verify in a fresh worker (${v.code}: ${v.message})`);
      return us;
    };
    const cold_us = once();
    for (let i = 0; i < job.warmups; i++) once();
    return { cold_us, runs_us: Array.from({ length: job.runs }, once) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e), rejected: e instanceof ProofRejected };
  }
}

/** The times a worker answered, or RunFailed (the proof did not verify) or an Error (the worker failed). */
export function timingOf(m: VerifyTiming): { cold_us: number; runs_us: number[] } {
  if ('error' in m) throw m.rejected ? new RunFailed(m.error) : new Error(`the verification worker failed: ${m.error}`);
  return m;
}
