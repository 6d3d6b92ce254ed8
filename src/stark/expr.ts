// AIR constraint expressions (DESIGN.md "The STARK"): "Constraints are expression trees, so one
// definition is evaluated on the CPU, compiled to WGSL, and hashed into the AIR's identity."
// One tree serves every reader: the prover (evalColumns, vectorized over whole columns in the wasm
// kernels), the verifier (evalExt, at one out-of-domain point in F_p2), debugging (evalBase, one
// trace row in F_p), the GPU (exprToWgsl) and the AIR digest (serializeExpr).
import * as F from '../field/goldilocks.js';
import * as E from '../field/ext2.js';
import type { Fp2 } from '../field/ext2.js';

export type Expr =
  | { readonly op: 'const'; readonly value: bigint }
  | { readonly op: 'cur'; readonly col: number }
  | { readonly op: 'next'; readonly col: number }
  | { readonly op: 'periodic'; readonly index: number }
  | { readonly op: 'add' | 'sub' | 'mul'; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'neg'; readonly a: Expr }
  | { readonly op: 'pow'; readonly a: Expr; readonly exp: number };

export type Leaf = Extract<Expr, { op: 'cur' | 'next' | 'periodic' }>;

/** What the builders accept as an operand: a tree, or a constant. */
export type Operand = Expr | bigint | number;

export const MAX_EXPONENT = 255;
/** Column and periodic indices are serialized as u32. */
const INDEX_LIMIT = 2 ** 32;

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

const lift = (x: Operand): Expr => (typeof x === 'object' ? x : constant(x));

export const add = (a: Operand, b: Operand): Expr => ({ op: 'add', a: lift(a), b: lift(b) });
export const sub = (a: Operand, b: Operand): Expr => ({ op: 'sub', a: lift(a), b: lift(b) });
export const mul = (a: Operand, b: Operand): Expr => ({ op: 'mul', a: lift(a), b: lift(b) });
export const neg = (a: Operand): Expr => ({ op: 'neg', a: lift(a) });

export function pow(a: Operand, exp: number): Expr {
  if (!isExponent(exp)) throw new RangeError(`pow: exponent ${exp} is not an integer in [0, ${MAX_EXPONENT}]`);
  return { op: 'pow', a: lift(a), exp };
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

// ---------------------------------------------------------------- structure

/**
 * Degree in the trace polynomials: constants 0, trace cells and periodic values 1 (a periodic
 * column is a polynomial of degree < n, so 1 is a safe bound for the composition degree).
 */
export function degree(e: Expr): number {
  switch (e.op) {
    case 'const':
      return 0;
    case 'cur':
    case 'next':
    case 'periodic':
      return 1;
    case 'add':
    case 'sub':
      return Math.max(degree(e.a), degree(e.b));
    case 'mul':
      return degree(e.a) + degree(e.b);
    case 'neg':
      return degree(e.a);
    case 'pow':
      return degree(e.a) * e.exp;
  }
}

function fail(path: string, msg: string): never {
  throw new RangeError(`${path}: ${msg}`);
}

const below = (i: unknown, limit: number): boolean => Number.isInteger(i) && (i as number) >= 0 && (i as number) < limit;

/**
 * Validates a tree against a trace of `width` columns and `periodicCount` periodic columns; throws a
 * RangeError naming the offending node by its path from `path` (children are `.a`, `.b`).
 */
export function checkExpr(e: Expr, width: number, periodicCount: number, path = 'expr'): void {
  if (typeof e !== 'object' || e === null) fail(path, 'not an expression node');
  switch (e.op) {
    case 'const':
      if (!F.isCanonical(e.value)) fail(path, `constant ${String(e.value)} is not a canonical field element`);
      return;
    case 'cur':
    case 'next':
      if (!below(e.col, width)) fail(path, `${e.op} column ${e.col} is outside [0, ${width})`);
      return;
    case 'periodic':
      if (!below(e.index, periodicCount)) fail(path, `periodic column ${e.index} is outside [0, ${periodicCount})`);
      return;
    case 'add':
    case 'sub':
    case 'mul':
      checkExpr(e.a, width, periodicCount, `${path}.a`);
      checkExpr(e.b, width, periodicCount, `${path}.b`);
      return;
    case 'pow':
      if (!isExponent(e.exp)) fail(path, `exponent ${e.exp} is not an integer in [0, ${MAX_EXPONENT}]`);
      checkExpr(e.a, width, periodicCount, `${path}.a`);
      return;
    case 'neg':
      checkExpr(e.a, width, periodicCount, `${path}.a`);
      return;
    default:
      fail(path, `unknown op ${JSON.stringify((e as { op?: unknown }).op)}`);
  }
}

/** Checks a tree against no particular trace: only what the encodings can hold. */
export const checkShape = (e: Expr, path: string): void => checkExpr(e, INDEX_LIMIT, INDEX_LIMIT, path);

const TAG = { const: 1, cur: 2, next: 3, periodic: 4, add: 5, sub: 6, mul: 7, neg: 8, pow: 9 } as const;

/**
 * Canonical prefix encoding: a tag byte per node, then its fixed fields (constant: 8 bytes LE;
 * column or periodic index: u32 LE; pow: one exponent byte), then its children a, b in order. Each
 * tag fixes the fields and child count that follow, so the encoding is uniquely decodable (injective).
 */
export function serializeExpr(e: Expr): Uint8Array {
  checkShape(e, 'serializeExpr: expr');
  const out: number[] = [];
  const u32 = (x: number) => out.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24);
  const write = (n: Expr): void => {
    out.push(TAG[n.op]);
    switch (n.op) {
      case 'const':
        out.push(...F.encode(n.value));
        return;
      case 'cur':
      case 'next':
        u32(n.col);
        return;
      case 'periodic':
        u32(n.index);
        return;
      case 'add':
      case 'sub':
      case 'mul':
        write(n.a);
        write(n.b);
        return;
      case 'neg':
        write(n.a);
        return;
      case 'pow':
        out.push(n.exp);
        write(n.a);
    }
  };
  write(e);
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- evaluation

/** The arithmetic an evaluator needs, over some representation T of field values. */
export interface Ops<T> {
  constant(v: bigint): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  neg(a: T): T;
  pow(a: T, exp: number): T;
}

export function evaluate<T>(e: Expr, leaf: (l: Leaf) => T, f: Ops<T>): T {
  const go = (n: Expr): T => {
    switch (n.op) {
      case 'const':
        return f.constant(n.value);
      case 'cur':
      case 'next':
      case 'periodic':
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
    }
  };
  return go(e);
}

/** Values of the current row, the next row and the periodic columns, in some representation T. */
export interface Frame<T> {
  readonly cur: readonly T[];
  readonly next: readonly T[];
  readonly periodic: readonly T[];
}

/** Checks the tree against the frame's shape (cur and next equally wide); returns the leaf lookup. */
export function frameLeaf<T>(fn: string, e: Expr, at: Frame<T>): (l: Leaf) => T {
  if (at.next.length !== at.cur.length)
    throw new RangeError(`${fn}: the next row has ${at.next.length} values, the current row ${at.cur.length}`);
  checkExpr(e, at.cur.length, at.periodic.length, `${fn}: expr`);
  return (l) => (l.op === 'periodic' ? at.periodic[l.index] : at[l.op][l.col]) as T;
}

const BASE: Ops<bigint> = {
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
