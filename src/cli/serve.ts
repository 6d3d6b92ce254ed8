/**
 * `capseal serve` and `capseal worker`: the leaderboard server and extra verification workers
 * (src/server/). serve runs until Ctrl-C or SIGTERM, then closes cleanly (exit 0); a bad option or a
 * database it cannot open is a usage/I-O error (exit 2).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseInput } from '../airs/public-inputs.js';
import { parseAcl } from '../capsule/acl.js';
import { HashHexSchema } from '../capsule/spec.js';
import { SHIPPED_POLICY, SHIPPED_REGISTRY } from '../capsulebench/policy.js';
import { DEFAULT_LIMITS } from '../server/limits.js';
import { isPostgresUrl } from '../server/db.js';
import { DEFAULT_JOB_TIMINGS } from '../server/jobs.js';
import { parsePrices } from '../server/prices.js';
import { serve as startServer, threads, work } from '../server/server.js';
import { packagedWebDir } from '../server/web.js';
import { command, readBytes, readJson, UsageError, wholeNumber } from './io.js';

const say = (m: string) => process.stderr.write(`${m}\n`);
const Whole = wholeNumber;
/** Verification threads one process may run. */
const MAX_WORKERS = 64;

/** Where the embedded database lives by default: $XDG_DATA_HOME/capseal/server (default ~/.local/share). */
export function defaultDataDir(): string {
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share'), 'capseal', 'server');
}

export interface CommonOptions {
  workers?: string;
  acl?: string;
  registryRoot?: string;
  jobExpireSeconds?: string;
}

async function common(o: CommonOptions, defaultWorkers: number) {
  const workers = o.workers === undefined ? defaultWorkers : parseInput(Whole(MAX_WORKERS), o.workers, '--workers');
  if (o.registryRoot !== undefined && o.acl === undefined) throw new UsageError('--registry-root needs --acl: the certified tier trusts a registry root and an ACL (--acl alone trusts the shipped registry\'s root)');
  const certified = o.acl === undefined ? undefined : {
    registryRoot: o.registryRoot === undefined ? SHIPPED_REGISTRY.root : parseInput(HashHexSchema, o.registryRoot, '--registry-root'),
    acl: parseAcl(await readJson(o.acl, 'ACL')),
  };
  const policyId = SHIPPED_POLICY.policy_id;
  if (certified && !certified.acl.policies[policyId]?.some((k) => k.status === 'active'))
    say(`capseal: warning: the ACL ${o.acl} lists no active key for ${policyId}, the benchmark policy: no pack will be certified`);
  const expire = o.jobExpireSeconds === undefined ? DEFAULT_JOB_TIMINGS.expireInSeconds : parseInput(Whole(86_400), o.jobExpireSeconds, '--job-expire-seconds');
  if (expire < 1) throw new UsageError('--job-expire-seconds must be at least 1');
  const jobs = { ...DEFAULT_JOB_TIMINGS, expireInSeconds: expire, maintenanceIntervalSeconds: Math.min(DEFAULT_JOB_TIMINGS.maintenanceIntervalSeconds, Math.max(1, Math.floor(expire / 2))) };
  return { workers, certified, jobs };
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
const stopSignal = (): Promise<string> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

export interface ServeCliOptions extends CommonOptions {
  host: string;
  port: string;
  data?: string;
  db?: string;
  prices?: string;
  maxPackBytes?: string;
  maxUploads?: string;
  web?: string;
}

export const serveCommand = (o: ServeCliOptions): Promise<number> =>
  command('serve', async () => {
    const port = parseInput(Whole(65_535), o.port, '--port');
    if (o.db !== undefined && !isPostgresUrl(o.db)) throw new UsageError('--db must be a postgres:// or postgresql:// URL (without --db the server keeps its data in PGlite under --data)');
    const { workers, certified, jobs } = await common(o, Math.max(1, Math.min(4, availableParallelism() - 1)));
    if (workers === 0 && o.db === undefined) throw new UsageError('--workers 0 needs --db: only capseal worker processes would verify, and they reach PostgreSQL, not the embedded database');
    const prices = o.prices === undefined ? undefined : await loadPrices(o.prices);
    const limits = {
      ...DEFAULT_LIMITS,
      ...(o.maxPackBytes !== undefined ? { maxPackBytes: parseInput(Whole(2 ** 30).refine((n) => n >= 1024, 'must be at least 1024'), o.maxPackBytes, '--max-pack-bytes') } : {}),
      ...(o.maxUploads !== undefined ? { maxConcurrentUploads: parseInput(Whole(1000).refine((n) => n >= 1, 'must be at least 1'), o.maxUploads, '--max-uploads') } : {}),
    };
    limits.maxUploadsPerAddress = Math.min(limits.maxUploadsPerAddress, limits.maxConcurrentUploads);
    const dataDir = resolve(o.data ?? defaultDataDir());
    if (/^\/(proc|sys|dev)(\/|$)/.test(dataDir)) throw new UsageError(`--data ${o.data} is under /${dataDir.split('/')[1]}, which holds no files`);
    let webDir: string | null | undefined;
    if (o.web !== undefined) {
      webDir = resolve(o.web);
      if (!existsSync(join(webDir, 'index.html'))) throw new UsageError(`--web ${o.web} holds no index.html: point it at a built web app (npx vite build --config demo/vite.config.ts --outDir DIR)`);
    } else if (!packagedWebDir()) say('capseal serve: the web app is not built (npm run build); serving the API only');
    if (!o.db) say(`capseal serve: starting (PGlite in ${join(dataDir, 'db')}; the first start creates the database, a few seconds)`);
    // A bug in a handler must not take the board down: it is logged, and the request or connection fails.
    process.on('unhandledRejection', (e) => say(`capseal serve: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
    let running;
    try {
      running = await startServer({
        host: o.host, port, dataDir, ...(o.db ? { url: o.db } : {}), workers, ...(certified ? { certified } : {}), ...(prices ? { prices } : {}), limits, jobs, log: say,
        ...(webDir !== undefined ? { webDir } : {}),
      });
    } catch (e) {
      throw new UsageError(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') say(`capseal serve: listening on ${o.host}, reachable from other machines`);
    process.stdout.write(`${running.url}\n`);
    const signal = await stopSignal();
    say(`capseal serve: ${signal}, closing`);
    await running.close();
    return 0;
  });

export interface WorkerCliOptions extends CommonOptions {
  db: string;
}

export const workerCommand = (o: WorkerCliOptions): Promise<number> =>
  command('worker', async () => {
    if (!isPostgresUrl(o.db)) throw new UsageError('--db must be a postgres:// or postgresql:// URL: workers share the server\'s PostgreSQL (a PGlite server verifies in its own process)');
    const { workers, certified, jobs } = await common(o, Math.max(1, availableParallelism()));
    if (workers === 0) throw new UsageError('--workers must be at least 1 for a worker');
    let w;
    try {
      w = await work({ url: o.db, workers, ...(certified ? { certified } : {}), jobs });
    } catch (e) {
      throw new UsageError(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
    }
    say(`capseal worker: ${threads(workers)} on the shared queue${certified ? ', certified tier on' : ''}`);
    const signal = await stopSignal();
    say(`capseal worker: ${signal}, closing`);
    await w.close();
    return 0;
  });

async function loadPrices(path: string) {
  const bytes = await readBytes(path, 'price table');
  try {
    return parsePrices(bytes);
  } catch (e) {
    throw new UsageError(`--prices ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
