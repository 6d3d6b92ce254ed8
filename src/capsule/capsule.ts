/**
 * The capsule `bef_capsule_v1` (seed 000 "Producer pipeline" E; README.md "Capsules"): its schema,
 * checked strictly before anything else is read, and capsule_hash = SHA-256(JCS(capsule without
 * capsule_hash and authorship)). Paths inside a capsule are relative, below the capsule's directory.
 *
 * @module
 */
import { z } from 'zod';
import type { ProofOptions } from '../stark/options.js';
import { AuthorshipSchema } from './authorship.js';
import { AnchorsSchema, HashHexSchema, jcsHash, StatementSchema, TraceSpecSchema } from './spec.js';

export const CAPSULE_SCHEMA = 'bef_capsule_v1' as const;

/** A relative path that stays below the capsule directory: no leading '/', no '.' or '..' segment, no '\\'. */
export const RelPathSchema = z
  .string()
  .max(256)
  .refine((p) => /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(p) && !p.split('/').some((s) => s === '.' || s === '..'), 'must be a relative path of [A-Za-z0-9_.-] segments without "." or ".."');

const Count = z.number().int().min(1).max(2 ** 40);
const Ms = z.number().min(0);

const ProofFormatSchema = z.strictObject({
  path: RelPathSchema,
  /** SHA-256 of the whole file. */
  sha256_payload_hash: HashHexSchema,
  size_bytes: z.number().int().min(0),
});

export const ProofEntrySchema = z.strictObject({
  trace_format_id: z.string(),
  air_id: z.string(),
  formats: z.strictObject({ bin: ProofFormatSchema, json: ProofFormatSchema }),
  /** The archive of this proof's committed trace rows: its directory and the root it rebuilds. */
  row_archive: z.strictObject({ path: RelPathSchema, commitment: HashHexSchema }),
  /** options, security_bits and proof_bytes are checked against the proof; times and stages are declared (time cannot be proved). */
  stats: z.strictObject({
    prove_ms: Ms,
    verify_ms: Ms,
    proof_bytes: z.number().int().min(0),
    security_bits: z.number().min(0),
    options: z.strictObject({ blowup: z.number(), queries: z.number(), grinding_bits: z.number(), folding_factor: z.number() }),
    stages: z.array(z.strictObject({ stage: z.string(), ms: Ms, backend: z.string(), note: z.string().optional() })),
  }),
  backend: z.strictObject({ requested: z.enum(['auto', 'cpu', 'gpu']), description: z.string() }),
});

/** A CapsuleBench run's identifier, as its events and pack name it: run_<UTC time>_<8 hex>. */
export const RunIdSchema = z.string().regex(/^run_[0-9]{4}_[0-9]{2}_[0-9]{2}T[0-9]{2}_[0-9]{2}_[0-9]{2}Z_[0-9a-f]{8}$/, 'must be run_YYYY_MM_DDTHH_MM_SSZ_ followed by 8 lowercase hex digits');

/**
 * A CapsuleBench run (src/capsulebench): the capsule hash binds its pack's files that only exist
 * after proving: the measurements, the runner's log, and the event log up to proof_artifact (the
 * chain head, so no event needs to name the capsule hash that covers it).
 */
export const BenchmarkBlockSchema = z.strictObject({
  schema: z.literal('capsulebench_run_v1'),
  run_id: RunIdSchema,
  measurements_hash: HashHexSchema,
  runner_log_hash: HashHexSchema,
  events_chain_head: HashHexSchema,
});
export type BenchmarkBlock = z.output<typeof BenchmarkBlockSchema>;

export const CapsuleSchema = z
  .strictObject({
    schema: z.literal(CAPSULE_SCHEMA),
    trace_spec: TraceSpecSchema,
    trace_spec_hash: HashHexSchema,
    statement: StatementSchema,
    statement_hash: HashHexSchema,
    anchors: AnchorsSchema,
    policy: z.strictObject({ policy_id: z.string(), policy_version: z.string(), policy_path: RelPathSchema, policy_hash: HashHexSchema }),
    da_policy: z.strictObject({
      verification_level: z.string(),
      provider: z.strictObject({ kind: z.literal('local_archive'), path: RelPathSchema }),
      delta: z.number(),
      epsilon: z.number(),
      min_k_samples: z.number().int(),
      k_samples: z.number().int(),
    }),
    chunk_meta: z.strictObject({ chunk_len: Count, num_chunks: Count, row_width: Count, chunk_bytes: Count, total_rows: Count, chunks_path: RelPathSchema }),
    row_index_ref: z.strictObject({
      commitment: HashHexSchema,
      arity: z.number().int(),
      chunk_roots_bin: RelPathSchema,
      chunk_roots_json: RelPathSchema,
      chunk_roots_digest: HashHexSchema,
    }),
    proofs: z.record(z.string().regex(/^[a-z0-9_]{1,32}$/), ProofEntrySchema).refine((p) => Object.keys(p).length === 1, 'must hold exactly one STARK proof entry'),
    /** A recursion (Nova) block; with it, trace_commitment must equal its nova_state (seed 000 layer 8). */
    nova_stats: z.looseObject({ nova_state: HashHexSchema }).optional(),
    trace_commitment: HashHexSchema.optional(),
    benchmark: BenchmarkBlockSchema.optional(),
    capsule_hash: HashHexSchema,
    authorship: AuthorshipSchema.optional(),
  })
  .refine((c) => c.trace_commitment === undefined || c.nova_stats !== undefined, { error: 'trace_commitment is only meaningful with nova_stats', path: ['trace_commitment'] });
export type Capsule = z.output<typeof CapsuleSchema>;
export type ProofEntry = z.output<typeof ProofEntrySchema>;

/** capsule_hash of a capsule object (any fields; capsule_hash and authorship left out). */
export function capsuleHash(capsule: Record<string, unknown>): string {
  const { capsule_hash: _h, authorship: _a, ...body } = capsule;
  return jcsHash(body);
}

/** The JSON options record of the proof options. */
export const optionsRecord = (o: ProofOptions) => ({ blowup: o.blowup, queries: o.queries, grinding_bits: o.grindingBits, folding_factor: o.foldingFactor });

