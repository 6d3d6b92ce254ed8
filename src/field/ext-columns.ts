/**
 * F_p2 columns for the prover's bulk work: an element column is a pair of base columns (c0, c1),
 * and every operation is a handful of WebAssembly base-column kernels — never a bigint per element.
 * u² = 7 (src/field/ext2.ts).
 *
 * @module
 */
import { addColumns, mulColumns, scaleColumn, type Column } from './columns.js';
import * as Fp2 from './ext2.js';
import type { Kernels } from '../wasm/kernels.js';

export interface ExtColumn {
  readonly c0: Column;
  readonly c1: Column;
}

const W = Fp2.W;

/** a·b for base column b. */
/** The columns of `parts` one after another. */
/** The (c0, c1) columns of an F_p2 column, from a list holding exactly them first. */
export const pairOf = (cols: readonly Column[]): ExtColumn => ({ c0: cols[0]!, c1: cols[1]! });

export function concatExt(parts: readonly ExtColumn[]): ExtColumn {
  const N = parts.reduce((m, p) => m + p.c0.length, 0);
  const out = { c0: new BigUint64Array(N), c1: new BigUint64Array(N) };
  let at = 0;
  for (const p of parts) (out.c0.set(p.c0, at), out.c1.set(p.c1, at), (at += p.c0.length));
  return out;
}

export function mulExtByBase(k: Kernels, a: ExtColumn, b: Column): ExtColumn {
  return { c0: mulColumns(k, a.c0, b), c1: mulColumns(k, a.c1, b) };
}

/** (a0 + a1·u)(b0 + b1·u) = a0·b0 + 7·a1·b1 + (a0·b1 + a1·b0)·u. */
function mulExt(k: Kernels, a: ExtColumn, b: ExtColumn): ExtColumn {
  const c0 = addColumns(k, mulColumns(k, a.c0, b.c0), scaleColumn(k, mulColumns(k, a.c1, b.c1), W));
  const c1 = addColumns(k, mulColumns(k, a.c0, b.c1), mulColumns(k, a.c1, b.c0));
  return { c0, c1 };
}

/**
 * z^0 … z^(n−1) as an F_p2 column, from two tables of √n-ish powers (z^lo and (z^B)^hi) combined
 * with column products: 2·B bigint products instead of n.
 */
export function extPowers(k: Kernels, z: Fp2.Fp2, n: number): ExtColumn {
  const b = Math.max(1, 2 ** Math.ceil(Math.log2(n) / 2));
  const rows = Math.ceil(n / b);
  const lo = new BigUint64Array(2 * b), hi = new BigUint64Array(2 * rows);
  let acc: Fp2.Fp2 = Fp2.ONE;
  for (let j = 0; j < b; j++) (lo[2 * j] = acc[0]), (lo[2 * j + 1] = acc[1]), (acc = Fp2.mul(acc, z));
  const zb = acc;
  acc = Fp2.ONE;
  for (let j = 0; j < rows; j++) (hi[2 * j] = acc[0]), (hi[2 * j + 1] = acc[1]), (acc = Fp2.mul(acc, zb));
  // Tile: entry i = lo[i mod b] · hi[i / b].
  const tiled = (src: BigUint64Array, c: 0 | 1, index: (i: number) => number): Column => {
    const out = new BigUint64Array(n);
    const o32 = new Uint32Array(out.buffer), s32 = new Uint32Array(src.buffer);
    for (let i = 0; i < n; i++) {
      const s = 2 * (2 * index(i) + c);
      o32[2 * i] = s32[s]!;
      o32[2 * i + 1] = s32[s + 1]!;
    }
    return out;
  };
  const loCol = { c0: tiled(lo, 0, (i) => i % b), c1: tiled(lo, 1, (i) => i % b) };
  const hiCol = { c0: tiled(hi, 0, (i) => Math.floor(i / b)), c1: tiled(hi, 1, (i) => Math.floor(i / b)) };
  return mulExt(k, loCol, hiCol);
}

/**
 * Σ_j c_j·z^j for each base column c, given the powers of z (at least as many as the longest column):
 * one wasm pass per column, the powers copied in once for all of them.
 */
export function evaluateBaseAt(k: Kernels, cols: readonly Column[], powers: ExtColumn): Fp2.Fp2[] {
  const n = Math.max(0, ...cols.map((c) => c.length));
  if (powers.c0.length < n || powers.c1.length < n) throw new RangeError(`evaluateBaseAt: ${n} coefficients, ${powers.c0.length} powers`);
  return k.scoped(() => {
    const p0 = k.put(powers.c0.subarray(0, n)), p1 = k.put(powers.c1.subarray(0, n)), a = k.alloc(n * 8), out = k.alloc(16);
    return cols.map((c): Fp2.Fp2 => {
      k.raw.ext_dot_base(out, k.put(c, a), p0, p1, c.length);
      return [k.u64[out / 8]!, k.u64[out / 8 + 1]!];
    });
  });
}

/** F_p2 polynomials c = c0 + u·c1 at a point, from their coordinates' values there, (c0, c1) pairs in order: c0(z) + u·c1(z). */
export const joinCoordinates = (values: readonly Fp2.Fp2[]): Fp2.Fp2[] =>
  Array.from({ length: values.length / 2 }, (_, j) => Fp2.add(values[2 * j]!, Fp2.mul(Fp2.U, values[2 * j + 1]!)));
