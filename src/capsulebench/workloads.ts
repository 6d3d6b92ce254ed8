/**
 * CapsuleBench workloads (README.md "CapsuleBench"): a workload is a trace adapter, a deterministic
 * input generator from (suite seed, workload id, size) and a check that a statement's public inputs
 * are the result of that input. Anyone holding the policy regenerates the input, so the
 * workload_input_hash anchor and the proved statement are checked, not trusted. A new workload is
 * one entry in WORKLOADS and one in a new workload registry file (./data/: registries are pinned by
 * hash, so a new workload comes with a new registry, a new policy naming it and a new leaf of the
 * policy registry, as workloads_v2.json, bef_benchmark_policy_v2.json and policy_registry.json did).
 *
 * Generation (all SHA-256, lowercase hex where text):
 *   seed     = SHA-256(JCS({domain: "capsulebench_workload_input_v1", suite_seed_hex, workload_id, params: {log2_rows}}))
 *   block(j) = SHA-256(seed ‖ u64 LE j), j = 0, 1, …: the stream each generator reads in order.
 *   geom_walk_input_v1: {steps: 2^log2_rows, initial: [[m11, m12], [m21, m22]]}, the four entries the
 *     first four 8-byte little-endian words of the stream that are below p (as decimal strings).
 *   fib_input_v1: {steps: 2^log2_rows} (the suite seed does not enter).
 *   agent_log_input_v1: 2^log2_rows actions; action i reads blocks 4i … 4i+3: instruction_hash,
 *     input_hash, output_hash = hex of blocks 4i, 4i+1, 4i+2; with c = block 4i+3:
 *     action_type = AGENT_TYPES[c[0] mod 4], success = (c[1] mod 8 ≠ 0),
 *     gate_decision = ["allow", "skip", null][c[2] mod 3], gate_score = c[3] mod 5 = 4 ? null : (c[3] mod 5)/4,
 *     policy_verdict = ["ok", "flagged", null][c[4] mod 3].
 *   keccak_stream_input_v1: {steps: 2^log2_rows, seed: hex of the workload seed, rounds: 4, message_bytes:
 *     136·⌊⌊(2^log2_rows − 1)/24⌋/4⌋ − 1}: the chain of keccak_chain_v1 (src/airs/keccak-chain.ts), each
 *     round's message as many whole blocks as a quarter of the trace's permutations hold (its padding,
 *     0x81, the last byte of the last block).
 *   merkle_build_open_input_v1: {steps, seed: hex of the workload seed, depth: k, openings}: k the largest
 *     depth up to 20 whose 2^(k+1) − 1 permutations fit (24·(2^(k+1) − 1) < 2^log2_rows); 2^(k−1)
 *     openings (one for k = 1, at most 4,096), opening q = (u32 LE of block(q)'s first 4 bytes) mod 2^k
 *     (keccakMerkleShape); the tree and its
 *     leaves are those of keccak_merkle_v1 (src/airs/keccak-merkle.ts).
 *   mem_stream_branch_input_v1: {steps, scalar, b, c, t}: with w_j the u32 LE word j of the stream
 *     (word j is bytes 4(j mod 8) … of block ⌊j/8⌋): scalar = 1 + (w_0 mod (2^15 − 1)); for row i,
 *     b_i = w_(1+3i) >> 2, c_i = w_(2+3i) mod 2^15, t_i = w_(3+3i) >> 1. These ranges keep
 *     a = b + scalar·c (< 2^31) and the threshold t (< 2^31) comparable, so the thresholding branches
 *     both ways (mem_stream_v1 itself takes any u32 b, c, t and a 16-bit scalar).
 * workload_input_hash = SHA-256 of the input's RFC 8785 JSON (for agent_log_v1, the action array's).
 *
 * @module
 */
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import {
  AGENT_V1_ADAPTER, FIB_ADAPTER, GEOM_ADAPTER, KECCAK_CHAIN_ADAPTER, KECCAK_MERKLE_ADAPTER, MEM_STREAM_ADAPTER, type AnyTraceAdapter,
} from '../capsule/adapter.js';
import { keccakChainMessageBytes, keccakMerkleShape, memStreamChecksum } from '../airs/index.js';
import { jcsArrayHash, jcsHash } from '../capsule/spec.js';
import * as F from '../field/goldilocks.js';
import { sha256 } from '../hash/digest.js';
import { receiptHash, ZERO_HASH, type AgentAction } from '../airs/agent.js';

/** What an input is generated from. */
export interface WorkloadSeed {
  suiteSeedHex: string;
  workloadId: string;
  log2Rows: number;
}

export interface Workload {
  readonly id: string;
  readonly adapter: AnyTraceAdapter;
  /** The adapter's input for `seed`. */
  input(seed: WorkloadSeed): unknown;
  /** workload_input_hash of input(seed), computed without holding a large input whole. */
  inputHash(seed: WorkloadSeed): string;
  /** Why a statement's public inputs are not the result of input(seed); undefined when they are. */
  checkResult(seed: WorkloadSeed, publicInputs: Record<string, unknown>): string | undefined;
  /** The anchors the adapter derives from the input, given its workload_input_hash (so no second pass over it). */
  derivedAnchors(inputHash: string): Record<string, string>;
}

/** The 32-byte seed of a workload's input. */
export function workloadSeed(s: WorkloadSeed): Uint8Array {
  return hexToBytes(jcsHash({ domain: 'capsulebench_workload_input_v1', suite_seed_hex: s.suiteSeedHex, workload_id: s.workloadId, params: { log2_rows: s.log2Rows } }));
}

/** block(j) = SHA-256(seed ‖ u64 LE j). */
function block(seed: Uint8Array, j: number): Uint8Array {
  const msg = new Uint8Array(seed.length + 8);
  msg.set(seed);
  new DataView(msg.buffer).setBigUint64(seed.length, BigInt(j), true);
  return sha256(msg);
}

/** The first `count` 8-byte LE words of the stream below p, as field elements. */
function fieldElements(seed: Uint8Array, count: number): bigint[] {
  const out: bigint[] = [];
  for (let j = 0; out.length < count; j++) {
    const b = block(seed, j), view = new DataView(b.buffer, b.byteOffset, b.length);
    for (let w = 0; w < 4 && out.length < count; w++) {
      const x = view.getBigUint64(8 * w, true);
      if (x < F.P) out.push(x);
    }
  }
  return out;
}

const steps = (s: WorkloadSeed): number => 2 ** s.log2Rows;

/** Where `got` differs from `want` (field by field), or undefined. */
function differs(got: Record<string, unknown>, want: Record<string, unknown>): string | undefined {
  // By JSON text, so array members (merkle_build_open_v1's openings) compare by value; long ones are cut in the message.
  const text = (v: unknown): string | undefined => JSON.stringify(v)?.slice(0, 200);
  const key = Object.keys(want).find((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]));
  return key === undefined ? undefined : `public input ${key} is ${text(got[key])}, the generated input gives ${text(want[key])}`;
}

const geomInput = (s: WorkloadSeed) => {
  const [a, b, c, d] = fieldElements(workloadSeed(s), 4).map(String) as [string, string, string, string];
  return { steps: steps(s), initial: [[a, b], [c, d]] as [[string, string], [string, string]] };
};

const GEOM_WALK: Workload = {
  id: 'geom_walk_v1',
  adapter: GEOM_ADAPTER,
  input: geomInput,
  inputHash: (s) => jcsHash(geomInput(s)),
  derivedAnchors: () => ({}),
  checkResult(s, pi) {
    const { steps: n, initial: [[m11, m12], [m21, m22]] } = geomInput(s);
    // The AIR binds the final matrix and accumulator to these through its boundary constraints.
    return differs(pi, { steps: n, initial_m11: m11, initial_m12: m12, initial_m21: m21, initial_m22: m22 });
  },
};

const FIB: Workload = {
  id: 'fib_v1',
  adapter: FIB_ADAPTER,
  input: (s) => ({ steps: steps(s) }),
  inputHash: (s) => jcsHash({ steps: steps(s) }),
  derivedAnchors: () => ({}),
  checkResult: (s, pi) => differs(pi, { steps: steps(s) }),
};

export const AGENT_TYPES = ['tool_call', 'code_gen', 'search', 'reply'] as const;

/** The generated action log, one action at a time. */
export function* agentActions(s: WorkloadSeed): Generator<AgentAction> {
  const seed = workloadSeed(s);
  for (let i = 0; i < steps(s); i++) {
    const c = block(seed, 4 * i + 3);
    yield {
      action_type: AGENT_TYPES[c[0]! % 4]!,
      instruction_hash: bytesToHex(block(seed, 4 * i)),
      input_hash: bytesToHex(block(seed, 4 * i + 1)),
      output_hash: bytesToHex(block(seed, 4 * i + 2)),
      success: c[1]! % 8 !== 0,
      gate_decision: (['allow', 'skip', null] as const)[c[2]! % 3]!,
      gate_score: c[3]! % 5 === 4 ? null : (c[3]! % 5) / 4,
      policy_verdict: (['ok', 'flagged', null] as const)[c[4]! % 3]!,
    };
  }
}

const AGENT_LOG: Workload = {
  id: 'agent_log_v1',
  // AGENT_AIR_V1, as the workload registry that Benchmark Policy v1 pins by hash says; its count and
  // final receipt are checked against the regenerated log below, not taken from the proof.
  adapter: AGENT_V1_ADAPTER,
  input: (s) => [...agentActions(s)],
  inputHash: (s) => jcsArrayHash(agentActions(s)),
  // The adapter's action_log_hash is the JCS hash of the log: the input hash itself.
  derivedAnchors: (inputHash) => ({ action_log_hash: inputHash }),
  checkResult(s, pi) {
    let receipt = ZERO_HASH, i = 0;
    for (const a of agentActions(s)) receipt = receiptHash(a, i++, receipt);
    return differs(pi, { action_count: steps(s), final_receipt_hash: receipt });
  },
};

/** A workload whose input is a small object from the seed, its public inputs that object plus what the AIR binds. */
function objectWorkload<I extends Record<string, unknown>>(id: string, adapter: AnyTraceAdapter, input: (s: WorkloadSeed) => I): Workload {
  return {
    id, adapter, input,
    inputHash: (s) => jcsHash(input(s)),
    derivedAnchors: () => ({}),
    checkResult: (s, pi) => differs(pi, input(s)),
  };
}

const KECCAK_STREAM_ROUNDS = 4;
const KECCAK_STREAM = objectWorkload('keccak_stream_v1', KECCAK_CHAIN_ADAPTER, (s) => ({
  steps: steps(s), seed: bytesToHex(workloadSeed(s)), rounds: KECCAK_STREAM_ROUNDS, message_bytes: keccakChainMessageBytes(steps(s), KECCAK_STREAM_ROUNDS),
}));

const MERKLE_BUILD_OPEN = objectWorkload('merkle_build_open_v1', KECCAK_MERKLE_ADAPTER, (s) => {
  const seed = workloadSeed(s), { depth, openings } = keccakMerkleShape(steps(s));
  const indices = Array.from({ length: openings }, (_, q) => {
    const b = block(seed, q);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) % 2 ** depth;
  });
  return { steps: steps(s), seed: bytesToHex(seed), depth, openings: indices };
});

/** mem_stream_branch_input_v1's arrays (module comment). */
function memStreamInput(s: WorkloadSeed): { steps: number; scalar: number; b: number[]; c: number[]; t: number[] } {
  const seed = workloadSeed(s), n = steps(s), words = new Uint32Array(8 * Math.ceil((1 + 3 * n) / 8));
  for (let j = 0; j < words.length / 8; j++) {
    const b = block(seed, j), view = new DataView(b.buffer, b.byteOffset, 32);
    for (let w = 0; w < 8; w++) words[8 * j + w] = view.getUint32(4 * w, true);
  }
  const at = (k: number) => Array.from({ length: n }, (_, i) => words[1 + 3 * i + k]!);
  return { steps: n, scalar: 1 + (words[0]! % (2 ** 15 - 1)), b: at(0).map((x) => x >>> 2), c: at(1).map((x) => x % 2 ** 15), t: at(2).map((x) => x >>> 1) };
}

const MEM_STREAM_BRANCH: Workload = {
  id: 'mem_stream_branch_v1',
  adapter: MEM_STREAM_ADAPTER,
  input: memStreamInput,
  inputHash: (s) => jcsHash(memStreamInput(s)),
  derivedAnchors: () => ({}),
  checkResult(s, pi) {
    const { steps: n, scalar, b, c, t } = memStreamInput(s);
    // The AIR binds the arrays to the public checksum; the checksum of the generated arrays is recomputed here.
    return differs(pi, { steps: n, scalar, checksum: String(memStreamChecksum(Uint32Array.from(b), Uint32Array.from(c), Uint32Array.from(t), scalar)) });
  },
};

/** The workloads this runner and verifier implement, by workload_id. */
export const WORKLOADS: ReadonlyMap<string, Workload> = new Map(
  [GEOM_WALK, FIB, AGENT_LOG, KECCAK_STREAM, MERKLE_BUILD_OPEN, MEM_STREAM_BRANCH].map((w) => [w.id, w]),
);
