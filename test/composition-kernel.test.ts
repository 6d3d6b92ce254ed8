// The composition compiled to WebAssembly (src/prover/cpu/composition-kernel.ts, run by
// compositionOnLde) against an independent evaluation: the verifier's compositionAt (src/stark/ood.ts,
// BigInt F_p2 arithmetic over the expression trees) at every point of the LDE domain, given the LDE
// values of the current and next row — on traces that satisfy their AIR and on random ones (where
// the composition is no polynomial, so every point counts), row constraints and a lowered auxiliary
// segment included, and with the code split over many functions. Also: the Goldilocks operations the
// kernels emit (src/wasm/emit.ts) against the BigInt model on edge values, with constant and
// variable operands; the first blocks alone determine the composition; the module is a function of
// the AIR and the coefficients.
import { describe, expect, it } from 'vitest';
import { AIRS, agentTraceV2, fibTrace, geomTrace, sampleActionLog } from '../src/airs/index.js';
import type { Column } from '../src/field/columns.js';
import type { Fp2 } from '../src/field/ext2.js';
import { cosetLde } from '../src/ntt/lde.js';
import { compositionModule, compiledComposition } from '../src/prover/cpu/composition-kernel.js';
import { lowerAir } from '../src/stark/aux.js';
import { compositionCoefficientCount } from '../src/stark/composition.js';
import { rangeAir } from './helpers/lookup-airs.js';
import { compositionOnLde, determiningBlocks } from '../src/prover/cpu/composition.js';
import { splitSegments } from '../src/prover/cpu/split.js';
import type { Air } from '../src/stark/air.js';
import { COSET_SHIFT, pointAt, reverseBits } from '../src/stark/domain.js';
import { compositionAt } from '../src/stark/ood.js';
import { encodeModule, FieldEmitter, FunctionBuilder, OP, type FieldValue } from '../src/wasm/emit.js';
import { Kernels } from '../src/wasm/kernels.js';
import { MIX_AIR, SHARED_AIR } from './reference/airs.js';
import { EDGE, madd, md, mmul, msub, P, rng } from './reference/model.js';

const k = await Kernels.load();

const fromEntry = (id: keyof typeof AIRS, make: () => { trace: BigUint64Array[]; publicInputs: unknown }) => () => {
  const { trace, publicInputs } = make();
  return { air: AIRS[id].air(publicInputs), trace };
};
/** A random trace with some edge values in it: no polynomial composition, every point matters. */
const randomTrace = (air: Air, seed: bigint): Column[] =>
  Array.from({ length: air.width }, (_, c) => {
    const col = rng(seed + BigInt(c)).column(2 ** air.logN);
    EDGE.slice(0, col.length / 2).forEach((v, i) => (col[2 * i + (c % 2)] = v));
    return col;
  });

const CASES: Array<{ name: string; make: () => { air: Air; trace: Column[] } }> = [
  { name: 'fib_air_v1', make: fromEntry('fib_air_v1', () => fibTrace(5)) },
  { name: 'geom_air_v1', make: fromEntry('geom_air_v1', () => geomTrace(5)) },
  { name: 'agent_air_v2 (shares)', make: fromEntry('agent_air_v2', () => agentTraceV2(sampleActionLog(20))) },
  { name: 'geom_air_v1, random trace', make: () => { const { air } = fromEntry('geom_air_v1', () => geomTrace(5))(); return { air, trace: randomTrace(air, 3n) }; } },
  { name: 'MIX_AIR (periodic 1, 4, n; pow; constants near p), random trace', make: () => ({ air: MIX_AIR, trace: randomTrace(MIX_AIR, 7n) }) },
  { name: 'SHARED_AIR (nested shares), random trace', make: () => ({ air: SHARED_AIR, trace: randomTrace(SHARED_AIR, 11n) }) },
  {
    name: 'a LogUp range check lowered (row constraints, F_p2 challenges), random trace',
    make: () => {
      const air = lowerAir(rangeAir(), [[3n, 5n], [P - 7n, 11n]]).air;
      return { air, trace: randomTrace(air, 13n) };
    },
  },
];

const alphasFor = (air: Air, seed: bigint): Fp2[] => {
  const r = rng(seed);
  return Array.from({ length: compositionCoefficientCount(air) }, () => [r.element(), r.element()] as const);
};

describe('the compiled composition against the verifier\'s pointwise evaluation', () => {
  for (const c of CASES)
    for (const blowup of [4, 8])
      it(`${c.name}, blowup ${blowup}: every point of every coset block`, async () => {
        const { air, trace } = c.make();
        const logN = air.logN, n = 2 ** logN, logBlowup = Math.log2(blowup), logNN = logN + logBlowup;
        const lde = cosetLde(k, trace, { blowup, order: 'bit-reversed' });
        const alphas = alphasFor(air, BigInt(blowup));
        const got = await compositionOnLde(k, air, { cur: lde, logN, logBlowup }, alphas, undefined, blowup);
        const at = (col: Column, p: number): Fp2 => [col[p]!, 0n];
        for (let p = 0; p < n * blowup; p++) {
          // The next row of point p is in its block, at bitrev(bitrev(i) + 1).
          const block = Math.floor(p / n), i = p % n, q = block * n + reverseBits((reverseBits(i, logN) + 1) % n, logN);
          const want = compositionAt(k, air, [pointAt(COSET_SHIFT, logNN, p), 0n], lde.map((col) => at(col, p)), lde.map((col) => at(col, q)), alphas);
          if (got.c0[p] !== want[0] || got.c1[p] !== want[1]) expect.fail(`point ${p}: got (${got.c0[p]}, ${got.c1[p]}), want (${want[0]}, ${want[1]})`);
        }
      });

  it('coefficients of 0 and 1 (which fold away in the generated code) give the pointwise values too', async () => {
    const special: Fp2[] = [[1n, 0n], [0n, 1n], [0n, 0n], [1n, 1n], [P - 1n, 1n]];
    for (const c of [CASES[3]!, CASES[5]!]) {
      const { air, trace } = c.make();
      const logN = air.logN, n = 2 ** logN;
      const lde = cosetLde(k, trace, { blowup: 4, order: 'bit-reversed' });
      for (let shift = 0; shift < special.length; shift++) {
        const alphas = Array.from({ length: compositionCoefficientCount(air) }, (_, i) => special[(i + shift) % special.length]!);
        const got = await compositionOnLde(k, air, { cur: lde, logN, logBlowup: 2 }, alphas, undefined, 4);
        for (const p of [0, 1, n - 1, n, 3 * n + 5]) {
          const q = Math.floor(p / n) * n + reverseBits((reverseBits(p % n, logN) + 1) % n, logN);
          const want = compositionAt(k, air, [pointAt(COSET_SHIFT, logN + 2, p), 0n], lde.map((col) => [col[p]!, 0n] as Fp2), lde.map((col) => [col[q]!, 0n] as Fp2), alphas);
          expect([got.c0[p], got.c1[p]], `${c.name}, coefficients from ${shift}, point ${p}`).toEqual(want);
        }
      }
    }
  });

  it('by default only the blocks that determine the composition, whose split equals the split of all blocks', async () => {
    const { air, trace } = CASES[1]!.make(); // GEOM: degree 3, two segments
    const logN = air.logN, n = 2 ** logN;
    const lde = cosetLde(k, trace, { blowup: 8, order: 'bit-reversed' });
    const alphas = alphasFor(air, 5n);
    const all = await compositionOnLde(k, air, { cur: lde, logN, logBlowup: 3 }, alphas, undefined, 8);
    const some = await compositionOnLde(k, air, { cur: lde, logN, logBlowup: 3 }, alphas);
    expect(determiningBlocks(air)).toBe(2);
    expect(some.c0).toEqual(all.c0.subarray(0, 2 * n));
    expect(some.c1).toEqual(all.c1.subarray(0, 2 * n));
    const a = splitSegments(k, all, logN, 2), b = splitSegments(k, some, logN, 2);
    expect(a.lowDegree).toBe(true);
    expect(b.segments).toEqual(a.segments);
  });

  it('code split over many functions (a small code budget) gives the same composition, bit for bit', async () => {
    for (const c of [CASES[1]!, CASES[5]!, CASES[6]!]) {
      const { air, trace } = c.make();
      const logN = air.logN, lde = cosetLde(k, trace, { blowup: 4, order: 'bit-reversed' });
      const alphas = alphasFor(air, 9n);
      const whole = await compositionOnLde(k, air, { cur: lde, logN, logBlowup: 2 }, alphas, undefined, 4);
      const budget = 400;
      expect(compiledComposition(air, alphas, budget).entries.length, c.name).toBeGreaterThan(2);
      expect(compiledComposition(air, alphas).entries).toEqual(['compose']);
      const split = await compositionOnLde(k, air, { cur: lde, logN, logBlowup: 2, codeBudget: budget }, alphas, undefined, 4);
      expect(split.c0, c.name).toEqual(whole.c0);
      expect(split.c1, c.name).toEqual(whole.c1);
    }
  });

  it('the module is a function of the AIR and its coefficients', () => {
    const { air } = CASES[1]!.make();
    const alphas = alphasFor(air, 1n);
    const a = compositionModule(air, alphas), b = compositionModule(air, alphas.map((x) => [x[0], x[1]] as const));
    expect(a.id).toEqual(b.id);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.id.sha256).toMatch(/^[0-9a-f]{64}$/);
    const other = compositionModule(air, [[alphas[0]![0], alphas[0]![1] + 1n] as const, ...alphas.slice(1)]);
    expect(other.id.sha256).not.toBe(a.id.sha256);
  });
});

describe('Goldilocks operations emitted into WebAssembly (src/wasm/emit.ts)', () => {
  type Op = 'add' | 'sub' | 'mul' | 'neg';
  const model: Record<Op, (a: bigint, b: bigint) => bigint> = { add: madd, sub: msub, mul: mmul, neg: (a) => md(-a) };
  const values = [...EDGE, ...Array.from({ length: 8 }, (_, i) => rng(BigInt(i + 40)).element())];

  /** f(out, a, b, n): out[i] = a[i] op b[i], or a[i] op constant when `constant` is given. */
  function kernel(op: Op, constant?: bigint) {
    const f = new FunctionBuilder('f', ['i32', 'i32', 'i32', 'i32']);
    const fe = new FieldEmitter(f);
    const i = f.local('i32'), o = f.local('i32');
    f.block(() => f.loop(() => {
      f.get(i).get(3).op(OP.i32GeU).brIf(1);
      f.get(i).i32(3).op(OP.i32Shl).set(o);
      const load = (ptr: number): FieldValue => {
        const l = f.local('i64');
        f.get(ptr).get(o).op(OP.i32Add).load64().set(l);
        return { local: l };
      };
      const a = load(1), b: FieldValue = constant === undefined ? load(2) : { c: constant };
      const r = op === 'neg' ? fe.neg(a) : fe[op](a, b);
      f.get(0).get(o).op(OP.i32Add).get(fe.toLocal(r)).store64();
      f.get(i).i32(1).op(OP.i32Add).set(i).br(0);
    }));
    const run = k.link(new WebAssembly.Module(encodeModule([f]) as BufferSource))['f'] as (out: number, a: number, b: number, n: number) => void;
    return (as: bigint[], bs: bigint[]): bigint[] => k.scoped(() => {
      const pa = k.put(BigUint64Array.from(as)), pb = k.put(BigUint64Array.from(bs)), out = k.alloc(8 * as.length);
      run(out, pa, pb, as.length);
      return [...k.get(out, as.length)];
    });
  }

  for (const op of ['add', 'sub', 'mul', 'neg'] as const) {
    it(`${op}: every pair of edge values, variable operands`, () => {
      const as = values.flatMap((a) => values.map(() => a)), bs = values.flatMap(() => values);
      const got = kernel(op)(as, bs);
      as.forEach((a, j) => expect(got[j], `${a} ${op} ${bs[j]}`).toBe(model[op](a, bs[j]!)));
    });
    if (op !== 'neg')
      it(`${op}: every edge value with every edge constant`, () => {
        for (const c of values) {
          const got = kernel(op, c)(values, values.map(() => 0n));
          values.forEach((a, j) => expect(got[j], `${a} ${op} const ${c}`).toBe(model[op](a, c)));
        }
      });
  }

  it('results are canonical (< p) and the module bytes are deterministic', () => {
    const got = kernel('mul')(values, values.map((v) => P - 1n - (v % (P - 1n))));
    expect(got.every((v) => v < P)).toBe(true);
    const make = () => {
      const f = new FunctionBuilder('g', ['i32']);
      new FieldEmitter(f).mul({ local: f.local('i64') }, { c: 12345n });
      return encodeModule([f]);
    };
    expect(Buffer.from(make()).equals(Buffer.from(make()))).toBe(true);
  });
});
