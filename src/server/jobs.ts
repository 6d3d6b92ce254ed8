/**
 * Verification jobs on pg-boss (README.md "Leaderboard server"): an existing job engine on the same database,
 * so API processes and `capseal worker` processes on other machines share one queue (./queue.ts). A
 * job names a submission; its handler claims it, writes the pack into a fresh sandbox folder,
 * verifies it on a verifier thread and records the verdict — once, in SQL (./store.ts). A crash
 * mid-verification leaves the job active until it expires; pg-boss then retries it. A job that fails
 * on every attempt, or whose worker vanished on its last one, goes to the dead-letter queue and is
 * recorded as rejected with E180, so no submission waits forever. A verification cut short because
 * this process is closing is not a failure: it goes back on the queue with all its attempts.
 *
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import type { Acl } from '../capsule/acl.js';
import type { Db } from './db.js';
import { DEAD_QUEUE, VERIFY_QUEUE, type VerifyJobData } from './queue.js';
import { claimForVerification, packBytes, recordVerdict, type VerifierInfo } from './store.js';
import { PoolClosedError, type VerifierPool } from './verifier-pool.js';
import type { VerifyOutcome } from './verification.js';

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
  await boss.createQueue(DEAD_QUEUE, { name: DEAD_QUEUE });
  await boss.createQueue(VERIFY_QUEUE, { name: VERIFY_QUEUE, retryLimit: t.retryLimit, retryDelay: 1, expireInSeconds: t.expireInSeconds, deadLetter: DEAD_QUEUE });
  return boss;
}

export async function enqueue(boss: PgBoss, submissionId: string): Promise<void> {
  await boss.send(VERIFY_QUEUE, { submission_id: submissionId } satisfies VerifyJobData);
}

export interface WorkerOptions {
  /** Verifications at once (each on its own thread). */
  count: number;
  /** Parent of the per-submission sandbox folders. */
  workDir: string;
  certified?: { registryRoot: string; acl: Acl };
  verifier: VerifierInfo;
  timings: JobTimings;
}

/** A verdict for a submission no verifier could finish; the reason without this machine's paths. */
function failedOutcome(attempts: number, reason: string): VerifyOutcome {
  const message = `verification failed on all ${attempts} attempts; the last: ${reason.replace(/\/[^\s:'"]+/g, '<path>')}`;
  return {
    report: { status: 'rejected', tier: null, code: 'E180_VERIFICATION_FAILED', message, checks: [{ id: 'S', name: 'verification', ok: false, code: 'E180_VERIFICATION_FAILED' }], run: null },
    certifiedRefusal: null, documents: null, verifyMs: 0,
  };
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Starts `count` pollers on the verification queue (none when count is 0) and one on the dead-letter
 * queue; returns the verification pollers' ids (to wake them when a job is queued here).
 */
export async function startWorkers(boss: PgBoss, db: Db, pool: VerifierPool | null, o: WorkerOptions): Promise<string[]> {
  await boss.work<VerifyJobData>(DEAD_QUEUE, { batchSize: 1, pollingIntervalSeconds: o.timings.pollingIntervalSeconds }, async ([job]) => {
    await recordVerdict(db, job!.data.submission_id, failedOutcome(1 + o.timings.retryLimit, 'the verifier never finished (its worker stopped or vanished)'), o.verifier);
  });
  if (!pool) return [];
  await mkdir(o.workDir, { recursive: true });
  const handle = async (job: PgBoss.JobWithMetadata<VerifyJobData>): Promise<void> => {
    const id = job.data.submission_id;
    let sandbox: string | undefined;
    try {
      const claim = await claimForVerification(db, id);
      if (!claim) return; // the verdict is already recorded (a retry after a crash that came too late)
      const bytes = await packBytes(db, id);
      if (!bytes) throw new Error(`submission ${id} has no pack`);
      sandbox = await mkdtemp(join(o.workDir, `${id}-`));
      const packPath = join(sandbox, 'pack.tgz');
      await writeFile(packPath, bytes);
      const outcome = await pool.run({ packPath, sandbox, challengeNonce: claim.challengeNonce, ...(o.certified ? { certified: o.certified } : {}) });
      await recordVerdict(db, id, outcome, o.verifier);
    } catch (e) {
      if (e instanceof PoolClosedError) return enqueue(boss, id); // this process is closing: another verifier takes it, with every attempt
      if (job.retryCount >= job.retryLimit) {
        await recordVerdict(db, id, failedOutcome(job.retryCount + 1, reasonOf(e)), o.verifier);
        return;
      }
      throw e;
    } finally {
      if (sandbox) await rm(sandbox, { recursive: true, force: true, maxRetries: 5 });
    }
  };
  const ids: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const id: string = await boss.work<VerifyJobData>(VERIFY_QUEUE, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: o.timings.pollingIntervalSeconds }, async ([job]) => {
      await handle(job!);
      boss.notifyWorker(id); // a backlog: fetch the next job now, not after the polling interval
    });
    ids.push(id);
  }
  return ids;
}
