// capseal-stark-v1 end to end on the CPU: honest proofs verify; every proof component tampered, a
// wrong statement, wrong public inputs, a wrong trace cell (even with a cheating prover), weakened
// options and garbage are rejected — and the verifier never throws. One test per known pitfall.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { AIRS } from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { createNodeCpuBackend } from '../src/prover/node.js';
import { encodeProof } from '../src/stark/codec.js';
import { cpuProofBytes, geomProofInput } from './helpers/proof.js';
import * as Fp from '../src/field/goldilocks.js';
import type { Air } from '../src/stark/air.js';
import { add, cur, next, pow, sub } from '../src/stark/expr.js';
import { DEFAULT_OPTIONS, securityBits, TEST_OPTIONS_INSECURE, type ProofOptions } from '../src/stark/options.js';
import type { StarkProof } from '../src/stark/proof.js';
import { drawOodPoint, drawQueries } from '../src/stark/protocol.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { Transcript } from '../src/stark/transcript.js';
import { verifyProof, type StarkErrorCode } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';

function fib(logN: number, result?: bigint): { air: Air; trace: BigUint64Array[] } {
  const n = 2 ** logN;
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  a[0] = 1n;
  b[0] = 1n;
  for (let i = 1; i < n; i++) (a[i] = b[i - 1]!), (b[i] = Fp.add(a[i - 1]!, b[i - 1]!));
  const air: Air = {
    id: 'fib_test', width: 2, logN, periodic: [], parameters: new Uint8Array(),
    transitions: [sub(next(0), cur(1)), sub(next(1), add(cur(0), cur(1)))],
    boundaries: [{ col: 0, row: 0, value: 1n }, { col: 1, row: 0, value: 1n }, { col: 1, row: n - 1, value: result ?? b[n - 1]! }],
  };
  return { air, trace: [a, b] };
}

const STATEMENT = new Uint8Array(32).fill(0xa5);
const PUBLIC = new Uint8Array([1, 2, 3]);
let k: Kernels;
let backend: CpuBackend;
let honest: StarkProof;
const { air, trace } = fib(6);

beforeAll(async () => {
  k = await Kernels.load();
  backend = await CpuBackend.create();
  honest = (await prove(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: PUBLIC })).proof;
});
afterAll(() => backend.destroy());

const check = (p: StarkProof, a: Air = air, statement = STATEMENT, pub = PUBLIC, minSecurityBits = 100) =>
  verifyProof(k, a, p, statement, pub, { minSecurityBits });

function expectRejected(p: StarkProof, code?: StarkErrorCode) {
  const v = check(p);
  expect(v.ok).toBe(false);
  if (code && !v.ok) expect(v.code).toBe(code);
}

const flipDigest = (d: Uint8Array): Uint8Array => Uint8Array.from(d, (x, i) => (i === 0 ? x ^ 1 : x));
const bumpExt = (xs: readonly (readonly [bigint, bigint])[], i: number) => xs.map((x, j) => (j === i ? ([Fp.add(x[0], 1n), x[1]] as const) : x));
const bumpRows = (rows: BigUint64Array, i: number) => BigUint64Array.from(rows, (x, j) => (j === i ? Fp.add(x, 1n) : x));

describe('capseal-stark-v1 on the CPU', () => {
  it('an honest proof verifies at the default options (≥ 100 bits) and is deterministic', async () => {
    expect(check(honest)).toEqual({ ok: true, securityBits: 100 });
    expect(honest.securityBits).toBe(securityBits(air.logN, DEFAULT_OPTIONS));
    const again = (await prove(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: PUBLIC })).proof;
    expect(again).toEqual(honest);
  });

  it('a proof made for statement A fails for statement B, and for other public inputs', () => {
    expect(check(honest, air, new Uint8Array(32).fill(0xa6)).ok).toBe(false);
    expect(check(honest, air, STATEMENT, new Uint8Array([1, 2, 4])).ok).toBe(false);
  });

  it('Frozen Heart: a different boundary value (public result) changes the AIR digest and fails', () => {
    const other = fib(6, Fp.add(trace[1]![63]!, 1n)).air;
    expect(check(honest, other).ok).toBe(false);
  });

  it('rejects every tampered component', () => {
    const h = honest;
    const cases: Array<[string, StarkProof, StarkErrorCode?]> = [
      ['trace root', { ...h, traceRoot: flipDigest(h.traceRoot) }],
      ['composition root', { ...h, compositionRoot: flipDigest(h.compositionRoot) }],
      ['OOD trace value', { ...h, oodTrace: bumpExt(h.oodTrace, 1) }],
      ['OOD next-row value', { ...h, oodTraceNext: bumpExt(h.oodTraceNext, 0) }],
      ['OOD composition value', { ...h, oodComposition: bumpExt(h.oodComposition, 0) }, 'ood'],
      ...h.friRoots.map((_, i): [string, StarkProof] => [`FRI root ${i}`, { ...h, friRoots: h.friRoots.map((r, j) => (j === i ? flipDigest(r) : r)) }]),
      ['final polynomial coefficient', { ...h, finalPoly: bumpExt(h.finalPoly, 0) }],
      ['nonce', { ...h, nonce: h.nonce + 1n }],
      ['trace opening row', { ...h, traceOpening: { ...h.traceOpening, rows: bumpRows(h.traceOpening.rows, 3) } }, 'trace-opening'],
      ['trace opening sibling', { ...h, traceOpening: { ...h.traceOpening, proof: { ...h.traceOpening.proof, siblings: h.traceOpening.proof.siblings.map((s, j) => (j === 0 ? flipDigest(s) : s)) } } }, 'trace-opening'],
      ['composition opening row', { ...h, compositionOpening: { ...h.compositionOpening, rows: bumpRows(h.compositionOpening.rows, 0) } }, 'composition-opening'],
      ...h.friOpenings.map((op, i): [string, StarkProof, StarkErrorCode] => [`FRI layer ${i + 1} row`, { ...h, friOpenings: h.friOpenings.map((o, j) => (j === i ? { ...op, rows: bumpRows(op.rows, 1) } : o)) }, 'fri-opening']),
      ['options: fewer queries', { ...h, options: { ...h.options, queries: h.options.queries - 1 } }],
      ['options: folding 2', { ...h, options: { ...h.options, foldingFactor: 2 } }],
      ['security figure', { ...h, securityBits: h.securityBits + 1 }, 'security'],
      ['air id', { ...h, airId: 'fib_other' }, 'shape'],
      ['segments', { ...h, segments: h.segments + 1 }, 'shape'],
    ];
    for (const [what, p, code] of cases) {
      const v = check(p);
      expect(v.ok, what).toBe(false);
      if (code && !v.ok) expect(v.code, what).toBe(code);
    }
  });

  it("a trace with one wrong cell: the honest prover refuses, a cheating prover's proof is rejected", async () => {
    const bad = trace.map((c) => c.slice());
    bad[1]![20] = Fp.add(bad[1]![20]!, 1n);
    const refused = prove(k, backend, { air, trace: bad, statementHash: STATEMENT, publicInputs: PUBLIC });
    await expect(refused).rejects.toThrow(/transition constraint 1 at row 19/);
    await expect(refused).rejects.toMatchObject({ name: 'UnsatisfiedConstraintError', kind: 'transition', index: 1, row: 19 });
    const forged = await proveDishonestly(k, backend, { air, trace: bad, statementHash: STATEMENT, publicInputs: PUBLIC });
    expect(check(forged.proof).ok).toBe(false);
  });

  it('final-degree check: a final polynomial with an extra coefficient, or one short, is rejected', () => {
    expectRejected({ ...honest, finalPoly: [...honest.finalPoly, [0n, 0n]] }, 'final-polynomial');
    expectRejected({ ...honest, finalPoly: honest.finalPoly.slice(1) }, 'final-polynomial');
  });

  it("refuses options below the caller's minimum, and the insecure test preset by default", async () => {
    const quick = (await prove(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: PUBLIC, options: TEST_OPTIONS_INSECURE })).proof;
    expect(quick.securityBits).toBe(28);
    expect(check(quick)).toMatchObject({ ok: false, code: 'security' });
    expect(check(quick, air, STATEMENT, PUBLIC, 28)).toEqual({ ok: true, securityBits: 28 });
    expect(check(honest, air, STATEMENT, PUBLIC, 101)).toMatchObject({ ok: false, code: 'security' });
  });

  it('folding factor 2 and blowup 16 also prove and verify', async () => {
    const o: ProofOptions = { blowup: 16, queries: 20, grindingBits: 4, foldingFactor: 2 };
    const p = (await prove(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: PUBLIC, options: o })).proof;
    expect(check(p, air, STATEMENT, PUBLIC, 80)).toEqual({ ok: true, securityBits: 84 });
  });

  it('a degree-6 AIR (5 composition segments) proves at blowup 8; a blowup too small for its degree is refused', async () => {
    const n = 2 ** 5;
    const deg6: Air = {
      id: 'deg6_test', width: 1, logN: 5, periodic: [], parameters: new Uint8Array(),
      transitions: [sub(pow(next(0), 6), pow(cur(0), 6))], boundaries: [{ col: 0, row: 0, value: 3n }],
    };
    const t6 = [new BigUint64Array(n).fill(3n)];
    const input = { air: deg6, trace: t6, statementHash: STATEMENT, publicInputs: PUBLIC };
    const p = (await prove(k, backend, input)).proof;
    expect(p.segments).toBe(5);
    expect(check(p, deg6)).toEqual({ ok: true, securityBits: 100 });
    expect(check(p, deg6, new Uint8Array(32).fill(0x5a)).ok).toBe(false);
    expect(check({ ...p, oodComposition: bumpExt(p.oodComposition, 4) }, deg6)).toMatchObject({ ok: false, code: 'ood' });
    await expect(prove(k, backend, { ...input, options: TEST_OPTIONS_INSECURE })).rejects.toThrow(
      "deg6_test: its constraints' degrees need 5 composition segments, hence a blowup of at least 5; the options give 4");
  });

  it.each([[2, 15], [3, 13]])('on %i worker threads at 2^%i rows (composition by coset block, OOD shares, FRI folds by block, the LDEs, hashing) the proof is byte for byte the inline one', async (threads, logN) => {
    // Large enough that the OOD answers are shared out (oodPart) and the LDE is cut into units; at 2^15
    // FRI's first committed layer is folded block by block (foldBlock) too.
    const input = geomProofInput(logN, 7);
    const pooled = await createNodeCpuBackend({ threads });
    try {
      const { proof } = await prove(k, pooled, input);
      expect(Buffer.from(encodeProof(proof)).equals(await cpuProofBytes(input))).toBe(true);
      expect(verifyProof(k, input.air, proof, input.statementHash, input.publicInputs, { minSecurityBits: 0 }).ok).toBe(true);
      expect(verifyProof(k, input.air, proof, STATEMENT, input.publicInputs, { minSecurityBits: 0 }).ok).toBe(false);
      // The host's trace check runs a range of rows per thread: a wrong cell in the last range is found
      // (and one on the boundary between ranges), and named as the inline check names it.
      const n = 2 ** logN;
      for (const row of [n - 3, Math.floor((n - 1) / threads)]) {
        const bad = input.trace.map((c) => c.slice());
        bad[4]![row] = bad[4]![row]! + 1n;
        await expect(prove(k, pooled, { ...input, trace: bad })).rejects.toThrow(`trace violates transition constraint 4 (accumulate) at row ${row - 1}`);
      }
    } finally {
      await pooled.destroy();
    }
  });

  it("a CPU backend whose worker threads serve only the Backend operations is refused by name, not used silently", async () => {
    const { createNodeCpuBackend: backendOnly } = await import('../src/backend/cpu/node.js');
    const plain = await backendOnly({ threads: 2 });
    try {
      await expect(prove(k, plain, geomProofInput(10, 7))).rejects.toThrow(/do not run the prover's jobs \(segments, foldBlock, oodPart, transitionsHold, compositionBlock\): make it with capseal\/prover\/node/);
    } finally {
      await plain.destroy();
    }
  });

  it('the OOD point is never in F_p (so never in the trace or LDE domain): c1 = 0 draws are skipped', () => {
    let calls = 0;
    const fake = { challengeExt: () => (calls++ < 2 ? ([5n, 0n] as const) : ([5n, 9n] as const)) } as unknown as Transcript;
    expect(drawOodPoint(fake)).toEqual([5n, 9n]);
    expect(calls).toBe(3);
  });

  it('challenges are drawn from F_p2, not the base field', () => {
    const t = new Transcript('capseal-stark-v1');
    const draws = Array.from({ length: 8 }, () => t.challengeExt('x'));
    expect(draws.filter((d) => d[1] !== 0n).length).toBe(8);
  });

  it('duplicate queries are drawn again until distinct; a tiny domain caps them and the security figure says so', () => {
    const t = new Transcript('capseal-stark-v1');
    const q = drawQueries(t, 6, DEFAULT_OPTIONS);
    expect(new Set(q).size).toBe(DEFAULT_OPTIONS.queries);
    const tiny = drawQueries(new Transcript('capseal-stark-v1'), 2, DEFAULT_OPTIONS); // 4·8/4 = 8 groups
    expect(tiny).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(securityBits(2, DEFAULT_OPTIONS)).toBe(3 * 8 + 16);
  });

  it("options whose LDE domain exceeds the field's two-adicity are refused ('options'), not left to fail later", () => {
    const air = AIRS.fib_air_v1.air({ steps: 2 ** 30, result: '1' });
    const at = (blowup: 4 | 8 | 16) => {
      const o = { ...honest.options, blowup };
      return verifyProof(k, air, { ...honest, airId: air.id, logN: 30, options: o, securityBits: securityBits(30, o) }, STATEMENT, PUBLIC, { minSecurityBits: 0 });
    };
    // 2^32 points is the largest domain: that proof gets as far as its shape.
    expect(at(4)).toMatchObject({ ok: false, code: 'shape' });
    expect(at(8)).toMatchObject({ ok: false, code: 'options', message: "blowup 8 over 2^30 rows: the LDE domain of 2^33 points exceeds the field's two-adicity (32)" });
    expect(at(16)).toMatchObject({ ok: false, code: 'options' });
  });

  it('the verifier never throws on garbage', () => {
    const junk: unknown[] = [null, undefined, 0, 'proof', [], {}, { ...honest, options: null }, { ...honest, traceOpening: null },
      { ...honest, oodTrace: 'x' }, { ...honest, friOpenings: [null] }, { ...honest, nonce: -1n }, { ...honest, traceOpening: { rows: [], proof: {} } },
      { ...honest, finalPoly: [[Fp.P, 0n]] }, { ...honest, traceOpening: { ...honest.traceOpening, rows: honest.traceOpening.rows.map((x, i) => (i === 0 ? Fp.P : x)) } }];
    for (const j of junk) {
      const v = check(j as StarkProof);
      expect(v.ok).toBe(false);
    }
  });
});
