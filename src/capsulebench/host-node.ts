/**
 * Node: the runner's host (./runner.ts RunnerHost). It opens the backend a track runs on, collects the
 * manifests from this machine (CPU, memory and GPU adapter; kernel, distribution and libc; Node, V8,
 * the prover's dependencies, the git commit and build_hash over the exact code that runs), reads
 * peak memory per proof (Linux: the kernel's high-water mark VmHWM, reset through
 * /proc/self/clear_refs before each run; elsewhere a 5 ms sampler), times verification in a fresh
 * worker thread, and writes the pack folder, appending the event log and the runner's log as the run goes.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, platform, release, totalmem, version } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bytesToHex } from '@noble/hashes/utils.js';
import { thresholdsToJson } from '../backend/calibrate.js';
import type { Backend } from '../backend/backend.js';
import { createNodeBackend, createNodeCpuBackend } from '../prover/node.js';
import type { GpuBackend } from '../backend/gpu/gpu-backend.js';
import { createNodeGpuBackend } from '../backend/gpu/node.js';
import type { BackendChoice } from '../backend/scheduler.js';
import { jcsHash } from '../capsule/spec.js';
import { sha256 } from '../hash/digest.js';
import { packageInfo, packageVersion } from '../package-info.js';
import { Kernels } from '../wasm/kernels.js';
import { gpuAdapterManifest, gpuKnobs, type HardwareManifest, type KnobsManifest, type OsFingerprint, type ToolchainManifest } from './manifests.js';
import { EVENTS_PATH } from './events.js';
import { makePackArchive } from './pack-node.js';
import { PACK_ROOT } from './pack.js';
import type { PeakMemory, RunnerHost, RunProgress, VerifyJob } from './runner.js';
import { timingOf, type VerifyTiming } from './verify-timing.js';

/** Environment variables that change where or how a run computes (recorded in the knobs). */
const KNOB_ENV = ['CAPSEAL_GPU_ADAPTER', 'VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE'];

export interface NodeHostOptions {
  backend: BackendChoice;
  /** CPU worker threads (default: one per core). */
  threads?: number;
  /** The run's folder: the pack is written to <outDir>/capsulepack/ and <outDir>/capsulepack.tgz. */
  outDir: string;
  notice(message: string): void;
  progress(p: RunProgress): void;
  /** Told each line of events.jsonl once it is written (a live stream sends them on). */
  onEventLine?(line: string): void;
}

// --- manifests ---

export function hardwareManifest(gpu: GpuBackend | null): HardwareManifest {
  return {
    schema: 'capsulebench_hardware_manifest_v1',
    cpu: { model: cpus()[0]?.model.trim() ?? 'unknown', logical_cores: cpus().length, available_parallelism: availableParallelism(), arch: arch() },
    memory: { total_bytes: totalmem() },
    gpu: gpu ? gpuAdapterManifest(gpu) : null,
  };
}

function osRelease(): OsFingerprint['distribution'] {
  try {
    const fields = Object.fromEntries(readFileSync('/etc/os-release', 'utf8').split('\n').map((l) => /^([A-Z_]+)=(.*)$/.exec(l)).filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!.replace(/^"(.*)"$/, '$1')]));
    return { id: fields['ID'] ?? '', version_id: fields['VERSION_ID'] ?? '', pretty_name: fields['PRETTY_NAME'] ?? '' };
  } catch {
    return null;
  }
}

export function osFingerprint(): OsFingerprint {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return {
    schema: 'capsulebench_os_fingerprint_v1',
    platform: platform(),
    kernel: { release: release(), version: version() },
    distribution: osRelease(),
    libc: header?.glibcVersionRuntime ? { family: 'glibc', version: header.glibcVersionRuntime } : null,
  };
}

/** Files under `dir` (relative to `root`, '/'-separated) whose names end in one of `exts`, sorted. */
function filesUnder(root: string, dir: string, exts: readonly string[], skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name), rel = relative(root, full).split(sep).join('/');
      if (skip.includes(rel)) continue;
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && exts.some((x) => e.name.endsWith(x)) && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/**
 * The code that runs: from dist/ the compiled JS (the wasm kernels are inside it) and the data files,
 * from sources (tsx) the TypeScript and its data; and the WGSL shaders in both cases.
 */
export function buildFiles(root: string): ToolchainManifest['build']['files'] {
  const fromSource = import.meta.url.endsWith('.ts');
  const code = fromSource
    ? filesUnder(root, join(root, 'src'), ['.ts', '.mjs', '.json'], ['src/wasm/assembly'])
    : filesUnder(root, join(root, 'dist', 'src'), ['.js', '.json']);
  const paths = [...code, ...filesUnder(root, join(root, 'shaders'), ['.wgsl'])];
  return paths.map((path) => ({ path, sha256: bytesToHex(sha256(readFileSync(join(root, path)))) }));
}

/** The commit of the checkout this package runs from ("-dirty" when tracked files differ), or "none". */
function gitCommit(root: string): string {
  if (!existsSync(join(root, '.git'))) return 'none';
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', 'HEAD');
    return /^[0-9a-f]{40}$/.test(head) ? `${head}${git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : ''}` : 'none';
  } catch {
    return 'none';
  }
}

/** The installed version of `name`, looked up from `root` the way Node resolves packages. */
function installedVersion(root: string, name: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    if (dirname(dir) === dir) return 'not installed';
  }
}

const packageRoot = (): NonNullable<ReturnType<typeof packageInfo>> => {
  const pkg = packageInfo();
  if (!pkg) throw new Error('cannot find the capseal package folder to hash its code (build_hash)');
  return pkg;
};

/** This verifier: the capseal version and the build_hash of the code that runs. */
export function verifierBuild(): { version: string; build_hash: string } {
  return { version: packageVersion(), build_hash: jcsHash(buildFiles(packageRoot().root)) };
}

export function toolchainManifest(): ToolchainManifest {
  const pkg = packageRoot();
  const files = buildFiles(pkg.root);
  return {
    schema: 'capsulebench_toolchain_manifest_v1',
    runtime: { name: 'node', version: process.versions.node, engine: `v8 ${process.versions.v8}` },
    capseal: { version: pkg.version, runner_repo: `npm:capseal@${pkg.version}`, git_commit: gitCommit(pkg.root) },
    dependencies: Object.fromEntries(Object.keys(pkg.dependencies).sort().map((d) => [d, installedVersion(pkg.root, d)])),
    build: { build_hash: jcsHash(files), files },
  };
}

// --- memory ---

const KB = 1024;

/** Linux: VmHWM (peak RSS) reset through /proc/self/clear_refs ("5"); null where that does not work. */
function linuxPeakMemory(): PeakMemory | null {
  const read = (field: 'VmHWM' | 'VmRSS'): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    if (!m) throw new Error(`no ${field} in /proc/self/status`);
    return Number(m[1]) * KB;
  };
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    read('VmHWM');
  } catch {
    return null;
  }
  return { method: 'linux_vmhwm_reset', reset: () => writeFileSync('/proc/self/clear_refs', '5'), peak: () => read('VmHWM'), current: () => read('VmRSS') };
}

/** Elsewhere: the largest RSS seen by a 5 ms sampler (it misses spikes between samples). */
function sampledPeakMemory(): PeakMemory {
  let max = 0;
  const sample = () => (max = Math.max(max, process.memoryUsage.rss()));
  setInterval(sample, 5).unref();
  return { method: 'sampled', reset: () => (max = process.memoryUsage.rss()), peak: () => (sample(), max), current: () => process.memoryUsage.rss() };
}

// --- the fresh verifier ---

const verifyWorkerUrl = (): URL =>
  new URL(import.meta.url.endsWith('.ts') ? './verify-worker-from-source.mjs' : './verify-worker-node.js', import.meta.url);

export function timeVerifyInWorker(job: VerifyJob): Promise<{ cold_us: number; runs_us: number[] }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(verifyWorkerUrl(), { workerData: job });
    w.once('message', (m: VerifyTiming) => {
      void w.terminate();
      try {
        resolve(timingOf(m));
      } catch (e) {
        reject(e);
      }
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the verification worker exited with code ${code}`)));
  });
}

// --- the host ---

/** The backend for `choice`, with what the manifests say of it. GpuUnavailableError when gpu/auto find no adapter. */
async function openBackend(o: NodeHostOptions): Promise<{ backend: Backend; gpu: GpuBackend | null; knobs: Pick<KnobsManifest, 'cpu_threads' | 'gpu'> }> {
  const threads = o.threads === undefined ? {} : { threads: o.threads };
  if (o.backend === 'cpu') {
    const cpu = await createNodeCpuBackend(threads);
    return { backend: cpu, gpu: null, knobs: { cpu_threads: cpu.threads, gpu: null } };
  }
  const gpu = await createNodeGpuBackend();
  const scheduler = await createNodeBackend({ choice: o.backend, ...threads, notice: o.notice, acquireGpu: async () => gpu });
  const cpuThreads = o.threads ?? availableParallelism();
  return {
    backend: scheduler, gpu,
    knobs: {
      cpu_threads: cpuThreads,
      gpu: gpuKnobs(gpu, o.backend === 'auto' ? thresholdsToJson(scheduler.thresholds) : null),
    },
  };
}

export interface NodeHost {
  host: RunnerHost;
  close(): Promise<void>;
}

export async function openNodeHost(o: NodeHostOptions): Promise<NodeHost> {
  const kernels = await Kernels.load();
  const toolchain = toolchainManifest();
  const { backend, gpu, knobs } = await openBackend(o);
  const packDir = join(o.outDir, PACK_ROOT);
  const host: RunnerHost = {
    kernels,
    backend,
    manifests: { hardware: hardwareManifest(gpu), os: osFingerprint(), toolchain },
    knobs: { ...knobs, environment: Object.fromEntries(KNOB_ENV.map((k) => [k, process.env[k] ?? null])) },
    memory: (platform() === 'linux' && linuxPeakMemory()) || sampledPeakMemory(),
    timeVerify: timeVerifyInWorker,
    verifier: { version: packageVersion(), build_hash: toolchain.build.build_hash },
    async write(path, bytes) {
      const full = join(packDir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, bytes);
    },
    append(path, text) {
      const full = join(packDir, path);
      mkdirSync(dirname(full), { recursive: true });
      appendFileSync(full, text);
      if (path === EVENTS_PATH && o.onEventLine) for (const line of text.split('\n')) if (line) o.onEventLine(line);
    },
    now: () => performance.now(),
    epochMs: () => Date.now(),
    progress: o.progress,
    pack: () => makePackArchive(o.outDir),
  };
  return { host, close: () => backend.destroy() };
}
