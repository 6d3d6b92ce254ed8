// Verification jobs on pg-boss (DESIGN.md "Server"): an existing job engine on the same database,
// so API processes and `capseal worker` processes on other machines share one queue. A job names a
// submission; its handler claims it, writes the pack into a fresh sandbox folder, verifies it on a
// verifier thread and records the verdict — once, in SQL (./store.ts). A crash mid-verification
// leaves the job active until it expires; pg-boss then retries it. A job that fails on every attempt
// is recorded as rejected with E180, so no submission waits forever.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import type { Acl } from '../capsule/acl.js';
import type { Db } from './db.js';
import { claimForVerification, packBytes, recordVerdict, type VerifierInfo } from './store.js';
import type { VerifierPool } from './verifier-pool.js';
import type { VerifyOutcome } from './verification.js';

export const VERIFY_QUEUE = 'capseal-verify';

export interface JobTimings {
  /** An active job not finished after this long is presumed lost (its worker died) and retried. */
  expireInSeconds: number;
  /** Attempts after the first. */
  retryLimit: number;
  /** How often pg-boss looks for expired jobs. */
  maintenanceIntervalSeconds: number;
  pollingIntervalSeconds: number;
}

export const DEFAULT_JOB_TIMINGS: JobTimings = { expireInSeconds: 900, retryLimit: 3, maintenanceIntervalSeconds: 30, pollingIntervalSeconds: 1 };

export async function startBoss(db: Db, t: JobTimings): Promise<PgBoss> {
  const boss = new PgBoss({ db, schema: 'pgboss', maintenanceIntervalSeconds: t.maintenanceIntervalSeconds, superviseIntervalSeconds: t.maintenanceIntervalSeconds } as PgBoss.ConstructorOptions);
  boss.on('error', (e) => process.stderr.write(`capseal: job engine: ${e instanceof Error ? e.message : String(e)}\n`));
  await boss.start();
  await boss.createQueue(VERIFY_QUEUE, { name: VERIFY_QUEUE, retryLimit: t.retryLimit, retryDelay: 1, expireInSeconds: t.expireInSeconds });
  return boss;
}

export async function enqueue(boss: PgBoss, submissionId: string): Promise<void> {
  await boss.send(VERIFY_QUEUE, { submission_id: submissionId });
}

export interface WorkerOptions {
  /** Verifications at once (each on its own thread). */
  count: number;
  /** Parent of the per-submission sandbox folders. */
  workDir: string;
  certified?: { registryRoot: string; acl: Acl };
  verifier: VerifierInfo;
  pollingIntervalSeconds: number;
  /** Told of each verdict this process recorded. */
  onVerdict?(submissionId: string, outcome: VerifyOutcome): void;
}

const failedOutcome = (message: string): VerifyOutcome => ({
  report: { status: 'rejected', tier: null, code: 'E180_VERIFICATION_FAILED', message, checks: [{ id: 'S', name: 'verification', ok: false, code: 'E180_VERIFICATION_FAILED' }], run: null },
  certifiedRefusal: null, documents: null, verifyMs: 0,
});

/** Starts `count` pollers on the verification queue; returns their ids for offWork. */
export async function startWorkers(boss: PgBoss, db: Db, pool: VerifierPool, o: WorkerOptions): Promise<string[]> {
  await mkdir(o.workDir, { recursive: true });
  const handle = async (job: PgBoss.JobWithMetadata<{ submission_id: string }>): Promise<void> => {
    const id = job.data.submission_id;
    const claim = await claimForVerification(db, id);
    if (!claim) return; // the verdict is already recorded (a retry after a crash that came too late)
    const bytes = await packBytes(db, id);
    if (!bytes) throw new Error(`submission ${id} has no pack`);
    const sandbox = await mkdtemp(join(o.workDir, `${id}-`));
    try {
      const packPath = join(sandbox, 'pack.tgz');
      await writeFile(packPath, bytes);
      const outcome = await pool.run({ packPath, sandbox, challengeNonce: claim.challengeNonce, ...(o.certified ? { certified: o.certified } : {}) });
      if (await recordVerdict(db, id, outcome, o.verifier)) o.onVerdict?.(id, outcome);
    } catch (e) {
      if (job.retryCount >= job.retryLimit) {
        const outcome = failedOutcome(`verification failed on all ${job.retryCount + 1} attempts; the last: ${e instanceof Error ? e.message : String(e)}`);
        if (await recordVerdict(db, id, outcome, o.verifier)) o.onVerdict?.(id, outcome);
        return;
      }
      throw e;
    } finally {
      await rm(sandbox, { recursive: true, force: true, maxRetries: 5 });
    }
  };
  const ids: string[] = [];
  for (let i = 0; i < o.count; i++)
    ids.push(await boss.work<{ submission_id: string }>(VERIFY_QUEUE, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: o.pollingIntervalSeconds }, async ([job]) => handle(job!)));
  return ids;
}
