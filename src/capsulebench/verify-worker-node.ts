// Worker-thread entry (Node): times verification of one proof in a fresh worker, so the figure is
// not helped or hurt by the prover's JIT state, caches or garbage (DESIGN.md "CapsuleBench").
// Each verification decodes the proof bytes and runs the STARK verifier under the statement hash;
// the first is reported apart (cold), then `warmups` untimed, then `runs` timed, in microseconds.
import { parentPort, workerData } from 'node:worker_threads';
import { AIRS, type AirId } from '../airs/index.js';
import { decodeProof } from '../stark/codec.js';
import { verifyProof } from '../stark/verifier.js';
import { Kernels } from '../wasm/kernels.js';
import type { VerifyJob } from './runner.js';

/** The proof failed verification (the run fails), as opposed to the worker failing to run. */
class Rejected extends Error {}

const job = workerData as VerifyJob;
try {
  const k = await Kernels.load();
  if (!Object.hasOwn(AIRS, job.airId)) throw new Error(`unknown AIR ${job.airId}`);
  const entry = AIRS[job.airId as AirId];
  const air = entry.air(job.publicInputs), publicInputs = entry.encode(job.publicInputs);
  const once = (): number => {
    const t0 = performance.now();
    const v = verifyProof(k, air, decodeProof(job.proof), job.statementHash, publicInputs, { minSecurityBits: job.minSecurityBits });
    const us = Math.round((performance.now() - t0) * 1000);
    if (!v.ok) throw new Rejected(`the proof does not verify in a fresh worker (${v.code}: ${v.message})`);
    return us;
  };
  const cold_us = once();
  for (let i = 0; i < job.warmups; i++) once();
  const runs_us = Array.from({ length: job.runs }, once);
  parentPort!.postMessage({ cold_us, runs_us });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e), rejected: e instanceof Rejected });
}
