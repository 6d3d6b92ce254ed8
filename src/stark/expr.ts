/**
 * AIR constraint expressions (docs/architecture.md "AIRs"): constraints are expression trees, so one
 * definition is evaluated on the CPU, compiled to WGSL, and hashed into the AIR's identity. One tree
 * serves every reader through one evaluator (evaluate, with an Ops<T> per reader): the prover
 * (src/prover/cpu/constraints.ts, over whole columns in the wasm kernels), the verifier (evalExtAll, at
 * one out-of-domain point in F_p2), debugging (evalBaseAll, one trace row in F_p), the GPU
 * (src/prover/gpu/constraints.ts, WGSL) and the AIR digest (serializeExpr).
 *
 * @module
 */
import * as F from '../field/goldilocks.js';
import * as E from '../field/ext2.js';
import type { Fp2 } from '../field/ext2.js';

export type Expr =
  | { readonly op: 'const'; readonly value: bigint }
  | { readonly op: 'cur'; readonly col: number }
  | { readonly op: 'next'; readonly col: number }
  | { readonly op: 'periodic'; readonly index: number }
  | { readonly op: 'aux-cur'; readonly col: number }
  | { readonly op: 'aux-next'; readonly col: number }
  | { readonly op: 'challenge'; readonly index: number }
  | { readonly op: 'add' | 'sub' | 'mul'; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'neg'; readonly a: Expr }
  | { readonly op: 'pow'; readonly a: Expr; readonly exp: number }
  | LetExpr;

/**
 * A shared subexpression: wherever the same node is used (in one constraint or across an AIR's
 * constraints), evaluators compute it once and reuse it — the CPU keeps its block, the WGSL binds a
 * `let`. Its value is `a`'s; `name` is for reading generated code only (not part of the AIR's identity).
 */
export interface LetExpr {
  readonly op: 'let';
  readonly a: Expr;
  readonly name: string;
}

/** A cell of the main trace or a periodic value: the leaves every evaluator reads. */
export type BaseLeaf = Extract<Expr, { op: 'cur' | 'next' | 'periodic' }>;
/**
 * A cell of the auxiliary segment (an F_p2 column, current or next row) or one of its F_p2
 * challenges (./air.ts AuxSegment): leaves of the constraints an AIR writes, which the protocol
 * lowers to base-field constraints (./aux.ts) before any evaluator sees them.
 */
export type AuxLeaf = Extract<Expr, { op: 'aux-cur' | 'aux-next' | 'challenge' }>;
export type Leaf = BaseLeaf | AuxLeaf;

/** `l` as a base leaf; an auxiliary cell or a challenge is an error (the AIR was not lowered). */
export function baseLeaf(l: Leaf): BaseLeaf {
  if (l.op === 'aux-cur' || l.op === 'aux-next' || l.op === 'challenge')
    throw new RangeError(`a ${l.op} leaf reached a base-field evaluator: lower the AIR first (src/stark/aux.ts)`);
  return l;
}

/** What the builders accept as an operand: a tree, or a constant. */
export type Operand = Expr | bigint | number;

export const MAX_EXPONENT = 255;
/** Column and periodic indices are serialized as u32. */
const INDEX_LIMIT = 2 ** 32;
const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Why `name` is not a name for people (a share, an AIR's column or constraint), or undefined if it is one. */
export const nameProblem = (name: unknown): string | undefined =>
  typeof name === 'string' && NAME.test(name) ? undefined : `${JSON.stringify(name)} is not 1 to 64 characters of [a-z0-9_] starting with a letter`;

// ---------------------------------------------------------------- builders

/** A field constant: a canonical bigint, or a safe non-negative integer number (always < p). */
export function constant(v: bigint | number): Expr {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`constant: ${v} is not a safe non-negative integer`);
    return { op: 'const', value: BigInt(v) };
  }
  if (!F.isCanonical(v)) throw new RangeError(`constant: ${String(v)} is not a canonical field element (0 ≤ v < p)`);
  return { op: 'const', value: v };
}

function index(what: string, i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= INDEX_LIMIT) throw new RangeError(`${what}: index ${i} is not an integer in [0, 2^32)`);
  return i;
}

export const cur = (col: number): Expr => ({ op: 'cur', col: index('cur', col) });
export const next = (col: number): Expr => ({ op: 'next', col: index('next', col) });
export const periodic = (i: number): Expr => ({ op: 'periodic', index: index('periodic', i) });
/** Column `col` of the auxiliary segment (F_p2) at the current row. */
export const auxCur = (col: number): Expr => ({ op: 'aux-cur', col: index('auxCur', col) });
/** Column `col` of the auxiliary segment (F_p2) at the next row. */
export const auxNext = (col: number): Expr => ({ op: 'aux-next', col: index('auxNext', col) });
/** The auxiliary segment's challenge `i` (F_p2), drawn after the main trace is committed. */
export const challenge = (i: number): Expr => ({ op: 'challenge', index: index('challenge', i) });

/** An operand as a tree: constants become const nodes. */
export const lift = (x: Operand): Expr => (typeof x === 'object' ? x : constant(x));

export const add = (a: Operand, b: Operand): Expr => ({ op: 'add', a: lift(a), b: lift(b) });
export const sub = (a: Operand, b: Operand): Expr => ({ op: 'sub', a: lift(a), b: lift(b) });
export const mul = (a: Operand, b: Operand): Expr => ({ op: 'mul', a: lift(a), b: lift(b) });
export const neg = (a: Operand): Expr => ({ op: 'neg', a: lift(a) });
/** The constraint a = b, as the expression a − b that must vanish. */
export const eq = (a: Operand, b: Operand): Expr => sub(a, b);

export function pow(a: Operand, exp: number): Expr {
  if (!isExponent(exp)) throw new RangeError(`pow: exponent ${exp} is not an integer in [0, ${MAX_EXPONENT}]`);
  return { op: 'pow', a: lift(a), exp };
}

/** `a` as a shared subexpression (LetExpr) named `name` (lowercase [a-z0-9_], starting with a letter). */
export function share(a: Operand, name: string): LetExpr {
  const problem = nameProblem(name);
  if (problem) throw new RangeError(`share: name ${problem}`);
  return { op: 'let', a: lift(a), name };
}

/** x0 + x1 + …, left-associated; the empty sum is 0. */
export const sum = (...xs: Operand[]): Expr => fold('add', xs, 0);
/** x0 · x1 · …, left-associated; the empty product is 1. */
export const product = (...xs: Operand[]): Expr => fold('mul', xs, 1);

function fold(op: 'add' | 'mul', xs: readonly Operand[], empty: number): Expr {
  const [first, ...rest] = xs.map(lift);
  return first ? rest.reduce((acc, x) => (op === 'add' ? add(acc, x) : mul(acc, x)), first) : constant(empty);
}

const isExponent = (e: unknown): e is number => Number.isInteger(e) && (e as number) >= 0 && (e as number) <= MAX_EXPONENT;

// ---------------------------------------------------------------- the one evaluator

/** The arithmetic an evaluator needs, over some representation T of field values. */
export interface Ops<T> {
  constant(v: bigint): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  neg(a: T): T;
  pow(a: T, exp: number): T;
  /**
   * A shared subexpression's value `v`, met for the first time: what this use gives (`first`) and
   * what every later use gives (`later`). Default: `v` for both.
   */
  share?(v: T, node: LetExpr): { first: T; later: T };
}

/**
 * The only walk of an expression tree: every reader — degree, validation, serialization, the CPU
 * over columns, the verifier in F_p2, debugging in F_p, WGSL — is an Ops<T>. Shared subexpressions
 * are evaluated once per `memo` (pass one memo to share them across several trees).
 */
export function evaluate<T>(e: Expr, leaf: (l: Leaf) => T, f: Ops<T>, memo: Map<LetExpr, T> = new Map()): T {
  const go = (n: Expr): T => {
    switch (n.op) {
      case 'const':
        return f.constant(n.value);
      case 'cur':
      case 'next':
      case 'periodic':
      case 'aux-cur':
      case 'aux-next':
      case 'challenge':
        return leaf(n);
      case 'add':
        return f.add(go(n.a), go(n.b));
      case 'sub':
        return f.sub(go(n.a), go(n.b));
      case 'mul':
        return f.mul(go(n.a), go(n.b));
      case 'neg':
        return f.neg(go(n.a));
      case 'pow':
        return f.pow(go(n.a), n.exp);
      case 'let': {
        if (memo.has(n)) return memo.get(n)!;
        const v = go(n.a);
        const { first, later } = f.share ? f.share(v, n) : { first: v, later: v };
        memo.set(n, later);
        return first;
      }
    }
  };
  return go(e);
}

/** Several trees evaluated with one memo: a subexpression they share is computed once. */
export function evaluateAll<T>(es: readonly Expr[], leaf: (l: Leaf) => T, f: Ops<T>): T[] {
  const memo = new Map<LetExpr, T>();
  return es.map((e) => evaluate(e, leaf, f, memo));
}

// ---------------------------------------------------------------- structure

const DEGREE: Ops<number> = {
  constant: () => 0,
  add: Math.max,
  sub: Math.max,
  mul: (a, b) => a + b,
  neg: (a) => a,
  pow: (a, exp) => a * exp,
};

/**
 * Degree in the trace polynomials: constants and challenges 0, trace cells (main and auxiliary) and
 * periodic values 1 (a periodic column is a polynomial of degree < n, so 1 is a safe bound for the
 * composition degree).
 */
export const degree = (e: Expr): number => evaluate(e, (l) => (l.op === 'challenge' ? 0 : 1), DEGREE);

function fail(path: string, msg: string): never {
  throw new RangeError(`${path}: ${msg}`);
}

const below = (i: unknown, limit: number): boolean => Number.isInteger(i) && (i as number) >= 0 && (i as number) < limit;

/** What a tree may read besides the main trace and the periodic columns. */
export interface ExprScope {
  /** F_p2 columns of the auxiliary segment (0: none). */
  readonly auxWidth?: number;
  /** F_p2 challenges of the auxiliary segment (0: none). */
  readonly challenges?: number;
  /** Whether next-row cells may be read (a row constraint reads the current row only). */
  readonly next?: boolean;
}

/**
 * Validates a tree (any value, as it may come from outside) against a trace of `width` columns,
 * `periodicCount` periodic columns and `scope` (default: no auxiliary segment, next rows allowed);
 * throws a RangeError naming the offending node by its path from `path` (children are `.a`, `.b`).
 * It walks what evaluate() will trust, so it is the one walker that does not build on it; a shared
 * subexpression is checked once.
 */
export function checkExpr(e: Expr, width: number, periodicCount: number, path = 'expr', scope: ExprScope = {}): void {
  const auxWidth = scope.auxWidth ?? 0, challenges = scope.challenges ?? 0, nextAllowed = scope.next ?? true;
  const seen = new Set<unknown>(), open = new Set<unknown>();
  const check = (n: Expr, at: string): void => {
    if (typeof n !== 'object' || n === null) fail(at, 'not an expression node');
    switch (n.op) {
      case 'const':
        if (!F.isCanonical(n.value)) fail(at, `constant ${String(n.value)} is not a canonical field element`);
        return;
      case 'cur':
      case 'next':
        if (n.op === 'next' && !nextAllowed) fail(at, 'a row constraint reads the current row only');
        if (!below(n.col, width)) fail(at, `${n.op} column ${n.col} is outside [0, ${width})`);
        return;
      case 'periodic':
        if (!below(n.index, periodicCount)) fail(at, `periodic column ${n.index} is outside [0, ${periodicCount})`);
        return;
      case 'aux-cur':
      case 'aux-next':
        if (n.op === 'aux-next' && !nextAllowed) fail(at, 'a row constraint reads the current row only');
        if (auxWidth === 0) fail(at, `${n.op} reads an auxiliary column, but the AIR has no auxiliary segment`);
        if (!below(n.col, auxWidth)) fail(at, `${n.op} column ${n.col} is outside [0, ${auxWidth})`);
        return;
      case 'challenge':
        if (challenges === 0) fail(at, 'challenge: the AIR draws no challenges (no auxiliary segment)');
        if (!below(n.index, challenges)) fail(at, `challenge ${n.index} is outside [0, ${challenges})`);
        return;
      case 'add':
      case 'sub':
      case 'mul':
        check(n.a, `${at}.a`);
        check(n.b, `${at}.b`);
        return;
      case 'pow':
        if (!isExponent(n.exp)) fail(at, `exponent ${n.exp} is not an integer in [0, ${MAX_EXPONENT}]`);
        check(n.a, `${at}.a`);
        return;
      case 'neg':
        check(n.a, `${at}.a`);
        return;
      case 'let':
        // A share met again inside its own definition would make every evaluator recurse forever.
        if (open.has(n)) fail(at, `shared subexpression ${JSON.stringify(n.name)} refers to itself`);
        if (seen.has(n)) return;
        if (nameProblem(n.name)) fail(at, `let name ${nameProblem(n.name)}`);
        open.add(n);
        check(n.a, `${at}.a`);
        open.delete(n);
        seen.add(n);
        return;
      default:
        fail(at, `unknown op ${JSON.stringify((n as { op?: unknown }).op)}`);
    }
  };
  check(e, path);
}

/** Checks a tree against no particular trace: only what the encodings can hold. */
export const checkShape = (e: Expr, path: string): void =>
  checkExpr(e, INDEX_LIMIT, INDEX_LIMIT, path, { auxWidth: INDEX_LIMIT, challenges: INDEX_LIMIT });

const TAG = {
  const: 1, cur: 2, next: 3, periodic: 4, add: 5, sub: 6, mul: 7, neg: 8, pow: 9, let: 10, ref: 11,
  'aux-cur': 12, 'aux-next': 13, challenge: 14,
} as const;

/** A node's encoding, written by pushing its bytes onto `out` (its children's after its own). */
type Writer = (out: number[]) => void;

const u32 = (x: number): number[] => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24];

/**
 * Canonical prefix encoding: a tag byte per node, then its fixed fields (constant: 8 bytes LE;
 * column, periodic or challenge index: u32 LE; pow: one exponent byte), then its children a, b in
 * order (tags 12, 13, 14: auxiliary current and next cells and challenges, in AIRs with an auxiliary segment). A
 * shared subexpression is encoded where it is first met as tag 10, its number (u32 LE), then its
 * child; later uses are tag 11 and the number. Shares are numbered from 0 in the order their first
 * encodings end (post-order: a share met inside another's definition gets the lower number). Each tag fixes
 * the fields and child count that follow, so the encoding is uniquely decodable (injective); a tree
 * without shared subexpressions encodes as it always has.
 */
export function serializeExpr(e: Expr): Uint8Array {
  checkShape(e, 'serializeExpr: expr');
  let lets = 0;
  // Each node becomes a writer of its encoding, so the bytes are pushed once, in order, with no nested arrays.
  const node = (tag: number, fields: ArrayLike<number>, ...children: Writer[]): Writer => (out) => {
    out.push(tag);
    for (let i = 0; i < fields.length; i++) out.push(fields[i]!);
    for (const child of children) child(out);
  };
  const write = evaluate<Writer>(e, (l) => node(TAG[l.op], u32(l.op === 'periodic' || l.op === 'challenge' ? l.index : l.col)), {
    constant: (v) => node(TAG.const, F.encode(v)),
    add: (a, b) => node(TAG.add, [], a, b),
    sub: (a, b) => node(TAG.sub, [], a, b),
    mul: (a, b) => node(TAG.mul, [], a, b),
    neg: (a) => node(TAG.neg, [], a),
    pow: (a, exp) => node(TAG.pow, [exp], a),
    share: (v) => {
      const id = u32(lets++);
      return { first: node(TAG.let, id, v), later: node(TAG.ref, id) };
    },
  });
  const bytes: number[] = [];
  write(bytes);
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------- evaluation

/** Values of the current row, the next row and the periodic columns, in some representation T. */
export interface Frame<T> {
  readonly cur: readonly T[];
  readonly next: readonly T[];
  readonly periodic: readonly T[];
}

/** Checks the tree against the frame's shape (cur and next equally wide); returns the leaf lookup. */
function frameLeaf<T>(fn: string, e: Expr, at: Frame<T>): (l: Leaf) => T {
  return framesLeaf(fn, [e], at);
}

/** frameLeaf for several trees. */
export function framesLeaf<T>(fn: string, es: readonly Expr[], at: Frame<T>): (l: Leaf) => T {
  if (at.next.length !== at.cur.length)
    throw new RangeError(`${fn}: the next row has ${at.next.length} values, the current row ${at.cur.length}`);
  es.forEach((e, i) => checkExpr(e, at.cur.length, at.periodic.length, es.length === 1 ? `${fn}: expr` : `${fn}: exprs[${i}]`));
  return (leaf) => {
    const l = baseLeaf(leaf);
    return (l.op === 'periodic' ? at.periodic[l.index] : at[l.op][l.col]) as T;
  };
}

/** Arithmetic over F_p on canonical bigints: debugging rows, and the prover's lookup builder. */
export const BASE: Ops<bigint> = {
  constant: (v) => v,
  add: F.add,
  sub: F.sub,
  mul: F.mul,
  neg: F.neg,
  pow: (a, exp) => F.pow(a, BigInt(exp)),
};

const EXT: Ops<Fp2> = {
  constant: E.fromBase,
  add: E.add,
  sub: E.sub,
  mul: E.mul,
  neg: E.neg,
  pow: (a, exp) => E.pow(a, BigInt(exp)),
};

/** One row over F_p (debugging); inputs must be canonical. */
export function evalBase(e: Expr, at: Frame<bigint>): bigint {
  return evaluate(e, frameLeaf('evalBase', e, at), BASE);
}

/** One point over F_p2 (the verifier's out-of-domain check); inputs must be canonical. */
export function evalExt(e: Expr, at: Frame<Fp2>): Fp2 {
  return evaluate(e, frameLeaf('evalExt', e, at), EXT);
}

/** Several trees at one row over F_p, sharing their common subexpressions. */
export function evalBaseAll(es: readonly Expr[], at: Frame<bigint>): bigint[] {
  return evaluateAll(es, framesLeaf('evalBaseAll', es, at), BASE);
}

/** Several trees at one point over F_p2, sharing their common subexpressions. */
export function evalExtAll(es: readonly Expr[], at: Frame<Fp2>): Fp2[] {
  return evaluateAll(es, framesLeaf('evalExtAll', es, at), EXT);
}
