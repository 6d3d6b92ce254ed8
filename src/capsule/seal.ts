/**
 * The producer pipeline (seed 000 "Producer pipeline" A–E): build the trace with an adapter, bind
 * trace spec, policy, anchors and the trace root into the statement, prove under its hash, check
 * the proof, archive the committed rows in chunks, and seal everything in a capsule (optionally
 * signed). Returns the capsule and the files of its directory, made lazily (chunks can be large).
 *
 * @module
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { AIRS } from '../airs/index.js';
import { parseInput } from '../airs/public-inputs.js';
import type { Backend, BackendKind } from '../backend/backend.js';
import type { Column } from '../field/columns.js';
import { equalDigests } from '../merkle/checks.js';
import type { Air } from '../stark/air.js';
import type { StarkProof } from '../stark/proof.js';
import type { StageTiming } from '../prover/prover.js';
import { sha256Hex } from '../hash/digest.js';
import { encodeProof, proofToJson } from '../stark/codec.js';
import { DEFAULT_OPTIONS, DEFAULT_SECURITY_BITS, securityBits, type ProofOptions } from '../stark/options.js';
import { prove } from '../prover/prover.js';
import { verifyProof } from '../stark/verifier.js';
import { jsonFileBytes } from '../json/file-json.js';
import type { Kernels } from '../wasm/kernels.js';
import { proofName, type AnyTraceAdapter, type TraceAdapter } from './adapter.js';
import { checkChunkLen, CHUNK_ROOTS_BIN, CHUNK_ROOTS_JSON, chunkFileName, CHUNKS_DIR, chunkRootsToJson, DEFAULT_CHUNK_LEN, encodeChunk, rootOfChunkRoots, ROW_INDEX_ARITY } from './archive.js';
import { signCapsuleHash, type KeyFile } from './authorship.js';
import { capsuleHash, CAPSULE_SCHEMA, optionsRecord, type BenchmarkBlock, type Capsule } from './capsule.js';
import { daSampleCount } from './da.js';
import { DEFAULT_POLICY_TEXT, parsePolicy, policyDa, policyHash, type Policy } from './policy.js';
import { jcsHash, MAX_ANCHORS, traceSpecFor, type Anchors, type StatementV1, type TraceSpecV1 } from './spec.js';

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

/** Everything fixed before proving: the trace, the AIR, the options, and the statement's parts but the root. */
export interface SealPlan {
  adapter: AnyTraceAdapter;
  trace: Column[];
  publicInputs: Record<string, unknown>;
  air: Air;
  /** The AIR's canonical public-input bytes (the transcript absorbs them). */
  publicInputBytes: Uint8Array;
  options: ProofOptions;
  /** Committed rows: 2^logN × blowup. */
  rows: number;
  chunkLen: number;
  traceSpec: TraceSpecV1;
  anchors: Anchors;
  /** The anchor keys the adapter derives from the input. */
  derivedAnchors: readonly string[];
  policy: Policy;
  policyBytes: Uint8Array;
  traceMs: number;
}

/** Builds the trace and checks the options, the chunk length and the anchors, before any proving. */
export function planSeal<Input>(s: Omit<SealInput<Input>, 'backend' | 'backendChoice' | 'key' | 'progress'>): SealPlan {
  const { adapter } = s;
  const policyBytes = s.policyBytes ?? new TextEncoder().encode(DEFAULT_POLICY_TEXT);
  const policy = parsePolicy(policyBytes);

  const t0 = performance.now();
  const input = parseInput(adapter.input, s.input, `${adapter.traceFormatId} input`);
  const { trace, publicInputs } = adapter.buildTrace(input);
  const traceMs = performance.now() - t0;
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

  const derived = adapter.anchors?.(input) ?? {};
  const plan: SealPlan = {
    adapter, trace, publicInputs, air, publicInputBytes: entry.encode(publicInputs), options, rows, chunkLen,
    traceSpec: traceSpecFor(adapter.traceFormatId, adapter.columns), anchors: derived, derivedAnchors: Object.keys(derived), policy, policyBytes, traceMs,
  };
  return withAnchors(plan, s.anchors ?? {});
}

/** The plan with the caller's anchors added to those its adapter derives from the input (never replacing one). */
export function withAnchors(plan: SealPlan, given: Anchors): SealPlan {
  const clash = Object.keys(given).find((key) => Object.hasOwn(plan.anchors, key));
  if (clash !== undefined)
    throw new RangeError(plan.derivedAnchors.includes(clash) ? `anchor ${clash} is derived from the input by ${plan.adapter.traceFormatId}; it cannot be given` : `anchor ${clash} is given twice`);
  const anchors: Anchors = { ...plan.anchors, ...given };
  const count = Object.keys(anchors).length;
  if (count > MAX_ANCHORS)
    throw new RangeError(`${count} anchors with the ${plan.derivedAnchors.length} ${plan.adapter.traceFormatId} derives from its input: at most ${MAX_ANCHORS}`);
  return { ...plan, anchors };
}

/** The statement a plan's proof is bound to, once the trace root is known. */
export const statementFor = (plan: SealPlan, root: Uint8Array): StatementV1 => ({
  statement_version: '1.0',
  trace_spec_hash: jcsHash(plan.traceSpec),
  policy_hash: policyHash(plan.policyBytes),
  trace_root: bytesToHex(root),
  public_inputs: plan.publicInputs,
  anchors: plan.anchors,
});

/** What a proof run established, for the capsule. */
export interface ProvedRun {
  proof: StarkProof;
  /** The trace tree's layer log2(chunkLen): the chunk roots. */
  chunkRoots: Uint8Array;
  prove_ms: number;
  verify_ms: number;
  stages: StageTiming[];
  backend: { requested: BackendKind; description: string };
}

/** A sealed capsule and its files but the row chunks (the caller picks which chunks to write). */
export interface SealedCapsule {
  capsule: Capsule;
  files: [string, Uint8Array][];
}

/**
 * Seals a plan's proof in a capsule: the proof files, the chunk roots (checked to rebuild the trace
 * root), the capsule (with a benchmark run's block when given) and, with a key, its signature.
 */
export function sealProved(k: Kernels, plan: SealPlan, run: ProvedRun, benchmark?: BenchmarkBlock, key?: KeyFile): SealedCapsule {
  const statement = statementFor(plan, run.proof.traceRoot);
  // The chunk roots are the trace tree's layer log2(chunkLen): each is the node above its chunk's rows.
  if (!equalDigests(rootOfChunkRoots(k, run.chunkRoots), run.proof.traceRoot)) throw new Error('internal: the chunk roots do not rebuild the trace root');
  const da = policyDa(plan.policy);
  const { adapter, air, rows, chunkLen } = plan;
  const bin = encodeProof(run.proof);
  const json = jsonFileBytes(proofToJson(run.proof));
  const paths = proofPaths(proofName(adapter.traceFormatId));
  const format = (path: string, bytes: Uint8Array) => ({ path, sha256_payload_hash: sha256Hex(bytes), size_bytes: bytes.length });
  const rootsBin = run.chunkRoots;
  const body = {
    schema: CAPSULE_SCHEMA,
    trace_spec: plan.traceSpec,
    trace_spec_hash: statement.trace_spec_hash,
    statement,
    statement_hash: jcsHash(statement),
    anchors: plan.anchors,
    policy: { policy_id: plan.policy.policy_id, policy_version: plan.policy.policy_version, policy_path: POLICY_FILE, policy_hash: statement.policy_hash },
    da_policy: {
      verification_level: da.verification_level,
      provider: { kind: 'local_archive' as const, path: ARCHIVE_DIR },
      delta: da.delta,
      epsilon: da.epsilon,
      min_k_samples: da.min_k_samples,
      k_samples: daSampleCount(da.delta, da.epsilon, da.min_k_samples),
    },
    chunk_meta: {
      chunk_len: chunkLen, num_chunks: rows / chunkLen, row_width: air.width,
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
      [proofName(adapter.traceFormatId)]: {
        trace_format_id: adapter.traceFormatId,
        air_id: air.id,
        formats: { bin: format(paths.bin, bin), json: format(paths.json, json) },
        row_archive: { path: ARCHIVE_DIR, commitment: statement.trace_root },
        stats: {
          prove_ms: run.prove_ms, verify_ms: run.verify_ms, proof_bytes: bin.length, security_bits: run.proof.securityBits,
          // A capsule's stage records are closed (time, where, why redone): generated-kernel ids stay in the prover's report.
          options: optionsRecord(plan.options), stages: run.stages.map(({ stage, ms, backend, note }) => ({ stage, ms, backend, ...(note !== undefined && { note }) })),
        },
        backend: run.backend,
      },
    },
    ...(benchmark ? { benchmark } : {}),
  };
  const hash = capsuleHash(body);
  const capsule: Capsule = { ...body, capsule_hash: hash, ...(key ? { authorship: signCapsuleHash(hash, key) } : {}) };
  return {
    capsule,
    files: [
      [POLICY_FILE, plan.policyBytes],
      [paths.bin, bin],
      [paths.json, json],
      [`${ARCHIVE_DIR}/${CHUNK_ROOTS_BIN}`, rootsBin],
      [`${ARCHIVE_DIR}/${CHUNK_ROOTS_JSON}`, jsonFileBytes(chunkRootsToJson(rootsBin))],
      [CAPSULE_FILE, jsonFileBytes(capsule)],
    ],
  };
}

/** The paths of a capsule's proof files, binary and JSON, named for the trace format (proofName). */
export const proofPaths = (name: string): { bin: string; json: string } => ({ bin: `proofs/${name}.proof.bin`, json: `proofs/${name}.proof.json` });

/** The path of chunk `index` in a capsule directory. */
export const chunkPath = (index: number): string => `${ARCHIVE_DIR}/${CHUNKS_DIR}/${chunkFileName(index)}`;

export async function sealCapsule<Input>(k: Kernels, s: SealInput<Input>): Promise<Sealed> {
  const say = s.progress ?? (() => {});
  const plan = planSeal(s);
  const { air, adapter } = plan;
  let statement: StatementV1 | undefined;
  const statementHash = (root: Uint8Array): Uint8Array => hexToBytes(jcsHash((statement = statementFor(plan, root))));

  say(`proving ${adapter.traceFormatId}: 2^${air.logN} rows × ${air.width} columns on ${s.backend.description}`);
  let t0 = performance.now();
  const proved = await prove(k, s.backend, {
    air, trace: plan.trace, statementHash, publicInputs: plan.publicInputBytes, options: plan.options, keepTrace: { layer: Math.log2(plan.chunkLen) },
  });
  const prove_ms = performance.now() - t0;
  if (statement === undefined || proved.trace?.lde === undefined) throw new Error('internal: the prover did not commit the trace');
  const traceLde = proved.trace.lde;

  t0 = performance.now();
  const verdict = verifyProof(k, air, proved.proof, hexToBytes(jcsHash(statement)), plan.publicInputBytes, { minSecurityBits: 0 });
  const verify_ms = performance.now() - t0;
  if (!verdict.ok) throw new Error(`internal: the fresh proof does not verify (${verdict.code}: ${verdict.message})`);

  say(`archiving ${plan.rows} committed rows in chunks of ${plan.chunkLen}`);
  const sealed = sealProved(k, plan, {
    proof: proved.proof, chunkRoots: proved.trace.layer, prove_ms, verify_ms, stages: proved.stages,
    backend: { requested: s.backendChoice, description: proved.backend },
  }, undefined, s.key);
  // The trace commitment: its LDE and Merkle tree (seed 002's commit_ms).
  const commit_ms = proved.stages.filter((st) => st.stage === 'trace lde' || st.stage === 'trace commit').reduce((a, st) => a + st.ms, 0);
  const numChunks = plan.rows / plan.chunkLen;

  function* files(): Generator<[string, Uint8Array]> {
    const last = sealed.files.length - 1; // capsule.json last, after everything it names
    yield* sealed.files.slice(0, last);
    for (let i = 0; i < numChunks; i++) yield [chunkPath(i), encodeChunk(traceLde, i, plan.chunkLen)];
    yield sealed.files[last]!;
  }
  return { capsule: sealed.capsule, files: { [Symbol.iterator]: files }, timing: { trace_ms: plan.traceMs, prove_ms, verify_ms, commit_ms } };
}
