/**
 * Browser: the runner's host (./runner.ts RunnerHost), the counterpart of ./host-node.ts for a run made
 * in a web page's Worker. The manifests say what the browser tells (User-Agent Client Hints where it
 * has them, navigator.hardwareConcurrency and deviceMemory, the WebGPU adapter's info and limits);
 * the toolchain is the page's own bundle, each file with its SHA-256 (build_hash); peak memory is the
 * prover's WebAssembly memory (a browser tells no more); verification is timed in a fresh Worker; the pack is built in
 * memory and archived with writePackArchive, the same layout the CLI writes.
 *
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Backend } from '../backend/backend.js';
import type { GpuBackend } from '../backend/gpu/gpu-backend.js';
import { jcsHash } from '../capsule/spec.js';
import { sha256 } from '../hash/digest.js';
import type { Kernels } from '../wasm/kernels.js';
import { EVENTS_PATH } from './events.js';
import { gpuAdapterManifest, gpuKnobs, type HardwareManifest, type OsFingerprint, type ToolchainManifest } from './manifests.js';
import { writePackArchive } from './pack-archive.js';
import { PACK_FILE } from './pack.js';
import type { PeakMemory, RunnerHost, RunProgress, VerifyJob } from './runner.js';
import { timingOf, type VerifyTiming } from './verify-timing.js';

/** The page's build: its version, the versions of the dependencies bundled into it, and its files. */
export interface BrowserBuild {
  version: string;
  dependencies: Record<string, string>;
  files: { path: string; sha256: string }[];
}

export interface BrowserHostOptions {
  kernels: Kernels;
  /** The backend the track runs on (the page opens it, to show the adapter first). */
  backend: Backend;
  cpuThreads: number;
  /** The GPU the backend uses, or null. */
  gpu: GpuBackend | null;
  /** The bytes the prover's WebAssembly memories have grown to (./../backend/cpu CpuBackend.memoryBytes and the kernels'). */
  memoryBytes(): number;
  build: BrowserBuild;
  /** Starts a fresh Worker that answers one VerifyJob message with a VerifyTiming (./verify-timing.ts). */
  verifyWorker(): Worker;
  progress(p: RunProgress): void;
  /** Told each line of events.jsonl once it is written (a live stream sends them on). */
  onEventLine?(line: string): void;
}

/** What the browser says of itself, from User-Agent Client Hints where it has them, else the UA string. */
export interface BrowserFacts {
  brand: string;
  version: string;
  platform: string;
  platformVersion: string;
  architecture: string;
  userAgent: string;
}

interface UaData {
  platform?: string;
  brands?: { brand: string; version: string }[];
  getHighEntropyValues?(hints: string[]): Promise<{ architecture?: string; bitness?: string; platformVersion?: string; fullVersionList?: { brand: string; version: string }[] }>;
}
type BrowserNavigator = { userAgent: string; platform?: string; hardwareConcurrency?: number; deviceMemory?: number; userAgentData?: UaData };
const nav = (): BrowserNavigator => (globalThis as unknown as { navigator: BrowserNavigator }).navigator;

/** Client Hints' architecture and bitness as the usual names: x86 + 64 → x86_64, arm + 64 → arm64. */
function archName(architecture: string, bitness = ''): string {
  if (bitness === '64') return architecture === 'x86' ? 'x86_64' : architecture === 'arm' ? 'arm64' : `${architecture}64`;
  return bitness ? `${architecture} (${bitness}-bit)` : architecture;
}

export async function browserFacts(): Promise<BrowserFacts> {
  const n = nav(), ua = n.userAgentData;
  const hints = await ua?.getHighEntropyValues?.(['architecture', 'bitness', 'platformVersion', 'fullVersionList']).catch(() => undefined);
  // Client Hints list a GREASE brand ("Not A;Brand") beside the real ones; the engine's brand goes last.
  const brands = (hints?.fullVersionList ?? ua?.brands ?? []).filter((b) => !/not.?a.?brand/i.test(b.brand));
  const named = brands.find((b) => b.brand !== 'Chromium') ?? brands[0];
  const fromUa = /(Firefox|Edg|OPR|Chrome|Chromium|Version)\/([\d.]+)/.exec(n.userAgent);
  return {
    brand: named?.brand ?? (fromUa?.[1] === 'Version' ? 'Safari' : fromUa?.[1] ?? 'unknown'),
    version: named?.version ?? fromUa?.[2] ?? 'unknown',
    platform: ua?.platform || n.platform || 'unknown',
    platformVersion: hints?.platformVersion ?? '',
    architecture: hints?.architecture ? archName(hints.architecture, hints.bitness) : 'unknown',
    userAgent: n.userAgent,
  };
}

export function browserHardware(facts: BrowserFacts, gpu: GpuBackend | null): HardwareManifest {
  const n = nav(), cores = n.hardwareConcurrency ?? 1;
  return {
    schema: 'capsulebench_hardware_manifest_v1',
    // Browsers do not name the CPU; deviceMemory is a coarse, capped bucket (in GiB), 0 where absent.
    cpu: { model: `unnamed (${facts.brand} on ${facts.platform} does not name the CPU)`, logical_cores: cores, available_parallelism: cores, arch: facts.architecture },
    memory: { total_bytes: Math.round((n.deviceMemory ?? 0) * 2 ** 30) },
    gpu: gpu ? gpuAdapterManifest(gpu) : null,
  };
}

export function browserOs(facts: BrowserFacts): OsFingerprint {
  return {
    schema: 'capsulebench_os_fingerprint_v1',
    platform: facts.platform,
    // A browser tells the platform's version at most; its user agent is in the toolchain manifest.
    kernel: { release: facts.platformVersion, version: '' },
    distribution: null,
    libc: null,
  };
}

export function browserToolchain(facts: BrowserFacts, build: BrowserBuild): ToolchainManifest {
  return {
    schema: 'capsulebench_toolchain_manifest_v1',
    runtime: { name: `browser: ${facts.brand}`, version: facts.version, engine: facts.userAgent.slice(0, 1024) },
    capseal: { version: build.version, runner_repo: `npm:capseal@${build.version}`, git_commit: 'none' },
    dependencies: build.dependencies,
    build: { build_hash: jcsHash(build.files), files: build.files },
  };
}

/**
 * A browser tells a page nothing of its process's memory (performance.memory is the main thread's
 * JavaScript heap only, and absent in a Worker). What the prover's WebAssembly memories have grown to
 * is known, and a memory never shrinks, so the figure is the most they held so far: a lower bound of
 * the run's memory, the same for every run after the first.
 */
const wasmMemory = (bytes: () => number): PeakMemory => ({ method: 'wasm_memory', reset() {}, peak: bytes, current: bytes });

/** A verification worker that has not answered after this long has hung (a real one answers in seconds). */
const VERIFY_WORKER_TIMEOUT_MS = 10 * 60_000;

/** Times verification in a fresh Worker, as the Node host does in a fresh worker thread. */
function timeVerifyIn(start: () => Worker, job: VerifyJob): Promise<{ cold_us: number; runs_us: number[] }> {
  return new Promise((resolve, reject) => {
    const w = start();
    const end = (settle: () => void) => {
      clearTimeout(timer);
      w.terminate();
      settle();
    };
    const timer = setTimeout(() => end(() => reject(new Error(`the verification worker did not answer within ${VERIFY_WORKER_TIMEOUT_MS / 60_000} minutes`))), VERIFY_WORKER_TIMEOUT_MS);
    w.onmessage = (e: MessageEvent<VerifyTiming>) => end(() => {
      try {
        resolve(timingOf(e.data));
      } catch (err) {
        reject(err);
      }
    });
    w.onerror = (e) => end(() => reject(new Error(`the verification worker failed: ${e.message || 'it did not start'}`)));
    w.postMessage(job);
  });
}

export interface BrowserHost {
  host: RunnerHost;
  /** The capsulepack.tgz, once the run has made it. */
  archive(): Uint8Array | undefined;
}

export async function openBrowserHost(o: BrowserHostOptions): Promise<BrowserHost> {
  const facts = await browserFacts();
  const toolchain = browserToolchain(facts, o.build);
  const written = new Map<string, Uint8Array>();
  const appended = new Map<string, string[]>();
  let archive: Uint8Array | undefined;
  const files = (): Map<string, Uint8Array> => {
    const all = new Map(written);
    for (const [path, parts] of appended) all.set(path, new TextEncoder().encode(parts.join('')));
    return all;
  };
  const host: RunnerHost = {
    kernels: o.kernels,
    backend: o.backend,
    manifests: { hardware: browserHardware(facts, o.gpu), os: browserOs(facts), toolchain },
    knobs: {
      cpu_threads: o.cpuThreads,
      gpu: o.gpu ? gpuKnobs(o.gpu, null) : null,
      environment: { cross_origin_isolated: String((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ?? false), user_agent: facts.userAgent.slice(0, 4096) },
    },
    memory: wasmMemory(o.memoryBytes),
    timeVerify: (job) => timeVerifyIn(o.verifyWorker, job),
    verifier: { version: o.build.version, build_hash: toolchain.build.build_hash },
    async write(path, bytes) {
      written.set(path, bytes.slice());
    },
    append(path, text) {
      const parts = appended.get(path) ?? [];
      parts.push(text);
      appended.set(path, parts);
      if (path === EVENTS_PATH && o.onEventLine) for (const line of text.split('\n')) if (line) o.onEventLine(line);
    },
    now: () => performance.now(),
    epochMs: () => Date.now(),
    progress: o.progress,
    async pack() {
      archive = await writePackArchive(files());
      return { path: PACK_FILE, sha256: bytesToHex(sha256(archive)), bytes: archive.length };
    },
  };
  return { host, archive: () => archive };
}

/**
 * Peak bytes of a proof per trace cell, measured on the CPU prover (about 3.9 GB for 2^20 rows of 5
 * columns): the basis of the size check a page makes before starting.
 */
export const BYTES_PER_TRACE_CELL = 750;

/** What a page may hold: wasm32 addresses 4 GiB, and a browser gives a page no more than about half the device's memory. */
export function browserMemoryBudget(): number {
  const device = nav().deviceMemory;
  return Math.min(4 * 2 ** 30, device ? (device * 2 ** 30) / 2 : 2 * 2 ** 30);
}

export interface FitQuestion {
  workloadId: string;
  width: number;
  log2Rows: number;
  blowup: number;
  memoryBudget: number;
  /** The adapter's limits, when the proof is to run on the GPU. */
  gpu?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

/** Why a proof of this size will not fit here (before anything starts), or null. */
export function wontFit(q: FitQuestion): string | null {
  const rows = 2 ** q.log2Rows, need = BYTES_PER_TRACE_CELL * q.width * rows;
  const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (need > q.memoryBudget)
    return `2^${q.log2Rows} rows of ${q.workloadId} (${q.width} columns) need about ${gb(need)} while proving; this page can hold about ${gb(q.memoryBudget)}. Pick a smaller size, or run it with the CLI (capseal bench run).`;
  if (q.gpu) {
    // The largest single binding a proof needs: the 32-byte row hashes of the extended trace.
    const binding = rows * q.blowup * 32, cap = Math.min(q.gpu.maxBufferSize, q.gpu.maxStorageBufferBindingSize);
    if (binding > cap)
      return `the row hashes of 2^${q.log2Rows} extended rows are ${gb(binding)} in one GPU binding; this adapter binds at most ${gb(cap)} (maxBufferSize ${q.gpu.maxBufferSize}, maxStorageBufferBindingSize ${q.gpu.maxStorageBufferBindingSize}). Pick a smaller size or the WebAssembly path.`;
  }
  return null;
}
