// CapsuleBench packs for the tests: make one with the real runner and Node host (CPU, one thread,
// small sizes), copy it, and forge variants the way a dishonest runner could: edit a file and
// reseal the capsule (new hashes, the capsule hash, optionally a new signature), re-chain the event
// log after an edit, or prove again honestly under other anchors, policy or input so that every
// capsule check passes and only the benchmark rules can catch the change.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll } from 'vitest';
import { createNodeCpuBackend } from '../../src/prover/node.js';
import type { AnyTraceAdapter } from '../../src/capsule/adapter.js';
import type { KeyFile } from '../../src/capsule/authorship.js';
import { capsuleHash, CapsuleSchema, type BenchmarkBlock, type Capsule } from '../../src/capsule/capsule.js';
import { chunkPath, planSeal, sealProved, statementFor, withAnchors } from '../../src/capsule/seal.js';
import { signCapsuleHash } from '../../src/capsule/authorship.js';
import { encodeChunk } from '../../src/capsule/archive.js';
import { jcsHash, type Anchors } from '../../src/capsule/spec.js';
import { eventLine, lineHash, type StreamEvent } from '../../src/capsulebench/events.js';
import { openNodeHost } from '../../src/capsulebench/host-node.js';
import { packFolderFiles } from '../../src/capsulebench/pack-node.js';
import { runBenchmark, type RunRequest } from '../../src/capsulebench/runner.js';
import { WORKLOADS } from '../../src/capsulebench/workloads.js';
import { verifyPack, type PackReport, type VerifyPackOptions } from '../../src/capsulebench/contract.js';
import { sha256Hex } from '../../src/hash/digest.js';
import { jsonFileBytes } from '../../src/json/file-json.js';
import type { ProofOptions } from '../../src/stark/options.js';
import { prove } from '../../src/prover/prover.js';
import { Kernels } from '../../src/wasm/kernels.js';

/** Every folder tempDir made in this test file, removed after its last test (a server's data folder is tens of MB). */
const made: string[] = [];
// Registered when a test file imports this module, before the file's own hooks, so it runs after them
// (after* hooks run as a stack): the file's servers and hosts are closed by then.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export const tempDir = (prefix = 'capsulebench-test-'): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** A pack made by the runner on the CPU (one thread) into `outDir`; returns its capsulepack/ folder. */
export async function makePack(outDir: string, req: Partial<RunRequest> = {}, policyBytes?: Uint8Array): Promise<string> {
  const { host, close } = await openNodeHost({ backend: req.backend ?? 'cpu', threads: 1, outDir, notice: () => {}, progress: () => {} });
  try {
    const full: RunRequest = { workloadId: 'geom_walk_v1', log2Rows: 10, trackId: 'baseline_no_accel', backend: 'cpu', ...req };
    await (policyBytes ? runBenchmark(host, full, policyBytes) : runBenchmark(host, full));
  } finally {
    await close();
  }
  return join(outDir, 'capsulepack');
}

/** A fresh copy of a pack folder. */
export function copyPack(src: string): string {
  const dir = join(tempDir(), 'capsulepack');
  cpSync(src, dir, { recursive: true });
  return dir;
}

export const readText = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');
export const readJson = (dir: string, path: string): Record<string, any> => JSON.parse(readText(dir, path)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export const writeJson = (dir: string, path: string, v: unknown): void => writeFileSync(join(dir, path), jsonFileBytes(v));
export const fileHash = (dir: string, path: string): string => sha256Hex(readFileSync(join(dir, path)));

export async function verifyDir(dir: string, opts: VerifyPackOptions = {}): Promise<PackReport> {
  return verifyPack(await Kernels.load(), packFolderFiles(dir), opts);
}

/** The events of a pack folder, parsed. */
export const readEvents = (dir: string): StreamEvent[] =>
  readText(dir, 'events/events.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as StreamEvent);

/** Writes the events back, re-chaining every prev_event_hash (an edit left in place, the chain made whole). */
export function writeEvents(dir: string, events: StreamEvent[]): void {
  let prev = '0'.repeat(64);
  const lines = events.map((e, i) => {
    const line = eventLine({ ...e, seq: i + 1, prev_event_hash: prev });
    prev = lineHash(line);
    return line;
  });
  writeFileSync(join(dir, 'events/events.jsonl'), `${lines.join('\n')}\n`);
}

/** The chain head at the proof_artifact event of the log on disk. */
export function chainHead(dir: string): string {
  const lines = readText(dir, 'events/events.jsonl').trimEnd().split('\n');
  const at = lines.findIndex((l) => (JSON.parse(l) as StreamEvent).type === 'proof_artifact');
  return lineHash(lines[at]!);
}

/**
 * Reseals a pack's capsule after edits: the benchmark block takes the files' new hashes and chain
 * head, the capsule its new hash and (with `key`) a new signature; pack_meta follows. What a
 * dishonest runner holding its own key could do after the run.
 */
export function reseal(dir: string, opts: { key?: KeyFile; benchmark?: (b: BenchmarkBlock) => unknown } = {}): Capsule {
  const c = readJson(dir, 'capsule.json') as Capsule;
  const block: BenchmarkBlock = {
    ...c.benchmark!, measurements_hash: fileHash(dir, 'measurements/measurements.json'), runner_log_hash: fileHash(dir, 'logs/runner.log'), events_chain_head: chainHead(dir),
  };
  const body: Record<string, unknown> = { ...c, benchmark: opts.benchmark ? opts.benchmark(block) : block };
  if (body['benchmark'] === undefined) delete body['benchmark'];
  delete body['authorship'];
  const hash = capsuleHash(body);
  const sealed = { ...body, capsule_hash: hash, ...(opts.key ? { authorship: signCapsuleHash(hash, opts.key) } : {}) } as Capsule;
  writeJson(dir, 'capsule.json', sealed);
  const meta = readJson(dir, 'pack_meta.json');
  writeJson(dir, 'pack_meta.json', { ...meta, capsule_hash_hex: hash, statement_hash_hex: sealed.statement_hash, policy_hash_hex: sealed.policy.policy_hash });
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
}

/**
 * Proves the pack's workload again, honestly, under edited anchors, policy or input, and reseals it:
 * every capsule check passes (the STARK is valid for the new statement); only the benchmark rules
 * can tell. The event log is left as it was (its head no longer matches: later checks say so).
 */
export async function reprove(dir: string, r: Reprove): Promise<Capsule> {
  const k = await Kernels.load();
  const old = CapsuleSchema.parse(readJson(dir, 'capsule.json'));
  const w = WORKLOADS.get(old.anchors['workload_id'] ?? 'geom_walk_v1')!;
  const policyBytes = r.policyBytes ?? new Uint8Array(readFileSync(join(dir, 'policy.json')));
  const log2Rows = Math.log2(old.chunk_meta.total_rows / Object.values(old.proofs)[0]!.stats.options.blowup);
  const seedHex = (JSON.parse(new TextDecoder().decode(policyBytes)) as { suite?: { suite_seed_hex?: string } }).suite?.suite_seed_hex ?? '00'.repeat(32);
  const input = r.input ?? w.input({ suiteSeedHex: seedHex, workloadId: w.id, log2Rows });
  const policy = JSON.parse(new TextDecoder().decode(policyBytes)) as { proof_options?: { blowup: 4 | 8 | 16; queries: number; grinding_bits: number; folding_factor: 2 | 4 } };
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
      proof: proved.proof, chunkRoots: proved.trace!.layer, prove_ms: entry.stats.prove_ms, verify_ms: entry.stats.verify_ms, stages: entry.stats.stages, backend: entry.backend,
    }, old.benchmark);
    for (const [path, bytes] of sealed.files) writeFileSync(join(dir, path), bytes);
    for (const name of readdirSync(join(dir, 'row_archive/chunks'))) rmSync(join(dir, 'row_archive/chunks', name));
    for (let i = 0; i < sealed.capsule.chunk_meta.num_chunks; i++) writeFileSync(join(dir, chunkPath(i)), encodeChunk(proved.trace!.lde!, i, plan.chunkLen));
    const meta = readJson(dir, 'pack_meta.json');
    // Another policy is not the shipped registry's leaf: its inclusion proof goes.
    if (r.policyBytes) rmSync(join(dir, 'policy_inclusion_proof.json'), { force: true });
    writeJson(dir, 'pack_meta.json', {
      ...meta, capsule_hash_hex: sealed.capsule.capsule_hash, statement_hash_hex: sealed.capsule.statement_hash, policy_hash_hex: sealed.capsule.policy.policy_hash,
      row_archive: { ...meta['row_archive'], chunks_included: sealed.capsule.chunk_meta.num_chunks, num_chunks: sealed.capsule.chunk_meta.num_chunks, mode: 'full' },
      contents: { ...meta['contents'], ...(r.policyBytes ? { policy_inclusion_proof: null } : {}) },
    });
    return sealed.capsule;
  } finally {
    await backend.destroy();
  }
}
