// The proof codec (src/stark/codec.ts) on real proofs: the binary layout against an independent
// model written here from the format spec, binary and JSON round trips that still verify, strict
// rejection of every defect with a ProofDecodeError naming field and offset, a seeded mutation fuzz
// whose decodable mutants must all be re-encoded byte-exactly and rejected (never thrown on) by the
// verifier, and the checked-in golden proof (test/vectors).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '@noble/hashes/utils.js';
import { mulberry32 } from './reference/model.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import type { Fp2 } from '../src/field/ext2.js';
import { P } from '../src/field/goldilocks.js';
import {
  decodeProof,
  encodeProof,
  MAX_ROW_VALUES,
  MAX_SIBLINGS,
  ProofDecodeError,
  proofFromJson,
  proofToJson,
} from '../src/stark/codec.js';
import type { ProofOptions } from '../src/stark/options.js';
import type { Opening, StarkProof } from '../src/stark/proof.js';
import { verifyProof, type StarkVerdict } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { fibInstance, GOLDEN, jsonText, proveFib } from './vectors/fib-test.js';

const FOLD2_BLOWUP8: ProofOptions = { blowup: 8, queries: 12, grindingBits: 4, foldingFactor: 2 };

// ---- The layout, spelled out independently: named segments in order. ----
type Segment = { name: string; bytes: Uint8Array };
const cat = concatBytes;
const le = (x: bigint | number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => Number((BigInt(x) >> BigInt(8 * i)) & 0xffn));
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function modelLayout(p: StarkProof): Segment[] {
  const out: Segment[] = [];
  const put = (name: string, ...parts: Uint8Array[]) => out.push({ name, bytes: cat(...parts) });
  const exts = (name: string, xs: readonly Fp2[]) => {
    put(`${name}.length`, le(xs.length, 2));
    xs.forEach((x, i) => put(`${name}[${i}]`, le(x[0], 8), le(x[1], 8)));
  };
  const opening = (name: string, op: Opening) => {
    put(`${name}.rows.length`, le(op.rows.length, 4));
    op.rows.forEach((x, i) => put(`${name}.rows[${i}]`, le(x, 8)));
    put(`${name}.proof.depth`, le(op.proof.depth, 1));
    put(`${name}.proof.siblings.length`, le(op.proof.siblings.length, 4));
    op.proof.siblings.forEach((d, i) => put(`${name}.proof.siblings[${i}]`, d));
  };
  put('magic', ascii('CSPF'));
  put('version', le(1, 2));
  const o = p.options;
  put('options', le(o.blowup, 1), le(o.queries, 1), le(o.grindingBits, 1), le(o.foldingFactor, 1));
  put('airId', le(p.airId.length, 1), ascii(p.airId));
  put('logN', le(p.logN, 1));
  put('width', le(p.width, 2));
  put('segments', le(p.segments, 1));
  put('traceRoot', p.traceRoot);
  put('compositionRoot', p.compositionRoot);
  exts('oodTrace', p.oodTrace);
  exts('oodTraceNext', p.oodTraceNext);
  exts('oodComposition', p.oodComposition);
  put('friRoots.length', le(p.friRoots.length, 1));
  p.friRoots.forEach((d, i) => put(`friRoots[${i}]`, d));
  exts('finalPoly', p.finalPoly);
  put('nonce', le(p.nonce, 8));
  opening('traceOpening', p.traceOpening);
  opening('compositionOpening', p.compositionOpening);
  put('friOpenings.length', le(p.friOpenings.length, 1));
  p.friOpenings.forEach((op, i) => opening(`friOpenings[${i}]`, op));
  put('securityBits', le(p.securityBits, 2));
  return out;
}

/** Byte offset of each named segment. */
function offsets(layout: Segment[]): Map<string, number> {
  const at = new Map<string, number>();
  let offset = 0;
  for (const s of layout) {
    at.set(s.name, offset);
    offset += s.bytes.length;
  }
  return at;
}

function offsetOf(layout: Segment[], name: string): number {
  const at = offsets(layout).get(name);
  if (at === undefined) throw new Error(`no segment ${name}`);
  return at;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** The error `fn` throws; fails the test if it returns. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception, none was thrown');
}

function expectDecodeError(fn: () => unknown, field: string | RegExp, offset?: number): ProofDecodeError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ProofDecodeError);
  const err = e as ProofDecodeError;
  expect(err.name).toBe('ProofDecodeError');
  if (typeof field === 'string') expect(err.field).toBe(field);
  else expect(err.field).toMatch(field);
  if (offset !== undefined) expect(err.offset).toBe(offset);
  expect(err.message).toContain(err.field);
  return err;
}

const rng = mulberry32;

let k: Kernels;
let backend: CpuBackend;
/** The golden inputs (fib_test 2^5, TEST_OPTIONS_INSECURE, statement 32 × 0x11), proved now. */
let golden: StarkProof;
/**
 * Another shape: folding factor 2, blowup 8, at 2^7 rows — at 2^5 rows both presets fold once straight
 * to the final polynomial, so this is the proof that carries FRI layer roots and openings.
 */
let fold2: StarkProof;
const FOLD2_LOG_N = 7;

beforeAll(async () => {
  k = await Kernels.load();
  backend = await CpuBackend.create();
  golden = await proveFib(k, backend, GOLDEN.logN, GOLDEN.options);
  fold2 = await proveFib(k, backend, FOLD2_LOG_N, FOLD2_BLOWUP8);
});

afterAll(async () => {
  await backend?.destroy();
});

/** Verifies `p` as a proof for the fib_test AIR of 2^logN rows — the verifier's AIR, whatever the proof claims. */
const verify = (p: StarkProof, logN: number): StarkVerdict =>
  verifyProof(k, fibInstance(logN).air, p, GOLDEN.statementHash, GOLDEN.publicInputs, { minSecurityBits: 0 });

/** Both proofs, by label (they exist only once beforeAll has run). */
const SHAPES = ['golden: 2^5, fold 4, blowup 4', '2^7, fold 2, blowup 8'] as const;
const shape = (label: (typeof SHAPES)[number]): StarkProof => (label === SHAPES[0] ? golden : fold2);
const cases = (): StarkProof[] => [golden, fold2];

describe('binary layout', () => {
  it('is exactly the documented field order and widths', () => {
    for (const p of cases()) {
      const layout = modelLayout(p);
      expect(Buffer.from(encodeProof(p)).toString('hex')).toBe(Buffer.from(cat(...layout.map((s) => s.bytes))).toString('hex'));
    }
  });

  it('the two shapes differ: only the folding-factor-2 proof has FRI layer roots and openings', () => {
    expect(golden.friRoots).toEqual([]);
    expect(golden.friOpenings).toEqual([]);
    expect(fold2.friRoots.length).toBe(2);
    expect(fold2.friOpenings.length).toBe(2);
    expect(fold2.options).toEqual(FOLD2_BLOWUP8);
    expect(fold2.finalPoly.length).not.toBe(golden.finalPoly.length);
  });
});

describe('round trips', () => {
  it.each(SHAPES)('binary: decode(encode(p)) = p and still verifies (%s)', (label) => {
    const p = shape(label);
    const bytes = encodeProof(p);
    const back = decodeProof(bytes);
    expect(back).toEqual(p);
    expect(verify(p, p.logN).ok).toBe(true);
    expect(verify(back, p.logN)).toEqual({ ok: true, securityBits: p.securityBits });
    expect(sameBytes(encodeProof(back), bytes)).toBe(true);
  });

  it.each(SHAPES)('JSON: fromJson(toJson(p)) = p, through text too, and re-encodes byte for byte (%s)', (label) => {
    const p = shape(label);
    const j = proofToJson(p);
    expect(proofFromJson(j)).toEqual(p);
    const viaText = proofFromJson(JSON.parse(JSON.stringify(j)));
    expect(viaText).toEqual(p);
    expect(verify(viaText, p.logN).ok).toBe(true);
    expect(sameBytes(encodeProof(viaText), encodeProof(p))).toBe(true);
  });

  it('JSON form: format and version first, decimal-string elements and nonce, lowercase hex digests, flat rows', () => {
    const j = proofToJson(golden) as Record<string, unknown>;
    expect(Object.keys(j).slice(0, 2)).toEqual(['format', 'version']);
    expect(j.format).toBe('capseal-stark-v1-proof');
    expect(j.version).toBe(1);
    expect(j.nonce).toBe(golden.nonce.toString());
    expect(j.traceRoot).toBe(Buffer.from(golden.traceRoot).toString('hex'));
    const opening = j.traceOpening as { rows: unknown[]; proof: { depth: unknown; siblings: unknown[] } };
    expect(opening.rows).toEqual(Array.from(golden.traceOpening.rows, String));
    expect(opening.proof.siblings.every((s) => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s))).toBe(true);
    expect((j.oodTrace as unknown[])[0]).toEqual(golden.oodTrace[0]!.map(String));
  });
});

describe('binary strictness', () => {
  it('rejects every proper prefix (each truncation point) with a ProofDecodeError', () => {
    const bytes = encodeProof(fold2);
    const wrong: number[] = [];
    for (let n = 0; n < bytes.length; n++) {
      try {
        decodeProof(bytes.subarray(0, n));
        wrong.push(n);
      } catch (e) {
        if (!(e instanceof ProofDecodeError)) wrong.push(n);
      }
    }
    expect(wrong).toEqual([]);
    expectDecodeError(() => decodeProof(bytes.subarray(0, bytes.length - 1)), 'securityBits', bytes.length - 2);
  });

  it('rejects a trailing byte, naming the offset where the proof ended', () => {
    const bytes = encodeProof(golden);
    const err = expectDecodeError(() => decodeProof(cat(bytes, Uint8Array.of(0))), 'end', bytes.length);
    expect(err.message).toContain('1 trailing bytes');
  });

  it('rejects a wrong magic and unknown versions', () => {
    const bytes = encodeProof(golden);
    const magic = bytes.slice();
    magic[3] = 'G'.charCodeAt(0);
    expectDecodeError(() => decodeProof(magic), 'magic', 0);
    for (const v of [0, 3, 0x0100]) {
      const other = bytes.slice();
      other.set(le(v, 2), 4);
      expect(expectDecodeError(() => decodeProof(other), 'version', 4).message).toContain(`version ${v}`);
    }
  });

  it('rejects non-Uint8Array input', () => {
    expectDecodeError(() => decodeProof([1, 2, 3] as unknown as Uint8Array), 'input');
    expectDecodeError(() => decodeProof(undefined as unknown as Uint8Array), 'input');
  });

  it('rejects a row value ≥ p (p, p + 1, 2^64 − 1) as non-canonical, naming the element and its offset', () => {
    const bytes = encodeProof(fold2);
    const layout = modelLayout(fold2);
    for (const name of ['traceOpening.rows[3]', 'compositionOpening.rows[0]', 'friOpenings[1].rows[5]']) {
      const at = offsetOf(layout, name);
      for (const bad of [P, P + 1n, 2n ** 64n - 1n]) {
        const m = bytes.slice();
        m.set(le(bad, 8), at);
        expect(expectDecodeError(() => decodeProof(m), name, at).message).toContain('not a canonical field element');
      }
      const ok = bytes.slice();
      ok.set(le(P - 1n, 8), at);
      expect(decodeProof(ok)).toBeTruthy();
    }
  });

  it('rejects OOD and final-polynomial coordinates ≥ p', () => {
    const bytes = encodeProof(golden);
    const layout = modelLayout(golden);
    for (const [name, coordinate] of [['oodTrace[0]', 0], ['oodTraceNext[1]', 1], ['oodComposition[0]', 1], ['finalPoly[7]', 0]] as const) {
      const at = offsetOf(layout, name) + 8 * coordinate;
      const m = bytes.slice();
      m.set(le(P, 8), at);
      expectDecodeError(() => decodeProof(m), `${name}[${coordinate}]`, at);
    }
  });

  it('rejects invalid options, a bad AIR id, out-of-range shape fields and a Merkle depth over 32', () => {
    const bytes = encodeProof(golden);
    const layout = modelLayout(golden);
    const patch = (name: string, delta: number, value: Uint8Array): Uint8Array => {
      const m = bytes.slice();
      m.set(value, offsetOf(layout, name) + delta);
      return m;
    };
    expectDecodeError(() => decodeProof(patch('options', 0, le(5, 1))), 'options', 6); // blowup 5
    expectDecodeError(() => decodeProof(patch('options', 1, le(0, 1))), 'options', 6); // 0 queries
    expectDecodeError(() => decodeProof(patch('options', 2, le(33, 1))), 'options', 6); // grinding 33
    expectDecodeError(() => decodeProof(patch('options', 3, le(3, 1))), 'options', 6); // folding factor 3
    expectDecodeError(() => decodeProof(patch('airId', 1, ascii('F'))), 'airId', 11);
    expectDecodeError(() => decodeProof(patch('airId', 4, ascii('-'))), 'airId', 11);
    expectDecodeError(() => decodeProof(patch('airId', 4, Uint8Array.of(0xe9))), 'airId', 11);
    expectDecodeError(() => decodeProof(patch('airId', 0, le(0, 1))), 'airId.length', 10);
    expectDecodeError(() => decodeProof(patch('airId', 0, le(65, 1))), 'airId.length', 10);
    expectDecodeError(() => decodeProof(patch('logN', 0, le(0, 1))), 'logN', offsetOf(layout, 'logN'));
    expectDecodeError(() => decodeProof(patch('logN', 0, le(31, 1))), 'logN');
    expectDecodeError(() => decodeProof(patch('width', 0, le(0, 2))), 'width');
    expectDecodeError(() => decodeProof(patch('width', 0, le(4097, 2))), 'width');
    expectDecodeError(() => decodeProof(patch('segments', 0, le(0, 1))), 'segments');
    const depthAt = offsetOf(layout, 'traceOpening.proof.depth');
    expectDecodeError(() => decodeProof(patch('traceOpening.proof.depth', 0, le(33, 1))), 'traceOpening.proof.depth', depthAt);
  });

  it('rejects counts over the caps, and counts the rest of the input cannot hold, before allocating', () => {
    const bytes = encodeProof(golden);
    const layout = modelLayout(golden);
    const patchCount = (name: string, n: number, width: number): Uint8Array => {
      const m = bytes.slice();
      m.set(le(n, width), offsetOf(layout, name));
      return m;
    };
    const rowsAt = offsetOf(layout, 'traceOpening.rows.length');
    expect(expectDecodeError(() => decodeProof(patchCount('traceOpening.rows.length', MAX_ROW_VALUES + 1, 4)), 'traceOpening.rows.length', rowsAt).message)
      .toContain(`outside [0, ${MAX_ROW_VALUES}]`);
    expect(expectDecodeError(() => decodeProof(patchCount('traceOpening.rows.length', MAX_ROW_VALUES, 4)), 'traceOpening.rows.length', rowsAt).message)
      .toContain('remain');
    const sibAt = offsetOf(layout, 'compositionOpening.proof.siblings.length');
    expectDecodeError(() => decodeProof(patchCount('compositionOpening.proof.siblings.length', MAX_SIBLINGS + 1, 4)), 'compositionOpening.proof.siblings.length', sibAt);
    expectDecodeError(() => decodeProof(patchCount('compositionOpening.proof.siblings.length', 0xffffffff, 4)), 'compositionOpening.proof.siblings.length', sibAt);
    expectDecodeError(() => decodeProof(patchCount('oodTrace.length', 0xffff, 2)), 'oodTrace.length', offsetOf(layout, 'oodTrace.length'));
    // One more FRI root than sent: the following bytes are read as a root and the decoder runs off the end later.
    expectDecodeError(() => decodeProof(patchCount('friRoots.length', golden.friRoots.length + 1, 1)), /./);
  });

  it('the encoder refuses what the decoder would refuse, naming the field', () => {
    const bad = (patch: Partial<Record<keyof StarkProof, unknown>>, field: string) => {
      const e = thrown(() => encodeProof({ ...golden, ...patch } as StarkProof));
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toContain(field);
    };
    bad({ securityBits: 27.5 }, 'securityBits');
    bad({ securityBits: 70_000 }, 'securityBits');
    bad({ nonce: 2n ** 64n }, 'nonce');
    bad({ airId: 'Fib' }, 'airId');
    bad({ options: { ...golden.options, blowup: 2 } }, 'options');
    bad({ traceRoot: new Uint8Array(31) }, 'traceRoot');
    bad({ oodTrace: [[P, 0n]] }, 'oodTrace[0][0]');
    const rows = golden.traceOpening.rows.slice();
    rows[2] = P;
    bad({ traceOpening: { ...golden.traceOpening, rows } }, 'traceOpening.rows[2]');
    bad({ friRoots: Array.from({ length: 256 }, () => new Uint8Array(32)) }, 'friRoots.length');
  });
});

describe('JSON strictness', () => {
  type Json = Record<string, unknown>;
  const fresh = (): Json => JSON.parse(JSON.stringify(proofToJson(golden))) as Json;
  const opening = (j: Json): { rows: unknown[]; proof: Json & { siblings: unknown[] } } => j.traceOpening as never;

  it('accepts the untouched form', () => {
    expect(proofFromJson(fresh())).toEqual(golden);
  });

  it('rejects unknown keys, at the top and nested', () => {
    const top = fresh();
    top.extra = 1;
    expectDecodeError(() => proofFromJson(top), 'proof');
    const nested = fresh();
    (opening(nested).proof as Json).index = [];
    expectDecodeError(() => proofFromJson(nested), 'traceOpening.proof');
    const inOptions = fresh();
    (inOptions.options as Json).zk = false;
    expectDecodeError(() => proofFromJson(inOptions), 'options');
  });

  it('rejects missing keys', () => {
    for (const key of ['format', 'version', 'nonce', 'friOpenings', 'securityBits']) {
      const j = fresh();
      delete j[key];
      expectDecodeError(() => proofFromJson(j), key);
    }
    const j = fresh();
    delete opening(j).proof.depth;
    expectDecodeError(() => proofFromJson(j), 'traceOpening.proof.depth');
  });

  it('rejects a wrong format name or version', () => {
    const f = fresh();
    f.format = 'capseal-stark-v2-proof';
    expectDecodeError(() => proofFromJson(f), 'format');
    const v = fresh();
    v.version = 3;
    expectDecodeError(() => proofFromJson(v), 'version');
    // Version 2 is a proof with an auxiliary segment: its root and opening must be there.
    const v2 = fresh();
    v2.version = 2;
    expectDecodeError(() => proofFromJson(v2), 'auxRoot');
  });

  it('rejects digests of 63 or 65 characters, uppercase or non-hex', () => {
    const root = fresh().traceRoot as string;
    for (const d of [root.slice(1), `${root}0`, root.toUpperCase(), `${root.slice(1)}g`]) {
      const j = fresh();
      j.traceRoot = d;
      expectDecodeError(() => proofFromJson(j), 'traceRoot');
    }
    const j = fresh();
    opening(j).proof.siblings[1] = (opening(j).proof.siblings[1] as string).slice(2);
    expectDecodeError(() => proofFromJson(j), 'traceOpening.proof.siblings.1');
  });

  it('rejects element strings that are not canonical decimals, and elements ≥ p', () => {
    for (const s of ['0x10', '-1', '01', ' 1', '1 ', '1e3', '', '１', P.toString(), (P + 1n).toString(), '9'.repeat(400)]) {
      const j = fresh();
      opening(j).rows[4] = s;
      expectDecodeError(() => proofFromJson(j), 'traceOpening.rows.4');
    }
    const asNumber = fresh();
    opening(asNumber).rows[0] = 5;
    expectDecodeError(() => proofFromJson(asNumber), 'traceOpening.rows.0');
    const ood = fresh();
    (ood.oodTrace as string[][])[1]![0] = P.toString();
    expectDecodeError(() => proofFromJson(ood), 'oodTrace.1.0');
    const nonce = fresh();
    nonce.nonce = (2n ** 64n).toString();
    expectDecodeError(() => proofFromJson(nonce), 'nonce');
  });

  it('rejects non-integer or out-of-range small integers and non-objects, and never lets an exception through', () => {
    const s = fresh();
    s.securityBits = 28.5;
    expectDecodeError(() => proofFromJson(s), 'securityBits');
    const d = fresh();
    opening(d).proof.depth = 33;
    expectDecodeError(() => proofFromJson(d), 'traceOpening.proof.depth');
    for (const x of [null, undefined, 7, 'proof', [], new Uint8Array(4)]) expectDecodeError(() => proofFromJson(x), /./);
    const hostile = fresh();
    Object.defineProperty(hostile, 'nonce', { enumerable: true, get: () => { throw new Error('boom'); } });
    expectDecodeError(() => proofFromJson(hostile), /./);
    const proxy = new Proxy(fresh(), { ownKeys: () => { throw new TypeError('no keys'); } });
    expectDecodeError(() => proofFromJson(proxy), /./);
  });
});

describe('fuzz: random mutations of a valid encoding', () => {
  type Mutation = { kind: string; bytes: Uint8Array };

  function mutate(original: Uint8Array, elementOffsets: number[], rand: () => number): Mutation {
    const int = (n: number) => Math.floor(rand() * n);
    const m = original.slice();
    const kind = int(6);
    switch (kind) {
      case 0: {
        const flips = 1 + int(3);
        const where: string[] = [];
        for (let i = 0; i < flips; i++) {
          const at = int(m.length), bit = int(8);
          m[at]! ^= 1 << bit;
          where.push(`${at}.${bit}`);
        }
        return { kind: `flip bits ${where.join(',')}`, bytes: m };
      }
      case 1: {
        const at = int(m.length), v = int(256);
        m[at] = v;
        return { kind: `byte ${at} := ${v}`, bytes: m };
      }
      case 2: {
        const at = int(m.length), n = 1 + int(16);
        return { kind: `delete ${n} at ${at}`, bytes: cat(m.subarray(0, at), m.subarray(at + n)) };
      }
      case 3: {
        const at = int(m.length + 1), from = int(m.length), n = 1 + int(40);
        const chunk = rand() < 0.5 ? m.slice(from, from + n) : Uint8Array.from({ length: n }, () => int(256));
        return { kind: `insert ${chunk.length} bytes at ${at}`, bytes: cat(m.subarray(0, at), chunk, m.subarray(at)) };
      }
      case 4: {
        const n = int(m.length);
        return { kind: `truncate to ${n}`, bytes: m.subarray(0, n) };
      }
      default: {
        const at = elementOffsets[int(elementOffsets.length)]!;
        const v = [0n, 1n, P - 1n, P, P + 1n, 2n ** 64n - 1n, BigInt(int(2 ** 32)) * 2n ** 32n + BigInt(int(2 ** 32))][int(7)]!;
        m.set(le(v, 8), at);
        return { kind: `element at ${at} := ${v}`, bytes: m };
      }
    }
  }

  const run = (label: string, proof: () => StarkProof, seed: number, count: number) =>
    it(`${label}: ${count} mutations (seed ${seed}) are decode errors or re-encodable proofs the verifier rejects without throwing`, () => {
      const p = proof();
      const original = encodeProof(p);
      const layout = modelLayout(p);
      const elementOffsets = layout
        .filter((s) => /(rows|oodTrace|oodTraceNext|oodComposition|finalPoly)\[\d+\]$/.test(s.name))
        .flatMap((s) => (s.bytes.length === 16 ? [offsetOf(layout, s.name), offsetOf(layout, s.name) + 8] : [offsetOf(layout, s.name)]));
      const rand = rng(seed);
      const failures: string[] = [];
      const tally = { decodeErrors: 0, unchanged: 0, rejected: 0 };
      const codes = new Map<string, number>();
      for (let i = 0; i < count; i++) {
        const { kind, bytes } = mutate(original, elementOffsets, rand);
        const where = `#${i} (${kind})`;
        let decoded: StarkProof;
        try {
          decoded = decodeProof(bytes);
        } catch (e) {
          if (e instanceof ProofDecodeError) tally.decodeErrors++;
          else failures.push(`${where}: decodeProof threw ${String(e)}`);
          continue;
        }
        if (!sameBytes(encodeProof(decoded), bytes)) failures.push(`${where}: decoded proof re-encodes differently`);
        let verdict: StarkVerdict;
        try {
          verdict = verify(decoded, p.logN);
        } catch (e) {
          failures.push(`${where}: verifyProof threw ${String(e)}`);
          continue;
        }
        if (sameBytes(bytes, original)) {
          tally.unchanged++;
          if (!verdict.ok) failures.push(`${where}: unchanged proof rejected: ${verdict.message}`);
        } else if (verdict.ok) failures.push(`${where}: a changed proof was accepted`);
        else {
          tally.rejected++;
          codes.set(verdict.code, (codes.get(verdict.code) ?? 0) + 1);
        }
      }
      expect(failures.slice(0, 10)).toEqual([]);
      expect(tally.decodeErrors + tally.unchanged + tally.rejected).toBe(count);
      // The fuzz must reach the verifier often, across many of its checks, not stop at the decoder.
      expect(tally.rejected).toBeGreaterThan(count / 4);
      expect(codes.size).toBeGreaterThanOrEqual(5);
      console.log(`${label}: ${JSON.stringify(tally)}; verifier codes ${JSON.stringify(Object.fromEntries(codes))}`);
    });

  run(SHAPES[0], () => golden, 0xc0dec, 5000);
  run(SHAPES[1], () => fold2, 0x5eed2, 2000);

  it('JSON: 2000 random edits (seed 0x15011) are ProofDecodeErrors or proofs the verifier rejects unless unchanged', () => {
    const p = fold2;
    const original = encodeProof(p);
    const text = JSON.stringify(proofToJson(p));
    const rand = rng(0x15011);
    const int = (n: number) => Math.floor(rand() * n);
    const values: unknown[] = [null, true, 0, 1, -1, 1.5, 2 ** 53, '', '0', '1', '01', (P - 1n).toString(), P.toString(), 'ab', '0'.repeat(64), [], {}, ['0', '0']];
    const failures: string[] = [];
    let decoded = 0;
    for (let i = 0; i < 2000; i++) {
      const j = JSON.parse(text) as unknown;
      // Every (container, key) pair, then one edit at a random one.
      const slots: [Record<string, unknown> | unknown[], string | number][] = [];
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach((v, idx) => (slots.push([x, idx]), walk(v)));
        else if (typeof x === 'object' && x !== null) for (const [key, v] of Object.entries(x)) (slots.push([x as Record<string, unknown>, key]), walk(v));
      };
      walk(j);
      const [container, key] = slots[int(slots.length)]!;
      const edit = int(4);
      if (edit === 0 && !Array.isArray(container)) delete container[key as string];
      else if (edit === 1 && Array.isArray(container)) container.splice(key as number, 1);
      else if (edit === 2) (container as Record<string, unknown>)[key] = (slots[int(slots.length)]![0] as Record<string, unknown>)[slots[int(slots.length)]![1]];
      else (container as Record<string, unknown>)[key] = values[int(values.length)];
      let q: StarkProof;
      try {
        q = proofFromJson(j);
      } catch (e) {
        if (!(e instanceof ProofDecodeError)) failures.push(`#${i}: proofFromJson threw ${String(e)}`);
        continue;
      }
      decoded++;
      const verdict = verify(q, FOLD2_LOG_N);
      if (sameBytes(encodeProof(q), original) !== verdict.ok) failures.push(`#${i} (edit ${edit}): verdict ${JSON.stringify(verdict)}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(decoded).toBeGreaterThan(100);
    console.log(`JSON edits: ${decoded} of 2000 decoded, all checked by the verifier`);
  });
});

describe('golden proof (test/vectors)', () => {
  const bin = (): Uint8Array => new Uint8Array(readFileSync(new URL('./vectors/fib-test-proof.bin', import.meta.url)));
  const json = (): string => readFileSync(new URL('./vectors/fib-test-proof.json', import.meta.url), 'utf8');

  it('decodes, re-encodes byte for byte, and verifies', () => {
    const bytes = bin();
    const p = decodeProof(bytes);
    expect(sameBytes(encodeProof(p), bytes)).toBe(true);
    expect(verify(p, GOLDEN.logN)).toEqual({ ok: true, securityBits: 28 });
    expect(p.airId).toBe('fib_test');
    expect(p.options).toEqual(GOLDEN.options);
    expect(verifyProof(k, fibInstance(5).air, p, new Uint8Array(32).fill(0x12), GOLDEN.publicInputs, { minSecurityBits: 0 }).ok).toBe(false);
  });

  it('the JSON file is the same proof, and its text is exactly what proofToJson gives', () => {
    const text = json();
    const p = proofFromJson(JSON.parse(text));
    expect(sameBytes(encodeProof(p), bin())).toBe(true);
    expect(jsonText(p)).toBe(text);
  });

  it('proving the same inputs today gives the same bytes (determinism)', () => {
    expect(Buffer.from(encodeProof(golden)).toString('hex')).toBe(Buffer.from(bin()).toString('hex'));
    expect(jsonText(golden)).toBe(json());
  });
});
