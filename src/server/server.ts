/**
 * `capseal serve` and `capseal worker` as functions (README.md "Leaderboard server"): the database (PGlite under
 * the data folder, or PostgreSQL), migrations, the job engine, N verification threads, the HTTP API
 * and the live stream on one port. Listens on 127.0.0.1 unless told otherwise. The port is taken
 * first (a second server on it fails before touching the database), and answers 503 until ready.
 *
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type PgBoss from 'pg-boss';
import type { Acl } from '../capsule/acl.js';
import { verifierBuild } from '../capsulebench/host-node.js';
import { createApi } from './api.js';
import { packagedWebDir } from './web.js';
import { lockDataDir, sandboxOf } from './data-lock.js';
import { openPglite, openPostgres, type Db } from './db.js';
import { errorBody } from './http-error.js';
import { DEFAULT_JOB_TIMINGS, enqueue, startBoss, startWorkers, type JobTimings } from './jobs.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { LiveHub } from './live.js';
import { VERIFY_QUEUE } from './queue.js';
import { migrate } from './migrations.js';
import type { Prices } from './prices.js';
import { unqueuedSubmissions, type VerifierInfo } from './store.js';
import { VerifierPool } from './verifier-pool.js';

export interface DbChoice {
  /** postgres://… ; absent: PGlite in `dataDir`/db. */
  url?: string;
  dataDir: string;
}

export interface ServeOptions extends DbChoice {
  host: string;
  port: number;
  /** Verification threads in this process (0: none; `capseal worker` processes verify). */
  workers: number;
  certified?: { registryRoot: string; acl: Acl };
  prices?: Prices;
  limits?: Limits;
  jobs?: JobTimings;
  /** A verification is stopped after this long (default: 10 minutes, and never past the job's expiry). */
  verifyTimeoutMs?: number;
  log?(message: string): void;
  /** The web app to serve (default: the package's built dist/demo/, when there is one; null: none). */
  webDir?: string | null;
}

export interface Running {
  url: string;
  db: Db;
  close(): Promise<void>;
}

const DEFAULT_VERIFY_TIMEOUT_MS = 10 * 60_000;

export const threads = (n: number): string => `${n} verification thread${n === 1 ? '' : 's'}`;

interface Verifiers {
  boss: PgBoss;
  /** Wakes this process's idle pollers (a job was just queued here). */
  wake(): void;
  stop(): Promise<void>;
}

async function startVerifiers(db: Db, o: { workers: number; workDir: string; certified?: ServeOptions['certified']; jobs: JobTimings; verifyTimeoutMs?: number; verifier: VerifierInfo }): Promise<Verifiers> {
  await migrate(db);
  const boss = await startBoss(db, o.jobs);
  // A verification must end before its job expires (with room for reading and writing the pack), or
  // a second one would start beside it.
  const timeout = Math.min(o.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS, Math.max(1000, o.jobs.expireInSeconds * 1000 - Math.max(30_000, o.jobs.expireInSeconds * 100)), o.jobs.expireInSeconds * 800);
  const pool = o.workers > 0 ? new VerifierPool(o.workers, timeout) : null;
  if (pool) await rm(o.workDir, { recursive: true, force: true }); // what a crash of this pid's predecessor left
  const ids = await startWorkers(boss, db, pool, { count: o.workers, workDir: o.workDir, verifier: o.verifier, timings: o.jobs, ...(o.certified ? { certified: o.certified } : {}) });
  return {
    boss,
    wake: () => ids.forEach((id) => boss.notifyWorker(id)),
    async stop() {
      // Verifications in flight end now and go back on the queue while the database is still open;
      // then the job engine stops.
      await boss.offWork(VERIFY_QUEUE).catch(() => {}); // no new jobs taken while closing
      await pool?.close();
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 }).catch(() => {});
      await rm(o.workDir, { recursive: true, force: true });
    },
  };
}

async function cancelOrphans(db: Db, boss: PgBoss): Promise<void> {
  const active = await db.query<{ id: string }>(`SELECT id FROM pgboss.job WHERE name = $1 AND state = 'active'`, [VERIFY_QUEUE]);
  for (const { id } of active.rows) await boss.cancel(VERIFY_QUEUE, id);
}

const listen = (srv: Server, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => (srv.off('error', reject), resolve()));
  });

export async function serve(o: ServeOptions): Promise<Running> {
  const log = o.log ?? (() => {});
  const limits = o.limits ?? DEFAULT_LIMITS;
  const jobs = o.jobs ?? DEFAULT_JOB_TIMINGS;
  let handler: RequestListener | null = null;
  const srv = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2', connection: 'close' }).end(JSON.stringify(errorBody(503, 'busy', 'the server is starting')));
  });
  srv.headersTimeout = 20_000;
  srv.requestTimeout = limits.uploadMaxMs + 60_000; // past the uploads' own idle and total limits: a backstop for every route
  await listen(srv, o.port, o.host);
  const cleanup: (() => Promise<void> | void)[] = [() => new Promise<void>((r) => srv.close(() => r()))];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    await mkdir(o.dataDir, { recursive: true });
    if (!o.url) cleanup.push(lockDataDir(o.dataDir));
    const sandbox = sandboxOf(o.dataDir);
    cleanup.push(() => rm(sandbox, { recursive: true, force: true }));
    const db = o.url ? await openPostgres(o.url) : await openPglite(join(o.dataDir, 'db'));
    cleanup.push(() => db.close());
    const verifier = verifierBuild();
    const verifiers = await startVerifiers(db, {
      workers: o.workers, workDir: join(sandbox, 'verify'), certified: o.certified, jobs, verifier,
      ...(o.verifyTimeoutMs !== undefined ? { verifyTimeoutMs: o.verifyTimeoutMs } : {}),
    });
    cleanup.push(() => verifiers.stop());
    // On PGlite no other process reaches the database: a job still active was cut off by a crash. It is
    // cancelled (else its expiry would retry it, or dead-letter it, beside the new one).
    if (db.kind === 'pglite') await cancelOrphans(db, verifiers.boss);
    // A submission stored but never enqueued (a crash in between), or whose job gave up, is verified now.
    for (const id of await unqueuedSubmissions(db, db.kind === 'pglite')) await enqueue(verifiers.boss, id);
    const uploadDir = join(sandbox, 'upload');
    const api = createApi({
      db, boss: verifiers.boss, wake: verifiers.wake, sandboxDir: uploadDir, limits, certified: o.certified ? { registryRoot: o.certified.registryRoot } : null,
      ...(o.prices ? { prices: o.prices } : {}), verifier, webDir: o.webDir === undefined ? packagedWebDir() : o.webDir,
    });
    const hub = new LiveHub(db, limits.live);
    cleanup.push(() => hub.close());
    handler = getRequestListener(api.app.fetch);
    srv.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
    const addr = srv.address() as AddressInfo;
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    log(`capseal serve: listening on ${url} (database: ${db.kind === 'pglite' ? `PGlite in ${join(o.dataDir, 'db')}` : 'PostgreSQL'}, ${threads(o.workers)}${o.certified ? ', certified tier on' : ''})`);
    return {
      url, db,
      async close() {
        hub.close();
        const closed = new Promise<void>((r) => srv.close(() => r()));
        srv.closeIdleConnections();
        await api.idle(10_000); // a request past its upload finishes storing it and answers
        srv.closeAllConnections();
        await closed;
        await undo(); // closing the server and the hub again is harmless

      },
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

export interface WorkerProcessOptions {
  url: string;
  workers: number;
  certified?: { registryRoot: string; acl: Acl };
  jobs?: JobTimings;
  verifyTimeoutMs?: number;
  workDir?: string;
}

/** `capseal worker`: verification threads only, against a shared PostgreSQL. */
export async function work(o: WorkerProcessOptions): Promise<{ close(): Promise<void> }> {
  const db = await openPostgres(o.url, o.workers + 4);
  try {
    const v = await startVerifiers(db, {
      workers: o.workers, workDir: o.workDir ?? join(tmpdir(), `capseal-worker-${process.pid}`), certified: o.certified,
      jobs: o.jobs ?? DEFAULT_JOB_TIMINGS, verifier: verifierBuild(), ...(o.verifyTimeoutMs !== undefined ? { verifyTimeoutMs: o.verifyTimeoutMs } : {}),
    });
    return { close: async () => (await v.stop(), await db.close()) };
  } catch (e) {
    await db.close();
    throw e;
  }
}
