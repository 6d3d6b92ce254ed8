// The leaderboard server (src/server/), in this process, once per database (PGlite always;
// PostgreSQL when test/run.sh started one): an honest pack goes queued → verifying → accepted and
// onto the board with every check, the challenge nonce, the verifier build and time recorded; its
// receipt, pack and events read back byte for byte; the tables export as CSV; a duplicate gets 409; a
// tampered pack is rejected with its code and changes nothing on the board; every answer has the
// shape the OpenAPI document gives it; the certified tier needs
// registry inclusion, a signature and an ACL entry (else community, saying why); costs come from a
// hashed price table; a live run streamed, dropped and resumed reaches its viewers without gaps or
// repeats and is checked against the pack; and a verification killed mid-way or a server restarted
// during uploads loses no submission and records its verdict once.
import { readFileSync, rmSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateKeyFile, type KeyFile } from '../src/capsule/authorship.js';
import { eventLine, lineHash, RunState, type StreamEvent } from '../src/capsulebench/events.js';
import { makePackArchive } from '../src/capsulebench/pack-node.js';
import { SHIPPED_REGISTRY } from '../src/capsulebench/policy.js';
import { sha256Hex } from '../src/hash/digest.js';
import { copyPack, makePack, readJson, tempDir, writeJson } from './helpers/capsulebench.js';
import { hardwareManifest } from '../src/capsulebench/host-node.js';
import * as CapSchemas from '../src/server/api-schemas.js';
import { parsePrices } from '../src/server/prices.js';
import { DEFAULT_LIMITS } from '../src/server/limits.js';
import { DATABASES, getJson, packTgz, postPack, startTestServer, submitAndWait, TEST_JOBS, waitVerdict, type SubmissionJson, type TestServer } from './helpers/server.js';

const TMP = tempDir('capseal-server-');
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const aclFor = (pubkey: string) => ({ schema: 'bef_acl_v1' as const, policies: { bef_bench_policy_v2: [{ pubkey, status: 'active' as const }] } });

/** Packs made once: honest ones to submit, a signed one, and a pack folder to tamper with. */
let packs: { a: string; b: string; c: string; d: string; signed: string; signedOther: string };
let key: KeyFile;

async function pack(name: string, req: Parameters<typeof makePack>[1] = {}): Promise<string> {
  const out = join(TMP, name);
  await makePack(out, req);
  return out;
}

beforeAll(async () => {
  key = generateKeyFile();
  packs = {
    a: await pack('a'), b: await pack('b'), c: await pack('c'), d: await pack('d'),
    signed: await pack('signed', { key }), signedOther: await pack('signed-other', { key: generateKeyFile() }),
  };
}, 300_000);

const runIdOf = (out: string): string => readJson(join(out, 'capsulepack'), 'pack_meta.json')['run_id'] as string;
const eventLines = (out: string): string[] => readFileSync(join(out, 'capsulepack', 'events', 'events.jsonl'), 'utf8').trimEnd().split('\n');

/** A tampered copy of a pack, as a new .tgz: `edit` changes its folder. */
async function tampered(out: string, edit: (dir: string) => void): Promise<string> {
  const dir = copyPack(join(out, 'capsulepack'));
  edit(dir);
  return (await makePackArchive(join(dir, '..'))).path;
}

describe.each(DATABASES)('the server on %s', (kind) => {
  let s: TestServer;
  let first: SubmissionJson;
  beforeAll(async () => {
    const prices = parsePrices(new TextEncoder().encode(JSON.stringify({
      schema: 'capseal_price_table_v1', version: '2026-12', currency: 'USD', classes: [{ hardware_class: 'this machine', usd_per_hour: 3.6, cpu_model: hardwareManifest(null).cpu.model }],
    })));
    s = await startTestServer(kind, { certified: { registryRoot: SHIPPED_REGISTRY.root, acl: aclFor(key.public_key) }, prices });
    first = await submitAndWait(s.url, packTgz(packs.a));
  }, 120_000);
  afterAll(async () => s?.stop());

  it('accepts an honest pack and records the whole verdict', async () => {
    expect(first.verdict?.status, JSON.stringify(first.verdict)).toBe('accepted');
    expect(first.verdict!.tier).toBe('community'); // unsigned
    expect(first.verdict!.checks.length).toBeGreaterThan(30);
    expect(first.verdict!.checks.every((c) => c.ok)).toBe(true);
    expect(first.verdict!.da_audit.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(first.verdict!.verifier.build_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.verdict!.verify_ms).toBeGreaterThan(0);
    const health = await getJson<{ verifier_build_hash: string; database: string }>(`${s.url}/api/health`);
    expect(first.verdict!.verifier.build_hash).toBe(health.verifier_build_hash);
    expect(health.database).toBe(kind);
    const row = await s.db.query<{ status: string; challenge_nonce: string; checks: unknown[] }>('SELECT status, challenge_nonce, checks FROM submissions WHERE id = $1', [first.id]);
    expect(row.rows[0]).toMatchObject({ status: 'accepted', challenge_nonce: first.verdict!.da_audit.nonce });
    expect(row.rows[0]!.checks).toEqual(first.verdict!.checks);
  });

  it('lists it on the leaderboard, and its receipt, pack and events read back as submitted', async () => {
    const runId = runIdOf(packs.a);
    const board = await getJson<{ rows: Record<string, unknown>[] }>(`${s.url}/api/leaderboard?workload=geom_walk_v1&size=10&track=baseline_no_accel`);
    const mine = board.rows.find((r) => r['run_id'] === runId)!;
    const m = readJson(join(packs.a, 'capsulepack'), 'measurements/measurements.json');
    expect(mine).toMatchObject({
      workload_id: 'geom_walk_v1', log2_rows: 10, track_id: 'baseline_no_accel', tier: 'community', runs: m['runs'].length,
      prove_median_us: m['summary'].prover_time_us.median, throughput_cells_per_s: m['public_outputs'].throughput_cells_per_s,
      proof_bytes: m['public_outputs'].proof_size_bytes, verify_median_us: m['summary'].verify_time_us.median,
    });
    expect(mine['hardware_summary']).toMatch(/threads/);
    const run = await getJson<Record<string, any>>(`${s.url}/api/runs/${runId}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    const capsule = readJson(join(packs.a, 'capsulepack'), 'capsule.json');
    expect(run['capsule_hash']).toBe(capsule['capsule_hash']);
    expect(run['statement_hash']).toBe(capsule['statement_hash']);
    expect(run['anchors']).toEqual(capsule['anchors']);
    expect(Object.keys(run['manifests']).sort()).toEqual(['hardware', 'knobs', 'os', 'toolchain']);
    expect(run['measurements']['runs'][0]['stages'].length).toBeGreaterThan(3);
    expect(run['verification']['checks']).toEqual(first.verdict!.checks);
    const tgz = new Uint8Array(await (await fetch(`${s.url}${run['links']['pack']}`)).arrayBuffer());
    expect(sha256Hex(tgz)).toBe(sha256Hex(readFileSync(packTgz(packs.a))));
    // The pack's log: the folder's, before the two events written after the .tgz (pack_ready, done).
    const events = await (await fetch(`${s.url}${run['links']['events']}`)).text();
    expect(events.trimEnd().split('\n')).toEqual(eventLines(packs.a).slice(0, -2));
  });

  it('exports every table as CSV, compares two runs, lists hardware and dumps the database', async () => {
    await submitAndWait(s.url, packTgz(packs.b));
    const csv = await (await fetch(`${s.url}/api/leaderboard?format=csv`)).text();
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^rank,run_id,workload_id,log2_rows,track_id,tier,/);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const cmp = await getJson<{ a: { run_id: string; proof_bytes: number }; b: { proof_bytes: number }; ratio_b_over_a: Record<string, number> }>(`${s.url}/api/compare?a=${runIdOf(packs.a)}&b=${runIdOf(packs.b)}`);
    expect(cmp.a.run_id).toBe(runIdOf(packs.a));
    expect(cmp.ratio_b_over_a['proof_bytes']).toBe(cmp.b.proof_bytes / cmp.a.proof_bytes);
    expect(Object.keys(cmp.ratio_b_over_a)).not.toContain('log2_rows'); // sizes and labels are not divided
    expect((await (await fetch(`${s.url}/api/compare?a=${runIdOf(packs.a)}&b=${runIdOf(packs.b)}&format=csv`)).text()).split('\r\n')[3]).toMatch(/^b\/a,/);
    const hw = await getJson<{ rows: { runs: number }[] }>(`${s.url}/api/hardware`);
    expect(hw.rows[0]!.runs).toBeGreaterThanOrEqual(2);
    const dump = (await (await fetch(`${s.url}/api/dump`)).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { table: string; row: Record<string, unknown> });
    expect(dump.filter((d) => d.table === 'runs').length).toBeGreaterThanOrEqual(2);
    expect(dump.some((d) => d.table === 'submissions' && d.row['id'] === first.id)).toBe(true);
    expect(JSON.stringify(dump)).not.toMatch(/token_sha256/);
  });

  it('prices each proof from the hashed price table', async () => {
    const board = await getJson<{ prices: { version: string; sha256: string }; rows: { prove_median_us: number; cost: { hardware_class: string; usd_per_proof: number } }[] }>(`${s.url}/api/leaderboard`);
    expect(board.prices.version).toBe('2026-12');
    expect(board.prices.sha256).toMatch(/^[0-9a-f]{64}$/);
    const row = board.rows[0]!;
    expect(row.cost.hardware_class).toBe('this machine');
    expect(row.cost.usd_per_proof).toBeCloseTo((3.6 * row.prove_median_us) / 3.6e9, 12); // $3.60/h = $1 per 10^9 µs
    expect(() => parsePrices(new TextEncoder().encode('{"schema":"capseal_price_table_v1","version":"1","currency":"EUR","classes":[]}'))).toThrow(/not a capseal_price_table_v1/);
    expect(() => parsePrices(new TextEncoder().encode('{"a":1,"a":2}'))).toThrow(/not valid JSON/);
  });

  it('lists the newest submissions, rejections included, as JSON and CSV', async () => {
    const list = await getJson<{ rows: { id: string; status: string; run_id: string | null }[] }>(`${s.url}/api/submissions?status=accepted&limit=50`);
    expect(list.rows.find((r) => r.id === first.id)).toMatchObject({ status: 'accepted', run_id: runIdOf(packs.a) });
    expect(list.rows.every((r) => r.status === 'accepted')).toBe(true);
    const csv = await (await fetch(`${s.url}/api/submissions?format=csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('id,status,received_at,pack_sha256,pack_bytes,capsule_hash,run_id,attempts,tier,code,verify_ms,verified_at');
    expect((await fetch(`${s.url}/api/submissions?limit=0`)).status).toBe(400);
  });

  it('answers a second submission of the same capsule with 409 and a link to the first', async () => {
    const r = await postPack(s.url, packTgz(packs.a));
    expect(r.status).toBe(409);
    const body = (await r.json()) as { error: { code: string; first: { id: string; url: string } } };
    expect(body.error.code).toBe('duplicate');
    expect(body.error.first).toEqual({ id: first.id, url: `/api/submissions/${first.id}` });
  });

  it('rejects a tampered pack with its code and leaves the board as it was', async () => {
    const before = await getJson<{ rows: unknown[] }>(`${s.url}/api/leaderboard`);
    const path = await tampered(packs.c, (dir) => {
      const m = readJson(dir, 'measurements/measurements.json');
      m['summary'].prover_time_us.median = 1; // a faster claim than was measured
      writeJson(dir, 'measurements/measurements.json', m);
    });
    const v = await submitAndWait(s.url, path);
    expect(v.verdict?.status).toBe('rejected');
    expect(v.verdict!.code).toBe('E152_MEASUREMENTS_HASH_MISMATCH');
    expect(v.verdict!.checks.at(-1)).toMatchObject({ ok: false, code: 'E152_MEASUREMENTS_HASH_MISMATCH' });
    expect(v.links.run).toBeNull();
    expect((await getJson<{ rows: unknown[] }>(`${s.url}/api/leaderboard`)).rows).toEqual(before.rows);
    expect((await fetch(`${s.url}/api/runs/${runIdOf(packs.c)}`)).status).toBe(404);
  });

  it('certifies a signed pack whose key the ACL lists; another key stays community and says why', async () => {
    const ok = await submitAndWait(s.url, packTgz(packs.signed));
    expect(ok.verdict).toMatchObject({ status: 'accepted', tier: 'certified', certified_refusal: null });
    const other = await submitAndWait(s.url, packTgz(packs.signedOther));
    expect(other.verdict).toMatchObject({ status: 'accepted', tier: 'community' });
    expect(other.verdict!.certified_refusal?.code).toBe('E072_SIGNER_NOT_AUTHORIZED');
    const certified = await getJson<{ rows: { run_id: string; tier: string }[] }>(`${s.url}/api/leaderboard?tier=certified`);
    expect(certified.rows.map((r) => r.run_id)).toEqual([runIdOf(packs.signed)]);
    const all = await getJson<{ rows: { run_id: string }[] }>(`${s.url}/api/leaderboard?tier=community`);
    expect(all.rows.map((r) => r.run_id)).toEqual(expect.arrayContaining([runIdOf(packs.signed), runIdOf(packs.signedOther), runIdOf(packs.a)]));
  });

  it('a copy of a capsule in other bytes, verified beside the first, is rejected with E181; the board lists the run once', async () => {
    const tgz = readFileSync(packTgz(packs.c));
    const other = gzipSync(gunzipSync(tgz), { level: 1 }); // the same archive, compressed otherwise
    expect(sha256Hex(other)).not.toBe(sha256Hex(tgz));
    // Both are queued before either is verified: a server with no verifiers takes them, then restarts with one.
    let q = await startTestServer(kind, { workers: 0 });
    try {
      const [r1, r2] = [await postPack(q.url, tgz), await postPack(q.url, other)];
      expect([r1.status, r2.status]).toEqual([202, 202]);
      const ids = [((await r1.json()) as { id: string }).id, ((await r2.json()) as { id: string }).id];
      q = await q.restart({ workers: 1 });
      const verdicts = await Promise.all(ids.map((id) => waitVerdict(q.url, id)));
      expect(verdicts.map((v) => v.verdict!.code).sort()).toEqual(['E181_ALREADY_ON_BOARD', null]);
      const loser = verdicts.find((v) => v.verdict!.code)!;
      expect(loser.verdict!.message).toContain(verdicts.find((v) => !v.verdict!.code)!.id);
      const board = await getJson<{ rows: { run_id: string }[] }>(`${q.url}/api/leaderboard`);
      expect(board.rows.filter((r) => r.run_id === runIdOf(packs.c))).toHaveLength(1);
      const kept = await q.db.query('SELECT 1 FROM packs WHERE submission_id = $1', [loser.id]);
      expect(kept.rows).toHaveLength(0); // a rejected pack's bytes are not kept
    } finally {
      await q.stop();
    }
  });

  it("a pack that only claims another's capsule hash and run id blocks nothing", async () => {
    const victim = join(TMP, `victim-${kind}`);
    await makePack(victim);
    const claims = await tampered(victim, (dir) => {
      const m = readJson(dir, 'measurements/measurements.json');
      m['runs'][0].prove_us += 1; // junk that still claims the victim's capsule hash and run id
      writeJson(dir, 'measurements/measurements.json', m);
    });
    const squat = await postPack(s.url, claims);
    expect(squat.status).toBe(202);
    const live = await fetch(`${s.url}/api/live`, { method: 'POST', body: JSON.stringify({ run_id: runIdOf(victim) }) });
    expect(live.status).toBe(409); // a claimed run cannot be registered for a stream afterwards
    const real = await submitAndWait(s.url, packTgz(victim));
    expect(real.verdict).toMatchObject({ status: 'accepted' });
    expect((await waitVerdict(s.url, ((await squat.json()) as { id: string }).id)).verdict!.code).toBe('E152_MEASUREMENTS_HASH_MISMATCH');
  });

  it('answers in the shapes its OpenAPI document describes', async () => {
    const runId = runIdOf(packs.a);
    CapSchemas.SubmissionSchema.parse(await getJson(`${s.url}/api/submissions/${first.id}`));
    CapSchemas.LeaderboardSchema.parse(await getJson(`${s.url}/api/leaderboard`));
    CapSchemas.RunSchema.parse(await getJson(`${s.url}/api/runs/${runId}`));
    CapSchemas.CompareSchema.parse(await getJson(`${s.url}/api/compare?a=${runId}&b=${runId}`));
    CapSchemas.HardwareSchema.parse(await getJson(`${s.url}/api/hardware`));
    CapSchemas.HealthSchema.parse(await getJson(`${s.url}/api/health`));
    CapSchemas.SubmissionsSchema.parse(await getJson(`${s.url}/api/submissions`));
    const notFound = await fetch(`${s.url}/api/runs/${runId.replace(/.$/, '0')}0`);
    CapSchemas.ErrorSchema.parse(await notFound.json());
    const plain = await fetch(`${s.url}/api/live/${runId}`); // a WebSocket route, asked without upgrading
    expect(plain.status).toBe(426);
    expect(CapSchemas.ErrorSchema.parse(await plain.json()).error.code).toBe('upgrade_required');
    expect(await getJson(`${s.url}/`)).toMatchObject({ api: '/api/openapi.json' });
  });

  it('describes its API in an OpenAPI 3.1 document generated from the schemas', async () => {
    const doc = await getJson<{ openapi: string; paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>(`${s.url}/api/openapi.json`);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/submissions', '/api/submissions/{id}', '/api/leaderboard', '/api/runs/{id}', '/api/runs/{id}/pack', '/api/runs/{id}/events', '/api/live']));
    expect(doc.paths['/api/leaderboard']!['get']!.parameters!.map((p) => p.name)).toEqual(['workload', 'size', 'track', 'tier', 'format']);
  });
});

// --- the live stream ---

interface Viewer {
  messages: Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  ws: WebSocket;
  closed: Promise<void>;
}

function watch(url: string, runId: string, fromSeq: number): Promise<Viewer> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/live/${runId}?from_seq=${fromSeq}`);
  const v: Viewer = { messages: [], ws, closed: new Promise((r) => ws.once('close', () => r())) };
  ws.on('message', (d) => v.messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  return new Promise((resolve, reject) => (ws.once('open', () => resolve(v)), ws.once('error', reject)));
}

/** A runner's connection: resolves with the server's resume_request once open. */
function ingest(url: string, runId: string, token: string): Promise<{ ws: WebSocket; fromSeq: number; acks: number[] }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/live/${runId}/ingest`, { headers: { authorization: `Bearer ${token}` } });
  const acks: number[] = [];
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; data: { from_seq: number; last_seq: number } };
      if (m.type === 'resume_request') resolve({ ws, fromSeq: m.data.from_seq, acks });
      if (m.type === 'server_received') acks.push(m.data.last_seq);
    });
    ws.once('error', reject);
  });
}

const until = async (cond: () => boolean, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
};

async function register(url: string, runId: string): Promise<string> {
  const r = await fetch(`${url}/api/live`, { method: 'POST', body: JSON.stringify({ run_id: runId }), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(201);
  return ((await r.json()) as { token: string }).token;
}

/** The events a viewer saw (runner lines, not server messages), by seq. */
const seen = (v: Viewer): number[] => v.messages.filter((m) => m['source'] === 'runner').map((m) => m['seq'] as number);

describe.each(DATABASES)('live runs on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer(kind)), 60_000);
  afterAll(async () => s?.stop());

  it('a runner that drops and resumes, and a viewer that drops and resumes, see every event once, in order; the pack then matches', async () => {
    const runId = runIdOf(packs.d), lines = eventLines(packs.d), half = Math.floor(lines.length / 2);
    const token = await register(s.url, runId);
    const early = await watch(s.url, runId, 0);
    let r = await ingest(s.url, runId, token);
    expect(r.fromSeq).toBe(0);
    for (const l of lines.slice(0, half)) r.ws.send(l);
    await until(() => seen(early).length === half);
    r.ws.terminate(); // the runner's connection drops
    early.ws.close(); // and so does the viewer's
    await early.closed;
    r = await ingest(s.url, runId, token);
    expect(r.fromSeq).toBe(half); // the server says where it stands
    for (const l of lines.slice(half - 3)) r.ws.send(l); // a resend overlapping what it has: ignored
    await until(() => r.acks.includes(lines.length));
    const late = await watch(s.url, runId, half - 1);
    await until(() => seen(late).length === lines.length - half + 1);
    expect(seen(early)).toEqual(Array.from({ length: half }, (_, i) => i + 1));
    expect(late.messages[0]).toMatchObject({ source: 'server', type: 'state_snapshot', data: { last_event_seq: lines.length } });
    expect(seen(late)).toEqual(Array.from({ length: lines.length - half + 1 }, (_, i) => half + i));
    expect(late.messages.filter((m) => m['source'] === 'runner').map((m) => eventLine(m as StreamEvent))).toEqual(lines.slice(half - 1));
    r.ws.close();
    const v = await submitAndWait(s.url, packTgz(packs.d));
    expect(v.verdict?.status).toBe('accepted');
    const run = await getJson<{ run: { live_status: string } }>(`${s.url}/api/runs/${runId}`);
    expect(run.run.live_status).toBe('consistent');
    await until(() => late.messages.some((m) => m['type'] === 'server_verified'), 10_000);
    expect(late.messages.find((m) => m['type'] === 'server_verified')!['data']).toMatchObject({ status: 'accepted', submission_id: v.id, live_status: 'consistent' });
    late.ws.close();
  });

  it('marks a run whose stream departs from its pack inconsistent', async () => {
    const out = join(TMP, `inconsistent-${kind}`);
    await makePack(out);
    const runId = runIdOf(out), lines = eventLines(out), k = 5;
    // The first k lines, then a valid next event that the pack does not have: a snapshot.
    const state = new RunState();
    for (const l of lines.slice(0, k)) state.apply(JSON.parse(l) as StreamEvent);
    const prev = JSON.parse(lines[k - 1]!) as StreamEvent;
    const extra = eventLine({ ...prev, seq: k + 1, type: 'state_snapshot', data: state.snapshot(k), prev_event_hash: lineHash(lines[k - 1]!) } as StreamEvent);
    const r = await ingest(s.url, runId, await register(s.url, runId));
    for (const l of [...lines.slice(0, k), extra]) r.ws.send(l);
    await until(() => r.acks.includes(k + 1));
    r.ws.close();
    const v = await submitAndWait(s.url, packTgz(out));
    expect(v.verdict?.status).toBe('accepted'); // the pack itself is sound
    expect((await getJson<{ run: { live_status: string } }>(`${s.url}/api/runs/${runId}`)).run.live_status).toBe('inconsistent');
  });

  it('refuses a second registration of a run id and a watch of an unregistered run', async () => {
    const runId = 'run_2026_01_01T00_00_00Z_0badc0de';
    await register(s.url, runId);
    const again = await fetch(`${s.url}/api/live`, { method: 'POST', body: JSON.stringify({ run_id: runId }) });
    expect(again.status).toBe(409);
    const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/api/live/run_2026_01_01T00_00_00Z_00000000`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_q, res) => resolve(res.statusCode!)));
    expect(status).toBe(404);
  });
});

// --- faults ---

describe.each(DATABASES)('faults on %s', (kind) => {
  it('a verification cut off by a server stop is retried after the restart and its verdict recorded once', async () => {
    const big = join(TMP, `big-${kind}`);
    await makePack(big, { log2Rows: 14 });
    let s = await startTestServer(kind);
    try {
      const r = await postPack(s.url, packTgz(big));
      const id = ((await r.json()) as { id: string }).id;
      let st: SubmissionJson;
      do st = await getJson<SubmissionJson>(`${s.url}/api/submissions/${id}`);
      while (st.status === 'queued');
      s = await s.restart();
      const v = await waitVerdict(s.url, id);
      expect(v.verdict?.status).toBe('accepted');
      if (st.status === 'verifying') expect(v.attempts).toBeGreaterThanOrEqual(2); // it was cut off, and verified again
      const runs = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM runs WHERE submission_id = $1', [id]);
      expect(Number(runs.rows[0]!.n)).toBe(1);
    } finally {
      await s.stop();
    }
  });

  it('a verifier that never finishes is retried, then recorded rejected with E180_VERIFICATION_FAILED', async () => {
    const s = await startTestServer(kind, { verifyTimeoutMs: 1 });
    try {
      const v = await submitAndWait(s.url, packTgz(packs.a));
      expect(v.verdict).toMatchObject({ status: 'rejected', code: 'E180_VERIFICATION_FAILED' });
      expect(v.attempts).toBe(4); // the first and three retries
    } finally {
      await s.stop();
    }
  });

  it('refuses a second server on the same data folder (PGlite is one process) or port', async () => {
    const s = await startTestServer(kind);
    try {
      if (kind === 'pglite') await expect(startTestServer(kind, {}, { dataDir: s.dataDir })).rejects.toThrow(/another capseal serve \(pid \d+\) is using/);
      await expect(startTestServer('pglite', { port: Number(new URL(s.url).port) })).rejects.toThrow(/EADDRINUSE/);
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200); // the first goes on
    } finally {
      await s.stop();
    }
  });

  it('answers 503 with Retry-After once too many submissions wait for a verifier', async () => {
    const s = await startTestServer(kind, { workers: 0, limits: { ...DEFAULT_LIMITS, maxQueued: 1 } });
    try {
      expect((await postPack(s.url, packTgz(packs.b))).status).toBe(202);
      const r = await postPack(s.url, packTgz(packs.c));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('busy');
    } finally {
      await s.stop();
    }
  });

  it('a restart during uploads loses no accepted submission', async () => {
    // Jobs that expire after 40 s give each verification 10 s (the tests' 4 s give it 1 s, which a
    // loaded machine can miss, and this test asks every verdict to be an acceptance); a verification
    // the restart cut off is redelivered when its job expires, well within waitVerdict's 90 s.
    let s = await startTestServer(kind, { jobs: { ...TEST_JOBS, expireInSeconds: 40 } });
    try {
      const outs = [packs.b, packs.c, packs.signed];
      const posts = outs.map((o) => postPack(s.url, packTgz(o)).then(async (r) => (r.status === 202 ? ((await r.json()) as { id: string }).id : null), () => null));
      const firstId = await Promise.race(posts.map((p) => p.then((id) => id ?? new Promise<never>(() => {}))));
      s = await s.restart();
      const ids = (await Promise.all(posts)).filter((x): x is string => x !== null);
      expect(ids).toContain(firstId);
      for (const id of ids) expect((await waitVerdict(s.url, id)).verdict?.status).toBe('accepted');
    } finally {
      await s.stop();
    }
  });
});

