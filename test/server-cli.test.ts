// `capseal serve`, `capseal worker`, `bench submit` and `bench run --stream` end to end, as a user runs
// them (src/cli/main.ts from source): serve prints its URL and stops cleanly on SIGTERM; a run
// streamed live is submitted, accepted (exit 0) and listed, its stream consistent with its pack; a
// duplicate and a tampered pack exit 1 with the reason; a server that is not there exits 2; bad
// options exit 2 before anything starts; a run streamed to a server that starts late waits for it.
// On PostgreSQL: a `capseal worker` killed mid-verification is replaced by another, and the verdict
// is recorded once; one killed on the last attempt leaves a dead letter, recorded as E180.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePackArchive } from '../src/capsulebench/pack-node.js';
import { runCli, startCli, waitFor, type CliProcess } from './helpers/cli.js';
import { copyPack, makePack, readJson, tempDir, writeJson } from './helpers/capsulebench.js';
import { DATABASES, getJson, packTgz, postPack, startTestServer, TEST_JOBS, waitVerdict, type SubmissionJson, type TestServer } from './helpers/server.js';

const TMP = tempDir('capseal-server-cli-');
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('capseal serve and bench submit', () => {
  let serve: CliProcess;
  let url: string;
  const streamed = join(TMP, 'streamed');
  beforeAll(async () => {
    serve = startCli(['serve', '--port', '0', '--data', join(TMP, 'data'), '--workers', '1']);
    await waitFor(serve, () => serve.stdout().includes('\n'));
    url = serve.stdout().trim();
  }, 120_000);
  afterAll(async () => {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
  });

  it('prints its URL on stdout and says where its data is on stderr', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(serve.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(database: PGlite in .*data\/db, 1 verification thread\)/);
  });

  it('streams a run live, then the submitted pack is accepted, listed and consistent with its stream', () => {
    const run = runCli(['bench', 'run', '--workload', 'geom_walk_v1', '--size', '10', '--track', 'baseline_no_accel', '--threads', '1', '--out', streamed, '--stream', url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/live stream: the server has all \d+ events/);
    const sub = runCli(['bench', 'submit', packTgz(streamed), '--server', url, '--wait']);
    expect(sub.code, sub.stderr + sub.stdout).toBe(0);
    const runId = readJson(join(streamed, 'capsulepack'), 'pack_meta.json')['run_id'] as string;
    expect(sub.stdout.trim().split('\n').at(-1)).toBe(`accepted (community): ${url}/api/runs/${runId}`);
    expect(sub.stdout).toMatch(/^ok {4}P1 {3}layout$/m);
    expect(sub.stderr).toMatch(/verified in \d+ ms by capseal .* DA challenge nonce [0-9a-f]{16}…/);
  });

  it('lists the run, with its stream consistent', async () => {
    const runId = readJson(join(streamed, 'capsulepack'), 'pack_meta.json')['run_id'] as string;
    const r = await getJson<{ run: { live_status: string; tier: string } }>(`${url}/api/runs/${runId}`);
    expect(r.run).toMatchObject({ live_status: 'consistent', tier: 'community' });
  });

  it('a duplicate exits 1 with a link to the first; --json says so too', () => {
    const dup = runCli(['bench', 'submit', packTgz(streamed), '--server', url]);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toMatch(/409 duplicate\): this capsule is already on the board: submission sub_[0-9a-f]{24} — the first: http/);
    const json = runCli(['bench', 'submit', streamed, '--server', url, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'refused', http_status: 409, error: { code: 'duplicate' } });
  });

  it('a tampered pack exits 1 with its code', async () => {
    const other = join(TMP, 'other');
    await makePack(other);
    const dir = copyPack(join(other, 'capsulepack'));
    const m = readJson(dir, 'measurements/measurements.json');
    m['runs'][0].prove_us += 1;
    writeJson(dir, 'measurements/measurements.json', m);
    const tgz = (await makePackArchive(join(dir, '..'))).path;
    const r = runCli(['bench', 'submit', tgz, '--server', url, '--wait']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^rejected E152_MEASUREMENTS_HASH_MISMATCH: /);
  });

  it('SIGTERM closes the server cleanly (exit 0)', async () => {
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.stderr()).toMatch(/SIGTERM, closing/);
  });

  it('a server that is not there exits 2 with one line', () => {
    const r = runCli(['bench', 'submit', packTgz(streamed), '--server', url, '--wait']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^capseal bench submit: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

describe('bad options exit 2 before anything starts', () => {
  it.each([
    [['serve', '--port', 'x'], /^capseal serve: invalid --port: must be a whole number/],
    [['serve', '--port', '70000'], /^capseal serve: invalid --port: must be at most 65535/],
    [['serve', '--db', 'mysql://x'], /^capseal serve: --db must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [['serve', '--registry-root', 'ab'.repeat(32)], /^capseal serve: --registry-root needs --acl/],
    [['serve', '--workers', '0'], /^capseal serve: --workers 0 needs --db/],
    [['serve', '--workers', '65'], /^capseal serve: invalid --workers: must be at most 64/],
    [['serve', '--max-uploads', '0'], /^capseal serve: invalid --max-uploads: must be at least 1/],
    [['serve', '--max-pack-bytes', '10'], /^capseal serve: invalid --max-pack-bytes: must be at least 1024/],
    [['serve', '--data', '/proc/capseal'], /^capseal serve: --data \/proc\/capseal is under \/proc, which holds no files/],
    [['worker', '--db', 'postgres://x@127.0.0.1:1/x', '--workers', '0'], /^capseal worker: --workers must be at least 1/],
    [['bench', 'submit', 'x.tgz', '--server', 'http://127.0.0.1:1', '--timeout', '5'], /^capseal bench submit: --timeout goes with --wait/],
    [['bench', 'submit', 'x.tgz', '--server', 'http://127.0.0.1:1/api'], /^capseal bench submit: --server is the server's address alone/],
    [['serve', '--prices', '/nonexistent/prices.json'], /^capseal serve: cannot read price table \/nonexistent\/prices.json/],
    [['worker', '--db', 'file.db'], /^capseal worker: --db must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [['serve', '--db', 'postgres://nobody@127.0.0.1:1/none'], /^capseal serve: cannot start: .*ECONNREFUSED/],
    [['bench', 'submit', 'x.tgz', '--server', 'ftp://h'], /^capseal bench submit: --server must be http:\/\/ or https:\/\//],
    [['bench', 'submit', '/nonexistent.tgz', '--server', 'http://127.0.0.1:1'], /^capseal bench submit: cannot read pack \/nonexistent.tgz/],
  ])('%j', (args, message) => {
    const r = runCli(args, { XDG_DATA_HOME: join(TMP, 'xdg') }, 60_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('bench run --stream', () => {
  it('waits for a server that is not up yet, then streams every event', async () => {
    const probe = await startTestServer('pglite');
    const port = new URL(probe.url).port;
    await probe.stop(); // a free port, for a server that starts late
    const out = join(TMP, 'late');
    const run = startCli(['bench', 'run', '--workload', 'geom_walk_v1', '--size', '10', '--track', 'baseline_no_accel', '--threads', '1', '--out', out, '--stream', `http://127.0.0.1:${port}`]);
    let s: TestServer | undefined;
    try {
      await new Promise((r) => setTimeout(r, 1500));
      s = await startTestServer('pglite', { port: Number(port) });
      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.stderr()).toMatch(/live stream: the server has all \d+ events/);
      const runId = readJson(join(out, 'capsulepack'), 'pack_meta.json')['run_id'] as string;
      const stored = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM live_events WHERE run_id = $1', [runId]);
      expect(stored.rows[0]!.n).toBe(readFileSync(join(out, 'capsulepack', 'events', 'events.jsonl'), 'utf8').trimEnd().split('\n').length);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await s?.stop();
    }
  });
});

describe.skipIf(!DATABASES.includes('postgres'))('capseal worker on PostgreSQL', () => {
  /** A 2^14 pack: it takes longer to verify than a status poll, so a worker can be killed mid-way. */
  const big = join(TMP, 'big');
  beforeAll(() => makePack(big, { log2Rows: 14 }), 120_000);

  it('a worker killed mid-verification is replaced by another, and the verdict is recorded once', async () => {
    const s = await startTestServer('postgres', { workers: 0 });
    const workers: CliProcess[] = [];
    try {
      const worker = () => {
        const w = startCli(['worker', '--db', s.dbUrl!, '--workers', '1', '--job-expire-seconds', '3']);
        workers.push(w);
        return w;
      };
      const w1 = worker();
      await waitFor(w1, () => w1.stderr().includes('verification thread'));
      const r = await postPack(s.url, packTgz(big));
      const id = ((await r.json()) as { id: string }).id;
      let st: SubmissionJson;
      do st = await getJson<SubmissionJson>(`${s.url}/api/submissions/${id}`);
      while (st.status === 'queued');
      expect(st.status).toBe('verifying'); // a 2^14 pack takes longer to verify than this poll
      w1.child.kill('SIGKILL');
      await w1.exited;
      worker();
      const v = await waitVerdict(s.url, id, 60_000);
      expect(v.verdict?.status).toBe('accepted');
      expect(v.attempts).toBe(2);
      const rows = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM runs WHERE submission_id = $1', [id]);
      expect(Number(rows.rows[0]!.n)).toBe(1);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await s.stop();
    }
  });

  it('a worker that vanishes on the last attempt leaves a dead letter, recorded as E180', async () => {
    const s = await startTestServer('postgres', { workers: 0, jobs: { ...TEST_JOBS, retryLimit: 0, expireInSeconds: 3 } });
    let w: CliProcess | undefined;
    try {
      w = startCli(['worker', '--db', s.dbUrl!, '--workers', '1', '--job-expire-seconds', '3']);
      await waitFor(w, () => w!.stderr().includes('verification thread'));
      const id = ((await (await postPack(s.url, packTgz(big))).json()) as { id: string }).id;
      let st: SubmissionJson;
      do st = await getJson<SubmissionJson>(`${s.url}/api/submissions/${id}`);
      while (st.status === 'queued');
      expect(st.status).toBe('verifying');
      w.child.kill('SIGKILL');
      const v = await waitVerdict(s.url, id, 60_000);
      expect(v.verdict).toMatchObject({ status: 'rejected', code: 'E180_VERIFICATION_FAILED' });
      expect(v.verdict!.message).toMatch(/the verifier never finished/);
    } finally {
      if (w && w.child.exitCode === null) w.child.kill('SIGKILL');
      await s.stop();
    }
  });
});

