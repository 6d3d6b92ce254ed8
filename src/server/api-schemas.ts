/**
 * The HTTP API's inputs and outputs as zod schemas: queries are parsed with them, and the OpenAPI
 * document (./openapi.ts) is generated from them, so the description cannot drift from the code.
 *
 * @module
 */
import { z } from 'zod';
import { RunIdSchema } from '../capsule/capsule.js';
import { BOARD_COLUMNS, STATUSES, TIERS } from './store.js';

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
export const SubmissionIdSchema = z.string().regex(/^sub_[0-9a-f]{24}$/, 'must be sub_ followed by 24 lowercase hex digits');
const Slug = z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be 1–64 characters of a–z 0–9 _');

export const FormatSchema = z.enum(['json', 'csv']).default('json').describe('json (default) or csv');

export const LeaderboardQuerySchema = z.strictObject({
  workload: Slug.optional().describe('a workload id, e.g. geom_walk_v1'),
  size: z.string().regex(/^[0-9]{1,2}$/, 'must be log2 rows, e.g. 16').transform(Number).optional().describe('log2 of the trace rows'),
  track: Slug.optional().describe('baseline_no_accel or optimized_declared'),
  tier: z.enum(TIERS).optional().describe('certified: certified runs only; community (or none): every verified run'),
  format: FormatSchema,
});

export const CompareQuerySchema = z.strictObject({ a: RunIdSchema, b: RunIdSchema, format: FormatSchema });
export const FormatQuerySchema = z.strictObject({ format: FormatSchema });
export const SubmissionsQuerySchema = z.strictObject({
  status: z.enum(STATUSES).optional().describe('only submissions in this state'),
  limit: z.string().regex(/^[0-9]{1,4}$/, 'must be 1–1000').transform(Number).refine((n) => n >= 1 && n <= 1000, 'must be 1–1000').optional().describe('at most this many, newest first (default 100)'),
  format: FormatSchema,
});

export const ErrorSchema = z.object({
  error: z.object({
    status: z.number().int(),
    code: z.string().describe('stable: bad_request, not_found, too_large, timeout, length_required, unsupported_media_type, duplicate, conflict, busy, unauthorized, upgrade_required, internal'),
    message: z.string(),
    first: z.object({ id: z.string(), url: z.string() }).optional().describe('duplicate: the first submission of this capsule or run'),
  }),
}).meta({ id: 'Error' });

export const CheckSchema = z.object({ id: z.string().optional(), name: z.string(), ok: z.boolean(), code: z.string().nullable() }).meta({ id: 'Check' });

export const SubmissionSchema = z.object({
  id: SubmissionIdSchema,
  status: z.enum(STATUSES),
  received_at: z.string(),
  pack: z.object({ sha256: Hash, bytes: z.number().int() }),
  capsule_hash: Hash.nullable().describe('as the pack claims it; verified once accepted'),
  run_id: z.string().nullable(),
  attempts: z.number().int().describe('verification attempts started'),
  verdict: z.object({
    status: z.enum(['accepted', 'rejected']),
    tier: z.enum(TIERS).nullable(),
    code: z.string().nullable(),
    message: z.string(),
    checks: z.array(CheckSchema),
    certified_refusal: z.object({ code: z.string(), message: z.string() }).nullable().describe('why a signed pack with an inclusion proof was not certified'),
    da_audit: z.object({ kind: z.literal('challenge'), nonce: z.string() }),
    verifier: z.object({ version: z.string(), build_hash: Hash }),
    verify_ms: z.number(),
    verified_at: z.string(),
  }).nullable(),
  links: z.object({ self: z.string(), run: z.string().nullable() }),
}).meta({ id: 'Submission' });

export const SUBMISSION_COLUMNS = ['id', 'status', 'received_at', 'pack_sha256', 'pack_bytes', 'capsule_hash', 'run_id', 'attempts', 'tier', 'code', 'verify_ms', 'verified_at'] as const;
export const SubmissionsSchema = z.object({
  rows: z.array(z.object(Object.fromEntries(SUBMISSION_COLUMNS.map((c) => [c, z.union([z.string(), z.number()]).nullable()])))),
}).meta({ id: 'Submissions' });

export const SubmissionCreatedSchema = z.object({ id: SubmissionIdSchema, status: z.enum(STATUSES), links: z.object({ self: z.string() }) }).meta({ id: 'SubmissionCreated' });

const BoardRowShape = Object.fromEntries(BOARD_COLUMNS.map((c) => [c, z.union([z.string(), z.number()]).nullable()])) as Record<(typeof BOARD_COLUMNS)[number], z.ZodNullable<z.ZodUnion<[z.ZodString, z.ZodNumber]>>>;
export const CostSchema = z.object({ hardware_class: z.string(), usd_per_hour: z.number(), usd_per_proof: z.number() }).meta({ id: 'Cost' });
export const BoardRowSchema = z.object({ ...BoardRowShape, cost: CostSchema.nullable() }).meta({ id: 'BoardRow' });
export const PriceRefSchema = z.object({ version: z.string(), sha256: Hash }).nullable().meta({ id: 'PriceRef' });

export const LeaderboardSchema = z.object({
  filter: z.object({ workload: z.string().nullable(), size: z.number().nullable(), track: z.string().nullable(), tier: z.string().nullable() }),
  rank_by: z.literal('prove_median_us'),
  prices: PriceRefSchema,
  truncated: z.boolean().describe('more rows matched than the board shows (1000): narrow the filter'),
  rows: z.array(BoardRowSchema),
}).meta({ id: 'Leaderboard' });

export const RunSchema = z.object({
  run: BoardRowSchema,
  submission_id: SubmissionIdSchema,
  capsule_hash: Hash,
  statement_hash: Hash,
  policy: z.object({ policy_id: z.string(), policy_version: z.string(), policy_hash: Hash }),
  anchors: z.record(z.string(), z.string()),
  capsule: z.record(z.string(), z.unknown()).describe('capsule.json as verified'),
  manifests: z.record(z.string(), z.unknown()).describe('hardware, os, toolchain, knobs'),
  measurements: z.record(z.string(), z.unknown()).describe('per-run times, stages and their backends, verify times'),
  pack_meta: z.record(z.string(), z.unknown()),
  verification: SubmissionSchema.shape.verdict,
  prices: PriceRefSchema,
  links: z.object({ pack: z.string(), events: z.string(), submission: z.string() }),
}).meta({ id: 'Run' });

export const CompareSchema = z.object({
  a: BoardRowSchema,
  b: BoardRowSchema,
  ratio_b_over_a: z.record(z.string(), z.number().nullable()).describe('b ÷ a for each numeric metric'),
}).meta({ id: 'Compare' });

export const HardwareSchema = z.object({
  rows: z.array(z.object({ hardware_hash: z.string(), hardware_summary: z.string(), runs: z.number().int(), workloads: z.number().int() })),
}).meta({ id: 'Hardware' });

export const LiveRequestSchema = z.strictObject({ run_id: RunIdSchema }).meta({ id: 'LiveRequest' });
export const LiveTicketSchema = z.object({
  run_id: RunIdSchema,
  token: z.string().describe('send as "Authorization: Bearer <token>" when opening ingest_url (again on every reconnect); shown once'),
  ingest_url: z.string(),
  watch_url: z.string(),
}).meta({ id: 'LiveTicket' });

export const HealthSchema = z.object({
  name: z.literal('capseal'), version: z.string(), verifier_build_hash: Hash, database: z.enum(['pglite', 'postgres']),
  certified: z.object({ registry_root: Hash }).nullable(), prices: PriceRefSchema,
  limits: z.object(Object.fromEntries(['max_pack_bytes', 'max_concurrent_uploads', 'max_uploads_per_address', 'upload_idle_ms', 'upload_max_ms', 'max_queued',
    'live_max_event_bytes', 'live_max_events_per_second', 'live_max_events', 'live_max_stream_bytes', 'live_max_viewers', 'live_max_pending_runs'].map((k) => [k, z.number().int()]))),
}).meta({ id: 'Health' });
