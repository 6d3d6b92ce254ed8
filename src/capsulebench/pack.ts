/**
 * The capsulepack (`bef_capsulepack_v1`, seed 001 "Capsulepack layout"): one folder, capsulepack/,
 * holding a benchmark run's capsule directory and everything around it, and its gzip'd tar,
 * capsulepack.tgz. The layout is closed: a file it does not name makes the pack invalid.
 *   capsule.json  policy.json  policy_inclusion_proof.json (when the policy is in the shipped registry)
 *   proofs/<name>.proof.bin  proofs/<name>.proof.json
 *   row_archive/chunk_roots.bin  row_archive/chunk_roots.json  row_archive/chunks/<i>.bin (all, or the DA sample)
 *   manifests/{hardware_manifest,os_fingerprint,toolchain_manifest,knobs_manifest}.json
 *   measurements/measurements.json  events/events.jsonl  logs/runner.log  pack_meta.json
 *
 * @module
 */
import { z } from 'zod';
import { RunIdSchema } from '../capsule/capsule.js';
import { CHUNK_ROOTS_BIN, CHUNK_ROOTS_JSON } from '../capsule/archive.js';
import { ARCHIVE_DIR, CAPSULE_FILE, POLICY_FILE } from '../capsule/seal.js';
import { HashHexSchema } from '../capsule/spec.js';
import { EVENTS_PATH } from './events.js';
import { manifestPath, MANIFESTS, type ManifestKind } from './manifests.js';
import { MEASUREMENTS_PATH } from './measurements.js';

export const PACK_SCHEMA = 'bef_capsulepack_v1';
/** The folder a pack's files sit in, inside the tar and beside it. */
export const PACK_ROOT = 'capsulepack';
export const PACK_FILE = 'capsulepack.tgz';
export const PACK_META = 'pack_meta.json';
export const INCLUSION_PROOF_FILE = 'policy_inclusion_proof.json';
export const RUNNER_LOG = 'logs/runner.log';

/**
 * What a pack verifier reads at most; a pack is hostile input. Bytes are counted as they are
 * decompressed, never taken from headers.
 */
export const PACK_LIMITS = {
  /** Files and folders. */
  maxEntries: 16_384,
  /** Decompressed bytes in all. */
  maxTotalBytes: 256 * 2 ** 20,
  /** Bytes in one file (a proof is bounded by the capsule verifier's 64 MiB). */
  maxFileBytes: 64 * 2 ** 20,
  /** The .tgz itself. */
  maxCompressedBytes: 256 * 2 ** 20,
  /** Characters in a path inside the archive, and its folders below the pack's root. */
  maxPathLength: 256,
  maxDepth: 3,
} as const;

/** The folders a pack holds (below its root). */
export const PACK_DIRS = ['proofs', 'row_archive', 'row_archive/chunks', 'manifests', 'measurements', 'events', 'logs'] as const;

const FIXED_FILES: readonly string[] = [
  CAPSULE_FILE, POLICY_FILE, INCLUSION_PROOF_FILE, PACK_META, MEASUREMENTS_PATH, EVENTS_PATH, RUNNER_LOG,
  `${ARCHIVE_DIR}/${CHUNK_ROOTS_BIN}`, `${ARCHIVE_DIR}/${CHUNK_ROOTS_JSON}`,
  ...(Object.keys(MANIFESTS) as ManifestKind[]).map(manifestPath),
];
export const REQUIRED_FILES: readonly string[] = FIXED_FILES.filter((f) => f !== INCLUSION_PROOF_FILE);

const PROOF_FILE = /^proofs\/[a-z0-9_]{1,32}\.proof\.(bin|json)$/;
const CHUNK_FILE = /^row_archive\/chunks\/(0|[1-9][0-9]{0,9})\.bin$/;

/** What a path below the pack root is in the layout: a fixed file, a proof, chunk i, a folder, or nothing. */
export function layoutOf(path: string): { kind: 'file' | 'proof' | 'dir' } | { kind: 'chunk'; index: number } | undefined {
  if (FIXED_FILES.includes(path)) return { kind: 'file' };
  if (PROOF_FILE.test(path)) return { kind: 'proof' };
  if ((PACK_DIRS as readonly string[]).includes(path)) return { kind: 'dir' };
  const m = CHUNK_FILE.exec(path);
  return m ? { kind: 'chunk', index: Number(m[1]) } : undefined;
}

export const PackMetaSchema = z.strictObject({
  schema: z.literal(PACK_SCHEMA),
  v: z.literal(1),
  run_id: RunIdSchema,
  created_ts_ms: z.number().int().min(0),
  capsule_hash_hex: HashHexSchema,
  policy_hash_hex: HashHexSchema,
  statement_hash_hex: HashHexSchema,
  trace_spec_hash_hex: HashHexSchema,
  workload_id: z.string().max(64),
  track_id: z.string().max(64),
  log2_rows: z.number().int().min(0).max(64),
  contents: z.strictObject({
    capsule: z.literal(CAPSULE_FILE),
    policy: z.literal(POLICY_FILE),
    policy_inclusion_proof: z.literal(INCLUSION_PROOF_FILE).nullable(),
    events_jsonl: z.literal(EVENTS_PATH),
    proof_primary: z.string().regex(PROOF_FILE),
    row_archive: z.literal('row_archive/'),
    manifests: z.literal('manifests/'),
    measurements: z.literal(MEASUREMENTS_PATH),
    runner_log: z.literal(RUNNER_LOG),
  }),
  /** full: every chunk; sample: the chunk roots and the self-audit's chunks (the policy's pack_policy). */
  row_archive: z.strictObject({ mode: z.enum(['full', 'sample']), chunks_included: z.number().int().min(0), num_chunks: z.number().int().min(1) }),
});
export type PackMeta = z.output<typeof PackMetaSchema>;

/** A file or folder of a pack, as a listing gives it (paths relative to the pack root, '/'-separated). */
export interface PackEntry {
  path: string;
  kind: 'file' | 'dir' | 'other';
  size: number;
}

/** A pack's files for the verifier: its listing, and reads bounded as the capsule verifier's are. */
export interface PackFiles {
  list(): Promise<PackEntry[]>;
  read(path: string, maxBytes: number): Promise<Uint8Array | null>;
}
