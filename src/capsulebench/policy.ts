/**
 * Benchmark policies (schema `bef_benchmark_policy_v1`, seed 000 "Benchmark Policy v1 JSON"; README.md
 * "CapsuleBench") as data the runner and the pack verifier enforce: the suite and its seed, the
 * tracks and their rules, the required anchors and public outputs, the measurement procedure, the
 * workloads with their sizes, the DA policy, how much of the row archive a pack carries, and what
 * certification needs. Every object is closed to unknown keys.
 *
 * The shipped policies, their workload registries and the policy registry holding them are files
 * beside this one (./data/). A policy is pinned by the SHA-256 of its exact bytes; the shipped files
 * are written as JSON.stringify(value, null, 2) + "\n", so their bytes are rebuilt from the imported
 * values (a test checks the files are exactly that).
 *
 * Two versions ship, both leaves of the registry: bef_bench_policy_v1 (1.0.0: geom_walk_v1, fib_v1,
 * agent_log_v1, over workload registry v1) and bef_bench_policy_v2 (2.0.0: those and keccak_stream_v1,
 * merkle_build_open_v1, mem_stream_branch_v1, over workload registry v2). The runner runs under v2;
 * the pack verifier accepts packs of either, each held to its own workload registry.
 *
 * @module
 */
import { z } from 'zod';
import { parseInput, parseJsonDocument } from '../airs/public-inputs.js';
import { ACL_SCHEMA } from '../capsule/acl.js';
import { PolicyDaSchema, policyHash } from '../capsule/policy.js';
import { parseRegistry, type PolicyRegistry } from '../capsule/registry.js';
import { HashHexSchema } from '../capsule/spec.js';
import { sha256Hex } from '../hash/digest.js';
import { jsonFileBytes } from '../json/file-json.js';
import shippedPolicyV1 from './data/bef_benchmark_policy_v1.json' with { type: 'json' };
import shippedPolicy from './data/bef_benchmark_policy_v2.json' with { type: 'json' };
import shippedRegistry from './data/policy_registry.json' with { type: 'json' };
import shippedWorkloadsV1 from './data/workloads_v1.json' with { type: 'json' };
import shippedWorkloads from './data/workloads_v2.json' with { type: 'json' };

export const BENCHMARK_POLICY_SCHEMA = 'bef_benchmark_policy_v1';
export const WORKLOAD_REGISTRY_SCHEMA = 'capsulebench_workload_registry_v1';

/** Backends a track may allow (`--backend`). */
export const TRACK_BACKENDS = ['cpu', 'gpu', 'auto'] as const;

/** The public outputs a run reports; a policy may require any of them. */
export const PUBLIC_OUTPUTS = [
  'prover_time_us', 'peak_rss_bytes', 'proof_size_bytes', 'verify_time_us', 'workload_size_params', 'result_digest_hex', 'throughput_cells_per_s',
] as const;
export type PublicOutput = (typeof PUBLIC_OUTPUTS)[number];

/** Trace rows a workload may be run at, as log2: the AIRs' range. */
const Log2Rows = z.number().int().min(3).max(30);
const Id = z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be 1–64 characters of a–z, 0–9 and _');

/** Distinct values of `key` across a list. */
const unique = <T>(key: (x: T) => string, what: string) => (list: readonly T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  list.forEach((x, i) => {
    if (seen.has(key(x))) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${what} ${key(x)}` });
    seen.add(key(x));
  });
};

export const TrackRulesSchema = z.strictObject({
  /** The --backend values a run of this track may use. */
  allowed_backends: z.array(z.enum(TRACK_BACKENDS)).min(1),
  /** No GPU may run any stage; the manifests must declare none. */
  forbid_gpu: z.boolean(),
  /** A GPU adapter must be declared (hardware and knobs manifests). */
  require_gpu_adapter: z.boolean(),
  /** The knobs manifest must be in the pack and bound by its anchor. */
  require_full_knob_disclosure: z.boolean(),
  /** Every warm-up and measured run must give the same proof bytes. */
  require_identical_proofs: z.boolean(),
});
export type TrackRules = z.output<typeof TrackRulesSchema>;

export const TrackSchema = z.strictObject({ track_id: Id, display_name: z.string().min(1).max(128), rules: TrackRulesSchema });
export type Track = z.output<typeof TrackSchema>;

export const BenchmarkPolicySchema = z.strictObject({
  schema: z.literal(BENCHMARK_POLICY_SCHEMA),
  policy_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1–128 characters of A–Z a–z 0–9 _ . : -'),
  policy_version: z.string().min(1).max(64),
  min_security_bits: z.number().int().min(0).max(256),
  suite: z.strictObject({
    suite_id: z.string().regex(/^[a-z0-9_.-]{1,64}$/),
    suite_version: z.string().min(1).max(64),
    /** 32 bytes from which every workload's input is generated. */
    suite_seed_hex: HashHexSchema,
    /** SHA-256 of the workload registry file's bytes. */
    workload_registry_hash: HashHexSchema,
  }),
  tracks: z.array(TrackSchema).min(1).superRefine(unique((t) => t.track_id, 'track_id')),
  /** The STARK options every run uses, so rows of a leaderboard compare like with like. */
  proof_options: z.strictObject({
    blowup: z.union([z.literal(4), z.literal(8), z.literal(16)]),
    queries: z.number().int().min(1).max(255),
    grinding_bits: z.number().int().min(0).max(32),
    folding_factor: z.union([z.literal(2), z.literal(4)]),
  }),
  /** Anchor keys every capsule of the policy carries (a false value: not required). */
  required_anchors: z.record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/), z.boolean()),
  required_public_outputs: z.partialRecord(z.enum(PUBLIC_OUTPUTS), z.boolean()),
  measurement_procedure: z.strictObject({
    /** Untimed proofs first (JIT tiers, GPU pipelines). */
    warmup_runs: z.number().int().min(0).max(100),
    /** Timed proofs; the runner makes at least this many. */
    measured_runs: z.number().int().min(1).max(1000),
    /** Verifications in a fresh worker: untimed, then timed. */
    verify_warmup_runs: z.number().int().min(0).max(1000),
    verify_runs: z.number().int().min(1).max(10000),
    aggregation: z.literal('median'),
    clock_source: z.literal('monotonic'),
  }),
  workloads: z
    .array(z.strictObject({ workload_id: Id, params: z.strictObject({ log2_rows: z.array(Log2Rows).min(1) }) }))
    .min(1)
    .superRefine(unique((w) => w.workload_id, 'workload_id')),
  da_policy: PolicyDaSchema,
  /**
   * A pack carries every row chunk when they total at most this, else the chunk roots and the DA
   * sample; at most half of what a pack verifier reads in all (PACK_LIMITS.maxTotalBytes).
   */
  pack_policy: z.strictObject({ full_archive_max_bytes: z.number().int().min(0).max(128 * 2 ** 20) }),
  /** The certified tier always needs all three; the fields say so for readers of the policy. */
  certification: z.strictObject({
    require_signature_for_certified_track: z.literal(true),
    acl_schema: z.literal(ACL_SCHEMA),
    policy_registry: z.strictObject({
      enabled: z.literal(true),
      registry_root_hash_type: z.literal('sha256'),
      require_inclusion_proof_for_certified_track: z.literal(true),
    }),
  }),
});
export type BenchmarkPolicy = z.output<typeof BenchmarkPolicySchema>;

export const WorkloadEntrySchema = z.strictObject({
  workload_id: Id,
  trace_format_id: z.string().regex(/^[A-Z0-9_]{1,64}$/),
  air_id: Id,
  /** The generator's name; its algorithm is documented with the workload (./workloads.ts). */
  input_generator: Id,
  size_param: z.literal('log2_rows'),
  description: z.string().min(1).max(1024),
  /** What a proof of this workload shows, and what it does not. */
  proves: z.string().min(1).max(1024),
});

export const WorkloadRegistrySchema = z.strictObject({
  schema: z.literal(WORKLOAD_REGISTRY_SCHEMA),
  registry_id: Id,
  workloads: z.array(WorkloadEntrySchema).min(1).superRefine(unique((w) => w.workload_id, 'workload_id')),
});
export type WorkloadRegistry = z.output<typeof WorkloadRegistrySchema>;

/** The shipped policy's file bytes (bef_bench_policy_v2; policy.json in every pack the runner makes). */
export const SHIPPED_POLICY_BYTES: Uint8Array = jsonFileBytes(shippedPolicy);
/** The first shipped policy's file bytes (bef_bench_policy_v1), whose packs still verify. */
export const SHIPPED_POLICY_V1_BYTES: Uint8Array = jsonFileBytes(shippedPolicyV1);
/** The shipped workload registry files' bytes; a policy's workload_registry_hash is the SHA-256 of one of them. */
export const SHIPPED_WORKLOADS_BYTES: Uint8Array = jsonFileBytes(shippedWorkloads);
export const SHIPPED_WORKLOADS_V1_BYTES: Uint8Array = jsonFileBytes(shippedWorkloadsV1);
/** The policy registry this package trusts for the community tier (RFC 6962 over policy hashes). */
export const SHIPPED_REGISTRY: PolicyRegistry = parseRegistry(shippedRegistry);

/** A benchmark policy from a policy file's bytes (strict JSON), or a RangeError naming every problem. */
export const parseBenchmarkPolicy = (bytes: Uint8Array): BenchmarkPolicy => parseJsonDocument(BenchmarkPolicySchema, bytes, 'benchmark policy');

export const SHIPPED_POLICY: BenchmarkPolicy = parseBenchmarkPolicy(SHIPPED_POLICY_BYTES);
export const SHIPPED_POLICY_HASH: string = policyHash(SHIPPED_POLICY_BYTES);
const parseWorkloads = (json: unknown): WorkloadRegistry => parseInput(WorkloadRegistrySchema, json, 'workload registry');
export const SHIPPED_WORKLOADS: WorkloadRegistry = parseWorkloads(shippedWorkloads);
export const SHIPPED_WORKLOADS_HASH: string = sha256Hex(SHIPPED_WORKLOADS_BYTES);

/** The workload registries this package implements, by the SHA-256 of their file bytes (a policy's workload_registry_hash). */
export const WORKLOAD_REGISTRIES: ReadonlyMap<string, WorkloadRegistry> = new Map([
  [sha256Hex(SHIPPED_WORKLOADS_V1_BYTES), parseWorkloads(shippedWorkloadsV1)],
  [SHIPPED_WORKLOADS_HASH, SHIPPED_WORKLOADS],
]);

/** The registry entry of workload `id` under `policy`'s workload registry, if this package implements that registry and it lists `id`. */
export const workloadEntryOf = (policy: BenchmarkPolicy, id: string): z.output<typeof WorkloadEntrySchema> | undefined =>
  WORKLOAD_REGISTRIES.get(policy.suite.workload_registry_hash)?.workloads.find((w) => w.workload_id === id);

/** The policy's track `id`, if it has one (own entries only). */
export const trackOf = (policy: BenchmarkPolicy, id: string): Track | undefined => policy.tracks.find((t) => t.track_id === id);

/** The log2 row counts the policy allows for workload `id`, if it lists the workload. */
export const sizesOf = (policy: BenchmarkPolicy, id: string): readonly number[] | undefined =>
  policy.workloads.find((w) => w.workload_id === id)?.params.log2_rows;

/** The required anchor keys (true entries), sorted. */
export const requiredAnchors = (policy: BenchmarkPolicy): string[] =>
  Object.entries(policy.required_anchors).filter(([, v]) => v).map(([k]) => k).sort();

/** The required public outputs (true entries), in PUBLIC_OUTPUTS order. */
export const requiredOutputs = (policy: BenchmarkPolicy): PublicOutput[] =>
  PUBLIC_OUTPUTS.filter((k) => policy.required_public_outputs[k] === true);
