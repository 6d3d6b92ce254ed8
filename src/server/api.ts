/**
 * The HTTP API (Hono; README.md "Leaderboard server"): submissions in, verified runs out. Everything it lists
 * was verified by this server's workers; queries are parsed by the zod schemas that also generate
 * /api/openapi.json; every table is JSON or, with ?format=csv, CSV; errors are
 * {"error":{status, code, message}} with stable codes.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type PgBoss from 'pg-boss';
import type { z } from 'zod';
import { CAPSULE_FILE } from '../capsule/seal.js';
import { RunIdSchema } from '../capsule/capsule.js';
import { issuesText } from '../capsule/checks.js';
import { ZERO_EVENT_HASH } from '../capsulebench/events.js';
import { archiveRejection, openPack, PackArchiveError } from '../capsulebench/pack-node.js';
import { PACK_META } from '../capsulebench/pack.js';
import { sha256Hex } from '../hash/digest.js';
import { parseCanonicalBytes } from '../json/canonical-json.js';
import { packageVersion } from '../package-info.js';
import { CompareQuerySchema, FormatQuerySchema, LeaderboardQuerySchema, LiveRequestSchema, SUBMISSION_COLUMNS, SubmissionIdSchema, SubmissionsQuerySchema } from './api-schemas.js';
import { toCsv } from './csv.js';
import type { Db } from './db.js';
import { enqueue } from './jobs.js';
import { openApiDocument } from './openapi.js';
import { costOf, type Prices } from './prices.js';
import { errorBody, HttpError } from './http-error.js';
import type { Limits } from './limits.js';
import * as store from './store.js';
import { receiveBody } from './upload.js';
import { mountWebApp, securityHeaders } from './web.js';

export interface ApiContext {
  db: Db;
  boss: PgBoss;
  /** Called after a job is queued: wakes this process's verifiers without waiting for their next poll. */
  wake(): void;
  /** Where uploads land: one sandbox folder per upload, removed once the pack is stored. */
  sandboxDir: string;
  limits: Limits;
  certified: { registryRoot: string } | null;
  prices?: Prices;
  verifier: store.VerifierInfo;
  /** The built web app's folder (./web.ts), or null: none is served. */
  webDir: string | null;
}

type Env = { Bindings: HttpBindings };

function parseQuery<S extends z.ZodType>(schema: S, c: Context): z.output<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw new HttpError(400, 'bad_request', `bad query: ${issuesText(r.error.issues)}`);
  return r.data;
}

const priceRef = (p?: Prices) => (p ? { version: p.table.version, sha256: p.sha256 } : null);

function table(c: Context, format: 'json' | 'csv', columns: readonly string[], rows: Record<string, unknown>[], json: unknown, name: string): Response {
  if (format === 'json') return c.json(json);
  return c.body(toCsv(columns, rows), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` });
}

function submissionJson(s: store.SubmissionRow) {
  const final = s.status === 'accepted' || s.status === 'rejected';
  return {
    id: s.id, status: s.status, received_at: s.received_at.toISOString(),
    pack: { sha256: s.pack_sha256, bytes: s.pack_bytes },
    capsule_hash: s.claimed_capsule_hash, run_id: s.claimed_run_id, attempts: s.attempts,
    verdict: final ? {
      status: s.status, tier: s.tier, code: s.code, message: s.message ?? '', checks: s.checks ?? [], certified_refusal: s.certified_refusal,
      da_audit: { kind: 'challenge' as const, nonce: s.challenge_nonce },
      verifier: { version: s.verifier_version ?? '', build_hash: s.verifier_build_hash ?? '' },
      verify_ms: s.verify_ms ?? 0, verified_at: (s.verified_at ?? s.received_at).toISOString(),
    } : null,
    links: { self: `/api/submissions/${s.id}`, run: s.run_id ? `/api/runs/${s.run_id}` : null },
  };
}

/** What a pack says about itself before it is verified: its capsule hash and run id (for the duplicate check). */
async function claims(packPath: string, sandbox: string): Promise<{ capsuleHash: string | null; runId: string | null }> {
  const opened = await openPack(packPath, { tempParent: sandbox });
  try {
    const field = async (path: string, key: string, ok: (v: string) => boolean): Promise<string | null> => {
      const bytes = await opened.files.read(path, 1 << 20);
      if (!bytes) return null;
      try {
        const v = (parseCanonicalBytes(bytes) as Record<string, unknown>)[key];
        return typeof v === 'string' && ok(v) ? v : null;
      } catch {
        return null; // the verifier will say what is wrong with it
      }
    };
    return {
      capsuleHash: await field(CAPSULE_FILE, 'capsule_hash', (v) => /^[0-9a-f]{64}$/.test(v)),
      runId: await field(PACK_META, 'run_id', (v) => RunIdSchema.safeParse(v).success),
    };
  } finally {
    await opened.close();
  }
}

export interface Api {
  app: Hono<Env>;
  /** Resolves once no request is being handled (or after `ms`): a closing server waits for it before closing the database. */
  idle(ms: number): Promise<void>;
}

export function createApi(ctx: ApiContext): Api {
  const app = new Hono<Env>();
  app.use(securityHeaders);
  let uploads = 0, active = 0;
  const byAddress = new Map<string, number>();
  app.use(async (_c, next) => {
    active++;
    try {
      await next();
    } finally {
      active--;
    }
  });

  app.onError((e, c) => {
    if (e instanceof HttpError) {
      for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
      return c.json(errorBody(e.status, e.code, e.message, e.extra), e.status as 400);
    }
    process.stderr.write(`capseal serve: ${c.req.method} ${c.req.path}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return c.json(errorBody(500, 'internal', 'the server failed; the operator has the details'), 500);
  });
  app.notFound((c) => c.json(errorBody(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), 404));

  const refuse = async (e: HttpError): Promise<never> => {
    await store.recordIntakeRejection(ctx.db, e.code, e.status, e.message).catch(() => {});
    throw e;
  };

  app.post('/api/submissions', async (c) => {
    const address = c.env.incoming.socket.remoteAddress ?? '?';
    const busy = (why: string) => refuse(new HttpError(503, 'busy', `${why}; try again shortly`, { 'retry-after': '2', connection: 'close' }));
    if (uploads >= ctx.limits.maxConcurrentUploads) await busy(`${uploads} uploads are in progress, the most this server takes at once`);
    if ((byAddress.get(address) ?? 0) >= ctx.limits.maxUploadsPerAddress) await busy(`${ctx.limits.maxUploadsPerAddress} uploads from your address are in progress, the most it may send at once`);
    const type = c.req.header('content-type') ?? 'application/gzip';
    if (!/^application\/(gzip|x-gzip|octet-stream|x-tar\+gzip)\b/i.test(type))
      await refuse(new HttpError(415, 'unsupported_media_type', `send the capsulepack.tgz as application/gzip or application/octet-stream, not ${type.slice(0, 100)}`));
    // The slot is taken before anything is awaited: a burst cannot pass the checks all at once.
    uploads++;
    byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
    let sandbox: string | undefined;
    try {
      if ((await store.queuedCount(ctx.db)) >= ctx.limits.maxQueued) await busy(`${ctx.limits.maxQueued} submissions are waiting for a verifier`);
      await mkdir(ctx.sandboxDir, { recursive: true });
      sandbox = await mkdtemp(join(ctx.sandboxDir, 'upload-'));
      const packPath = join(sandbox, 'pack.tgz');
      const limits = { maxBytes: ctx.limits.maxPackBytes, idleMs: ctx.limits.uploadIdleMs, maxMs: ctx.limits.uploadMaxMs };
      const got = await receiveBody(c.env.incoming, packPath, limits).catch((e: unknown) => (e instanceof HttpError ? refuse(e) : Promise.reject(e)));
      const id = store.newId('sub');
      const challengeNonce = randomBytes(32).toString('hex');
      const t0 = performance.now();
      let claimed;
      try {
        claimed = await claims(packPath, sandbox);
      } catch (e) {
        if (!(e instanceof PackArchiveError)) throw e;
        await store.insertRejectedSubmission(ctx.db, { id, packSha256: got.sha256, bytes: got.bytes, challengeNonce, report: archiveRejection(e), verifier: ctx.verifier, verifyMs: performance.now() - t0 });
        return c.json(submissionJson((await store.submission(ctx.db, id))!), 422);
      }
      const first = await store.firstSubmissionOf(ctx.db, { ...claimed, packSha256: got.sha256 });
      if (first) throw new HttpError(409, 'duplicate', `${first.what}: submission ${first.id}`, {}, { first: { id: first.id, url: `/api/submissions/${first.id}` } });
      await store.insertSubmission(ctx.db, { id, packSha256: got.sha256, bytes: await readFile(packPath), claimedCapsuleHash: claimed.capsuleHash, claimedRunId: claimed.runId, challengeNonce });
      await enqueue(ctx.boss, id);
      ctx.wake();
      return c.json({ id, status: 'queued', links: { self: `/api/submissions/${id}` } }, 202, { location: `/api/submissions/${id}` });
    } finally {
      uploads--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
      if (sandbox) await rm(sandbox, { recursive: true, force: true, maxRetries: 5 });
    }
  });

  app.get('/api/submissions', async (c) => {
    const q = parseQuery(SubmissionsQuerySchema, c);
    const rows = await store.recentSubmissions(ctx.db, q.status, q.limit ?? 100);
    return table(c, q.format, SUBMISSION_COLUMNS, rows, { rows }, 'submissions');
  });

  app.get('/api/submissions/:id', async (c) => {
    const id = c.req.param('id');
    const s = SubmissionIdSchema.safeParse(id).success ? await store.submission(ctx.db, id) : null;
    if (!s) throw new HttpError(404, 'not_found', `no submission ${id.slice(0, 80)}`);
    return c.json(submissionJson(s));
  });

  app.get('/api/leaderboard', async (c) => {
    const q = parseQuery(LeaderboardQuerySchema, c);
    const board = await store.leaderboard(ctx.db, q);
    const rows = board.rows.map(({ row, hardware }) => ({ ...row, cost: costOf(ctx.prices, hardware, Number(row.prove_median_us)) }));
    const filter = { workload: q.workload ?? null, size: q.size ?? null, track: q.track ?? null, tier: q.tier ?? null };
    const flat = rows.map((r) => ({ ...r, cost_usd_per_proof: r.cost?.usd_per_proof ?? null, hardware_class: r.cost?.hardware_class ?? null,
      price_table: ctx.prices?.table.version ?? null, price_table_sha256: ctx.prices?.sha256 ?? null }));
    return table(c, q.format, [...store.BOARD_COLUMNS, 'cost_usd_per_proof', 'hardware_class', 'price_table', 'price_table_sha256'], flat,
      { filter, rank_by: 'prove_median_us', prices: priceRef(ctx.prices), truncated: board.truncated, rows }, 'leaderboard');
  });

  const runOr404 = async (id: string): Promise<store.RunRecord> => {
    const r = RunIdSchema.safeParse(id).success ? await store.run(ctx.db, id) : null;
    if (!r) throw new HttpError(404, 'not_found', `no verified run ${id.slice(0, 80)}`);
    return r;
  };

  app.get('/api/runs/:id', async (c) => {
    const r = await runOr404(c.req.param('id'));
    const s = (await store.submission(ctx.db, r.submission_id))!;
    return c.json({
      run: { ...r.row, cost: costOf(ctx.prices, r.hardware, Number(r.row.prove_median_us)) },
      submission_id: r.submission_id, capsule_hash: r.capsule_hash, statement_hash: r.statement_hash, policy: r.policy,
      anchors: (r.capsule['anchors'] ?? {}) as Record<string, string>,
      capsule: r.capsule, manifests: r.manifests, measurements: r.measurements, pack_meta: r.pack_meta,
      verification: submissionJson(s).verdict, prices: priceRef(ctx.prices),
      links: { pack: `/api/runs/${r.row.run_id}/pack`, events: `/api/runs/${r.row.run_id}/events`, submission: `/api/submissions/${r.submission_id}` },
    });
  });

  app.get('/api/runs/:id/pack', async (c) => {
    const id = c.req.param('id');
    const pack = RunIdSchema.safeParse(id).success ? await store.runPack(ctx.db, id) : null;
    if (!pack) throw new HttpError(404, 'not_found', `no verified run ${id.slice(0, 80)}`);
    return c.body(pack.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="${id}.capsulepack.tgz"`, 'x-content-sha256': pack.sha256 });
  });

  app.get('/api/runs/:id/events', async (c) => {
    const id = c.req.param('id');
    const events = RunIdSchema.safeParse(id).success ? await store.runEvents(ctx.db, id) : null;
    if (events === null) throw new HttpError(404, 'not_found', `no verified run ${id.slice(0, 80)}`);
    return c.body(events, 200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  });

  app.get('/api/compare', async (c) => {
    const q = parseQuery(CompareQuerySchema, c);
    const [a, b] = [await runOr404(q.a), await runOr404(q.b)];
    const ratio = Object.fromEntries(store.METRIC_COLUMNS.map((k) => {
      const x = a.row[k] as number, y = b.row[k] as number;
      return [k, x === 0 ? null : y / x];
    }));
    const rows = [{ side: 'a', ...a.row }, { side: 'b', ...b.row }, { side: 'b/a', ...ratio }]; // b/a: the metrics only
    return table(c, q.format, ['side', ...store.BOARD_COLUMNS], rows, { a: { ...a.row, cost: costOf(ctx.prices, a.hardware, Number(a.row.prove_median_us)) },
      b: { ...b.row, cost: costOf(ctx.prices, b.hardware, Number(b.row.prove_median_us)) }, ratio_b_over_a: ratio }, 'compare');
  });

  app.get('/api/hardware', async (c) => {
    const q = parseQuery(FormatQuerySchema, c);
    const rows = await store.hardwareTable(ctx.db);
    return table(c, q.format, ['hardware_hash', 'hardware_summary', 'runs', 'workloads'], rows, { rows }, 'hardware');
  });

  app.get('/api/dump', (c) => {
    const enc = new TextEncoder();
    const it = store.dumpRows(ctx.db);
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const next = await it.next();
        if (next.done) ctrl.close();
        else ctrl.enqueue(enc.encode(`${JSON.stringify(next.value)}\n`));
      },
    });
    return c.body(body, 200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-disposition': 'attachment; filename="capseal-dump.ndjson"' });
  });

  // A registration is one small JSON object: the body is bounded before it is read (a declared
  // Content-Length over the limit is refused at once; a chunked one is cut at the limit).
  const LIVE_REQUEST_MAX_BYTES = 4096;
  app.post('/api/live', bodyLimit({ maxSize: LIVE_REQUEST_MAX_BYTES, onError: () => {
    throw new HttpError(413, 'too_large', `a live registration is one JSON object of at most ${LIVE_REQUEST_MAX_BYTES} bytes`, { connection: 'close' });
  } }), async (c) => {
    let body: unknown;
    try {
      body = parseCanonicalBytes(new Uint8Array(await c.req.arrayBuffer()));
    } catch (e) {
      throw new HttpError(400, 'bad_request', `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    const r = LiveRequestSchema.safeParse(body);
    if (!r.success) throw new HttpError(400, 'bad_request', issuesText(r.error.issues));
    const runId = r.data.run_id;
    const token = randomBytes(32).toString('hex');
    const registered = await store.registerLive(ctx.db, runId, sha256Hex(new TextEncoder().encode(token)), ZERO_EVENT_HASH, ctx.limits.live.maxPendingRuns);
    if (registered === 'busy') throw new HttpError(503, 'busy', `${ctx.limits.live.maxPendingRuns} live runs are waiting for their packs; try again later`, { 'retry-after': '60' });
    if (registered === 'taken') throw new HttpError(409, 'conflict', `run ${runId} is already registered for a live stream, submitted or on the board (a stream starts before its pack is submitted)`);
    return c.json({ run_id: runId, token, ingest_url: `/api/live/${runId}/ingest`, watch_url: `/api/live/${runId}` }, 201, { location: `/api/live/${runId}` });
  });

  app.get('/api/health', (c) => c.json({
    name: 'capseal', version: packageVersion(), verifier_build_hash: ctx.verifier.build_hash, database: ctx.db.kind,
    certified: ctx.certified ? { registry_root: ctx.certified.registryRoot } : null, prices: priceRef(ctx.prices),
    limits: {
      max_pack_bytes: ctx.limits.maxPackBytes, max_concurrent_uploads: ctx.limits.maxConcurrentUploads, max_uploads_per_address: ctx.limits.maxUploadsPerAddress,
      upload_idle_ms: ctx.limits.uploadIdleMs, upload_max_ms: ctx.limits.uploadMaxMs, max_queued: ctx.limits.maxQueued,
      live_max_event_bytes: ctx.limits.live.maxEventBytes, live_max_events_per_second: ctx.limits.live.maxEventsPerSecond, live_max_events: ctx.limits.live.maxEvents,
      live_max_stream_bytes: ctx.limits.live.maxStreamBytes, live_max_viewers: ctx.limits.live.maxViewers, live_max_pending_runs: ctx.limits.live.maxPendingRuns,
    },
  }));

  // The live routes are WebSockets (./live.ts): a plain request there is told so.
  app.get('/api/live/:run_id/*', (c) => c.json(errorBody(426, 'upgrade_required', 'this is a WebSocket route: connect with a WebSocket client'), 426, { upgrade: 'websocket' }));
  app.get('/api/live/:run_id', (c) => c.json(errorBody(426, 'upgrade_required', 'this is a WebSocket route: connect with a WebSocket client (?from_seq=N)'), 426, { upgrade: 'websocket' }));

  const openapi = openApiDocument(packageVersion());
  app.get('/api/openapi.json', (c) => c.json(openapi));
  mountWebApp(app, ctx.webDir);
  return {
    app,
    async idle(ms) {
      for (const end = Date.now() + ms; active > 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
