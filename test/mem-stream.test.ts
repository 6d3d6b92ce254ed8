// MEM_STREAM_V1 (src/airs/mem-stream.ts): the checksum and the trace match an independent BigInt
// model; the AIR's shape (degree 3, two composition segments, its LogUp segment, whose fast builder
// makes the generic builder's columns); an honest trace proves and verifies, and the proof fails under
// tampering or other public inputs; dishonest traces — a wrong flag, a limb outside 0 … 255, wrong
// multiplicities, an input of 2^32 or more — are refused by the prover, and forged proofs of them fail.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeMemStreamPublicInputs, MEM_STREAM_AIR_ID, MEM_STREAM_COLUMNS, memStreamAir, memStreamChecksum, MemStreamPublicInputsSchema,
  memStreamSample, memStreamTrace, type MemStreamColumn, type MemStreamPublicInputs,
} from '../src/airs/mem-stream.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import type { Fp2 } from '../src/field/ext2.js';
import { compositionSegments, maxDegree, type Air } from '../src/stark/air.js';
import { checkAuxTrace } from '../src/stark/aux.js';
import { constant, cur, degree, neg, next, sub } from '../src/stark/expr.js';
import { withInteractions } from '../src/stark/lookup.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import type { StarkProof } from '../src/stark/proof.js';
import { UnsatisfiedConstraintError } from '../src/prover/errors.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { md, mpow, P } from './reference/model.js';

const STATEMENT = new Uint8Array(32).fill(0x3c);
const CHALLENGES: Fp2[] = [[0x1234_5678_9abcn, 42n], [987_654_321n, 5n]];
const col = (name: MemStreamColumn): number => MEM_STREAM_COLUMNS.indexOf(name);

/** n pseudo-random u32s: SHA-256 of `label` ‖ counter (independent of the module's sample stream). */
function randomU32(label: string, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i += 8) {
    const d = createHash('sha256').update(`${label} ${i}`).digest();
    for (let j = 0; j < 8 && i + j < n; j++) out[i + j] = d.readUInt32LE(4 * j);
  }
  return out;
}

/** The statement's model, straight from its definition in BigInt. */
function model(b: Uint32Array, c: Uint32Array, t: Uint32Array, s: number): { a: bigint[]; out: bigint[]; checksum: bigint } {
  const a = Array.from(b, (x, i) => BigInt(x) + BigInt(s) * BigInt(c[i]!));
  const out = a.map((x, i) => (x < BigInt(t[i]!) ? x : BigInt(t[i]!)));
  let acc = 0n;
  for (let i = 0; i < b.length; i++) for (const v of [BigInt(b[i]!), BigInt(c[i]!), BigInt(t[i]!), out[i]!]) acc = mpow(acc + v, 7n);
  return { a, out, checksum: acc };
}

/**
 * 256 rows at the edges: the largest scalar, full-range inputs, a = t, a = t ± 1, zeros, all-ones
 * (a = 2^48 − 2^16, the largest d), and rows with c = 0 so both branches are common.
 */
function edgeInput(): { scalar: number; b: Uint32Array; c: Uint32Array; t: Uint32Array } {
  const n = 256, s = 65535, max = 0xffffffff;
  const b = randomU32('b', n), c = randomU32('c', n), t = randomU32('t', n);
  for (let i = 0; i < n; i += 2) c[i] = 0;
  const set = (i: number, bi: number, ci: number, ti: number) => ([b[i], c[i], t[i]] = [bi, ci, ti]);
  set(1, 0, 0, 0);
  set(3, max, max, max);
  set(5, 7, 0, 7); // a = t
  set(7, 6, 0, 7); // a = t − 1
  set(9, 8, 0, 7); // a = t + 1
  set(11, 1, 1, s + 1); // a = t via the scalar
  set(13, 0, 0, max);
  set(15, max, 0, 0);
  return { scalar: s, b, c, t };
}

/** The k little-endian bytes of x. */
const limbsOf = (x: bigint, k: number): bigint[] => Array.from({ length: k }, (_, j) => (x >> BigInt(8 * j)) & 255n);

describe('the statement', () => {
  it('memStreamChecksum agrees with an independent BigInt model', () => {
    for (const s of [0, 1, 3, 65535]) {
      const b = randomU32(`b${s}`, 300), c = randomU32(`c${s}`, 300), t = randomU32(`t${s}`, 300);
      expect(memStreamChecksum(b, c, t, s)).toBe(model(b, c, t, s).checksum);
    }
    const e = edgeInput();
    expect(memStreamChecksum(e.b, e.c, e.t, e.scalar)).toBe(model(e.b, e.c, e.t, e.scalar).checksum);
    expect(memStreamChecksum(new Uint32Array(0), new Uint32Array(0), new Uint32Array(0), 5)).toBe(0n);
    expect(() => memStreamChecksum(new Uint32Array(2), new Uint32Array(3), new Uint32Array(2), 1)).toThrow(/2, 3 and 2 elements/);
    expect(() => memStreamChecksum(new Uint32Array(2), new Uint32Array(2), new Uint32Array(2), 65536)).toThrow(/scalar 65536/);
  });

  it('memStreamTrace writes the model: table, limbs, flag, out, d, the S-box chain and the checksum', () => {
    const input = edgeInput();
    const { trace, publicInputs } = memStreamTrace(input);
    const { a, out, checksum } = model(input.b, input.c, input.t, input.scalar);
    expect(trace).toHaveLength(MEM_STREAM_COLUMNS.length);
    expect(publicInputs).toEqual({ steps: 256, scalar: 65535, checksum: String(checksum) });
    const cell = (name: MemStreamColumn, row: number) => trace[col(name)]![row]!;
    let acc = 0n, counted = 0n;
    for (let i = 0; i < 256; i++) {
      const t = BigInt(input.t[i]!), flag = a[i]! < t ? 1n : 0n;
      const d = flag ? t - a[i]! - 1n : a[i]! - t;
      expect([cell('byte', i), cell('flag', i), cell('out', i)]).toEqual([BigInt(i), flag, out[i]]);
      for (const [x, v] of [['b', input.b[i]!], ['c', input.c[i]!], ['t', input.t[i]!]] as const) {
        expect(cell(x, i)).toBe(BigInt(v));
        expect([0, 1, 2, 3].map((k) => cell(`${x}_${k}`, i))).toEqual(limbsOf(BigInt(v), 4));
      }
      expect([0, 1, 2, 3, 4, 5].map((k) => cell(`d_${k}`, i))).toEqual(limbsOf(d, 6));
      expect(cell('acc_in', i)).toBe(acc);
      ['b', 'c', 't', 'out'].forEach((x, k) => {
        const u = md(acc + cell(x as MemStreamColumn, i));
        expect(cell(`cube_${k}` as MemStreamColumn, i)).toBe(mpow(u, 3n));
        acc = mpow(u, 7n);
        expect(cell((['acc_1', 'acc_2', 'acc_3', 'acc_out'] as const)[k]!, i)).toBe(acc);
      });
      counted += cell('mult', i);
    }
    expect(acc).toBe(checksum);
    expect(counted).toBe(18n * 256n);
    expect(trace[col('d_5')]![3]).toBe(255n); // a = 2^48 − 2^16 reaches the top limb
  });

  it('validates inputs and public inputs, and encodes them as documented', () => {
    const u = (n: number) => new Uint32Array(n);
    expect(() => memStreamTrace({ scalar: 1, b: u(128), c: u(128), t: u(128) })).toThrow(/power of two in \[2\^8/);
    expect(() => memStreamTrace({ scalar: 1, b: u(300), c: u(300), t: u(300) })).toThrow(/power of two/);
    expect(() => memStreamTrace({ scalar: 1.5, b: u(256), c: u(256), t: u(256) })).toThrow(/scalar 1.5/);
    expect(() => memStreamTrace({ scalar: 1, b: [] as unknown as Uint32Array, c: u(256), t: u(256) })).toThrow(TypeError);
    const pi = { steps: 256, scalar: 7, checksum: '123456789' };
    expect(MemStreamPublicInputsSchema.parse(pi)).toEqual(pi);
    expect(() => memStreamAir({ ...pi, steps: 128 })).toThrow(/steps: must be at least 2\^8/);
    expect(() => memStreamAir({ ...pi, scalar: 65536 })).toThrow(/scalar/);
    expect(() => memStreamAir({ ...pi, scalar: -1 })).toThrow(/scalar/);
    expect(() => memStreamAir({ ...pi, checksum: String(P) })).toThrow(/checksum: must be a canonical field element/);
    expect(() => memStreamAir({ ...pi, extra: 1 })).toThrow(/invalid mem_stream_v1 public inputs/);
    const bytes = encodeMemStreamPublicInputs(pi);
    const view = new DataView(bytes.buffer);
    expect(bytes).toHaveLength(4 + 13 + 8 + 4 + 8);
    expect(view.getUint32(0, true)).toBe(13);
    expect(new TextDecoder().decode(bytes.subarray(4, 17))).toBe(MEM_STREAM_AIR_ID);
    expect([view.getBigUint64(17, true), view.getUint32(25, true), view.getBigUint64(29, true)]).toEqual([256n, 7, 123456789n]);
    expect(encodeMemStreamPublicInputs({ ...pi, scalar: 8 })).not.toEqual(bytes);
  });

  it('the sample is deterministic, and its branch goes both ways', () => {
    const one = memStreamSample(8), two = memStreamSample(8);
    expect(one).toEqual(two);
    const flags = one.trace[col('flag')]!.reduce((s, x) => s + Number(x), 0);
    expect(flags).toBeGreaterThan(256 * 0.3);
    expect(flags).toBeLessThan(256 * 0.7);
    expect(() => memStreamSample(7)).toThrow(RangeError);
  });
});

describe('the AIR', () => {
  const { trace, publicInputs } = memStreamTrace(edgeInput());
  const air = memStreamAir(publicInputs);

  it('has degree 3, two composition segments and a LogUp segment of 10 term columns and the running sum', () => {
    expect(maxDegree(air)).toBe(3);
    expect(Math.max(...air.rowConstraints!.map((r) => degree(r.expr)))).toBeLessThanOrEqual(3);
    expect(compositionSegments(air)).toBe(2);
    expect(air.width).toBe(34);
    expect(air.aux).toMatchObject({ width: 11, challenges: 2 });
    expect(air.names!.transitions).toEqual(expect.arrayContaining(['byte_step', 'chain', 'compare', 'compare_next', 'sbox_out_3_next', 'logup_t9_next', 'logup_sum']));
    expect(air.boundaries.map((b) => [air.names!.columns![b.col], b.row])).toEqual([['byte', 0], ['acc_in', 0], ['acc_out', 255]]);
  });

  it('an honest trace satisfies every constraint; a table count may sit on any row holding its byte', () => {
    expect(checkAuxTrace(air, trace, air.aux!.build(trace, CHALLENGES), CHALLENGES)).toEqual({ ok: true });
    // Scalar 0, and byte 5's count moved from row 5 to row 261 (byte 5 again) of a 512-row trace.
    const big = memStreamTrace({ scalar: 0, b: randomU32('B', 512), c: randomU32('C', 512), t: randomU32('T', 512) });
    const m = big.trace[col('mult')]!;
    [m[261], m[5]] = [m[5]!, 0n];
    const bigAir = memStreamAir(big.publicInputs);
    expect(checkAuxTrace(bigAir, big.trace, bigAir.aux!.build(big.trace, CHALLENGES), CHALLENGES)).toEqual({ ok: true });
  });

  it("its fast LogUp builder makes the generic builder's columns, for honest and dishonest traces", () => {
    // The interactions as the module comment lists them: the table received mult times, the 18 limbs sent once.
    const limbs = ['b', 'c', 't'].flatMap((x) => [0, 1, 2, 3].map((k) => `${x}_${k}`)).concat([0, 1, 2, 3, 4, 5].map((k) => `d_${k}`));
    const interactions = [
      { bus: 0, values: [cur(col('byte'))], multiplicity: neg(cur(col('mult'))) },
      ...limbs.map((name) => ({ bus: 0, values: [cur(col(name as MemStreamColumn))], multiplicity: constant(1) })),
    ];
    const plain: Air = { id: 'generic', width: air.width, logN: air.logN, periodic: [], transitions: [sub(next(0), cur(0))], boundaries: [], parameters: new Uint8Array() };
    const generic = withInteractions(plain, interactions).aux!.build;
    const odd = trace.map((c) => c.slice());
    odd[col('b_0')]![7] = 256n;
    odd[col('d_5')]![9] = P - 1n;
    odd[col('mult')]![3] = 12345n;
    for (const t of [trace, odd]) expect(air.aux!.build(t, CHALLENGES)).toEqual(generic(t, CHALLENGES));
  });
});

describe('proofs', () => {
  let k: Kernels;
  let backend: CpuBackend;
  let honest: StarkProof;
  const sample = memStreamSample(8);
  const pi = sample.publicInputs;
  const options = TEST_OPTIONS_INSECURE;

  beforeAll(async () => {
    k = await Kernels.load();
    backend = await CpuBackend.create();
    honest = (await prove(k, backend, { air: memStreamAir(pi), trace: sample.trace, statementHash: STATEMENT, publicInputs: encodeMemStreamPublicInputs(pi), options })).proof;
  });
  afterAll(() => backend.destroy());

  const verify = (proof: StarkProof, p: MemStreamPublicInputs = pi) =>
    verifyProof(k, memStreamAir(p), proof, STATEMENT, encodeMemStreamPublicInputs(p), { minSecurityBits: 0 });

  /**
   * A copy of the sample's trace with `cells` set on `row`, then what honest bookkeeping would
   * redo: mult recounted from the limbs (values outside 0 … 255 counted nowhere) and the S-box
   * chain recomputed from `row` on, with the checksum it ends at. Only the cells set can break the AIR.
   */
  function forge(row: number, cells: Partial<Record<MemStreamColumn, bigint>>): { trace: BigUint64Array[]; pi: MemStreamPublicInputs } {
    const t = sample.trace.map((c) => c.slice());
    const at = (name: MemStreamColumn) => t[col(name)]!;
    for (const [name, v] of Object.entries(cells)) at(name as MemStreamColumn)[row] = v!;
    const mult = at('mult').fill(0n);
    for (const name of MEM_STREAM_COLUMNS.filter((c) => /^[bctd]_\d$/.test(c)))
      for (const v of at(name)) if (v < 256n) mult[Number(v)]! += 1n;
    for (let r = row; r < 256; r++) {
      let acc = r === 0 ? 0n : at('acc_out')[r - 1]!;
      at('acc_in')[r] = acc;
      (['b', 'c', 't', 'out'] as const).forEach((x, j) => {
        const u = md(acc + at(x)[r]!);
        at(`cube_${j}` as MemStreamColumn)[r] = mpow(u, 3n);
        acc = mpow(u, 7n);
        at((['acc_1', 'acc_2', 'acc_3', 'acc_out'] as const)[j]!)[r] = acc;
      });
    }
    return { trace: t, pi: { ...pi, checksum: String(at('acc_out')[255]) } };
  }

  /** The honest prover refuses the trace naming `broken`; a dishonest prover's proof of it fails. */
  async function rejected(forged: { trace: BigUint64Array[]; pi: MemStreamPublicInputs }, broken: RegExp): Promise<void> {
    const input = { air: memStreamAir(forged.pi), trace: forged.trace, statementHash: STATEMENT, publicInputs: encodeMemStreamPublicInputs(forged.pi), options };
    const refusal = await prove(k, backend, input).then(() => undefined, (e: unknown) => e);
    expect(refusal).toBeInstanceOf(UnsatisfiedConstraintError);
    expect((refusal as UnsatisfiedConstraintError).constraint).toMatch(broken);
    const proof = (await proveDishonestly(k, backend, input)).proof;
    expect(verify(proof, forged.pi).ok).toBe(false);
  }

  const value = (name: MemStreamColumn, row: number) => sample.trace[col(name)]![row]!;
  const rowWhere = (pred: (row: number) => boolean) => Array.from({ length: 256 }, (_, i) => i).find((i) => i > 0 && pred(i))!;
  const aOf = (row: number) => value('b', row) + BigInt(pi.scalar) * value('c', row);

  it('proves and verifies at 2^8 rows; a tampered proof, another checksum or another scalar fails', () => {
    expect(verify(honest)).toEqual({ ok: true, securityBits: 28 });
    const flip = (d: Uint8Array) => Uint8Array.from(d, (x, i) => (i === 0 ? x ^ 1 : x));
    expect(verify({ ...honest, traceRoot: flip(honest.traceRoot) }).ok).toBe(false);
    expect(verify({ ...honest, auxRoot: flip(honest.auxRoot!) }).ok).toBe(false);
    const rows = honest.traceOpening.rows.slice();
    rows[col('flag')] = md(rows[col('flag')]! + 1n);
    expect(verify({ ...honest, traceOpening: { ...honest.traceOpening, rows } }).ok).toBe(false);
    expect(verify(honest, { ...pi, checksum: String(md(BigInt(pi.checksum) + 1n)) }).ok).toBe(false);
    expect(verify(honest, { ...pi, scalar: pi.scalar + 1 }).ok).toBe(false);
  });

  it('rejects a wrong flag: no bytes d_0 … d_5 can make up the difference the other branch needs', async () => {
    // a < t taken as a ≥ t (flag 0, out = t), and a ≥ t taken as a < t (flag 1, out = a).
    const below = rowWhere((i) => value('flag', i) === 1n), above = rowWhere((i) => value('flag', i) === 0n);
    const cases = [
      { row: below, flag: 0n, out: value('t', below), d: md(aOf(below) - value('t', below)) },
      { row: above, flag: 1n, out: aOf(above), d: md(value('t', above) - aOf(above) - 1n) },
    ];
    for (const { row, flag, out, d } of cases) {
      // compare needs Σ 256^k·d_k ≡ d, but six bytes sum to an integer below 2^48 (< p), and d is not one.
      expect(d).toBeGreaterThan(2n ** 48n - 1n);
      // Bytes kept in range: compare breaks.
      await rejected(forge(row, { flag, out }), /^compare/);
      // compare satisfied with d's base-256 digits, the top one unbounded: the lookup breaks.
      const digits = Object.fromEntries([0, 1, 2, 3, 4, 5].map((j) => [`d_${j}`, j < 5 ? (d >> BigInt(8 * j)) & 255n : d >> 40n]));
      await rejected(forge(row, { flag, out, ...digits }), /^logup_sum_last$/);
    }
  });

  it('checks the last row, which no current-row transition reaches: its flag and its S-boxes', async () => {
    const last = 255, flag = value('flag', last);
    await rejected(forge(last, { flag: 1n - flag, out: flag ? value('t', last) : aOf(last) }), /^compare_next$/);
    const claimed = { ...pi, checksum: String(md(BigInt(pi.checksum) + 1n)) };
    const t = sample.trace.map((c) => c.slice());
    t[col('acc_out')]![last] = BigInt(claimed.checksum);
    await rejected({ trace: t, pi: claimed }, /^sbox_out_3_next$/);
  });

  it('rejects a limb outside 0 … 255 (a forged lookup) and wrong multiplicities', async () => {
    const row = rowWhere((i) => value('b_1', i) > 0n);
    // b_0 + 256·b_1 unchanged, so b still recomposes: only the lookup can tell.
    await rejected(forge(row, { b_0: value('b_0', row) + 256n, b_1: value('b_1', row) - 1n }), /^logup_sum_last$/);
    const wrong = sample.trace.map((c) => c.slice());
    const mult = wrong[col('mult')]!;
    mult[0]! += 1n;
    mult[1]! -= 1n;
    await rejected({ trace: wrong, pi }, /^logup_sum_last$/);
  });

  it('rejects an input of 2^32 or more: its limbs cannot recompose it within bytes', async () => {
    const row = rowWhere(() => true);
    const b = value('b', row) + 2n ** 32n, a = b + BigInt(pi.scalar) * value('c', row), t = value('t', row);
    expect(a >= t).toBe(true);
    // The branch and difference of the oversized input, so only b's limbs are off.
    const rest = { b, flag: 0n, out: t, ...Object.fromEntries(limbsOf(a - t, 6).map((v, j) => [`d_${j}`, v])) };
    // Byte limbs recompose to at most 2^32 − 1: with b's own limbs, recompose_b breaks …
    await rejected(forge(row, rest), /^recompose_b/);
    // … and a top limb of 256 or more recomposes it but fails the lookup.
    await rejected(forge(row, { ...rest, b_3: value('b_3', row) + 256n }), /^logup_sum_last$/);
  });
});
