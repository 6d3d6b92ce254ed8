// The three AIRs of capseal-stark-v1 (src/airs): honest traces satisfy their AIRs, every constraint
// catches a wrong cell and a wrong public input, the traces match independent BigInt models (Fibonacci,
// 2×2 matrix products, hash-to-field, receipts), zod rejects malformed inputs with precise messages,
// the public-input encodings are deterministic and injective, and each AIR proves and verifies.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_COLUMNS, AGENT_CONSTRAINTS, AGENT_STATUS, AGENT_V2_COLUMNS, AGENT_V2_CONSTRAINTS, AIRS, agentAir, agentAirV2, agentConstraintCheck, agentTrace,
  agentTraceV2, agentV2ConstraintCheck, digestLimbs, encodeAgentPublicInputs, encodeAgentV2PublicInputs, encodeFibPublicInputs, encodeGeomPublicInputs,
  fibAir, fibTrace, GEOM_A, GEOM_B, GEOM_SELECTOR, geomAir, geomTrace, hashToField, receiptChain, statusFlags, type AgentAction, type AgentV2Column,
  type AirId, type Matrix2,
} from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { checkAir, checkTrace, maxDegree, type Air } from '../src/stark/air.js';
import { degree, type Expr } from '../src/stark/expr.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { madd, md, mmul, P } from './reference/model.js';

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const h = (label: string): string => sha256Hex(label);

function action(i: number, over: Partial<AgentAction> = {}): AgentAction {
  return {
    action_type: i % 3 === 0 ? 'tool_call' : i % 3 === 1 ? 'code_gen' : 'llm_call',
    instruction_hash: h(`instruction ${i}`),
    input_hash: h(`input ${i}`),
    output_hash: h(`output ${i}`),
    success: i % 4 !== 3,
    gate_decision: i % 5 === 2 ? 'skip' : 'allow',
    gate_score: i % 2 === 0 ? 0.25 * (i % 4) : null,
    policy_verdict: i % 3 === 2 ? null : 'compliant',
    ...over,
  };
}
const actions = (count: number): AgentAction[] => Array.from({ length: count }, (_, i) => action(i));

/** A copy of the trace with cell (col, row) increased by one. */
const bump = (trace: readonly BigUint64Array[], col: number, row: number): BigUint64Array[] =>
  trace.map((c, i) => {
    if (i !== col) return c;
    const d = c.slice();
    d[row] = (d[row]! + 1n) % P;
    return d;
  });

/** The columns a tree reads from the next row. */
function nextColumns(e: Expr): number[] {
  switch (e.op) {
    case 'next': return [e.col];
    case 'add': case 'sub': case 'mul': return [...nextColumns(e.a), ...nextColumns(e.b)];
    case 'neg': case 'pow': return nextColumns(e.a);
    default: return [];
  }
}

const plusOne = (dec: string): string => String((BigInt(dec) + 1n) % P);

interface Case {
  id: AirId;
  build(logN: number): { trace: BigUint64Array[]; publicInputs: object };
  air(pi: unknown): Air;
  encode(pi: unknown): Uint8Array;
  /** Public inputs with one final value off by one (or one bit), and the boundary index that catches it. */
  offByOne(pi: object): { pi: object; boundary: number };
}

const CASES: Case[] = [
  {
    id: 'fib_air_v1', build: fibTrace, air: fibAir, encode: encodeFibPublicInputs,
    offByOne: (pi) => ({ pi: { ...pi, result: plusOne((pi as { result: string }).result) }, boundary: 2 }),
  },
  {
    id: 'geom_air_v1', build: (logN) => geomTrace(logN), air: geomAir, encode: encodeGeomPublicInputs,
    offByOne: (pi) => ({ pi: { ...pi, final_acc: plusOne((pi as { final_acc: string }).final_acc) }, boundary: 9 }),
  },
  {
    id: 'agent_air_v1', build: (logN) => agentTrace(actions(2 ** logN - 3)), air: agentAir, encode: encodeAgentPublicInputs,
    offByOne: (pi) => {
      const hex = (pi as { final_receipt_hash: string }).final_receipt_hash;
      return { pi: { ...pi, final_receipt_hash: (hex[0] === '0' ? '1' : '0') + hex.slice(1) }, boundary: 2 };
    },
  },
];

/** A final receipt with one hex digit changed at `at`. */
const flipHex = (hex: string, at: number): string => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

// Not in CASES: its chain constraints read two next-row cells (is_padding gates them) and its last
// receipt sits on row action_count − 1, not n − 1; its own tests are below.
const AGENT_V2_CASE: Case = {
  id: 'agent_air_v2', build: (logN) => agentTraceV2(actions(2 ** logN - 3)), air: agentAirV2, encode: encodeAgentV2PublicInputs,
  offByOne: (pi) => ({ pi: { ...pi, final_receipt_hash: flipHex((pi as { final_receipt_hash: string }).final_receipt_hash, 0) }, boundary: 9 }),
};

describe.each(CASES)('$id', (c) => {
  const logN = 5, n = 2 ** logN, mid = n / 2;
  const { trace, publicInputs } = c.build(logN);
  const air = c.air(publicInputs);

  it('the honest trace satisfies the AIR, which is well formed, and the registry serves it', () => {
    expect(() => checkAir(air)).not.toThrow();
    expect(air.id).toBe(c.id);
    expect(air.logN).toBe(logN);
    expect(trace).toHaveLength(air.width);
    expect(checkTrace(air, trace)).toEqual({ ok: true });
    expect(AIRS[c.id].air).toBe(c.air);
    expect(AIRS[c.id].encode).toBe(c.encode);
    expect(AIRS[c.id].schema.safeParse(publicInputs).success).toBe(true);
  });

  it('a wrong cell in a middle row breaks each transition constraint at the row before it', () => {
    air.transitions.forEach((t, index) => {
      const cols = nextColumns(t);
      expect(cols).toHaveLength(1);
      expect(checkTrace(air, bump(trace, cols[0]!, mid))).toEqual({ ok: false, kind: 'transition', index, row: mid - 1, ...named(air.names?.transitions?.[index]) });
    });
  });

  it('a wrong boundary cell breaks that boundary constraint', () => {
    air.boundaries.forEach((b, index) => {
      expect(checkTrace(air, bump(trace, b.col, b.row))).toEqual({ ok: false, kind: 'boundary', index, row: b.row, ...named(air.names?.boundaries?.[index]) });
    });
  });

  it('a wrong public input fails the boundary check', () => {
    const wrong = c.offByOne(publicInputs);
    const air = c.air(wrong.pi);
    expect(checkTrace(air, trace)).toEqual({ ok: false, kind: 'boundary', index: wrong.boundary, row: n - 1, ...named(air.names?.boundaries?.[wrong.boundary]) });
  });

  it('the public-input encoding is deterministic and separates near misses', () => {
    const bytes = c.encode(publicInputs);
    const reordered = Object.fromEntries(Object.entries(publicInputs).reverse());
    expect(c.encode(reordered)).toEqual(bytes);
    expect(c.encode(structuredClone(publicInputs))).toEqual(bytes);
    const tag = new TextEncoder().encode(c.id);
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(tag.length);
    expect(bytes.subarray(4, 4 + tag.length)).toEqual(tag);
    expect(Buffer.from(c.encode(c.offByOne(publicInputs).pi)).equals(Buffer.from(bytes))).toBe(false);
  });

  it('builds traces for logN 3 … 6 and refuses logN outside [3, 30]', () => {
    for (const k of [3, 4, 6]) {
      const t = c.build(k);
      expect(checkTrace(c.air(t.publicInputs), t.trace)).toEqual({ ok: true });
    }
    if (c.id !== 'agent_air_v1') for (const bad of [2, 31, 3.5, -1]) expect(() => c.build(bad)).toThrow(/logN .* is not an integer in \[3, 30\]/);
  });
});

/** The name a failure carries where its AIR names the constraint. */
const named = (name: string | undefined) => (name === undefined ? {} : { name });

describe('FIB_AIR_V1', () => {
  it('the result is F_{n+1} of a plain BigInt Fibonacci, reduced mod p at the end', () => {
    for (const logN of [3, 7, 10]) {
      const n = 2 ** logN;
      const fib = [0n, 1n, 1n];
      while (fib.length <= n + 1) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
      const { trace, publicInputs } = fibTrace(logN);
      expect(publicInputs).toEqual({ steps: n, result: String(fib[n + 1]! % P) });
      expect(trace[0]![n - 1]).toBe(fib[n]! % P);
      expect(fib[n + 1]! > P).toBe(logN >= 7); // the reduction is exercised
    }
    expect(fibTrace(3).publicInputs.result).toBe('34');
  });

  it('encodes as tag ‖ u64 steps ‖ result, 8 bytes LE', () => {
    const bytes = encodeFibPublicInputs({ steps: 16, result: String(P - 1n) });
    const tag = Buffer.from('fib_air_v1');
    const expected = Buffer.alloc(4 + tag.length + 16);
    expected.writeUInt32LE(tag.length, 0);
    tag.copy(expected, 4);
    expected.writeBigUInt64LE(16n, 4 + tag.length);
    expected.writeBigUInt64LE(P - 1n, 12 + tag.length);
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
  });

  it('near-miss public inputs encode differently', () => {
    const base = { steps: 16, result: '5' };
    const variants = [base, { steps: 32, result: '5' }, { steps: 16, result: '6' }, { steps: 16, result: '0' }, { steps: 8, result: '5' }];
    const hexes = new Set(variants.map((v) => Buffer.from(encodeFibPublicInputs(v)).toString('hex')));
    expect(hexes.size).toBe(variants.length);
  });

  it('zod rejects bad public inputs with precise messages', () => {
    const bad: [unknown, RegExp][] = [
      [{ steps: -8, result: '1' }, /steps: must be a power of two in \[8, 2\^30\], got -8/],
      [{ steps: 12, result: '1' }, /steps: must be a power of two in \[8, 2\^30\], got 12/],
      [{ steps: 4, result: '1' }, /got 4/],
      [{ steps: 2 ** 31, result: '1' }, /got 2147483648/],
      [{ steps: 8.5, result: '1' }, /got 8.5/],
      [{ steps: '8', result: '1' }, /steps: Invalid input: expected number, received string/],
      [{ steps: 8, result: String(P) }, /result: must be a canonical field element, below p = 18446744069414584321/],
      [{ steps: 8, result: '99999999999999999999999' }, /below p/],
      [{ steps: 8, result: '-1' }, /result: must be a decimal string of digits without sign or leading zeros/],
      [{ steps: 8, result: '0x10' }, /decimal string/],
      [{ steps: 8, result: '1e3' }, /decimal string/],
      [{ steps: 8, result: '01' }, /decimal string/],
      [{ steps: 8, result: ' 1' }, /decimal string/],
      [{ steps: 8, result: '' }, /decimal string/],
      [{ steps: 8, result: 1 }, /result: Invalid input: expected string, received number/],
      [{ steps: 8 }, /result: is required/],
      [{ steps: 8, result: '1', extra: 0 }, /Unrecognized key: "extra"/],
      [null, /invalid fib_air_v1 public inputs: Invalid input: expected object/],
    ];
    for (const [pi, msg] of bad) {
      expect(() => fibAir(pi)).toThrow(RangeError);
      expect(() => fibAir(pi)).toThrow(msg);
      expect(() => encodeFibPublicInputs(pi)).toThrow(msg);
    }
    expect(() => fibAir({ steps: 2 ** 30, result: String(P - 1n) })).not.toThrow();
  });
});

describe('GEOM_AIR_V1', () => {
  // The walk's definition, restated: S_i = A when sel = 1 else B, M_{i+1} = M_i · S_i.
  type M = bigint[][];
  const A: M = [[1n, 1n], [0n, 1n]];
  const B: M = [[1n, 0n], [1n, 1n]];
  const SEL = [1, 0, 1, 1, 0, 1, 0, 0];
  const mm = (x: M, y: M): M => [0, 1].map((r) => [0, 1].map((c) => madd(mmul(x[r]![0]!, y[0]![c]!), mmul(x[r]![1]!, y[1]![c]!))));

  function model(n: number, initial: M): { rows: M[]; acc: bigint[] } {
    const rows = [initial], acc = [0n];
    for (let i = 0; i + 1 < n; i++) {
      const m = rows[i]!;
      acc.push(madd(acc[i]!, mmul(mmul(m[0]![0]!, m[0]![1]!), m[1]![1]!)));
      rows.push(mm(m, SEL[i % 8] ? A : B));
    }
    return { rows, acc };
  }

  it('uses the documented matrices and selector, both of determinant 1', () => {
    expect(GEOM_A).toEqual(A);
    expect(GEOM_B).toEqual(B);
    expect(GEOM_SELECTOR).toEqual(SEL);
    for (const m of [A, B]) expect(md(m[0]![0]! * m[1]![1]! - m[0]![1]! * m[1]![0]!)).toBe(1n);
  });

  it('the trace is the independent matrix-product model, from the identity and from other starts', () => {
    const starts: M[] = [[[1n, 0n], [0n, 1n]], [[2n, 3n], [5n, 7n]], [[P - 1n, P - 2n], [123456789n, P - 3n]]];
    starts.forEach((start, s) => {
      const logN = 6, n = 2 ** logN;
      const { trace, publicInputs } = s === 0 ? geomTrace(logN) : geomTrace(logN, start as unknown as Matrix2);
      const { rows, acc } = model(n, start);
      for (let i = 0; i < n; i++) {
        expect([trace[0]![i], trace[1]![i], trace[2]![i], trace[3]![i]]).toEqual(rows[i]!.flat());
        expect(trace[4]![i]).toBe(acc[i]);
      }
      // The product of the step matrices, computed once more in one go.
      let product: M = [[1n, 0n], [0n, 1n]];
      for (let i = 0; i + 1 < n; i++) product = mm(product, SEL[i % 8] ? A : B);
      const last = mm(start, product);
      expect(publicInputs).toEqual({
        steps: n,
        initial_m11: String(start[0]![0]), initial_m12: String(start[0]![1]), initial_m21: String(start[1]![0]), initial_m22: String(start[1]![1]),
        final_m11: String(last[0]![0]), final_m12: String(last[0]![1]), final_m21: String(last[1]![0]), final_m22: String(last[1]![1]),
        final_acc: String(acc[n - 1]),
      });
      expect(checkTrace(geomAir(publicInputs), trace)).toEqual({ ok: true });
    });
  });

  it('matrix transitions have degree 2, the accumulator degree 3', () => {
    const air = geomAir(geomTrace(3).publicInputs);
    expect(air.transitions).toHaveLength(5);
    expect(air.transitions.slice(0, 4).map(degree)).toEqual([2, 2, 2, 2]);
    expect(degree(air.transitions[4]!)).toBe(3);
    expect(maxDegree(air)).toBe(3);
    expect(air.width).toBe(5);
    expect(air.periodic).toEqual([BigUint64Array.from([1n, 0n, 1n, 1n, 0n, 1n, 0n, 0n])]);
    expect(air.boundaries).toHaveLength(10);
  });

  it('the selector matters: a walk with it shifted by one row is rejected', () => {
    const { trace, publicInputs } = geomTrace(4);
    const shifted = { ...geomAir(publicInputs), periodic: [BigUint64Array.from([0n, 1n, 0n, 1n, 1n, 0n, 1n, 0n])] };
    expect(checkTrace(shifted, trace)).toMatchObject({ ok: false, kind: 'transition', row: 0 });
  });

  it('every public field is bound by the encoding and by a boundary', () => {
    const { trace, publicInputs } = geomTrace(4, [[2n, 3n], [5n, 7n]]);
    const keys = Object.keys(publicInputs).filter((k) => k !== 'steps') as (keyof typeof publicInputs)[];
    expect(keys).toHaveLength(9);
    const encodings = new Set([Buffer.from(encodeGeomPublicInputs(publicInputs)).toString('hex')]);
    for (const key of keys) {
      const wrong = { ...publicInputs, [key]: plusOne(publicInputs[key] as string) };
      encodings.add(Buffer.from(encodeGeomPublicInputs(wrong)).toString('hex'));
      expect(checkTrace(geomAir(wrong), trace)).toMatchObject({ ok: false, kind: 'boundary' });
    }
    expect(encodings.size).toBe(10);
    expect(encodeGeomPublicInputs(publicInputs)).toHaveLength(4 + 'geom_air_v1'.length + 8 + 9 * 8);
  });

  it('zod and the trace builder reject bad inputs', () => {
    const pi = geomTrace(3).publicInputs;
    expect(() => geomAir({ ...pi, steps: 24 })).toThrow(/invalid geom_air_v1 public inputs: steps: must be a power of two in \[8, 2\^30\], got 24/);
    expect(() => geomAir({ ...pi, final_m12: String(P + 5n) })).toThrow(/final_m12: must be a canonical field element/);
    expect(() => encodeGeomPublicInputs({ ...pi, initial_m21: '1.0' })).toThrow(/initial_m21: must be a decimal string/);
    const { final_acc: _, ...missing } = pi;
    expect(() => geomAir(missing)).toThrow(/final_acc: is required/);
    expect(() => geomTrace(3, [[P, 0n], [0n, 1n]])).toThrow(/initial matrix must hold four canonical field elements/);
  });
});

describe('AGENT_AIR_V1', () => {
  const leU64 = (bytes: Buffer, at: number): bigint => {
    let x = 0n;
    for (let i = 7; i >= 0; i--) x = (x << 8n) | BigInt(bytes[at + i]!);
    return x;
  };

  it('hash-to-field: bytes 0–7 and 8–15, little-endian, mod p', () => {
    const hex = sha256Hex('abc');
    expect(hex).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const raw = Buffer.from(hex, 'hex');
    expect(hashToField(hex)).toEqual([leU64(raw, 0) % P, leU64(raw, 8) % P]);
    expect(hashToField(hex)[0]).toBe(0xeacf018fbf1678ban);
    // Both halves ≥ p: the reduction is visible.
    const high = 'ff'.repeat(8) + '02000000ffffffff' + '00'.repeat(16);
    expect(hashToField(high)).toEqual([2n ** 64n - 1n - P, 0xffffffff00000002n - P]);
    expect(hashToField('00'.repeat(32))).toEqual([0n, 0n]);
    expect(() => hashToField('AB'.repeat(32))).toThrow(/must be lowercase hex/);
  });

  it('status flags: one bit per rule of the seed', () => {
    const base = action(0, { action_type: 'llm_call', success: false, gate_decision: 'skip', gate_score: null, policy_verdict: null });
    expect(statusFlags(base)).toBe(0);
    expect(statusFlags({ ...base, success: true })).toBe(1);
    expect(statusFlags({ ...base, gate_decision: 'allow' })).toBe(2);
    expect(statusFlags({ ...base, gate_decision: null })).toBe(2); // None != "skip"
    expect(statusFlags({ ...base, gate_score: 0 })).toBe(4); // 0 is evaluated
    expect(statusFlags({ ...base, policy_verdict: '' })).toBe(8);
    expect(statusFlags({ ...base, action_type: 'tool_call' })).toBe(16);
    expect(statusFlags({ ...base, action_type: 'code_gen' })).toBe(32);
    expect(statusFlags({ ...base, action_type: 'Tool_call' })).toBe(0);
    expect(AGENT_STATUS).toEqual({ SUCCESS: 1, GATE_PASSED: 2, GATE_EVALUATED: 4, POLICY_MET: 8, IS_TOOL_CALL: 16, IS_CODE_GEN: 32 });
    const all = action(0, { action_type: 'code_gen', success: true, gate_decision: 'allow', gate_score: 0.9, policy_verdict: 'ok' });
    expect(statusFlags(all)).toBe(1 | 2 | 4 | 8 | 32);
  });

  it('receipts: SHA-256 of the RFC 8785 JSON of the action, its index and the previous receipt', () => {
    const log = actions(3);
    const receipts = receiptChain(log);
    let prev = '0'.repeat(64);
    log.forEach((a, i) => {
      // Keys in code-unit order, written out by hand.
      const json = `{"action_index":${i},"action_type":${JSON.stringify(a.action_type)},"gate_decision":${JSON.stringify(a.gate_decision)},` +
        `"gate_score":${JSON.stringify(a.gate_score)},"input_hash":"${a.input_hash}","instruction_hash":"${a.instruction_hash}",` +
        `"output_hash":"${a.output_hash}","policy_verdict":${JSON.stringify(a.policy_verdict)},"prev_receipt_hash":"${prev}",` +
        `"schema":"agent_receipt_v1","success":${a.success}}`;
      expect(receipts[i]).toBe(sha256Hex(json));
      prev = receipts[i]!;
    });
    expect(receiptChain([action(0, { gate_score: -0 })])).toEqual(receiptChain([action(0, { gate_score: 0 })]));
    expect(receiptChain([action(0, { success: false })])).not.toEqual(receiptChain([action(0)]));
  });

  it('rows follow the seed: 14 columns in its order, hashes as lo/hi, chain and indices', () => {
    const log = actions(5);
    const receipts = receiptChain(log);
    const { trace, publicInputs } = agentTrace(log);
    expect(AGENT_COLUMNS).toHaveLength(14);
    expect(trace).toHaveLength(14);
    expect(publicInputs).toEqual({ action_count: 5, final_receipt_hash: receipts[4] });
    const row = (r: number) => trace.map((c) => c[r]!);
    log.forEach((a, i) => {
      const prev = i === 0 ? [0n, 0n] : hashToField(receipts[i - 1]!);
      expect(row(i)).toEqual([
        BigInt(i), ...hashToField(sha256Hex(a.action_type)), ...hashToField(a.instruction_hash), ...hashToField(a.input_hash),
        ...hashToField(a.output_hash), ...prev, ...hashToField(receipts[i]!), BigInt(statusFlags(a)),
      ]);
    });
  });

  it('padding: up to max(8, next power of two), index continues, prev = receipt = final, zero elsewhere', () => {
    for (const [count, n] of [[1, 8], [5, 8], [8, 8], [9, 16], [17, 32]] as const) {
      const { trace, publicInputs } = agentTrace(actions(count));
      const air = agentAir(publicInputs);
      expect(air.logN).toBe(Math.log2(n));
      expect(trace[0]).toHaveLength(n);
      const [lo, hi] = hashToField(publicInputs.final_receipt_hash);
      for (let r = count; r < n; r++) expect(trace.map((c) => c[r])).toEqual([BigInt(r), 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, lo, hi, lo, hi, 0n]);
      expect(checkTrace(air, trace)).toEqual({ ok: true });
      expect(agentConstraintCheck({ trace, publicInputs })).toEqual({ ok: true, failures: [] });
    }
  });

  it('constraint_check mode names every broken constraint with its first row', () => {
    const log = actions(11);
    expect(agentConstraintCheck(log)).toEqual({ ok: true, failures: [] });
    const { trace, publicInputs } = agentTrace(log);
    const c = (name: (typeof AGENT_COLUMNS)[number]) => AGENT_COLUMNS.indexOf(name);

    // A tampered prev_receipt (both halves) at row 6: the chain breaks between rows 5 and 6.
    const broken = bump(bump(trace, c('prev_receipt_hash_lo'), 6), c('prev_receipt_hash_hi'), 6);
    expect(agentConstraintCheck({ trace: broken, publicInputs })).toEqual({
      ok: false,
      failures: [
        { constraint: 'chain_continuity_lo', kind: 'transition', row: 5 },
        { constraint: 'chain_continuity_hi', kind: 'transition', row: 5 },
      ],
    });
    expect(checkTrace(agentAir(publicInputs), broken)).toEqual({ ok: false, kind: 'transition', index: 0, row: 5, name: 'chain_continuity_lo' });

    // A skipped index: rows 4 … n−1 all shifted by one.
    const skipped = trace.map((col) => col.slice());
    for (let r = 4; r < 16; r++) skipped[c('action_index')]![r]! += 1n;
    expect(agentConstraintCheck({ trace: skipped, publicInputs })).toEqual({
      ok: false, failures: [{ constraint: 'sequential_ordering', kind: 'transition', row: 3 }],
    });

    // A first action that claims a parent; a trace that ends elsewhere (no transition reads either cell).
    expect(agentConstraintCheck({ trace: bump(trace, c('prev_receipt_hash_hi'), 0), publicInputs }).failures).toEqual([
      { constraint: 'first_prev_receipt_hi', kind: 'boundary', row: 0 },
    ]);
    expect(agentConstraintCheck({ trace: bump(trace, c('receipt_hash_lo'), 15), publicInputs }).failures).toEqual([
      { constraint: 'last_receipt_lo', kind: 'boundary', row: 15 },
    ]);
    expect(AGENT_CONSTRAINTS).toHaveLength(7);
  });

  it('an edited or reordered log no longer reaches the declared final receipt', () => {
    const log = actions(6);
    const { publicInputs } = agentTrace(log);
    const edits = [
      log.map((a, i) => (i === 2 ? { ...a, output_hash: h('forged') } : a)),
      [log[1]!, log[0]!, ...log.slice(2)],
      log.slice(0, 5),
    ];
    for (const edited of edits) {
      const check = agentConstraintCheck({ trace: agentTrace(edited).trace, publicInputs });
      expect(check.ok).toBe(false);
      expect(check.failures.map((f) => f.constraint)).toEqual(['last_receipt_lo', 'last_receipt_hi']);
    }
  });

  it('zod rejects malformed action logs with precise messages', () => {
    const good = action(0);
    const { output_hash: _, ...missing } = good;
    const bad: [unknown, RegExp][] = [
      [[missing], /invalid agent action log: \[0\]\.output_hash: is required/],
      [[good, { ...good, input_hash: 'ab'.repeat(31) }], /\[1\]\.input_hash: must be 64 hex characters \(a SHA-256 digest\), got 62/],
      [[{ ...good, instruction_hash: 'g'.repeat(64) }], /\[0\]\.instruction_hash: must be lowercase hex \(0-9, a-f\)/],
      [[{ ...good, instruction_hash: good.instruction_hash.toUpperCase() }], /must be lowercase hex/],
      [[{ ...good, action_type: '' }], /\[0\]\.action_type: must not be empty/],
      [[{ ...good, action_type: 'x\ud800' }], /\[0\]\.action_type: must be well-formed Unicode/],
      [[{ ...good, success: 'yes' }], /\[0\]\.success: Invalid input: expected boolean, received string/],
      [[{ ...good, gate_score: Number.NaN }], /\[0\]\.gate_score: Invalid input: expected number, received NaN/],
      [[{ ...good, receipt_hash: h('x') }], /\[0\]: Unrecognized key: "receipt_hash"/],
      [[], /invalid agent action log: must hold at least one action/],
      [{ actions: [good] }, /expected array/],
    ];
    for (const [log, msg] of bad) {
      expect(() => agentTrace(log)).toThrow(RangeError);
      expect(() => agentTrace(log)).toThrow(msg);
      if (Array.isArray(log)) expect(() => agentConstraintCheck(log)).toThrow(msg);
    }
  });

  it('public inputs: schema, layout, near misses', () => {
    const pi = { action_count: 5, final_receipt_hash: h('final') };
    const bytes = encodeAgentPublicInputs(pi);
    const tag = Buffer.from('agent_air_v1');
    const expected = Buffer.concat([Buffer.from([tag.length, 0, 0, 0]), tag, Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(pi.final_receipt_hash, 'hex')]);
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
    // A change in the hash's last byte leaves lo/hi (bytes 0–15) alone, but not the encoding.
    const tail = { ...pi, final_receipt_hash: pi.final_receipt_hash.slice(0, 62) + (pi.final_receipt_hash.endsWith('00') ? '01' : '00') };
    expect(agentAir(tail).boundaries).toEqual(agentAir(pi).boundaries);
    const variants = [pi, tail, { ...pi, action_count: 6 }, { ...pi, action_count: 4 }];
    expect(new Set(variants.map((v) => Buffer.from(encodeAgentPublicInputs(v)).toString('hex'))).size).toBe(4);
    for (const [bad, msg] of [
      [{ ...pi, action_count: 0 }, /action_count: must be an integer in \[1, 2\^30\], got 0/],
      [{ ...pi, action_count: -3 }, /got -3/],
      [{ ...pi, action_count: 2.5 }, /got 2.5/],
      [{ ...pi, final_receipt_hash: '0x' + pi.final_receipt_hash.slice(2) }, /final_receipt_hash: must be lowercase hex/],
      [{ action_count: 5 }, /final_receipt_hash: is required/],
    ] as const) {
      expect(() => agentAir(bad)).toThrow(msg);
      expect(() => encodeAgentPublicInputs(bad)).toThrow(msg);
    }
  });
});

describe('AGENT_AIR_V2', () => {
  const c2 = (name: AgentV2Column) => AGENT_V2_COLUMNS.indexOf(name);
  const limbs = (hex: string): bigint[] => {
    const b = Buffer.from(hex, 'hex');
    return Array.from({ length: 8 }, (_, j) => BigInt(b.readUInt32LE(4 * j)));
  };
  /** The trace with cell (col, row) set to `value`. */
  const setCell = (trace: readonly BigUint64Array[], col: number, row: number, value: bigint): BigUint64Array[] =>
    trace.map((c, i) => (i === col ? c.map((x, r) => (r === row ? value : x)) : c));

  it('digest limbs: eight u32, little-endian, always below p', () => {
    const ones = new Uint8Array(32).fill(0xff);
    expect(digestLimbs(ones)).toEqual(Array(8).fill(0xffffffffn));
    const hex = sha256Hex('abc');
    expect(digestLimbs(Buffer.from(hex, 'hex'))).toEqual(limbs(hex));
    expect(digestLimbs(Buffer.from(hex, 'hex'))[0]).toBe(0xbf1678ban);
    expect(() => digestLimbs(new Uint8Array(16))).toThrow('digestLimbs: expected 32 bytes, got 16');
  });

  it('rows: v1\'s action columns, receipts as 8 limbs each, is_padding 0 on real rows and 1 on padding rows', () => {
    const log = actions(5);
    const receipts = receiptChain(log);
    const { trace, publicInputs } = agentTraceV2(log);
    expect(AGENT_V2_COLUMNS).toHaveLength(27);
    expect(trace).toHaveLength(27);
    expect(publicInputs).toEqual({ action_count: 5, final_receipt_hash: receipts[4] });
    const row = (r: number) => trace.map((c) => c[r]!);
    log.forEach((a, i) => {
      expect(row(i)).toEqual([
        BigInt(i), ...hashToField(sha256Hex(a.action_type)), ...hashToField(a.instruction_hash), ...hashToField(a.input_hash),
        ...hashToField(a.output_hash), ...limbs(i === 0 ? '0'.repeat(64) : receipts[i - 1]!), ...limbs(receipts[i]!), BigInt(statusFlags(a)), 0n,
      ]);
    });
    for (const r of [5, 6, 7]) expect(row(r)).toEqual([BigInt(r), ...Array(25).fill(0n), 1n]);
  });

  it('honest traces satisfy it for 1, 2, 5, 8 (no padding row) and 9 actions; degree 2, 11 transitions, 19 or 18 boundaries', () => {
    for (const [count, n] of [[1, 8], [2, 8], [5, 8], [8, 8], [9, 16]] as const) {
      const { trace, publicInputs } = agentTraceV2(actions(count));
      const air = agentAirV2(publicInputs);
      expect(() => checkAir(air)).not.toThrow();
      expect(air.logN).toBe(Math.log2(n));
      expect(maxDegree(air)).toBe(2);
      expect(air.transitions).toHaveLength(11);
      expect(air.boundaries).toHaveLength(count < n ? 19 : 18);
      expect(trace[c2('is_padding')]).toEqual(BigUint64Array.from({ length: n }, (_, r) => (r < count ? 0n : 1n)));
      expect(checkTrace(air, trace)).toEqual({ ok: true });
      expect(agentV2ConstraintCheck({ trace, publicInputs })).toEqual({ ok: true, failures: [] });
      expect(agentV2ConstraintCheck(actions(count))).toEqual({ ok: true, failures: [] });
    }
    expect(AIRS.agent_air_v2.air).toBe(agentAirV2);
    expect(AIRS.agent_air_v2.encode).toBe(encodeAgentV2PublicInputs);
    expect(AGENT_V2_CONSTRAINTS).toHaveLength(30);
  });

  it('the action count is bound: a 5-action trace fails as 1, 4, 6, 7 or 8 actions (v1 accepts each)', () => {
    const v1 = agentTrace(actions(5)), v2 = agentTraceV2(actions(5));
    for (const count of [1, 4, 6, 7, 8]) {
      // v1: the count only picks n (8 for all of these), so the same trace passes.
      expect(checkTrace(agentAir({ ...v1.publicInputs, action_count: count }), v1.trace)).toEqual({ ok: true });
      const claim = { ...v2.publicInputs, action_count: count };
      expect(checkTrace(agentAirV2(claim), v2.trace)).toMatchObject({ ok: false, kind: 'boundary' });
      const failed = agentV2ConstraintCheck({ trace: v2.trace, publicInputs: claim }).failures.map((f) => `${f.constraint}@${f.row}`);
      // Under-claiming: row count is real where the claim wants padding; over-claiming: row count − 1 is padding.
      expect(failed).toContain(count < 5 ? `first_padding_row@${count}` : `last_action_real@${count - 1}`);
      expect(failed).toContain(`last_receipt_0@${count - 1}`);
    }
  });

  it('the count is bound by is_padding alone: a trace whose receipt is copied onto the claimed last row still fails', () => {
    // Over-claim 6 for 5 actions, with row 5 made to end at the final receipt (a v1-style padding row).
    const { trace, publicInputs } = agentTraceV2(actions(5));
    let forged = trace;
    for (let j = 0; j < 8; j++) {
      forged = setCell(forged, c2(`prev_receipt_hash_${j}` as AgentV2Column), 5, trace[c2(`receipt_hash_${j}` as AgentV2Column)]![4]!);
      forged = setCell(forged, c2(`receipt_hash_${j}` as AgentV2Column), 5, trace[c2(`receipt_hash_${j}` as AgentV2Column)]![4]!);
    }
    const claim = { ...publicInputs, action_count: 6 };
    expect(agentV2ConstraintCheck({ trace: forged, publicInputs: claim }).failures).toEqual([{ constraint: 'last_action_real', kind: 'boundary', row: 5 }]);
    // Also marking row 5 real breaks nothing else: the forger has then proved a 6-row chain, which is what 6 means.
    expect(agentV2ConstraintCheck({ trace: setCell(forged, c2('is_padding'), 5, 0n), publicInputs: claim })).toEqual({ ok: true, failures: [] });
  });

  it('all 32 bytes of the final receipt are bound: a change in bytes 16–31 fails (v1 accepts it)', () => {
    const v1 = agentTrace(actions(5)), v2 = agentTraceV2(actions(5));
    const hex = v2.publicInputs.final_receipt_hash;
    for (const byte of [16, 23, 24, 31]) {
      const claim = { ...v2.publicInputs, final_receipt_hash: flipHex(hex, 2 * byte + 1) };
      expect(checkTrace(agentAir(claim), v1.trace)).toEqual({ ok: true });
      expect(agentV2ConstraintCheck({ trace: v2.trace, publicInputs: claim }).failures).toEqual([
        { constraint: `last_receipt_${byte >> 2}`, kind: 'boundary', row: 4 },
      ]);
    }
  });

  it('every constraint catches its tampering, with the chain checked between real rows only', () => {
    const { trace, publicInputs } = agentTraceV2(actions(5));
    const check = (t: BigUint64Array[]) => agentV2ConstraintCheck({ trace: t, publicInputs }).failures;
    for (let j = 0; j < 8; j++) {
      // A real row's prev receipt: the chain breaks before it, in that limb alone.
      expect(check(bump(trace, c2(`prev_receipt_hash_${j}` as AgentV2Column), 3))).toEqual([{ constraint: `chain_continuity_${j}`, kind: 'transition', row: 2 }]);
      expect(check(bump(trace, c2(`prev_receipt_hash_${j}` as AgentV2Column), 0))).toEqual([{ constraint: `first_prev_receipt_${j}`, kind: 'boundary', row: 0 }]);
      expect(check(bump(trace, c2(`receipt_hash_${j}` as AgentV2Column), 4))).toEqual([{ constraint: `last_receipt_${j}`, kind: 'boundary', row: 4 }]);
    }
    // A padding row's receipts are no one's parent: free, as are its other cells.
    expect(check(bump(bump(trace, c2('prev_receipt_hash_0'), 6), c2('receipt_hash_7'), 5))).toEqual([]);
    // Indices: from 0, one by one (padding rows included).
    expect(check(trace.map((col, i) => (i === 0 ? col.map((x) => x + 1n) : col)))).toEqual([{ constraint: 'first_action_index', kind: 'boundary', row: 0 }]);
    expect(check(bump(trace, 0, 6))).toEqual([{ constraint: 'sequential_ordering', kind: 'transition', row: 5 }]);
    // is_padding: boolean, never back from 1 to 0, 0 on the last real row and 1 on the row after.
    const pad = c2('is_padding');
    expect(check(setCell(trace, pad, 2, 2n))).toEqual([
      { constraint: 'padding_boolean', kind: 'transition', row: 2 }, { constraint: 'padding_monotone', kind: 'transition', row: 2 },
    ]);
    expect(check(setCell(trace, pad, 2, 1n))).toEqual([{ constraint: 'padding_monotone', kind: 'transition', row: 2 }]);
    expect(check(setCell(trace, pad, 6, 0n))).toEqual([{ constraint: 'padding_monotone', kind: 'transition', row: 5 }]);
    expect(check(setCell(trace, pad, 4, 1n))).toEqual([{ constraint: 'last_action_real', kind: 'boundary', row: 4 }]);
    // A padding row marked real is also chained to the row before it.
    expect(check(setCell(trace, pad, 5, 0n))).toEqual([
      ...Array.from({ length: 8 }, (_, j) => ({ constraint: `chain_continuity_${j}`, kind: 'transition', row: 4 })),
      { constraint: 'first_padding_row', kind: 'boundary', row: 5 },
    ]);
    // The last row: with no padding (8 actions) it must be real.
    const full = agentTraceV2(actions(8));
    expect(agentV2ConstraintCheck({ trace: setCell(full.trace, pad, 7, 1n), publicInputs: full.publicInputs }).failures)
      .toEqual([{ constraint: 'last_action_real', kind: 'boundary', row: 7 }]);
  });

  it('public inputs: v1\'s schema and layout under its own id', () => {
    const pi = { action_count: 5, final_receipt_hash: h('final') };
    const tag = Buffer.from('agent_air_v2');
    const expected = Buffer.concat([Buffer.from([tag.length, 0, 0, 0]), tag, Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(pi.final_receipt_hash, 'hex')]);
    expect(Buffer.from(encodeAgentV2PublicInputs(pi)).equals(expected)).toBe(true);
    expect(AIRS.agent_air_v2.schema).toBe(AIRS.agent_air_v1.schema);
    expect(() => agentAirV2({ ...pi, action_count: 0 })).toThrow(/invalid agent_air_v2 public inputs: action_count: must be an integer in \[1, 2\^30\], got 0/);
    expect(() => encodeAgentV2PublicInputs({ action_count: 5 })).toThrow(/invalid agent_air_v2 public inputs: final_receipt_hash: is required/);
  });
});

describe('prove and verify each AIR (CPU backend, insecure test options)', () => {
  let k: Kernels;
  let backend: CpuBackend;
  beforeAll(async () => {
    k = await Kernels.load();
    backend = await CpuBackend.create();
  });
  afterAll(async () => {
    await backend?.destroy();
  });

  const statement = new Uint8Array(32).fill(0x5a);
  const other = statement.map((b, i) => (i === 31 ? b ^ 1 : b));

  for (const c of [...CASES, AGENT_V2_CASE]) {
    for (const logN of [3, 4, 5, 6]) {
      it(`${c.id} at logN ${logN}: honest proof verifies; another statement or other public inputs do not`, async () => {
        const { trace, publicInputs } = c.build(logN);
        const air = c.air(publicInputs);
        const pib = c.encode(publicInputs);
        const { proof } = await prove(k, backend, { air, trace, statementHash: statement, publicInputs: pib, options: TEST_OPTIONS_INSECURE });
        const opts = { minSecurityBits: 0 };
        expect(verifyProof(k, air, proof, statement, pib, opts)).toMatchObject({ ok: true });
        expect(verifyProof(k, air, proof, other, pib, opts)).toMatchObject({ ok: false });
        const wrong = c.offByOne(publicInputs).pi;
        // The wrong public-input bytes alone, and the AIR those inputs define with its own bytes.
        expect(verifyProof(k, air, proof, statement, c.encode(wrong), opts)).toMatchObject({ ok: false });
        expect(verifyProof(k, c.air(wrong), proof, statement, c.encode(wrong), opts)).toMatchObject({ ok: false });
      });
    }
  }

  /** Proves `trace` under `publicInputs` with the AIR `id` (cheating when asked); whether the verifier accepts. */
  async function proveClaim(id: 'agent_air_v1' | 'agent_air_v2', trace: BigUint64Array[], publicInputs: object, cheat = false): Promise<boolean> {
    const entry = AIRS[id], air = entry.air(publicInputs), pib = entry.encode(publicInputs);
    const input = { air, trace, statementHash: statement, publicInputs: pib, options: TEST_OPTIONS_INSECURE };
    const { proof } = await (cheat ? proveDishonestly : prove)(k, backend, input);
    return verifyProof(k, air, proof, statement, pib, { minSecurityBits: 0 }).ok;
  }

  it.each([1, 2, 5, 8, 9])('agent_air_v2: the honest proof of %i actions verifies', async (count) => {
    const { trace, publicInputs } = agentTraceV2(actions(count));
    expect(await proveClaim('agent_air_v2', trace, publicInputs)).toBe(true);
  });

  // Each claim below verifies under v1 (the first expectation), and must not under v2.
  const hex = agentTrace(actions(5)).publicInputs.final_receipt_hash;
  const claims: [string, object][] = [
    ...[1, 4, 6, 7, 8].map((count): [string, object] => [`${count} actions`, { action_count: count, final_receipt_hash: hex }]),
    ...[16, 31].map((byte): [string, object] => [`a final receipt changed in byte ${byte}`, { action_count: 5, final_receipt_hash: flipHex(hex, 2 * byte) }]),
  ];
  it.each(claims)('a 5-action log claimed as %s: v1 proves it; v2 refuses, and a cheating prover\'s proof is rejected', async (_, claim) => {
    expect(await proveClaim('agent_air_v1', agentTrace(actions(5)).trace, claim)).toBe(true);
    const { trace } = agentTraceV2(actions(5));
    await expect(proveClaim('agent_air_v2', trace, claim)).rejects.toThrow(/^trace violates boundary constraint \d+ \((last_receipt_\d|last_action_real|first_padding_row)\) at row \d+$/);
    expect(await proveClaim('agent_air_v2', trace, claim, true)).toBe(false);
  });
});
