/**
 * agent_capsule.json (`agent_capsule_v1`, seed 002 "agent_capsule.json"): the AgentAIR run summary
 * beside a bef_capsule_v1 of AGENT_AIR_V2 (or an earlier one of AGENT_AIR_V1), with proof_type
 * "stark": its claims (AIR, row root, final receipt, length, width and constraint counts) are
 * cross-checked against the capsule it names, which is verified in full. Given the action log, the
 * verifier also runs the seed's constraint_check: it rebuilds the trace and re-evaluates every
 * constraint of that AIR.
 *
 * @module
 */
import { z } from 'zod';
import { AGENT_AIR_ID, AGENT_AIR_V2_ID, AgentActionLogSchema, agentConstraintCheck, agentV2ConstraintCheck, AIRS, type AgentPublicInputs } from '../airs/index.js';
import { parseCanonicalBytes } from '../json/canonical-json.js';
import type { Kernels } from '../wasm/kernels.js';
import { AGENT_ADAPTER, AGENT_V1_ADAPTER } from './adapter.js';
import { RelPathSchema, type Capsule } from './capsule.js';
import type { ErrorCode } from './codes.js';
import { CAPSULE_FILE, type Sealed } from './seal.js';
import { HashHexSchema, jcsHash } from './spec.js';
import { issuesText } from './checks.js';
import { FileTooLargeError, MAX_JSON_FILE_BYTES, readBounded, verifyCapsule, type CapsuleFiles, type VerifyCapsuleOptions, type VerifyReport } from './verify.js';

/** The AIRs an agent capsule may name: the adapter that proves each, and its constraint_check. */
const AGENT_AIRS = {
  [AGENT_AIR_ID]: { adapter: AGENT_V1_ADAPTER, check: agentConstraintCheck },
  [AGENT_AIR_V2_ID]: { adapter: AGENT_ADAPTER, check: agentV2ConstraintCheck },
} as const;
type AgentAirId = keyof typeof AGENT_AIRS;

/** The agent AIR whose trace format is `traceFormatId`, if any: capsules of it get an agent capsule. */
export const agentAirFor = (traceFormatId: string): AgentAirId | undefined =>
  (Object.keys(AGENT_AIRS) as AgentAirId[]).find((id) => AGENT_AIRS[id].adapter.traceFormatId === traceFormatId);

export const AGENT_CAPSULE_SCHEMA = 'agent_capsule_v1';
export const AGENT_CAPSULE_FILE = 'agent_capsule.json';

const Ms = z.number().min(0);

export const AgentCapsuleSchema = z.strictObject({
  schema: z.literal(AGENT_CAPSULE_SCHEMA),
  air_id: z.enum([AGENT_AIR_ID, AGENT_AIR_V2_ID]),
  /** Actions in the log (the trace is padded to a power of two). */
  trace_length: z.number().int().min(1),
  /** Trace columns; it and the constraint counts must be the proven AIR's. */
  row_width: z.number().int().min(1),
  /** The trace commitment root (= the capsule's statement.trace_root). */
  row_root: HashHexSchema,
  final_receipt_hash: HashHexSchema,
  verification: z.strictObject({
    constraints_satisfied: z.boolean(),
    num_transition_constraints: z.number().int().min(0),
    num_boundary_constraints: z.number().int().min(0),
    composition_all_zero: z.boolean(),
    proof_type: z.literal('stark'),
  }),
  timing: z.strictObject({ simulate_ms: Ms, commit_ms: Ms, prove_ms: Ms, verify_ms: Ms, total_ms: Ms }),
  capsule: z.strictObject({ path: RelPathSchema, capsule_hash: HashHexSchema }),
});
export type AgentCapsule = z.output<typeof AgentCapsuleSchema>;

/** The agent capsule of a sealed AGENT_AIR_V2 or AGENT_AIR_V1 capsule (written beside it). */
export function agentCapsule(sealed: Sealed): AgentCapsule {
  const c = sealed.capsule, t = sealed.timing;
  const airId = agentAirFor(c.trace_spec.trace_format_id);
  if (airId === undefined) throw new RangeError(`agentCapsule: ${c.trace_spec.trace_format_id} is not an agent trace format`);
  const pi = c.statement.public_inputs as AgentPublicInputs;
  const air = AIRS[airId].air(pi);
  return {
    schema: AGENT_CAPSULE_SCHEMA,
    air_id: airId,
    trace_length: pi.action_count,
    row_width: air.width,
    row_root: c.statement.trace_root,
    final_receipt_hash: pi.final_receipt_hash,
    // The prover refuses a trace that breaks a constraint, and its proof verified before sealing.
    verification: {
      constraints_satisfied: true, num_transition_constraints: air.transitions.length, num_boundary_constraints: air.boundaries.length,
      composition_all_zero: true, proof_type: 'stark',
    },
    timing: { simulate_ms: t.trace_ms, commit_ms: t.commit_ms, prove_ms: t.prove_ms, verify_ms: t.verify_ms, total_ms: t.trace_ms + t.prove_ms + t.verify_ms },
    capsule: { path: CAPSULE_FILE, capsule_hash: c.capsule_hash },
  };
}

/** Where the agent capsule's claims differ from the verified capsule `c`, or undefined. */
function bindingMismatch(a: AgentCapsule, c: Capsule): string | undefined {
  const format = AGENT_AIRS[a.air_id].adapter.traceFormatId;
  const pi = c.statement.public_inputs as AgentPublicInputs;
  if (c.capsule_hash !== a.capsule.capsule_hash) return `capsule.capsule_hash ${a.capsule.capsule_hash} is not the capsule's ${c.capsule_hash}`;
  if (c.trace_spec.trace_format_id !== format) return `the capsule proves ${c.trace_spec.trace_format_id}, not ${format} (air_id ${a.air_id})`;
  if (c.statement.trace_root !== a.row_root) return `row_root ${a.row_root} is not the proven trace root ${c.statement.trace_root}`;
  if (pi.final_receipt_hash !== a.final_receipt_hash) return `final_receipt_hash ${a.final_receipt_hash} is not the proven ${pi.final_receipt_hash}`;
  if (pi.action_count !== a.trace_length) return `trace_length ${a.trace_length} is not the proven action count ${pi.action_count}`;
  const air = AIRS[a.air_id].air(pi);
  const v = a.verification;
  if (a.row_width !== air.width || v.num_transition_constraints !== air.transitions.length || v.num_boundary_constraints !== air.boundaries.length)
    return `row_width ${a.row_width} with ${v.num_transition_constraints} transition and ${v.num_boundary_constraints} boundary constraints is not the proven ${a.air_id}'s ` +
      `${air.width} with ${air.transitions.length} and ${air.boundaries.length}`;
  return undefined;
}

const reject = (report: VerifyReport, name: string, code: ErrorCode, message: string): VerifyReport =>
  ({ status: 'rejected', code, message, checks: [...report.checks, { name, ok: false, code }] });

/**
 * Verifies an agent capsule: its schema, the bef_capsule_v1 it names (every layer), their agreement,
 * and with `actions` (the parsed action log) the constraint check. Never throws.
 */
export async function verifyAgentCapsule(k: Kernels, bytes: Uint8Array, files: CapsuleFiles, opts: VerifyCapsuleOptions & { actions?: unknown } = {}): Promise<VerifyReport> {
  const none: VerifyReport = { status: 'rejected', code: null, message: '', checks: [] };
  let a: AgentCapsule;
  try {
    const j = parseCanonicalBytes(bytes);
    if (typeof j === 'object' && j !== null && 'schema' in j && j.schema !== AGENT_CAPSULE_SCHEMA)
      return reject(none, 'agent_parse', 'E002_UNSUPPORTED_SCHEMA', `schema ${JSON.stringify(j.schema)} is not ${AGENT_CAPSULE_SCHEMA}`);
    const r = AgentCapsuleSchema.safeParse(j);
    if (!r.success) return reject(none, 'agent_parse', 'E001_MALFORMED_CAPSULE', `agent capsule: ${issuesText(r.error.issues)}`);
    a = r.data;
  } catch (e) {
    return reject(none, 'agent_parse', 'E001_MALFORMED_CAPSULE', `agent capsule is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed: VerifyReport = { ...none, checks: [{ name: 'agent_parse', ok: true, code: null }] };
  if (!a.verification.constraints_satisfied || !a.verification.composition_all_zero)
    return reject(parsed, 'agent_claims', 'E054_PROOF_INVALID', 'the agent capsule itself declares its constraints unsatisfied');
  let capsuleBytes: Uint8Array | null;
  try {
    capsuleBytes = await readBounded(files, a.capsule.path, MAX_JSON_FILE_BYTES);
  } catch (e) {
    if (e instanceof FileTooLargeError) return reject(parsed, 'agent_capsule_link', 'E001_MALFORMED_CAPSULE', e.message);
    capsuleBytes = null; // a reader that fails: the capsule is not available
  }
  if (!capsuleBytes) return reject(parsed, 'agent_capsule_link', 'E040_ARTIFACT_MISSING', `the capsule ${a.capsule.path} is missing`);
  const report = await verifyCapsule(k, capsuleBytes, files, opts);
  const checks = [...parsed.checks, ...report.checks];
  if (report.status === 'rejected') return { ...report, checks };
  const base: VerifyReport = { ...report, checks };

  // The capsule verified, so its JSON is well-formed and its fields are the ones it was sealed with.
  const c = parseCanonicalBytes(capsuleBytes) as Capsule;
  const mismatch = bindingMismatch(a, c);
  if (mismatch) return reject(base, 'agent_binding', 'E053_PROOF_STATEMENT_MISMATCH', mismatch);
  base.checks.push({ name: 'agent_binding', ok: true, code: null });
  if (opts.actions === undefined) return base;

  const log = AgentActionLogSchema.safeParse(opts.actions);
  if (!log.success) return reject(base, 'constraint_check', 'E053_PROOF_STATEMENT_MISMATCH', `the action log is not an agent action log: ${log.error.issues[0]!.message}`);
  const { adapter, check } = AGENT_AIRS[a.air_id];
  const built = adapter.buildTrace(log.data);
  const rebuilt = built.publicInputs as AgentPublicInputs;
  if (rebuilt.final_receipt_hash !== a.final_receipt_hash || rebuilt.action_count !== a.trace_length)
    return reject(base, 'constraint_check', 'E053_PROOF_STATEMENT_MISMATCH',
      `the action log (${rebuilt.action_count} actions, final receipt ${rebuilt.final_receipt_hash}) is not the proven one (${a.trace_length}, ${a.final_receipt_hash})`);
  const logHash = jcsHash(log.data);
  if (c.anchors['action_log_hash'] !== logHash)
    return reject(base, 'constraint_check', 'E053_PROOF_STATEMENT_MISMATCH', `the action log's hash ${logHash} is not the anchored action_log_hash ${String(c.anchors['action_log_hash'])}`);
  const result = check(built);
  if (!result.ok)
    return reject(base, 'constraint_check', 'E054_PROOF_INVALID', `constraint_check: ${result.failures.map((f) => `${f.constraint} fails at row ${f.row}`).join('; ')}`);
  base.checks.push({ name: 'constraint_check', ok: true, code: null });
  const constraints = a.verification.num_transition_constraints + a.verification.num_boundary_constraints;
  return { ...base, message: `${base.message}; constraint_check of ${rebuilt.action_count} actions: all ${constraints} constraints hold` };
}
