/**
 * AGENT_AIR_V1 (seed 002, AgentAIR): an agent's action log as a hash chain, one action per row; it
 * proves the chain is unbroken, indices are sequential, and it ends at the declared final receipt.
 *   Columns (14): AGENT_COLUMNS. A SHA-256 digest (action_type's is that of its UTF-8) enters as two
 *     elements (hashToField): lo = bytes 0–7, hi = bytes 8–15, each little-endian, mod p.
 *     status_flags: AGENT_STATUS bits.
 *   Transitions: next.prev_receipt_lo = cur.receipt_lo; next.prev_receipt_hi = cur.receipt_hi;
 *     next.action_index = cur.action_index + 1 (all degree 1).
 *   Boundaries: row 0 prev_receipt lo/hi = 0; row n − 1 receipt lo/hi = the final receipt's lo/hi.
 *   Receipts (the seed leaves them open): receipt_i = SHA-256 of the RFC 8785 (JCS) JSON of the
 *     action's fields plus schema "agent_receipt_v1", action_index i and prev_receipt_hash (64 zeros
 *     for the first action, whose lo/hi are the boundary's 0).
 *   Padding: n = max(8, next power of two ≥ the action count); a padding row continues action_index,
 *     has prev = receipt = the final receipt and 0 elsewhere, so every constraint stays true.
 *   Public inputs: action_count (the real rows, integer in [1, 2^30]), final_receipt_hash (64 lowercase hex).
 *     The AIR fixes n from action_count; no constraint separates real rows from padding rows.
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE action_count ‖ the final receipt's 32 bytes.
 * So a proof binds less than the public inputs say: action_count only picks n (a 5-action trace
 * also proves 1, 4, 6, 7 or 8 actions), and only bytes 0–15 of the final receipt (mod p) are
 * constrained. AGENT_AIR_V2 (./agent-v2.ts) binds both and is what new agent capsules use; v1 stays
 * for the capsules made with it and for CapsuleBench's agent_log_v1 (pinned by Benchmark Policy v1).
 *
 * @module
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalBytes } from '../json/canonical-json.js';
import type { Column } from '../field/columns.js';
import * as F from '../field/goldilocks.js';
import { sha256, sha256Hex } from '../hash/digest.js';
import { checkTrace, MAX_LOG_N, type Air } from '../stark/air.js';
import { add, cur, next, sub } from '../stark/expr.js';
import { MIN_LOG_N, parseInput, publicInputBytes } from './public-inputs.js';

export const AGENT_AIR_ID = 'agent_air_v1';

/** The action's digests as lo/hi cells, in column order: both agent AIRs put them after action_index. */
export const ACTION_DIGEST_COLUMNS = [
  'action_type_hash_lo', 'action_type_hash_hi',
  'instruction_hash_lo', 'instruction_hash_hi',
  'input_hash_lo', 'input_hash_hi',
  'output_hash_lo', 'output_hash_hi',
] as const;

export const AGENT_COLUMNS = [
  'action_index',
  ...ACTION_DIGEST_COLUMNS,
  'prev_receipt_hash_lo', 'prev_receipt_hash_hi',
  'receipt_hash_lo', 'receipt_hash_hi',
  'status_flags',
] as const;
export type AgentColumn = (typeof AGENT_COLUMNS)[number];
const col = (name: AgentColumn): number => AGENT_COLUMNS.indexOf(name);

/** status_flags bit values. */
export const AGENT_STATUS = {
  SUCCESS: 1 << 0, // success is true
  GATE_PASSED: 1 << 1, // gate_decision !== "skip" (null passes, as None != "skip" in the seed)
  GATE_EVALUATED: 1 << 2, // gate_score is not null
  POLICY_MET: 1 << 3, // policy_verdict is not null
  IS_TOOL_CALL: 1 << 4, // action_type === "tool_call"
  IS_CODE_GEN: 1 << 5, // action_type === "code_gen"
} as const;

/** The 7 constraints in AIR order: the 3 transitions, then the 4 boundaries. */
export const AGENT_CONSTRAINTS = [
  'chain_continuity_lo', 'chain_continuity_hi', 'sequential_ordering',
  'first_prev_receipt_lo', 'first_prev_receipt_hi', 'last_receipt_lo', 'last_receipt_hi',
] as const;
export type AgentConstraint = (typeof AGENT_CONSTRAINTS)[number];

export const ZERO_HASH = '0'.repeat(64);
const MAX_ACTIONS = 2 ** MAX_LOG_N;

/** A SHA-256 digest: 64 lowercase hex characters. */
export const Sha256HexSchema = z
  .string()
  .length(64, { error: (iss) => `must be 64 hex characters (a SHA-256 digest), got ${String(iss.input).length}` })
  .regex(/^[0-9a-f]*$/, 'must be lowercase hex (0-9, a-f)');

/** Free text that RFC 8785 can serialize: well-formed Unicode. */
const Text = z.string().refine((s) => !/\p{Cs}/u.test(s), 'must be well-formed Unicode (no lone surrogates)');

export const AgentActionSchema = z.strictObject({
  action_type: Text.min(1, 'must not be empty'),
  instruction_hash: Sha256HexSchema,
  input_hash: Sha256HexSchema,
  output_hash: Sha256HexSchema,
  success: z.boolean(),
  gate_decision: Text.nullable(),
  gate_score: z.number().nullable(),
  policy_verdict: Text.nullable(),
});
export type AgentAction = z.output<typeof AgentActionSchema>;

export const AgentActionLogSchema = z
  .array(AgentActionSchema)
  .min(1, 'must hold at least one action')
  .max(MAX_ACTIONS, `must hold at most 2^${MAX_LOG_N} actions`);

export const AgentPublicInputsSchema = z.strictObject({
  action_count: z.number().refine((c) => Number.isInteger(c) && c >= 1 && c <= MAX_ACTIONS, {
    error: (iss) => `must be an integer in [1, 2^${MAX_LOG_N}], got ${String(iss.input)}`,
  }),
  final_receipt_hash: Sha256HexSchema,
});
export type AgentPublicInputs = z.output<typeof AgentPublicInputsSchema>;

const parseLog = (actions: unknown): AgentAction[] => parseInput(AgentActionLogSchema, actions, 'agent action log');
/** An agent AIR's public inputs, validated; errors name the AIR `id`. */
export const parseAgentPublicInputs = (pi: unknown, id: string): AgentPublicInputs => parseInput(AgentPublicInputsSchema, pi, `${id} public inputs`);

/** (lo, hi) of a digest: bytes 0–7 and 8–15, each a little-endian u64 reduced mod p. */
function halves(digest: Uint8Array): [bigint, bigint] {
  const view = new DataView(digest.buffer, digest.byteOffset, 16);
  return [F.reduce(view.getBigUint64(0, true)), F.reduce(view.getBigUint64(8, true))];
}

/** The seed's hash-to-field of a SHA-256 hex digest: (lo, hi) as above. */
export const hashToField = (hex: string): [bigint, bigint] => halves(hexToBytes(parseInput(Sha256HexSchema, hex, 'hash')));

/** The columns an action fills in either agent AIR: its four digests' lo/hi and status_flags. */
export type ActionColumn = `${'action_type' | 'instruction' | 'input' | 'output'}_hash_${'lo' | 'hi'}` | 'status_flags';

/** An action's cells in the ActionColumn columns. */
export function actionCells(a: AgentAction): [ActionColumn, bigint][] {
  const digests = [
    ['action_type', sha256(new TextEncoder().encode(a.action_type))], ['instruction', hexToBytes(a.instruction_hash)],
    ['input', hexToBytes(a.input_hash)], ['output', hexToBytes(a.output_hash)],
  ] as const;
  return [
    ...digests.flatMap(([name, digest]): [ActionColumn, bigint][] => {
      const [lo, hi] = halves(digest);
      return [[`${name}_hash_lo`, lo], [`${name}_hash_hi`, hi]];
    }),
    ['status_flags', BigInt(statusFlags(a))],
  ];
}

export function statusFlags(a: AgentAction): number {
  const S = AGENT_STATUS;
  return (a.success ? S.SUCCESS : 0)
    | (a.gate_decision !== 'skip' ? S.GATE_PASSED : 0)
    | (a.gate_score !== null ? S.GATE_EVALUATED : 0)
    | (a.policy_verdict !== null ? S.POLICY_MET : 0)
    | (a.action_type === 'tool_call' ? S.IS_TOOL_CALL : 0)
    | (a.action_type === 'code_gen' ? S.IS_CODE_GEN : 0);
}

/** Each action's receipt hash, in order (see the header). */
export const receiptChain = (actions: unknown): string[] => chain(parseLog(actions));

/** The receipt of a (valid) action at `index` after the receipt `prev` (ZERO_HASH for the first). */
export const receiptHash = (a: AgentAction, index: number, prev: string): string =>
  sha256Hex(canonicalBytes({ schema: 'agent_receipt_v1', action_index: index, ...a, prev_receipt_hash: prev }));

function chain(log: readonly AgentAction[]): string[] {
  const receipts: string[] = [];
  log.forEach((a, i) => receipts.push(receiptHash(a, i, receipts[i - 1] ?? ZERO_HASH)));
  return receipts;
}

/** log2 of the trace length for `count` actions: n = max(8, the next power of two ≥ count). */
export const logNFor = (count: number): number => Math.max(MIN_LOG_N, Math.ceil(Math.log2(count)));

/** An action log, validated, with its receipts and its trace length n, for either agent AIR's trace. */
export function agentRows(actions: unknown): { log: AgentAction[]; receipts: string[]; n: number } {
  const log = parseLog(actions);
  return { log, receipts: chain(log), n: 2 ** logNFor(log.length) };
}

export function agentAir(publicInputs: unknown): Air {
  const pi = parseAgentPublicInputs(publicInputs, AGENT_AIR_ID);
  const logN = logNFor(pi.action_count);
  const [lo, hi] = hashToField(pi.final_receipt_hash);
  const link = (part: 'lo' | 'hi') => sub(next(col(`prev_receipt_hash_${part}`)), cur(col(`receipt_hash_${part}`)));
  return {
    id: AGENT_AIR_ID,
    width: AGENT_COLUMNS.length,
    logN,
    periodic: [],
    transitions: [link('lo'), link('hi'), sub(next(col('action_index')), add(cur(col('action_index')), 1))],
    boundaries: [
      { col: col('prev_receipt_hash_lo'), row: 0, value: 0n },
      { col: col('prev_receipt_hash_hi'), row: 0, value: 0n },
      { col: col('receipt_hash_lo'), row: 2 ** logN - 1, value: lo },
      { col: col('receipt_hash_hi'), row: 2 ** logN - 1, value: hi },
    ],
    parameters: new Uint8Array(0),
    // Names for failures only (not part of the digest), in AIR order as AGENT_CONSTRAINTS lists them.
    names: { columns: [...AGENT_COLUMNS], transitions: AGENT_CONSTRAINTS.slice(0, 3), boundaries: AGENT_CONSTRAINTS.slice(3) },
  };
}

/** A deterministic synthetic action log of `count` actions (benchmarks and samples): digests of fixed strings, varied flags. */
export function sampleActionLog(count: number): AgentAction[] {
  const hex = (s: string): string => sha256Hex(new TextEncoder().encode(s));
  return Array.from({ length: count }, (_, i) => ({
    action_type: i % 3 ? 'tool_call' : 'code_gen', instruction_hash: hex(`i${i}`), input_hash: hex(`in${i}`),
    output_hash: hex(`out${i}`), success: i % 7 !== 0, gate_decision: i % 5 ? 'allow' : 'skip', gate_score: i % 2 ? 0.5 : null,
    policy_verdict: i % 4 ? 'ok' : null,
  }));
}

/** The trace (14 columns, padded as in the header) and public inputs of an action log. */
export function agentTrace(actions: unknown): { trace: BigUint64Array[]; publicInputs: AgentPublicInputs } {
  const { log, receipts, n } = agentRows(actions);
  const final = receipts[receipts.length - 1]!;
  const finalDigest = hexToBytes(final);
  const trace = AGENT_COLUMNS.map(() => new BigUint64Array(n));
  const set = (name: AgentColumn, row: number, value: bigint) => (trace[col(name)]![row] = value);
  const setHash = (name: 'prev_receipt' | 'receipt', row: number, digest: Uint8Array) => {
    const [lo, hi] = halves(digest);
    set(`${name}_hash_lo`, row, lo);
    set(`${name}_hash_hi`, row, hi);
  };
  for (let row = 0; row < n; row++) {
    set('action_index', row, BigInt(row));
    const a = log[row];
    if (a === undefined) {
      setHash('prev_receipt', row, finalDigest);
      setHash('receipt', row, finalDigest);
      continue;
    }
    for (const [name, value] of actionCells(a)) set(name, row, value);
    setHash('prev_receipt', row, hexToBytes(receipts[row - 1] ?? ZERO_HASH));
    setHash('receipt', row, hexToBytes(receipts[row]!));
  }
  return { trace, publicInputs: { action_count: log.length, final_receipt_hash: final } };
}

/** An agent AIR's public-input bytes under its `id`: u32 LE id length ‖ id ‖ u64 LE action_count ‖ the final receipt's 32 bytes. */
export function agentPublicInputBytes(id: string, publicInputs: unknown): Uint8Array {
  const pi = parseAgentPublicInputs(publicInputs, id);
  return publicInputBytes(id, pi.action_count, [], hexToBytes(pi.final_receipt_hash));
}

export const encodeAgentPublicInputs = (publicInputs: unknown): Uint8Array => agentPublicInputBytes(AGENT_AIR_ID, publicInputs);

/** A broken constraint of an agent AIR, by name. */
export interface ConstraintFailure<C extends string> {
  readonly constraint: C;
  readonly kind: 'transition' | 'boundary';
  /** The first row where it fails. */
  readonly row: number;
}
export type AgentConstraintFailure = ConstraintFailure<AgentConstraint>;

/** What the constraint_check modes take: a trace and its public inputs, or an action log to build them from. */
export type ConstraintCheckInput = { readonly trace: readonly Column[]; readonly publicInputs: unknown } | readonly unknown[];

/**
 * The seed's constraint_check mode for an AIR whose constraints are named `names` (transitions, then
 * boundaries, in AIR order): each evaluated on its own, over a trace and its public inputs or the
 * trace `build` makes from an action log. `failures` lists every broken constraint, in AIR order,
 * with its first failing row. A transition goes through checkTrace alone (the first also checks the
 * trace's shape); a boundary is one cell.
 */
export function namedConstraintCheck<C extends string>(
  input: ConstraintCheckInput,
  build: (actions: unknown) => { trace: BigUint64Array[]; publicInputs: unknown },
  air: (publicInputs: unknown) => Air,
  names: (air: Air) => readonly C[],
): { ok: boolean; failures: ConstraintFailure<C>[] } {
  const { trace, publicInputs } = Array.isArray(input) ? build(input) : (input as Exclude<typeof input, readonly unknown[]>);
  const { names: _names, ...whole } = air(publicInputs); // each transition is checked alone: no names to match
  const t = whole.transitions.length;
  const failures = names(whole).flatMap((constraint, i): ConstraintFailure<C>[] => {
    if (i < t) {
      const r = checkTrace({ ...whole, transitions: [whole.transitions[i]!], boundaries: [] }, trace);
      return r.ok ? [] : [{ constraint, kind: 'transition', row: r.row }];
    }
    const b = whole.boundaries[i - t]!;
    return trace[b.col]![b.row] === b.value ? [] : [{ constraint, kind: 'boundary', row: b.row }];
  });
  return { ok: failures.length === 0, failures };
}

/** AGENT_AIR_V1's constraint_check: the 7 constraints of AGENT_CONSTRAINTS (see namedConstraintCheck). */
export const agentConstraintCheck = (input: ConstraintCheckInput): { ok: boolean; failures: AgentConstraintFailure[] } =>
  namedConstraintCheck(input, agentTrace, agentAir, () => AGENT_CONSTRAINTS);
