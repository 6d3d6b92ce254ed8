/**
 * AIR constraints evaluated over whole columns on the CPU (the prover over the LDE domain, and the
 * host trace check): the expression tree (src/stark/expr.ts) walked by its one evaluator with block
 * arithmetic on the wasm kernels. The GPU's counterpart generates WGSL (../gpu/constraints.ts).
 *
 * @module
 */
import * as F from '../../field/goldilocks.js';
import type { Column } from '../../field/columns.js';
import type { Kernels } from '../../wasm/kernels.js';
import { evaluateAll, framesLeaf, type Expr, type Frame, type Leaf, type Ops } from '../../stark/expr.js';

/** Rows per block in evalColumnsAll: per-node scratch stays small and in cache whatever the column length. */
const BLOCK = 1 << 12;
/** Scratch per block at most (every node's block lives until the block is done): wide AIRs get shorter blocks. */
const BLOCK_SCRATCH_BYTES = 1 << 24;

const SCRATCH_NODES: Ops<number> = {
  constant: () => 0,
  add: (a, b) => a + b + 1,
  sub: (a, b) => a + b + 1,
  mul: (a, b) => a + b + 1,
  neg: (a) => a + 1,
  pow: (a) => a + 1,
  share: (v) => ({ first: v, later: 0 }),
};

/** A block's value: a constant (never broadcast unless an operation needs it) or a block of scratch. */
type Block = { readonly c: bigint } | { readonly ptr: number };

/**
 * The tree over whole columns (the prover over the LDE domain): row i of the result is evalBase
 * at row i of every input column. Every input column must hold `length` canonical elements (as the
 * kernels produce them; not re-checked here). Runs block by block in the wasm kernels: each node's
 * block is fresh scratch, constants fold, multiplying by a constant is a scale, and a constant is
 * broadcast into scratch only when an addition or subtraction needs it (there is no add-constant kernel).
 */
export function evalColumns(k: Kernels, e: Expr, at: Frame<Column>, length: number): Column {
  return evalColumnsAll(k, [e], at, length, 'evalColumns')[0]!;
}

/** evalColumns for several trees at once: a subexpression they share is computed once per block. */
export function evalColumnsAll(k: Kernels, es: readonly Expr[], at: Frame<Column>, length: number, fn = 'evalColumnsAll'): Column[] {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`${fn}: length ${length} is not a non-negative integer`);
  for (const part of ['cur', 'next', 'periodic'] as const)
    at[part].forEach((col, i) => {
      if (!(col instanceof BigUint64Array)) throw new TypeError(`${fn}: ${part}[${i}] is not a BigUint64Array`);
      if (col.length !== length) throw new RangeError(`${fn}: ${part}[${i}] has ${col.length} elements, expected ${length}`);
    });
  const column = framesLeaf(fn, es, at);
  const nodes = evaluateAll(es, () => 1, SCRATCH_NODES).reduce((a, b) => a + b, 0);
  const rows = Math.max(64, Math.min(BLOCK, Math.floor(BLOCK_SCRATCH_BYTES / (8 * Math.max(1, nodes)))));
  const outs = es.map(() => new BigUint64Array(length));
  for (let start = 0; start < length; start += rows) {
    const n = Math.min(rows, length - start);
    const loaded = new Map<Column, number>();
    const leaf = (l: Leaf): Block => {
      const col = column(l);
      let ptr = loaded.get(col);
      if (ptr === undefined) loaded.set(col, (ptr = k.put(col.subarray(start, start + n))));
      return { ptr };
    };
    k.scoped(() => {
      evaluateAll(es, leaf, blockOps(k, n)).forEach((v, i) => {
        const out = outs[i]!;
        if ('c' in v) out.fill(v.c, start, start + n);
        else k.getInto(v.ptr, out.subarray(start, start + n));
      });
    });
  }
  return outs;
}

/** Block arithmetic on n-element scratch blocks; results are never written to after being returned. */
function blockOps(k: Kernels, n: number): Ops<Block> {
  const fresh = () => k.alloc(n * 8);
  const ptrOf = (v: Block): number => {
    if ('ptr' in v) return v.ptr;
    const ptr = fresh();
    k.u64.fill(v.c, ptr / 8, ptr / 8 + n);
    return ptr;
  };
  const binary = (op: 'vec_add' | 'vec_sub' | 'vec_mul', a: Block, b: Block): Block => {
    const ptr = fresh();
    k.raw[op](ptr, ptrOf(a), ptrOf(b), n);
    return { ptr };
  };
  const scale = (a: { ptr: number }, c: bigint): Block => {
    if (c === 0n) return { c: 0n };
    if (c === 1n) return a;
    const ptr = fresh();
    k.raw.vec_scale(ptr, a.ptr, c, n);
    return { ptr };
  };
  const isConst = (v: Block, c: bigint): boolean => 'c' in v && v.c === c;
  return {
    constant: (c) => ({ c }),
    add: (a, b) => {
      if ('c' in a && 'c' in b) return { c: F.add(a.c, b.c) };
      if (isConst(b, 0n)) return a;
      return isConst(a, 0n) ? b : binary('vec_add', a, b);
    },
    sub: (a, b) => {
      if ('c' in a && 'c' in b) return { c: F.sub(a.c, b.c) };
      return isConst(b, 0n) ? a : binary('vec_sub', a, b);
    },
    mul: (a, b) => {
      if ('c' in a) return 'c' in b ? { c: F.mul(a.c, b.c) } : scale(b, a.c);
      return 'c' in b ? scale(a, b.c) : binary('vec_mul', a, b);
    },
    neg: (a) => {
      if ('c' in a) return { c: F.neg(a.c) };
      const ptr = fresh();
      k.raw.vec_neg(ptr, a.ptr, n);
      return { ptr };
    },
    pow: (a, exp) => {
      if ('c' in a) return { c: F.pow(a.c, BigInt(exp)) };
      if (exp <= 1) return exp === 0 ? { c: 1n } : a;
      // Square-and-multiply from the top bit; the first square leaves a's block untouched.
      const ptr = fresh();
      let r = a.ptr;
      for (let bit = 31 - Math.clz32(exp) - 1; bit >= 0; bit--) {
        k.raw.vec_mul(ptr, r, r, n);
        r = ptr;
        if ((exp >> bit) & 1) k.raw.vec_mul(ptr, ptr, a.ptr, n);
      }
      return { ptr };
    },
  };
}
