/**
 * `capseal bench run|verify|list`: CapsuleBench from the command line (the library is
 * src/capsulebench/). run: a workload at a size on a track, into a capsulepack folder and .tgz, with
 * per-stage progress on stderr (bars on a terminal, plain lines otherwise), a hyperfine-style summary
 * and, with --baseline, the comparison with a saved run. verify: the submission contract on a pack,
 * one line per check. list: the policy's workloads, sizes and tracks.
 * Results on stdout (--json: one object), progress on stderr; exit 0 ok / accepted, 1 rejected or a
 * failed run (a nondeterministic proof), 2 usage or I/O error.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, totalmem } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseInput } from '../airs/public-inputs.js';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/scheduler.js';
import { parseAcl } from '../capsule/acl.js';
import { parseKeyFile } from '../capsule/authorship.js';
import { ChallengeNonceSchema } from '../capsule/da.js';
import { HashHexSchema } from '../capsule/spec.js';
import { baselineMismatch, BaselineNameSchema, baselineOf, BaselineSchema, compareWithBaseline, otherMachine, type Baseline, type MetricComparison } from '../capsulebench/baseline.js';
import { verifyPack, type PackReport } from '../capsulebench/contract.js';
import { openNodeHost, verifierBuild } from '../capsulebench/host-node.js';
import type { Summary } from '../capsulebench/measurements.js';
import { archiveRejection, openPack, PackArchiveError } from '../capsulebench/pack-node.js';
import { PACK_ROOT } from '../capsulebench/pack.js';
import { SHIPPED_POLICY, SHIPPED_POLICY_HASH, SHIPPED_REGISTRY, trackOf, workloadEntryOf } from '../capsulebench/policy.js';
import { checkRequest, estimateProveBytes, RunFailed, runBenchmark, type RunProgress, type RunRequest } from '../capsulebench/runner.js';
import { GpuUnavailableError } from '../gpu/errors.js';
import { sha256Hex } from '../hash/digest.js';
import { jsonFileBytes } from '../json/file-json.js';
import { Kernels } from '../wasm/kernels.js';
import { checkLine, command, readJson, reason, serverUrl, UsageError, watchReads, wholeNumber } from './io.js';
import { LiveStreamer } from '../capsulebench/live-stream.js';
import { connectLiveNode } from './live-socket.js';

const say = (m: string) => process.stderr.write(`${m}\n`);
const Whole = wholeNumber();
/** --size when none is given. */
const DEFAULT_SIZE = 16;

// --- bench run ---

export interface BenchRunOptions {
  workload: string;
  size?: string;
  track: string;
  runs?: string;
  warmups?: string;
  backend?: string;
  threads?: string;
  sign?: string;
  out?: string;
  saveBaseline?: string;
  baseline?: string;
  stream?: string;
  json: boolean;
}

/** Where baselines are kept: $XDG_DATA_HOME/capseal/baselines (an absolute XDG_DATA_HOME only, as the spec says; default ~/.local/share). */
export function baselineDir(): string {
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share'), 'capseal', 'baselines');
}
const baselineFile = (name: string): string => join(baselineDir(), `${name}.json`);

function loadBaseline(name: string): Baseline {
  const file = baselineFile(name);
  if (!existsSync(file)) throw new UsageError(`no baseline named ${name} (looked for ${file}; save one with --save-baseline ${name})`);
  try {
    return parseInput(BaselineSchema, JSON.parse(readFileSync(file, 'utf8')), `baseline ${file}`);
  } catch (e) {
    throw new UsageError(e instanceof SyntaxError ? `baseline ${file} is not valid JSON: ${e.message}` : reason(e));
  }
}

/** The hardware manifest's hash, as its anchor has it (the file's bytes). */
const hardwareHashOf = (m: unknown): string => sha256Hex(jsonFileBytes(m));

/** Microseconds in the unit that suits `scale` (a line's median), so a line reads in one unit. */
const fmtTime = (scale: number) => (us: number): string =>
  scale >= 10_000_000 ? `${(us / 1e6).toFixed(2)} s` : scale >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${(us / 1000).toFixed(2)} ms`;
const fmtMiB = () => (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const fmtBytes = () => (b: number): string => `${b.toLocaleString('en-US')} bytes`;
const fmtGB = (b: number): string => `${(b / 1e9).toFixed(1)} GB`;
/** How each compared metric reads. */
const METRIC_UNIT: Record<MetricComparison['metric'], (scale: number) => (x: number) => string> = {
  prover_time_us: fmtTime, verify_time_us: fmtTime, peak_rss_bytes: fmtMiB, proof_size_bytes: fmtBytes,
};

/** hyperfine's shape: median ± σ (population), [min … max], runs; one unit per line. */
const line = (label: string, s: Summary, unit: (scale: number) => (x: number) => string, tail: string): string => {
  const fmt = unit(s.median);
  return `  ${label.padEnd(9)} ${fmt(s.median).padStart(10)} ± ${fmt(s.stddev).padEnd(10)} [${fmt(s.min)} … ${fmt(s.max)}]  ${tail}`;
};

/** Stage progress on a terminal: one line redrawn in place; elsewhere only finished runs. */
function progressView(tty: boolean): (p: RunProgress) => void {
  const width = 24;
  let drawn = false;
  const clear = () => {
    if (drawn) process.stderr.write('\r\x1b[2K');
    drawn = false;
  };
  return (p) => {
    if (p.kind === 'stage') {
      if (!tty) return;
      const filled = p.total ? Math.round((width * p.done) / p.total) : 0;
      clear();
      process.stderr.write(`  ${p.run.kind === 'warmup' ? 'warm-up' : 'run'} ${p.run.index}/${p.run.of} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.stage}`);
      drawn = true;
      return;
    }
    clear();
    if (p.kind === 'log') say(`  ${p.message}`);
  };
}

/**
 * Refuses an --out a run must not write to: one that holds anything (a run never overwrites
 * another's results), a file, a folder inside another run's pack, or /proc, /sys and /dev.
 */
function checkOut(out: string): void {
  if (out === '') throw new UsageError('--out must name a folder');
  const full = resolve(out);
  if (/^\/(proc|sys|dev)(\/|$)/.test(full)) throw new UsageError(`--out ${out} is under ${full.split('/')[1]}, which holds no files`);
  for (let dir = dirname(full); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pack_meta.json')) || (existsSync(join(dir, 'capsule.json')) && existsSync(join(dir, 'events'))))
      throw new UsageError(`--out ${out} is inside ${dir}, which holds a pack; name a folder outside it`);
    if (dirname(dir) === dir) break;
  }
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  let entries: string[];
  try {
    entries = readdirSync(out);
  } catch (e) {
    throw new UsageError(`--out ${out}: ${reason(e)}`);
  }
  if (entries.length) throw new UsageError(`--out ${out} exists and is not empty; name a new folder (nothing was overwritten)`);
}

/** Makes --out and claims it: its capsulepack/ folder is made exclusively, so two runs never share one. */
function claimOut(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
    mkdirSync(join(out, PACK_ROOT));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'EEXIST' ? `--out ${out} was taken by another run just now; name a new folder` : `cannot create --out ${out}: ${reason(e)}`);
  }
}

/** Parses and checks everything a run takes, before any work. */
async function planRun(o: BenchRunOptions) {
  // Default: the first backend the track allows (cpu on baseline_no_accel, gpu on optimized_declared).
  const backend = (o.backend ?? trackOf(SHIPPED_POLICY, o.track)?.rules.allowed_backends[0] ?? 'cpu') as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  const count = (flag: string, v: string | undefined, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = parseInput(Whole, v, flag);
    if (n > max) throw new UsageError(`${flag} must be at most ${max}`);
    return n;
  };
  const runs = count('--runs', o.runs, 1000), warmups = count('--warmups', o.warmups, 100), threads = count('--threads', o.threads, 256);
  const req: RunRequest = {
    workloadId: o.workload, log2Rows: parseInput(Whole, o.size ?? String(DEFAULT_SIZE), '--size'), trackId: o.track, backend,
    ...(runs !== undefined ? { runs } : {}), ...(warmups !== undefined ? { warmups } : {}),
  };
  if (threads === 0) throw new UsageError('--threads must be at least 1');
  if (threads !== undefined && backend === 'gpu')
    throw new UsageError(`--threads does not apply to --backend gpu${o.backend === undefined ? ` (${o.track}'s default; --backend auto takes --threads)` : ''}`);
  let checked;
  try {
    checked = checkRequest(req);
  } catch (e) {
    throw new UsageError(reason(e));
  }
  const need = estimateProveBytes(2 ** req.log2Rows, checked.workload.adapter.columns.length), have = totalmem();
  if (need > have)
    throw new UsageError(`${o.workload} at 2^${req.log2Rows} rows (${checked.cells.toLocaleString('en-US')} trace cells) needs about ${fmtGB(need)} of memory to prove; this machine has ${fmtGB(have)}`);
  for (const [flag, name] of [['--save-baseline', o.saveBaseline], ['--baseline', o.baseline]] as const)
    if (name !== undefined) parseInput(BaselineNameSchema, name, flag);
  if (o.saveBaseline !== undefined && existsSync(baselineFile(o.saveBaseline)))
    throw new UsageError(`baseline ${o.saveBaseline} exists (${baselineFile(o.saveBaseline)}); choose another name or delete that file`);
  const baseline = o.baseline === undefined ? undefined : loadBaseline(o.baseline);
  const mismatch = baseline && baselineMismatch(baseline, { workload_id: o.workload, log2_rows: req.log2Rows, track_id: o.track });
  if (mismatch) throw new UsageError(mismatch);
  const key = o.sign === undefined ? undefined : parseKeyFile(await readJson(o.sign, 'key file'));
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  const out = o.out ?? join('bench-results', `${stamp}Z-${o.workload}-${req.log2Rows}-${o.track}-${bytesToHex(randomBytes(2))}`);
  checkOut(out);
  return { req: { ...req, ...(key ? { key } : {}) }, threads, baseline, out };
}

export const benchRun = (o: BenchRunOptions): Promise<number> =>
  command('bench run', async () => {
    const { req, threads, baseline, out } = await planRun(o);
    const streamer = o.stream === undefined ? undefined : new LiveStreamer(serverUrl(o.stream, '--stream'), say, connectLiveNode);
    let opened;
    try {
      opened = await openNodeHost({
        backend: req.backend, ...(threads !== undefined ? { threads } : {}), outDir: out, notice: (m) => say(`  ${m}`), progress: progressView(process.stderr.isTTY === true),
        ...(streamer ? { onEventLine: (line: string) => streamer.line(line) } : {}),
      });
    } catch (e) {
      if (e instanceof GpuUnavailableError)
        throw new UsageError(`${o.track} needs a GPU adapter: ${e.message} (capseal doctor explains; CAPSEAL_GPU_ADAPTER=swiftshader runs SwiftShader, for correctness only; --track baseline_no_accel runs on the CPU)`);
      throw e;
    }
    const host = opened.host, description = host.backend.description;
    const hardwareHash = hardwareHashOf(host.manifests.hardware);
    const settings = { backend: req.backend, cpu_threads: host.knobs.cpu_threads, gpu_adapter: host.knobs.gpu?.adapter ?? null };
    try {
      const other = baseline && otherMachine(baseline, hardwareHash, settings);
      if (other) throw new UsageError(other);
      claimOut(out);
    } catch (e) {
      await opened.close();
      throw e;
    }
    const where = `the partial run is in ${out} (events/events.jsonl and logs/runner.log say how far it got)`;
    let control: { snapshot(): void; flush(): void } | undefined;
    host.control = (c) => (control = c);
    const interrupted = () => {
      control?.flush();
      process.stderr.write(`\ncapseal bench run: interrupted; ${where}\n`);
      process.exit(130);
    };
    process.once('SIGINT', interrupted);
    // kill -USR2 <pid> appends a state_snapshot event (what a live viewer asks for on connect).
    const onUsr2 = () => control?.snapshot();
    process.on('SIGUSR2', onUsr2);
    say(`bench run: ${o.workload} at 2^${req.log2Rows} rows on ${o.track} (${description}) into ${out}`);
    let result;
    try {
      result = await runBenchmark(host, req);
    } catch (e) {
      if (e instanceof RunFailed) {
        process.stderr.write(`capseal bench run: ${e.message}; ${where}\n`);
        return 1;
      }
      throw new UsageError(`${reason(e)}; ${where}`);
    } finally {
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGUSR2', onUsr2);
      await opened.close();
    }

    if (streamer) {
      const r = await streamer.finish(15_000);
      say(r.error ? `  live stream: ${r.error}` : `  live stream: the server has all ${r.sent} events`);
    }
    const m = result.measurements, s = m.summary, po = m.public_outputs;
    say('');
    say(`${o.workload} at 2^${req.log2Rows} rows (${(po.trace_cells ?? 0).toLocaleString('en-US')} trace cells), ${o.track} on ${description}`);
    say(`  ${''.padEnd(9)} ${'median'.padStart(10)} ± σ          [min … max]`);
    say(line('Prove', s.prover_time_us, fmtTime, `${s.prover_time_us.count} runs after ${m.procedure.warmup_runs} warm-up`));
    say(line('Verify', s.verify_time_us, fmtTime, `${s.verify_time_us.count} runs in a fresh worker`));
    say(line('Peak RSS', s.peak_rss_bytes, fmtMiB, m.procedure.rss_method === 'linux_vmhwm_reset' ? 'per run (VmHWM)' : 'per run (sampled)'));
    say(`  Proof ${po.proof_size_bytes?.toLocaleString('en-US')} bytes at ${Object.values(result.capsule.proofs)[0]!.stats.security_bits} bits; throughput ${(po.throughput_cells_per_s ?? 0).toLocaleString('en-US')} trace cells/s`);

    const now = baselineOf(o.saveBaseline ?? 'current', m, hardwareHash, settings, Date.now());
    let comparison: MetricComparison[] | undefined;
    if (baseline) {
      comparison = compareWithBaseline(baseline, now);
      say(`  compared with baseline ${baseline.name} (${baseline.run_id}), medians:`);
      for (const c of comparison) {
        const fmt = METRIC_UNIT[c.metric](c.baseline_median);
        say(`    ${c.metric.padEnd(17)} ${c.verdict.padEnd(13)} ${fmt(c.median)} vs ${fmt(c.baseline_median)} (${c.ratio}×)`);
      }
    }
    if (o.saveBaseline !== undefined) {
      mkdirSync(baselineDir(), { recursive: true });
      writeFileSync(baselineFile(o.saveBaseline), jsonFileBytes(now), { flag: 'wx' });
      say(`  saved baseline ${o.saveBaseline} (${baselineFile(o.saveBaseline)})`);
    }
    const pack = result.pack!;
    const record = {
      pack: pack.path, pack_sha256: pack.sha256, pack_bytes: pack.bytes, folder: join(out, PACK_ROOT), run_id: result.runId,
      capsule_hash: result.capsule.capsule_hash, workload_id: o.workload, log2_rows: req.log2Rows, track_id: o.track, backend: req.backend,
      public_outputs: po, summary: s, ...(comparison ? { baseline: { name: baseline!.name, comparison } } : {}),
    };
    process.stdout.write(o.json ? `${JSON.stringify(record)}\n` : `${pack.path}\ncapsule_hash ${result.capsule.capsule_hash}\n`);
    return 0;
  });

// --- bench verify ---

export interface BenchVerifyOptions {
  certified?: boolean;
  registryRoot?: string;
  acl?: string;
  challengeNonce?: string;
  json: boolean;
}

export const benchVerify = (path: string, o: BenchVerifyOptions): Promise<number> =>
  command('bench verify', async () => {
    if (o.certified && (o.registryRoot === undefined || o.acl === undefined)) throw new UsageError('--certified needs --registry-root HEX and --acl FILE');
    if (!o.certified && (o.registryRoot !== undefined || o.acl !== undefined)) throw new UsageError('--registry-root and --acl go with --certified');
    const certified = o.certified
      ? { registryRoot: parseInput(HashHexSchema, o.registryRoot, '--registry-root'), acl: parseAcl(await readJson(o.acl!, 'ACL')) }
      : undefined;
    const challengeNonce = o.challengeNonce === undefined ? undefined : parseInput(ChallengeNonceSchema, o.challengeNonce, '--challenge-nonce');
    if (!existsSync(path)) throw new UsageError(`cannot read pack ${path}: no such file or folder`);
    const k = await Kernels.load();
    const verifier = verifierBuild();
    const t0 = performance.now();
    let report: PackReport;
    try {
      const pack = await openPack(path);
      try {
        const { files, failure } = watchReads(pack.files);
        report = await verifyPack(k, files, { ...(certified ? { certified } : {}), ...(challengeNonce ? { challengeNonce } : {}) });
        const failed = failure();
        if (failed) throw failed;
      } finally {
        await pack.close();
      }
    } catch (e) {
      if (!(e instanceof PackArchiveError)) throw new UsageError(`cannot read pack ${path}: ${reason(e)}`);
      report = archiveRejection(e);
    }
    const ms = Math.round(performance.now() - t0);
    if (o.json) process.stdout.write(`${JSON.stringify({ ...report, verifier, ms })}\n`);
    else {
      process.stdout.write('      step check   (steps of the seed contract: A structure, B policy and track, C anchors and inputs, D outputs, E DA; P pack, V events, L log)\n');
      for (const c of report.checks) process.stdout.write(checkLine(c));
      if (report.status === 'rejected') process.stdout.write('      (the checks after the first failure did not run)\n');
      process.stdout.write(report.status === 'accepted' ? `${report.message}\n` : `rejected ${report.code}: ${report.message}\n`);
      say(`bench verify: ${ms} ms, verifier capseal ${verifier.version} (build ${verifier.build_hash.slice(0, 16)}…)`);
    }
    return report.status === 'accepted' ? 0 : 1;
  });

// --- bench list ---

export const benchList = (o: { json: boolean }): Promise<number> =>
  command('bench list', async () => {
    const p = SHIPPED_POLICY;
    const workloads = p.workloads.map((w) => {
      const entry = workloadEntryOf(p, w.workload_id)!;
      return { workload_id: w.workload_id, trace_format_id: entry.trace_format_id, air_id: entry.air_id, log2_rows: w.params.log2_rows, description: entry.description, proves: entry.proves };
    });
    const tracks = p.tracks.map((t) => ({ track_id: t.track_id, display_name: t.display_name, backends: t.rules.allowed_backends }));
    const policy = { policy_id: p.policy_id, policy_version: p.policy_version, policy_hash: SHIPPED_POLICY_HASH, registry_root: SHIPPED_REGISTRY.root, suite: p.suite };
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ policy, tracks, workloads, required_anchors: p.required_anchors, measurement_procedure: p.measurement_procedure })}\n`);
      return 0;
    }
    const w = process.stdout.write.bind(process.stdout);
    w(`policy ${p.policy_id} ${p.policy_version}  sha256 ${SHIPPED_POLICY_HASH}\n`);
    w(`registry root ${SHIPPED_REGISTRY.root}  suite ${p.suite.suite_id} ${p.suite.suite_version}\n`);
    w(`measurement: ${p.measurement_procedure.warmup_runs} warm-up + ${p.measurement_procedure.measured_runs} measured runs (median); verify ${p.measurement_procedure.verify_runs} runs in a fresh worker\n\n`);
    w('tracks:\n');
    for (const t of tracks) w(`  ${t.track_id.padEnd(20)} --backend ${t.backends.join('|').padEnd(9)} ${t.display_name}\n`);
    w('\nworkloads (--size = log2 rows):\n');
    for (const x of workloads) {
      w(`  ${x.workload_id.padEnd(20)} ${x.trace_format_id.padEnd(16)} --size ${Math.min(...x.log2_rows)}…${Math.max(...x.log2_rows)}  ${x.description}\n`);
      w(`  ${''.padEnd(20)} proves: ${x.proves}\n`);
    }
    return 0;
  });
