/**
 * Tables of powers on the GPU: scale·root^e for every e < 2^bits as two small tables (lo and hi), so a
 * kernel forms any power with one multiplication (coset points of the LDE domain, FRI inverse points).
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import type { GpuContext } from './context.js';

export interface PowerTable {
  buffer: GPUBuffer;
  /** lo holds root^i for i < 2^loBits. */
  loBits: number;
}

const tables = new WeakMap<GpuContext, Map<string, PowerTable>>();

/**
 * scale·root^e for every e < 2^bits as two small tables in one buffer, cached per context: lo[i] =
 * root^i (i < 2^loBits), then hi[j] = scale·root^(j·2^loBits), so the value is hi[e >> loBits]·lo[e mod
 * 2^loBits] — one multiply in a kernel and about 2·2^(bits/2) host multiplies here.
 */
export function powerTable(ctx: GpuContext, scale: bigint, root: bigint, bits: number): PowerTable {
  let cache = tables.get(ctx);
  if (!cache) tables.set(ctx, (cache = new Map()));
  const key = `${scale}:${root}:${bits}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { data, loBits } = splitPowers(scale, root, bits);
  const table = { buffer: ctx.upload(data, `powers ${key}`), loBits };
  cache.set(key, table);
  return table;
}

/** The host side of powerTable: lo (root^i, i < 2^loBits) then hi (scale·root^(j·2^loBits)) in one array. */
export function splitPowers(scale: bigint, root: bigint, bits: number): { data: BigUint64Array; loBits: number } {
  const loBits = Math.ceil(bits / 2), loN = 2 ** loBits, hiN = 2 ** (bits - loBits);
  const data = new BigUint64Array(loN + hiN);
  let p = 1n;
  for (let i = 0; i < loN; i++, p = Fp.mul(p, root)) data[i] = p;
  // p = root^(2^loBits) now.
  let q = scale;
  for (let j = 0; j < hiN; j++, q = Fp.mul(q, p)) data[loN + j] = q;
  return { data, loBits };
}
