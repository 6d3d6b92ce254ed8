/**
 * MEM_STREAM_V1: the STREAM triad over field elements followed by a branchy thresholding pass, the
 * AIR of the benchmark workload mem_stream_branch_v1. Row i = 0 … n−1 holds inputs b_i, c_i, t_i
 * (u32 each) and the public scalar s (0 … 2^16 − 1); it computes
 *   a_i = b_i + s·c_i (an integer ≤ 2^16·(2^32 − 1) < 2^48, so exact in F_p),
 *   flag_i = [a_i < t_i], out_i = flag_i ? a_i : t_i (= min(a_i, t_i), so out_i < 2^32),
 * and absorbs b_i, c_i, t_i, out_i, row by row, into acc ← (acc + v)^7 from acc = 0 over F_p; the
 * final acc is the public checksum. x ↦ x^7 is a permutation of F_p (7 ∤ p − 1), and the chain is a
 * sequential algebraic checksum, NOT a collision-resistant hash: its output is one field element (a
 * birthday search finds two inputs with one checksum in about 2^32 steps) and x^7 inverts easily, so
 * a proof shows that some arrays with this scalar reach this checksum, not which ones.
 *   Columns (34): byte: the 8-bit table, i mod 256 on row i; mult: how many times the limbs of the
 *     whole trace take the value byte (the prover's counts, on rows 0 … 255, 0 on later rows); b, c, t and
 *     their byte limbs b_0 … b_3, c_0 … c_3, t_0 … t_3 (little-endian); flag; out; d_0 … d_5: the
 *     comparison's difference d = Σ 256^k·d_k; acc_in; for absorption k = 0 … 3 of v_k = b, c, t,
 *     out: cube_k = u_k³ with u_k = acc_k + v_k, then acc_{k+1} = cube_k²·u_k = u_k^7, where
 *     acc_0 = acc_in and acc_1, acc_2, acc_3, acc_out (= acc_4) are columns.
 *   Periodic: wrap, period 256: 1 at position 255, 0 elsewhere.
 *   Per-row constraints, each written twice as transitions, over the current row (name) and over
 *     the next row (name_next): transitions hold on rows 0 … n−2, so the two forms cover every row,
 *     row n − 1 included (whose checksum the last boundary reads). With a = b + s·c (degree 1):
 *     recompose_b, _c, _t (degree 1): x = Σ_k 256^k·x_k;
 *     flag_boolean (2): flag·(flag − 1);
 *     compare (2): Σ 256^k·d_k = flag·(t − a − 1) + (1 − flag)·(a − t);
 *     select (2): out = t + flag·(a − t);
 *     sbox_cube_k (3): cube_k = u_k³; sbox_out_k (3): acc_{k+1} = cube_k²·u_k.
 *   Transitions between rows (degree 1): byte_step: next.byte = cur.byte + 1 − 256·wrap;
 *     chain: next.acc_in = cur.acc_out.
 *   Boundaries: byte = 0 and acc_in = 0 on row 0; acc_out = checksum on row n − 1.
 *   Interactions (LogUp, ../stark/lookup.ts; bus 0, one-value tuples): every row sends its 18 limbs
 *     (b_k, c_k, t_k, d_k, multiplicity 1) and receives byte with multiplicity mult. 19 interactions
 *     in chunks of 2: 10 term columns and the running sum, 11 F_p2 auxiliary columns. Tuples are single
 *     cells and multiplicities constants or one cell, so every chunk constraint has degree ≤ 3, and
 *     so has every constraint here: 2 composition segments. The prover's builder of these columns is
 *     this module's (buildByteLookup: the generic one's columns, at a fraction of its cost).
 *   Public inputs: steps = n (a power of two in [2^8, 2^30]: the table needs its 256 rows), scalar
 *     (integer 0 … 65535), checksum (decimal string < p).
 *   Public-input bytes: u32 LE id length ‖ "mem_stream_v1" ‖ u64 LE steps ‖ u32 LE scalar ‖ checksum
 *     (8 bytes LE).
 * Soundness. byte_step and byte[0] = 0 make byte = i mod 256 on every row (n is a multiple of 256), so
 * the table is exactly {0, …, 255}. The lookup balances (except with negligible probability over its
 * challenges) only if every sent limb is a table value: each value is sent at most 18n < p times, so
 * no count vanishes mod p, whatever the field elements in mult. Hence b, c, t are integers < 2^32,
 * a = b + s·c is the integer < 2^48 (s is an AIR constant < 2^16), and d is an integer < 2^48.
 * flag is 0 or 1. If flag = 1 while a ≥ t, compare needs d ≡ −(a − t + 1) with 1 ≤ a − t + 1 ≤ 2^48,
 * i.e. d ≥ p − 2^48 > 2^48; if flag = 0 while a < t, d ≡ −(t − a) with 1 ≤ t − a < 2^32, i.e.
 * d ≥ p − 2^32. Neither is a sum of six bytes, so flag = [a < t] on every row and out = min(a, t).
 * (d needs no 2^48 bit: a < 2^48 bounds both differences.) The S-box constraints make
 * acc_{k+1} = (acc_k + v_k)^7 on every row, the chain and boundaries start the chain at 0 and end it at
 * the checksum, so the checksum is the chain over the trace's b, c, t and the out they determine.
 *
 * @module
 */
import { z } from 'zod';
import type { Column } from '../field/columns.js';
import type { ExtColumn } from '../field/ext-columns.js';
import * as Fp2 from '../field/ext2.js';
import * as F from '../field/goldilocks.js';
import { sha256 } from '../hash/digest.js';
import { MAX_LOG_N, type Air } from '../stark/air.js';
import { defineAir, type Row } from '../stark/define.js';
import { add, constant, cur, eq, mul, neg, pow, share, sub, sum, type Expr } from '../stark/expr.js';
import { DEFAULT_BATCH, withInteractions, type Interaction } from '../stark/lookup.js';
import { FieldElementSchema, parseInput, publicInputBytes, range, StepsSchema } from './public-inputs.js';

export const MEM_STREAM_AIR_ID = 'mem_stream_v1';
/** The 8-bit table needs 256 rows. */
export const MEM_STREAM_MIN_LOG_N = 8;
export const MEM_STREAM_MAX_SCALAR = 0xffff;

const limbNames = <X extends string>(x: X, count: number) => range(count).map((k) => `${x}_${k}` as `${X}_${number}`);
const INPUTS = ['b', 'c', 't'] as const;
const INPUT_LIMBS = INPUTS.flatMap((x) => limbNames(x, 4));
const D_LIMBS = limbNames('d', 6);

export const MEM_STREAM_COLUMNS = [
  'byte', 'mult', ...INPUTS, ...INPUT_LIMBS, 'flag', 'out', ...D_LIMBS,
  'acc_in', 'cube_0', 'acc_1', 'cube_1', 'acc_2', 'cube_2', 'acc_3', 'cube_3', 'acc_out',
] as const;
export type MemStreamColumn = (typeof MEM_STREAM_COLUMNS)[number];
const INDEX = new Map<string, number>(MEM_STREAM_COLUMNS.map((name, i) => [name, i]));
const col = (name: MemStreamColumn): number => INDEX.get(name)!;
/** acc_k of absorption k = 0 … 4 (acc_in, acc_1, acc_2, acc_3, acc_out). */
const ACC = ['acc_in', 'acc_1', 'acc_2', 'acc_3', 'acc_out'] as const;
const CUBE = ['cube_0', 'cube_1', 'cube_2', 'cube_3'] as const;
/** The bus of the byte lookups. */
const BYTE_BUS = 0;
/** Which 32-bit word of a u64 cell is its low one (the platform's byte order). */
const LOW_WORD = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 0 : 1;

export const MemStreamPublicInputsSchema = z.strictObject({
  steps: StepsSchema.refine((n) => n >= 2 ** MEM_STREAM_MIN_LOG_N, { error: `must be at least 2^${MEM_STREAM_MIN_LOG_N} (the byte table's rows)` }),
  scalar: z.number().int().min(0).max(MEM_STREAM_MAX_SCALAR),
  checksum: FieldElementSchema,
});
export type MemStreamPublicInputs = z.output<typeof MemStreamPublicInputsSchema>;

const parse = (publicInputs: unknown): MemStreamPublicInputs =>
  parseInput(MemStreamPublicInputsSchema, publicInputs, `${MEM_STREAM_AIR_ID} public inputs`);

/** Σ 256^k·limb_k. */
const recompose = (limbs: readonly Expr[]): Expr => sum(...limbs.map((l, k) => mul(256 ** k, l)));

/** The constraints every row must satisfy, over one row's cells (`suffix` tells the two forms apart). */
function rowConstraints(r: Row<MemStreamColumn>, s: number, suffix: string): Record<string, Expr> {
  const limbs = (x: string, count: number) => range(count).map((k) => r[`${x}_${k}` as MemStreamColumn]!);
  const a = share(add(r.b, mul(s, r.c)), `a${suffix}`);
  const out: Record<string, Expr> = {};
  for (const x of INPUTS) out[`recompose_${x}${suffix}`] = eq(r[x], recompose(limbs(x, 4)));
  out[`flag_boolean${suffix}`] = mul(r.flag, sub(r.flag, 1));
  out[`compare${suffix}`] = eq(recompose(limbs('d', 6)), add(mul(r.flag, sub(sub(r.t, a), 1)), mul(sub(1, r.flag), sub(a, r.t))));
  out[`select${suffix}`] = eq(r.out, add(r.t, mul(r.flag, sub(a, r.t))));
  [r.b, r.c, r.t, r.out].forEach((v, k) => {
    const u = share(add(r[ACC[k]!], v), `u${k}${suffix}`);
    out[`sbox_cube_${k}${suffix}`] = eq(r[CUBE[k]!], pow(u, 3));
    out[`sbox_out_${k}${suffix}`] = eq(r[ACC[k + 1]!], mul(pow(r[CUBE[k]!], 2), u));
  });
  return out;
}

/** The interactions' columns, in order: the table (received mult times), then every limb (sent once). */
const LOOKED_UP = [col('byte'), ...[...INPUT_LIMBS, ...D_LIMBS].map(col)];
const INTERACTIONS: readonly Interaction[] = LOOKED_UP.map((c, k) =>
  ({ bus: BYTE_BUS, values: [cur(c)], multiplicity: k === 0 ? neg(cur(col('mult'))) : constant(1) }));

/**
 * The auxiliary columns withInteractions' generic builder makes for INTERACTIONS (../stark/lookup.ts:
 * t_c = Σ_{k ∈ chunk c} m_k/(β − γ·v_k), then the running sum), without its cost: that one holds
 * 19·n F_p2 denominators as bigint pairs (gigabytes, and minutes, at n = 2^20). Nearly every value
 * looked up is a byte, so the 256 inverses 1/(β − γ·v) are computed once; any other value (a trace
 * that breaks the AIR) gets its own, so the columns are the generic builder's for every trace.
 */
function buildByteLookup(trace: readonly Column[], challenges: readonly Fp2.Fp2[]): ExtColumn[] {
  const [beta, gamma] = challenges as [Fp2.Fp2, Fp2.Fp2];
  const P = F.P, n = trace[0]!.length;
  // β − compress(bus, [v]) = β − (v·γ + bus), as ../stark/lookup.ts compresses a one-value tuple.
  const denominator = (v: bigint): Fp2.Fp2 => Fp2.sub(beta, Fp2.add(Fp2.mulBase(gamma, v), Fp2.fromBase(BigInt(BYTE_BUS))));
  const vanished = () => new RangeError('a lookup denominator vanished under these challenges (probability below 256/2^128): prove again with another statement');
  const bytes = range(256).map((v) => denominator(BigInt(v)));
  if (bytes.some(Fp2.isZero)) throw vanished();
  const small = Fp2.batchInverse(bytes), other = new Map<bigint, Fp2.Fp2>();
  const inverse = (column: Column, words: Uint32Array, row: number): Fp2.Fp2 => {
    const lo = words[2 * row + LOW_WORD]!, hi = words[2 * row + 1 - LOW_WORD]!;
    if (hi === 0 && lo < 256) return small[lo]!;
    const v = column[row]!;
    let r = other.get(v);
    if (r === undefined) {
      const d = denominator(v);
      if (Fp2.isZero(d)) throw vanished();
      other.set(v, (r = Fp2.inv(d)));
    }
    return r;
  };
  const columns = LOOKED_UP.map((c) => trace[c]!), words = columns.map((c) => new Uint32Array(c.buffer, c.byteOffset, 2 * n));
  const mult = trace[col('mult')]!;
  const chunks = Math.ceil(LOOKED_UP.length / DEFAULT_BATCH);
  const out = range(chunks + 1).map(() => ({ c0: new BigUint64Array(n), c1: new BigUint64Array(n) }));
  let s0 = 0n, s1 = 0n;
  for (let row = 0; row < n; row++) {
    for (let c = 0; c < chunks; c++) {
      let t0 = 0n, t1 = 0n;
      for (let k = c * DEFAULT_BATCH; k < Math.min((c + 1) * DEFAULT_BATCH, LOOKED_UP.length); k++) {
        const [i0, i1] = inverse(columns[k]!, words[k]!, row);
        // Multiplicity −mult for the table (k = 0), 1 for a limb.
        if (k === 0) {
          const m = F.neg(mult[row]!);
          t0 += (i0 * m) % P;
          t1 += (i1 * m) % P;
        } else {
          t0 += i0;
          t1 += i1;
        }
      }
      t0 %= P;
      t1 %= P;
      out[c]!.c0[row] = t0;
      out[c]!.c1[row] = t1;
      s0 = F.add(s0, t0);
      s1 = F.add(s1, t1);
    }
    out[chunks]!.c0[row] = s0;
    out[chunks]!.c1[row] = s1;
  }
  return out;
}

const WRAP = BigUint64Array.from(range(256), (i) => (i === 255 ? 1n : 0n));

export function memStreamAir(publicInputs: unknown): Air {
  const pi = parse(publicInputs);
  const base = defineAir({
    id: MEM_STREAM_AIR_ID,
    logN: Math.log2(pi.steps),
    columns: MEM_STREAM_COLUMNS,
    periodic: { wrap: WRAP },
    transitions: ({ cur: c, next: n, periodic }) => ({
      byte_step: eq(n.byte, sub(add(c.byte, 1), mul(256, periodic.wrap))),
      chain: eq(n.acc_in, c.acc_out),
      ...rowConstraints(c, pi.scalar, ''),
      ...rowConstraints(n, pi.scalar, '_next'),
    }),
    boundaries: {
      first_byte: { column: 'byte', row: 0, value: 0n },
      first_acc: { column: 'acc_in', row: 0, value: 0n },
      checksum: { column: 'acc_out', row: pi.steps - 1, value: BigInt(pi.checksum) },
    },
  });
  const air = withInteractions(base, INTERACTIONS);
  return { ...air, aux: { ...air.aux!, build: buildByteLookup } };
}

export function encodeMemStreamPublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  const tail = new Uint8Array(4 + F.ELEMENT_BYTES);
  new DataView(tail.buffer).setUint32(0, pi.scalar, true);
  tail.set(F.encode(BigInt(pi.checksum)), 4);
  return publicInputBytes(MEM_STREAM_AIR_ID, pi.steps, [], tail);
}

// ---------------------------------------------------------------- the computation

function checkArrays(fn: string, b: unknown, c: unknown, t: unknown, scalar: unknown): void {
  if (!(b instanceof Uint32Array) || !(c instanceof Uint32Array) || !(t instanceof Uint32Array))
    throw new TypeError(`${fn}: b, c and t must be Uint32Arrays`);
  if (c.length !== b.length || t.length !== b.length) throw new RangeError(`${fn}: b, c and t have ${b.length}, ${c.length} and ${t.length} elements`);
  if (!Number.isInteger(scalar) || (scalar as number) < 0 || (scalar as number) > MEM_STREAM_MAX_SCALAR)
    throw new RangeError(`${fn}: scalar ${String(scalar)} is not an integer in [0, ${MEM_STREAM_MAX_SCALAR}]`);
}

/**
 * The checksum chain over rows i of (b, c, t, min(b + s·c, t)); `record` sees every S-box's cube and
 * result. a < 2^48 is exact in a double.
 */
function chain(b: Uint32Array, c: Uint32Array, t: Uint32Array, s: number, record?: (row: number, k: number, cube: bigint, acc: bigint) => void): bigint {
  const P = F.P;
  let acc = 0n;
  for (let i = 0; i < b.length; i++) {
    const a = b[i]! + s * c[i]!;
    const vs = [b[i]!, c[i]!, t[i]!, Math.min(a, t[i]!)];
    for (let k = 0; k < 4; k++) {
      let u = acc + BigInt(vs[k]!);
      if (u >= P) u -= P;
      const cube = (((u * u) % P) * u) % P;
      acc = (((cube * cube) % P) * u) % P;
      record?.(i, k, cube, acc);
    }
  }
  return acc;
}

/**
 * The public checksum of arrays b, c, t (u32 each, equal lengths) under `scalar`: acc ← (acc + v)^7
 * over F_p from 0, for v in b_i, c_i, t_i, min(b_i + scalar·c_i, t_i), row by row.
 */
export function memStreamChecksum(b: Uint32Array, c: Uint32Array, t: Uint32Array, scalar: number): bigint {
  checkArrays('memStreamChecksum', b, c, t, scalar);
  return chain(b, c, t, scalar);
}

/** The trace (columns in MEM_STREAM_COLUMNS order) and public inputs of arrays of n = 2^k ≥ 256 elements. */
export function memStreamTrace(input: { scalar: number; b: Uint32Array; c: Uint32Array; t: Uint32Array }): { trace: BigUint64Array[]; publicInputs: MemStreamPublicInputs } {
  const { scalar: s, b, c, t } = input;
  checkArrays('memStreamTrace', b, c, t, s);
  const n = b.length;
  if (n < 2 ** MEM_STREAM_MIN_LOG_N || n > 2 ** MAX_LOG_N || (n & (n - 1)) !== 0)
    throw new RangeError(`memStreamTrace: ${n} elements is not a power of two in [2^${MEM_STREAM_MIN_LOG_N}, 2^${MAX_LOG_N}]`);
  const trace = MEM_STREAM_COLUMNS.map(() => new BigUint64Array(n));
  // Cells below 2^32 go in through 32-bit views (high words stay 0): no bigint per cell.
  const words = trace.map((column) => new Uint32Array(column.buffer));
  const at = (name: MemStreamColumn) => words[col(name)]!;
  const [byte, bw, cw, tw, flag, out] = (['byte', 'b', 'c', 't', 'flag', 'out'] as const).map(at);
  const limbs = [...INPUT_LIMBS, ...D_LIMBS].map(at);
  // 18 limbs a row: counts reach 18n, past 2^32 from 2^28 rows.
  const counts = new Float64Array(256);
  const parts = new Uint32Array(5);
  for (let i = 0, w = LOW_WORD; i < n; i++, w += 2) {
    const a = b[i]! + s * c[i]!;
    const below = a < t[i]!;
    // d < 2^48: its low and high 32-bit parts, each exact in a double.
    const d = below ? t[i]! - a - 1 : a - t[i]!;
    const dHi = Math.floor(d / 2 ** 32);
    byte![w] = i & 255;
    bw![w] = b[i]!;
    cw![w] = c[i]!;
    tw![w] = t[i]!;
    flag![w] = below ? 1 : 0;
    out![w] = below ? a : t[i]!;
    parts.set([b[i]!, c[i]!, t[i]!, d - dHi * 2 ** 32, dHi]);
    for (let j = 0; j < 18; j++) {
      const v = (parts[j >> 2]! >>> (8 * (j & 3))) & 255;
      limbs[j]![w] = v;
      counts[v]!++;
    }
  }
  counts.forEach((m, v) => (trace[col('mult')]![v] = BigInt(m)));
  const accs = ACC.map((name) => trace[col(name)]!), cubes = CUBE.map((name) => trace[col(name)]!);
  const checksum = chain(b, c, t, s, (row, k, cube, acc) => {
    cubes[k]![row] = cube;
    accs[k + 1]![row] = acc;
    if (k === 3 && row + 1 < n) accs[0]![row + 1] = acc;
  });
  return { trace, publicInputs: { steps: n, scalar: s, checksum: String(checksum) } };
}

/** The sample's seed: the stream is SHA-256 of this string ‖ u64 LE block counter, block after block. */
export const MEM_STREAM_SAMPLE_SEED = 'capseal mem_stream_v1 sample';
/** The sample's scalar: STREAM's triad constant. */
export const MEM_STREAM_SAMPLE_SCALAR = 3;

/**
 * A deterministic trace of 2^logN rows (logN in [8, 30]): row i takes words 3i, 3i + 1, 3i + 2 of the
 * seed's stream (u32 LE) as b_i = w >>> 2, c_i = w >>> 2, t_i = w, scalar 3. With b, c below 2^30,
 * a = b + 3c is below 2^32 and E[a] = 2^31, so the branch goes each way about half the time.
 */
export function memStreamSample(logN: number): { trace: BigUint64Array[]; publicInputs: MemStreamPublicInputs } {
  if (!Number.isInteger(logN) || logN < MEM_STREAM_MIN_LOG_N || logN > MAX_LOG_N)
    throw new RangeError(`memStreamSample: logN ${logN} is not an integer in [${MEM_STREAM_MIN_LOG_N}, ${MAX_LOG_N}]`);
  const n = 2 ** logN;
  const stream = new Uint32Array(Math.ceil((3 * n) / 8) * 8);
  const seed = new TextEncoder().encode(MEM_STREAM_SAMPLE_SEED);
  const block = new Uint8Array(seed.length + 8);
  block.set(seed);
  const counter = new DataView(block.buffer, seed.length);
  for (let k = 0; 8 * k < stream.length; k++) {
    counter.setBigUint64(0, BigInt(k), true);
    const digest = sha256(block);
    const view = new DataView(digest.buffer, digest.byteOffset, 32);
    for (let j = 0; j < 8; j++) stream[8 * k + j] = view.getUint32(4 * j, true);
  }
  const b = Uint32Array.from({ length: n }, (_, i) => stream[3 * i]! >>> 2);
  const c = Uint32Array.from({ length: n }, (_, i) => stream[3 * i + 1]! >>> 2);
  const t = Uint32Array.from({ length: n }, (_, i) => stream[3 * i + 2]!);
  return memStreamTrace({ scalar: MEM_STREAM_SAMPLE_SCALAR, b, c, t });
}
