/**
 * AIR constraints evaluated over whole columns on the CPU (the host's trace check before a proof):
 * the trees (src/stark/expr.ts) compiled to one WebAssembly loop that evaluates them all per row,
 * shared subexpressions once, as the composition kernel does (./composition-kernel.ts). The GPU's
 * counterpart generates WGSL (../gpu/constraints.ts).
 *
 * @module
 */
import { isZeroUpTo, type Column } from '../../field/columns.js';
import { encodeModule, FieldEmitter, FunctionBuilder, OP, runInCalls } from '../../wasm/emit.js';
import type { Kernels } from '../../wasm/kernels.js';
import { evaluateAll, framesLeaf, type Expr, type Frame } from '../../stark/expr.js';
import { rowValues } from './composition-kernel.js';

/**
 * The tree over whole columns: row i of the result is evalBase at row i of every input column.
 * Every input column must hold `length` canonical elements (as the kernels produce them; not
 * re-checked here). Runs compiled, chunk by chunk in wasm memory.
 */
export function evalColumns(k: Kernels, e: Expr, at: Frame<Column>, length: number): Column {
  return evalColumnsAll(k, [e], at, length, 'evalColumns')[0]!;
}

/** evalColumns for several trees at once: a subexpression they share is computed once per row. */
export function evalColumnsAll(k: Kernels, es: readonly Expr[], at: Frame<Column>, length: number, fn = 'evalColumnsAll'): Column[] {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`${fn}: length ${length} is not a non-negative integer`);
  for (const part of ['cur', 'next', 'periodic'] as const)
    at[part].forEach((col, i) => {
      if (!(col instanceof BigUint64Array)) throw new TypeError(`${fn}: ${part}[${i}] is not a BigUint64Array`);
      if (col.length !== length) throw new RangeError(`${fn}: ${part}[${i}] has ${col.length} elements, expected ${length}`);
    });
  framesLeaf(fn, es, at); // checks every leaf against the frame
  const outs = es.map(() => new BigUint64Array(length));
  if (length === 0) return outs;
  const { cur, next, periodic } = at;
  const run = k.link(compiledTrees(es, cur.length, periodic.length))['evaluate'] as (params: number, start: number, end: number) => void;
  const chunk = Math.max(1, Math.floor(CHUNK_BYTES / (8 * (2 * cur.length + periodic.length + es.length))));
  for (let start = 0; start < length; start += chunk) {
    const n = Math.min(chunk, length - start);
    k.scoped(() => {
      const ptrs = [...cur, ...next, ...periodic].map((c) => k.put(c.subarray(start, start + n)));
      const out = es.map(() => k.alloc(8 * n));
      const params = k.alloc(8 * (ptrs.length + out.length));
      k.u64.set([...ptrs, ...out].map(BigInt), params / 8);
      runInCalls(run, params, n);
      out.forEach((p, i) => k.getInto(p, outs[i]!.subarray(start, start + n)));
    });
  }
  return outs;
}

/**
 * Whether every tree vanishes on every row of the frame (its columns of one length): the host's
 * trace check, over rows 0 … n−2 as cur = column[0 … n−2] and next = column[1 … n−1], or over a
 * range of them (a thread's share).
 */
export function transitionsHold(k: Kernels, es: readonly Expr[], at: Frame<Column>): boolean {
  const rows = at.cur[0]?.length ?? 0;
  return evalColumnsAll(k, es, at, rows, 'transitionsHold').every((c) => isZeroUpTo(c, rows));
}

/** Rows per chunk: inputs and outputs of a chunk take at most this much wasm memory. */
const CHUNK_BYTES = 1 << 26;

const compiled = new WeakMap<readonly Expr[], Map<string, WebAssembly.Module>>();

/**
 * evaluate(params, start, end): every tree at rows [start, end) of the columns whose pointers the
 * parameter block lists (cur, next, periodic, then one output per tree). Made once per array of
 * trees and frame shape.
 */
function compiledTrees(es: readonly Expr[], width: number, periodicCount: number): WebAssembly.Module {
  const shape = `${width}/${periodicCount}`;
  let byShape = compiled.get(es);
  if (!byShape) compiled.set(es, (byShape = new Map()));
  let module = byShape.get(shape);
  if (module) return module;
  const f = new FunctionBuilder('evaluate', ['i32', 'i32', 'i32']);
  const fe = new FieldEmitter(f);
  const PARAMS = 0, START = 1, END = 2;
  const i = f.local('i32'), o = f.local('i32');
  const at = (slot: number) => f.get(PARAMS).load32(8 * slot).get(o).op(OP.i32Add);
  f.get(START).set(i);
  f.block(() => f.loop(() => {
    f.get(i).get(END).op(OP.i32GeU).brIf(1);
    f.get(i).i32(3).op(OP.i32Shl).set(o);
    const row = rowValues(f, fe, (l) => {
      const local = f.local('i64');
      at(l.op === 'cur' ? l.col : l.op === 'next' ? width + l.col : 2 * width + l.index).load64().set(local);
      return { local };
    });
    evaluateAll(es, row.leaf, row.ops).forEach((v, t) => {
      at(2 * width + periodicCount + t);
      if ('c' in v) f.i64(v.c);
      else f.get(v.local);
      f.store64();
    });
    f.get(i).i32(1).op(OP.i32Add).set(i).br(0);
  }));
  byShape.set(shape, (module = new WebAssembly.Module(encodeModule([f]) as BufferSource)));
  return module;
}
