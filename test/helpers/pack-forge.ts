// Forging a CapsuleBench pack the way a dishonest runner holding its own key could, on the pack's
// files held as a map (path below the pack root → bytes): re-chain an edited event log, reseal the
// capsule over edited files, or prove the workload again, honestly, under other anchors, policy,
// options or input, so that every capsule check passes and only the benchmark rules can catch it.
// test/helpers/capsulebench.ts applies these to pack folders on disk; test/conformance/packs.ts to
// the packs it makes in memory.
import { hexToBytes } from '@noble/hashes/utils.js';
import type { AnyTraceAdapter } from '../../src/capsule/adapter.js';
import { encodeChunk } from '../../src/capsule/archive.js';
import { signCapsuleHash, type KeyFile } from '../../src/capsule/authorship.js';
import { capsuleHash, CapsuleSchema, type BenchmarkBlock, type Capsule } from '../../src/capsule/capsule.js';
import { chunkPath, planSeal, sealProved, statementFor, withAnchors, type ProvedRun } from '../../src/capsule/seal.js';
import { jcsHash, type Anchors } from '../../src/capsule/spec.js';
import { eventLine, EVENTS_PATH, lineHash, type StreamEvent } from '../../src/capsulebench/events.js';
import { WORKLOADS } from '../../src/capsulebench/workloads.js';
import { sha256Hex } from '../../src/hash/digest.js';
import { jsonFileBytes } from '../../src/json/file-json.js';
import { createNodeCpuBackend } from '../../src/prover/node.js';
import { prove } from '../../src/prover/prover.js';
import type { ProofOptions } from '../../src/stark/options.js';
import type { Kernels } from '../../src/wasm/kernels.js';

export type PackMap = Map<string, Uint8Array>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const readJsonOf = (d: PackMap, path: string): Json => JSON.parse(text(d.get(path)!)) as Json;
export const writeJsonOf = (d: PackMap, path: string, v: unknown): void => void d.set(path, jsonFileBytes(v));

/** The events of a pack, parsed. */
export const eventsOf = (d: PackMap): StreamEvent[] => text(d.get(EVENTS_PATH)!).trimEnd().split('\n').map((l) => JSON.parse(l) as StreamEvent);

/** Writes the events back, re-chaining every prev_event_hash (an edit left in place, the chain made whole). */
export function rechain(d: PackMap, events: StreamEvent[]): void {
  let prev = '0'.repeat(64);
  const lines = events.map((e, i) => {
    const line = eventLine({ ...e, seq: i + 1, prev_event_hash: prev });
    prev = lineHash(line);
    return line;
  });
  d.set(EVENTS_PATH, new TextEncoder().encode(`${lines.join('\n')}\n`));
}

/** The chain head at the proof_artifact event of the pack's log. */
export function headOf(d: PackMap): string {
  const lines = text(d.get(EVENTS_PATH)!).trimEnd().split('\n');
  return lineHash(lines[lines.findIndex((l) => (JSON.parse(l) as StreamEvent).type === 'proof_artifact')]!);
}

export interface ResealOptions {
  key?: KeyFile;
  /** Replaces the benchmark block (undefined: none). */
  benchmark?: (b: BenchmarkBlock) => unknown;
}

/**
 * Reseals a pack's capsule after edits: the benchmark block takes the files' new hashes and chain
 * head, the capsule its new hash and (with `key`) a new signature; pack_meta follows.
 */
export function resealPack(d: PackMap, opts: ResealOptions = {}): Capsule {
  const c = readJsonOf(d, 'capsule.json') as Capsule;
  const block: BenchmarkBlock = {
    ...c.benchmark!, measurements_hash: sha256Hex(d.get('measurements/measurements.json')!), runner_log_hash: sha256Hex(d.get('logs/runner.log')!), events_chain_head: headOf(d),
  };
  const body: Record<string, unknown> = { ...c, benchmark: opts.benchmark ? opts.benchmark(block) : block };
  if (body['benchmark'] === undefined) delete body['benchmark'];
  delete body['authorship'];
  const hash = capsuleHash(body);
  const sealed = { ...body, capsule_hash: hash, ...(opts.key ? { authorship: signCapsuleHash(hash, opts.key) } : {}) } as Capsule;
  writeJsonOf(d, 'capsule.json', sealed);
  writeJsonOf(d, 'pack_meta.json', { ...readJsonOf(d, 'pack_meta.json'), capsule_hash_hex: hash, statement_hash_hex: sealed.statement_hash, policy_hash_hex: sealed.policy.policy_hash });
  return sealed;
}

export interface Reprove {
  /** Another policy file (the capsule's policy.json). */
  policyBytes?: Uint8Array;
  /** Edits the anchors the new statement binds. */
  anchors?: (a: Anchors) => Anchors;
  /** Another adapter input (default: the workload's generated input at the capsule's size). */
  input?: unknown;
  /** Other STARK options (default: the policy's). */
  options?: ProofOptions;
  /** Another adapter (a dishonest runner's: one that derives other anchors from the input). */
  adapter?: AnyTraceAdapter;
  /** Another backend record for the capsule (default: the old capsule's). */
  backend?: ProvedRun['backend'];
}

/**
 * Proves the pack's workload again, honestly, under edited anchors, policy, options or input, and
 * reseals it with its row chunks: every capsule check passes (the STARK is valid for the new
 * statement); only the benchmark rules can tell. The event log is left as it was.
 */
export async function reprovePack(k: Kernels, d: PackMap, r: Reprove): Promise<Capsule> {
  const old = CapsuleSchema.parse(readJsonOf(d, 'capsule.json'));
  const w = WORKLOADS.get(old.anchors['workload_id'] ?? 'geom_walk_v1')!;
  const policyBytes = r.policyBytes ?? d.get('policy.json')!;
  const log2Rows = Math.log2(old.chunk_meta.total_rows / Object.values(old.proofs)[0]!.stats.options.blowup);
  const policy = JSON.parse(text(policyBytes)) as { suite?: { suite_seed_hex?: string }; proof_options?: { blowup: 4 | 8 | 16; queries: number; grinding_bits: number; folding_factor: 2 | 4 } };
  const input = r.input ?? w.input({ suiteSeedHex: policy.suite?.suite_seed_hex ?? '00'.repeat(32), workloadId: w.id, log2Rows });
  const po = policy.proof_options;
  const options = r.options ?? (po ? { blowup: po.blowup, queries: po.queries, grindingBits: po.grinding_bits, foldingFactor: po.folding_factor } : undefined);
  const bare = planSeal({ adapter: r.adapter ?? w.adapter, input, policyBytes, ...(options ? { options } : {}) });
  const kept = Object.fromEntries(Object.entries(old.anchors).filter(([key]) => !bare.derivedAnchors.includes(key)));
  const plan = withAnchors(bare, r.anchors ? r.anchors(kept) : kept);
  const backend = await createNodeCpuBackend({ threads: 1 });
  try {
    const proved = await prove(k, backend, {
      air: plan.air, trace: plan.trace, publicInputs: plan.publicInputBytes, options: plan.options,
      statementHash: (root) => hexToBytes(jcsHash(statementFor(plan, root))), keepTrace: { layer: Math.log2(plan.chunkLen) },
    });
    const entry = Object.values(old.proofs)[0]!;
    const sealed = sealProved(k, plan, {
      proof: proved.proof, chunkRoots: proved.trace!.layer, prove_ms: entry.stats.prove_ms, verify_ms: entry.stats.verify_ms, stages: entry.stats.stages, backend: r.backend ?? entry.backend,
    }, old.benchmark);
    for (const [path, bytes] of sealed.files) d.set(path, bytes);
    for (const path of [...d.keys()]) if (path.startsWith('row_archive/chunks/')) d.delete(path);
    const chunks = sealed.capsule.chunk_meta.num_chunks;
    for (let i = 0; i < chunks; i++) d.set(chunkPath(i), encodeChunk(proved.trace!.lde!, i, plan.chunkLen));
    // Another policy is not the shipped registry's leaf: its inclusion proof goes.
    if (r.policyBytes) d.delete('policy_inclusion_proof.json');
    const meta = readJsonOf(d, 'pack_meta.json');
    writeJsonOf(d, 'pack_meta.json', {
      ...meta, capsule_hash_hex: sealed.capsule.capsule_hash, statement_hash_hex: sealed.capsule.statement_hash, policy_hash_hex: sealed.capsule.policy.policy_hash,
      row_archive: { ...meta['row_archive'], chunks_included: chunks, num_chunks: chunks, mode: 'full' },
      contents: { ...meta['contents'], ...(r.policyBytes ? { policy_inclusion_proof: null } : {}) },
    });
    return sealed.capsule;
  } finally {
    await backend.destroy();
  }
}
