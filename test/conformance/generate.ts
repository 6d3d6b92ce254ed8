// The public conformance vectors (docs/conformance/, described in its README.md and in
// docs/spec/implementing-a-verifier.md): generated here from the code, deterministically, so that
// test/conformance.test.ts can regenerate them in memory and fail on any byte that would change.
// Each case is checked against the project's verifiers while it is made: a positive case must be
// accepted and a negative one rejected with exactly the code the manifest records.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { AIRS, FIB_AIR_ID, GEOM_AIR_ID, type AirId } from '../../src/airs/index.js';
import { ACL_SCHEMA, parseAcl } from '../../src/capsule/acl.js';
import { ADAPTERS } from '../../src/capsule/adapter.js';
import { KEY_FILE_SCHEMA, signCapsuleHash, type KeyFile } from '../../src/capsule/authorship.js';
import { capsuleHash } from '../../src/capsule/capsule.js';
import { ERROR_CODES, type ErrorCode } from '../../src/capsule/codes.js';
import { auditSeed, daSampleCount, sampleChunks } from '../../src/capsule/da.js';
import { buildRegistry, proveInclusion } from '../../src/capsule/registry.js';
import { chunkPath, planSeal } from '../../src/capsule/seal.js';
import { memFiles, recordArtifact, rehashInner, sealPlan, type Declared } from '../helpers/capsule.js';
import { canonicalBytes } from '../../src/json/canonical-json.js';
import { verifyCapsule, type VerifyCapsuleOptions } from '../../src/capsule/verify.js';
import * as Fp from '../../src/field/goldilocks.js';
import * as Fp2 from '../../src/field/ext2.js';
import { sha256Hex } from '../../src/hash/digest.js';
import { createNodeCpuBackend } from '../../src/prover/node.js';
import { prove } from '../../src/prover/prover.js';
import { airDigest, type Air } from '../../src/stark/air.js';
import type { Column } from '../../src/field/columns.js';
import { decodeProof, encodeProof, proofToJson } from '../../src/stark/codec.js';
import { deepAt } from '../../src/stark/deep.js';
import { COSET_SHIFT, pointAt } from '../../src/stark/domain.js';
import type { Expr, LetExpr } from '../../src/stark/expr.js';
import { add, auxCur, auxNext, challenge, constant, cur, evalExtAll, mul, neg, next, periodic, pow, serializeExpr, share, sub } from '../../src/stark/expr.js';
import { auxBaseColumns, lowerAir } from '../../src/stark/aux.js';
import { lookup, withInteractions, type Interaction } from '../../src/stark/lookup.js';
import { inverseNtt } from '../../src/ntt/index.js';
import { evaluateFinal, foldGroup, friPlan } from '../../src/stark/fri.js';
import { compositionAt, segmentsAt } from '../../src/stark/ood.js';
import { DEFAULT_SECURITY_BITS, securityBits, TEST_OPTIONS_INSECURE, type ProofOptions } from '../../src/stark/options.js';
import type { StarkProof } from '../../src/stark/proof.js';
import { drawQueries, encodeOptions, nonceBytes } from '../../src/stark/protocol.js';
import { PROTOCOL_ID, Transcript } from '../../src/stark/transcript.js';
import { loweredWidth, replayToPow, verifyProof, type StarkErrorCode } from '../../src/stark/verifier.js';
import type { Kernels } from '../../src/wasm/kernels.js';
import { packVectors, SERVER_ONLY, type PackCase } from './packs.js';

export const CONFORMANCE_VERSION = 'capseal-conformance-v1';

/** Relative path under docs/conformance/ → bytes. */
export type Files = Map<string, Uint8Array>;

type Json = Record<string, unknown>;

const utf8 = new TextEncoder();
const jsonFile = (v: unknown): Uint8Array => utf8.encode(`${JSON.stringify(v, null, 2)}\n`);
const hex = bytesToHex;
const ext = (x: Fp2.Fp2): [string, string] => [x[0].toString(), x[1].toString()];
const clone = <T>(v: T): T => structuredClone(v);

export interface StarkCase {
  id: string;
  kind: 'stark';
  /** A registered AIR and its public inputs, or (`air`, `public_input_bytes`) an AIR given as JSON (airJson) and the bytes the transcript absorbs. */
  air_id?: AirId;
  public_inputs?: unknown;
  air?: string;
  public_input_bytes?: string;
  proof: string;
  statement_hash: string;
  min_security_bits: number;
  expect: { status: 'accepted' } | { status: 'rejected'; code: StarkErrorCode };
  reason: string;
  vector?: string;
}

export interface CapsuleCase {
  id: string;
  kind: 'capsule';
  /** The capsule directory the case starts from. */
  base: string;
  /** Files of the base directory replaced by a vector file (path → file), or removed (path → null). */
  overlay: Record<string, string | null>;
  /** Verifier inputs besides the directory: files are paths under docs/conformance/. */
  verify: { policy?: string; acl?: string; registry_root?: string; inclusion_proof?: string; challenge_nonce?: string; min_security_bits?: number };
  expect: { status: 'accepted' } | { status: 'rejected'; code: ErrorCode };
  reason: string;
  vector?: string;
}

export type Case = StarkCase | CapsuleCase | PackCase;

// ------------------------------------------------------------------ STARK

/** An expression tree as JSON: constants as decimal strings, a shared subexpression as `let` where first met (post-order numbering, as serializeExpr) and `ref` after. */
function exprJson(e: Expr): unknown {
  const ids = new Map<LetExpr, number>();
  const go = (n: Expr): unknown => {
    switch (n.op) {
      case 'const': return { op: 'const', value: n.value.toString() };
      case 'cur': case 'next': return { op: n.op, col: n.col };
      case 'periodic': return { op: 'periodic', index: n.index };
      case 'aux-cur': case 'aux-next': return { op: n.op, col: n.col };
      case 'challenge': return { op: 'challenge', index: n.index };
      case 'add': case 'sub': case 'mul': return { op: n.op, a: go(n.a), b: go(n.b) };
      case 'neg': return { op: 'neg', a: go(n.a) };
      case 'pow': return { op: 'pow', a: go(n.a), exp: n.exp };
      case 'let': {
        const seen = ids.get(n);
        if (seen !== undefined) return { op: 'ref', id: seen };
        const a = go(n.a);
        const id = ids.size;
        ids.set(n, id);
        return { op: 'let', id, name: n.name, a };
      }
    }
  };
  return go(e);
}

function airJson(air: Air): Json {
  return {
    id: air.id, width: air.width, log_n: air.logN,
    periodic: air.periodic.map((col) => [...col].map(String)),
    transitions: air.transitions.map(exprJson),
    transitions_serialized: air.transitions.map((t) => hex(serializeExpr(t))),
    boundaries: air.boundaries.map((b) => ({ col: b.col, row: b.row, value: b.value.toString() })),
    // Only an AIR with them has these members (the v2 digest fields), so v1 AIRs keep their files.
    ...(air.rowConstraints && { row_constraints: air.rowConstraints.map((r) => ({ row: r.row, expr: exprJson(r.expr), serialized: hex(serializeExpr(r.expr)) })) }),
    ...(air.aux && { aux: { width: air.aux.width, challenges: air.aux.challenges } }),
    parameters: hex(air.parameters),
    digest: hex(airDigest(air)),
  };
}

/** The inverse of exprJson: `let` makes the shared node its `id` names, `ref` reuses it. */
function exprFromJson(j: unknown): Expr {
  const shares = new Map<number, LetExpr>();
  const go = (n: Json): Expr => {
    switch (n['op']) {
      case 'const': return constant(BigInt(n['value'] as string));
      case 'cur': return cur(n['col'] as number);
      case 'next': return next(n['col'] as number);
      case 'periodic': return periodic(n['index'] as number);
      case 'aux-cur': return auxCur(n['col'] as number);
      case 'aux-next': return auxNext(n['col'] as number);
      case 'challenge': return challenge(n['index'] as number);
      case 'add': return add(go(n['a'] as Json), go(n['b'] as Json));
      case 'sub': return sub(go(n['a'] as Json), go(n['b'] as Json));
      case 'mul': return mul(go(n['a'] as Json), go(n['b'] as Json));
      case 'neg': return neg(go(n['a'] as Json));
      case 'pow': return pow(go(n['a'] as Json), n['exp'] as number);
      case 'let': {
        const e = share(go(n['a'] as Json), n['name'] as string);
        shares.set(n['id'] as number, e);
        return e;
      }
      case 'ref': return shares.get(n['id'] as number)!;
      default: throw new Error(`conformance: unknown op ${String(n['op'])}`);
    }
  };
  return go(j as Json);
}

export function airFromJson(j: Json): Air {
  const rows = j['row_constraints'] as Json[] | undefined, aux = j['aux'] as Json | undefined;
  return {
    id: j['id'] as string, width: j['width'] as number, logN: j['log_n'] as number,
    periodic: (j['periodic'] as string[][]).map((col) => BigUint64Array.from(col, BigInt)),
    transitions: (j['transitions'] as unknown[]).map(exprFromJson),
    boundaries: (j['boundaries'] as Json[]).map((b) => ({ col: b['col'] as number, row: b['row'] as number, value: BigInt(b['value'] as string) })),
    ...(rows && { rowConstraints: rows.map((r) => ({ row: r['row'] as number, expr: exprFromJson(r['expr']) })) }),
    // The verifier never builds the auxiliary segment: the AIR file gives its shape only.
    ...(aux && { aux: { width: aux['width'] as number, challenges: aux['challenges'] as number, build: () => { throw new Error('conformance: a verifier does not build the auxiliary segment'); } } }),
    parameters: hexToBytes(j['parameters'] as string),
  };
}

/** Every transcript call made by `fn`, with the state after it (absorptions and squeezes; field challenges are squeezes). */
function recordTranscript<T>(fn: () => T): { result: T; log: Json[] } {
  const proto = Transcript.prototype;
  const { absorb, challengeBytes } = proto;
  const log: Json[] = [{ op: 'init', protocol_id: PROTOCOL_ID, state: hex(new Transcript(PROTOCOL_ID).state()) }];
  proto.absorb = function (this: Transcript, label: string, data: Uint8Array) {
    absorb.call(this, label, data);
    log.push({ op: 'absorb', label, data: hex(data), state: hex(this.state()) });
  };
  proto.challengeBytes = function (this: Transcript, label: string, n: number) {
    const out = challengeBytes.call(this, label, n);
    log.push({ op: 'squeeze', label, bytes: n, output: hex(out), state: hex(this.state()) });
    return out;
  };
  try {
    return { result: fn(), log };
  } finally {
    proto.absorb = absorb;
    proto.challengeBytes = challengeBytes;
  }
}

/** A periodic column's polynomial Q(x) = P(x^(n/m)) at z (stark.md §9.3). */
function periodicAtZ(k: Kernels, values: BigUint64Array, logN: number, z: Fp2.Fp2): Fp2.Fp2 {
  const [coeffs] = inverseNtt(k, [values]);
  const x = Fp2.pow(z, BigInt(2 ** logN / values.length));
  let acc: Fp2.Fp2 = Fp2.ZERO;
  for (let j = coeffs!.length - 1; j >= 0; j--) acc = Fp2.add(Fp2.mul(acc, x), Fp2.fromBase(coeffs![j]!));
  return acc;
}

/**
 * The lowered AIR of an AIR with an auxiliary segment (stark.md §5.6), as the verifier builds it
 * once the challenges are drawn: each remaining base-field coordinate of each declared constraint
 * with its origin, its coefficient (α or α·u) and its value at the OOD point. Not its tree: how the
 * reference folds and shares the lowered trees is not part of the protocol, their values are.
 */
function loweringJson(k: Kernels, air: Air, lowered: ReturnType<typeof lowerAir>, alphas: Fp2.Fp2[], z: Fp2.Fp2, proof: StarkProof): Json {
  const T = air.transitions.length, B = air.boundaries.length, coefficients = lowered.coefficients(alphas), L = lowered.air.transitions.length;
  const periodicZ = lowered.air.periodic.map((v) => periodicAtZ(k, v, air.logN, z));
  const rows = lowered.air.rowConstraints ?? [];
  const atZ = evalExtAll(lowered.air.transitions, { cur: proof.oodTrace, next: proof.oodTraceNext, periodic: periodicZ });
  const rowsAtZ = evalExtAll(rows.map((r) => r.expr), { cur: proof.oodTrace, next: proof.oodTrace, periodic: periodicZ });
  // The coordinate a lowered constraint comes from: its coefficient is the declared α (c0) or α·u (c1).
  const entry = (declared: Fp2.Fp2, coefficient: Fp2.Fp2) => ({ coordinate: Fp2.eq(declared, coefficient) ? 0 : 1, coefficient: ext(coefficient) });
  return {
    width: lowered.air.width,
    transitions: lowered.air.transitions.map((_, i) => {
      const origin = lowered.transitionOrigin[i]!;
      return { origin, ...entry(alphas[origin]!, coefficients[i]!), at_z: ext(atZ[i]!) };
    }),
    boundary_coefficients: coefficients.slice(L, L + B).map(ext),
    row_constraints: rows.map((r, i) => {
      const origin = lowered.rowOrigin[i]!;
      return { origin, row: r.row, ...entry(alphas[T + B + origin]!, coefficients[L + B + i]!), at_z: ext(rowsAtZ[i]!) };
    }),
  };
}

/**
 * The verifier's values for an honest proof, recomputed here on the BigInt references (deepAt,
 * foldGroup, evaluateFinal) rather than on the verifier's kernels: the transcript, the challenges,
 * the OOD relation, and per query its DEEP values, each layer's fold and the final polynomial's value.
 */
function starkTrace(k: Kernels, air: Air, o: ProofOptions, proof: StarkProof, statementHash: Uint8Array, publicInputs: Uint8Array): Json {
  // W: the columns the OOD answers and DEEP cover (the main trace's w, then c0, c1 of each auxiliary column).
  const f = o.foldingFactor, logF = Math.log2(f), logNN = air.logN + Math.log2(o.blowup), w = air.width, W = loweredWidth(air), m = W - w;
  const { result, log } = recordTranscript(() => {
    const r = replayToPow(air, o, proof, statementHash, publicInputs);
    const powDigest = r.transcript.powDigest(proof.nonce);
    r.transcript.absorb('pow-nonce', nonceBytes(proof.nonce));
    return { ...r, powDigest, groups: drawQueries(r.transcript, air.logN, o) };
  });
  const { challenges, alphas, z, gammas, friAlphas, powDigest, groups } = result;
  const zw = Fp2.mulBase(z, Fp.rootOfUnity(air.logN));
  // An AIR with an auxiliary segment is composed as its base-field lowering under the drawn challenges.
  const lowered = lowerAir(air, challenges), coefficients = lowered.coefficients(alphas);
  /** Opened row `row` as DEEP reads it: the main trace's values, then the auxiliary segment's. */
  const traceRow = (row: number): BigUint64Array => {
    const main = proof.traceOpening.rows.subarray(row * w, (row + 1) * w);
    if (!m) return main;
    const out = new BigUint64Array(W);
    out.set(main);
    out.set(proof.auxOpening!.rows.subarray(row * m, (row + 1) * m), w);
    return out;
  };
  const plan = friPlan(air.logN, o);
  const d = { oodTrace: proof.oodTrace, oodTraceNext: proof.oodTraceNext, oodComposition: proof.oodComposition, gammas };
  const S = proof.segments;
  const queries = groups.map((g, q) => {
    const positions = Array.from({ length: f }, (_, j) => g * f + j);
    const deep = positions.map((pos, j) => {
      const row = q * f + j;
      const x = pointAt(COSET_SHIFT, logNN, pos);
      const inv = (c: Fp2.Fp2) => Fp2.inv(Fp2.sub(Fp2.fromBase(x), c));
      return deepAt(traceRow(row), proof.compositionOpening.rows.subarray(row * 2 * S, (row + 1) * 2 * S), inv(z), inv(zw), d);
    });
    const layers: Json[] = [];
    let value = foldGroup(deep, Fp.inv(COSET_SHIFT), logNN, g, friAlphas[0]!);
    let shift = Fp.pow(COSET_SHIFT, BigInt(f)), logSize = logNN - logF, pos = g;
    for (let i = 1; i < plan.folds; i++) {
      const leaf = pos >> logF, leaves = [...new Set(groups.map((h) => h >> (logF * i)))].sort((a, b) => a - b);
      const rows = proof.friOpenings[i - 1]!.rows, at = leaves.indexOf(leaf) * 2 * f;
      const group = Array.from({ length: f }, (_, j): Fp2.Fp2 => [rows[at + 2 * j]!, rows[at + 2 * j + 1]!]);
      if (!Fp2.eq(group[pos & (f - 1)]!, value)) throw new Error('conformance: an honest proof disagrees with its fold');
      layers.push({ layer: i, leaf, slot: pos & (f - 1), value: ext(value) });
      value = foldGroup(group, Fp.inv(shift), logSize, leaf, friAlphas[i]!);
      shift = Fp.pow(shift, BigInt(f));
      logSize -= logF;
      pos = leaf;
    }
    const x = pointAt(shift, logSize, pos);
    if (!Fp2.eq(evaluateFinal(proof.finalPoly, x), value)) throw new Error('conformance: the final polynomial disagrees');
    return { group: g, positions, points: positions.map((p) => pointAt(COSET_SHIFT, logNN, p).toString()), deep: deep.map(ext), layers, last: { position: pos, point: x.toString(), value: ext(value) } };
  });
  return {
    transcript: log,
    challenges: {
      ...(air.aux && { aux_challenges: challenges.map(ext) }),
      composition_coefficients: alphas.map(ext), ood_point: ext(z), ood_point_next: ext(zw), deep_coefficients: gammas.map(ext),
      fri_alphas: friAlphas.map(ext), nonce: proof.nonce.toString(), pow_digest: hex(powDigest), query_groups: groups,
    },
    ...(air.aux && { lowering: loweringJson(k, air, lowered, alphas, z, proof) }),
    ood: { constraints_at_z: ext(compositionAt(k, lowered.air, z, proof.oodTrace, proof.oodTraceNext, coefficients)), segments_at_z: ext(segmentsAt(air.logN, z, proof.oodComposition)) },
    fri: { folds: plan.folds, final_degree: plan.finalDegree, layer_sizes: Array.from({ length: plan.folds + 1 }, (_, i) => 2 ** (logNN - logF * i)) },
    queries,
  };
}

type Opening = StarkProof['traceOpening'];
/** The opening with its first opened value changed (still canonical). */
const bumpRow = (o: Opening): Opening => {
  const rows = o.rows.slice();
  rows[0] = bump(rows[0]!);
  return { rows, proof: o.proof };
};
/** The opening with one bit of its first Merkle sibling flipped. */
const flipSibling = (o: Opening): Opening => {
  const siblings = o.proof.siblings.map((d) => d.slice());
  siblings[0]![0]! ^= 1;
  return { rows: o.rows, proof: { depth: o.proof.depth, siblings } };
};
const bump = (x: bigint): bigint => (x + 1n) % Fp.P;

interface StarkNegative {
  name: string;
  code: StarkErrorCode;
  reason: string;
  /** The subjects it applies to (default: all, but those without registered public inputs where it edits them). */
  when?: (s: StarkSubject) => boolean;
  bytes?: (bin: Uint8Array, p: StarkProof) => Uint8Array;
  proof?: (p: StarkProof) => StarkProof;
  minSecurityBits?: number;
  publicInputs?: (pi: Json) => Json;
}

const STARK_NEGATIVES: StarkNegative[] = [
  { name: 'trailing-byte', code: 'malformed', reason: 'one byte after the proof: the binary decoder must refuse trailing data', bytes: (b) => Uint8Array.from([...b, 0]) },
  { name: 'truncated', code: 'malformed', reason: 'the last byte is missing', bytes: (b) => b.subarray(0, b.length - 1) },
  { name: 'options-folding-3', code: 'malformed', reason: 'a folding factor of 3 (byte 9) is not an allowed option: the decoder refuses it', bytes: (b) => Uint8Array.from(b, (x, i) => (i === 9 ? 3 : x)) },
  { name: 'security-claim', code: 'security', reason: 'the proof claims one more bit of security than its options give', proof: (p) => ({ ...p, securityBits: p.securityBits + 1 }) },
  { name: 'security-floor', code: 'security', reason: "the proof is honest but its options give fewer bits than the verifier's minimum (min_security_bits)", minSecurityBits: 100 },
  {
    name: 'options-two-adicity', code: 'options', reason: 'blowup 16 (byte 6) checked against the statement of a 2^30-row trace: 2^34 points pass the two-adicity of F_p',
    bytes: (b) => Uint8Array.from(b, (x, i) => (i === 6 ? 16 : x)), publicInputs: (pi) => ({ ...pi, steps: 2 ** 30 }),
  },
  { name: 'shape-log-n', code: 'shape', reason: 'the honest proof checked against the statement of a trace twice as long', publicInputs: (pi) => ({ ...pi, steps: 2 * Number(pi['steps']) }) },
  { name: 'ood-trace', code: 'ood', reason: "the first trace column's value at z is off by one", proof: (p) => ({ ...p, oodTrace: [[bump(p.oodTrace[0]![0]), p.oodTrace[0]![1]], ...p.oodTrace.slice(1)] }) },
  { name: 'pow-nonce', code: 'pow', reason: 'another nonce, without the required leading zero bits', proof: (p) => ({ ...p, nonce: p.nonce ^ 1n }) },
  { name: 'trace-row', code: 'trace-opening', reason: 'one opened trace value changed: its leaf no longer leads to the trace root', proof: (p) => ({ ...p, traceOpening: bumpRow(p.traceOpening) }) },
  { name: 'trace-sibling', code: 'trace-opening', reason: 'one Merkle sibling of the trace opening changed', proof: (p) => ({ ...p, traceOpening: flipSibling(p.traceOpening) }) },
  { name: 'composition-row', code: 'composition-opening', reason: 'one opened composition value changed', proof: (p) => ({ ...p, compositionOpening: bumpRow(p.compositionOpening) }) },
  { name: 'fri-row', code: 'fri-opening', reason: 'one opened value of FRI layer 1 changed', proof: (p) => ({ ...p, friOpenings: [bumpRow(p.friOpenings[0]!), ...p.friOpenings.slice(1)] }) },
  { name: 'final-length', code: 'final-polynomial', reason: 'the final polynomial has one coefficient too few', proof: (p) => ({ ...p, finalPoly: p.finalPoly.slice(0, -1) }) },
  {
    name: 'unexpected-aux', code: 'shape', when: (s) => s.name === 'fib',
    reason: 'an auxiliary root and opening (copies of the trace root and opening) added to a proof of an AIR without an auxiliary segment: format version 2 decodes, but the AIR has no segment',
    proof: (p) => ({ ...p, auxRoot: p.traceRoot, auxOpening: p.traceOpening }),
  },
  ...auxNegatives(),
];

/** The negative cases of a proof with an auxiliary segment (stark.md §16.3): its root, opening, OOD values and format version. */
function auxNegatives(): StarkNegative[] {
  const aux = (s: StarkSubject) => s.air.aux !== undefined;
  const withoutAux = (p: StarkProof): StarkProof => {
    const { auxRoot: _r, auxOpening: _o, ...rest } = p;
    return rest;
  };
  const setVersion = (b: Uint8Array, v: number) => Uint8Array.from(b, (x, i) => (i === 4 ? v : i === 5 ? 0 : x));
  return [
    {
      name: 'aux-root', code: 'ood', when: aux,
      reason: "one bit of the auxiliary root flipped: everything drawn after 'aux-root' (composition coefficients, z, …) changes, so the OOD relation fails first",
      proof: (p) => ({ ...p, auxRoot: Uint8Array.from(p.auxRoot!, (x, i) => (i === 0 ? x ^ 1 : x)) }),
    },
    { name: 'aux-row', code: 'aux-opening', when: aux, reason: 'one opened value of the auxiliary segment changed: its leaf no longer leads to the auxiliary root', proof: (p) => ({ ...p, auxOpening: bumpRow(p.auxOpening!) }) },
    { name: 'aux-sibling', code: 'aux-opening', when: aux, reason: 'one Merkle sibling of the auxiliary opening changed', proof: (p) => ({ ...p, auxOpening: flipSibling(p.auxOpening!) }) },
    {
      name: 'aux-short', code: 'aux-opening', when: aux, reason: 'the auxiliary opening lacks its last row (2m values): it must hold one row per opened position',
      proof: (p) => ({ ...p, auxOpening: { rows: p.auxOpening!.rows.slice(0, p.auxOpening!.rows.length - (p.oodTrace.length - p.width)), proof: p.auxOpening!.proof } }),
    },
    {
      name: 'ood-aux', code: 'ood', when: aux, reason: "the value at z of base column w (auxiliary column 0's c0) is off by one",
      proof: (p) => ({ ...p, oodTrace: p.oodTrace.map((x, i): Fp2.Fp2 => (i === p.width ? [bump(x[0]), x[1]] : x)) }),
    },
    {
      name: 'ood-aux-next', code: 'ood', when: aux, reason: "the value at z·g of the last base column (the last auxiliary column's c1) is off by one",
      proof: (p) => ({ ...p, oodTraceNext: p.oodTraceNext.map((x, i, all): Fp2.Fp2 => (i === all.length - 1 ? [x[0], bump(x[1])] : x)) }),
    },
    {
      name: 'version-1', code: 'shape', when: aux,
      reason: 'the proof without auxRoot and auxOpening, encoded in format version 1: it decodes, but the AIR has an auxiliary segment, so the proof lacks its root',
      proof: withoutAux,
    },
    {
      name: 'version-byte-1', code: 'malformed', when: aux,
      reason: "the honest bytes with the version field (bytes 4–5) set to 1: a version-1 decoder reads the auxiliary root as the composition root, and the fields after it no longer parse",
      bytes: (b) => setVersion(b, 1),
    },
    {
      name: 'no-aux-fields', code: 'malformed', when: aux,
      reason: 'version 2 in the header, but neither auxRoot nor auxOpening in the bytes (the version-1 encoding with bytes 4–5 set to 2): the fields after traceRoot no longer parse',
      bytes: (_b, p) => setVersion(encodeProof(withoutAux(p)), 2),
    },
  ];
}

interface StarkSubject {
  name: string;
  air: Air;
  trace: Column[];
  pub: Uint8Array;
  registered?: { airId: AirId; publicInputs: Json };
  reason: string;
  /** More of the honest case's vector.json, after proof_bytes, given the auxiliary challenges (the LogUp case: its argument and trace). */
  extra?: (challenges: Fp2.Fp2[]) => Json;
}

/**
 * An AIR no registered one matches: shared subexpressions (one used by three transitions, one nested
 * in another), neg, pow, a constant factor through a periodic column, five segments; on the
 * Fibonacci trace, which satisfies it.
 */
function sharedAir(logN: number, result: bigint): Air {
  const sum = share(add(cur(0), cur(1)), 'sum');
  const step = sub(next(0), cur(1));
  return {
    id: 'conformance_shared_v1', width: 2, logN, periodic: [BigUint64Array.of(1n, 2n, 3n, 4n)],
    transitions: [step, add(next(1), neg(sum)), mul(pow(step, 3), share(mul(sum, sum), 'sum_sq')), mul(periodic(0), sub(next(1), sum))],
    boundaries: [{ col: 0, row: 0, value: 1n }, { col: 1, row: 0, value: 1n }, { col: 1, row: 2 ** logN - 1, value: result }],
    parameters: utf8.encode('conformance'),
  };
}

/** The range check's interactions: on bus 1, every row looks up the value of column 1 in the table of column 0, whose row j is looked up cur(2) times. */
const RANGE_BUS = 1;
const rangeInteractions = (): Interaction[] => lookup(RANGE_BUS, { keys: [cur(1)], table: [cur(0)], multiplicity: cur(2) });

/**
 * An AIR with an auxiliary segment (stark.md §5.6, §19): a LogUp range check. Column 0 counts
 * 0 … n−1 (the table), column 1 holds the values to check, column 2 how many times each table row is
 * looked up; a row constraint of degree 2 on the main trace at the last row (cur(0)² = (n−1)²) joins
 * the two the LogUp argument adds. Auxiliary segment: 2 F_p2 columns (the term column of the one chunk
 * of two interactions, and the running sum), 2 challenges (β, γ); 8 declared constraints, 2 segments.
 */
function rangeAir(logN: number): Air {
  const n = 2 ** logN;
  const base: Air = {
    id: 'conformance_range_v1', width: 3, logN, periodic: [],
    transitions: [sub(next(0), add(cur(0), 1))],
    boundaries: [{ col: 0, row: 0, value: 0n }],
    rowConstraints: [{ row: n - 1, expr: sub(mul(cur(0), cur(0)), constant(BigInt((n - 1) ** 2))) }],
    parameters: utf8.encode('conformance range check'),
  };
  return withInteractions(base, rangeInteractions());
}

/** The range check's trace: the table 0 … n−1, the values (i² + 3) mod n, and each table row's count among them. */
function rangeTrace(logN: number): Column[] {
  const n = 2 ** logN;
  const values = Array.from({ length: n }, (_, i) => (i * i + 3) % n);
  const counts = Array.from({ length: n }, (_, j) => values.filter((v) => v === j).length);
  return [BigUint64Array.from({ length: n }, (_, i) => BigInt(i)), BigUint64Array.from(values, BigInt), BigUint64Array.from(counts, BigInt)];
}

/** What the auxiliary case's vector says about its LogUp argument and trace (stark.md §19), besides the AIR itself. */
function rangeExtra(air: Air, trace: Column[], challenges: Fp2.Fp2[]): Json {
  const columns = air.aux!.build(trace, challenges);
  auxBaseColumns(air, columns); // checks them
  return {
    lookup: {
      note: 'informative: how src/stark/lookup.ts built the auxiliary segment and the constraints of air.json from these interactions (stark.md §19)',
      interactions: rangeInteractions().map((it) => ({ bus: it.bus, values: it.values.map(exprJson), multiplicity: exprJson(it.multiplicity) })),
      batch: 2, beta: 'challenge 0', gamma: 'challenge 1', total: '0',
      aux_columns: air.names?.auxColumns ?? [],
      declared: {
        transitions: ['main: next(0) − (cur(0) + 1)', 'logup_t0_cur', 'logup_t0_next', 'logup_sum'],
        row_constraints: ['main (row n−1): cur(0)² − (n−1)²', 'logup_sum_first (row 0)', 'logup_sum_last (row n−1)'],
      },
    },
    trace: trace.map((col) => [...col].map(String)),
    aux_trace: columns.map((c) => Array.from(c.c0, (x, r): [string, string] => [x.toString(), c.c1[r]!.toString()])),
  };
}

function starkSubjects(): StarkSubject[] {
  const registered = (name: string, airId: AirId, logN: number): StarkSubject => {
    const entry = AIRS[airId];
    const { trace, publicInputs } = entry.sample(logN);
    const pi = JSON.parse(JSON.stringify(publicInputs, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
    return { name, air: entry.air(publicInputs), trace, pub: entry.encode(publicInputs), registered: { airId, publicInputs: pi }, reason: `an honest ${airId} proof at the test options` };
  };
  const fib = AIRS[FIB_AIR_ID].sample(7);
  const range = rangeAir(7), rangeColumns = rangeTrace(7);
  return [
    registered('fib', FIB_AIR_ID, 7),
    registered('geom', GEOM_AIR_ID, 9),
    {
      name: 'shared', air: sharedAir(7, BigInt(String(fib.publicInputs.result))), trace: fib.trace, pub: utf8.encode('conformance_shared_v1 public inputs'),
      reason: 'an honest proof of an AIR given in air.json (let and ref, neg, pow, a periodic column, five segments)',
    },
    {
      name: 'range', air: range, trace: rangeColumns, pub: utf8.encode('conformance_range_v1 public inputs'), extra: (challenges) => rangeExtra(range, rangeColumns, challenges),
      reason: 'an honest proof of an AIR with an auxiliary segment given in air.json: a LogUp range check (2 F_p2 columns, 2 challenges, aux-cur, aux-next and challenge leaves, 3 row constraints), format version 2',
    },
  ];
}

async function starkVectors(k: Kernels, files: Files, cases: Case[]): Promise<void> {
  const backend = await createNodeCpuBackend({ threads: 1 });
  try {
    for (const subject of starkSubjects()) {
      const { name, air, trace, pub } = subject, o = TEST_OPTIONS_INSECURE;
      const statementHash = sha256(utf8.encode(`capseal conformance ${name}`));
      const { proof } = await prove(k, backend, { air, trace, statementHash, publicInputs: pub, options: o });
      const bin = encodeProof(proof);
      const dir = `stark/${name}`;
      files.set(`${dir}/proof.bin`, bin);
      files.set(`${dir}/proof.json`, jsonFile(proofToJson(proof)));
      const pi = subject.registered?.publicInputs;
      const statement: Pick<StarkCase, 'air_id' | 'public_inputs' | 'air' | 'public_input_bytes'> = subject.registered
        ? { air_id: subject.registered.airId, public_inputs: pi }
        : { air: `${dir}/air.json`, public_input_bytes: hex(pub) };
      if (!subject.registered) files.set(`${dir}/air.json`, jsonFile(airJson(air)));
      const base = { kind: 'stark' as const, ...statement, statement_hash: hex(statementHash), min_security_bits: 0 };
      files.set(`${dir}/vector.json`, jsonFile({
        case: `${dir}/honest`,
        air: airJson(air), ...statement, public_input_bytes: hex(pub), statement_hash: hex(statementHash),
        options: { ...o, encoded: hex(encodeOptions(o)) }, security_bits: securityBits(air.logN, o), proof_bytes: bin.length,
        ...subject.extra?.(replayToPow(air, o, proof, statementHash, pub).challenges),
        ...starkTrace(k, air, o, proof, statementHash, pub),
      }));
      cases.push({ id: `${dir}/honest`, ...base, proof: `${dir}/proof.bin`, expect: { status: 'accepted' }, reason: subject.reason, vector: `${dir}/vector.json` });
      for (const neg of STARK_NEGATIVES) {
        if ((neg.publicInputs && !pi) || (neg.when && !neg.when(subject))) continue;
        const bytes = neg.bytes ? neg.bytes(bin, proof) : neg.proof ? encodeProof(neg.proof(proof)) : bin;
        const path = bytes === bin ? `${dir}/proof.bin` : `${dir}/negative/${neg.name}.bin`;
        if (bytes !== bin) files.set(path, bytes);
        const c: StarkCase = {
          id: `${dir}/${neg.name}`, ...base, proof: path, ...(neg.publicInputs && { public_inputs: neg.publicInputs(pi!) }),
          ...(neg.minSecurityBits !== undefined && { min_security_bits: neg.minSecurityBits }), expect: { status: 'rejected', code: neg.code }, reason: neg.reason,
        };
        const got = runStarkCase(k, c, files);
        if (got.status !== 'rejected' || got.code !== neg.code) throw new Error(`conformance: ${c.id} gives ${JSON.stringify(got)}, not ${neg.code}`);
        cases.push(c);
      }
    }
  } finally {
    await backend.destroy();
  }
}

/** What the project's STARK verifier says of a case: a proof that does not decode is `malformed`. */
export function runStarkCase(k: Kernels, c: StarkCase, files: Files): { status: 'accepted' } | { status: 'rejected'; code: StarkErrorCode } {
  let proof: StarkProof;
  try {
    proof = decodeProof(files.get(c.proof)!);
  } catch {
    return { status: 'rejected', code: 'malformed' };
  }
  const [air, pub] = c.air
    ? [airFromJson(JSON.parse(new TextDecoder().decode(files.get(c.air)!)) as Json), hexToBytes(c.public_input_bytes!)]
    : [AIRS[c.air_id!].air(c.public_inputs), AIRS[c.air_id!].encode(c.public_inputs)];
  const v = verifyProof(k, air, proof, hexToBytes(c.statement_hash), pub, { minSecurityBits: c.min_security_bits });
  return v.ok ? { status: 'accepted' } : { status: 'rejected', code: v.code };
}

// ------------------------------------------------------------------ capsules

/** The signing key of the vectors: its private key is public on purpose (SHA-256 of a label), never use it for anything else. */
export const CONFORMANCE_KEY: KeyFile = (() => {
  const sk = sha256(utf8.encode('capseal conformance signing key (public, for test vectors only)'));
  return { schema: KEY_FILE_SCHEMA, private_key: hex(sk), public_key: hex(secp256k1.getPublicKey(sk, true)) };
})();

const CAPSULE_DIR = 'capsule/fib';
const CAPSULE_INPUT = { steps: 32 };
const CHUNK_LEN = 16;
const ANCHORS = { run: 'conformance-1' };

/** The base capsule: FIB_AIR_V1 over 32 steps at the default options, signed, with every chunk; timings recorded as 0. */
async function baseCapsule(k: Kernels, chunkLen = CHUNK_LEN, policyBytes?: Uint8Array): Promise<Files> {
  const plan = planSeal({ adapter: ADAPTERS['fib']!, input: CAPSULE_INPUT, chunkLen, anchors: ANCHORS, ...(policyBytes && { policyBytes }) });
  const declared: Declared = (proved) => ({
    prove_ms: 0, verify_ms: 0, stages: proved.stages.map((s) => ({ stage: s.stage, ms: 0, backend: s.backend })), backend: { requested: 'cpu', description: 'cpu' },
  });
  return (await sealPlan(k, plan, declared, { key: CONFORMANCE_KEY })).dir;
}

const parse = (b: Uint8Array): Json => JSON.parse(new TextDecoder().decode(b)) as Json;
const at = (c: Json, path: string): Json => path.split('.').reduce((o: Json, key) => o[key] as Json, c);

/** The capsule's own hashes recomputed after an edit: trace spec and statement (when `inner`), then the capsule hash; the signature is dropped or made again. */
function reseal(c: Json, inner: boolean): Json {
  if (inner) rehashInner(c);
  const { authorship: _, ...rest } = c;
  const hash = capsuleHash(rest);
  return { ...rest, capsule_hash: hash, authorship: signCapsuleHash(hash, CONFORMANCE_KEY) };
}

interface CapsuleNegative {
  code: ErrorCode;
  name: string;
  reason: string;
  /** Edits the capsule and the directory's files; returns the files to overlay (null: removed). */
  make: (c: Json, dir: Files) => Record<string, Uint8Array | Json | null>;
  verify?: (refs: { file: (name: string, bytes: Uint8Array) => string }) => CapsuleCase['verify'];
}

const FIB_BIN = 'proofs/fib.proof.bin';

const CAPSULE_NEGATIVES: CapsuleNegative[] = [
  { code: 'E001_MALFORMED_CAPSULE', name: 'unknown-field', reason: 'a field the schema does not define, with every hash recomputed: objects are closed', make: (c) => ({ 'capsule.json': reseal({ ...c, extra: 1 }, false) }) },
  { code: 'E002_UNSUPPORTED_SCHEMA', name: 'schema-v2', reason: 'schema bef_capsule_v2', make: (c) => ({ 'capsule.json': reseal({ ...c, schema: 'bef_capsule_v2' }, false) }) },
  { code: 'E010_CAPSULE_HASH_MISSING', name: 'no-capsule-hash', reason: 'capsule_hash removed', make: (c) => { const { capsule_hash: _, ...rest } = c; return { 'capsule.json': rest }; } },
  { code: 'E011_CAPSULE_HASH_MISMATCH', name: 'edited-anchor', reason: 'an anchor edited after sealing, nothing recomputed', make: (c) => { at(c, 'anchors')['run'] = 'conformance-2'; return { 'capsule.json': c }; } },
  { code: 'E030_POLICY_HASH_MISMATCH', name: 'edited-policy', reason: 'the policy file next to the capsule edited (one space appended)', make: (_c, dir) => ({ 'policy.json': Uint8Array.from([...dir.get('policy.json')!, 0x20]) }) },
  {
    code: 'E031_POLICY_NOT_IN_REGISTRY', name: 'other-registry', reason: "an inclusion proof for the capsule's policy, checked against the root of a registry without it", make: () => ({}),
    verify: ({ file }) => {
      const policyHash = POLICY_HASH!;
      const withIt = buildRegistry([{ policy_id: 'capseal_default', policy_version: '1.0.0', policy_hash: policyHash }]);
      const other = buildRegistry([{ policy_id: 'x', policy_version: '1', policy_hash: 'b'.repeat(64) }]);
      return { registry_root: other.root, inclusion_proof: file('inclusion-proof.json', jsonFile(proveInclusion(withIt, policyHash))) };
    },
  },
  { code: 'E040_ARTIFACT_MISSING', name: 'no-json-proof', reason: 'the JSON form of the proof is missing', make: () => ({ 'proofs/fib.proof.json': null }) },
  { code: 'E041_ARTIFACT_HASH_MISMATCH', name: 'other-proof-bytes', reason: 'the binary proof replaced by other bytes, the record unchanged', make: (_c, dir) => ({ [FIB_BIN]: Uint8Array.from([...dir.get(FIB_BIN)!].reverse()) }) },
  {
    code: 'E042_PROOF_DECODE_ERROR', name: 'truncated-proof', reason: 'the binary proof truncated by one byte, with its record and the capsule hash recomputed',
    make: (c, dir) => { const b = dir.get(FIB_BIN)!.subarray(0, -1); recordArtifact(c, FIB_BIN, b); return { [FIB_BIN]: b.slice(), 'capsule.json': reseal(c, false) }; },
  },
  { code: 'E050_STATEMENT_HASH_MISMATCH', name: 'edited-statement', reason: "the statement's anchor edited, the capsule hash recomputed but not the statement hash", make: (c) => { at(c, 'statement.anchors')['run'] = 'conformance-2'; return { 'capsule.json': reseal(c, false) }; } },
  { code: 'E053_PROOF_STATEMENT_MISMATCH', name: 'trace-spec-hash', reason: 'trace_spec_hash replaced, the capsule hash recomputed', make: (c) => ({ 'capsule.json': reseal({ ...c, trace_spec_hash: 'd'.repeat(64) }, false) }) },
  {
    code: 'E054_PROOF_INVALID', name: 'other-result', reason: 'the statement claims another Fibonacci result, with every hash recomputed: the proof does not verify under it',
    make: (c) => { const pi = at(c, 'statement.public_inputs'); pi['result'] = (BigInt(pi['result'] as string) + 1n).toString(); return { 'capsule.json': reseal(c, true) }; },
  },
  { code: 'E055_NOVA_STATE_MISMATCH', name: 'nova-state', reason: "a recursion block whose nova_state differs from the capsule's trace_commitment", make: (c) => ({ 'capsule.json': reseal({ ...c, nova_stats: { nova_state: 'f'.repeat(64) }, trace_commitment: 'e'.repeat(64) }, false) }) },
  { code: 'E056_SECURITY_BELOW_MINIMUM', name: 'floor-200', reason: 'the verifier asks for 200 bits of conjectured security', make: () => ({}), verify: () => ({ min_security_bits: 200 }) },
  { code: 'E057_RECURSION_UNSUPPORTED', name: 'recursion', reason: 'a consistent recursion block: recursion is not supported by this verifier', make: (c) => ({ 'capsule.json': reseal({ ...c, nova_stats: { nova_state: 'f'.repeat(64) }, trace_commitment: 'f'.repeat(64) }, false) }) },
  {
    code: 'E060_ROW_INDEX_MISMATCH', name: 'swapped-chunk-roots', reason: 'the first two chunk roots swapped in both files, the digest and capsule hash recomputed',
    make: (c, dir) => {
      const roots = dir.get('row_archive/chunk_roots.bin')!, swapped = roots.slice();
      swapped.set(roots.subarray(0, 32), 32);
      swapped.set(roots.subarray(32, 64), 0);
      at(c, 'row_index_ref')['chunk_roots_digest'] = sha256Hex(swapped);
      const json = { schema: 'capseal_chunk_roots_v1', chunk_roots: Array.from({ length: swapped.length / 32 }, (_, i) => hex(swapped.subarray(32 * i, 32 * i + 32))) };
      return { 'row_archive/chunk_roots.bin': swapped, 'row_archive/chunk_roots.json': json, 'capsule.json': reseal(c, false) };
    },
  },
  {
    code: 'E060_ROW_INDEX_MISMATCH', name: 'short-chunk-roots', reason: 'the last chunk root cut from both files, the digest and capsule hash recomputed: 15 roots for 16 chunks',
    make: (c, dir) => {
      const roots = dir.get('row_archive/chunk_roots.bin')!.subarray(0, -32).slice();
      at(c, 'row_index_ref')['chunk_roots_digest'] = sha256Hex(roots);
      const json = { schema: 'capseal_chunk_roots_v1', chunk_roots: Array.from({ length: roots.length / 32 }, (_, i) => hex(roots.subarray(32 * i, 32 * i + 32))) };
      return { 'row_archive/chunk_roots.bin': roots, 'row_archive/chunk_roots.json': json, 'capsule.json': reseal(c, false) };
    },
  },
  {
    code: 'E061_CHUNK_ROOTS_DIGEST_MISMATCH', name: 'edited-chunk-roots', reason: 'one bit of chunk_roots.bin flipped, the digest left as it was',
    make: (_c, dir) => { const b = dir.get('row_archive/chunk_roots.bin')!.slice(); b[0]! ^= 1; return { 'row_archive/chunk_roots.bin': b }; },
  },
  {
    code: 'E070_AUTHORSHIP_REQUIRED', name: 'unsigned-with-acl', reason: 'the signature removed (the capsule hash does not cover it) while the verifier holds an ACL',
    make: (c) => { const { authorship: _, ...rest } = c; return { 'capsule.json': rest }; }, verify: ({ file }) => ({ acl: file('acl.json', jsonFile(aclFor(CONFORMANCE_KEY.public_key))) }),
  },
  { code: 'E071_SIGNATURE_INVALID', name: 'signature-over-other-hash', reason: 'a signature by the right key over another capsule hash', make: (c) => ({ 'capsule.json': { ...c, authorship: signCapsuleHash('0'.repeat(64), CONFORMANCE_KEY) } }) },
  {
    code: 'E072_SIGNER_NOT_AUTHORIZED', name: 'signer-revoked', reason: "the ACL lists the signer's key as revoked for the policy", make: () => ({}),
    verify: ({ file }) => ({ acl: file('acl-revoked.json', jsonFile(aclFor(CONFORMANCE_KEY.public_key, 'revoked'))) }),
  },
  { code: 'E080_DA_CHUNK_UNAVAILABLE', name: 'missing-chunk', reason: 'a sampled row chunk is missing from the archive', make: () => ({ [chunkPath(1)]: null }) },
  {
    code: 'E081_DA_CHUNK_MISMATCH', name: 'edited-chunk', reason: 'one bit of a sampled row chunk flipped: it no longer hashes to its chunk root',
    make: (_c, dir) => { const b = dir.get(chunkPath(2))!.slice(); b[9]! ^= 1; return { [chunkPath(2)]: b }; },
  },
  { code: 'E082_DA_POLICY_INVALID', name: 'k-too-small', reason: 'k_samples lowered below ceil(ln(1/ε)/δ), every hash recomputed', make: (c) => { at(c, 'da_policy')['k_samples'] = Number(at(c, 'da_policy')['k_samples']) - 1; return { 'capsule.json': reseal(c, false) }; } },
];

let POLICY_HASH: string | undefined;

const aclFor = (pubkey: string, status: 'active' | 'revoked' = 'active') => ({ schema: ACL_SCHEMA, policies: { capseal_default: [{ pubkey, status }] } });

async function capsuleVectors(k: Kernels, files: Files, cases: Case[]): Promise<void> {
  const dir = await baseCapsule(k);
  for (const [p, b] of dir) files.set(`${CAPSULE_DIR}/${p}`, b);
  const capsule = parse(dir.get('capsule.json')!);
  POLICY_HASH = sha256Hex(dir.get('policy.json')!);
  const da = capsule['da_policy'] as Json, meta = capsule['chunk_meta'] as Json, policy = capsule['policy'] as Json;
  const seedInput = { capsuleHash: capsule['capsule_hash'] as string, anchors: capsule['anchors'] as Record<string, string>, policyId: policy['policy_id'] as string, policyVersion: policy['policy_version'] as string };
  const { capsule_hash: _h, authorship: _a, ...preimage } = capsule;
  const audit = (nonce?: string) => {
    const seed = auditSeed({ ...seedInput, ...(nonce && { challengeNonce: nonce }) });
    return {
      ...(nonce && { challenge_nonce: nonce }),
      seed_object: JSON.parse(new TextDecoder().decode(canonicalBytes({ domain: 'capseal_da_audit_v1', capsule_hash: seedInput.capsuleHash, anchors: seedInput.anchors, policy_id: seedInput.policyId, policy_version: seedInput.policyVersion, challenge_nonce: nonce ?? null }))) as Json,
      seed: hex(seed), samples: sampleChunks(seed, Number(meta['num_chunks']), Number(da['k_samples'])),
    };
  };
  files.set(`${CAPSULE_DIR}.vector.json`, jsonFile({
    case: `${CAPSULE_DIR}/honest`,
    input: { trace_format_id: 'FIB_AIR_V1', ...CAPSULE_INPUT, chunk_len: CHUNK_LEN, anchors: ANCHORS },
    trace_spec_jcs: new TextDecoder().decode(canonicalBytes(capsule['trace_spec'])), trace_spec_hash: capsule['trace_spec_hash'],
    statement_jcs: new TextDecoder().decode(canonicalBytes(capsule['statement'])), statement_hash: capsule['statement_hash'],
    capsule_hash_preimage_jcs: new TextDecoder().decode(canonicalBytes(preimage)), capsule_hash: capsule['capsule_hash'],
    policy_hash: POLICY_HASH, chunk_roots_digest: sha256Hex(dir.get('row_archive/chunk_roots.bin')!),
    signing_key: CONFORMANCE_KEY,
    da: { k: daSampleCount(Number(da['delta']), Number(da['epsilon']), Number(da['min_k_samples'])), num_chunks: meta['num_chunks'], self_audit: audit(), challenge_audit: audit('00ff') },
  }));
  cases.push({ id: `${CAPSULE_DIR}/honest`, kind: 'capsule', base: CAPSULE_DIR, overlay: {}, verify: {}, expect: { status: 'accepted' }, reason: 'an honest, signed capsule with its whole row archive', vector: `${CAPSULE_DIR}.vector.json` });
  cases.push({
    id: `${CAPSULE_DIR}/honest-challenge`, kind: 'capsule', base: CAPSULE_DIR, overlay: {}, verify: { challenge_nonce: '00ff', acl: 'capsule/negative/acl.json' },
    expect: { status: 'accepted' }, reason: 'the same capsule under a challenge audit and an ACL listing its signer as active',
  });
  files.set('capsule/negative/acl.json', jsonFile(aclFor(CONFORMANCE_KEY.public_key)));

  for (const neg of CAPSULE_NEGATIVES) {
    const folder = `capsule/negative/${neg.code.slice(0, 4).toLowerCase()}-${neg.name}`;
    const overlay: Record<string, string | null> = {};
    for (const [p, v] of Object.entries(neg.make(clone(capsule), dir))) {
      if (v === null) overlay[p] = null;
      else {
        files.set(`${folder}/${p}`, v instanceof Uint8Array ? v : jsonFile(v));
        overlay[p] = `${folder}/${p}`;
      }
    }
    const verify = neg.verify?.({ file: (name, bytes) => (files.set(`${folder}/${name}`, bytes), `${folder}/${name}`) }) ?? {};
    const c: CapsuleCase = { id: folder, kind: 'capsule', base: CAPSULE_DIR, overlay, verify, expect: { status: 'rejected', code: neg.code }, reason: neg.reason };
    const got = await runCapsuleCase(k, c, files);
    if (got.status !== 'rejected' || got.code !== neg.code) throw new Error(`conformance: ${c.id} gives ${got.status} ${got.code}: ${got.message}`);
    cases.push(c);
  }
  const covered = new Set(CAPSULE_NEGATIVES.map((n) => n.code));
  const missing = Object.keys(ERROR_CODES).filter((code) => !covered.has(code as ErrorCode));
  if (missing.length) throw new Error(`conformance: no negative capsule case for ${missing.join(', ')}`);
}

/** The project's capsule verifier on a case: the base directory with the overlay applied. */
export async function runCapsuleCase(k: Kernels, c: CapsuleCase, files: Files): Promise<{ status: string; code: ErrorCode | null; message: string }> {
  const dir = new Map<string, Uint8Array>();
  const prefix = `${c.base}/`;
  for (const [p, b] of files) if (p.startsWith(prefix)) dir.set(p.slice(prefix.length), b);
  for (const [p, from] of Object.entries(c.overlay)) {
    if (from === null) dir.delete(p);
    else dir.set(p, files.get(from)!);
  }
  const read = (p: string) => files.get(p)!;
  const opts: VerifyCapsuleOptions = {
    ...(c.verify.policy && { policyBytes: read(c.verify.policy) }),
    ...(c.verify.acl && { acl: parseAcl(parse(read(c.verify.acl))) }),
    ...(c.verify.registry_root && { registry: { root: c.verify.registry_root, inclusionProof: parse(read(c.verify.inclusion_proof!)) } }),
    ...(c.verify.challenge_nonce && { challengeNonce: c.verify.challenge_nonce }),
    minSecurityBits: c.verify.min_security_bits ?? DEFAULT_SECURITY_BITS,
  };
  const r = await verifyCapsule(k, dir.get('capsule.json')!, memFiles(dir), opts);
  return { status: r.status, code: r.code, message: r.message };
}

/**
 * The DA audit in context: a capsule of 64 chunks under a policy whose k is 5, so the draws decide
 * which chunks are read. A chunk outside the sample may be missing; one inside may not; a challenge
 * audit reads other chunks than the self-audit.
 */
async function sampledCapsuleVectors(k: Kernels, files: Files, cases: Case[]): Promise<void> {
  const dirName = 'capsule/fib-sampled';
  const policy = utf8.encode(`${JSON.stringify({
    schema: 'capseal_policy_v1', policy_id: 'conformance_sampled', policy_version: '1.0.0', min_security_bits: 100,
    da_policy: { verification_level: 'probabilistic_da_sampling', delta: 0.5, epsilon: 0.1, min_k_samples: 1 },
  }, null, 2)}\n`);
  const dir = await baseCapsule(k, 4, policy);
  for (const [p, b] of dir) files.set(`${dirName}/${p}`, b);
  const capsule = parse(dir.get('capsule.json')!);
  const meta = capsule['chunk_meta'] as Json, da = capsule['da_policy'] as Json, pol = capsule['policy'] as Json;
  const draw = (nonce?: string) => sampleChunks(auditSeed({
    capsuleHash: capsule['capsule_hash'] as string, anchors: capsule['anchors'] as Record<string, string>,
    policyId: pol['policy_id'] as string, policyVersion: pol['policy_version'] as string, ...(nonce && { challengeNonce: nonce }),
  }), Number(meta['num_chunks']), Number(da['k_samples']));
  const self = draw(), challenged = draw('00ff');
  const outside = Array.from({ length: Number(meta['num_chunks']) }, (_, i) => i).find((i) => !self.includes(i) && !challenged.includes(i))!;
  const onlyChallenged = challenged.find((i) => !self.includes(i));
  if (onlyChallenged === undefined) throw new Error('conformance: the challenge audit draws no chunk the self-audit does not');
  files.set(`${dirName}.vector.json`, jsonFile({
    case: `${dirName}/honest`, policy_hash: sha256Hex(policy), k: da['k_samples'], num_chunks: meta['num_chunks'], capsule_hash: capsule['capsule_hash'],
    self_audit: self, challenge_audit: { challenge_nonce: '00ff', samples: challenged },
  }));
  const push = (id: string, overlay: Record<string, string | null>, verify: CapsuleCase['verify'], expect: CapsuleCase['expect'], reason: string) =>
    cases.push({ id: `${dirName}/${id}`, kind: 'capsule', base: dirName, overlay, verify, expect, reason, ...(id === 'honest' && { vector: `${dirName}.vector.json` }) });
  push('honest', {}, {}, { status: 'accepted' }, 'an honest capsule of 64 chunks whose policy gives k = 5: the self-audit reads five of them');
  push('unsampled-chunk-missing', { [chunkPath(outside)]: null }, {}, { status: 'accepted' }, `chunk ${outside}, which neither audit draws, is missing: nothing reads it`);
  push('sampled-chunk-missing', { [chunkPath(self[0]!)]: null }, {}, { status: 'rejected', code: 'E080_DA_CHUNK_UNAVAILABLE' }, `chunk ${self[0]}, the self-audit's first draw, is missing`);
  push('challenge-chunk-missing', { [chunkPath(onlyChallenged)]: null }, { challenge_nonce: '00ff' }, { status: 'rejected', code: 'E080_DA_CHUNK_UNAVAILABLE' },
    `chunk ${onlyChallenged}, which the challenge audit with nonce 00ff draws and the self-audit does not, is missing`);
  for (const c of cases.filter((x) => x.id.startsWith(`${dirName}/`))) {
    const got = await runCapsuleCase(k, c as CapsuleCase, files);
    if (got.status !== c.expect.status || got.code !== ('code' in c.expect ? c.expect.code : null)) throw new Error(`conformance: ${c.id} gives ${got.status} ${got.code}: ${got.message}`);
  }
}

// ------------------------------------------------------------------ DA sampling alone

/** The audit draws on their own, at sizes where k < number of chunks, so the rejection and dedup rules show. */
function daVectors(files: Files): void {
  const draws = [
    { num_chunks: 1000, k: 139, nonce: undefined },
    { num_chunks: 1000, k: 139, nonce: '01' },
    { num_chunks: 3, k: 2, nonce: undefined },
    { num_chunks: 2 ** 53 - 1, k: 3, nonce: undefined },
  ].map(({ num_chunks, k, nonce }) => {
    const input = { capsuleHash: 'c'.repeat(64), anchors: { run: 'ci-1', dataset_hash: 'a'.repeat(64) }, policyId: 'capseal_default', policyVersion: '1.0.0', ...(nonce && { challengeNonce: nonce }) };
    const seed = auditSeed(input);
    return {
      seed_input: { capsule_hash: input.capsuleHash, anchors: input.anchors, policy_id: input.policyId, policy_version: input.policyVersion, challenge_nonce: nonce ?? null },
      seed_jcs: new TextDecoder().decode(canonicalBytes({ domain: 'capseal_da_audit_v1', capsule_hash: input.capsuleHash, anchors: input.anchors, policy_id: input.policyId, policy_version: input.policyVersion, challenge_nonce: nonce ?? null })),
      seed: hex(seed), num_chunks, k, samples: sampleChunks(seed, num_chunks, k),
    };
  });
  // Draws where the rejection rule decides: N with 2^64 mod N ≈ N/2 (a draw is refused with odds ≈ 2^-12),
  // and N = 2^52, a power of two, where nothing is refused (limit = 2^64) but a draw ≥ 2^64 − N shows
  // an implementation that computes the limit as (2^64 − 1) − (2^64 − 1) mod N. The seed's capsule hash
  // is the first SHA-256(u32 LE i) whose draws show it.
  const rejection = [Math.floor(2 ** 64 / 2048.5), 2 ** 52].map((numChunks) => {
    const n = BigInt(numChunks), limit = (2n ** 64n / n) * n, k = 3;
    for (let i = 0; ; i++) {
      const input = { capsuleHash: hex(sha256(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24))), anchors: {}, policyId: 'capseal_default', policyVersion: '1.0.0' };
      const seed = auditSeed(input);
      const raw: Json[] = [];
      const picked = new Set<number>();
      for (let j = 0; picked.size < k; j++) {
        const x = new DataView(sha256(Uint8Array.from([...seed, j & 0xff, (j >> 8) & 0xff, (j >> 16) & 0xff, j >>> 24])).buffer).getBigUint64(0, true);
        const accepted = x < limit;
        if (accepted) picked.add(Number(x % n));
        raw.push({ j, x: x.toString(), accepted, ...(accepted && { index: Number(x % n) }) });
      }
      const shows = numChunks === 2 ** 52 ? raw.some((r) => BigInt(r['x'] as string) >= 2n ** 64n - n) : raw.some((r) => !r['accepted']);
      if (!shows) continue;
      const samples = sampleChunks(seed, numChunks, k);
      if (JSON.stringify(samples) !== JSON.stringify([...picked].sort((a, b) => a - b))) throw new Error('conformance: the draws disagree with sampleChunks');
      return {
        seed_input: { capsule_hash: input.capsuleHash, anchors: {}, policy_id: input.policyId, policy_version: input.policyVersion, challenge_nonce: null },
        seed: hex(seed), num_chunks: numChunks, k, limit: limit.toString(), draws: raw, samples,
      };
    }
  });
  const counts = [[0.1, 1e-6, 64], [0.5, 0.5, 64], [0.05, 1e-9, 16], [0.3, 0.01, 1]].map(([delta, epsilon, minK]) => ({ delta, epsilon, min_k_samples: minK, k: daSampleCount(delta!, epsilon!, minK!) }));
  files.set('da/sampling.json', jsonFile({ draws, rejection, sample_counts: counts }));
}

// ------------------------------------------------------------------ all

export async function generateConformance(k: Kernels): Promise<Files> {
  const files: Files = new Map();
  const cases: Case[] = [];
  await starkVectors(k, files, cases);
  await capsuleVectors(k, files, cases);
  await sampledCapsuleVectors(k, files, cases);
  const packCases: PackCase[] = [];
  await packVectors(k, files, packCases, CONFORMANCE_KEY);
  cases.push(...packCases);
  daVectors(files);
  files.set('manifest.json', jsonFile({
    conformance: CONFORMANCE_VERSION,
    specs: { stark: 'docs/spec/stark.md (capseal-stark-v1, proof formats 1 and 2)', capsule: 'docs/spec/capsule.md (bef_capsule_v1)', capsulepack: 'docs/spec/capsulepack.md (bef_capsulepack_v1, bef_benchmark_policy_v1)', stream: 'docs/spec/stream.md (bef_capsule_stream_v1)' },
    cases,
    other_vectors: ['da/sampling.json'],
    server_only_codes: SERVER_ONLY,
  }));
  return files;
}
