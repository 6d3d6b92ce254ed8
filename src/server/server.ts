// `capseal serve` and `capseal worker` as functions (DESIGN.md "Server"): the database (PGlite under
// the data folder, or PostgreSQL), migrations, the job engine, N verification threads, the HTTP API
// and the live stream on one port. Listens on 127.0.0.1 unless told otherwise.
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type PgBoss from 'pg-boss';
import type { Acl } from '../capsule/acl.js';
import { verifierBuild } from '../capsulebench/host-node.js';
import { createApi, DEFAULT_LIMITS, type Limits } from './api.js';
import { openPglite, openPostgres, type Db } from './db.js';
import { DEFAULT_JOB_TIMINGS, enqueue, startBoss, startWorkers, type JobTimings } from './jobs.js';
import { LiveHub } from './live.js';
import { migrate } from './migrations.js';
import type { Prices } from './prices.js';
import { pendingSubmissions, type VerifierInfo } from './store.js';
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
  verifyTimeoutMs?: number;
  log?(message: string): void;
}

export interface Running {
  url: string;
  db: Db;
  close(): Promise<void>;
}

export const DEFAULT_VERIFY_TIMEOUT_MS = 10 * 60_000;

async function openDb(o: DbChoice): Promise<Db> {
  if (o.url) return openPostgres(o.url);
  await mkdir(o.dataDir, { recursive: true });
  return openPglite(join(o.dataDir, 'db'));
}

interface Verifiers {
  boss: PgBoss;
  pool: VerifierPool | null;
  stop(): Promise<void>;
}

async function startVerifiers(db: Db, o: { workers: number; workDir: string; certified?: ServeOptions['certified']; jobs: JobTimings; verifyTimeoutMs: number; verifier: VerifierInfo }): Promise<Verifiers> {
  await migrate(db);
  const boss = await startBoss(db, o.jobs);
  const pool = o.workers > 0 ? new VerifierPool(o.workers, o.verifyTimeoutMs) : null;
  if (pool) {
    await rm(o.workDir, { recursive: true, force: true }); // sandboxes a crash left behind
    await startWorkers(boss, db, pool, { count: o.workers, workDir: o.workDir, verifier: o.verifier, pollingIntervalSeconds: o.jobs.pollingIntervalSeconds, ...(o.certified ? { certified: o.certified } : {}) });
  }
  return {
    boss, pool,
    async stop() {
      // Verifications in flight end now and their jobs fail (retried later, here or elsewhere) while the
      // database is still open; then the job engine stops.
      await pool?.close();
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 }).catch(() => {});
    },
  };
}

export async function serve(o: ServeOptions): Promise<Running> {
  const log = o.log ?? (() => {});
  const db = await openDb(o);
  const limits = o.limits ?? DEFAULT_LIMITS;
  const verifier = verifierBuild();
  let verifiers: Verifiers | undefined, hub: LiveHub | undefined, server: Server | undefined;
  try {
    verifiers = await startVerifiers(db, {
      workers: o.workers, workDir: join(o.dataDir, 'sandbox', 'verify'), certified: o.certified, jobs: o.jobs ?? DEFAULT_JOB_TIMINGS,
      verifyTimeoutMs: o.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS, verifier,
    });
    // A submission stored but never enqueued (a crash in between) or whose job gave up is verified now.
    for (const id of await pendingSubmissions(db)) await enqueue(verifiers.boss, id);
    const uploadDir = join(o.dataDir, 'sandbox', 'upload');
    await rm(uploadDir, { recursive: true, force: true });
    const api = createApi({ db, boss: verifiers.boss, sandboxDir: uploadDir, limits, certified: o.certified ? { registryRoot: o.certified.registryRoot } : null, ...(o.prices ? { prices: o.prices } : {}), verifier });
    hub = new LiveHub(db, limits.live);
    const liveHub = hub;
    server = createAdaptorServer({ fetch: api.app.fetch, hostname: o.host, port: o.port }) as Server;
    server.headersTimeout = 20_000;
    server.requestTimeout = 0; // uploads are bounded by the idle limit instead; a slow but steady sender may take a while
    server.on('upgrade', (req, socket, head) => liveHub.handleUpgrade(req, socket, head));
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(o.port, o.host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    log(`capseal serve: listening on ${url} (database: ${db.kind === 'pglite' ? `PGlite in ${join(o.dataDir, 'db')}` : 'PostgreSQL'}, ${o.workers} verification threads${o.certified ? ', certified tier on' : ''})`);
    return {
      url, db,
      async close() {
        liveHub.close();
        const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
        srv.closeAllConnections();
        await closed;
        await api.idle(10_000); // a request past its upload finishes storing it: a 202 is never lost
        await verifiers!.stop();
        await db.close();
      },
    };
  } catch (e) {
    hub?.close();
    server?.close();
    await verifiers?.stop();
    await db.close();
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
  const db = await openPostgres(o.url, Math.max(4, o.workers + 2));
  try {
    const v = await startVerifiers(db, {
      workers: Math.max(1, o.workers), workDir: o.workDir ?? join(tmpdir(), `capseal-worker-${process.pid}`), certified: o.certified,
      jobs: o.jobs ?? DEFAULT_JOB_TIMINGS, verifyTimeoutMs: o.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS, verifier: verifierBuild(),
    });
    return { close: async () => (await v.stop(), await db.close()) };
  } catch (e) {
    await db.close();
    throw e;
  }
}
