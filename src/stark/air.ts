/**
 * Algebraic intermediate representations (ethSTARK documentation, ePrint 2021/582; docs/architecture.md "AIRs"): width w, length n = 2^k, transition
 * constraints over (current, next) rows, boundary constraints, row constraints (an expression of one
 * row that vanishes there), periodic columns and, optionally, an auxiliary segment: F_p2 columns the
 * prover builds from the committed main trace and F_p2 challenges drawn after that commitment (a
 * randomized AIR, RAP), which lookup and permutation arguments need (./lookup.ts). Constraints are
 * expression trees (./expr.ts), so one definition is evaluated on the CPU, compiled to WGSL, and hashed
 * into the AIR's identity (airDigest). checkTrace is the debugging view: the first constraint a trace breaks.
 *
 * @module
 */
import { assertCanonicalColumn, encodeColumn, findNonCanonical, type Column } from '../field/columns.js';
import type { ExtColumn } from '../field/ext-columns.js';
import type { Fp2 } from '../field/ext2.js';
import * as F from '../field/goldilocks.js';
import { blake3Short } from '../hash/short.js';
import { checkExpr, degree, evalBaseAll, nameProblem, serializeExpr, type Expr, type ExprScope } from './expr.js';
import { ByteWriter } from '../bytes/writer.js';

/** trace[col][row] = value. */
export interface BoundaryConstraint {
  readonly col: number;
  readonly row: number;
  readonly value: bigint;
}

/**
 * A constraint on one row: `expr`, over that row's cells (main and auxiliary), the periodic values
 * and the challenges, vanishes at row `row`. It generalizes a boundary constraint (cur[col] − value)
 * to any expression; an expression of degree d needs d composition segments (compositionSegments).
 */
export interface RowConstraint {
  readonly row: number;
  readonly expr: Expr;
}

/**
 * The auxiliary segment: `width` F_p2 columns, committed after `challenges` F_p2 challenges are drawn
 * from the transcript that holds the main trace's root. The constraints read them as auxCur(c),
 * auxNext(c) and challenge(i) (./expr.ts).
 */
export interface AuxSegment {
  /** F_p2 columns, 1 to MAX_AUX_WIDTH. */
  readonly width: number;
  /** F_p2 challenges, 0 to MAX_CHALLENGES. */
  readonly challenges: number;
  /**
   * The prover's side: the auxiliary columns (n values each) from the main trace and the challenges.
   * Not part of the AIR's identity, and the verifier never calls it.
   */
  readonly build: (trace: readonly Column[], challenges: readonly Fp2[]) => readonly ExtColumn[];
}

export interface Air {
  /** Lowercase [a-z0-9_], 1 to 64 characters, e.g. 'fib_air_v1'. */
  readonly id: string;
  /** Trace columns, 1 to MAX_WIDTH. */
  readonly width: number;
  /** Trace length n = 2^logN, logN in [1, MAX_LOG_N]. */
  readonly logN: number;
  /** Each of power-of-two length m ≤ n; its value at row i is col[i mod m]. */
  readonly periodic: readonly BigUint64Array[];
  /** At least one; each must vanish on rows 0 … n−2 (cur = row i, next = row i+1). */
  readonly transitions: readonly Expr[];
  readonly boundaries: readonly BoundaryConstraint[];
  /** Expressions of one row that vanish there (none if absent). */
  readonly rowConstraints?: readonly RowConstraint[];
  /** The auxiliary segment (none if absent). */
  readonly aux?: AuxSegment;
  /** AIR-specific parameters bound into the digest (may be empty). */
  readonly parameters: Uint8Array;
  /**
   * Names for people (failures, generated code), in order: one per column, transition and boundary
   * where given. Not part of the AIR's identity (airDigest).
   */
  readonly names?: AirNames;
}

export interface AirNames {
  readonly columns?: readonly string[];
  readonly transitions?: readonly string[];
  readonly boundaries?: readonly string[];
  readonly rowConstraints?: readonly string[];
  readonly auxColumns?: readonly string[];
}

export const MAX_WIDTH = 4096;
export const MAX_LOG_N = 30;
export const MAX_AUX_WIDTH = 256;
export const MAX_CHALLENGES = 64;
const ID = /^[a-z0-9_]{1,64}$/;
/**
 * Domain separation of airDigest's input; bump it with any change to the serialization. An AIR with
 * row constraints (one at least) or an auxiliary segment is digested under v2 (v1's fields, then
 * those); one without keeps v1's bytes, so its identity and its proofs are unchanged.
 */
const DIGEST_DOMAIN = 'capseal-air-v1';
const DIGEST_DOMAIN_V2 = 'capseal-air-v2';

function fail(path: string, msg: string): never {
  throw new RangeError(`${path}: ${msg}`);
}

const inRange = (x: unknown, lo: number, hi: number): boolean => Number.isInteger(x) && (x as number) >= lo && (x as number) <= hi;

/** Throws a RangeError (TypeError for a wrong container type) naming the first invalid field. */
export function checkAir(air: Air): void {
  if (typeof air.id !== 'string' || !ID.test(air.id)) fail('air.id', `${JSON.stringify(air.id)} is not 1 to 64 characters of [a-z0-9_]`);
  if (!inRange(air.width, 1, MAX_WIDTH)) fail('air.width', `${air.width} is not an integer in [1, ${MAX_WIDTH}]`);
  if (!inRange(air.logN, 1, MAX_LOG_N)) fail('air.logN', `${air.logN} is not an integer in [1, ${MAX_LOG_N}]`);
  checkPeriodic(air.periodic, 2 ** air.logN);
  if (air.aux !== undefined) checkAux(air.aux, air.width);
  checkTransitions(air);
  checkBoundaries(air);
  checkRowConstraints(air);
  if (!(air.parameters instanceof Uint8Array)) throw new TypeError('air.parameters: expected a Uint8Array');
  if (air.names !== undefined) checkNames(air);
}

function checkNames(air: Air): void {
  const names = air.names!;
  if (typeof names !== 'object' || names === null) throw new TypeError('air.names: expected an object');
  const lists = {
    columns: air.width, transitions: air.transitions.length, boundaries: air.boundaries.length,
    rowConstraints: air.rowConstraints?.length ?? 0, auxColumns: air.aux?.width ?? 0,
  } as const;
  for (const key of Object.keys(lists) as (keyof typeof lists)[]) {
    const list = names[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`air.names.${key}: expected an array of names`);
    if (list.length !== lists[key]) fail(`air.names.${key}`, `${list.length} names for ${lists[key]} ${key}`);
    const seen = new Set<string>();
    list.forEach((name, i) => {
      const problem = nameProblem(name);
      if (problem) fail(`air.names.${key}[${i}]`, problem);
      if (seen.has(name)) fail(`air.names.${key}[${i}]`, `${JSON.stringify(name)} is used twice`);
      seen.add(name);
    });
  }
}

function checkPeriodic(periodic: readonly BigUint64Array[], n: number): void {
  if (!Array.isArray(periodic)) throw new TypeError('air.periodic: expected an array of BigUint64Array');
  periodic.forEach((col, i) => {
    const path = `air.periodic[${i}]`;
    if (!(col instanceof BigUint64Array)) throw new TypeError(`${path}: expected a BigUint64Array`);
    const m = col.length;
    if (m < 1 || m > n || (m & (m - 1)) !== 0) fail(path, `length ${m} is not a power of two in [1, n = ${n}]`);
    const bad = findNonCanonical(col);
    if (bad >= 0) fail(path, `element ${bad} is not canonical (≥ p)`);
  });
}

function checkAux(aux: AuxSegment, width: number): void {
  if (typeof aux !== 'object' || aux === null) throw new TypeError('air.aux: expected an object');
  if (!inRange(aux.width, 1, MAX_AUX_WIDTH)) fail('air.aux.width', `${aux.width} is not an integer in [1, ${MAX_AUX_WIDTH}]`);
  // The lowered AIR (./aux.ts) has the main columns and two per auxiliary one: an AIR too.
  if (width + 2 * aux.width > MAX_WIDTH) fail('air.aux.width', `${width} main columns and 2·${aux.width} auxiliary base columns exceed ${MAX_WIDTH}`);
  if (!inRange(aux.challenges, 0, MAX_CHALLENGES)) fail('air.aux.challenges', `${aux.challenges} is not an integer in [0, ${MAX_CHALLENGES}]`);
  if (typeof aux.build !== 'function') throw new TypeError('air.aux.build: expected a function (trace, challenges) => F_p2 columns');
}

/** What the AIR's constraints may read besides the main trace and the periodic columns. */
const scopeOf = (air: Air): ExprScope => ({ auxWidth: air.aux?.width ?? 0, challenges: air.aux?.challenges ?? 0 });

function checkTransitions(air: Air): void {
  if (!Array.isArray(air.transitions)) throw new TypeError('air.transitions: expected an array of expressions');
  if (air.transitions.length === 0) fail('air.transitions', 'an AIR needs at least one transition constraint');
  air.transitions.forEach((t, i) => {
    const path = `air.transitions[${i}]`;
    checkExpr(t, air.width, air.periodic.length, path, scopeOf(air));
    if (degree(t) === 0) fail(path, 'degree 0: a constant constrains no trace cell');
  });
}

function checkRowConstraints(air: Air): void {
  if (air.rowConstraints === undefined) return;
  if (!Array.isArray(air.rowConstraints)) throw new TypeError('air.rowConstraints: expected an array of row constraints');
  const n = 2 ** air.logN;
  air.rowConstraints.forEach((r, i) => {
    const path = `air.rowConstraints[${i}]`;
    if (typeof r !== 'object' || r === null) throw new TypeError(`${path}: expected { row, expr }`);
    if (!inRange(r.row, 0, n - 1)) fail(path, `row ${r.row} is outside [0, ${n})`);
    checkExpr(r.expr, air.width, air.periodic.length, `${path}.expr`, { ...scopeOf(air), next: false });
    if (degree(r.expr) === 0) fail(path, 'degree 0: a constant constrains no trace cell');
  });
}

function checkBoundaries(air: Air): void {
  if (!Array.isArray(air.boundaries)) throw new TypeError('air.boundaries: expected an array of boundary constraints');
  const n = 2 ** air.logN;
  const seen = new Map<string, number>();
  air.boundaries.forEach((b, i) => {
    const path = `air.boundaries[${i}]`;
    if (!inRange(b.col, 0, air.width - 1)) fail(path, `column ${b.col} is outside [0, ${air.width})`);
    if (!inRange(b.row, 0, n - 1)) fail(path, `row ${b.row} is outside [0, ${n})`);
    if (!F.isCanonical(b.value)) fail(path, `value ${String(b.value)} is not a canonical field element`);
    const key = `${b.col},${b.row}`;
    const first = seen.get(key);
    if (first !== undefined) fail(path, `(column ${b.col}, row ${b.row}) is already constrained by air.boundaries[${first}]`);
    seen.set(key, i);
  });
}

/** The largest transition degree (at least 1). */
export const maxDegree = (air: Air): number => Math.max(1, ...air.transitions.map(degree));

/**
 * Number of degree-< n segments of the composition polynomial: a transition of degree d over the
 * trace, divided by its vanishing polynomial (degree n − 1), has degree < (d − 1)·n; a row
 * constraint of degree d, divided by x − g^row, has degree < d·n.
 */
export const compositionSegments = (air: Air): number =>
  Math.max(1, maxDegree(air) - 1, ...(air.rowConstraints ?? []).map((r) => degree(r.expr)));

/**
 * The AIR's identity: BLAKE3 of, in order, the domain tag, id, width, logN, the periodic columns
 * (count, then each as length-prefixed canonical bytes), the transitions (count, then each
 * length-prefixed serializeExpr), the boundaries (count, then column u32, row u32, value 8 bytes
 * LE each) and the parameters. Strings and byte strings carry a u32 LE length prefix; order is kept.
 * An AIR with row constraints or an auxiliary segment uses the v2 domain tag and appends the
 * auxiliary width and challenge count (u32 each, 0 without a segment) and the row constraints
 * (count, then row u32 and length-prefixed serializeExpr each).
 */
export function airDigest(air: Air): Uint8Array {
  checkAir(air);
  const w = new ByteWriter();
  const utf8 = new TextEncoder();
  const v2 = air.aux !== undefined || (air.rowConstraints?.length ?? 0) > 0;
  w.lengthPrefixed('domain', utf8.encode(v2 ? DIGEST_DOMAIN_V2 : DIGEST_DOMAIN));
  w.lengthPrefixed('air.id', utf8.encode(air.id));
  w.u32('air.width', air.width);
  w.u32('air.logN', air.logN);
  w.u32('air.periodic.length', air.periodic.length);
  air.periodic.forEach((col, i) => w.lengthPrefixed(`air.periodic[${i}]`, encodeColumn(col)));
  w.u32('air.transitions.length', air.transitions.length);
  air.transitions.forEach((t, i) => w.lengthPrefixed(`air.transitions[${i}]`, serializeExpr(t)));
  w.u32('air.boundaries.length', air.boundaries.length);
  air.boundaries.forEach((b, i) => {
    w.u32(`air.boundaries[${i}].col`, b.col);
    w.u32(`air.boundaries[${i}].row`, b.row);
    w.raw(F.encode(b.value));
  });
  w.lengthPrefixed('air.parameters', air.parameters);
  if (v2) {
    w.u32('air.aux.width', air.aux?.width ?? 0);
    w.u32('air.aux.challenges', air.aux?.challenges ?? 0);
    const rows = air.rowConstraints ?? [];
    w.u32('air.rowConstraints.length', rows.length);
    rows.forEach((r, i) => {
      w.u32(`air.rowConstraints[${i}].row`, r.row);
      w.lengthPrefixed(`air.rowConstraints[${i}].expr`, serializeExpr(r.expr));
    });
  }
  return blake3Short(w.finish());
}

/** A periodic column's values on all n trace rows (its m values repeated n/m times). */
export function periodicOnTrace(col: BigUint64Array, n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i += col.length) out.set(col, i);
  return out;
}

/** A periodic column's value at a trace row. */
export function periodicValue(col: BigUint64Array, row: number): bigint {
  if (col.length === 0) throw new RangeError('periodicValue: empty periodic column');
  if (!Number.isSafeInteger(row) || row < 0) throw new RangeError(`periodicValue: row ${row} is not a non-negative integer`);
  return col[row % col.length]!;
}

export interface TraceFailure {
  readonly ok: false;
  readonly kind: 'transition' | 'boundary' | 'row';
  readonly index: number;
  readonly row: number;
  /** The constraint's name, where the AIR names it. */
  readonly name?: string;
}

export type TraceCheck = { readonly ok: true } | TraceFailure;

/** The first row constraint of a base-field AIR that `trace` breaks (its index), or −1. */
export function brokenRowConstraint(air: Air, trace: readonly Column[]): number {
  return (air.rowConstraints ?? []).findIndex((r) => {
    const cur = trace.map((col) => col[r.row]!);
    return evalBaseAll([r.expr], { cur, next: cur, periodic: air.periodic.map((p) => periodicValue(p, r.row)) })[0] !== 0n;
  });
}

const NAME_LISTS = { transition: 'transitions', boundary: 'boundaries', row: 'rowConstraints' } as const;

/**
 * The first constraint the trace breaks: boundaries first, in order; then row constraints, in order;
 * then rows 0 … n−2 in order and, within a row, transitions in order. Throws if the AIR is invalid,
 * has an auxiliary segment (./aux.ts checkAuxTrace checks those), or the trace is not w canonical
 * columns of n elements. Evaluates every transition on every row with evalBaseAll: O(n · tree size).
 */
export function checkTrace(air: Air, trace: readonly Column[]): TraceCheck {
  checkAir(air);
  if (air.aux !== undefined) throw new RangeError(`checkTrace: ${air.id} has an auxiliary segment; check it with its challenges (checkAuxTrace)`);
  const n = 2 ** air.logN;
  if (trace.length !== air.width) throw new RangeError(`checkTrace: ${trace.length} columns, but the AIR has width ${air.width}`);
  trace.forEach((col, i) => {
    assertCanonicalColumn(col, `checkTrace: trace[${i}]`);
    if (col.length !== n) throw new RangeError(`checkTrace: trace[${i}] has ${col.length} rows, expected n = ${n}`);
  });
  const failed = (kind: TraceFailure['kind'], index: number, row: number): TraceCheck => {
    const name = air.names?.[NAME_LISTS[kind]]?.[index];
    return { ok: false, kind, index, row, ...(name === undefined ? {} : { name }) };
  };
  const bad = air.boundaries.findIndex((b) => trace[b.col]![b.row] !== b.value);
  if (bad >= 0) return failed('boundary', bad, air.boundaries[bad]!.row);
  const rowAt = (r: number): bigint[] => trace.map((col) => col[r]!);
  const periodicAt = (row: number) => air.periodic.map((p) => periodicValue(p, row));
  const badRow = brokenRowConstraint(air, trace);
  if (badRow >= 0) return failed('row', badRow, air.rowConstraints![badRow]!.row);
  let cur = rowAt(0);
  for (let row = 0; row + 1 < n; row++) {
    const at = { cur, next: rowAt(row + 1), periodic: periodicAt(row) };
    const index = evalBaseAll(air.transitions, at).findIndex((v) => v !== 0n);
    if (index >= 0) return failed('transition', index, row);
    cur = at.next;
  }
  return { ok: true };
}
