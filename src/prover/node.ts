/**
 * Node backends for proving: the backend layer's factories (src/backend/node.ts) with CPU workers that
 * serve the prover's jobs (./cpu/jobs.ts) besides the Backend operations. Use these to prove; the
 * backend layer's own factories make backends for the Backend operations only.
 *
 * @module
 */
import type { Backend } from '../backend/backend.js';
import { createNodeCpuBackend as createCpu, workerEntry, type NodeCpuOptions, type NodeJobs } from '../backend/cpu/node.js';
import type { CpuBackend } from '../backend/cpu/cpu-backend.js';
import { createNodeBackend as createScheduler, type NodeBackendOptions } from '../backend/node.js';
import type { BackendChoice, Scheduler } from '../backend/scheduler.js';
import { PROVER_JOBS } from './cpu/jobs.js';

/** The prover's CPU jobs and the worker entry that serves them (./cpu/worker.ts). */
export const PROVER_NODE_JOBS: NodeJobs = { handlers: PROVER_JOBS, worker: workerEntry('cpu/worker', import.meta.url) };

/** A CPU backend whose workers run the prover's jobs (threads: default one per core). */
export function createNodeCpuBackend(opts: Omit<NodeCpuOptions, 'jobs'> = {}): Promise<CpuBackend> {
  return createCpu({ ...opts, jobs: PROVER_NODE_JOBS });
}

/** The scheduler for `choice` (src/backend/node.ts), its CPU side running the prover's jobs. */
export function createNodeBackend(opts: Omit<NodeBackendOptions, 'jobs'>): Promise<Scheduler> {
  return createScheduler({ ...opts, jobs: PROVER_NODE_JOBS });
}

export { createNodeGpuBackend } from '../backend/node.js';

/**
 * The backend a prover runs on for `choice`: `cpu` the CPU backend; `gpu` and `auto` the scheduler,
 * on which the prover runs a whole proof resident on the GPU (`gpu` always, `auto` from the measured
 * LDE threshold on) and proves again on the CPU, with a notice, if the GPU is lost or too small.
 */
export async function createNodeProverBackend(choice: BackendChoice, notice: (message: string) => void): Promise<Backend> {
  return choice === 'cpu' ? createNodeCpuBackend() : createNodeBackend({ choice, notice });
}
