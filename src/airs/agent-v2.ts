/**
 * AGENT_AIR_V2: AGENT_AIR_V1's action log as a receipt chain (./agent.ts: the log, receipts,
 * hash-to-field, status flags), with two things v1 leaves open closed: the action count is bound
 * inside the AIR, and receipts enter whole (all 32 bytes).
 *   Columns (27): action_index; action_type/instruction/input/output_hash_lo/hi and status_flags as
 *     in v1; prev_receipt_hash_0…7 and receipt_hash_0…7: a receipt as eight u32 limbs, limb j = bytes
 *     4j … 4j+3 little-endian. A u32 is always below p, so the cells are injective in the 32 bytes
 *     (a 64-bit limb can be ≥ p, and reducing it would give two receipts the same cells);
 *     is_padding: 0 on the action_count real rows, 1 on the padding rows.
 *   Transitions, on rows i = 0 … n−2 (cur = row i, next = row i+1), degree ≤ 2:
 *     chain_continuity_j (j = 0…7): (1 − next.is_padding)·(next.prev_receipt_hash_j − cur.receipt_hash_j),
 *       so every real row but the first starts from the receipt of the row before;
 *     sequential_ordering: next.action_index − cur.action_index − 1;
 *     padding_boolean: cur.is_padding·(cur.is_padding − 1);
 *     padding_monotone: cur.is_padding·(1 − next.is_padding) (once padding, padding to the end).
 *   Boundaries, c = action_count: row 0: action_index = 0, prev_receipt_hash_j = 0; row c − 1:
 *     receipt_hash_j = limb j of the final receipt, is_padding = 0; row c, only when c < n:
 *     is_padding = 1. With the transitions, is_padding is 0 on rows 0 … c−1 and 1 on rows c … n−1
 *     (the last row too: it is row c − 1 or follows a 1), so a claim of any other count fails.
 *   Padding: n = max(8, next power of two ≥ c) as in v1, no padding row when c = n; a padding row has
 *     action_index = its row, is_padding = 1 and 0 in every other column (no constraint binds those).
 *   Public inputs and their bytes: as v1 under this id (action_count, final_receipt_hash;
 *     u32 LE id length ‖ "agent_air_v2" ‖ u64 LE action_count ‖ the final receipt's 32 bytes).
 * What a proof tells a verifier without the log: the committed trace (the trace root) has exactly
 * action_count real rows, indexed 0 … c−1, chained receipt to receipt in all 32 bytes from zero to
 * the declared final receipt. What it does not: the AIR computes no hash, so nothing ties a receipt
 * to its row's action (any c values chained to the final receipt pass), and the action columns
 * (16 of each digest's 32 bytes, mod p, and the status flags) are unconstrained. That the log reaches
 * the final receipt in c actions is learned only by recomputing the receipts from the log
 * (agent_capsule_v1's constraint_check, a CapsuleBench workload's result check).
 *
 * @module
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Air } from '../stark/air.js';
import { add, cur, mul, next, sub } from '../stark/expr.js';
import {
  ACTION_DIGEST_COLUMNS, actionCells, agentPublicInputBytes, agentRows, logNFor, namedConstraintCheck, parseAgentPublicInputs, ZERO_HASH,
  type ActionColumn, type AgentPublicInputs, type ConstraintCheckInput, type ConstraintFailure,
} from './agent.js';

export const AGENT_AIR_V2_ID = 'agent_air_v2';

const LIMBS = [0, 1, 2, 3, 4, 5, 6, 7] as const;
type ReceiptColumn = `${'prev_receipt' | 'receipt'}_hash_${(typeof LIMBS)[number]}`;
export type AgentV2Column = 'action_index' | ActionColumn | ReceiptColumn | 'is_padding';

export const AGENT_V2_COLUMNS: readonly AgentV2Column[] = [
  'action_index',
  ...ACTION_DIGEST_COLUMNS,
  ...LIMBS.map((j) => `prev_receipt_hash_${j}` as const),
  ...LIMBS.map((j) => `receipt_hash_${j}` as const),
  'status_flags',
  'is_padding',
];
const INDEX = new Map(AGENT_V2_COLUMNS.map((name, i) => [name, i]));
const col = (name: AgentV2Column): number => INDEX.get(name)!;

/** The constraints in AIR order: 11 transitions, then 19 boundaries (18 when action_count = n: no first_padding_row). */
export const AGENT_V2_CONSTRAINTS = [
  ...LIMBS.map((j) => `chain_continuity_${j}` as const), 'sequential_ordering', 'padding_boolean', 'padding_monotone',
  'first_action_index', ...LIMBS.map((j) => `first_prev_receipt_${j}` as const), ...LIMBS.map((j) => `last_receipt_${j}` as const),
  'last_action_real', 'first_padding_row',
] as const;
export type AgentV2Constraint = (typeof AGENT_V2_CONSTRAINTS)[number];

/** A 32-byte digest as eight u32 limbs: limb j = bytes 4j … 4j+3, little-endian. */
export function digestLimbs(digest: Uint8Array): bigint[] {
  if (digest.length !== 32) throw new RangeError(`digestLimbs: expected 32 bytes, got ${digest.length}`);
  const view = new DataView(digest.buffer, digest.byteOffset, 32);
  return LIMBS.map((j) => BigInt(view.getUint32(4 * j, true)));
}

export function agentAirV2(publicInputs: unknown): Air {
  const pi = parseAgentPublicInputs(publicInputs, AGENT_AIR_V2_ID);
  const logN = logNFor(pi.action_count), count = pi.action_count;
  const final = digestLimbs(hexToBytes(pi.final_receipt_hash));
  const pad = col('is_padding');
  const boundaries = [
    { col: col('action_index'), row: 0, value: 0n },
    ...LIMBS.map((j) => ({ col: col(`prev_receipt_hash_${j}`), row: 0, value: 0n })),
    ...LIMBS.map((j) => ({ col: col(`receipt_hash_${j}`), row: count - 1, value: final[j]! })),
    { col: pad, row: count - 1, value: 0n },
    ...(count < 2 ** logN ? [{ col: pad, row: count, value: 1n }] : []),
  ];
  const TRANSITIONS = LIMBS.length + 3;
  return {
    id: AGENT_AIR_V2_ID,
    width: AGENT_V2_COLUMNS.length,
    logN,
    periodic: [],
    transitions: [
      ...LIMBS.map((j) => mul(sub(1, next(pad)), sub(next(col(`prev_receipt_hash_${j}`)), cur(col(`receipt_hash_${j}`))))),
      sub(next(col('action_index')), add(cur(col('action_index')), 1)),
      mul(cur(pad), sub(cur(pad), 1)),
      mul(cur(pad), sub(1, next(pad))),
    ],
    boundaries,
    parameters: new Uint8Array(0),
    // Names for failures only (not part of the digest), in AIR order as AGENT_V2_CONSTRAINTS lists them.
    names: {
      columns: [...AGENT_V2_COLUMNS],
      transitions: AGENT_V2_CONSTRAINTS.slice(0, TRANSITIONS),
      boundaries: AGENT_V2_CONSTRAINTS.slice(TRANSITIONS, TRANSITIONS + boundaries.length),
    },
  };
}

/** The trace (27 columns, padded as in the header) and public inputs of an action log. */
export function agentTraceV2(actions: unknown): { trace: BigUint64Array[]; publicInputs: AgentPublicInputs } {
  const { log, receipts, n } = agentRows(actions);
  const trace = AGENT_V2_COLUMNS.map(() => new BigUint64Array(n));
  const set = (name: AgentV2Column, row: number, value: bigint) => (trace[col(name)]![row] = value);
  const setReceipt = (name: 'prev_receipt' | 'receipt', row: number, hex: string) =>
    digestLimbs(hexToBytes(hex)).forEach((limb, j) => set(`${name}_hash_${j as (typeof LIMBS)[number]}`, row, limb));
  for (let row = 0; row < n; row++) {
    set('action_index', row, BigInt(row));
    const a = log[row];
    if (a === undefined) {
      set('is_padding', row, 1n);
      continue;
    }
    for (const [name, value] of actionCells(a)) set(name, row, value);
    setReceipt('prev_receipt', row, receipts[row - 1] ?? ZERO_HASH);
    setReceipt('receipt', row, receipts[row]!);
  }
  return { trace, publicInputs: { action_count: log.length, final_receipt_hash: receipts[receipts.length - 1]! } };
}

export const encodeAgentV2PublicInputs = (publicInputs: unknown): Uint8Array => agentPublicInputBytes(AGENT_AIR_V2_ID, publicInputs);

/** AGENT_AIR_V2's constraint_check: every constraint of the AIR, named as in AGENT_V2_CONSTRAINTS (see namedConstraintCheck). */
export const agentV2ConstraintCheck = (input: ConstraintCheckInput): { ok: boolean; failures: ConstraintFailure<AgentV2Constraint>[] } =>
  namedConstraintCheck(input, agentTraceV2, agentAirV2, (air) => AGENT_V2_CONSTRAINTS.slice(0, air.transitions.length + air.boundaries.length));
