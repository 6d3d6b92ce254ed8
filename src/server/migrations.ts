/**
 * The server's schema as versioned migrations, applied in order at start under an advisory lock (so
 * several servers and workers starting together apply each once). A migration is never edited once
 * released: a change is a new one. The tables:
 *   submissions  every upload that reached verification (or was refused as an archive): status, verdict, every check with its code,
 *                the DA challenge nonce, the verifier's version and build hash, the verification time
 *   packs        the uploaded bytes while they are needed: until the verdict, and for accepted runs
 *                (workers on other machines read them from here)
 *   runs         accepted submissions: the leaderboard's rows, with what the receipt page shows
 *   live_runs, live_events   runs streamed while they ran (per-run token, the stored event lines)
 *   intake_rejections        traffic refused before it became a submission (too large, too slow, …)
 *
 * @module
 */
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'submissions, packs, runs, live stream, intake rejections',
    sql: `
CREATE TABLE submissions (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('queued', 'verifying', 'accepted', 'rejected')),
  received_at timestamptz NOT NULL DEFAULT now(),
  pack_sha256 text NOT NULL,
  pack_bytes bigint NOT NULL,
  claimed_capsule_hash text,
  claimed_run_id text,
  challenge_nonce text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  tier text CHECK (tier IN ('community', 'certified')),
  code text,
  message text,
  checks jsonb,
  certified_refusal jsonb,
  verifier_version text,
  verifier_build_hash text,
  verify_ms double precision,
  verified_at timestamptz
);
CREATE INDEX submissions_pack ON submissions (pack_sha256);
CREATE INDEX submissions_run ON submissions (claimed_run_id);
CREATE INDEX submissions_status ON submissions (status);
CREATE TABLE packs (
  submission_id text PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
  bytes bytea NOT NULL
);
CREATE TABLE runs (
  run_id text PRIMARY KEY,
  submission_id text NOT NULL UNIQUE REFERENCES submissions (id),
  capsule_hash text NOT NULL UNIQUE,
  statement_hash text NOT NULL,
  workload_id text NOT NULL,
  log2_rows integer NOT NULL,
  track_id text NOT NULL,
  tier text NOT NULL,
  policy_id text NOT NULL,
  policy_version text NOT NULL,
  policy_hash text NOT NULL,
  runs integer NOT NULL,
  prove_median_us bigint NOT NULL,
  prove_min_us bigint NOT NULL,
  prove_max_us bigint NOT NULL,
  prove_stddev_us bigint NOT NULL,
  verify_median_us bigint NOT NULL,
  proof_bytes bigint NOT NULL,
  trace_cells bigint NOT NULL,
  throughput_cells_per_s bigint NOT NULL,
  peak_rss_bytes bigint NOT NULL,
  hardware_hash text NOT NULL,
  hardware_summary text NOT NULL,
  capsule jsonb NOT NULL,
  measurements jsonb NOT NULL,
  manifests jsonb NOT NULL,
  pack_meta jsonb NOT NULL,
  events text NOT NULL,
  live_status text CHECK (live_status IN ('consistent', 'incomplete', 'inconsistent')),
  accepted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_board ON runs (workload_id, log2_rows, track_id, prove_median_us);
CREATE TABLE live_runs (
  run_id text PRIMARY KEY,
  token_sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seq integer NOT NULL DEFAULT 0,
  head text NOT NULL,
  last_ts_ms bigint NOT NULL DEFAULT 0
);
CREATE TABLE live_events (
  run_id text NOT NULL REFERENCES live_runs (run_id) ON DELETE CASCADE,
  seq integer NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE intake_rejections (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  status integer NOT NULL,
  detail text NOT NULL
);
`,
  },
];

/** Applies the migrations this database lacks; returns the versions applied now. */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (q) => {
    // One key for every capseal process on this database: concurrent starts apply each migration once.
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('capseal.migrations'))`);
    await q.query(`CREATE TABLE IF NOT EXISTS capseal_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM capseal_migrations')).rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...done);
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (newest > latest) throw new Error(`the database is at schema version ${newest}, newer than this capseal's ${latest}: upgrade capseal`);
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const statement of m.sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await q.query(statement);
      await q.query('INSERT INTO capseal_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
