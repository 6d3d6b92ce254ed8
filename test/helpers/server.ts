// The leaderboard server for the tests: started in this process (`serve`, the function behind
// `capseal serve`) on a free loopback port, with short job timings, on PGlite in a temporary folder
// or on a fresh database of the PostgreSQL that test/run.sh starts (CAPSEAL_TEST_PG_URL). Every
// server test runs once per database in DATABASES.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { serve, type Running, type ServeOptions } from '../../src/server/server.js';
import type { JobTimings } from '../../src/server/jobs.js';
import { tempDir } from './capsulebench.js';

export type DatabaseKind = 'pglite' | 'postgres';
const PG_URL = process.env['CAPSEAL_TEST_PG_URL'];
export const DATABASES: DatabaseKind[] = PG_URL ? ['pglite', 'postgres'] : ['pglite'];

/** Job timings short enough for tests: a vanished worker's job is retried after 4 s. */
export const TEST_JOBS: JobTimings = { expireInSeconds: 4, retryLimit: 3, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.5 };

/** A new, empty PostgreSQL database on the test cluster; drop() removes it. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error('CAPSEAL_TEST_PG_URL is not set (test/run.sh starts a PostgreSQL and sets it)');
  const name = `capseal_test_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestServer extends Running {
  dataDir: string;
  /** The PostgreSQL URL (postgres servers): what `capseal worker --db` takes. */
  dbUrl?: string;
  /** Stops the server and, for PostgreSQL, drops its database. */
  stop(): Promise<void>;
  /** Starts the server again on the same data (a restart). */
  restart(o?: Partial<ServeOptions>): Promise<TestServer>;
}

export async function startTestServer(kind: DatabaseKind, o: Partial<ServeOptions> = {}, reuse?: { dataDir: string; dbUrl?: string; drop?: () => Promise<void> }): Promise<TestServer> {
  const dataDir = reuse?.dataDir ?? tempDir('capseal-server-test-');
  const fresh = kind === 'postgres' && !reuse ? await freshPostgres() : undefined;
  const dbUrl = reuse?.dbUrl ?? fresh?.url;
  const drop = reuse?.drop ?? fresh?.drop;
  // No web app unless a test asks for one (test/server-web.test.ts): the API's answers do not depend on a build.
  const options: ServeOptions = { host: '127.0.0.1', port: 0, dataDir, workers: 1, jobs: TEST_JOBS, webDir: null, ...(dbUrl ? { url: dbUrl } : {}), ...o };
  const running = await serve(options);
  return {
    ...running, dataDir, ...(dbUrl ? { dbUrl } : {}),
    async stop() {
      await running.close();
      await drop?.();
    },
    async restart(again = {}) {
      await running.close();
      return startTestServer(kind, { ...o, ...again }, { dataDir, ...(dbUrl ? { dbUrl } : {}), ...(drop ? { drop } : {}) });
    },
  };
}

export interface SubmissionJson {
  id: string;
  status: string;
  run_id: string | null;
  attempts: number;
  verdict: { status: string; tier: string | null; code: string | null; message: string; checks: { name: string; ok: boolean; code: string | null }[];
    certified_refusal: { code: string; message: string } | null; da_audit: { nonce: string }; verifier: { version: string; build_hash: string }; verify_ms: number } | null;
  links: { self: string; run: string | null };
}

export async function postPack(url: string, bytes: Uint8Array | string): Promise<Response> {
  const body = typeof bytes === 'string' ? readFileSync(bytes) : bytes;
  return fetch(`${url}/api/submissions`, { method: 'POST', body: body as unknown as BodyInit, headers: { 'content-type': 'application/gzip' } });
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Polls a submission until it has its verdict. */
export async function waitVerdict(url: string, id: string, timeoutMs = 90_000): Promise<SubmissionJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await getJson<SubmissionJson>(`${url}/api/submissions/${id}`);
    if (s.verdict) return s;
    if (Date.now() > deadline) throw new Error(`no verdict for ${id} after ${timeoutMs} ms (status ${s.status})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Submits a pack file and waits for its verdict. */
export async function submitAndWait(url: string, packPath: string): Promise<SubmissionJson> {
  const r = await postPack(url, packPath);
  if (r.status !== 202) throw new Error(`POST: ${r.status} ${await r.text()}`);
  return waitVerdict(url, ((await r.json()) as { id: string }).id);
}

export const packTgz = (outDir: string): string => join(outDir, 'capsulepack.tgz');
