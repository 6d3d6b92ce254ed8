/**
 * The capseal-stark-v1 verifier: replays the transcript from the statement (with the auxiliary
 * segment's challenges and root, for an AIR with one, whose constraints it checks lowered to the
 * base field, ./aux.ts), checks the OOD relation,
 * the proof of work, every Merkle opening, and DEEP/FRI consistency at every query down to the final
 * polynomial, whose degree bound is fixed by its exact length. It recomputes everything it relies on,
 * refuses options below the caller's minimum security, and never throws: any malformed input is a
 * rejection with a code. It judges one reading of its input: the proof, statement hash and public
 * inputs are copied into plain data first (./snapshot.ts), so a getter or Proxy cannot show the
 * transcript one value and the checks another. It accepts any nonce with enough proof of work, not
 * only the prover's least one, so proof bytes are not unique to a statement; the identities that
 * must be stable (the statement hash, a leaderboard run's id) do not depend on them (docs/proof-identity.md).
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { findNonCanonical } from '../field/columns.js';
import { DIGEST_BYTES } from '../hash/digest.js';
import { hashRowsRowMajor } from '../hash/leaves.js';
import { verifyBatch } from '../merkle/proof.js';
import type { Kernels } from '../wasm/kernels.js';
import { compositionSegments, type Air } from './air.js';
import { COSET_SHIFT } from './domain.js';
import { friPlan } from './fri.js';
import { deepAtPoints, evaluateAtPositions, foldGroups, pointExponents } from './query-kernels.js';
import { compositionAt, segmentsAt } from './ood.js';
import { checkOptions, securityBits, type ProofOptions } from './options.js';
import type { Opening, StarkProof } from './proof.js';
import { drawOodPoint, drawQueries, nonceBytes, startTranscript } from './protocol.js';
import { snapshot, snapshotBytes } from './snapshot.js';
import type { Transcript } from './transcript.js';
import { compositionCoefficientCount } from './composition.js';
import { lowerAir, UnsatisfiableUnderChallengesError, type LoweredAir } from './aux.js';

export type StarkErrorCode =
  | 'malformed' | 'options' | 'security' | 'shape' | 'ood' | 'pow'
  | 'trace-opening' | 'aux-opening' | 'composition-opening' | 'fri-opening' | 'fri-folding' | 'final-polynomial';

export type StarkVerdict = { ok: true; securityBits: number } | { ok: false; code: StarkErrorCode; message: string };

class Rejection extends Error {
  constructor(readonly code: StarkErrorCode, message: string) {
    super(message);
  }
}

function require(cond: boolean, code: StarkErrorCode, message: string): asserts cond {
  if (!cond) throw new Rejection(code, message);
}

const INV_SHIFT = Fp.inv(COSET_SHIFT);
const isDigest = (d: unknown): d is Uint8Array => d instanceof Uint8Array && d.length === 32;
const isExt = (x: unknown): x is Fp2.Fp2 => Array.isArray(x) && x.length === 2 && x.every((c) => Fp.isCanonical(c));
const extList = (xs: unknown, len: number): boolean => Array.isArray(xs) && xs.length === len && xs.every(isExt);

export interface VerifyOptions {
  /** Reject proofs whose options give less conjectured security than this (bits). */
  minSecurityBits: number;
}

/** An opening's rows (count × width values, row-major), after checking their shape and that every value is canonical. */
function openedRows(op: Opening, count: number, width: number, code: StarkErrorCode, what: string): BigUint64Array {
  require(typeof op === 'object' && op !== null && op.rows instanceof BigUint64Array, code, `${what}: rows missing`);
  require(op.rows.length === count * width, code, `${what}: ${op.rows.length} values, expected ${count}·${width}`);
  const bad = findNonCanonical(op.rows);
  require(bad < 0, code, `${what}: row ${Math.floor(bad / width)} holds a non-canonical element`);
  return op.rows;
}

/** The opened rows (indices.length × width) hash to leaves that `op`'s Merkle proof takes to `root`. */
function checkOpening(k: Kernels, root: Uint8Array, depth: number, indices: number[], rows: BigUint64Array, width: number, op: Opening, code: StarkErrorCode, what: string): void {
  const digests = hashRowsRowMajor(k, rows, indices.length, width);
  const leaves = indices.map((_, r) => digests.subarray(r * DIGEST_BYTES, (r + 1) * DIGEST_BYTES));
  require(verifyBatch(root, depth, indices, leaves, op.proof), code, `${what}: Merkle opening does not match the root`);
}

/** The challenges a proof's transcript gives before its proof of work, and the transcript there. */
export interface PowReplay {
  /** The transcript the nonce is checked against (Transcript.checkPow) and then absorbed into. */
  transcript: Transcript;
  /** The auxiliary segment's challenges (none without one). */
  challenges: Fp2.Fp2[];
  /** One composition coefficient per declared constraint (transitions, boundaries, row constraints). */
  alphas: Fp2.Fp2[];
  z: Fp2.Fp2;
  gammas: Fp2.Fp2[];
  friAlphas: Fp2.Fp2[];
}

/** The transcript replay of a proof whose shape is checked, in the prover's order, up to the proof of work. */
export function replayToPow(air: Air, o: ProofOptions, proof: StarkProof, statementHash: Uint8Array, publicInputs: Uint8Array): PowReplay {
  const w = loweredWidth(air), S = compositionSegments(air), plan = friPlan(air.logN, o);
  const t = startTranscript(air, o, statementHash, publicInputs);
  t.absorb('trace-root', proof.traceRoot);
  const challenges = Array.from({ length: air.aux?.challenges ?? 0 }, () => t.challengeExt('aux-challenge'));
  if (air.aux) t.absorb('aux-root', proof.auxRoot!);
  const alphas = Array.from({ length: compositionCoefficientCount(air) }, () => t.challengeExt('composition-coefficient'));
  t.absorb('composition-root', proof.compositionRoot);
  const z = drawOodPoint(t);
  t.absorbExt('ood-trace', proof.oodTrace);
  t.absorbExt('ood-trace-next', proof.oodTraceNext);
  t.absorbExt('ood-composition', proof.oodComposition);
  const gammas = Array.from({ length: 2 * w + S }, () => t.challengeExt('deep-coefficient'));
  const friAlphas: Fp2.Fp2[] = [];
  for (let i = 0; i < plan.folds; i++) {
    friAlphas.push(t.challengeExt('fri-alpha'));
    if (i < plan.folds - 1) t.absorb('fri-root', proof.friRoots[i]!);
  }
  t.absorbExt('fri-final', proof.finalPoly);
  return { transcript: t, challenges, alphas, z, gammas, friAlphas };
}

/** The columns the OOD answers and the DEEP composition cover: the main trace's, then the auxiliary segment's c0, c1 of each. */
export const loweredWidth = (air: Air): number => air.width + 2 * (air.aux?.width ?? 0);

export function verifyProof(
  k: Kernels, air: Air, proof: StarkProof, statementHash: Uint8Array, publicInputs: Uint8Array, opts: VerifyOptions,
): StarkVerdict {
  try {
    // Judged on one reading of the caller's objects (./snapshot.ts), never on a second one.
    const p = snapshot(proof, 'proof') as StarkProof;
    return run(k, air, p, snapshotBytes(statementHash, 'the statement hash'), snapshotBytes(publicInputs, 'the public inputs'), opts);
  } catch (e) {
    if (e instanceof Rejection) return { ok: false, code: e.code, message: e.message };
    return { ok: false, code: 'malformed', message: `malformed proof: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function run(k: Kernels, air: Air, proof: StarkProof, statementHash: Uint8Array, publicInputs: Uint8Array, opts: VerifyOptions): StarkVerdict {
  require(typeof proof === 'object' && proof !== null, 'malformed', 'proof is not an object');
  let o: ProofOptions;
  try {
    o = checkOptions(proof.options);
  } catch (e) {
    throw new Rejection('options', (e as Error).message);
  }
  // The LDE domain must be a subgroup coset of F_p: 2^(logN + log2 β) divides p − 1 (an AIR's logN alone may go to 30).
  const logNN = air.logN + Math.log2(o.blowup);
  require(logNN <= Fp.TWO_ADICITY, 'options', `blowup ${o.blowup} over 2^${air.logN} rows: the LDE domain of 2^${logNN} points exceeds the field's two-adicity (${Fp.TWO_ADICITY})`);
  const bits = securityBits(air.logN, o);
  require(proof.securityBits === bits, 'security', `proof claims ${proof.securityBits} bits; its options give ${bits}`);
  require(bits >= opts.minSecurityBits, 'security', `${bits} bits of conjectured security is below the required ${opts.minSecurityBits}`);

  const w = air.width, W = loweredWidth(air), m = W - w, S = compositionSegments(air), plan = friPlan(air.logN, o);
  const logF = Math.log2(o.foldingFactor), f = o.foldingFactor;
  require(proof.airId === air.id && proof.logN === air.logN && proof.width === w && proof.segments === S, 'shape',
    `proof is for ${String(proof.airId)} 2^${proof.logN} × ${proof.width} (${proof.segments} segments), expected ${air.id} 2^${air.logN} × ${w} (${S})`);
  require(isDigest(proof.traceRoot) && isDigest(proof.compositionRoot), 'shape', 'roots must be 32-byte digests');
  // The auxiliary root and opening are there exactly when the AIR has an auxiliary segment.
  require(air.aux ? isDigest(proof.auxRoot) : proof.auxRoot === undefined, 'shape',
    air.aux ? `${air.id} has an auxiliary segment: the proof needs its 32-byte root` : `${air.id} has no auxiliary segment, yet the proof carries an auxiliary root`);
  require(air.aux ? proof.auxOpening !== undefined : proof.auxOpening === undefined, 'shape',
    air.aux ? 'the proof lacks the auxiliary segment\'s opening' : 'the proof carries an auxiliary opening, but the AIR has no auxiliary segment');
  require(extList(proof.oodTrace, W) && extList(proof.oodTraceNext, W) && extList(proof.oodComposition, S), 'shape', 'OOD values have the wrong count or are not canonical F_p2 elements');
  require(Array.isArray(proof.friRoots) && proof.friRoots.length === plan.folds - 1 && proof.friRoots.every(isDigest), 'shape', `expected ${plan.folds - 1} FRI layer roots`);
  require(extList(proof.finalPoly, plan.finalDegree), 'final-polynomial', `the final polynomial must have exactly ${plan.finalDegree} canonical coefficients`);
  require(Array.isArray(proof.friOpenings) && proof.friOpenings.length === plan.folds - 1, 'shape', `expected ${plan.folds - 1} FRI layer openings`);
  require(typeof proof.nonce === 'bigint' && proof.nonce >= 0n && proof.nonce < 2n ** 64n, 'pow', 'nonce must be a u64');

  const { transcript: t, challenges, alphas, z, gammas, friAlphas } = replayToPow(air, o, proof, statementHash, publicInputs);
  let lowered: LoweredAir;
  try {
    lowered = lowerAir(air, challenges);
  } catch (e) {
    if (!(e instanceof UnsatisfiableUnderChallengesError)) throw e;
    throw new Rejection('ood', `the AIR's constraints cannot hold under these challenges: ${e.message}`);
  }
  const claimed = compositionAt(k, lowered.air, z, proof.oodTrace, proof.oodTraceNext, lowered.coefficients(alphas));
  require(Fp2.eq(claimed, segmentsAt(air.logN, z, proof.oodComposition)), 'ood', 'the constraints at the OOD point do not match the committed composition');
  require(t.checkPow(proof.nonce, o.grindingBits), 'pow', `the nonce does not give ${o.grindingBits} bits of proof of work`);
  t.absorb('pow-nonce', nonceBytes(proof.nonce));
  const queries = drawQueries(t, air.logN, o);

  // Openings of the trace and composition at every position of every queried fold group.
  const positions = queries.flatMap((g) => Array.from({ length: f }, (_, j) => g * f + j));
  const mainRows = openedRows(proof.traceOpening, positions.length, w, 'trace-opening', 'trace');
  checkOpening(k, proof.traceRoot, logNN, positions, mainRows, w, proof.traceOpening, 'trace-opening', 'trace');
  let traceRows = mainRows;
  if (air.aux) {
    const auxRows = openedRows(proof.auxOpening!, positions.length, m, 'aux-opening', 'auxiliary segment');
    checkOpening(k, proof.auxRoot!, logNN, positions, auxRows, m, proof.auxOpening!, 'aux-opening', 'auxiliary segment');
    // Each opened row as the DEEP composition reads it: the main trace's values, then the auxiliary ones.
    traceRows = new BigUint64Array(positions.length * W);
    for (let r = 0; r < positions.length; r++) {
      traceRows.set(mainRows.subarray(r * w, (r + 1) * w), r * W);
      traceRows.set(auxRows.subarray(r * m, (r + 1) * m), r * W + w);
    }
  }
  const compRows = openedRows(proof.compositionOpening, positions.length, 2 * S, 'composition-opening', 'composition');
  checkOpening(k, proof.compositionRoot, logNN, positions, compRows, 2 * S, proof.compositionOpening, 'composition-opening', 'composition');
  const layerLeaves = proof.friOpenings.map((op, i) => {
    const leaves = [...new Set(queries.map((g) => g >> (logF * (i + 1))))].sort((a, b) => a - b);
    const rows = openedRows(op, leaves.length, 2 * f, 'fri-opening', `FRI layer ${i + 1}`);
    checkOpening(k, proof.friRoots[i]!, logNN - logF * (i + 1) - logF, leaves, rows, 2 * f, op, 'fri-opening', `FRI layer ${i + 1}`);
    return new Map(leaves.map((leaf, j) => [leaf, rows.subarray(2 * f * j, 2 * f * (j + 1))]));
  });

  // DEEP values at each query's fold group, folded layer by layer down to the final polynomial, every
  // query at once on the kernels (./query-kernels.ts; the BigInt references are deepAt and foldGroup).
  const zw = Fp2.mulBase(z, Fp.rootOfUnity(air.logN));
  const ood = { z, zw, oodTrace: proof.oodTrace, oodTraceNext: proof.oodTraceNext, oodComposition: proof.oodComposition, gammas };
  const deep = deepAtPoints(k, traceRows, compRows, pointExponents(positions, logNN), COSET_SHIFT, logNN, ood);
  let folded = foldGroups(k, deep, queries, logF, INV_SHIFT, logNN, friAlphas[0]!);
  let shift = Fp.pow(COSET_SHIFT, BigInt(f));
  let invShift = Fp.pow(INV_SHIFT, BigInt(f));
  let logSize = logNN - logF;
  const pos = [...queries];
  for (let i = 1; i < plan.folds; i++) {
    const groups = new BigUint64Array(queries.length * 2 * f);
    for (let q = 0; q < queries.length; q++) {
      const leaf = pos[q]! >> logF, row = layerLeaves[i - 1]!.get(leaf)!, at = 2 * (pos[q]! & (f - 1));
      require(row[at] === folded[2 * q] && row[at + 1] === folded[2 * q + 1], 'fri-folding',
        `query ${queries[q]}: FRI layer ${i} disagrees with the fold of layer ${i - 1}`);
      groups.set(row, q * 2 * f);
      pos[q] = leaf;
    }
    folded = foldGroups(k, groups, pos, logF, invShift, logSize, friAlphas[i]!);
    shift = Fp.pow(shift, BigInt(f));
    invShift = Fp.pow(invShift, BigInt(f));
    logSize -= logF;
  }
  const last = evaluateAtPositions(k, proof.finalPoly, shift, logSize, pos);
  for (let q = 0; q < queries.length; q++)
    require(last[2 * q] === folded[2 * q] && last[2 * q + 1] === folded[2 * q + 1], 'final-polynomial',
      `query ${queries[q]}: the final polynomial disagrees with the last fold`);
  return { ok: true, securityBits: bits };
}
