// The auxiliary segment and its LogUp arguments on the CPU: a range check (lookup into a table with
// multiplicities) and a multiset equality prove and verify; a value outside the table, wrong
// multiplicities, a forged permutation, a builder that forges the running sum, a tampered auxiliary
// root or opening, and a proof checked against the AIR without its argument are all rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import * as Fp from '../src/field/goldilocks.js';
import * as Fp2 from '../src/field/ext2.js';
import { airDigest, checkAir, compositionSegments, MAX_WIDTH, type Air } from '../src/stark/air.js';
import { checkAuxTrace, lowerAir } from '../src/stark/aux.js';
import { decodeProof, encodeProof, proofFromJson, proofToJson, PROOF_FORMAT_VERSION_AUX } from '../src/stark/codec.js';
import { add, auxCur, challenge, cur, mul, next, sub, type Expr } from '../src/stark/expr.js';
import { lookup, withInteractions } from '../src/stark/lookup.js';
import { LOG_N, N, permAir, permTrace, rangeAir, rangeTrace, SHUFFLED, VALUES } from './helpers/lookup-airs.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import type { StarkProof } from '../src/stark/proof.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { UnsatisfiedConstraintError } from '../src/prover/errors.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';

const STATEMENT = new Uint8Array(32).fill(7);
const PUBLIC = new Uint8Array([9]);
let k: Kernels;
let backend: CpuBackend;
let honest: StarkProof;
const air = rangeAir();
const options = TEST_OPTIONS_INSECURE;

beforeAll(async () => {
  k = await Kernels.load();
  backend = await CpuBackend.create();
  honest = (await prove(k, backend, { air, trace: rangeTrace(VALUES), statementHash: STATEMENT, publicInputs: PUBLIC, options })).proof;
});
afterAll(() => backend.destroy());

const verify = (p: StarkProof, a: Air = air) => verifyProof(k, a, p, STATEMENT, PUBLIC, { minSecurityBits: 0 });

describe('the auxiliary segment', () => {
  it('declares its columns and challenges and binds them into the AIR digest (v2)', () => {
    checkAir(air);
    expect(air.aux).toMatchObject({ width: 2, challenges: 2 });
    expect(air.rowConstraints?.map((r) => r.row)).toEqual([0, N - 1]);
    expect(compositionSegments(air)).toBe(2);
    const { aux: _aux, rowConstraints: _rows, names: _names, ...plain } = air;
    expect(airDigest(air)).not.toEqual(airDigest({ ...plain, transitions: plain.transitions.slice(0, 1) }));
    expect(airDigest(air)).not.toEqual(airDigest({ ...air, aux: { ...air.aux!, challenges: 3 } }));
  });

  it('refuses constraints reading auxiliary cells or challenges the AIR does not have', () => {
    const base: Air = { id: 'x', width: 1, logN: 3, periodic: [], parameters: new Uint8Array(), transitions: [sub(next(0), cur(0))], boundaries: [] };
    expect(() => checkAir({ ...base, transitions: [auxCur(0)] })).toThrow(/no auxiliary segment/);
    expect(() => checkAir({ ...base, transitions: [mul(cur(0), challenge(0))] })).toThrow(/no challenges/);
    const aux = { width: 1, challenges: 1, build: () => [] };
    expect(() => checkAir({ ...base, aux, transitions: [auxCur(1)] })).toThrow(/outside \[0, 1\)/);
    expect(() => checkAir({ ...base, aux, rowConstraints: [{ row: 0, expr: next(0) }] })).toThrow(/current row only/);
    expect(() => checkAir({ ...base, aux, rowConstraints: [{ row: 8, expr: cur(0) }] })).toThrow(/outside \[0, 8\)/);
  });

  it('refuses a bus carrying tuples of different lengths, a lowered width over MAX_WIDTH; an empty row-constraint list is no constraint', () => {
    const base: Air = { id: 'x', width: 2, logN: 3, periodic: [], parameters: new Uint8Array(), transitions: [sub(next(0), cur(0))], boundaries: [] };
    const two = [{ bus: 1, values: [cur(0)], multiplicity: cur(1) }, { bus: 1, values: [cur(0), cur(1)], multiplicity: cur(1) }];
    expect(() => withInteractions(base, two)).toThrow(/bus 1 carries tuples of 1 values, not 2/);
    expect(() => withInteractions(base, [two[0]!, { ...two[1]!, bus: 2 }])).not.toThrow();
    const aux = { width: 256, challenges: 1, build: () => [] };
    expect(() => checkAir({ ...base, width: MAX_WIDTH - 511, aux, transitions: [sub(next(0), cur(0))] })).toThrow(/exceed 4096/);
    expect(airDigest({ ...base, rowConstraints: [] })).toEqual(airDigest(base));
    expect(airDigest({ ...base, rowConstraints: [{ row: 0, expr: cur(0) }] })).not.toEqual(airDigest(base));
  });

  it('lowers an F_p2 constraint to two base-field constraints that agree with F_p2 arithmetic', () => {
    const beta: Fp2.Fp2 = [5n, 11n], gamma: Fp2.Fp2 = [Fp.P - 2n, 3n];
    const lowered = lowerAir(air, [beta, gamma]);
    expect(lowered.air.width).toBe(3 + 2 * 2);
    expect(lowered.air.aux).toBeUndefined();
    // The base transition lowers to itself; every other one to two coordinates.
    expect(lowered.transitionOrigin).toEqual([0, 1, 1, 2, 2, 3, 3]);
    const alphas = Array.from({ length: 1 + 3 + 1 + 2 }, (_, i): Fp2.Fp2 => [BigInt(i + 2), BigInt(3 * i + 1)]);
    const eff = lowered.coefficients(alphas);
    expect(eff[1]).toEqual(alphas[1]);
    expect(eff[2]).toEqual(Fp2.mul(alphas[1]!, [0n, 1n])); // α·u
  });

  it('proves and verifies a range check (LogUp with multiplicities); the proof round-trips both codecs as version 2', () => {
    expect(verify(honest)).toMatchObject({ ok: true });
    expect(honest.auxRoot).toHaveLength(32);
    expect(honest.oodTrace).toHaveLength(3 + 4);
    const bytes = encodeProof(honest);
    expect(new DataView(bytes.buffer).getUint16(4, true)).toBe(PROOF_FORMAT_VERSION_AUX);
    expect(decodeProof(bytes)).toEqual(honest);
    expect(proofFromJson(JSON.parse(JSON.stringify(proofToJson(honest))))).toEqual(honest);
    expect(encodeProof(decodeProof(bytes))).toEqual(bytes);
  });

  it('an honest prover refuses a value outside the table, naming the broken constraint', async () => {
    const bad = [...VALUES];
    bad[4] = N + 3; // not among the table's 0 … n−1
    await expect(prove(k, backend, { air, trace: rangeTrace(bad), statementHash: STATEMENT, publicInputs: PUBLIC, options }))
      .rejects.toThrow(UnsatisfiedConstraintError);
    await expect(prove(k, backend, { air, trace: rangeTrace(bad), statementHash: STATEMENT, publicInputs: PUBLIC, options }))
      .rejects.toThrow(/row constraint 1 \(logup_sum_last\)/);
  });

  it('rejects a forged lookup: a value outside the table, or wrong multiplicities (dishonest prover)', async () => {
    const outside = [...VALUES];
    outside[4] = N + 3;
    const wrongCounts = Array.from({ length: N }, (_, j) => VALUES.filter((v) => v === j).length);
    wrongCounts[0]! += 1;
    wrongCounts[VALUES[0]!]! -= 1;
    for (const trace of [rangeTrace(outside), rangeTrace(VALUES, wrongCounts)]) {
      const forged = (await proveDishonestly(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: PUBLIC, options })).proof;
      expect(verify(forged).ok).toBe(false);
    }
  });

  it('rejects a builder that forges the running sum to end at zero', async () => {
    const outside = [...VALUES];
    outside[4] = N + 3;
    const honestBuild = air.aux!.build;
    const forging: Air = {
      ...air,
      aux: {
        ...air.aux!,
        build: (trace, challenges) => {
          const [t, s] = honestBuild(trace, challenges);
          const last = N - 1, end: Fp2.Fp2 = [s!.c0[last]!, s!.c1[last]!];
          // Cancel the imbalance in the last row's sum (the term column then disagrees with its row).
          s!.c0[last] = 0n;
          s!.c1[last] = 0n;
          t!.c0[last] = Fp.sub(t!.c0[last]!, end[0]);
          t!.c1[last] = Fp.sub(t!.c1[last]!, end[1]);
          return [t!, s!];
        },
      },
    };
    const forged = (await proveDishonestly(k, backend, { air: forging, trace: rangeTrace(outside), statementHash: STATEMENT, publicInputs: PUBLIC, options })).proof;
    expect(verify(forged, air).ok).toBe(false);
  });

  it('proves a multiset equality and rejects a forged permutation', async () => {
    const pa = permAir();
    const good = (await prove(k, backend, { air: pa, trace: permTrace(SHUFFLED), statementHash: STATEMENT, publicInputs: PUBLIC, options })).proof;
    expect(verify(good, pa)).toMatchObject({ ok: true });
    const forgedRight = [...SHUFFLED];
    forgedRight[0] = forgedRight[1]!; // one value twice, another missing
    await expect(prove(k, backend, { air: pa, trace: permTrace(forgedRight), statementHash: STATEMENT, publicInputs: PUBLIC, options }))
      .rejects.toThrow(UnsatisfiedConstraintError);
    const forged = (await proveDishonestly(k, backend, { air: pa, trace: permTrace(forgedRight), statementHash: STATEMENT, publicInputs: PUBLIC, options })).proof;
    expect(verify(forged, pa).ok).toBe(false);
  });

  it('checkAuxTrace names the declared constraint a bad auxiliary column breaks', () => {
    const challenges: Fp2.Fp2[] = [[17n, 4n], [23n, 8n]];
    const trace = rangeTrace(VALUES);
    const aux = air.aux!.build(trace, challenges);
    expect(checkAuxTrace(air, trace, aux, challenges)).toEqual({ ok: true });
    aux[0]!.c0[5] = Fp.add(aux[0]!.c0[5]!, 1n);
    expect(checkAuxTrace(air, trace, aux, challenges)).toMatchObject({ ok: false, kind: 'transition', index: 2, row: 4 }); // t at row 5, first seen from row 4 (its next-row form)
  });

  it('rejects tampered auxiliary commitments, openings and OOD values, and a proof checked without its argument', () => {
    const flip = (d: Uint8Array) => Uint8Array.from(d, (x, i) => (i === 0 ? x ^ 1 : x));
    expect(verify({ ...honest, auxRoot: flip(honest.auxRoot!) }).ok).toBe(false);
    const rows = honest.auxOpening!.rows.slice();
    rows[0] = Fp.add(rows[0]!, 1n);
    expect(verify({ ...honest, auxOpening: { ...honest.auxOpening!, rows } })).toMatchObject({ ok: false, code: 'aux-opening' });
    const ood = honest.oodTrace.map((x, i): Fp2.Fp2 => (i === 4 ? [Fp.add(x[0], 1n), x[1]] : x));
    expect(verify({ ...honest, oodTrace: ood })).toMatchObject({ ok: false, code: 'ood' });
    const { auxRoot: _r, auxOpening: _o, ...withoutAux } = honest;
    expect(verify(withoutAux as StarkProof)).toMatchObject({ ok: false, code: 'shape' });
    const { aux: _a, rowConstraints: _rc, names: _n, ...plainAir } = air;
    expect(verify(honest, { ...plainAir, transitions: air.transitions.slice(0, 1) })).toMatchObject({ ok: false, code: 'shape' });
    expect(verifyProof(k, air, honest, new Uint8Array(32), PUBLIC, { minSecurityBits: 0 }).ok).toBe(false);
    // A constraint whose u-coordinate is a non-zero constant (challenge 0's c1) can hold for no trace.
    const hopeless = { ...air, transitions: [...air.transitions, add(cur(0), challenge(0))], names: undefined };
    expect(verify(honest, hopeless)).toMatchObject({ ok: false, code: 'ood', message: expect.stringContaining('cannot hold under these challenges') });
  });
});

describe('lowering a long tuple', () => {
  // Distinct nodes of the lowered constraints, a shared subexpression counted once.
  const size = (exprs: readonly Expr[]): number => {
    const seen = new Set<Expr>();
    const visit = (e: Expr): void => {
      if (seen.has(e)) return;
      seen.add(e);
      if ('a' in e) visit(e.a);
      if ('b' in e) visit(e.b);
    };
    exprs.forEach(visit);
    return seen.size;
  };
  const lowered = (length: number) => {
    const base: Air = { id: 'tuple', width: 2 * length + 1, logN: LOG_N, periodic: [], parameters: new Uint8Array(), transitions: [sub(next(0), cur(0))], boundaries: [] };
    const keys = Array.from({ length }, (_, i) => cur(i)), table = Array.from({ length }, (_, i) => cur(length + i));
    const air = lowerAir(withInteractions(base, lookup(0, { keys, table, multiplicity: cur(2 * length) })), [[3n, 5n], [7n, 11n]]).air;
    return size([...air.transitions, ...(air.rowConstraints ?? []).map((r) => r.expr)]);
  };
  it('grows linearly with the tuple\'s length: each coordinate the F_p2 Horner step reads twice is shared', () => {
    const [n8, n16, n32] = [8, 16, 32].map(lowered) as [number, number, number];
    expect(n16 - n8).toBe(n32 - n16 - (n16 - n8)); // equal steps per 8 more values
  });
});
