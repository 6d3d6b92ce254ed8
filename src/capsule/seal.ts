// The producer pipeline (seed 000 "Producer pipeline" A–E): build the trace with an adapter, bind
// trace spec, policy, anchors and the trace root into the statement, prove under its hash, check
// the proof, archive the committed rows in chunks, and seal everything in a capsule (optionally
// signed). Returns the capsule and the files of its directory, made lazily (chunks can be large).
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { AIRS } from '../airs/index.js';
import { parseInput } from '../airs/public-inputs.js';
import type { Backend, BackendKind } from '../backend/backend.js';
import { sha256Hex } from '../hash/digest.js';
import { encodeProof, proofToJson } from '../stark/codec.js';
import { DEFAULT_OPTIONS, DEFAULT_SECURITY_BITS, securityBits, type ProofOptions } from '../stark/options.js';
import { prove } from '../stark/prover.js';
import { verifyProof } from '../stark/verifier.js';
import type { Kernels } from '../wasm/kernels.js';
import { proofName, type TraceAdapter } from './adapter.js';
import { checkChunkLen, CHUNK_ROOTS_BIN, CHUNK_ROOTS_JSON, chunkFileName, CHUNKS_DIR, chunkRootsToJson, DEFAULT_CHUNK_LEN, encodeChunk, rootOfChunkRoots, ROW_INDEX_ARITY } from './archive.js';
import { signCapsuleHash, type KeyFile } from './authorship.js';
import { capsuleHash, CAPSULE_SCHEMA, optionsRecord, type Capsule } from './capsule.js';
import { daSampleCount } from './da.js';
import { DEFAULT_POLICY_TEXT, parsePolicy, policyDa, policyHash } from './policy.js';
import { jcsHash, MAX_ANCHORS, traceSpecFor, type Anchors, type StatementV1 } from './spec.js';

export const CAPSULE_FILE = 'capsule.json';
export const POLICY_FILE = 'policy.json';
export const ARCHIVE_DIR = 'row_archive';

export interface SealInput<Input> {
  adapter: TraceAdapter<Input>;
  /** The adapter's input (validated here with its schema). */
  input: unknown;
  backend: Backend;
  /** What the user asked for (--backend), recorded with the backend's description. */
  backendChoice: BackendKind;
  /** The policy file's bytes; the built-in DEFAULT_POLICY_TEXT when absent. */
  policyBytes?: Uint8Array;
  anchors?: Anchors;
  /** Rows per archive chunk (power of two); DEFAULT_CHUNK_LEN capped at the committed rows when absent. */
  chunkLen?: number;
  key?: KeyFile;
  options?: ProofOptions;
  progress?: (message: string) => void;
}

export interface Sealed {
  capsule: Capsule;
  /** The capsule directory's files as [relative path, bytes], made on iteration. */
  files: Iterable<[string, Uint8Array]>;
  timing: { trace_ms: number; prove_ms: number; verify_ms: number; commit_ms: number };
}

/**
 * Options tried in order when the caller names none: the default, then blowup 16, whose larger
 * query domain lets short traces (a few rows have few distinct queries) reach the policy's floor.
 */
const SEAL_OPTIONS: readonly ProofOptions[] = [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, blowup: 16 }];

const encodeJson = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

export async function sealCapsule<Input>(k: Kernels, s: SealInput<Input>): Promise<Sealed> {
  const say = s.progress ?? (() => {});
  const { adapter } = s;
  const policyBytes = s.policyBytes ?? new TextEncoder().encode(DEFAULT_POLICY_TEXT);
  const policy = parsePolicy(policyBytes);
  const da = policyDa(policy);

  let t0 = performance.now();
  const input = parseInput(adapter.input, s.input, `${adapter.traceFormatId} input`);
  const { trace, publicInputs } = adapter.buildTrace(input);
  const trace_ms = performance.now() - t0;
  const entry = AIRS[adapter.airId];
  const air = entry.air(publicInputs);
  // Options the caller names must meet the policy's floor; chosen ones also a default verifier's.
  const policyFloor = policy.min_security_bits ?? 0;
  const floor = s.options ? policyFloor : Math.max(policyFloor, DEFAULT_SECURITY_BITS);
  const options = s.options ?? SEAL_OPTIONS.find((o) => securityBits(air.logN, o) >= floor) ?? DEFAULT_OPTIONS;
  if (securityBits(air.logN, options) < floor)
    throw new RangeError(`a 2^${air.logN}-row trace reaches ${securityBits(air.logN, options)} bits with these options, below ${
      floor === policyFloor ? "the policy's min_security_bits" : "a verifier's default floor of"} ${floor}`);
  const rows = 2 ** air.logN * options.blowup;
  const chunkLen = s.chunkLen ?? Math.min(DEFAULT_CHUNK_LEN, rows);
  checkChunkLen(chunkLen, rows);

  const traceSpec = traceSpecFor(adapter.traceFormatId, adapter.columns);
  const derived = adapter.anchors?.(input) ?? {};
  const clash = Object.keys(s.anchors ?? {}).find((key) => Object.hasOwn(derived, key));
  if (clash !== undefined) throw new RangeError(`anchor ${clash} is derived from the input by ${adapter.traceFormatId}; it cannot be given`);
  const anchors: Anchors = { ...derived, ...s.anchors };
  const count = Object.keys(anchors).length;
  if (count > MAX_ANCHORS)
    throw new RangeError(`${count} anchors with the ${Object.keys(derived).length} ${adapter.traceFormatId} derives from its input: at most ${MAX_ANCHORS}`);
  let statement: StatementV1 | undefined;
  const statementHash = (root: Uint8Array): Uint8Array => {
    statement = {
      statement_version: '1.0',
      trace_spec_hash: jcsHash(traceSpec),
      policy_hash: policyHash(policyBytes),
      trace_root: bytesToHex(root),
      public_inputs: publicInputs,
      anchors,
    };
    return hexToBytes(jcsHash(statement));
  };

  say(`proving ${adapter.traceFormatId}: 2^${air.logN} rows × ${air.width} columns on ${s.backend.description}`);
  t0 = performance.now();
  const proved = await prove(k, s.backend, { air, trace, statementHash, publicInputs: entry.encode(publicInputs), options, keepTrace: { layer: Math.log2(chunkLen) } });
  const prove_ms = performance.now() - t0;
  const { proof } = proved;
  if (statement === undefined || proved.trace === undefined) throw new Error('internal: the prover did not commit the trace');
  const traceLde = proved.trace.lde;

  t0 = performance.now();
  const verdict = verifyProof(k, air, proof, hexToBytes(jcsHash(statement)), entry.encode(publicInputs), { minSecurityBits: 0 });
  const verify_ms = performance.now() - t0;
  if (!verdict.ok) throw new Error(`internal: the fresh proof does not verify (${verdict.code}: ${verdict.message})`);

  say(`archiving ${rows} committed rows in chunks of ${chunkLen}`);
  // The chunk roots are the trace tree's layer log2(chunkLen): each is the node above its chunk's rows.
  const archive = { roots: proved.trace.layer, root: rootOfChunkRoots(k, proved.trace.layer) };
  if (bytesToHex(archive.root) !== statement.trace_root) throw new Error('internal: the chunk roots do not rebuild the trace root');
  const numChunks = rows / chunkLen;

  const bin = encodeProof(proof);
  const json = encodeJson(proofToJson(proof));
  const name = proofName(adapter);
  const format = (path: string, bytes: Uint8Array) => ({ path, sha256_payload_hash: sha256Hex(bytes), size_bytes: bytes.length });
  const rootsBin = archive.roots;
  const rootsJson = encodeJson(chunkRootsToJson(rootsBin));
  // The trace commitment: its LDE and Merkle tree (seed 002's commit_ms).
  const commit_ms = proved.stages.filter((st) => st.stage === 'trace lde' || st.stage === 'trace commit').reduce((a, st) => a + st.ms, 0);

  const body = {
    schema: CAPSULE_SCHEMA,
    trace_spec: traceSpec,
    trace_spec_hash: statement.trace_spec_hash,
    statement,
    statement_hash: jcsHash(statement),
    anchors,
    policy: { policy_id: policy.policy_id, policy_version: policy.policy_version, policy_path: POLICY_FILE, policy_hash: statement.policy_hash },
    da_policy: {
      verification_level: da.verification_level,
      provider: { kind: 'local_archive' as const, path: ARCHIVE_DIR },
      delta: da.delta,
      epsilon: da.epsilon,
      min_k_samples: da.min_k_samples,
      k_samples: daSampleCount(da.delta, da.epsilon, da.min_k_samples),
    },
    chunk_meta: {
      chunk_len: chunkLen, num_chunks: numChunks, row_width: air.width,
      chunk_bytes: chunkLen * air.width * 8, total_rows: rows, chunks_path: `${ARCHIVE_DIR}/${CHUNKS_DIR}`,
    },
    row_index_ref: {
      commitment: statement.trace_root,
      arity: ROW_INDEX_ARITY,
      chunk_roots_bin: `${ARCHIVE_DIR}/${CHUNK_ROOTS_BIN}`,
      chunk_roots_json: `${ARCHIVE_DIR}/${CHUNK_ROOTS_JSON}`,
      chunk_roots_digest: sha256Hex(rootsBin),
    },
    proofs: {
      [name]: {
        trace_format_id: adapter.traceFormatId,
        air_id: air.id,
        formats: { bin: format(`proofs/${name}.proof.bin`, bin), json: format(`proofs/${name}.proof.json`, json) },
        row_archive: { path: ARCHIVE_DIR, commitment: statement.trace_root },
        stats: { prove_ms, verify_ms, proof_bytes: bin.length, security_bits: proof.securityBits, options: optionsRecord(options), stages: proved.stages },
        backend: { requested: s.backendChoice, description: proved.backend },
      },
    },
  };
  const hash = capsuleHash(body);
  const capsule: Capsule = { ...body, capsule_hash: hash, ...(s.key ? { authorship: signCapsuleHash(hash, s.key) } : {}) };

  function* files(): Generator<[string, Uint8Array]> {
    yield [POLICY_FILE, policyBytes];
    yield [`proofs/${name}.proof.bin`, bin];
    yield [`proofs/${name}.proof.json`, json];
    yield [`${ARCHIVE_DIR}/${CHUNK_ROOTS_BIN}`, rootsBin];
    yield [`${ARCHIVE_DIR}/${CHUNK_ROOTS_JSON}`, rootsJson];
    for (let i = 0; i < numChunks; i++) yield [`${ARCHIVE_DIR}/${CHUNKS_DIR}/${chunkFileName(i)}`, encodeChunk(traceLde, i, chunkLen)];
    yield [CAPSULE_FILE, encodeJson(capsule)];
  }
  return { capsule, files: { [Symbol.iterator]: files }, timing: { trace_ms, prove_ms, verify_ms, commit_ms } };
}
