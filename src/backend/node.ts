/**
 * Node: the backend a command runs on, from `--backend auto|cpu|gpu`. `auto` measures the crossover
 * sizes once per adapter (./calibrate.ts) and keeps them in the user's cache directory.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { adapterName } from '../gpu/context.js';
import { GpuUnavailableError } from '../gpu/errors.js';
import { packageVersion } from '../package-info.js';
import { calibrate, thresholdsFromJson, thresholdsToJson } from './calibrate.js';
import { createNodeCpuBackend, type NodeJobs } from './cpu/node.js';
import type { GpuBackend } from './gpu/gpu-backend.js';
import { createNodeGpuBackend } from './gpu/node.js';
import { ALL_ON_GPU, Scheduler, type BackendChoice, type Thresholds } from './scheduler.js';

export { createNodeCpuBackend } from './cpu/node.js';
export { createNodeGpuBackend } from './gpu/node.js';

export interface NodeBackendOptions {
  choice: BackendChoice;
  /** CPU worker threads (default: one per core). */
  threads?: number;
  /** Skips calibration (tests, or a user who knows better). */
  thresholds?: Thresholds;
  /** Progress and fallback notices (stderr in the CLI). */
  notice?: (message: string) => void;
  /** Where the GPU comes from (default: dawn.node); tests substitute a machine without an adapter. */
  acquireGpu?: () => Promise<GpuBackend>;
  /** The jobs the CPU side's workers serve (default: the Backend operations; the prover's factories add theirs). */
  jobs?: NodeJobs;
}

export function thresholdsCachePath(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'capseal', 'thresholds.json');
}

function readCache(): Record<string, unknown> {
  try {
    const j: unknown = JSON.parse(readFileSync(thresholdsCachePath(), 'utf8'));
    return typeof j === 'object' && j !== null && !Array.isArray(j) ? (j as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Thresholds for this adapter and CPU: from the cache, else measured now and cached. */
export async function nodeThresholds(gpu: GpuBackend, cpuDescription: string, notice: (m: string) => void): Promise<Thresholds> {
  const key = `${packageVersion()} | ${adapterName(gpu.adapter)} | ${cpuDescription}`;
  const cache = readCache();
  const cached = thresholdsFromJson(cache[key]);
  if (cached) return cached;
  notice(`calibrating the scheduler for ${adapterName(gpu.adapter)} (once per adapter; cached in ${thresholdsCachePath()})`);
  const cpu = await createNodeCpuBackend();
  try {
    const { thresholds } = await calibrate(cpu, gpu, notice);
    try {
      mkdirSync(dirname(thresholdsCachePath()), { recursive: true });
      writeFileSync(thresholdsCachePath(), JSON.stringify({ ...cache, [key]: thresholdsToJson(thresholds) }, null, 2));
    } catch (e) {
      notice(`could not cache the thresholds: ${e instanceof Error ? e.message : String(e)}`);
    }
    return thresholds;
  } finally {
    await cpu.destroy();
  }
}

/**
 * The scheduler for `choice`. `gpu` without an adapter throws GpuUnavailableError; `auto` without
 * one runs on the CPU after a notice.
 */
export async function createNodeBackend(opts: NodeBackendOptions): Promise<Scheduler> {
  const notice = opts.notice ?? (() => {});
  const cpu = await createNodeCpuBackend({ ...(opts.threads === undefined ? {} : { threads: opts.threads }), ...(opts.jobs ? { jobs: opts.jobs } : {}) });
  if (opts.choice === 'cpu') return new Scheduler({ cpu, thresholds: ALL_ON_GPU, notice, choice: 'cpu' });
  let gpu: GpuBackend;
  try {
    gpu = await (opts.acquireGpu ?? createNodeGpuBackend)();
  } catch (e) {
    if (opts.choice === 'gpu' || !(e instanceof GpuUnavailableError)) {
      await cpu.destroy();
      throw e;
    }
    notice(`no GPU: ${e.message}; running on the CPU`);
    return new Scheduler({ cpu, thresholds: ALL_ON_GPU, notice, choice: 'auto' });
  }
  try {
    const thresholds = opts.choice === 'gpu' ? ALL_ON_GPU : (opts.thresholds ?? (await nodeThresholds(gpu, cpu.description, notice)));
    return new Scheduler({ cpu, gpu, thresholds, notice, choice: opts.choice });
  } catch (e) {
    await Promise.all([cpu.destroy(), gpu.destroy()]);
    throw e;
  }
}
