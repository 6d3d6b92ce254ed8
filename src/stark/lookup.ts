/**
 * Lookup and permutation arguments over an AIR's auxiliary segment (./air.ts AuxSegment), by the
 * logarithmic derivative (LogUp: Haböck, "Multivariate lookups based on logarithmic derivatives",
 * ePrint 2022/1530). Each row of the trace sends or receives tuples on buses: an interaction is a
 * tuple of expressions of the row (main-trace cells and constants), a bus number and a multiplicity
 * (an expression: positive to send, negative to receive). Every bus balances — each tuple is
 * received exactly as many times as it is sent — exactly when, for random β and γ,
 *   Σ_rows Σ_interactions m / (β − (bus + γ·v_0 + γ²·v_1 + …)) = 0
 * (except with probability at most about (N + N²·L/2)/|F_p2| over β, γ, N = n·k values of tuples of at
 * most L entries: docs/spec/stark.md §19.4). Balance is judged modulo p: with 0/1 selectors and fewer
 * than p rows per tuple it is the integer count, and the AIR must constrain its selectors to be 0 or
 * 1. All tuples on one bus have one length (the compression of (v) and (v, 0) is the same). A lookup sends the looked-up tuple once per
 * selected row and receives each table row as many times as its multiplicity column says; multiset
 * equality sends one side and receives the other, once per row.
 *
 * The auxiliary segment: β = challenge 0, γ = challenge 1; one column t_c per chunk of up to `batch`
 * interactions, t_c = Σ_{k ∈ c} m_k/d_k with d_k = β − compress_k, and a running sum s (inclusive:
 * s at row i is the sum of every t up to row i). Constraints:
 *   - t_c·Π d_k − Σ_k m_k·Π_{j≠k} d_j = 0 on the current row and, again, on the next row (a
 *     transition holds on rows 0 … n−2; the two forms together cover every row);
 *   - s_next − s_cur − Σ_c t_c,next = 0 (transition), s − Σ_c t_c = 0 at row 0 and s = total at
 *     row n − 1 (row constraints), total 0 unless the AIR says otherwise.
 * With tuples of degree 1 and multiplicities of degree ≤ 1, a chunk of two is degree 3.
 *
 * @module
 */
import * as Fp2 from '../field/ext2.js';
import type { Column } from '../field/columns.js';
import type { ExtColumn } from '../field/ext-columns.js';
import type { Air, AirNames, RowConstraint } from './air.js';
import {
  add, auxCur, auxNext, BASE, challenge, checkExpr, constant, degree, evaluate, lift, mul, neg, next as nextCell, pow, product, share, sub, sum,
  type Expr, type Operand,
} from './expr.js';

export interface Interaction {
  /** Which bus (0 … 2^32 − 1): tuples on different buses never balance each other. */
  readonly bus: number;
  /** The tuple, over the current row's main-trace cells and constants. */
  readonly values: readonly Expr[];
  /** How many times the row sends it (negative: receives), an expression of the current row. */
  readonly multiplicity: Expr;
}

/** The challenges the arguments draw. */
export const LOOKUP_CHALLENGES = 2;

/** Interactions per auxiliary column by default: two keep tuples of degree 1 at constraint degree 3. */
export const DEFAULT_BATCH = 2;


/**
 * A lookup: on every row where `selector` (default 1) is 1, the tuple `keys` appears among the rows
 * of `table`, table row j being looked up `multiplicity` (its value at row j) times in all.
 */
export function lookup(bus: number, a: { keys: readonly Operand[]; table: readonly Operand[]; multiplicity: Operand; selector?: Operand }): Interaction[] {
  if (a.keys.length !== a.table.length) throw new RangeError(`lookup on bus ${bus}: ${a.keys.length} keys against a table of ${a.table.length} columns`);
  return [
    { bus, values: a.keys.map(lift), multiplicity: lift(a.selector ?? 1) },
    { bus, values: a.table.map(lift), multiplicity: sub(0, lift(a.multiplicity)) },
  ];
}

/**
 * Multiset equality: the tuples `left` over the rows where `leftSelector` (default 1) is 1 are the
 * tuples `right` over the rows where `rightSelector` (default 1) is 1, in some order.
 */
export function permutation(bus: number, a: { left: readonly Operand[]; right: readonly Operand[]; leftSelector?: Operand; rightSelector?: Operand }): Interaction[] {
  if (a.left.length !== a.right.length) throw new RangeError(`permutation on bus ${bus}: tuples of ${a.left.length} and ${a.right.length} values`);
  return [
    { bus, values: a.left.map(lift), multiplicity: lift(a.leftSelector ?? 1) },
    { bus, values: a.right.map(lift), multiplicity: sub(0, lift(a.rightSelector ?? 1)) },
  ];
}

/** An expression of the current row's main cells, constants and challenges, read at the next row instead. */
function atNext(e: Expr): Expr {
  return evaluate<Expr>(e, (l) => {
    if (l.op === 'cur') return nextCell(l.col);
    if (l.op === 'challenge') return l;
    throw new RangeError(`an interaction reads the current row's main cells and constants only, not ${l.op} cells`);
  }, {
    constant: (v) => constant(v), add, sub, mul, neg, pow,
    share: (v, node) => {
      const s = share(v, node.name);
      return { first: s, later: s };
    },
  });
}

/** bus + γ·v_0 + γ²·v_1 + … with γ = challenge 1 (Horner: ((v_last·γ + …)·γ + v_0)·γ + bus). */
function compress(bus: number, values: readonly Expr[]): Expr {
  let acc: Expr = constant(0);
  for (let j = values.length - 1; j >= 0; j--) acc = mul(add(acc, values[j]!), challenge(1));
  return add(acc, bus);
}

function checkInteractions(air: Air, interactions: readonly Interaction[]): void {
  if (!Array.isArray(interactions) || interactions.length === 0) throw new RangeError(`${air.id}: a lookup argument needs at least one interaction`);
  const lengths = new Map<number, number>();
  interactions.forEach((it, i) => {
    if (!Number.isInteger(it.bus) || it.bus < 0 || it.bus >= 2 ** 32) throw new RangeError(`${air.id}: interaction ${i}: bus ${it.bus} is not an integer in [0, 2^32)`);
    if (!Array.isArray(it.values) || it.values.length === 0) throw new RangeError(`${air.id}: interaction ${i}: an empty tuple`);
    // (v) and (v, 0) compress alike: tuples of different lengths on one bus could balance each other.
    const length = lengths.get(it.bus) ?? it.values.length;
    if (length !== it.values.length) throw new RangeError(`${air.id}: interaction ${i}: bus ${it.bus} carries tuples of ${length} values, not ${it.values.length}`);
    lengths.set(it.bus, length);
    for (const e of [...it.values, it.multiplicity]) {
      if (typeof e !== 'object' || e === null) throw new TypeError(`${air.id}: interaction ${i}: expected expressions`);
      checkExpr(e, air.width, 0, `${air.id}: interaction ${i}`, { next: false });
    }
  });
}

/**
 * `air` with its interactions' LogUp argument as its auxiliary segment (the AIR must have none
 * yet): the columns, challenges, constraints and the prover's builder above; `total` (an expression
 * of the challenges, default 0) is what every bus together must sum to.
 */
export function withInteractions(air: Air, interactions: readonly Interaction[], opts: { batch?: number; total?: Expr } = {}): Air {
  if (air.aux !== undefined) throw new RangeError(`${air.id}: the AIR already has an auxiliary segment`);
  checkInteractions(air, interactions);
  const batch = opts.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`${air.id}: batch ${batch} is not a positive integer`);
  const chunks = Array.from({ length: Math.ceil(interactions.length / batch) }, (_, c) => interactions.slice(c * batch, (c + 1) * batch));
  const S = chunks.length; // the running sum's column
  const n = 2 ** air.logN;
  const denominators = interactions.map((it, k) => share(sub(challenge(0), compress(it.bus, it.values)), `logup_d${k}`));
  // t_c·Π d − Σ m_k·Π_{j≠k} d_j, over the current row (a shared denominator per interaction).
  const chunkConstraint = (c: number, d: readonly Expr[], m: readonly Expr[], t: Expr): Expr => {
    const ds = d.slice(c * batch, c * batch + chunks[c]!.length), ms = m.slice(c * batch, c * batch + chunks[c]!.length);
    const others = (k: number) => ds.filter((_, j) => j !== k);
    return sub(mul(t, product(...ds)), sum(...ms.map((mk, k) => mul(mk, product(...others(k))))));
  };
  const curD = denominators, nextD = denominators.map(atNext);
  const curM = interactions.map((it) => it.multiplicity), nextM = curM.map(atNext);
  const transitions: Expr[] = [], names: string[] = [];
  chunks.forEach((_, c) => {
    transitions.push(chunkConstraint(c, curD, curM, auxCur(c)), chunkConstraint(c, nextD, nextM, auxNext(c)));
    names.push(`logup_t${c}_cur`, `logup_t${c}_next`);
  });
  transitions.push(sub(sub(auxNext(S), auxCur(S)), sum(...chunks.map((_, c) => auxNext(c)))));
  names.push('logup_sum');
  const total = opts.total ?? constant(0);
  if (degree(total) !== 0) throw new RangeError(`${air.id}: the lookup total must be an expression of the challenges and constants only`);
  const rowConstraints: RowConstraint[] = [
    { row: 0, expr: sub(auxCur(S), sum(...chunks.map((_, c) => auxCur(c)))) },
    { row: n - 1, expr: sub(auxCur(S), total) },
  ];
  // The argument's parts are named where the AIR's lists they join are (or empty).
  const named = (list: readonly string[] | undefined, count: number, added: readonly string[]) =>
    list !== undefined || count === 0 ? [...(list ?? []), ...added] : undefined;
  const transitionNames = named(air.names?.transitions, air.transitions.length, names);
  const rowNames = named(air.names?.rowConstraints, air.rowConstraints?.length ?? 0, ['logup_sum_first', 'logup_sum_last']);
  const airNames: AirNames = {
    ...air.names,
    ...(transitionNames && { transitions: transitionNames }),
    ...(rowNames && { rowConstraints: rowNames }),
    auxColumns: [...chunks.map((_, c) => `logup_t${c}`), 'logup_sum'],
  };
  return {
    ...air,
    transitions: [...air.transitions, ...transitions],
    rowConstraints: [...(air.rowConstraints ?? []), ...rowConstraints],
    aux: { width: S + 1, challenges: LOOKUP_CHALLENGES, build: (trace, challenges) => buildLogUp(n, chunks, trace, challenges) },
    names: airNames,
  };
}

/** An expression of the current row's main cells and constants at row `row` of `trace`, over F_p. */
function valueAt(e: Expr, trace: readonly Column[], row: number): bigint {
  return evaluate(e, (l) => {
    if (l.op !== 'cur') throw new RangeError(`an interaction reads the current row's main cells and constants only, not ${l.op}`);
    const col = trace[l.col];
    if (!col) throw new RangeError(`an interaction reads column ${l.col}, but the trace has ${trace.length}`);
    return col[row]!;
  }, BASE);
}

/** The prover's auxiliary columns: t_c per chunk, then the running sum (the header's definitions). */
function buildLogUp(n: number, chunks: readonly (readonly Interaction[])[], trace: readonly Column[], challenges: readonly Fp2.Fp2[]): ExtColumn[] {
  const [beta, gamma] = challenges as [Fp2.Fp2, Fp2.Fp2];
  const all = chunks.flat();
  // d_k at every row, then one batch inversion of all of them (none vanishes but with negligible odds).
  const d: Fp2.Fp2[] = [];
  const m: bigint[] = [];
  for (let row = 0; row < n; row++)
    for (const it of all) {
      let acc: Fp2.Fp2 = Fp2.ZERO;
      for (let j = it.values.length - 1; j >= 0; j--) acc = Fp2.mul(Fp2.add(acc, Fp2.fromBase(valueAt(it.values[j]!, trace, row))), gamma);
      d.push(Fp2.sub(beta, Fp2.add(acc, Fp2.fromBase(BigInt(it.bus)))));
      m.push(valueAt(it.multiplicity, trace, row));
    }
  if (d.some((x) => Fp2.eq(x, Fp2.ZERO))) throw new RangeError('a lookup denominator vanished under these challenges (probability below n·k/2^128): prove again with another statement');
  const inv = Fp2.batchInverse(d);
  const columns = chunks.map(() => ({ c0: new BigUint64Array(n), c1: new BigUint64Array(n) }));
  const running = { c0: new BigUint64Array(n), c1: new BigUint64Array(n) };
  let s: Fp2.Fp2 = Fp2.ZERO, k = 0;
  for (let row = 0; row < n; row++) {
    chunks.forEach((chunk, c) => {
      let t: Fp2.Fp2 = Fp2.ZERO;
      for (let i = 0; i < chunk.length; i++, k++) t = Fp2.add(t, Fp2.mulBase(inv[k]!, m[k]!));
      columns[c]!.c0[row] = t[0];
      columns[c]!.c1[row] = t[1];
      s = Fp2.add(s, t);
    });
    running.c0[row] = s[0];
    running.c1[row] = s[1];
  }
  return [...columns, running];
}
