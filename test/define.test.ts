// AIRs written by name (src/stark/define.ts) and shared subexpressions (share, src/stark/expr.ts):
// the one evaluator computes a shared node once per evaluation (counted), every reader — degree,
// validation, serialization, CPU columns, F_p2, WGSL — agrees with the BigInt model on trees with
// shares, a DAG with 2^40 paths is validated and evaluated in linear time, the encoding of a tree
// without shares is what it always was, names do not enter the AIR's identity, and a failing trace
// names its constraint. A proof of an AIR with shares verifies, and a wrong statement is rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import * as F from '../src/field/goldilocks.js';
import { createNodeCpuBackend } from '../src/prover/node.js';
import { evalColumnsAll } from '../src/prover/cpu/constraints.js';
import { constraintsToWgsl, exprToWgsl } from '../src/prover/gpu/constraints.js';
import { prove } from '../src/prover/prover.js';
import { airDigest, checkAir, checkTrace, type Air } from '../src/stark/air.js';
import { defineAir } from '../src/stark/define.js';
import {
  add, baseLeaf, checkExpr, cur, degree, eq, evalBase, evalBaseAll, evaluate, mul, next, periodic, pow, serializeExpr, share, sub,
  type Expr, type Ops,
} from '../src/stark/expr.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';
import { exprModel, rng } from './reference/model.js';

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.load();
});

const model = exprModel;

/** Three constraints sharing `ab` (also inside `abk`, a pow operand and used twice in one tree). */
function sharedTrees(): Expr[] {
  const ab = share(mul(cur(0), cur(1)), 'ab');
  const abk = share(add(ab, periodic(0)), 'abk');
  return [eq(next(0), add(ab, cur(2))), eq(next(1), pow(abk, 3)), eq(next(2), mul(mul(abk, ab), abk))];
}

describe('shared subexpressions', () => {
  it('share refuses a bad name; checkExpr names a bad share or a bad node under one', () => {
    for (const bad of ['', 'A', '1x', 'x-y', 'x'.repeat(65)]) expect(() => share(cur(0), bad)).toThrow(/share: name/);
    expect(() => checkExpr({ op: 'let', a: cur(0), name: 'Bad' } as Expr, 1, 0)).toThrow(/expr: let name "Bad"/);
    expect(() => checkExpr(add(cur(0), share(cur(5), 'x')), 2, 0)).toThrow('expr.b.a: cur column 5 is outside [0, 2)');
  });

  it('are evaluated once per evaluation, and every reader agrees with the model', () => {
    const trees = sharedTrees();
    let shares = 0, muls = 0;
    const counting: Ops<bigint> = {
      constant: (v) => v, add: F.add, sub: F.sub, neg: F.neg, pow: (a, e) => F.pow(a, BigInt(e)),
      mul: (a, b) => (muls++, F.mul(a, b)),
      share: (v) => (shares++, { first: v, later: v }),
    };
    const r = rng(77n);
    const row = { cur: r.column(3), next: r.column(3), periodic: r.column(1) };
    const at = { cur: [...row.cur], next: [...row.next], periodic: [...row.periodic] };
    const memo = new Map();
    const values = trees.map((t) => evaluate(t, (any) => {
      const l = baseLeaf(any);
      return l.op === 'periodic' ? at.periodic[l.index]! : at[l.op][l.col]!;
    }, counting, memo));
    expect(shares).toBe(2); // ab and abk, once across the three trees
    expect(muls).toBe(1 + 2); // a·b once, then the two products of the third tree (pow is not a mul here)
    expect(values).toEqual(trees.map((t) => model(t, at)));
    expect(evalBaseAll(trees, at)).toEqual(values);
    expect(trees.map((t) => evalBase(t, at))).toEqual(values);
    expect(trees.map(degree)).toEqual([2, 6, 6]);
  });

  it('over whole columns on the CPU: every row equals the model', () => {
    const trees = sharedTrees();
    const n = 5000, r = rng(5n); // more than one block, with a partial last block
    const frame = { cur: [r.column(n), r.column(n), r.column(n)], next: [r.column(n), r.column(n), r.column(n)], periodic: [r.column(n)] };
    const cols = evalColumnsAll(k, trees, frame, n);
    for (const i of [0, 1, 4095, 4096, 4999]) {
      const at = { cur: frame.cur.map((c) => c[i]!), next: frame.next.map((c) => c[i]!), periodic: frame.periodic.map((c) => c[i]!) };
      cols.forEach((c, t) => expect(c[i], `row ${i}, tree ${t}`).toBe(model(trees[t]!, at)));
    }
  });

  it('a DAG with 2^40 paths is checked, measured and evaluated in linear time', () => {
    let e: Expr = cur(0);
    for (let i = 0; i < 40; i++) {
      const s = share(e, `s${i}`);
      e = add(s, s);
    }
    checkExpr(e, 1, 0);
    expect(degree(e)).toBe(1);
    expect(evalBase(e, { cur: [3n], next: [0n], periodic: [] })).toBe(F.mul(3n, F.pow(2n, 40n)));
    expect(serializeExpr(e).length).toBeLessThan(40 * 20);
  });

  it('serialize as a definition where first met and a reference after; a tree without shares encodes as before', () => {
    const s = share(cur(1), 'x');
    expect([...serializeExpr(add(s, s))]).toEqual([5, 10, 0, 0, 0, 0, 2, 1, 0, 0, 0, 11, 0, 0, 0, 0]);
    // The same tree inlined encodes as it always did (tag 5, then two cur(1)).
    expect([...serializeExpr(add(cur(1), cur(1)))]).toEqual([5, 2, 1, 0, 0, 0, 2, 1, 0, 0, 0]);
    // Two shares are numbered in order of first meeting.
    const t = share(cur(2), 'y');
    expect([...serializeExpr(mul(t, add(s, t)))]).toEqual([7, 10, 0, 0, 0, 0, 2, 2, 0, 0, 0, 5, 10, 1, 0, 0, 0, 2, 1, 0, 0, 0, 11, 0, 0, 0, 0]);
  });

  it('nested shares are numbered in post-order (the inner one first), and a share that refers to itself is refused', () => {
    const inner = share(cur(0), 'inner');
    const outer = share(add(inner, inner), 'outer');
    expect([...serializeExpr(add(outer, outer))]).toEqual([5, 10, 1, 0, 0, 0, 5, 10, 0, 0, 0, 0, 2, 0, 0, 0, 0, 11, 0, 0, 0, 0, 11, 1, 0, 0, 0]);
    const loop = { op: 'let', name: 'loop', a: undefined as unknown as Expr } as { op: 'let'; name: string; a: Expr };
    loop.a = add(loop, 1);
    expect(() => checkExpr(loop, 1, 0)).toThrow('expr.a.a: shared subexpression "loop" refers to itself');
    expect(() => serializeExpr(loop)).toThrow(/refers to itself/);
  });

  it('become WGSL let statements, evaluated once; exprToWgsl refuses them', () => {
    const names = { cur: (c: number) => `cur_${c}`, next: (c: number) => `next_${c}`, periodic: (j: number) => `per_${j}` };
    const { statements, values } = constraintsToWgsl(sharedTrees(), names);
    expect(statements).toEqual(['let s0_ab: Fp = fp_mul(cur_0, cur_1);', 'let s1_abk: Fp = fp_add(s0_ab, per_0);']);
    expect(values[0]).toBe('fp_sub(next_0, fp_add(s0_ab, cur_2))');
    // A bound name is cheap to repeat: its cube is inlined.
    expect(values[1]).toBe('fp_sub(next_1, fp_mul(fp_square(s1_abk), s1_abk))');
    expect(() => exprToWgsl(sharedTrees()[0]!, names)).toThrow(/shared subexpressions/);
    expect(exprToWgsl(pow(add(cur(0), 1n), 3), names)).toBe('fp_pow(fp_add(cur_0, Fp(1u, 0u)), vec2<u32>(3u, 0u))');
  });
});

/** Fibonacci on two named columns, with a shared sum. */
const fibByName = (logN: number, last: bigint): Air =>
  defineAir({
    id: 'fib_named_test',
    logN,
    columns: ['a', 'b'],
    transitions: ({ cur, next }) => {
      const s = share(add(cur.a, cur.b), 'sum');
      return { next_a: eq(next.a, cur.b), next_b: eq(next.b, s) };
    },
    boundaries: { first_a: { column: 'a', row: 0, value: 1n }, first_b: { column: 'b', row: 0, value: 1n }, last_b: { column: 'b', row: 2 ** logN - 1, value: last } },
  });

function fibColumns(logN: number): [BigUint64Array, BigUint64Array] {
  const n = 2 ** logN, a = new BigUint64Array(n), b = new BigUint64Array(n);
  a[0] = 1n;
  b[0] = 1n;
  for (let i = 1; i < n; i++) [a[i], b[i]] = [b[i - 1]!, F.add(a[i - 1]!, b[i - 1]!)];
  return [a, b];
}

describe('defineAir', () => {
  it('is the positional AIR with names: the same identity as one written by index', () => {
    const trace = fibColumns(4);
    const air = fibByName(4, trace[1][15]!);
    expect(air.names).toEqual({ columns: ['a', 'b'], transitions: ['next_a', 'next_b'], boundaries: ['first_a', 'first_b', 'last_b'] });
    const positional: Air = {
      id: 'fib_named_test', width: 2, logN: 4, periodic: [],
      transitions: [sub(next(0), cur(1)), sub(next(1), add(cur(0), cur(1)))],
      boundaries: [{ col: 0, row: 0, value: 1n }, { col: 1, row: 0, value: 1n }, { col: 1, row: 15, value: trace[1][15]! }],
      parameters: new Uint8Array(0),
    };
    // The share changes the tree's encoding (it is part of the structure) but not the names: drop names, same digest.
    const { names: _names, ...unnamed } = air;
    expect(airDigest(unnamed)).toEqual(airDigest(air));
    expect(airDigest({ ...positional, transitions: [positional.transitions[0]!, air.transitions[1]!] })).toEqual(airDigest(air));
  });

  it('refuses a repeated column, a boundary on no column, bad or miscounted names', () => {
    expect(() => defineAir({ id: 'x', logN: 2, columns: ['a', 'a'], transitions: ({ cur, next }) => ({ t: eq(next.a, cur.a) }) })).toThrow(/used twice/);
    expect(() => defineAir({
      id: 'x', logN: 2, columns: ['a'], transitions: ({ cur, next }) => ({ t: eq(next.a, cur.a) }),
      boundaries: { b: { column: 'z' as 'a', row: 0, value: 0n } },
    })).toThrow('x: boundary b names no column ("z")');
    expect(() => defineAir({ id: 'x', logN: 2, columns: ['A'], transitions: ({ cur, next }) => ({ t: eq(next.A, cur.A) }) })).toThrow(/air.names.columns\[0\]/);
    const air = fibByName(3, 1n);
    expect(() => checkAir({ ...air, names: { transitions: ['only_one'] } })).toThrow('air.names.transitions: 1 names for 2 transitions');
  });

  it('a failing trace names the constraint and row', async () => {
    const [a, b] = fibColumns(4);
    const air = fibByName(4, b[15]!);
    b[9] = F.add(b[9]!, 1n);
    expect(checkTrace(air, [a, b])).toEqual({ ok: false, kind: 'transition', index: 1, row: 8, name: 'next_b' });
    const backend = await createNodeCpuBackend({ threads: 1 });
    try {
      await expect(prove(k, backend, { air, trace: [a, b], statementHash: new Uint8Array(32), publicInputs: new Uint8Array(0), options: TEST_OPTIONS_INSECURE }))
        .rejects.toMatchObject({ name: 'UnsatisfiedConstraintError', constraint: 'next_b', row: 8, message: 'trace violates transition constraint 1 (next_b) at row 8' });
    } finally {
      await backend.destroy();
    }
  });
});

describe('a proof of an AIR with shared subexpressions', () => {
  let backend: CpuBackend;
  beforeAll(async () => {
    backend = await createNodeCpuBackend({ threads: 2 });
  });
  afterAll(async () => {
    await backend.destroy();
  });

  it('verifies; a wrong statement, wrong public inputs or another last value is rejected', async () => {
    const trace = fibColumns(6);
    const air = fibByName(6, trace[1][63]!);
    const statementHash = new Uint8Array(32).fill(9), publicInputs = Uint8Array.of(1);
    const { proof } = await prove(k, backend, { air, trace, statementHash, publicInputs, options: TEST_OPTIONS_INSECURE });
    const opts = { minSecurityBits: 0 };
    expect(verifyProof(k, air, proof, statementHash, publicInputs, opts)).toMatchObject({ ok: true });
    expect(verifyProof(k, air, proof, new Uint8Array(32).fill(8), publicInputs, opts).ok).toBe(false);
    expect(verifyProof(k, air, proof, statementHash, Uint8Array.of(2), opts).ok).toBe(false);
    expect(verifyProof(k, fibByName(6, F.add(trace[1][63]!, 1n)), proof, statementHash, publicInputs, opts).ok).toBe(false);
  });
});
