/**
 * Lowering an AIR with an auxiliary segment (./air.ts AuxSegment) to the base-field AIR every
 * evaluator runs (the CPU and GPU composition kernels, the verifier's OOD check). Once the challenges
 * are drawn they are constants, and F_p2 = F_p[u]/(u² − 7) is two base coordinates, so a constraint C
 * over F_p2 is a pair of base-field constraints C = C0 + u·C1:
 *   - auxiliary column c is two base columns after the main trace's w: w + 2c (c0) and w + 2c + 1 (c1);
 *   - challenge i is the constant pair (c0, c1);
 *   - (a0 + u·a1)(b0 + u·b1) = (a0·b0 + 7·a1·b1) + u·(a0·b1 + a1·b0), each compound coordinate shared
 *     (it is read twice); sums and negations go coordinate by coordinate; a power is
 *     square-and-multiply over pairs, its intermediates shared.
 * The composition gives C the coefficient α: α·C = α·C0 + (α·u)·C1, so the lowered AIR's two
 * constraints take α and α·u (coefficients). A coordinate that folds to the constant 0 is dropped,
 * so an AIR's base-field constraints lower to themselves. Degrees are unchanged (challenges are
 * constants), hence compositionSegments too.
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import type { Column } from '../field/columns.js';
import type { ExtColumn } from '../field/ext-columns.js';
import { checkAir, checkTrace, type Air, type RowConstraint, type TraceCheck } from './air.js';
import { add, constant, cur, degree, evalBase, evaluateAll, mul, neg, next, share, sub, type Expr, type LetExpr, type Ops } from './expr.js';

/** A constraint that folds to a non-zero constant under the drawn challenges: no trace satisfies it. */
export class UnsatisfiableUnderChallengesError extends RangeError {
  override readonly name = 'UnsatisfiableUnderChallengesError';
}

/** An F_p2 value as base expressions (c0, c1); c1 undefined is the constant 0 (a base-field value). */
type Pair = readonly [Expr, Expr | undefined];

export interface LoweredAir {
  /** The base-field AIR: w + 2·aux.width columns, no auxiliary segment. */
  readonly air: Air;
  /** For each lowered transition, the declared one it comes from. */
  readonly transitionOrigin: readonly number[];
  /** For each lowered row constraint, the declared one it comes from. */
  readonly rowOrigin: readonly number[];
  /**
   * The lowered composition's coefficients from the declared ones (one per declared transition,
   * boundary and row constraint, in that order): α for a c0 coordinate, α·u for a c1 coordinate.
   */
  coefficients(alphas: readonly Fp2.Fp2[]): Fp2.Fp2[];
}

const isZero = (e: Expr | undefined): boolean => e === undefined || (e.op === 'const' && e.value === 0n);
const isConst = (e: Expr): e is Extract<Expr, { op: 'const' }> => e.op === 'const';

/** Base-field expression arithmetic with constants folded (the lowering meets many challenge constants). */
const base = {
  add: (a: Expr, b: Expr): Expr => (isConst(a) && isConst(b) ? constant(Fp.add(a.value, b.value)) : isZero(a) ? b : isZero(b) ? a : add(a, b)),
  sub: (a: Expr, b: Expr): Expr => (isConst(a) && isConst(b) ? constant(Fp.sub(a.value, b.value)) : isZero(b) ? a : sub(a, b)),
  mul: (a: Expr, b: Expr): Expr => {
    if (isConst(a) && isConst(b)) return constant(Fp.mul(a.value, b.value));
    if (isZero(a) || isZero(b)) return constant(0);
    if (isConst(a) && a.value === 1n) return b;
    if (isConst(b) && b.value === 1n) return a;
    return mul(a, b);
  },
  neg: (a: Expr): Expr => (isConst(a) ? constant(Fp.neg(a.value)) : neg(a)),
};

const opt = (f: (a: Expr, b: Expr) => Expr, a: Expr | undefined, b: Expr | undefined): Expr | undefined =>
  a === undefined ? b : b === undefined ? a : f(a, b);

/** A name for a share's second coordinate, within the 64-character limit. */
const secondName = (name: string): string => `${name.slice(0, 62)}_u`;

/** Leaves and shares are read as they are; another expression is shared before it is read twice. */
const once = (e: Expr): Expr => (e.op === 'const' || e.op === 'cur' || e.op === 'next' || e.op === 'periodic' || e.op === 'let' ? e : share(e, 'mul'));

function pairOps(): Ops<Pair> {
  const mulPair = (a: Pair, b: Pair): Pair => {
    // A product of two full pairs reads each coordinate twice: unshared, a Horner chain (LogUp's
    // compression of a tuple by γ) would double in size with every step.
    const full = a[1] !== undefined && b[1] !== undefined;
    const [a0, a1] = full ? [once(a[0]), once(a[1]!)] : a, [b0, b1] = full ? [once(b[0]), once(b[1]!)] : b;
    const c0 = a1 && b1 ? base.add(base.mul(a0, b0), base.mul(constant(Fp2.W), base.mul(a1, b1))) : base.mul(a0, b0);
    const c1 = opt(base.add, a1 && base.mul(a1, b0), b1 && base.mul(a0, b1));
    return [c0, isZero(c1) ? undefined : c1];
  };
  const shared = (v: Pair, name: string): Pair => [
    isConst(v[0]) ? v[0] : share(v[0], name),
    v[1] === undefined || isConst(v[1]) ? v[1] : share(v[1], secondName(name)),
  ];
  return {
    constant: (v) => [constant(v), undefined],
    add: (a, b) => [base.add(a[0], b[0]), opt(base.add, a[1], b[1])],
    sub: (a, b) => [base.sub(a[0], b[0]), b[1] === undefined ? a[1] : base.sub(a[1] ?? constant(0), b[1])],
    mul: mulPair,
    neg: (a) => [base.neg(a[0]), a[1] && base.neg(a[1])],
    pow: (a, exp) => {
      if (a[1] === undefined) return [exp === 0 ? constant(1) : { op: 'pow', a: a[0], exp }, undefined];
      let r: Pair = [constant(1), undefined];
      for (let bit = 31 - Math.clz32(exp); bit >= 0 && exp > 0; bit--) {
        r = mulPair(r, r);
        if ((exp >> bit) & 1) r = mulPair(r, a);
        r = shared(r, 'pow');
      }
      return r;
    },
    share: (v, node: LetExpr) => {
      const s = shared(v, node.name);
      return { first: s, later: s };
    },
  };
}

/** α·u for α ∈ F_p2: u·(a0 + u·a1) = 7·a1 + u·a0. */
const timesU = (a: Fp2.Fp2): Fp2.Fp2 => [Fp.mul(Fp2.W, a[1]), a[0]];

/**
 * The base-field AIR of `air` under `challenges` (air.aux.challenges of them); `air` itself (with
 * identity maps) when it has no auxiliary segment. Throws a RangeError for a wrong challenge count.
 */
export function lowerAir(air: Air, challenges: readonly Fp2.Fp2[]): LoweredAir {
  checkAir(air);
  const T = air.transitions.length, B = air.boundaries.length, R = air.rowConstraints?.length ?? 0;
  if (air.aux === undefined) {
    if (challenges.length !== 0) throw new RangeError(`lowerAir: ${air.id} has no auxiliary segment, yet ${challenges.length} challenges were given`);
    const ident = (k: number) => Array.from({ length: k }, (_, i) => i);
    return { air, transitionOrigin: ident(T), rowOrigin: ident(R), coefficients: (alphas) => [...alphas] };
  }
  if (challenges.length !== air.aux.challenges)
    throw new RangeError(`lowerAir: ${air.id} draws ${air.aux.challenges} challenges, ${challenges.length} were given`);
  challenges.forEach((c, i) => {
    if (!Fp2.isCanonical(c)) throw new RangeError(`lowerAir: challenge ${i} is not a canonical F_p2 element`);
  });
  const w = air.width;
  const pairs = evaluateAll<Pair>([...air.transitions, ...(air.rowConstraints ?? []).map((r) => r.expr)], (l) => {
    switch (l.op) {
      case 'aux-cur': return [cur(w + 2 * l.col), cur(w + 2 * l.col + 1)];
      case 'aux-next': return [next(w + 2 * l.col), next(w + 2 * l.col + 1)];
      case 'challenge': return [constant(challenges[l.index]![0]), constant(challenges[l.index]![1])];
      default: return [l, undefined];
    }
  }, pairOps());
  // Each declared constraint's coordinates that remain, as (expression, origin, second coordinate?).
  const parts = (from: number, count: number, what: string) => pairs.slice(from, from + count).flatMap((p, origin) =>
    p.flatMap((e, coordinate) => {
      if (e === undefined || degree(e) > 0) return e === undefined ? [] : [{ e, origin, coordinate }];
      // No trace cell: it folds to a constant, which constrains nothing (0) or nothing can satisfy.
      const v = evalBase(e, { cur: [], next: [], periodic: [] });
      if (v !== 0n) throw new UnsatisfiableUnderChallengesError(`${air.id}: ${what} ${origin}'s c${coordinate} coordinate is the constant ${v} under these challenges: no trace satisfies it`);
      return [];
    }));
  const transitions = parts(0, T, 'transition'), rows = parts(T, R, 'row constraint');
  const rowConstraints: RowConstraint[] = rows.map(({ e, origin }) => ({ row: air.rowConstraints![origin]!.row, expr: e }));
  const lowered: Air = {
    id: air.id, width: w + 2 * air.aux.width, logN: air.logN, periodic: air.periodic,
    transitions: transitions.map((t) => t.e), boundaries: air.boundaries,
    ...(rowConstraints.length ? { rowConstraints } : {}),
    parameters: air.parameters,
  };
  return {
    air: lowered,
    transitionOrigin: transitions.map((t) => t.origin),
    rowOrigin: rows.map((r) => r.origin),
    coefficients(alphas) {
      if (alphas.length !== T + B + R) throw new RangeError(`lowerAir: ${alphas.length} coefficients, expected ${T + B + R}`);
      const of = (alpha: Fp2.Fp2, coordinate: number) => (coordinate === 0 ? alpha : timesU(alpha));
      return [
        ...transitions.map((t) => of(alphas[t.origin]!, t.coordinate)),
        ...alphas.slice(T, T + B),
        ...rows.map((r) => of(alphas[T + B + r.origin]!, r.coordinate)),
      ];
    },
  };
}

/** The auxiliary columns as base columns, c0 and c1 of each in order: what the prover commits. */
export function auxBaseColumns(air: Air, columns: readonly ExtColumn[]): Column[] {
  const n = 2 ** air.logN, m = air.aux?.width ?? 0;
  if (!Array.isArray(columns) || columns.length !== m) throw new RangeError(`${air.id}: the auxiliary segment built ${Array.isArray(columns) ? columns.length : 'no'} columns, expected ${m}`);
  return columns.flatMap((c, i) => {
    for (const [name, v] of [['c0', c?.c0], ['c1', c?.c1]] as const) {
      if (!(v instanceof BigUint64Array) || v.length !== n) throw new RangeError(`${air.id}: auxiliary column ${i}.${name} is not ${n} field elements`);
      for (let r = 0; r < n; r++) if (v[r]! >= Fp.P) throw new RangeError(`${air.id}: auxiliary column ${i}.${name}[${r}] is not canonical`);
    }
    return [c.c0, c.c1];
  });
}

/**
 * checkTrace (./air.ts) of an AIR with an auxiliary segment: the trace and the auxiliary columns
 * built from it under `challenges`, against the lowered AIR, with the failure named by the declared
 * constraint it comes from.
 */
export function checkAuxTrace(air: Air, trace: readonly Column[], aux: readonly ExtColumn[], challenges: readonly Fp2.Fp2[]): TraceCheck {
  const lowered = lowerAir(air, challenges);
  const r = checkTrace(lowered.air, [...trace, ...auxBaseColumns(air, aux)]);
  if (r.ok || r.kind === 'boundary') return r;
  const index = (r.kind === 'transition' ? lowered.transitionOrigin : lowered.rowOrigin)[r.index]!;
  const name = air.names?.[r.kind === 'transition' ? 'transitions' : 'rowConstraints']?.[index];
  return { ok: false, kind: r.kind, index, row: r.row, ...(name === undefined ? {} : { name }) };
}
