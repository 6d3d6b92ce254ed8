// `perf server`: a load test of the leaderboard server (src/server/, `capseal serve`). It makes N
// distinct small capsulepacks with the runner (geom_walk_v1 at 2^--size rows on baseline_no_accel:
// CPU, one thread, as test/helpers/capsulebench.ts makePack does; each run has its own run id and so
// its own capsule hash), kept under os.tmpdir() so that a rerun makes only the packs it lacks; starts
// the server in this process (serve() on 127.0.0.1, a free port; PGlite in a temporary folder, or the
// PostgreSQL of --db) with --workers verification threads and the default limits, except that the
// uploads one address may have in progress are raised to the server's total, since every submission
// here comes from 127.0.0.1 and stands for a client of its own; sends all N submissions at once, each
// sent again after its Retry-After while the server answers 503 (more uploads than it takes at once);
// and polls every submission the server took (202) until it has its verdict. One record: the counts,
// wall time, verdicts per second, and percentiles of the latency from the first send to the verdict
// seen (to within the poll interval), of the upload (first send to 202, retries included) and of the
// server's verify_ms. Every pack is honest, so anything but N accepted is a failed check (exit 1).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeHost, verifierBuild } from '../src/capsulebench/host-node.js';
import { PACK_FILE } from '../src/capsulebench/pack.js';
import { SHIPPED_POLICY, SHIPPED_POLICY_HASH, sizesOf } from '../src/capsulebench/policy.js';
import { runBenchmark } from '../src/capsulebench/runner.js';
import { DEFAULT_LIMITS, type Limits } from '../src/server/limits.js';
import { isPostgresUrl } from '../src/server/db.js';
import { serve } from '../src/server/server.js';
import { device, median, progress, report, sig3 } from './measure.js';

const WORKLOAD = 'geom_walk_v1';
const TRACK = 'baseline_no_accel';
/** The pack sizes (log2 rows) the shipped policy allows for the workload; the smallest is the default. */
const SIZES: readonly number[] = sizesOf(SHIPPED_POLICY, WORKLOAD)!;
const DEFAULT_SUBMISSIONS = 200;

/** N clients on one address: the per-address limit would otherwise let only a few upload at once. */
const LIMITS: Limits = { ...DEFAULT_LIMITS, maxUploadsPerAddress: DEFAULT_LIMITS.maxConcurrentUploads };

/** Each submission waiting for its verdict is asked this often, a few requests at a time. */
const POLL_INTERVAL_MS = 250;
const POLL_CONCURRENCY = 4;
/** Submissions still waiting when nothing has happened (no 202, no verdict) for this long are lost. */
const STALL_MS = 120_000;

export interface ServerLoadOptions {
  submissions?: number;
  size?: number;
  workers?: number;
  db?: string;
  json: boolean;
}

/** Packs kept between runs: one folder per policy (the packs verify under it) and size. */
const cacheDir = (size: number): string => join(tmpdir(), 'capseal-server-load', `${SHIPPED_POLICY_HASH.slice(0, 16)}-size${size}`);

/** The first `count` packs of the cache, made now where missing. */
async function packs(count: number, size: number): Promise<string[]> {
  const dir = cacheDir(size);
  await mkdir(dir, { recursive: true });
  const paths = Array.from({ length: count }, (_, i) => join(dir, `pack-${String(i).padStart(5, '0')}.tgz`));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) progress(`making ${missing.length} of ${count} packs (${WORKLOAD}, 2^${size} rows, ${TRACK}, one thread) in ${dir}`);
  const t0 = performance.now();
  for (const [i, path] of missing.entries()) {
    const outDir = await mkdtemp(join(dir, 'making-'));
    try {
      const { host, close } = await openNodeHost({ backend: 'cpu', threads: 1, outDir, notice: () => {}, progress: () => {} });
      try {
        await runBenchmark(host, { workloadId: WORKLOAD, log2Rows: size, trackId: TRACK, backend: 'cpu' });
      } finally {
        await close();
      }
      await rename(join(outDir, PACK_FILE), path); // whole packs only: an interrupted run leaves none half made
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
    progress(`  pack ${i + 1}/${missing.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return paths;
}

/** One pack's way through the server (times from performance.now()). */
interface Submission {
  body: Uint8Array;
  /** The final answer's HTTP status (not 503), 0 when the request failed; undefined while sending. */
  status?: number;
  id?: string;
  /** When the 202 came. */
  takenAt?: number;
  verdict?: { status: string; code: string | null; message: string; verify_ms: number; seenAt: number };
}

type Complain = (message: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms: seconds or an HTTP date (RFC 9110); 1 s when absent or unreadable. */
function retryAfterMs(v: string | null): number {
  if (v && /^\d+$/.test(v)) return Number(v) * 1000;
  const at = v ? Date.parse(v) : NaN;
  return Number.isNaN(at) ? 1000 : Math.max(0, at - Date.now());
}

const why = (e: unknown): string => (e instanceof Error ? `${e.message}${e.cause ? ` (${String(e.cause)})` : ''}` : String(e));

/** Sends a pack until the server answers other than 503; returns the number of 503s. */
async function send(url: string, s: Submission, complain: Complain): Promise<number> {
  for (let retries = 0; ; retries++) {
    let r: Response;
    try {
      r = await fetch(`${url}/api/submissions`, { method: 'POST', body: s.body as unknown as BodyInit, headers: { 'content-type': 'application/gzip' } });
    } catch (e) {
      s.status = 0;
      complain(`POST failed: ${why(e)}`);
      return retries;
    }
    const text = await r.text();
    if (r.status === 503) {
      await sleep(retryAfterMs(r.headers.get('retry-after')));
      continue;
    }
    s.status = r.status;
    if (r.status === 202) {
      s.id = (JSON.parse(text) as { id: string }).id;
      s.takenAt = performance.now();
    } else if (r.status !== 409) complain(`POST answered ${r.status}: ${text.slice(0, 300)}`);
    return retries;
  }
}

/** Asks each taken submission for its verdict, round after round, until the sends are over and none is waiting (or it stalls). */
async function pollVerdicts(url: string, subs: Submission[], sending: () => boolean, complain: Complain): Promise<void> {
  const ask = async (s: Submission): Promise<void> => {
    try {
      const r = await fetch(`${url}/api/submissions/${s.id}`);
      if (!r.ok) return complain(`GET ${s.id}: ${r.status} ${(await r.text()).slice(0, 300)}`);
      const v = ((await r.json()) as { verdict: Omit<NonNullable<Submission['verdict']>, 'seenAt'> | null }).verdict;
      if (v) s.verdict = { status: v.status, code: v.code, message: v.message, verify_ms: v.verify_ms, seenAt: performance.now() };
    } catch (e) {
      complain(`GET ${s.id} failed: ${why(e)}`);
    }
  };
  for (let lastNews = performance.now(); ;) {
    const round = performance.now();
    const waiting = subs.filter((s) => s.id && !s.verdict);
    if (!waiting.length && !sending()) return;
    lastNews = subs.reduce((t, s) => Math.max(t, s.takenAt ?? 0, s.verdict?.seenAt ?? 0), lastNews);
    if (waiting.length && round - lastNews > STALL_MS) {
      complain(`no news for ${STALL_MS / 1000} s: given up on ${waiting.length} submissions without a verdict, e.g. ${waiting[0]!.id}`);
      return;
    }
    for (let i = 0; i < waiting.length; i += POLL_CONCURRENCY) await Promise.all(waiting.slice(i, i + POLL_CONCURRENCY).map(ask));
    await sleep(POLL_INTERVAL_MS - (performance.now() - round));
  }
}

/** Nearest-rank percentile in whole ms; null when there are no values. */
function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

/** The load test: one record, then 1 if not every submission was accepted (a usage error throws before any work). */
export async function benchServer(o: ServerLoadOptions): Promise<number> {
  if (o.size !== undefined && !SIZES.includes(o.size)) throw new Error(`--size: must be one of ${SIZES.join(', ')} (the sizes the policy allows for ${WORKLOAD})`);
  if (o.db !== undefined && !isPostgresUrl(o.db)) throw new Error('--db: must be a postgres:// or postgresql:// URL');
  const n = o.submissions ?? DEFAULT_SUBMISSIONS, size = o.size ?? SIZES[0]!;
  const workers = o.workers ?? Math.max(1, Math.min(4, availableParallelism() - 1)); // capseal serve's default
  const bodies = await Promise.all((await packs(n, size)).map(async (p) => new Uint8Array(await readFile(p))));
  // Each problem is told once as it happens, with a count at the end when it recurred.
  const problems = new Map<string, number>();
  const complain: Complain = (m) => {
    if (!problems.has(m)) progress(`warning: ${m}`);
    problems.set(m, (problems.get(m) ?? 0) + 1);
  };
  const build = verifierBuild().build_hash; // the code the server runs, as serve() reads it at start
  const dataDir = await mkdtemp(join(tmpdir(), 'capseal-server-load-'));
  let subs: Submission[], retries = 0, t0: number, database: { kind: string; version: string };
  try {
    const server = await serve({ host: '127.0.0.1', port: 0, dataDir, workers, limits: LIMITS, ...(o.db ? { url: o.db } : {}), log: progress });
    try {
      database = { kind: server.db.kind, version: (await server.db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version };
      progress(`sending ${n} submissions at once (the server takes ${LIMITS.maxConcurrentUploads} uploads at a time)`);
      subs = bodies.map((body) => ({ body }));
      t0 = performance.now();
      let sending = true;
      const sends = Promise.all(subs.map(async (s) => (retries += await send(server.url, s, complain)))).finally(() => (sending = false));
      await Promise.all([sends, pollVerdicts(server.url, subs, () => sending, complain)]);
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
  const done = subs.flatMap((s) => (s.verdict ? [s.verdict] : []));
  const accepted = done.filter((v) => v.status === 'accepted').length;
  const duplicates = subs.filter((s) => s.status === 409).length;
  const lost = n - done.length - duplicates;
  const wallS = (done.reduce((t, v) => Math.max(t, v.seenAt), t0) - t0) / 1000;
  const latency = done.map((v) => v.seenAt - t0);
  const upload = subs.flatMap((s) => (s.takenAt === undefined ? [] : [s.takenAt - t0]));
  const verify = done.map((v) => v.verify_ms);
  report(o.json, {
    bench: 'server', workload: WORKLOAD, size, submissions: n, pack_bytes: Math.round(median(bodies.map((b) => b.length))),
    database: database.kind, database_version: database.version, build_hash: build, workers, max_concurrent_uploads: LIMITS.maxConcurrentUploads,
    accepted, rejected: done.length - accepted, lost, duplicates, retries_503: retries,
    wall_s: sig3(wallS), verdicts_per_s: sig3(done.length / wallS),
    latency_p50_ms: percentile(latency, 50), latency_p90_ms: percentile(latency, 90), latency_p99_ms: percentile(latency, 99), latency_max_ms: percentile(latency, 100),
    upload_p50_ms: percentile(upload, 50), upload_p99_ms: percentile(upload, 99), verify_p50_ms: percentile(verify, 50), verify_p99_ms: percentile(verify, 99),
    poll_interval_ms: POLL_INTERVAL_MS, machine: { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length }, device,
  });
  for (const [m, times] of problems) if (times > 1) progress(`(${times} times: ${m})`);
  if (accepted === n) return 0;
  const rejected = done.find((v) => v.status !== 'accepted');
  process.stderr.write(`error: ${n - accepted} of ${n} submissions not accepted: ${done.length - accepted} rejected` +
    `${rejected ? ` (the first: ${rejected.code}: ${rejected.message})` : ''}, ${lost} lost, ${duplicates} duplicates` +
    `${duplicates ? ' (409: this database already had these packs; use a fresh one)' : ''}\n`);
  return 1;
}
