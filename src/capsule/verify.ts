/**
 * The capsule verifier (seed 000 "Verifier pipeline", layers 1–11 in order; README.md "Capsules"):
 * parse/schema → capsule hash → trace spec → policy/registry → artifacts → proof row-commitment
 * binding → statement hash and cross-binding, then the STARK under that statement hash → recursion
 * → row index → authorship/ACL → DA audit. It trusts no field it has not recomputed, stops at the
 * first failure with one stable code (./codes.ts), lists the checks that ran, and never throws.
 *
 * @module
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { AIRS } from '../airs/index.js';
import type { Air } from '../stark/air.js';
import { sha256Hex } from '../hash/digest.js';
import { canonicalize } from '../json/canonical-json.js';
import { decodeProof, encodeProof, maxProofJsonFileBytes, openingsOverHeader, proofFromJson } from '../stark/codec.js';
import type { StarkProof } from '../stark/proof.js';
import { verifyProof } from '../stark/verifier.js';
import { DEFAULT_SECURITY_BITS, securityBits } from '../stark/options.js';
import type { Kernels } from '../wasm/kernels.js';
import { equalDigests } from '../merkle/checks.js';
import { type Acl, signerStatus } from './acl.js';
import { Checks, issuesText, must as mustBe, parseJsonOrReject, Rejection, type RecordedCheck } from './checks.js';
import { adapterForFormat, type AnyTraceAdapter } from './adapter.js';
import { chunkFileName, ChunkRootsJsonSchema, chunkRootsFromJson, rootOfChunk, rootOfChunkRoots, ROW_INDEX_ARITY } from './archive.js';
import { verifyAuthorship } from './authorship.js';
import { capsuleHash, CAPSULE_SCHEMA, CapsuleSchema, optionsRecord, type Capsule, type ProofEntry } from './capsule.js';
import type { ErrorCode } from './codes.js';
import { auditSeed, DA_LEVEL, daSampleCount, sampleChunks } from './da.js';
import { parsePolicy, policyDa, policyHash, type Policy } from './policy.js';
import { checkInclusion } from './registry.js';
import { jcsHash, traceSpecFor } from './spec.js';

/** How much longer than its widest 2-space form a proof's JSON file may be (another formatter's). */
export const JSON_FORMATTING_ROOM = 2;

/** Where the verifier reads the files a capsule names: relative paths below its directory. */
export interface CapsuleFiles {
  /**
   * The file's bytes, or null when it does not exist or is not a regular file. The verifier knows
   * how large each file may be: a reader refuses a longer one with FileTooLargeError, unread.
   */
  read(path: string, maxBytes: number): Promise<Uint8Array | null>;
}

/** A capsule file longer than the verifier reads for it (CapsuleFiles.read). */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(path: string, size: number, maxBytes: number) {
    super(`${path} is ${size} bytes, more than the ${maxBytes} the capsule allows for it`);
  }
}

/** Bound on a policy file, or a capsule an agent capsule names: small JSON documents. */
export const MAX_JSON_FILE_BYTES = 1 << 24;

/**
 * Bound on a proof file whatever size the capsule records: the largest proof the codec can describe
 * (255 queries, the widest trace, the deepest trees) is a few MB in binary and a few times that in JSON.
 */
const MAX_PROOF_FILE_BYTES = 1 << 26;

/** A capsule file of at most `maxBytes`, or null if absent: FileTooLargeError for a longer one, whatever the reader did. */
export async function readBounded(files: CapsuleFiles, path: string, maxBytes: number): Promise<Uint8Array | null> {
  const bytes = await files.read(path, maxBytes);
  if (bytes instanceof Uint8Array && bytes.length > maxBytes) throw new FileTooLargeError(path, bytes.length, maxBytes);
  return bytes;
}

export interface VerifyCapsuleOptions {
  /** The policy file to hold the capsule to (--policy); else the copy the capsule names. */
  policyBytes?: Uint8Array;
  /** A trusted policy-registry root and the inclusion-proof file (JSON value) placing the policy under it. */
  registry?: { root: string; inclusionProof: unknown };
  /** With an ACL, authorship is required and the signer must be active for the policy. */
  acl?: Acl;
  /** Hex nonce for a challenge DA audit; the self-audit when absent. */
  challengeNonce?: string;
  /**
   * Floor on the proof's conjectured security (bits), DEFAULT_SECURITY_BITS unless given: a capsule
   * ships its own policy, so its min_security_bits (which also applies) cannot be the only floor.
   */
  minSecurityBits?: number;
  /** Trace adapters beyond the built-in ones (ADAPTERS), for capsules of other trace formats. */
  adapters?: readonly AnyTraceAdapter[];
}

export type CheckRecord = RecordedCheck<ErrorCode>;

const must: (cond: unknown, code: ErrorCode, message: string) => asserts cond = mustBe;

export interface VerifyReport {
  status: 'accepted' | 'rejected';
  code: ErrorCode | null;
  message: string;
  checks: CheckRecord[];
}

/** readBounded, with a file over the bound rejected with `code`. */
function readOrReject(files: CapsuleFiles, path: string, maxBytes: number, code: ErrorCode): Promise<Uint8Array | null> {
  return readBounded(files, path, maxBytes).catch((e: unknown) => {
    throw e instanceof FileTooLargeError ? new Rejection(code, e.message) : e;
  });
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const parseJson: (bytes: Uint8Array, what: string, code: ErrorCode) => unknown = parseJsonOrReject;

export async function verifyCapsule(k: Kernels, capsuleBytes: Uint8Array, files: CapsuleFiles, opts: VerifyCapsuleOptions = {}): Promise<VerifyReport> {
  const checks = new Checks<ErrorCode>((m) => `malformed capsule: ${m}`);
  try {
    const summary = await pipeline(k, capsuleBytes, files, opts, checks);
    return { status: 'accepted', code: null, message: summary, checks: checks.records };
  } catch (e) {
    const r = e instanceof Rejection ? (e as Rejection<ErrorCode>) : new Rejection<ErrorCode>('E001_MALFORMED_CAPSULE', `malformed capsule: ${e instanceof Error ? e.message : String(e)}`);
    return { status: 'rejected', code: r.code, message: r.message, checks: checks.records };
  }
}

async function pipeline(k: Kernels, bytes: Uint8Array, files: CapsuleFiles, opts: VerifyCapsuleOptions, checks: Checks<ErrorCode>): Promise<string> {
  // Anything a check throws unexpectedly means the capsule is malformed.
  const check = <T>(name: string, fn: () => T | Promise<T>): Promise<T> => checks.run({ name }, 'E001_MALFORMED_CAPSULE', fn);
  // 1. Parse and schema.
  const raw = await check('parse', () => {
    const j = parseJson(bytes, 'capsule', 'E001_MALFORMED_CAPSULE');
    must(isRecord(j), 'E001_MALFORMED_CAPSULE', 'capsule is not a JSON object');
    must(typeof j['schema'] === 'string', 'E001_MALFORMED_CAPSULE', 'capsule has no schema string');
    must(j['schema'] === CAPSULE_SCHEMA, 'E002_UNSUPPORTED_SCHEMA', `schema ${JSON.stringify(j['schema'])} is not supported (expected ${CAPSULE_SCHEMA})`);
    return j;
  });
  // 2. Capsule hash, over the capsule exactly as parsed.
  await check('capsule_hash', () => {
    must('capsule_hash' in raw, 'E010_CAPSULE_HASH_MISSING', 'capsule_hash is missing');
    const h = capsuleHash(raw);
    must(raw['capsule_hash'] === h, 'E011_CAPSULE_HASH_MISMATCH', `capsule_hash ${String(raw['capsule_hash'])} does not match the capsule (recomputed ${h})`);
  });
  const c = await check('schema', () => {
    const r = CapsuleSchema.safeParse(raw);
    must(r.success, 'E001_MALFORMED_CAPSULE', `capsule fields: ${r.success ? '' : issuesText(r.error.issues)}`);
    // Everything hashed must be read: a member the schema skips (zod records skip "__proto__") is refused.
    must(canonicalize(r.data) === canonicalize(raw), 'E001_MALFORMED_CAPSULE', 'capsule holds members the schema does not read (e.g. "__proto__")');
    return r.data;
  });
  const [proofKey, entry] = Object.entries(c.proofs)[0]!;

  // 3. Trace spec.
  const adapter = await check('trace_spec', () => traceSpecCheck(c, opts.adapters ?? []));

  // 4. Policy, and its registry inclusion when a trusted root is given.
  const policy = await check('policy', () => policyCheck(c, files, opts));
  if (opts.registry) {
    const { root, inclusionProof } = opts.registry;
    await check('policy_registry', () => {
      const r = checkInclusion(inclusionProof, root, c.policy.policy_hash);
      must(r.ok, 'E031_POLICY_NOT_IN_REGISTRY', r.ok ? '' : r.message);
    });
  }

  // 5. Artifacts.
  const proof = await check('artifacts', () => artifactsCheck(entry, files));

  // 6. The proof's row commitment is the capsule's.
  await check('row_commitment', () => rowCommitmentCheck(c, adapter, entry, proof));

  // 7. Statement: hash, cross-binding, then the STARK under that hash.
  const air = await check('statement', () => statementCheck(c, adapter));
  const minBits = Math.max(opts.minSecurityBits ?? DEFAULT_SECURITY_BITS, policy.min_security_bits ?? 0);
  const bits = await check('stark', () => {
    const v = verifyProof(k, air, proof, hexToBytes(c.statement_hash), AIRS[adapter.airId].encode(c.statement.public_inputs), { minSecurityBits: minBits });
    if (!v.ok) throw new Rejection(v.code === 'security' ? 'E056_SECURITY_BELOW_MINIMUM' : 'E054_PROOF_INVALID', `STARK proof rejected (${v.code}): ${v.message}`);
    return v.securityBits;
  });

  // 8. Recursion block.
  if (c.nova_stats !== undefined) {
    await check('recursion', () => {
      must(c.nova_stats!.nova_state === c.trace_commitment, 'E055_NOVA_STATE_MISMATCH', `nova_state ${c.nova_stats!.nova_state} differs from trace_commitment ${String(c.trace_commitment)}`);
      throw new Rejection('E057_RECURSION_UNSUPPORTED', 'the capsule carries a Nova recursion proof, which this verifier cannot check');
    });
  }

  // 9. Row index: the chunk roots rebuild the trace root.
  const roots = await check('row_index', () => rowIndexCheck(k, c, files));

  // 10. Authorship and ACL.
  let signer: string | undefined;
  if (c.authorship !== undefined || opts.acl !== undefined) {
    signer = await check('authorship', () => {
      must(c.authorship !== undefined, 'E070_AUTHORSHIP_REQUIRED', 'an ACL was given but the capsule carries no authorship signature');
      const v = verifyAuthorship(c.capsule_hash, c.authorship);
      must(v.ok, 'E071_SIGNATURE_INVALID', `authorship: ${v.ok ? '' : v.message}`);
      return v.pubkey;
    });
  }
  if (opts.acl !== undefined) {
    const acl = opts.acl;
    await check('acl', () => {
      const status = signerStatus(acl, c.policy.policy_id, signer!);
      must(status === 'active', 'E072_SIGNER_NOT_AUTHORIZED', `signer ${signer} is ${status === 'revoked' ? 'revoked' : 'not listed'} for policy ${c.policy.policy_id}`);
    });
  }

  // 11. DA audit.
  const audit = await check('da_audit', () => daAudit(k, c, policy, roots, files, opts.challengeNonce));

  const signed = signer ? `, signed by ${signer}` : '';
  return `accepted: ${c.trace_spec.trace_format_id} capsule ${c.capsule_hash} (${proofKey}, ${bits}-bit proof${signed}; DA ${audit})`;
}

function traceSpecCheck(c: Capsule, extra: readonly AnyTraceAdapter[]): AnyTraceAdapter {
  const h = jcsHash(c.trace_spec);
  must(h === c.trace_spec_hash, 'E053_PROOF_STATEMENT_MISMATCH', `trace_spec_hash ${c.trace_spec_hash} does not match the trace spec (recomputed ${h})`);
  const id = c.trace_spec.trace_format_id;
  const adapter = extra.find((a) => a.traceFormatId === id) ?? adapterForFormat(id);
  must(adapter, 'E002_UNSUPPORTED_SCHEMA', `trace format ${c.trace_spec.trace_format_id} is not known to this verifier`);
  const expected = traceSpecFor(adapter.traceFormatId, adapter.columns);
  must(c.trace_spec.record_schema_ref === expected.record_schema_ref, 'E053_PROOF_STATEMENT_MISMATCH',
    `record_schema_ref ${c.trace_spec.record_schema_ref} is not ${adapter.traceFormatId}'s record schema (${expected.record_schema_ref})`);
  return adapter;
}

async function policyCheck(c: Capsule, files: CapsuleFiles, opts: VerifyCapsuleOptions): Promise<Policy> {
  const bytes = opts.policyBytes ?? (await readOrReject(files, c.policy.policy_path, MAX_JSON_FILE_BYTES, 'E030_POLICY_HASH_MISMATCH'));
  must(bytes, 'E030_POLICY_HASH_MISMATCH', `policy file ${c.policy.policy_path} is missing (or pass --policy)`);
  const h = policyHash(bytes);
  must(h === c.policy.policy_hash, 'E030_POLICY_HASH_MISMATCH', `the policy file's SHA-256 ${h} differs from policy_hash ${c.policy.policy_hash}`);
  let policy: Policy;
  try {
    policy = parsePolicy(bytes);
  } catch (e) {
    throw new Rejection('E030_POLICY_HASH_MISMATCH', `the policy file matches policy_hash but is not a policy: ${(e as Error).message}`);
  }
  must(policy.policy_id === c.policy.policy_id && policy.policy_version === c.policy.policy_version, 'E030_POLICY_HASH_MISMATCH',
    `the capsule names policy ${c.policy.policy_id} ${c.policy.policy_version}, the policy file is ${policy.policy_id} ${policy.policy_version}`);
  return policy;
}

async function artifactsCheck(entry: ProofEntry, files: CapsuleFiles): Promise<StarkProof> {
  /** A proof file, held to its record; `most` also bounds it, a file past that being refused unread (E042). */
  const load = async (fmt: 'bin' | 'json', most = Infinity): Promise<Uint8Array> => {
    const f = entry.formats[fmt], recorded = Math.min(f.size_bytes, MAX_PROOF_FILE_BYTES);
    const bytes = await readBounded(files, f.path, Math.min(recorded, most)).catch((e: unknown) => {
      if (!(e instanceof FileTooLargeError)) throw e;
      throw most < recorded
        ? new Rejection('E042_PROOF_DECODE_ERROR', `${f.path} holds more than ${most} bytes, the most the JSON form of ${entry.formats.bin.path} takes`)
        : new Rejection('E041_ARTIFACT_HASH_MISMATCH', e.message);
    });
    must(bytes, 'E040_ARTIFACT_MISSING', `proof file ${f.path} is missing`);
    must(bytes.length === f.size_bytes, 'E041_ARTIFACT_HASH_MISMATCH', `${f.path} is ${bytes.length} bytes, the capsule records ${f.size_bytes}`);
    const h = sha256Hex(bytes);
    must(h === f.sha256_payload_hash, 'E041_ARTIFACT_HASH_MISMATCH', `${f.path} has SHA-256 ${h}, the capsule records ${f.sha256_payload_hash}`);
    return bytes;
  };
  const decode = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new Rejection('E042_PROOF_DECODE_ERROR', `${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const bin = await load('bin');
  const proof = decode(entry.formats.bin.path, () => decodeProof(bin));
  const padded = openingsOverHeader(proof);
  must(padded === undefined, 'E042_PROOF_DECODE_ERROR', `${entry.formats.bin.path}: ${padded}`);
  // The JSON form can be no longer than the binary proof's counts allow, whatever its formatting
  // (twice the widest 2-space, LF form leaves room for CRLF, deeper indents or tabs): a longer file is
  // refused before it is hashed or parsed, which for tens of MiB would take seconds.
  const json = await load('json', JSON_FORMATTING_ROOM * maxProofJsonFileBytes(proof));
  const fromJson = decode(entry.formats.json.path, () => proofFromJson(parseJson(json, entry.formats.json.path, 'E042_PROOF_DECODE_ERROR')));
  must(sameBytes(encodeProof(fromJson), bin), 'E042_PROOF_DECODE_ERROR', `${entry.formats.json.path} and ${entry.formats.bin.path} hold different proofs`);
  return proof;
}

function rowCommitmentCheck(c: Capsule, adapter: AnyTraceAdapter, entry: ProofEntry, proof: StarkProof): void {
  const m = c.chunk_meta, ref = c.row_index_ref;
  const bad = (what: string) => new Rejection('E053_PROOF_STATEMENT_MISMATCH', what);
  if (entry.trace_format_id !== c.trace_spec.trace_format_id) throw bad(`proof entry is for ${entry.trace_format_id}, the trace spec for ${c.trace_spec.trace_format_id}`);
  if (proof.airId !== adapter.airId || entry.air_id !== adapter.airId) throw bad(`proof is for AIR ${proof.airId} (entry says ${entry.air_id}); ${adapter.traceFormatId} is proved by ${adapter.airId}`);
  if (bytesToHex(proof.traceRoot) !== ref.commitment) throw bad(`the proof's trace root ${bytesToHex(proof.traceRoot)} differs from row_index_ref.commitment ${ref.commitment}`);
  if (entry.row_archive.commitment !== ref.commitment || entry.row_archive.path !== c.da_policy.provider.path)
    throw bad(`the proof entry's row archive (${entry.row_archive.path}, ${entry.row_archive.commitment}) is not the capsule's (${c.da_policy.provider.path}, ${ref.commitment})`);
  if (ref.arity !== ROW_INDEX_ARITY) throw bad(`row_index_ref.arity is ${ref.arity}; the trace commitment is a binary tree`);
  const rows = 2 ** proof.logN * proof.options.blowup;
  if (m.total_rows !== rows) throw bad(`chunk_meta.total_rows ${m.total_rows} differs from the proof's ${rows} committed rows`);
  if (m.row_width !== proof.width) throw bad(`chunk_meta.row_width ${m.row_width} differs from the proof's width ${proof.width}`);
  if ((m.chunk_len & (m.chunk_len - 1)) !== 0 || m.chunk_len * m.num_chunks !== rows)
    throw bad(`chunk_meta: ${m.num_chunks} chunks of ${m.chunk_len} rows are not an aligned power-of-two split of ${rows} rows`);
  if (m.chunk_bytes !== m.chunk_len * m.row_width * 8) throw bad(`chunk_meta.chunk_bytes ${m.chunk_bytes} is not ${m.chunk_len} × ${m.row_width} × 8`);
  // The stats the proof determines are checked; times and stages are declared (only a signature binds them).
  const st = entry.stats;
  if (canonicalize(st.options) !== canonicalize(optionsRecord(proof.options))) throw bad(`stats.options ${canonicalize(st.options)} are not the proof's options`);
  if (st.security_bits !== securityBits(proof.logN, proof.options)) throw bad(`stats.security_bits ${st.security_bits} is not the proof's ${securityBits(proof.logN, proof.options)}`);
  if (st.proof_bytes !== entry.formats.bin.size_bytes) throw bad(`stats.proof_bytes ${st.proof_bytes} is not the binary proof's ${entry.formats.bin.size_bytes} bytes`);
}

function statementCheck(c: Capsule, adapter: AnyTraceAdapter): Air {
  const s = c.statement;
  const h = jcsHash(s);
  must(h === c.statement_hash, 'E050_STATEMENT_HASH_MISMATCH', `statement_hash ${c.statement_hash} does not match the statement (recomputed ${h})`);
  const cross = (ok: boolean, what: string) => must(ok, 'E053_PROOF_STATEMENT_MISMATCH', `statement.${what}`);
  cross(s.trace_spec_hash === c.trace_spec_hash, `trace_spec_hash ${s.trace_spec_hash} differs from the capsule's ${c.trace_spec_hash}`);
  cross(s.policy_hash === c.policy.policy_hash, `policy_hash ${s.policy_hash} differs from the capsule's ${c.policy.policy_hash}`);
  cross(s.trace_root === c.row_index_ref.commitment, `trace_root ${s.trace_root} differs from row_index_ref.commitment ${c.row_index_ref.commitment}`);
  cross(canonicalize(s.anchors) === canonicalize(c.anchors), 'anchors differ from the capsule anchors');
  try {
    return AIRS[adapter.airId].air(s.public_inputs);
  } catch (e) {
    throw new Rejection('E001_MALFORMED_CAPSULE', `statement.public_inputs: ${(e as Error).message}`);
  }
}

async function rowIndexCheck(k: Kernels, c: Capsule, files: CapsuleFiles): Promise<Uint8Array> {
  const ref = c.row_index_ref;
  const n = c.chunk_meta.num_chunks;
  const bin = await readOrReject(files, ref.chunk_roots_bin, 32 * n, 'E060_ROW_INDEX_MISMATCH');
  must(bin, 'E060_ROW_INDEX_MISMATCH', `${ref.chunk_roots_bin} is missing`);
  const digest = sha256Hex(bin);
  must(digest === ref.chunk_roots_digest, 'E061_CHUNK_ROOTS_DIGEST_MISMATCH', `${ref.chunk_roots_bin} has SHA-256 ${digest}, chunk_roots_digest is ${ref.chunk_roots_digest}`);
  // The JSON lists the same roots: 64 hex digits each, with room for indentation.
  const jsonBytes = await readOrReject(files, ref.chunk_roots_json, 4096 + 128 * n, 'E061_CHUNK_ROOTS_DIGEST_MISMATCH');
  must(jsonBytes, 'E061_CHUNK_ROOTS_DIGEST_MISMATCH', `${ref.chunk_roots_json} is missing`);
  const parsed = ChunkRootsJsonSchema.safeParse(parseJson(jsonBytes, ref.chunk_roots_json, 'E061_CHUNK_ROOTS_DIGEST_MISMATCH'));
  must(parsed.success, 'E061_CHUNK_ROOTS_DIGEST_MISMATCH', `${ref.chunk_roots_json}: ${parsed.success ? '' : issuesText(parsed.error.issues)}`);
  must(sameBytes(chunkRootsFromJson(parsed.data), bin), 'E061_CHUNK_ROOTS_DIGEST_MISMATCH', `${ref.chunk_roots_json} and ${ref.chunk_roots_bin} list different roots`);
  must(bin.length === 32 * n, 'E060_ROW_INDEX_MISMATCH', `${ref.chunk_roots_bin} holds ${bin.length / 32} roots, chunk_meta.num_chunks is ${n}`);
  const root = bytesToHex(rootOfChunkRoots(k, bin));
  must(root === ref.commitment, 'E060_ROW_INDEX_MISMATCH', `the chunk roots rebuild ${root}, not row_index_ref.commitment ${ref.commitment}`);
  return bin;
}

async function daAudit(k: Kernels, c: Capsule, policy: Policy, roots: Uint8Array, files: CapsuleFiles, nonce: string | undefined): Promise<string> {
  const d = c.da_policy, want = policyDa(policy);
  const invalid = (what: string) => new Rejection('E082_DA_POLICY_INVALID', `da_policy: ${what}`);
  if (d.verification_level !== DA_LEVEL) throw invalid(`verification_level ${JSON.stringify(d.verification_level)} is not ${DA_LEVEL}`);
  if (!(d.delta > 0 && d.delta < 1 && d.epsilon > 0 && d.epsilon < 1)) throw invalid(`δ = ${d.delta} and ε = ${d.epsilon} must lie in (0, 1)`);
  if (d.delta !== want.delta || d.epsilon !== want.epsilon || d.min_k_samples !== want.min_k_samples)
    throw invalid(`δ ${d.delta}, ε ${d.epsilon}, min_k_samples ${d.min_k_samples} differ from the policy's ${want.delta}, ${want.epsilon}, ${want.min_k_samples}`);
  const k0 = daSampleCount(d.delta, d.epsilon, d.min_k_samples);
  if (d.k_samples < k0) throw invalid(`k_samples ${d.k_samples} is below max(min_k_samples, ceil(ln(1/ε)/δ)) = ${k0}`);
  if (!c.chunk_meta.chunks_path.startsWith(`${d.provider.path}/`)) throw invalid(`chunks_path ${c.chunk_meta.chunks_path} is not inside the provider's archive ${d.provider.path}`);

  const m = c.chunk_meta;
  const seed = auditSeed({ capsuleHash: c.capsule_hash, anchors: c.anchors, policyId: c.policy.policy_id, policyVersion: c.policy.policy_version, challengeNonce: nonce });
  const sample = sampleChunks(seed, m.num_chunks, d.k_samples);
  for (const i of sample) {
    const path = `${m.chunks_path}/${chunkFileName(i)}`;
    const bytes = await readOrReject(files, path, m.chunk_bytes, 'E081_DA_CHUNK_MISMATCH');
    must(bytes, 'E080_DA_CHUNK_UNAVAILABLE', `sampled chunk ${i} (${path}) is unavailable`);
    const r = rootOfChunk(k, bytes, m.chunk_len, m.row_width);
    must(!('error' in r), 'E081_DA_CHUNK_MISMATCH', `sampled chunk ${i} (${path}): ${'error' in r ? r.error : ''}`);
    must(equalDigests(r.root, roots.subarray(32 * i, 32 * i + 32)), 'E081_DA_CHUNK_MISMATCH', `sampled chunk ${i} (${path}) does not rebuild its chunk root`);
  }
  return `${nonce === undefined ? 'self' : 'challenge'}-audit ${sample.length}/${m.num_chunks} chunks`;
}
