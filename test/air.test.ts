// AIR expression trees and AIR definitions: builders and validation, degree inference, the three
// evaluators (columns in wasm, one row in F_p, one point in F_p2) against each other and against the
// independent BigInt model, the canonical serialization and AIR digest, WGSL text, and checkTrace.
import { beforeAll, describe, expect, it } from 'vitest';
import { Fp2 } from '../src/field/index.js';
import { Kernels } from '../src/wasm/kernels.js';
import { add, checkExpr, constant, cur, degree, evalBase, evalExt, mul, neg, next, periodic, pow, product, serializeExpr, sub, sum, type Expr } from '../src/stark/expr.js';
import { evalColumns } from '../src/prover/cpu/constraints.js';
import { exprToWgsl } from '../src/prover/gpu/constraints.js';
import { airDigest, checkAir, checkTrace, compositionSegments, maxDegree, periodicValue, type Air } from '../src/stark/air.js';
import { EDGE, exprModel, madd, P, rng } from './reference/model.js';

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.load();
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const model = exprModel;

describe('expression builders', () => {
  it('accept canonical constants and reject everything else', () => {
    expect(constant(5)).toEqual({ op: 'const', value: 5n });
    expect(constant(P - 1n)).toEqual({ op: 'const', value: P - 1n });
    expect(constant(Number.MAX_SAFE_INTEGER)).toEqual({ op: 'const', value: 2n ** 53n - 1n });
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, Infinity]) expect(() => constant(bad)).toThrow(/not a safe non-negative integer/);
    for (const bad of [P, -1n, 2n ** 64n]) expect(() => constant(bad)).toThrow(/not a canonical field element/);
    expect(() => add(cur(0), P)).toThrow(RangeError);
    expect(() => mul(-2, cur(0))).toThrow(RangeError);
    expect(add(cur(0), 3)).toEqual({ op: 'add', a: { op: 'cur', col: 0 }, b: { op: 'const', value: 3n } });
  });
  it('validate indices and exponents', () => {
    for (const f of [cur, next, periodic]) {
      expect(() => f(-1)).toThrow(/index -1 is not an integer in \[0, 2\^32\)/);
      expect(() => f(0.5)).toThrow(RangeError);
      expect(() => f(2 ** 32)).toThrow(RangeError);
      expect(() => f(2 ** 32 - 1)).not.toThrow();
    }
    expect(() => pow(cur(0), 256)).toThrow(/exponent 256 is not an integer in \[0, 255\]/);
    expect(() => pow(cur(0), -1)).toThrow(RangeError);
    expect(() => pow(cur(0), 2.5)).toThrow(RangeError);
    expect(pow(cur(0), 0)).toEqual({ op: 'pow', a: cur(0), exp: 0 });
    expect(pow(2, 255)).toEqual({ op: 'pow', a: constant(2), exp: 255 });
  });
  it('sum and product fold left, with the empty cases 0 and 1', () => {
    expect(sum()).toEqual(constant(0));
    expect(product()).toEqual(constant(1));
    expect(sum(cur(0))).toEqual(cur(0));
    expect(sum(cur(0), 1, next(2))).toEqual(add(add(cur(0), 1), next(2)));
    expect(product(cur(0), cur(1), 7)).toEqual(mul(mul(cur(0), cur(1)), 7));
  });
});

describe('degree and checkExpr', () => {
  it('infers degrees', () => {
    expect(degree(pow(sub(mul(cur(0), cur(1)), next(0)), 3))).toBe(6);
    expect(degree(constant(9))).toBe(0);
    expect(degree(mul(periodic(0), cur(1)))).toBe(2);
    expect(degree(add(mul(cur(0), cur(0)), next(1)))).toBe(2);
    expect(degree(neg(pow(cur(0), 5)))).toBe(5);
    expect(degree(pow(cur(0), 0))).toBe(0);
    expect(degree(mul(pow(7, 3), cur(2)))).toBe(1);
  });
  it('names the offending node by its path', () => {
    const t = add(cur(0), mul(next(5), 1));
    expect(() => checkExpr(t, 2, 0)).toThrow(/^expr\.b\.a: next column 5 is outside \[0, 2\)$/);
    expect(() => checkExpr(t, 6, 0)).not.toThrow();
    expect(() => checkExpr(sub(1, neg(periodic(3))), 1, 3, 'air.transitions[4]')).toThrow(/^air\.transitions\[4\]\.b\.a: periodic column 3 is outside \[0, 3\)$/);
    const badExp = { op: 'pow', a: cur(0), exp: 256 } as const;
    expect(() => checkExpr(add(0, badExp), 1, 0)).toThrow(/^expr\.b: exponent 256 is not an integer in \[0, 255\]$/);
    const badConst = { op: 'const', value: P } as const;
    expect(() => checkExpr(mul(cur(0), badConst), 1, 0)).toThrow(/^expr\.b: constant \d+ is not a canonical field element$/);
    expect(() => checkExpr({ op: 'div' } as unknown as Expr, 1, 0)).toThrow(/^expr: unknown op "div"$/);
    expect(() => checkExpr(add(cur(0), null as unknown as Expr), 1, 0)).toThrow(/^expr\.b: not an expression node$/);
  });
});

// A tree that uses every op, constants on both sides, and the evaluator's special cases
// (pow by 0, 1, 2 and odd; multiply by 0 and 1; add 0; constant subtrees that fold).
const EVERY_OP: Expr = sum(
  mul(cur(0), next(1)),
  pow(sub(cur(1), periodic(0)), 5),
  neg(add(mul(7, next(0)), P - 2n)),
  sub(2n ** 63n, pow(cur(2), 2)),
  mul(pow(add(cur(0), next(2)), 3), periodic(1)),
  mul(pow(cur(1), 0), add(cur(2), 0)),
  mul(0, cur(0)),
  mul(1, sub(0, next(2))),
  mul(pow(3, 40), neg(pow(cur(0), 1))),
  pow(neg(periodic(1)), 255),
);
const TREES: readonly Expr[] = [
  EVERY_OP,
  constant(P - 1n),
  add(pow(2, 70), 5),
  sub(cur(0), cur(0)),
  pow(next(1), 2),
  neg(periodic(0)),
  mul(cur(2), P - 1n),
];

/** Columns of `n` rows: the first rows sweep EDGE × EDGE pairs, the rest random. */
function edgeColumns(count: number, n: number, seed: bigint): BigUint64Array[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, c) => {
    const col = r.column(n);
    for (let i = 0; i < Math.min(n, EDGE.length ** 2); i++) col[i] = EDGE[(c % 2 === 0 ? i : Math.floor(i / EDGE.length)) % EDGE.length]!;
    return col;
  });
}

describe('evaluation', () => {
  const n = 4096 + 777; // crosses one block boundary of evalColumns, ends mid-block
  const curCols = edgeColumns(3, n, 1n);
  const nextCols = edgeColumns(3, n, 2n);
  const perCols = edgeColumns(2, n, 3n);
  const rowAt = (i: number) => ({ cur: curCols.map((c) => c[i]!), next: nextCols.map((c) => c[i]!), periodic: perCols.map((c) => c[i]!) });

  it('evalColumns equals evalBase and the BigInt model row by row, on edge and random values', () => {
    const before = [...curCols, ...nextCols, ...perCols].map((c) => c.slice());
    TREES.forEach((t) => {
      const got = evalColumns(k, t, { cur: curCols, next: nextCols, periodic: perCols }, n);
      expect(got.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const row = rowAt(i);
        const want = model(t, row);
        if (got[i] !== want || evalBase(t, row) !== want)
          expect({ tree: serializeExpr(t), row: i, columns: got[i], base: evalBase(t, row) }).toEqual({ tree: serializeExpr(t), row: i, columns: want, base: want });
      }
    });
    // The inputs were read, never written.
    expect([...curCols, ...nextCols, ...perCols]).toEqual(before);
  });

  it('evalColumns handles an empty domain and rejects mismatched inputs', () => {
    expect(evalColumns(k, EVERY_OP, { cur: curCols.map((c) => c.subarray(0, 0)), next: nextCols.map((c) => c.subarray(0, 0)), periodic: perCols.map((c) => c.subarray(0, 0)) }, 0)).toEqual(new BigUint64Array(0));
    const at = { cur: curCols, next: nextCols, periodic: perCols };
    expect(() => evalColumns(k, EVERY_OP, at, n - 1)).toThrow(/^evalColumns: cur\[0\] has 4873 elements, expected 4872$/);
    expect(() => evalColumns(k, EVERY_OP, { ...at, periodic: perCols.slice(0, 1) }, n)).toThrow(/^evalColumns: expr\..*periodic column 1 is outside \[0, 1\)$/);
    expect(() => evalColumns(k, EVERY_OP, { ...at, next: nextCols.slice(0, 2) }, n)).toThrow(/next row has 2 values, the current row 3/);
    expect(() => evalColumns(k, cur(0), { ...at, cur: [[1n] as unknown as BigUint64Array] }, 1)).toThrow(TypeError);
    expect(() => evalColumns(k, cur(0), at, -1)).toThrow(/length -1/);
  });

  it('evalExt agrees with evalBase on base-field inputs', () => {
    const lift = (xs: bigint[]) => xs.map(Fp2.fromBase);
    for (const i of [0, 1, 5, 300, 1000, n - 1]) {
      const row = rowAt(i);
      for (const t of TREES) expect(evalExt(t, { cur: lift(row.cur), next: lift(row.next), periodic: lift(row.periodic) })).toEqual([evalBase(t, row), 0n]);
    }
  });

  it('evalExt matches hand-computed F_p2 values (u² = 7)', () => {
    const u: Fp2.Fp2 = [0n, 1n];
    // u³ − 2·(1 + u) = 7u − 2 − 2u = −2 + 5u
    expect(evalExt(sub(pow(cur(0), 3), mul(next(0), 2)), { cur: [u], next: [[1n, 1n]], periodic: [] })).toEqual([P - 2n, 5n]);
    // (1 + 2u)(3 + 4u) = 3 + 7·8 + (4 + 6)u = 59 + 10u; negated
    expect(evalExt(neg(mul(cur(0), periodic(0))), { cur: [[1n, 2n]], next: [[0n, 0n]], periodic: [[3n, 4n]] })).toEqual([P - 59n, P - 10n]);
    expect(() => evalExt(cur(1), { cur: [u], next: [u], periodic: [] })).toThrow(/^evalExt: expr: cur column 1 is outside \[0, 1\)$/);
  });

  it('evalBase validates its frame', () => {
    expect(() => evalBase(periodic(0), { cur: [1n], next: [2n], periodic: [] })).toThrow(/^evalBase: expr: periodic column 0 is outside \[0, 0\)$/);
    expect(() => evalBase(cur(0), { cur: [1n], next: [], periodic: [] })).toThrow(/next row has 0 values, the current row 1/);
  });
});

describe('serializeExpr', () => {
  it('is stable: a checked-in encoding', () => {
    const t = add(sub(mul(cur(0), next(1)), pow(periodic(2), 3)), neg(P - 1n));
    // add | sub | mul | cur 0 | next 1 | pow 3 | periodic 2 | neg | const p−1 (8 bytes LE)
    expect(hex(serializeExpr(t))).toBe('05' + '06' + '07' + '0200000000' + '0301000000' + '0903' + '0402000000' + '08' + '0100000000ffffffff');
  });
  it('is injective on near-miss trees', () => {
    const trees: Expr[] = [
      add(cur(0), cur(1)), add(cur(1), cur(0)), sub(cur(0), cur(1)), sub(cur(1), cur(0)), mul(cur(0), cur(1)),
      add(cur(0), next(1)), add(next(0), cur(1)), add(periodic(0), cur(1)), add(cur(0), periodic(1)),
      add(cur(0), 1), add(cur(0), 2), add(cur(0), P - 1n), add(1, cur(0)), add(cur(256), 1), add(cur(1), 1),
      pow(cur(0), 2), pow(cur(0), 3), pow(next(0), 2), pow(cur(0), 0), pow(cur(0), 255), mul(cur(0), cur(0)),
      neg(cur(0)), neg(neg(cur(0))), sub(0, cur(0)), cur(0), next(0), periodic(0), constant(0), constant(2), constant(512),
      add(add(cur(0), cur(1)), cur(2)), add(cur(0), add(cur(1), cur(2))), pow(neg(cur(0)), 2), neg(pow(cur(0), 2)),
      cur(2 ** 32 - 1), cur(2 ** 24), periodic(2 ** 8),
    ];
    const encodings = trees.map((t) => hex(serializeExpr(t)));
    expect(new Set(encodings).size).toBe(trees.length);
  });
  it('rejects what it cannot encode', () => {
    expect(() => serializeExpr(add(cur(0), { op: 'const', value: P }))).toThrow(/^serializeExpr: expr\.b: constant/);
    expect(() => serializeExpr({ op: 'pow', a: cur(0), exp: 1000 })).toThrow(/exponent 1000/);
  });
});

describe('exprToWgsl', () => {
  const names = { cur: (c: number) => `c${c}`, next: (c: number) => `n${c}`, periodic: (i: number) => `p${i}` };
  it('emits the field calls, constants as (lo, hi) words, and powers by chain or fp_pow', () => {
    expect(exprToWgsl(add(mul(cur(0), 3), pow(next(1), 5)), names)).toBe('fp_add(fp_mul(c0, Fp(3u, 0u)), fp_mul(fp_square(fp_square(n1)), n1))');
    expect(exprToWgsl(sub(neg(periodic(2)), P - 1n), names)).toBe('fp_sub(fp_neg(p2), Fp(0u, 4294967295u))');
    expect(exprToWgsl(pow(add(cur(0), 2n ** 32n + 5n), 3), names)).toBe('fp_pow(fp_add(c0, Fp(5u, 1u)), vec2<u32>(3u, 0u))');
    expect(exprToWgsl(pow(mul(cur(0), cur(1)), 4), names)).toBe('fp_square(fp_square(fp_mul(c0, c1)))');
    expect(exprToWgsl(pow(cur(0), 0), names)).toBe('FP_ONE');
    expect(exprToWgsl(pow(cur(0), 1), names)).toBe('c0');
    expect(() => exprToWgsl({ op: 'cur', col: -1 }, names)).toThrow(/^exprToWgsl: expr: cur column -1/);
  });
});

// Fibonacci: columns a, b; next a = b, next b = a + b; a[0] = b[0] = 1.
function fibAir(overrides: Partial<Air> = {}): Air {
  return {
    id: 'fib_air_v1',
    width: 2,
    logN: 4,
    periodic: [],
    transitions: [sub(next(0), cur(1)), sub(next(1), add(cur(0), cur(1)))],
    boundaries: [{ col: 0, row: 0, value: 1n }, { col: 1, row: 0, value: 1n }],
    parameters: new Uint8Array(0),
    ...overrides,
  };
}

function fibTrace(n: number): BigUint64Array[] {
  const a = new BigUint64Array(n);
  const b = new BigUint64Array(n);
  a[0] = 1n;
  b[0] = 1n;
  for (let i = 0; i + 1 < n; i++) {
    a[i + 1] = b[i]!;
    b[i + 1] = madd(a[i]!, b[i]!);
  }
  return [a, b];
}

describe('checkTrace', () => {
  it('accepts a correct Fibonacci trace (the wrap from the last row to row 0 is not constrained)', () => {
    expect(checkTrace(fibAir(), fibTrace(16))).toEqual({ ok: true });
    const [, b] = fibTrace(16);
    expect(checkTrace(fibAir({ boundaries: [...fibAir().boundaries, { col: 1, row: 15, value: b![15]! }] }), fibTrace(16))).toEqual({ ok: true });
  });
  it('reports the first broken transition and its row', () => {
    const t = fibTrace(16);
    t[1]![5] = madd(t[1]![5]!, 1n); // b[5] ≠ a[4] + b[4]
    expect(checkTrace(fibAir(), t)).toEqual({ ok: false, kind: 'transition', index: 1, row: 4 });
    const u = fibTrace(16);
    u[0]![15] = 0n; // a[15] ≠ b[14]; the last row is only ever a "next" row
    expect(checkTrace(fibAir(), u)).toEqual({ ok: false, kind: 'transition', index: 0, row: 14 });
  });
  it('reports a broken boundary before any transition', () => {
    const [a, b] = fibTrace(16);
    const air = fibAir({ boundaries: [...fibAir().boundaries, { col: 1, row: 15, value: madd(b![15]!, 1n) }] });
    expect(checkTrace(air, [a!, b!])).toEqual({ ok: false, kind: 'boundary', index: 2, row: 15 });
    const t = fibTrace(16);
    t[0]![0] = 2n; // breaks boundary 0 and the transition at row 0
    expect(checkTrace(fibAir(), t)).toEqual({ ok: false, kind: 'boundary', index: 0, row: 0 });
  });
  it('reads periodic columns at row mod m', () => {
    // c[i+1] = c[i] + s[i mod 4], s = [1, 2, 3, 4]
    const s = new BigUint64Array([1n, 2n, 3n, 4n]);
    const air = fibAir({ width: 1, periodic: [s], transitions: [sub(next(0), add(cur(0), periodic(0)))], boundaries: [] });
    const c = new BigUint64Array(16);
    for (let i = 0; i + 1 < 16; i++) c[i + 1] = c[i]! + periodicValue(s, i);
    expect(checkTrace(air, [c])).toEqual({ ok: true });
    c[10] = c[10]! + 1n;
    expect(checkTrace(air, [c])).toEqual({ ok: false, kind: 'transition', index: 0, row: 9 });
    expect(periodicValue(s, 7)).toBe(4n);
    expect(() => periodicValue(s, -1)).toThrow(RangeError);
  });
  it('rejects a trace of the wrong shape', () => {
    const t = fibTrace(16);
    expect(() => checkTrace(fibAir(), [t[0]!])).toThrow(/^checkTrace: 1 columns, but the AIR has width 2$/);
    expect(() => checkTrace(fibAir(), fibTrace(8))).toThrow(/^checkTrace: trace\[0\] has 8 rows, expected n = 16$/);
    t[1]![3] = P;
    expect(() => checkTrace(fibAir(), t)).toThrow(/^checkTrace: trace\[1\]: element 3 is not canonical/);
  });
});

describe('checkAir', () => {
  const bad: Array<[string, Partial<Air>, RegExp]> = [
    ['uppercase id', { id: 'Fib' }, /^air\.id: "Fib" is not 1 to 64 characters of \[a-z0-9_\]$/],
    ['empty id', { id: '' }, /^air\.id: /],
    ['long id', { id: 'a'.repeat(65) }, /^air\.id: /],
    ['width 0', { width: 0 }, /^air\.width: 0 is not an integer in \[1, 4096\]$/],
    ['width 4097', { width: 4097 }, /^air\.width: 4097/],
    ['fractional width', { width: 1.5 }, /^air\.width: 1\.5/],
    ['logN 0', { logN: 0 }, /^air\.logN: 0 is not an integer in \[1, 30\]$/],
    ['logN 31', { logN: 31 }, /^air\.logN: 31/],
    ['periodic length 3', { periodic: [new BigUint64Array(3)] }, /^air\.periodic\[0\]: length 3 is not a power of two in \[1, n = 16\]$/],
    ['periodic longer than n', { periodic: [new BigUint64Array(2), new BigUint64Array(32)] }, /^air\.periodic\[1\]: length 32/],
    ['empty periodic', { periodic: [new BigUint64Array(0)] }, /^air\.periodic\[0\]: length 0/],
    ['non-canonical periodic', { periodic: [new BigUint64Array([0n, P])] }, /^air\.periodic\[0\]: element 1 is not canonical/],
    ['no transitions', { transitions: [] }, /^air\.transitions: an AIR needs at least one transition constraint$/],
    ['column out of range', { transitions: [cur(0), sub(next(2), cur(1))] }, /^air\.transitions\[1\]\.a: next column 2 is outside \[0, 2\)$/],
    ['periodic out of range', { transitions: [mul(cur(0), periodic(0))] }, /^air\.transitions\[0\]\.b: periodic column 0 is outside \[0, 0\)$/],
    ['constant transition', { transitions: [cur(0), pow(cur(1), 0)] }, /^air\.transitions\[1\]: degree 0/],
    ['boundary column', { boundaries: [{ col: 2, row: 0, value: 0n }] }, /^air\.boundaries\[0\]: column 2 is outside \[0, 2\)$/],
    ['boundary row', { boundaries: [{ col: 0, row: 16, value: 0n }] }, /^air\.boundaries\[0\]: row 16 is outside \[0, 16\)$/],
    ['boundary value', { boundaries: [{ col: 0, row: 0, value: P }] }, /^air\.boundaries\[0\]: value \d+ is not a canonical field element$/],
    ['duplicate boundary', { boundaries: [{ col: 0, row: 3, value: 1n }, { col: 1, row: 3, value: 1n }, { col: 0, row: 3, value: 1n }] },
      /^air\.boundaries\[2\]: \(column 0, row 3\) is already constrained by air\.boundaries\[0\]$/],
  ];
  for (const [what, overrides, message] of bad)
    it(`rejects ${what}`, () => {
      expect(() => checkAir(fibAir(overrides))).toThrow(message);
    });
  it('rejects parameters that are not bytes', () => {
    expect(() => checkAir(fibAir({ parameters: [1, 2] as unknown as Uint8Array }))).toThrow(/^air\.parameters: expected a Uint8Array$/);
  });
  it('accepts the Fibonacci AIR; degree and composition segments', () => {
    expect(() => checkAir(fibAir())).not.toThrow();
    expect(maxDegree(fibAir())).toBe(1);
    expect(compositionSegments(fibAir())).toBe(1);
    const cubic = fibAir({ transitions: [sub(next(0), pow(cur(0), 3)), sub(next(1), mul(cur(0), cur(1)))] });
    expect(maxDegree(cubic)).toBe(3);
    expect(compositionSegments(cubic)).toBe(2);
  });
});

describe('airDigest', () => {
  const base = fibAir({ periodic: [new BigUint64Array([1n, 2n])], boundaries: [{ col: 0, row: 0, value: 1n }, { col: 1, row: 0, value: 1n }], parameters: new Uint8Array([9]) });
  it('is deterministic, 32 bytes, and stable (checked-in value)', () => {
    expect(airDigest(base)).toEqual(airDigest(fibAir({ ...base, periodic: [new BigUint64Array([1n, 2n])], parameters: new Uint8Array([9]) })));
    expect(airDigest(base).length).toBe(32);
    expect(hex(airDigest(fibAir()))).toBe(FIB_DIGEST);
  });
  it('changes when any field changes', () => {
    const variants: Array<[string, Air]> = [
      ['base', base],
      ['id', { ...base, id: 'fib_air_v2' }],
      ['width', { ...base, width: 3 }],
      ['logN', { ...base, logN: 5 }],
      ['periodic value', { ...base, periodic: [new BigUint64Array([1n, 3n])] }],
      ['periodic length', { ...base, periodic: [new BigUint64Array([1n, 2n, 1n, 2n])] }],
      ['periodic count', { ...base, periodic: [new BigUint64Array([1n, 2n]), new BigUint64Array([1n])] }],
      ['transition', { ...base, transitions: [sub(next(0), cur(1)), sub(next(1), add(cur(1), cur(0)))] }],
      ['transition order', { ...base, transitions: [...base.transitions].reverse() }],
      ['extra transition', { ...base, transitions: [...base.transitions, cur(0)] }],
      ['boundary row', { ...base, boundaries: [{ col: 0, row: 1, value: 1n }, base.boundaries[1]!] }],
      ['boundary col', { ...base, boundaries: [base.boundaries[0]!, { col: 1, row: 1, value: 1n }] }],
      ['boundary col and row swapped', { ...base, boundaries: [base.boundaries[0]!, { col: 0, row: 1, value: 1n }] }],
      ['boundary value', { ...base, boundaries: [base.boundaries[0]!, { col: 1, row: 0, value: 2n }] }],
      ['no boundaries', { ...base, boundaries: [] }],
      ['parameters', { ...base, parameters: new Uint8Array([8]) }],
      ['empty parameters', { ...base, parameters: new Uint8Array(0) }],
    ];
    const seen = new Map<string, string>();
    const collisions = variants.flatMap(([what, air]) => {
      const d = hex(airDigest(air));
      const other = seen.get(d);
      seen.set(d, what);
      return other ? [`${what} = ${other}`] : [];
    });
    expect(collisions).toEqual([]);
  });
  it('validates the AIR first', () => {
    expect(() => airDigest(fibAir({ width: 0 }))).toThrow(/^air\.width/);
  });
});

/** airDigest of fibAir(): changes only with a deliberate change of the serialization (bump its domain tag then). */
const FIB_DIGEST = '8194662aa7f261b3caec9d195bb2ae0959176a7ad5f6cfda2144473dd3bff069';
