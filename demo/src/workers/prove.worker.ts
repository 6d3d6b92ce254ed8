// Proves a CapsuleBench run in a Worker with the CLI's code (runBenchmark): on WebGPU (the
// optimized_declared track) or on the WebAssembly kernels (baseline_no_accel), with CPU worker threads
// where the page is cross-origin isolated. It posts what ran and why, per-stage progress, each event
// line (and streams them live to the server when asked), then the result and the capsulepack.
import '../zod-csp.js';
import { ALL_ON_GPU, Scheduler } from '../../../src/backend/scheduler.js';
import { createBrowserCpuBackend } from '../../../src/backend/cpu/browser.js';
import { PROVER_JOBS } from '../../../src/prover/cpu/jobs.js';
import { GpuBackend } from '../../../src/backend/gpu/gpu-backend.js';
import type { Backend } from '../../../src/backend/backend.js';
import { openBrowserHost, type BrowserBuild } from '../../../src/capsulebench/host-browser.js';
import { LiveStreamer, connectLiveBrowser } from '../../../src/capsulebench/live-stream.js';
import { runBenchmark, RunFailed, RunRefused, type RunProgress, type RunResult } from '../../../src/capsulebench/runner.js';
import { createBrowserGpuContext } from '../../../src/gpu/browser.js';
import { gpuAdapterManifest, type GpuAdapter } from '../../../src/capsulebench/manifests.js';
import { Kernels } from '../../../src/wasm/kernels.js';

export interface ProveRequest {
  workloadId: string;
  log2Rows: number;
  engine: 'webgpu' | 'wasm';
  threads: number;
  build: BrowserBuild;
  /** The server to stream the events to (this origin), or null. */
  stream: string | null;
}

export type ProveMessage =
  | { kind: 'engine'; engine: 'webgpu' | 'wasm'; adapter: GpuAdapter | null; threads: number; backend: string }
  | { kind: 'progress'; progress: RunProgress }
  | { kind: 'event'; line: string }
  | { kind: 'stream'; message: string }
  | { kind: 'done'; result: Omit<RunResult, 'pack'>; archive: Uint8Array; compile: { pipelines: number; ms: number } | null; stream: { acknowledged: number; sent: number; error: string | null } | null }
  | { kind: 'error'; message: string; failed: boolean };

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<ProveRequest>) => void) | null; postMessage(m: ProveMessage, transfer?: Transferable[]): void };
const post = (m: ProveMessage, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
const cpuWorker = () => new Worker(new URL('../../../src/prover/cpu/worker-browser.ts', import.meta.url), { type: 'module' });
const verifyWorker = () => new Worker(new URL('./verify-timing.worker.ts', import.meta.url), { type: 'module' });

/** Makes the run; the backend (GPU device, CPU workers) is destroyed before the answer is posted, since the page then ends this worker. */
async function prove(req: ProveRequest): Promise<{ message: ProveMessage; transfer: Transferable[] }> {
  let backend: Backend | undefined;
  try {
    const kernels = await Kernels.load();
    const cpu = await createBrowserCpuBackend({ threads: req.threads, jobs: { handlers: PROVER_JOBS, worker: cpuWorker } });
    let gpu: GpuBackend | null = null;
    if (req.engine === 'webgpu') {
      try {
        gpu = await GpuBackend.create(await createBrowserGpuContext());
      } catch (e) {
        await cpu.destroy();
        throw e;
      }
      backend = new Scheduler({ cpu, gpu, thresholds: ALL_ON_GPU, choice: 'gpu', notice: (message) => post({ kind: 'progress', progress: { kind: 'log', message } }) });
    } else backend = cpu;
    post({ kind: 'engine', engine: req.engine, adapter: gpu ? gpuAdapterManifest(gpu) : null, threads: req.threads, backend: backend.description });
    const streamer = req.stream ? new LiveStreamer(new URL(req.stream), (message) => post({ kind: 'stream', message }), connectLiveBrowser) : undefined;
    const opened = await openBrowserHost({
      kernels, backend, cpuThreads: req.threads, gpu, build: req.build, verifyWorker,
      memoryBytes: () => kernels.raw.memory.buffer.byteLength + cpu.memoryBytes(),
      progress: (progress) => post({ kind: 'progress', progress }),
      onEventLine: (line) => {
        streamer?.line(line);
        post({ kind: 'event', line });
      },
    });
    const { pack: _, ...result } = await runBenchmark(opened.host, {
      workloadId: req.workloadId, log2Rows: req.log2Rows, trackId: req.engine === 'webgpu' ? 'optimized_declared' : 'baseline_no_accel', backend: req.engine === 'webgpu' ? 'gpu' : 'cpu',
    });
    const archive = opened.archive()!;
    const compile = gpu ? { ...gpu.ctx.compiled } : null;
    const stream = streamer ? await streamer.finish(15_000) : null;
    return { message: { kind: 'done', result, archive, compile, stream }, transfer: [archive.buffer] };
  } catch (e) {
    return { message: { kind: 'error', message: e instanceof Error ? e.message : String(e), failed: e instanceof RunFailed || e instanceof RunRefused }, transfer: [] };
  } finally {
    await backend?.destroy();
  }
}

scope.onmessage = async ({ data: req }) => {
  const { message, transfer } = await prove(req);
  post(message, transfer);
};
