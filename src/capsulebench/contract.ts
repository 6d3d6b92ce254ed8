/**
 * The submission contract (seed 000 "Capsule submission contract", checks A–E, 1–17; README.md
 * "CapsuleBench"): what `capseal bench verify` runs on a capsulepack, and what the leaderboard server
 * runs on an upload: the same function. In order:
 *   P1 layout (a closed file list) · P2 pack_meta.json · B7 the inclusion proof (certified tier)
 *   A1–A5, B6–B8, E16–E17: the capsule verifier (../capsule/verify.ts) on capsule.json, held to the
 *     pack's policy.json, with the registry root and ACL of the certified tier and the caller's
 *     challenge nonce
 *   P3 the benchmark block, the capsule's paths are the layout's, every row chunk the pack holds
 *     rebuilds its root · B6 benchmark policy, trusted, with a workload registry this verifier implements ·
 *   P3 the row chunks the policy's pack_policy asks for · C10 required anchors, workload, track, no
 *     anchor this verifier cannot check · C11–12 manifests · C13 the size, the workload input
 *     regenerated from the policy's seed and the proved result of that input · B9 proof options ·
 *   D14 measurements and required outputs · B9 track rules, stage by stage · D15 consistency,
 *     identical proofs · V the event chain, its head, and what each event says (snapshots
 *     replayed, the order of phases and proofs) · L the runner's log · P2 pack_meta against it all.
 * It stops at the first failure with one stable code (E0xx from the capsule verifier, E1xx from
 * ./codes.ts), lists the checks that ran, and never throws. Every file is read once.
 *
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { canonicalize, parseCanonicalBytes } from '../json/canonical-json.js';
import type { Acl } from '../capsule/acl.js';
import { proofName } from '../capsule/adapter.js';
import { chunkFileName, CHUNKS_DIR, CHUNK_ROOTS_BIN, CHUNK_ROOTS_JSON, rootOfChunk } from '../capsule/archive.js';
import { CapsuleSchema, optionsRecord, type Capsule } from '../capsule/capsule.js';
import { Checks, issuesText, must as mustBe, parseJsonOrReject, Rejection, type RecordedCheck } from '../capsule/checks.js';
import type { ErrorCode } from '../capsule/codes.js';
import { checkInclusionIn, type PolicyRegistry } from '../capsule/registry.js';
import { ARCHIVE_DIR, CAPSULE_FILE, POLICY_FILE, proofPaths } from '../capsule/seal.js';
import { jcsHash } from '../capsule/spec.js';
import { FileTooLargeError, MAX_JSON_FILE_BYTES, readBounded, verifyCapsule, type CapsuleFiles } from '../capsule/verify.js';
import { equalDigests } from '../merkle/checks.js';
import { sha256Hex } from '../hash/digest.js';
import type { Kernels } from '../wasm/kernels.js';
import type { BenchErrorCode } from './codes.js';
import { EVENTS_PATH, EventLogError, PHASES, readEventLog, RunState, type ReadEvent, type StreamEvent } from './events.js';
import { manifestPath, MANIFESTS, type ManifestKind, type Manifests } from './manifests.js';
import { MEASUREMENTS_PATH, MeasurementsSchema, summarize, throughput, type Measurements } from './measurements.js';
import { INCLUSION_PROOF_FILE, layoutOf, PACK_LIMITS, PACK_META, PackMetaSchema, REQUIRED_FILES, RUNNER_LOG, type PackFiles, type PackMeta } from './pack.js';
import {
  parseBenchmarkPolicy, requiredAnchors, requiredOutputs, SHIPPED_POLICY, SHIPPED_POLICY_V1_BYTES, SHIPPED_REGISTRY, sizesOf, trackOf, WORKLOAD_REGISTRIES, workloadEntryOf,
  type BenchmarkPolicy, type Track,
} from './policy.js';
import { packChunks, policyOptions, RUN_ANCHORS } from './runner.js';
import { WORKLOADS, type Workload, type WorkloadSeed } from './workloads.js';

export type PackErrorCode = ErrorCode | BenchErrorCode;

export interface VerifyPackOptions {
  /** The certified tier: the registry root to trust and the ACL of keys that may sign for the policy. */
  certified?: { registryRoot: string; acl: Acl };
  /** A challenge DA audit: chunks are drawn from this nonce instead of the self-audit seed. */
  challengeNonce?: string;
  /** The policies trusted for the community tier (default: the shipped registry). */
  trusted?: PolicyRegistry;
  /** Told of each check as it is recorded. */
  onCheck?(check: PackCheck): void;
}

/** A check that ran; `id` is the contract step: seed numbering (A1 … E17), P for the pack, V for events, L for the log. */
export type PackCheck = RecordedCheck<PackErrorCode>;

export interface PackReport {
  status: 'accepted' | 'rejected';
  /** community: the contract holds; certified: also registry inclusion, a signature and the ACL. */
  tier: 'community' | 'certified' | null;
  code: PackErrorCode | null;
  message: string;
  checks: PackCheck[];
  /** What the pack claims, once its capsule and measurements are verified. */
  run: {
    run_id: string; workload_id: string; track_id: string; log2_rows: number; capsule_hash: string;
    public_outputs: Measurements['public_outputs'];
  } | null;
}

/** Bounds of the small files the contract reads (the capsule verifier bounds its own). */
const MAX_SMALL_FILE = 1 << 20;
const MAX_MEASUREMENTS = 4 << 20;
const MAX_LOG = 16 << 20;
const MAX_EVENTS = 64 << 20;

const must: (cond: unknown, code: PackErrorCode, message: string) => asserts cond = mustBe;

/**
 * Files read at most once: a second read gets the first bytes (a pack folder may change under us).
 * `seen` gives the bytes a read got, so what is kept of a pack is what was verified.
 */
export function readOnce(files: PackFiles): PackFiles & { seen(path: string): Uint8Array | null | undefined } {
  const seen = new Map<string, Uint8Array | null>();
  return {
    list: () => files.list(),
    seen: (path) => seen.get(path),
    async read(path, maxBytes) {
      if (!seen.has(path)) seen.set(path, await files.read(path, maxBytes));
      const bytes = seen.get(path)!;
      if (bytes && bytes.length > maxBytes) throw new FileTooLargeError(path, bytes.length, maxBytes);
      return bytes;
    },
  };
}

/** A JSON file of the pack, parsed strictly; absent, too large or not JSON is a rejection with `code`. */
async function readJsonFile(files: CapsuleFiles, path: string, maxBytes: number, code: PackErrorCode): Promise<{ bytes: Uint8Array; json: unknown }> {
  const bytes = await readBounded(files, path, maxBytes);
  must(bytes, code, `${path} is missing`);
  return { bytes, json: parseJsonOrReject(bytes, path, code) };
}
const same = (a: unknown, b: unknown): boolean => canonicalize(a) === canonicalize(b);

/** The capsule verifier's checks, by the seed's contract numbering. */
const CAPSULE_STEP: Record<string, string> = {
  parse: 'A1', capsule_hash: 'A2', schema: 'A1', trace_spec: 'A3', policy: 'B6', policy_registry: 'B7', artifacts: 'A5',
  row_commitment: 'A4', statement: 'A4', stark: 'A5', recursion: 'A5', row_index: 'E17', authorship: 'B7', acl: 'B8', da_audit: 'E16',
};

export async function verifyPack(k: Kernels, files: PackFiles, opts: VerifyPackOptions = {}): Promise<PackReport> {
  const checks = new Checks<PackErrorCode>(undefined, opts.onCheck);
  const state: { run: PackReport['run'] } = { run: null };
  try {
    const message = await contract(k, files, opts, checks, state);
    return { status: 'accepted', tier: opts.certified ? 'certified' : 'community', code: null, message, checks: checks.records, run: state.run };
  } catch (e) {
    const r = e instanceof Rejection ? (e as Rejection<PackErrorCode>) : new Rejection<PackErrorCode>('E110_PACK_LAYOUT', e instanceof Error ? e.message : String(e));
    return { status: 'rejected', tier: null, code: r.code, message: r.message, checks: checks.records, run: null };
  }
}

interface Layout {
  chunks: number[];
  proofs: string[];
  hasInclusionProof: boolean;
}

async function layoutCheck(files: PackFiles): Promise<Layout> {
  const entries = await files.list();
  must(entries.length <= PACK_LIMITS.maxEntries, 'E102_PACK_TOO_LARGE', `the pack has ${entries.length} entries, more than ${PACK_LIMITS.maxEntries}`);
  const out: Layout = { chunks: [], proofs: [], hasInclusionProof: false };
  const names = new Set(entries.map((e) => e.path));
  must(names.has(CAPSULE_FILE) || names.has(PACK_META) || names.has('events'), 'E110_PACK_LAYOUT', 'this folder holds no capsulepack (no capsule.json, pack_meta.json or events log)');
  for (const e of entries) {
    const role = layoutOf(e.path);
    must(e.kind !== 'other', 'E101_PACK_UNSAFE_ENTRY', `${e.path} is not a plain file or folder`);
    must(role && (role.kind === 'dir') === (e.kind === 'dir'), 'E110_PACK_LAYOUT', `${e.path} is not part of the capsulepack layout`);
    if (role.kind === 'chunk') out.chunks.push(role.index);
    if (role.kind === 'proof') out.proofs.push(e.path);
  }
  const missing = REQUIRED_FILES.filter((f) => !names.has(f));
  must(names.has(PACK_META) || !names.has(EVENTS_PATH), 'E110_PACK_LAYOUT', `an unfinished run: ${PACK_META}, written last, is missing (${EVENTS_PATH} says how far the run got)`);
  must(missing.length === 0, 'E110_PACK_LAYOUT', `the pack has no ${missing.join(', ')}`);
  out.hasInclusionProof = names.has(INCLUSION_PROOF_FILE);
  out.chunks.sort((a, b) => a - b);
  return out;
}

interface Context {
  capsule: Capsule;
  meta: PackMeta;
  layout: Layout;
  policy: BenchmarkPolicy;
  track: Track;
  workload: Workload;
  log2Rows: number;
  manifests: Manifests;
  measurements: Measurements;
}

/**
 * The rows a capsule's statement claims (public_inputs.steps), if it says. Read before the capsule
 * verifier, which builds the statement's AIR in time and memory linear in them (a Keccak AIR's
 * periodic columns): a small hostile pack must not make it build 2^30 rows. A capsule that does not
 * parse is left to the capsule verifier to reject.
 */
function claimedSteps(capsuleBytes: Uint8Array): number | undefined {
  try {
    const steps = (parseCanonicalBytes(capsuleBytes) as { statement?: { public_inputs?: { steps?: unknown } } } | null)?.statement?.public_inputs?.steps;
    return typeof steps === 'number' ? steps : undefined;
  } catch {
    return undefined;
  }
}

/** The largest size (log2 rows) the pack's policy lists when it is trusted and a benchmark policy, else the largest a shipped policy lists. */
const largestSize = (p: BenchmarkPolicy): number => Math.max(...p.workloads.flatMap((w) => w.params.log2_rows));
/** The largest size a shipped policy lists, worked out once. */
const SHIPPED_LARGEST = Math.max(largestSize(SHIPPED_POLICY), largestSize(parseBenchmarkPolicy(SHIPPED_POLICY_V1_BYTES)));

function maxLog2Rows(policyBytes: Uint8Array, trusted: PolicyRegistry): number {
  if (!trusted.policies.some((x) => x.policy_hash === sha256Hex(policyBytes))) return SHIPPED_LARGEST;
  try {
    return largestSize(parseBenchmarkPolicy(policyBytes));
  } catch {
    return SHIPPED_LARGEST;
  }
}

async function contract(k: Kernels, packFiles: PackFiles, opts: VerifyPackOptions, checks: Checks<PackErrorCode>, state: { run: PackReport['run'] }): Promise<string> {
  const files = readOnce(packFiles);
  const layout = await checks.run({ id: 'P1', name: 'layout' }, 'E110_PACK_LAYOUT', () => layoutCheck(packFiles));
  const meta = await checks.run({ id: 'P2', name: 'pack_meta' }, 'E111_PACK_META_MISMATCH', async () => {
    const { json } = await readJsonFile(files, PACK_META, MAX_SMALL_FILE, 'E111_PACK_META_MISMATCH');
    const r = PackMetaSchema.safeParse(json);
    must(r.success, 'E111_PACK_META_MISMATCH', `${PACK_META}: ${r.success ? '' : issuesText(r.error.issues)}`);
    return r.data;
  });
  let registry: { root: string; inclusionProof: unknown } | undefined;
  if (opts.certified) {
    const root = opts.certified.registryRoot;
    registry = await checks.run({ id: 'B7', name: 'certified' }, 'E170_CERTIFICATION_INCOMPLETE', async () => {
      must(layout.hasInclusionProof, 'E170_CERTIFICATION_INCOMPLETE', `the certified tier needs ${INCLUSION_PROOF_FILE}, which the pack does not have`);
      return { root, inclusionProof: (await readJsonFile(files, INCLUSION_PROOF_FILE, MAX_SMALL_FILE, 'E170_CERTIFICATION_INCOMPLETE')).json };
    });
  }

  // A, B6–B8, E: the capsule verifier, on the pack's capsule directory, held to the pack's policy.json
  // (the file the benchmark rules read below), whatever path the capsule names for it.
  const { capsuleBytes, policyBytes } = await checks.run({ id: 'A1', name: 'capsule.read' }, 'E001_MALFORMED_CAPSULE', async () => {
    const capsuleBytes = await readBounded(files, CAPSULE_FILE, MAX_JSON_FILE_BYTES), policyBytes = await readBounded(files, POLICY_FILE, MAX_JSON_FILE_BYTES);
    must(capsuleBytes && policyBytes, 'E110_PACK_LAYOUT', `${capsuleBytes ? POLICY_FILE : CAPSULE_FILE} is missing`);
    return { capsuleBytes, policyBytes };
  });
  await checks.run({ id: 'C13', name: 'size_bound' }, 'E136_SIZE_NOT_IN_POLICY', () => {
    const steps = claimedSteps(capsuleBytes), most = maxLog2Rows(policyBytes, opts.trusted ?? SHIPPED_REGISTRY);
    must(steps === undefined || steps <= 2 ** most, 'E136_SIZE_NOT_IN_POLICY', `the statement claims ${steps} rows; no workload of a trusted policy runs more than 2^${most}`);
  });
  const report = await verifyCapsule(k, capsuleBytes, files, {
    policyBytes, ...(registry ? { registry } : {}), ...(opts.certified ? { acl: opts.certified.acl } : {}), ...(opts.challengeNonce ? { challengeNonce: opts.challengeNonce } : {}),
  });
  checks.record(...report.checks.map((c) => ({ id: CAPSULE_STEP[c.name] ?? 'A', name: `capsule.${c.name}`, ok: c.ok, code: c.code })));
  if (report.status === 'rejected') throw new Rejection(report.code!, report.message);
  // Accepted, so it parses to the schema.
  const capsule = await checks.run({ id: 'A1', name: 'capsule' }, 'E001_MALFORMED_CAPSULE', () => CapsuleSchema.parse(parseCanonicalBytes(capsuleBytes)));
  const entry = Object.values(capsule.proofs)[0]!;

  await checks.run({ id: 'P3', name: 'benchmark_block' }, 'E140_BENCHMARK_BLOCK_MISSING', () => {
    must(capsule.benchmark, 'E140_BENCHMARK_BLOCK_MISSING', 'the capsule has no benchmark block: it is not a benchmark run');
    must(capsule.benchmark.run_id === meta.run_id, 'E140_BENCHMARK_BLOCK_MISSING', `the capsule is of run ${capsule.benchmark.run_id}, the pack of ${meta.run_id}`);
  });
  const bench = capsule.benchmark!;
  await checks.run({ id: 'P3', name: 'layout_vs_capsule' }, 'E110_PACK_LAYOUT', () => {
    // Every path the capsule names is the layout's: no file the layout holds can stand in for another.
    const name = proofName(capsule.trace_spec.trace_format_id);
    const paths: [string, string, string][] = [
      ['policy.policy_path', capsule.policy.policy_path, POLICY_FILE],
      ['row_index_ref.chunk_roots_bin', capsule.row_index_ref.chunk_roots_bin, `${ARCHIVE_DIR}/${CHUNK_ROOTS_BIN}`],
      ['row_index_ref.chunk_roots_json', capsule.row_index_ref.chunk_roots_json, `${ARCHIVE_DIR}/${CHUNK_ROOTS_JSON}`],
      ['da_policy.provider.path', capsule.da_policy.provider.path, ARCHIVE_DIR],
      ['chunk_meta.chunks_path', capsule.chunk_meta.chunks_path, `${ARCHIVE_DIR}/${CHUNKS_DIR}`],
      ['row_archive.path', entry.row_archive.path, ARCHIVE_DIR],
      ['formats.bin.path', entry.formats.bin.path, proofPaths(name).bin],
      ['formats.json.path', entry.formats.json.path, proofPaths(name).json],
    ];
    for (const [field, got, want] of paths) must(got === want, 'E110_PACK_LAYOUT', `the capsule's ${field} is ${got}; in a pack it is ${want}`);
    const key = Object.keys(capsule.proofs)[0];
    must(key === name, 'E110_PACK_LAYOUT', `the capsule's proof entry is ${key}; a ${capsule.trace_spec.trace_format_id} proof is ${name}`);
    const extra = layout.proofs.find((p) => p !== entry.formats.bin.path && p !== entry.formats.json.path);
    must(extra === undefined, 'E110_PACK_LAYOUT', `${extra} is not a proof the capsule names`);
    const n = capsule.chunk_meta.num_chunks, beyond = layout.chunks.find((i) => i >= n);
    must(beyond === undefined, 'E110_PACK_LAYOUT', `row chunk ${beyond} is beyond the capsule's ${n} chunks`);
  });
  // The DA audit read a sample; every other chunk the pack holds must hold the committed rows too.
  await checks.run({ id: 'P3', name: 'row_chunks' }, 'E081_DA_CHUNK_MISMATCH', async () => {
    const m = capsule.chunk_meta;
    const roots = await readBounded(files, capsule.row_index_ref.chunk_roots_bin, 32 * m.num_chunks);
    must(roots && roots.length === 32 * m.num_chunks, 'E060_ROW_INDEX_MISMATCH', `${capsule.row_index_ref.chunk_roots_bin} does not hold ${m.num_chunks} roots`);
    for (const i of layout.chunks) {
      const path = `${m.chunks_path}/${chunkFileName(i)}`;
      const bytes = await readBounded(files, path, m.chunk_bytes);
      must(bytes, 'E080_DA_CHUNK_UNAVAILABLE', `${path} cannot be read`);
      const r = rootOfChunk(k, bytes, m.chunk_len, m.row_width);
      must(!('error' in r) && equalDigests(r.root, roots.subarray(32 * i, 32 * i + 32)), 'E081_DA_CHUNK_MISMATCH',
        `row chunk ${i} (${path}) does not rebuild its chunk root${'error' in r ? `: ${r.error}` : ''}`);
    }
  });

  // B6: a benchmark policy this verifier trusts, over the workloads it implements.
  const policy = await checks.run({ id: 'B6', name: 'benchmark_policy' }, 'E120_POLICY_NOT_BENCHMARK', async () => {
    let p: BenchmarkPolicy;
    try {
      p = parseBenchmarkPolicy(policyBytes);
    } catch (e) {
      throw new Rejection('E120_POLICY_NOT_BENCHMARK', (e as Error).message);
    }
    if (!opts.certified) {
      const trusted = opts.trusted ?? SHIPPED_REGISTRY;
      must(trusted.policies.some((x) => x.policy_hash === capsule.policy.policy_hash), 'E121_POLICY_NOT_TRUSTED',
        `policy ${p.policy_id} ${p.policy_version} (${capsule.policy.policy_hash}) is not in the trusted registry ${trusted.root}`);
      // An inclusion proof a pack carries must say what it claims, certified or not.
      if (layout.hasInclusionProof) {
        const { json } = await readJsonFile(files, INCLUSION_PROOF_FILE, MAX_SMALL_FILE, 'E031_POLICY_NOT_IN_REGISTRY');
        const r = checkInclusionIn(json, trusted, capsule.policy.policy_hash);
        must(r.ok, 'E031_POLICY_NOT_IN_REGISTRY', `${INCLUSION_PROOF_FILE}: ${r.ok ? '' : r.message}`);
      }
    }
    must(WORKLOAD_REGISTRIES.has(p.suite.workload_registry_hash), 'E122_WORKLOAD_REGISTRY_MISMATCH',
      `the policy's workload registry is ${p.suite.workload_registry_hash}; this verifier implements ${[...WORKLOAD_REGISTRIES.keys()].join(', ')}`);
    return p;
  });

  // P3 again, now the policy is known: the pack carries the row chunks its pack_policy says.
  await checks.run({ id: 'P3', name: 'row_archive_policy' }, 'E110_PACK_LAYOUT', () => {
    const want = packChunks(policy, capsule);
    must(same(layout.chunks, want), 'E110_PACK_LAYOUT', want.length === capsule.chunk_meta.num_chunks
      ? `the policy's pack_policy asks for all ${want.length} row chunks (${capsule.chunk_meta.num_chunks * capsule.chunk_meta.chunk_bytes} bytes); the pack has ${layout.chunks.length}`
      : `the policy's pack_policy asks for the ${want.length} row chunks of the self-audit sample; the pack has ${layout.chunks.length} others or fewer`);
  });

  // C10: required anchors; the workload and the track.
  const a = capsule.anchors;
  const { workload, track } = await checks.run({ id: 'C10', name: 'anchors' }, 'E130_REQUIRED_ANCHOR_MISSING', () => {
    const missing = requiredAnchors(policy).filter((key) => !Object.hasOwn(a, key));
    must(missing.length === 0, 'E130_REQUIRED_ANCHOR_MISSING', `the statement lacks the anchors the policy requires: ${missing.join(', ')}`);
    const id = a['workload_id'] ?? '', w = WORKLOADS.get(id), listed = workloadEntryOf(policy, id);
    must(sizesOf(policy, id), 'E131_UNKNOWN_WORKLOAD', `workload ${JSON.stringify(id)} is not one of the policy's (${policy.workloads.map((x) => x.workload_id).join(', ')})`);
    must(listed, 'E131_UNKNOWN_WORKLOAD', `workload ${JSON.stringify(id)} is not in the policy's workload registry ${policy.suite.workload_registry_hash}`);
    must(w, 'E131_UNKNOWN_WORKLOAD', `workload ${JSON.stringify(id)} is not one this verifier implements (${[...WORKLOADS.keys()].join(', ')})`);
    must(listed.trace_format_id === capsule.trace_spec.trace_format_id && listed.air_id === entry.air_id, 'E131_UNKNOWN_WORKLOAD',
      `${id} is proved by ${listed.air_id} (${listed.trace_format_id}); the capsule proves ${entry.air_id} (${capsule.trace_spec.trace_format_id})`);
    const t = trackOf(policy, a['track_id'] ?? '');
    must(t, 'E132_UNKNOWN_TRACK', `track ${JSON.stringify(a['track_id'])} is not one of the policy's (${policy.tracks.map((x) => x.track_id).join(', ')})`);
    // Every anchor is one this verifier checks: the runner's, and those the adapter derives (C13).
    const known = new Set([...RUN_ANCHORS, ...Object.keys(w.derivedAnchors(''))]);
    const unknown = Object.keys(a).filter((key) => !known.has(key));
    must(unknown.length === 0, 'E139_ANCHOR_UNCHECKED', `the statement binds anchors this verifier cannot check: ${unknown.join(', ')}`);
    return { workload: w, track: t };
  });

  // C11–C12: each manifest parses and is the one its anchor names.
  const manifests = await checks.run({ id: 'C11', name: 'manifests' }, 'E133_MANIFEST_INVALID', async () => {
    const out = {} as Record<ManifestKind, unknown>;
    for (const kind of Object.keys(MANIFESTS) as ManifestKind[]) {
      const m = MANIFESTS[kind], path = manifestPath(kind);
      const { bytes, json } = await readJsonFile(files, path, MAX_SMALL_FILE, 'E133_MANIFEST_INVALID');
      const r = m.schema.safeParse(json);
      must(r.success, 'E133_MANIFEST_INVALID', `${path}: ${r.success ? '' : issuesText(r.error.issues)}`);
      const h = sha256Hex(bytes);
      must(a[m.anchor] === h, 'E134_MANIFEST_HASH_MISMATCH', `${path} has SHA-256 ${h}; anchor ${m.anchor} is ${String(a[m.anchor])}`);
      out[kind] = r.data;
    }
    const ms = out as unknown as Manifests, tc = ms.toolchain;
    const build = jcsHash(tc.build.files);
    must(tc.build.build_hash === build, 'E134_MANIFEST_HASH_MISMATCH', `the toolchain's build_hash ${tc.build.build_hash} is not the hash of its file list (${build})`);
    const bound: [string, string][] = [['build_hash', tc.build.build_hash], ['git_commit', tc.capseal.git_commit], ['runner_repo', tc.capseal.runner_repo], ['track_id', ms.knobs.track_id]];
    for (const [key, value] of bound)
      must(a[key] === value, 'E134_MANIFEST_HASH_MISMATCH', `anchor ${key} is ${JSON.stringify(a[key])}; the manifests say ${JSON.stringify(value)}`);
    must(same(ms.knobs.proof_options, entry.stats.options) && ms.knobs.chunk_len === capsule.chunk_meta.chunk_len, 'E134_MANIFEST_HASH_MISMATCH',
      `the knobs declare options ${canonicalize(ms.knobs.proof_options)} and chunk length ${ms.knobs.chunk_len}; the proof has ${canonicalize(entry.stats.options)} and ${capsule.chunk_meta.chunk_len}`);
    return ms;
  });

  // C13: the proved size is the policy's, and the proof is of the input the policy's seed generates.
  const log2Rows = Math.log2(capsule.chunk_meta.total_rows / entry.stats.options.blowup);
  await checks.run({ id: 'C13', name: 'size' }, 'E136_SIZE_NOT_IN_POLICY', () => {
    const sizes = sizesOf(policy, workload.id)!;
    must(sizes.includes(log2Rows), 'E136_SIZE_NOT_IN_POLICY', `the proof is of 2^${log2Rows} rows; the policy lists ${workload.id} at 2^${sizes.join(', 2^')}`);
    must(meta.log2_rows === log2Rows, 'E136_SIZE_NOT_IN_POLICY', `${PACK_META} says 2^${meta.log2_rows} rows; the proof has 2^${log2Rows}`);
  });
  const seed: WorkloadSeed = { suiteSeedHex: policy.suite.suite_seed_hex, workloadId: workload.id, log2Rows };
  await checks.run({ id: 'C13', name: 'workload_input' }, 'E135_WORKLOAD_INPUT_MISMATCH', () => {
    const h = workload.inputHash(seed);
    must(a['workload_input_hash'] === h, 'E135_WORKLOAD_INPUT_MISMATCH', `workload_input_hash ${String(a['workload_input_hash'])} is not the policy's generated input (${h})`);
    for (const [key, value] of Object.entries(workload.derivedAnchors(h)))
      must(a[key] === value, 'E139_ANCHOR_UNCHECKED', `anchor ${key} is ${String(a[key])}; the generated input gives ${value}`);
    const why = workload.checkResult(seed, capsule.statement.public_inputs);
    must(why === undefined, 'E135_WORKLOAD_INPUT_MISMATCH', `the proof is not of the generated ${workload.id} input: ${why}`);
  });

  // B9: the policy's proof options and the track's rules.
  await checks.run({ id: 'B9', name: 'proof_options' }, 'E138_PROOF_OPTIONS_NOT_POLICY', () => {
    const want = optionsRecord(policyOptions(policy));
    must(same(entry.stats.options, want), 'E138_PROOF_OPTIONS_NOT_POLICY', `the proof's options ${canonicalize(entry.stats.options)} are not the policy's ${canonicalize(want)}`);
  });


  // D14: the measurements are the ones sealed, for this run, with every required output.
  const measurements = await checks.run({ id: 'D14', name: 'measurements' }, 'E150_MEASUREMENTS_INVALID', async () => {
    const { bytes, json } = await readJsonFile(files, MEASUREMENTS_PATH, MAX_MEASUREMENTS, 'E150_MEASUREMENTS_INVALID');
    const h = sha256Hex(bytes);
    must(h === bench.measurements_hash, 'E152_MEASUREMENTS_HASH_MISMATCH', `${MEASUREMENTS_PATH} has SHA-256 ${h}; the capsule sealed ${bench.measurements_hash}`);
    const r = MeasurementsSchema.safeParse(json);
    must(r.success, 'E150_MEASUREMENTS_INVALID', `${MEASUREMENTS_PATH}: ${r.success ? '' : issuesText(r.error.issues)}`);
    const m = r.data;
    must(m.run_id === bench.run_id && m.workload_id === workload.id && m.track_id === track.track_id && m.log2_rows === log2Rows, 'E150_MEASUREMENTS_INVALID',
      `${MEASUREMENTS_PATH} is of ${m.run_id} (${m.workload_id}, ${m.track_id}, 2^${m.log2_rows}), not this run`);
    const o = m.public_outputs as Record<string, unknown>;
    const lacking = requiredOutputs(policy).filter((key) => o[key] === undefined || o[key] === 0);
    must(lacking.length === 0, 'E151_REQUIRED_OUTPUT_MISSING', `required outputs missing or zero: ${lacking.join(', ')}`);
    return m;
  });

  // B9 (here, once the measurements' stages are known): the track's rules.
  await checks.run({ id: 'B9', name: 'track_rules' }, 'E137_TRACK_RULE_VIOLATION', () => trackRules(track, capsule, manifests, measurements));

  const ctx: Context = { capsule, meta, layout, policy, track, workload, log2Rows, manifests, measurements };
  // D15: what can be recomputed is.
  await checks.run({ id: 'D15', name: 'consistency' }, 'E153_MEASUREMENT_INCONSISTENT', () => consistency(ctx));
  await checks.run({ id: 'D15', name: 'identical_proofs' }, 'E154_RUNS_DISAGREE', () => {
    if (!track.rules.require_identical_proofs) return;
    const sha = entry.formats.bin.sha256_payload_hash;
    const all = [...measurements.warmups, ...measurements.runs].map((r, i) => ({ i, sha: r.proof_sha256 }));
    const odd = all.find((r) => r.sha !== sha);
    must(odd === undefined, 'E154_RUNS_DISAGREE', `run ${odd ? odd.i + 1 : 0} gave a proof of SHA-256 ${odd?.sha}; the pack's proof is ${sha}`);
  });

  // V: the event log is one chain, the capsule holds its head, and every event tells the truth.
  const events = await checks.run({ id: 'V', name: 'events_chain' }, 'E160_EVENTS_MALFORMED', async () => {
    const bytes = await readBounded(files, EVENTS_PATH, MAX_EVENTS);
    must(bytes, 'E110_PACK_LAYOUT', `${EVENTS_PATH} is missing`);
    try {
      return readEventLog(bytes);
    } catch (e) {
      throw e instanceof EventLogError ? new Rejection(e.code, e.message) : e;
    }
  });
  await checks.run({ id: 'V', name: 'events_head' }, 'E162_EVENTS_HEAD_MISMATCH', () => {
    const at = events.filter((e) => e.event.type === 'proof_artifact');
    must(at.length === 1, 'E163_EVENT_MISMATCH', `the log has ${at.length} proof_artifact events, not one`);
    must(at[0]!.hash === bench.events_chain_head, 'E162_EVENTS_HEAD_MISMATCH', `the chain head at proof_artifact is ${at[0]!.hash}; the capsule sealed ${bench.events_chain_head}`);
  });
  await checks.run({ id: 'V', name: 'events_content' }, 'E163_EVENT_MISMATCH', async () => eventsTell(ctx, events, await readBounded(files, capsule.row_index_ref.chunk_roots_bin, 32 * capsule.chunk_meta.num_chunks)));

  await checks.run({ id: 'L', name: 'runner_log' }, 'E142_RUNNER_LOG_MISMATCH', async () => {
    const bytes = await readBounded(files, RUNNER_LOG, MAX_LOG);
    must(bytes, 'E110_PACK_LAYOUT', `${RUNNER_LOG} is missing`);
    const h = sha256Hex(bytes);
    must(h === bench.runner_log_hash, 'E142_RUNNER_LOG_MISMATCH', `${RUNNER_LOG} has SHA-256 ${h}; the capsule sealed ${bench.runner_log_hash}`);
  });
  await checks.run({ id: 'P2', name: 'pack_meta_vs_capsule' }, 'E111_PACK_META_MISMATCH', () => packMetaAgrees(ctx));

  state.run = {
    run_id: bench.run_id, workload_id: workload.id, track_id: track.track_id, log2_rows: log2Rows, capsule_hash: capsule.capsule_hash,
    public_outputs: measurements.public_outputs,
  };
  const o = measurements.public_outputs;
  const time = (us = 0) => (us >= 1e7 ? `${(us / 1e6).toFixed(2)} s` : `${(us / 1000).toFixed(2)} ms`);
  const proves = workloadEntryOf(policy, workload.id)!.proves.replaceAll('2^log2_rows', `2^${log2Rows}`);
  const da = `DA ${opts.challengeNonce ? 'challenge' : 'self'}-audit of ${Math.min(capsule.da_policy.k_samples, capsule.chunk_meta.num_chunks)} of ${capsule.chunk_meta.num_chunks} row chunks`;
  return `accepted (${opts.certified ? 'certified' : 'community'}): ${workload.id} at 2^${log2Rows} rows on ${track.track_id}, capsule ${capsule.capsule_hash}; ` +
    `prove ${time(o.prover_time_us)} (median of ${measurements.runs.length}), verify ${time(o.verify_time_us)}, ${(o.proof_size_bytes ?? 0).toLocaleString('en-US')} proof bytes; ${da}. ` +
    `Proven: ${proves}. Declared (bound, not proven): times, memory, manifests`;
}

function trackRules(track: Track, capsule: Capsule, m: Manifests, measurements: Measurements): void {
  const r = track.rules, entry = Object.values(capsule.proofs)[0]!, knobs = m.knobs;
  const bad = (why: string) => new Rejection('E137_TRACK_RULE_VIOLATION', `${track.track_id}: ${why}`);
  if (!r.allowed_backends.includes(knobs.backend)) throw bad(`--backend ${knobs.backend} is not allowed (${r.allowed_backends.join(', ')})`);
  if (entry.backend.requested !== knobs.backend) throw bad(`the capsule was proved with --backend ${entry.backend.requested}, the knobs declare ${knobs.backend}`);
  if (r.forbid_gpu) {
    if (m.hardware.gpu !== null || knobs.gpu !== null) throw bad('a GPU is declared on a track that forbids one');
    const stages = [...entry.stats.stages, ...measurements.runs.flatMap((r) => r.stages)];
    const gpuStage = stages.find((s) => s.backend.includes('gpu'));
    if (gpuStage) throw bad(`stage ${gpuStage.stage} ran on ${gpuStage.backend}`);
  }
  if (r.require_gpu_adapter && (m.hardware.gpu === null || knobs.gpu === null)) throw bad('no GPU adapter is declared');
  if (r.require_full_knob_disclosure && !Object.hasOwn(capsule.anchors, MANIFESTS.knobs.anchor)) throw bad('the knobs manifest is not bound by an anchor');
}

function consistency({ capsule, policy, measurements: m, manifests, log2Rows, workload }: Context): void {
  const bad = (why: string) => new Rejection('E153_MEASUREMENT_INCONSISTENT', why);
  const entry = Object.values(capsule.proofs)[0]!, p = m.procedure, want = policy.measurement_procedure, o = m.public_outputs;
  const counts: [string, number, number][] = [
    ['warmup_runs', p.warmup_runs, want.warmup_runs], ['measured_runs', p.measured_runs, want.measured_runs],
    ['verify_warmup_runs', p.verify_warmup_runs, want.verify_warmup_runs], ['verify_runs', p.verify_runs, want.verify_runs],
  ];
  for (const [name, got, min] of counts) if (got < min) throw bad(`procedure.${name} is ${got}; the policy asks for at least ${min}`);
  if (m.warmups.length !== p.warmup_runs || m.runs.length !== p.measured_runs || m.verify.runs_us.length !== p.verify_runs)
    throw bad(`the measurements hold ${m.warmups.length} warm-ups, ${m.runs.length} runs and ${m.verify.runs_us.length} verifications; the procedure says ${p.warmup_runs}, ${p.measured_runs}, ${p.verify_runs}`);
  if (manifests.knobs.warmup_runs !== p.warmup_runs || manifests.knobs.measured_runs !== p.measured_runs || manifests.knobs.verify_runs !== p.verify_runs || manifests.knobs.verify_warmup_runs !== p.verify_warmup_runs)
    throw bad('the knobs manifest declares other run counts than the measurements');
  const sums: [string, unknown, unknown][] = [
    ['prover_time_us', m.summary.prover_time_us, summarize(m.runs.map((r) => r.prove_us))],
    ['verify_time_us', m.summary.verify_time_us, summarize(m.verify.runs_us)],
    ['peak_rss_bytes', m.summary.peak_rss_bytes, summarize(m.runs.map((r) => r.peak_rss_bytes))],
  ];
  for (const [name, got, recomputed] of sums) if (!same(got, recomputed)) throw bad(`summary.${name} ${canonicalize(got)} is not the summary of the runs (${canonicalize(recomputed)})`);
  const cells = 2 ** log2Rows * workload.adapter.columns.length;
  const outputs: [string, unknown, unknown][] = [
    ['prover_time_us', o.prover_time_us, m.summary.prover_time_us.median],
    ['verify_time_us', o.verify_time_us, m.summary.verify_time_us.median],
    ['peak_rss_bytes', o.peak_rss_bytes, m.summary.peak_rss_bytes.median],
    ['proof_size_bytes', o.proof_size_bytes, entry.formats.bin.size_bytes],
    ['result_digest_hex', o.result_digest_hex, jcsHash(capsule.statement.public_inputs)],
    ['workload_size_params', o.workload_size_params === undefined ? undefined : canonicalize(o.workload_size_params), canonicalize({ log2_rows: log2Rows })],
    ['trace_cells', o.trace_cells, cells],
    ['throughput_cells_per_s', o.throughput_cells_per_s, throughput(cells, m.summary.prover_time_us.median)],
  ];
  for (const [name, got, expected] of outputs)
    if (got !== undefined && got !== expected) throw bad(`public_outputs.${name} is ${JSON.stringify(got)}; the pack gives ${JSON.stringify(expected)}`);
  const tc = manifests.toolchain;
  if (m.verify.verifier_build_hash !== tc.build.build_hash || m.verify.verifier_version !== tc.capseal.version)
    throw bad(`verify times are from verifier ${m.verify.verifier_version} (${m.verify.verifier_build_hash}), not the anchored build ${tc.capseal.version} (${tc.build.build_hash})`);
  if (entry.stats.prove_ms !== m.summary.prover_time_us.median / 1000 || entry.stats.verify_ms !== m.summary.verify_time_us.median / 1000)
    throw bad(`the capsule's stats (prove ${entry.stats.prove_ms} ms, verify ${entry.stats.verify_ms} ms) are not the measured medians`);
}

/** The events say what the pack holds: each locked value is the capsule's, in the order they were locked. */
function eventsTell({ capsule, measurements, log2Rows, workload, track, manifests }: Context, log: readonly ReadEvent[], rootsBin: Uint8Array | null): void {
  const bad = (why: string) => new Rejection('E163_EVENT_MISMATCH', why);
  const entry = Object.values(capsule.proofs)[0]!, m = capsule.chunk_meta, bench = capsule.benchmark!;
  const first = log[0]!.event;
  if (first.type !== 'run_started') throw bad(`the first event is ${first.type}, not run_started`);
  if (first.run_id !== bench.run_id) throw bad(`the events are of run ${first.run_id}; the capsule of ${bench.run_id}`);
  const ORDER = ['run_started', 'spec_locked', 'chunk_roots_digest', 'row_root_finalized', 'statement_locked', 'proof_artifact', 'capsule_sealed', 'signature_attached', 'pack_ready'] as const;
  const AFTER_PROOF = new Set(['phase', 'state_snapshot', 'capsule_sealed', 'signature_attached', 'pack_ready']);
  const PHASES_AFTER_PROOF = new Set(['seal_capsule', 'pack', 'done']);
  const one = <T extends (typeof ORDER)[number]>(type: T): StreamEvent<T> | undefined => {
    const found = log.filter((e) => e.event.type === type);
    if (found.length > 1) throw bad(`the log has ${found.length} ${type} events`);
    return found[0]?.event as StreamEvent<T> | undefined;
  };
  const need = <T extends (typeof ORDER)[number]>(type: T): StreamEvent<T> => {
    const e = one(type);
    if (!e) throw bad(`the log has no ${type} event`);
    return e;
  };
  // Replayed through the runner's own state, every snapshot must say what the log said before it.
  const replay = new RunState();
  let lastRank = -1, afterProof = false, phaseRank = -1, verifying = false;
  for (const { event: e } of log) {
    if (e.type === 'state_snapshot' && !same(e.data, replay.snapshot(e.seq - 1))) throw bad(`state_snapshot ${e.seq} does not describe the log before it`);
    replay.apply(e);
    const rank = (ORDER as readonly string[]).indexOf(e.type);
    if (afterProof && !AFTER_PROOF.has(e.type)) throw bad(`event ${e.seq} (${e.type}) comes after proof_artifact`);
    if (afterProof && e.type === 'phase' && !PHASES_AFTER_PROOF.has((e as StreamEvent<'phase'>).data.phase_id)) throw bad(`event ${e.seq} is a ${(e as StreamEvent<'phase'>).data.phase_id} phase after proof_artifact`);
    if (rank >= 0) {
      if (rank < lastRank) throw bad(`event ${e.seq} (${e.type}) is out of order`);
      lastRank = rank;
    }
    if (e.type === 'chunk_committed' && (lastRank < ORDER.indexOf('spec_locked') || lastRank >= ORDER.indexOf('chunk_roots_digest')))
      throw bad(`event ${e.seq} commits chunks outside spec_locked … chunk_roots_digest`);
    if (e.type === 'phase') {
      // Phases run in order; a run's proofs are one phase each.
      const r = PHASES.indexOf((e as StreamEvent<'phase'>).data.phase_id);
      if (r < phaseRank) throw bad(`event ${e.seq} returns to the ${PHASES[r]} phase after ${PHASES[phaseRank]}`);
      phaseRank = r;
      verifying ||= r >= PHASES.indexOf('verify_local');
    }
    if (e.type === 'prove_progress' && (lastRank < ORDER.indexOf('spec_locked') || verifying)) throw bad(`event ${e.seq} reports proving outside the prove phase`);
    if (e.type === 'proof_artifact') afterProof = true;
  }

  const started = need('run_started');
  if (started.data.workload_id !== workload.id || started.data.track_id !== track.track_id || started.data.log2_rows !== log2Rows)
    throw bad(`run_started names ${started.data.workload_id} at 2^${started.data.log2_rows} on ${started.data.track_id}`);
  const client = started.data.client;
  if (client.runner_name !== 'capseal' || client.runner_version !== manifests.toolchain.capseal.version || client.backend_id !== capsule.trace_spec.trace_format_id || client.backend_version !== 'capseal-stark-v1')
    throw bad(`run_started names runner ${client.runner_name} ${client.runner_version} proving ${client.backend_id} (${client.backend_version}); the pack is capseal ${manifests.toolchain.capseal.version} proving ${capsule.trace_spec.trace_format_id}`);
  const spec = need('spec_locked').data;
  if (!same(spec.trace_spec, capsule.trace_spec) || spec.trace_spec_hash_hex !== capsule.trace_spec_hash || spec.policy_hash_hex !== capsule.policy.policy_hash
    || spec.policy_id !== capsule.policy.policy_id || spec.policy_version !== capsule.policy.policy_version || !same(spec.anchors, capsule.anchors))
    throw bad('spec_locked does not lock the capsule\'s trace spec, policy and anchors');

  const committed = log.filter((e) => e.event.type === 'chunk_committed').map((e) => (e.event as StreamEvent<'chunk_committed'>).data);
  let next = 0;
  const roots: string[] = [];
  for (const c of committed) {
    if (c.chunk_index !== next || c.chunk_len !== m.chunk_len || c.chunk_bytes !== m.chunk_bytes || c.num_chunks !== m.num_chunks)
      throw bad(`chunk_committed at ${c.chunk_index} does not continue the archive (${m.num_chunks} chunks of ${m.chunk_len} rows)`);
    roots.push(...c.chunk_roots_hex);
    next += c.chunk_roots_hex.length;
  }
  const hexRoots = rootsBin ? Array.from({ length: rootsBin.length / 32 }, (_, i) => bytesToHex(rootsBin.subarray(32 * i, 32 * i + 32))) : [];
  if (!same(roots, hexRoots)) throw bad('the committed chunk roots are not the archive\'s chunk_roots.bin');
  const digest = need('chunk_roots_digest').data;
  if (digest.chunk_roots_digest_hex !== capsule.row_index_ref.chunk_roots_digest || digest.num_chunks !== m.num_chunks || digest.chunk_roots_bytes !== 32 * m.num_chunks)
    throw bad('chunk_roots_digest is not the capsule\'s');
  const root = need('row_root_finalized').data;
  if (root.row_root_hex !== capsule.row_index_ref.commitment || root.arity !== capsule.row_index_ref.arity || root.chunk_len !== m.chunk_len || root.num_chunks !== m.num_chunks)
    throw bad('row_root_finalized is not the capsule\'s trace root');
  const st = need('statement_locked').data;
  if (!same(st.statement, capsule.statement) || st.statement_hash_hex !== capsule.statement_hash) throw bad('statement_locked is not the capsule\'s statement');

  const art = need('proof_artifact').data, o = measurements.public_outputs;
  if (art.proof_id !== proofName(capsule.trace_spec.trace_format_id) || art.path !== entry.formats.bin.path || art.size_bytes !== entry.formats.bin.size_bytes || art.sha256_payload_hash_hex !== entry.formats.bin.sha256_payload_hash
    || art.measurements_hash_hex !== bench.measurements_hash
    || art.stats.prover_time_us !== o.prover_time_us || art.stats.verify_time_us !== o.verify_time_us || art.stats.peak_rss_bytes !== o.peak_rss_bytes)
    throw bad('proof_artifact does not describe the pack\'s proof and measurements');
  const sealed = need('capsule_sealed').data;
  if (sealed.capsule_path !== CAPSULE_FILE) throw bad(`capsule_sealed names ${sealed.capsule_path}, not ${CAPSULE_FILE}`);
  if (sealed.capsule_hash_hex !== capsule.capsule_hash) throw bad(`capsule_sealed names ${sealed.capsule_hash_hex}; the capsule is ${capsule.capsule_hash}`);
  const sig = one('signature_attached')?.data, au = capsule.authorship;
  if (Boolean(sig) !== Boolean(au) || (sig && au && (sig.pubkey_hex !== au.pubkey || sig.signature_hex !== au.signature || sig.scheme !== au.scheme)))
    throw bad('signature_attached does not match the capsule\'s authorship');
  one('pack_ready');
  // Every proof the measurements list, and no other, reports its stages and ends once, in order.
  const p = measurements.procedure;
  const expected = [...Array.from({ length: p.warmup_runs }, (_, i) => `warmup ${i + 1}/${p.warmup_runs}`), ...Array.from({ length: p.measured_runs }, (_, i) => `measured ${i + 1}/${p.measured_runs}`)];
  const ended: string[] = [];
  for (const { event: e } of log)
    if (e.type === 'prove_progress') {
      const d = (e as StreamEvent<'prove_progress'>).data, run = `${d.run.kind} ${d.run.index}/${d.run.of}`;
      if (run !== expected[ended.length]) throw bad(`event ${e.seq} reports ${run} where the log is at ${expected[ended.length] ?? 'the end of proving'}`);
      if (d.stage === 'done') ended.push(run);
    }
  if (ended.length !== expected.length) throw bad(`the log ends ${ended.length} of the ${expected.length} proofs the measurements list`);
}

function packMetaAgrees({ capsule, meta, layout, workload, track }: Context): void {
  const entry = Object.values(capsule.proofs)[0]!, m = capsule.chunk_meta;
  const facts: [string, unknown, unknown][] = [
    ['capsule_hash_hex', meta.capsule_hash_hex, capsule.capsule_hash], ['policy_hash_hex', meta.policy_hash_hex, capsule.policy.policy_hash],
    ['statement_hash_hex', meta.statement_hash_hex, capsule.statement_hash], ['trace_spec_hash_hex', meta.trace_spec_hash_hex, capsule.trace_spec_hash],
    ['workload_id', meta.workload_id, workload.id], ['track_id', meta.track_id, track.track_id],
    ['contents.proof_primary', meta.contents.proof_primary, entry.formats.bin.path],
    ['contents.policy_inclusion_proof', meta.contents.policy_inclusion_proof, layout.hasInclusionProof ? INCLUSION_PROOF_FILE : null],
    ['row_archive.num_chunks', meta.row_archive.num_chunks, m.num_chunks], ['row_archive.chunks_included', meta.row_archive.chunks_included, layout.chunks.length],
    ['row_archive.mode', meta.row_archive.mode, layout.chunks.length === m.num_chunks ? 'full' : 'sample'],
  ];
  for (const [name, got, want] of facts)
    must(got === want, 'E111_PACK_META_MISMATCH', `${PACK_META} ${name} is ${JSON.stringify(got)}; the pack has ${JSON.stringify(want)}`);
}

