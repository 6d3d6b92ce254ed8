/**
 * The server's reads and writes (tables: ./migrations.ts). Every write that must happen once is
 * guarded in SQL, not in memory, so API processes and workers on other machines agree: a verdict is
 * recorded only while the submission is still queued or verifying, and a capsule or run id is on the
 * board once (unique columns of `runs`). What a pack claims before it is verified (its capsule hash
 * and run id) is used only to say "already on the board": an unverified claim never blocks another
 * submission, never registers a live stream and never speaks for a run.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { PackReport } from '../capsulebench/contract.js';
import type { HardwareManifest } from '../capsulebench/manifests.js';
import type { Db, Queryable } from './db.js';
import { VERIFY_QUEUE } from './queue.js';
import type { VerifyOutcome } from './verification.js';

export const STATUSES = ['queued', 'verifying', 'accepted', 'rejected'] as const;
export type Status = (typeof STATUSES)[number];
export const TIERS = ['community', 'certified'] as const;
export type Tier = (typeof TIERS)[number];

export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

const num = (v: unknown): number => Number(v);

export interface VerifierInfo {
  version: string;
  build_hash: string;
}

// --- submissions ---

/**
 * The submission a new upload repeats, if any: one whose run is on the board with this capsule hash or
 * run id, or one of the very same bytes still waiting for its verdict.
 */
export async function firstSubmissionOf(db: Db, claim: { capsuleHash: string | null; runId: string | null; packSha256: string }): Promise<{ id: string; what: string } | null> {
  const onBoard = await db.query<{ id: string; capsule: boolean }>(
    'SELECT submission_id AS id, capsule_hash = $1 AS capsule FROM runs WHERE capsule_hash = $1 OR run_id = $2 LIMIT 1',
    [claim.capsuleHash, claim.runId],
  );
  const r = onBoard.rows[0];
  if (r) return { id: r.id, what: r.capsule ? 'this capsule is already on the board' : 'this run id is already on the board' };
  const pending = await db.query<{ id: string }>(`SELECT id FROM submissions WHERE pack_sha256 = $1 AND status IN ('queued', 'verifying') LIMIT 1`, [claim.packSha256]);
  return pending.rows[0] ? { id: pending.rows[0].id, what: 'this pack is already being verified' } : null;
}

export interface NewSubmission {
  id: string;
  packSha256: string;
  bytes: Uint8Array;
  claimedCapsuleHash: string | null;
  claimedRunId: string | null;
  challengeNonce: string;
}

/** Stores a submission and its pack in one transaction. */
export async function insertSubmission(db: Db, s: NewSubmission): Promise<void> {
  await db.transaction(async (q) => {
    await q.query(
      `INSERT INTO submissions (id, status, pack_sha256, pack_bytes, claimed_capsule_hash, claimed_run_id, challenge_nonce)
       VALUES ($1, 'queued', $2, $3, $4, $5, $6)`,
      [s.id, s.packSha256, s.bytes.length, s.claimedCapsuleHash, s.claimedRunId, s.challengeNonce],
    );
    await q.query('INSERT INTO packs (submission_id, bytes) VALUES ($1, $2)', [s.id, s.bytes]);
  });
}

/** A submission refused at intake (its archive cannot be opened safely): recorded rejected, its bytes not kept. */
export async function insertRejectedSubmission(
  db: Db,
  s: { id: string; packSha256: string; bytes: number; challengeNonce: string; report: PackReport; verifier: VerifierInfo; verifyMs: number },
): Promise<void> {
  await db.query(
    `INSERT INTO submissions (id, status, pack_sha256, pack_bytes, challenge_nonce, attempts, code, message, checks, verifier_version, verifier_build_hash, verify_ms, verified_at)
     VALUES ($1, 'rejected', $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, now())`,
    [s.id, s.packSha256, s.bytes, s.challengeNonce, s.report.code, s.report.message, JSON.stringify(s.report.checks),
      s.verifier.version, s.verifier.build_hash, s.verifyMs],
  );
}

/** Traffic refused before it became a submission: what, the HTTP status, and why. */
export async function recordIntakeRejection(db: Db, kind: string, status: number, detail: string): Promise<void> {
  await db.query('INSERT INTO intake_rejections (kind, status, detail) VALUES ($1, $2, $3)', [kind, status, detail.slice(0, 1000)]);
}

/** Submissions waiting for a verifier. */
export async function queuedCount(db: Db): Promise<number> {
  return num((await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM submissions WHERE status = 'queued'`)).rows[0]!.n);
}

/** Marks a submission as being verified; null when it already has its verdict. */
export async function claimForVerification(db: Db, id: string): Promise<{ challengeNonce: string } | null> {
  const r = await db.query<{ challenge_nonce: string }>(
    `UPDATE submissions SET status = 'verifying', attempts = attempts + 1 WHERE id = $1 AND status IN ('queued', 'verifying') RETURNING challenge_nonce`,
    [id],
  );
  return r.rows[0] ? { challengeNonce: r.rows[0].challenge_nonce } : null;
}

export async function packBytes(db: Queryable, submissionId: string): Promise<Uint8Array | null> {
  const r = await db.query<{ bytes: Uint8Array }>('SELECT bytes FROM packs WHERE submission_id = $1', [submissionId]);
  return r.rows[0]?.bytes ?? null;
}

/**
 * Submissions without a verdict and without a job that will give them one: an enqueue lost to a
 * crash, or a job that gave up. `orphanedActive`: an active job cannot still be running (PGlite: no
 * other process reaches this database), so it does not count.
 */
export async function unqueuedSubmissions(db: Db, orphanedActive: boolean): Promise<string[]> {
  const states = orphanedActive ? `('created', 'retry')` : `('created', 'retry', 'active')`;
  const r = await db.query<{ id: string }>(
    `SELECT s.id FROM submissions s WHERE s.status IN ('queued', 'verifying') AND NOT EXISTS (
       SELECT 1 FROM pgboss.job j WHERE j.name = $1 AND j.data->>'submission_id' = s.id AND j.state::text IN ${states})
     ORDER BY s.received_at`,
    [VERIFY_QUEUE],
  );
  return r.rows.map((x) => x.id);
}

/** One line about the machine, for tables: CPU, threads, memory, and the GPU when one took part. */
export function hardwareSummary(h: HardwareManifest): string {
  const cpu = `${h.cpu.model} (${h.cpu.logical_cores} threads, ${Math.round(h.memory.total_bytes / 2 ** 30)} GiB)`;
  return h.gpu ? `${cpu} + ${h.gpu.description || `${h.gpu.vendor} ${h.gpu.architecture}`.trim()}` : cpu;
}

/**
 * How a run's live stream relates to its pack's event log: consistent when the log is a prefix of the
 * stream, line for line (the stream goes on past the pack with pack_ready and done); incomplete when
 * the stream is a prefix of the log (it was cut off); inconsistent otherwise. Only a stream registered
 * before the pack was received counts (null: none).
 */
async function liveStatus(q: Queryable, runId: string, submissionId: string, events: string): Promise<'consistent' | 'incomplete' | 'inconsistent' | null> {
  const live = await q.query<{ seq: number; line: string }>(
    `SELECT e.seq, e.line FROM live_events e JOIN live_runs l ON l.run_id = e.run_id
      WHERE e.run_id = $1 AND l.created_at < (SELECT received_at FROM submissions WHERE id = $2) ORDER BY e.seq`,
    [runId, submissionId],
  );
  if (!live.rows.length) return null;
  const lines = events.slice(0, -1).split('\n');
  const common = Math.min(live.rows.length, lines.length);
  for (let i = 0; i < common; i++) if (num(live.rows[i]!.seq) !== i + 1 || live.rows[i]!.line !== lines[i]) return 'inconsistent';
  return live.rows.length >= lines.length ? 'consistent' : 'incomplete';
}

/** A verdict that turns an accepted copy of a run already on the board into a rejection (E181). */
function alreadyOnBoard(o: VerifyOutcome, firstId: string): VerifyOutcome {
  const message = `this capsule or run id is already on the board (submission ${firstId}): a copy submitted while the first was being verified`;
  return { ...o, report: { ...o.report, status: 'rejected', tier: null, code: 'E181_ALREADY_ON_BOARD', message,
    checks: [...o.report.checks, { id: 'S', name: 'once_on_board', ok: false, code: 'E181_ALREADY_ON_BOARD' }], run: null }, documents: null };
}

/**
 * Records a verdict, once: only while the submission is queued or verifying (a retried job that finds
 * the verdict there changes nothing). An accepted run becomes a leaderboard row in the same
 * transaction (a second copy of a run on the board is rejected with E181); a rejected pack's bytes are
 * not kept. Returns false when the verdict was already recorded.
 */
export async function recordVerdict(db: Db, id: string, outcome: VerifyOutcome, verifier: VerifierInfo): Promise<boolean> {
  return db.transaction(async (q) => {
    let o = outcome;
    if (o.report.status === 'accepted' && o.documents) {
      // One accepted verdict at a time: two copies verified at once must not both pass this check.
      await q.query(`SELECT pg_advisory_xact_lock(hashtext('capseal.runs'))`);
      const c = o.documents.capsule;
      const first = await q.query<{ submission_id: string }>('SELECT submission_id FROM runs WHERE capsule_hash = $1 OR run_id = $2 LIMIT 1', [c.capsule_hash, o.documents.measurements.run_id]);
      if (first.rows[0]) o = alreadyOnBoard(o, first.rows[0].submission_id);
    }
    const accepted = o.report.status === 'accepted' && o.documents !== null;
    const upd = await q.query(
      `UPDATE submissions SET status = $2, tier = $3, code = $4, message = $5, checks = $6, certified_refusal = $7,
              verifier_version = $8, verifier_build_hash = $9, verify_ms = $10, verified_at = now()
        WHERE id = $1 AND status IN ('queued', 'verifying')`,
      [id, accepted ? 'accepted' : 'rejected', accepted ? o.report.tier : null, o.report.code, o.report.message, JSON.stringify(o.report.checks),
        o.certifiedRefusal ? JSON.stringify(o.certifiedRefusal) : null, verifier.version, verifier.build_hash, o.verifyMs],
    );
    if (upd.count === 0) return false;
    if (!accepted) {
      await q.query('DELETE FROM packs WHERE submission_id = $1', [id]);
      return true;
    }
    const { capsule, measurements: m, manifests, packMeta, events } = o.documents!;
    const out = m.public_outputs;
    const hardware = manifests.hardware as HardwareManifest;
    await q.query(
      `INSERT INTO runs (run_id, submission_id, capsule_hash, statement_hash, workload_id, log2_rows, track_id, tier, policy_id, policy_version, policy_hash,
         runs, prove_median_us, prove_min_us, prove_max_us, prove_stddev_us, verify_median_us, proof_bytes, trace_cells, throughput_cells_per_s, peak_rss_bytes,
         hardware_hash, hardware_summary, capsule, measurements, manifests, pack_meta, events, live_status)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29)`,
      [m.run_id, id, capsule.capsule_hash, capsule.statement_hash, m.workload_id, m.log2_rows, m.track_id, o.report.tier,
        capsule.policy.policy_id, capsule.policy.policy_version, capsule.policy.policy_hash,
        m.runs.length, m.summary.prover_time_us.median, m.summary.prover_time_us.min, m.summary.prover_time_us.max, m.summary.prover_time_us.stddev,
        m.summary.verify_time_us.median, out.proof_size_bytes ?? 0, out.trace_cells ?? 0, out.throughput_cells_per_s ?? 0, m.summary.peak_rss_bytes.median,
        capsule.anchors['hardware_manifest_hash'] ?? '', hardwareSummary(hardware),
        JSON.stringify(capsule), JSON.stringify(m), JSON.stringify(manifests), JSON.stringify(packMeta), events, await liveStatus(q, m.run_id, id, events)],
    );
    return true;
  });
}

// --- reads ---

export interface SubmissionRow {
  id: string;
  status: Status;
  received_at: Date;
  pack_sha256: string;
  pack_bytes: number;
  claimed_capsule_hash: string | null;
  claimed_run_id: string | null;
  challenge_nonce: string;
  attempts: number;
  tier: Tier | null;
  code: string | null;
  message: string | null;
  checks: unknown[] | null;
  certified_refusal: { code: string; message: string } | null;
  verifier_version: string | null;
  verifier_build_hash: string | null;
  verify_ms: number | null;
  verified_at: Date | null;
  run_id: string | null;
}

export async function submission(db: Db, id: string): Promise<SubmissionRow | null> {
  const r = await db.query<SubmissionRow>(
    `SELECT s.id, s.status, s.received_at, s.pack_sha256, s.pack_bytes, s.claimed_capsule_hash, s.claimed_run_id, s.challenge_nonce, s.attempts, s.tier,
            s.code, s.message, s.checks, s.certified_refusal, s.verifier_version, s.verifier_build_hash, s.verify_ms, s.verified_at, r.run_id
       FROM submissions s LEFT JOIN runs r ON r.submission_id = s.id WHERE s.id = $1`,
    [id],
  );
  const row = r.rows[0];
  return row ? { ...row, pack_bytes: num(row.pack_bytes), attempts: num(row.attempts), verify_ms: row.verify_ms === null ? null : num(row.verify_ms) } : null;
}

/** The newest submissions, as the submissions table lists them (the run id only once verified). */
export async function recentSubmissions(db: Db, status: Status | undefined, limit: number): Promise<Record<string, unknown>[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT s.id, s.status, s.received_at, s.pack_sha256, s.pack_bytes, s.claimed_capsule_hash AS capsule_hash, r.run_id, s.attempts, s.tier, s.code, s.verify_ms, s.verified_at
       FROM submissions s LEFT JOIN runs r ON r.submission_id = s.id WHERE ($1::text IS NULL OR s.status = $1) ORDER BY s.received_at DESC, s.id LIMIT $2`,
    [status ?? null, limit],
  );
  return r.rows.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])));
}

export interface BoardFilter {
  workload?: string;
  size?: number;
  track?: string;
  tier?: Tier;
}

/** Columns of a leaderboard row, in the order tables and CSV show them. */
export const BOARD_COLUMNS = [
  'rank', 'run_id', 'workload_id', 'log2_rows', 'track_id', 'tier', 'runs', 'prove_median_us', 'prove_min_us', 'prove_max_us', 'prove_stddev_us',
  'throughput_cells_per_s', 'trace_cells', 'proof_bytes', 'verify_median_us', 'peak_rss_bytes', 'hardware_summary', 'hardware_hash', 'live_status', 'accepted_at',
] as const;
export type BoardRow = Record<(typeof BOARD_COLUMNS)[number], string | number | null>;

/** The columns compare divides (b ÷ a): measured quantities, not labels or sizes. */
export const METRIC_COLUMNS = ['prove_median_us', 'prove_min_us', 'prove_max_us', 'prove_stddev_us', 'throughput_cells_per_s', 'proof_bytes', 'verify_median_us', 'peak_rss_bytes'] as const;

const INT_COLUMNS = new Set(['rank', 'log2_rows', 'runs', 'prove_median_us', 'prove_min_us', 'prove_max_us', 'prove_stddev_us', 'throughput_cells_per_s', 'trace_cells', 'proof_bytes', 'verify_median_us', 'peak_rss_bytes']);
const boardRow = (r: Record<string, unknown>): BoardRow =>
  Object.fromEntries(BOARD_COLUMNS.map((c) => [c, r[c] === null ? null : INT_COLUMNS.has(c) ? num(r[c]) : r[c] instanceof Date ? (r[c] as Date).toISOString() : String(r[c])])) as BoardRow;
/** The stored columns a board row is made of (rank is computed), and the hardware manifest for costs. */
const BOARD_SELECT = `${BOARD_COLUMNS.filter((c) => c !== 'rank').join(', ')}, manifests->'hardware' AS hardware`;

export const BOARD_LIMIT = 1000;

/**
 * Verified runs by workload, size and track, ranked within each by median prove time (then by
 * acceptance). tier=certified lists certified runs; community (or none) lists every verified run.
 * At most BOARD_LIMIT rows; `truncated` says when there were more.
 */
export async function leaderboard(db: Db, f: BoardFilter): Promise<{ rows: { row: BoardRow; hardware: HardwareManifest }[]; truncated: boolean }> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT rank() OVER (PARTITION BY workload_id, log2_rows, track_id ORDER BY prove_median_us) AS rank, ${BOARD_SELECT}
       FROM runs
      WHERE ($1::text IS NULL OR workload_id = $1) AND ($2::int IS NULL OR log2_rows = $2) AND ($3::text IS NULL OR track_id = $3)
        AND ($4::text IS NULL OR $4 = 'community' OR tier = $4)
      ORDER BY workload_id, log2_rows, track_id, prove_median_us, accepted_at LIMIT $5`,
    [f.workload ?? null, f.size ?? null, f.track ?? null, f.tier ?? null, BOARD_LIMIT + 1],
  );
  return { rows: r.rows.slice(0, BOARD_LIMIT).map((x) => ({ row: boardRow(x), hardware: x['hardware'] as HardwareManifest })), truncated: r.rows.length > BOARD_LIMIT };
}

export interface RunRecord {
  row: BoardRow;
  hardware: HardwareManifest;
  submission_id: string;
  capsule_hash: string;
  statement_hash: string;
  policy: { policy_id: string; policy_version: string; policy_hash: string };
  capsule: Record<string, unknown>;
  measurements: Record<string, unknown>;
  manifests: Record<string, unknown>;
  pack_meta: Record<string, unknown>;
}

export async function run(db: Db, runId: string): Promise<RunRecord | null> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT 1 + (SELECT count(*) FROM runs o WHERE (o.workload_id, o.log2_rows, o.track_id) = (r.workload_id, r.log2_rows, r.track_id)
                  AND o.prove_median_us < r.prove_median_us) AS rank,
            ${BOARD_SELECT}, submission_id, capsule_hash, statement_hash, policy_id, policy_version, policy_hash, capsule, measurements, manifests, pack_meta
       FROM runs r WHERE run_id = $1`,
    [runId],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    row: boardRow(row), hardware: row['hardware'] as HardwareManifest,
    submission_id: String(row['submission_id']), capsule_hash: String(row['capsule_hash']), statement_hash: String(row['statement_hash']),
    policy: { policy_id: String(row['policy_id']), policy_version: String(row['policy_version']), policy_hash: String(row['policy_hash']) },
    capsule: row['capsule'] as Record<string, unknown>, measurements: row['measurements'] as Record<string, unknown>,
    manifests: row['manifests'] as Record<string, unknown>, pack_meta: row['pack_meta'] as Record<string, unknown>,
  };
}

export async function hardwareTable(db: Db): Promise<{ hardware_hash: string; hardware_summary: string; runs: number; workloads: number }[]> {
  const r = await db.query<{ hardware_hash: string; hardware_summary: string; runs: number; workloads: number }>(
    `SELECT hardware_hash, min(hardware_summary) AS hardware_summary, count(*) AS runs, count(DISTINCT (workload_id, log2_rows, track_id)) AS workloads
       FROM runs GROUP BY hardware_hash ORDER BY count(*) DESC, hardware_hash`,
  );
  return r.rows.map((x) => ({ ...x, runs: num(x.runs), workloads: num(x.workloads) }));
}

export async function runEvents(db: Db, runId: string): Promise<string | null> {
  return (await db.query<{ events: string }>('SELECT events FROM runs WHERE run_id = $1', [runId])).rows[0]?.events ?? null;
}

export async function runPack(db: Db, runId: string): Promise<{ bytes: Uint8Array; sha256: string } | null> {
  const r = await db.query<{ bytes: Uint8Array; sha256: string }>(
    'SELECT p.bytes, s.pack_sha256 AS sha256 FROM runs r JOIN packs p ON p.submission_id = r.submission_id JOIN submissions s ON s.id = r.submission_id WHERE r.run_id = $1',
    [runId],
  );
  return r.rows[0] ?? null;
}

/** Every table but the pack bytes and live tokens, in primary-key order, for offline analysis (the dump). */
const DUMP: readonly { table: string; key: string }[] = [
  { table: 'submissions', key: 'id' }, { table: 'runs', key: 'run_id' }, { table: 'live_runs', key: 'run_id' },
  { table: 'live_events', key: 'run_id, seq' }, { table: 'intake_rejections', key: 'id' }, { table: 'capseal_migrations', key: 'version' },
];

export async function* dumpRows(db: Db): AsyncGenerator<{ table: string; row: Record<string, unknown> }> {
  for (const { table, key } of DUMP) {
    // In pages, so a large board is never held at once.
    for (let offset = 0; ; offset += 500) {
      const r = await db.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${key} LIMIT 500 OFFSET ${offset}`);
      for (const row of r.rows) {
        if (table === 'live_runs') delete row['token_sha256'];
        yield { table, row };
      }
      if (r.rows.length < 500) break;
    }
  }
}

// --- the live stream ---

export interface LiveRun {
  run_id: string;
  token_sha256: string;
  last_seq: number;
  head: string;
  last_ts_ms: number;
}

/**
 * Registers a run to be streamed. Refused (with the reason) when the run id is registered already,
 * on the board, or claimed by a submission (a stream must come first), or when too many registered
 * runs are still waiting for their pack (in the last day; one that sent nothing counts for 10 minutes).
 */
export async function registerLive(db: Db, runId: string, tokenSha256: string, zeroHead: string, maxPending: number): Promise<'ok' | 'taken' | 'busy'> {
  return db.transaction(async (q) => {
    const pending = await q.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM live_runs l WHERE l.created_at > now() - interval '1 day' AND (l.last_seq > 0 OR l.created_at > now() - interval '10 minutes')
          AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.run_id = l.run_id)`,
    );
    if (num(pending.rows[0]!.n) >= maxPending) return 'busy';
    const seen = await q.query('SELECT 1 FROM runs WHERE run_id = $1 UNION ALL SELECT 1 FROM submissions WHERE claimed_run_id = $1 LIMIT 1', [runId]);
    if (seen.rows.length) return 'taken';
    const r = await q.query('INSERT INTO live_runs (run_id, token_sha256, head) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO NOTHING', [runId, tokenSha256, zeroHead]);
    return r.count === 1 ? 'ok' : 'taken';
  });
}

export async function liveRun(db: Db, runId: string): Promise<LiveRun | null> {
  const r = await db.query<LiveRun>('SELECT run_id, token_sha256, last_seq, head, last_ts_ms FROM live_runs WHERE run_id = $1', [runId]);
  const row = r.rows[0];
  return row ? { ...row, last_seq: num(row.last_seq), last_ts_ms: num(row.last_ts_ms) } : null;
}

/** Bytes of event lines stored for a run. */
export async function liveBytes(db: Db, runId: string): Promise<number> {
  return num((await db.query<{ n: unknown }>('SELECT coalesce(sum(octet_length(line)), 0) AS n FROM live_events WHERE run_id = $1', [runId])).rows[0]!.n);
}

/** Appends the next event line; false if that seq is already stored (by another connection). */
export async function appendLive(db: Db, runId: string, seq: number, line: string, head: string, tsMs: number): Promise<boolean> {
  return db.transaction(async (q) => {
    const upd = await q.query('UPDATE live_runs SET last_seq = $2, head = $3, last_ts_ms = $4 WHERE run_id = $1 AND last_seq = $2 - 1', [runId, seq, head, tsMs]);
    if (upd.count !== 1) return false;
    await q.query('INSERT INTO live_events (run_id, seq, line) VALUES ($1, $2, $3)', [runId, seq, line]);
    return true;
  });
}

export async function liveLine(db: Db, runId: string, seq: number): Promise<string | null> {
  return (await db.query<{ line: string }>('SELECT line FROM live_events WHERE run_id = $1 AND seq = $2', [runId, seq])).rows[0]?.line ?? null;
}

/** Stored lines after `afterSeq`, at most `limit` (a page). */
export async function liveLines(db: Db, runId: string, afterSeq: number, limit: number): Promise<{ seq: number; line: string }[]> {
  const r = await db.query<{ seq: number; line: string }>('SELECT seq, line FROM live_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [runId, afterSeq, limit]);
  return r.rows.map((x) => ({ seq: num(x.seq), line: x.line }));
}

/** What a run's viewers are told: its verified entry on the board, or the submissions claiming it that were rejected. */
export async function liveVerdicts(db: Db, runId: string): Promise<{ accepted: Record<string, unknown> | null; rejected: { id: string; code: string | null; message: string | null }[] }> {
  const a = await db.query<Record<string, unknown>>(
    `SELECT s.id AS submission_id, s.tier, s.checks, r.live_status FROM runs r JOIN submissions s ON s.id = r.submission_id WHERE r.run_id = $1`,
    [runId],
  );
  const rej = await db.query<{ id: string; code: string | null; message: string | null }>(
    `SELECT id, code, message FROM submissions WHERE claimed_run_id = $1 AND status = 'rejected' ORDER BY verified_at LIMIT 20`,
    [runId],
  );
  return { accepted: a.rows[0] ?? null, rejected: rej.rows };
}
