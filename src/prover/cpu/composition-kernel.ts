/**
 * The composition polynomial (src/stark/composition.ts) compiled to WebAssembly per AIR: a function
 * (several, in order, when the code outgrows what an engine compiles as one) that, for each point of a coset block, loads the trace cells the constraints read (current and
 * next row) and the periodic values, evaluates every transition constraint from the AIR's expression
 * trees (shared subexpressions once), accumulates them with their α ∈ F_p2, applies the transition
 * divisor and adds the boundary groups (boundary and row constraints), and stores the composition's two coordinates. One pass over
 * memory instead of one kernel call per tree node.
 *
 * The module holds the AIR's trees and the proof's coefficients (α, the boundary values, g^(n−1)) as
 * constants, so each multiplication by one costs less than by a value read from memory; the block's
 * pointers and its divisor constant come from a parameter block. It is a function of the AIR and the
 * transcript, so the same proof compiles the same bytes (their SHA-256 is recorded with its stages).
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as F from '../../field/goldilocks.js';
import type { Air } from '../../stark/air.js';
import { baseLeaf, evaluate, type BaseLeaf, type LetExpr, type Leaf, type Ops } from '../../stark/expr.js';
import { compositionTerms, type CompositionTerms } from '../../stark/composition.js';
import type { Fp2 } from '../../field/ext2.js';
import type { GeneratedKernel } from '../../stark/steps.js';
import { encodeModule, FieldEmitter, FunctionBuilder, OP, type FieldValue } from '../../wasm/emit.js';
import type { Kernels } from '../../wasm/kernels.js';

/** The block's inputs and outputs in wasm memory: byte offsets, and the parameter block's scalars. */
export interface KernelArgs {
  out0: number;
  out1: number;
  /** The block's points x (u64 each). */
  xs: number;
  /** next-row index per point (u32 each): the next row of point i is point sigma[i] of the block. */
  sigma: number;
  /** One per trace column (unused columns may be 0). */
  cur: readonly number[];
  periodic: readonly number[];
  /** 1/(x − g^row) per boundary group. */
  inverses: readonly number[];
  /** 1/(c_t^n − 1): the transition divisor's constant on the block. */
  zInv: bigint;
}

/** Layout of the parameter block (u64 slots): the pointers, then zInv. */
function layout(air: Air, groups: number) {
  const pointers = 4 + air.width + air.periodic.length + groups;
  return { pointers, zInv: pointers, slots: pointers + 1 };
}

export interface CompiledComposition extends GeneratedKernel {
  readonly module: WebAssembly.Module;
  /** The exported functions (params, start, end), to be run in this order over all points. */
  readonly entries: readonly string[];
  /** Writes the parameter block for `args` at `params` (paramBytes long). */
  readonly paramBytes: number;
  write(k: Kernels, params: number, args: KernelArgs): void;
}

/** The module last generated for each AIR: its coefficients and code budget, bytes, identity, layout and, once needed, its compilation. */
interface Generated {
  readonly key: string;
  readonly bytes: Uint8Array;
  /** Its exported functions, to be called in order (composeName(0 … functions − 1)). */
  readonly functions: number;
  readonly id: GeneratedKernel;
  readonly at: ReturnType<typeof layout>;
  kernel?: CompiledComposition;
}

const lastByAir = new WeakMap<Air, Generated>();

/** The module for `air` and `alphas`, generated once (the id a proof records and the compilation share it). */
function generated(air: Air, alphas: readonly Fp2[], budget = FUNCTION_CODE_BUDGET): Generated {
  const key = `${budget}:${alphas.map(String).join()}`;
  const last = lastByAir.get(air);
  if (last?.key === key) return last;
  const terms = compositionTerms(air, alphas), at = layout(air, terms.boundaryGroups.length);
  const functions = composeFunctions(air, terms, at, budget);
  const bytes = encodeModule(functions);
  const g: Generated = { key, bytes, functions: functions.length, id: { sha256: bytesToHex(sha256(bytes)), bytes: bytes.length }, at };
  lastByAir.set(air, g);
  return g;
}

/** The kernel's module bytes for `air` and `alphas`, and their identity (what a proof's stages record). */
export function compositionModule(air: Air, alphas: readonly Fp2[]): { bytes: Uint8Array; id: GeneratedKernel } {
  const { bytes, id } = generated(air, alphas);
  return { bytes, id };
}

/** The composition of `air` with coefficients `alphas`, compiled (once per AIR and coefficients). */
export function compiledComposition(air: Air, alphas: readonly Fp2[], budget?: number): CompiledComposition {
  const g = generated(air, alphas, budget);
  return (g.kernel ??= compile(g));
}

function compile({ bytes, id, at, functions }: Generated): CompiledComposition {
  return {
    module: new WebAssembly.Module(bytes as BufferSource),
    entries: Array.from({ length: functions }, (_, k) => composeName(k)),
    ...id,
    paramBytes: 8 * at.slots,
    write(k, params, args) {
      const u = k.u64.subarray(params / 8, params / 8 + at.slots);
      const ptrs = [args.out0, args.out1, args.xs, args.sigma, ...args.cur, ...args.periodic, ...args.inverses];
      if (ptrs.length !== at.pointers) throw new RangeError(`composition kernel: ${ptrs.length} pointers, expected ${at.pointers}`);
      ptrs.forEach((p, i) => (u[i] = BigInt(p)));
      u[at.zInv] = args.zInv;
    },
  };
}

/**
 * Per-point values of one loop body: leaves loaded (by `load`) once and kept, as are shared
 * subexpressions; field operations fold constants and hand back the locals of what they consumed.
 */
export function rowValues(f: FunctionBuilder, fe: FieldEmitter, load: (l: BaseLeaf) => FieldValue) {
  const pinned = new Set<number>();
  const leaves = new Map<string, FieldValue>();
  const leaf = (any: Leaf): FieldValue => {
    const l = baseLeaf(any);
    const key = l.op === 'periodic' ? `p${l.index}` : `${l.op}${l.col}`;
    let v = leaves.get(key);
    if (!v) {
      v = load(l);
      leaves.set(key, v);
      if ('local' in v) pinned.add(v.local);
    }
    return v;
  };
  const done = (r: FieldValue, ...children: FieldValue[]): FieldValue => {
    for (const c of children) if ('local' in c && !pinned.has(c.local) && !('local' in r && r.local === c.local)) f.release(c.local);
    return r;
  };
  const isConst = (v: FieldValue, c: bigint) => 'c' in v && v.c === c;
  const ops: Ops<FieldValue> = {
    constant: (c) => ({ c }),
    add: (a, b) => {
      if ('c' in a && 'c' in b) return { c: F.add(a.c, b.c) };
      if (isConst(b, 0n)) return a;
      if (isConst(a, 0n)) return b;
      return done(fe.add(a, b), a, b);
    },
    sub: (a, b) => {
      if ('c' in a && 'c' in b) return { c: F.sub(a.c, b.c) };
      if (isConst(b, 0n)) return a;
      return done(fe.sub(a, b), a, b);
    },
    mul: (a, b) => {
      if ('c' in a && 'c' in b) return { c: F.mul(a.c, b.c) };
      if (isConst(a, 0n) || isConst(b, 0n)) return done({ c: 0n }, a, b);
      if (isConst(a, 1n)) return b;
      if (isConst(b, 1n)) return a;
      return 'c' in a ? done(fe.mul(b, a), a, b) : done(fe.mul(a, b), a, b);
    },
    neg: (a) => ('c' in a ? { c: F.neg(a.c) } : done(fe.neg(a), a)),
    pow: (a, exp) => {
      if ('c' in a) return { c: F.pow(a.c, BigInt(exp)) };
      if (exp === 0) return { c: 1n };
      let r: FieldValue = a;
      for (let bit = 31 - Math.clz32(exp) - 1; bit >= 0; bit--) {
        r = done(fe.mul(r, r), r === a ? { c: 0n } : r);
        if ((exp >> bit) & 1) r = done(fe.mul(r, a), r);
      }
      return done(r, a);
    },
    share: (v) => {
      if ('local' in v) pinned.add(v.local);
      return { first: v, later: v };
    },
  };
  /** fn(v) with v kept alive meanwhile; v is released afterwards unless it was pinned already. */
  const keeping = (v: FieldValue, fn: () => FieldValue[]): FieldValue[] => {
    if (!('local' in v) || pinned.has(v.local)) return fn();
    pinned.add(v.local);
    const r = fn();
    pinned.delete(v.local);
    // A result may be v itself (times one, plus zero): the first such passes to the caller; any
    // other gets a copy, since every value is released once by whoever consumes it.
    let passed = false;
    const owned = r.map((x): FieldValue => {
      if (!('local' in x) || x.local !== v.local) return x;
      if (!passed) return (passed = true), x;
      const copy = f.local('i64');
      f.get(v.local).set(copy);
      return { local: copy };
    });
    if (!passed) done({ c: 0n }, v);
    return owned;
  };
  /** acc + (a0, a1)·v for constant F_p2 coefficients a and a base value v (v is released). */
  const axpy = (acc: Ext, v: FieldValue, a: Fp2): Ext =>
    keeping(v, () => [ops.add(acc[0], ops.mul(v, { c: a[0] })), ops.add(acc[1], ops.mul(v, { c: a[1] }))]) as Ext;
  return { leaf, ops, keeping, axpy };
}

type Row = ReturnType<typeof rowValues>;

/**
 * Bytes of code one generated function holds before the next begins: engines cap a function's size
 * (V8: 7,654,321 bytes), and a wide AIR's constraints (Keccak-f: thousands) or many boundary rows
 * exceed it in one.
 */
export const FUNCTION_CODE_BUDGET = 3_000_000;

/** The name of the module's k-th function: `compose` for the first (for most AIRs the only one). */
export const composeName = (k: number): string => (k === 0 ? 'compose' : `compose_${k}`);

/**
 * compose(params, start, end), then compose_1, compose_2, … if the code outgrows one function
 * (FUNCTION_CODE_BUDGET), each called over every point before the next: the composition at points
 * [start, end) of the block described by the parameter block at `params`. The first loops gather the
 * transitions (a later function adds its share to what the earlier ones stored) and the last of them
 * writes Σ_t α_t·c_t times the divisor; then one loop per boundary row adds its quotient. Smaller
 * loop bodies keep their values in registers, where one body holding everything spills.
 */
function composeFunctions(air: Air, terms: CompositionTerms, at: ReturnType<typeof layout>, budget: number): FunctionBuilder[] {
  const functions: FunctionBuilder[] = [];
  let fn = composeFunction(air, composeName(0));
  /** The function to emit into next: a new one once the current one is over budget. */
  const room = () => {
    if (fn.f.code.length <= budget) return fn;
    functions.push(fn.f);
    return (fn = composeFunction(air, composeName(functions.length)));
  };

  // Σ_t α_t·c_t · (x − g^(n−1))·zInv, in as many loops as the budget needs.
  let t = 0;
  do {
    const { f, loop, element, store } = room();
    const resume = t > 0;
    loop(({ leaf, ops, keeping, axpy }) => {
      let acc: Ext = resume ? [element(0), element(1)] : [{ c: 0n }, { c: 0n }];
      // One memo across this loop's transitions: a subexpression they share is computed once per point.
      const memo = new Map<LetExpr, FieldValue>();
      while (t < terms.transitions.length && f.code.length <= budget) {
        const { expr, alpha } = terms.transitions[t++]!;
        acc = axpy(acc, evaluate(expr, leaf, ops, memo), alpha);
      }
      if (t < terms.transitions.length) {
        store(0, acc[0]);
        store(1, acc[1]);
        return;
      }
      const zInv = { local: f.local('i64') };
      f.get(PARAMS).load64(8 * at.zInv).set(zInv.local);
      const divisor = ops.mul(ops.add(element(2), { c: F.neg(terms.lastRow) }), zInv);
      const [t0, t1] = keeping(divisor, () => [ops.mul(acc[0], divisor), ops.mul(acc[1], divisor)]);
      store(0, t0!);
      store(1, t1!);
    });
  } while (t < terms.transitions.length);
  // + (Σ_b α_b·(T_col − v_b) + Σ_r α_r·e_r)·1/(x − g^row), one boundary row at a time
  terms.boundaryGroups.forEach((group, g) => {
    const { loop, element, store } = room();
    loop(({ leaf, ops, keeping, axpy }) => {
      let sum: Ext = [{ c: 0n }, { c: 0n }];
      for (const b of group.terms) sum = axpy(sum, ops.add(leaf({ op: 'cur', col: b.col }), { c: F.neg(b.value) }), b.alpha);
      const memo = new Map<LetExpr, FieldValue>();
      for (const r of group.rowTerms) sum = axpy(sum, evaluate(r.expr, leaf, ops, memo), r.alpha);
      const inv = element(inverseSlot(air, g));
      const [q0, q1] = keeping(inv, () => [ops.mul(sum[0], inv), ops.mul(sum[1], inv)]);
      store(0, ops.add(element(0), q0!));
      store(1, ops.add(element(1), q1!));
    });
  });
  functions.push(fn.f);
  return functions;
}

/** Parameter-block slots: the pointers of the trace columns, the periodic columns and the boundary rows' inverses. */
const curSlot = (col: number) => 4 + col;
const periodicSlot = (air: Air, p: number) => 4 + air.width + p;
const inverseSlot = (air: Air, g: number) => 4 + air.width + air.periodic.length + g;
/** The exported functions' parameters: the parameter block, then the range of points. */
const PARAMS = 0, START = 1, END = 2;

/** One exported function (params, start, end) and the emitters its loops share. */
function composeFunction(air: Air, name: string) {
  const f = new FunctionBuilder(name, ['i32', 'i32', 'i32']);
  const fe = new FieldEmitter(f);
  const i = f.local('i32'), o = f.local('i32'), nextOffset = f.local('i32');
  /** The u64 at pointer slot `slot` plus the i32 byte offset in `offset` (default: this point's). */
  const element = (slot: number, offset = o): FieldValue => {
    const l = f.local('i64');
    f.get(PARAMS).load32(8 * slot).get(offset).op(OP.i32Add).load64().set(l);
    return { local: l };
  };
  const store = (slot: number, v: FieldValue) => {
    f.get(PARAMS).load32(8 * slot).get(o).op(OP.i32Add);
    if ('c' in v) f.i64(v.c);
    else f.get(v.local);
    f.store64();
  };
  /** A loop over the points [start, end) whose body `body` emits with a fresh set of per-point values. */
  const loop = (body: (row: Row) => void) => {
    f.get(START).set(i);
    f.block(() => f.loop(() => {
      f.get(i).get(END).op(OP.i32GeU).brIf(1);
      f.get(i).i32(3).op(OP.i32Shl).set(o);
      let nextLoaded = false;
      body(rowValues(f, fe, (l) => {
        if (l.op === 'periodic') return element(periodicSlot(air, l.index));
        if (l.op === 'next' && !nextLoaded) {
          // sigma[i] · 8
          f.get(PARAMS).load32(8 * 3).get(i).i32(2).op(OP.i32Shl, OP.i32Add).load32().i32(3).op(OP.i32Shl).set(nextOffset);
          nextLoaded = true;
        }
        return element(curSlot(l.col), l.op === 'cur' ? o : nextOffset);
      }));
      f.get(i).i32(1).op(OP.i32Add).set(i).br(0);
    }));
  };
  return { f, loop, element, store };
}

type Ext = [FieldValue, FieldValue];
