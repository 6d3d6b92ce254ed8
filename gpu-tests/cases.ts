// Kernel-vs-CPU cases shared by the Node (dawn.node) and Chromium runners: every GPU kernel against
// the CPU reference (the BigInt model for field arithmetic, the WebAssembly CpuBackend for
// transforms and hashing, itself tested against noble and naive DFTs in test/), byte for byte.
import type { Backend, Matrix } from '../src/backend/backend.js';
import type { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { assertSameBytes, assertSameColumns } from '../src/backend/gpu/self-check.js';
import type { FieldOp } from '../src/gpu/field-ops.js';
import { evaluateOnCoset, interpolateCoset, type LdeOptions } from '../src/ntt/lde.js';
import type { GpuMatrix } from '../src/gpu/matrix.js';
import { evaluateColumnsGpu } from '../src/prover/gpu/ood.js';
import { isZeroFromGpu } from '../src/gpu/zero-check.js';
import { merkleCommitGpu } from '../src/gpu/blake3.js';
import { buildMerkleTree } from '../src/merkle/tree.js';
import { openBatch } from '../src/merkle/proof.js';
import { evaluateBaseAt, extPowers } from '../src/field/ext-columns.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, P, madd, md, minv, mmul, mpow, msub, m2mul, rng } from '../test/reference/model.js';

export interface CaseEnv {
  gpu: GpuBackend;
  cpu: CpuBackend;
  /** A second GPU backend whose bindings hold at most `maxBindingBytes`, so matrices split. */
  split: GpuBackend;
}

export interface GpuCase {
  name: string;
  run(env: CaseEnv): Promise<void>;
}

/**
 * The byte cap of CaseEnv.split (21 × 256): a column of 2^9 fills a binding alone, 21 columns of 2^5
 * share one, so an LDE's 2-column output segments straddle its input's segment boundary.
 */
export const SPLIT_BINDING_BYTES = 5376;

const gen = rng(0xc0ffeen);
/** Edge values first, then random elements (half biased toward p). */
function column(n: number, withEdges = true): BigUint64Array {
  const c = new BigUint64Array(n);
  for (let i = 0; i < n; i++) c[i] = withEdges && i < EDGE.length ? EDGE[i]! : gen.element();
  return c;
}
const matrix = (logN: number, width: number) => Array.from({ length: width }, (_, j) => column(2 ** logN, j === 0));

// --- field arithmetic against the BigInt model -----------------------------------------------------

/** Every pair of edge values, then random pairs. */
function operands(): [BigUint64Array, BigUint64Array] {
  const a: bigint[] = [], b: bigint[] = [];
  for (const x of EDGE) for (const y of EDGE) a.push(x), b.push(y);
  // An even total, so the words also pair up into F_p2 elements.
  for (let i = a.length % 2 ? 2049 : 2048; i > 0; i--) a.push(gen.element()), b.push(gen.element());
  return [BigUint64Array.from(a), BigUint64Array.from(b)];
}

const inv0 = (x: bigint) => (x === 0n ? 0n : minv(x));
const pair = (w: BigUint64Array, i: number): [bigint, bigint] => [w[2 * i]!, w[2 * i + 1]!];
function m2inv(a: [bigint, bigint]): [bigint, bigint] {
  const n = inv0(md(a[0] * a[0] - 7n * a[1] * a[1]));
  return [mmul(a[0], n), md(-a[1] * n)];
}

const BASE: Record<string, (x: bigint, y: bigint) => bigint> = {
  add: madd, sub: msub, mul: mmul, square: (x) => mmul(x, x), neg: (x) => md(-x), inv: inv0, pow: mpow,
};
const EXT: Record<string, (x: [bigint, bigint], y: [bigint, bigint]) => [bigint, bigint]> = {
  fp2_add: (x, y) => [madd(x[0], y[0]), madd(x[1], y[1])],
  fp2_sub: (x, y) => [msub(x[0], y[0]), msub(x[1], y[1])],
  fp2_mul: m2mul,
  fp2_square: (x) => m2mul(x, x),
  fp2_inv: m2inv,
};

function fieldCase(op: FieldOp): GpuCase {
  return {
    name: `field ${op}: edge pairs and random values vs the BigInt model`,
    async run({ gpu }) {
      const [a, b0] = operands();
      // pow takes a full 64-bit exponent: use raw 64-bit words, including p-2 and 2^64-1.
      const b = op === 'pow' ? BigUint64Array.from(b0, (x, i) => (i % 3 === 0 ? P - 2n : i % 3 === 1 ? 2n ** 64n - 1n - x : x)) : b0;
      const got = await gpu.fieldMap(op, a, b);
      const want = new BigUint64Array(a.length);
      if (op in BASE) a.forEach((x, i) => (want[i] = BASE[op]!(x, b[i]!)));
      else for (let i = 0; i < a.length / 2; i++) want.set(EXT[op]!(pair(a, i), pair(b, i)), 2 * i);
      assertSameBytes(got, want, op);
    },
  };
}

// --- transforms and hashing against the CPU backend ------------------------------------------------

async function both<T>(env: CaseEnv, gpuSide: Backend, columns: BigUint64Array[], op: (b: Backend, m: Matrix) => Promise<T>) {
  const results: T[] = [];
  for (const b of [env.cpu, gpuSide]) {
    const m = await b.upload(columns);
    try {
      results.push(await op(b, m));
    } finally {
      b.release(m);
    }
  }
  return results as [T, T];
}

async function transformed(b: Backend, m: Matrix, run: (m: Matrix) => Promise<Matrix>) {
  const out = await run(m);
  try {
    return await b.download(out);
  } finally {
    b.release(out);
  }
}

function nttCase(logN: number, width: number, useSplit = false): GpuCase {
  return {
    name: `ntt + intt 2^${logN} × ${width}${useSplit ? ' (split across bindings)' : ''}`,
    async run(env) {
      const cols = matrix(logN, width);
      for (const dir of ['ntt', 'intt'] as const) {
        const [want, got] = await both(env, useSplit ? env.split : env.gpu, cols, (b, m) => transformed(b, m, (x) => b[dir](x)));
        assertSameColumns(got, want, dir);
      }
    },
  };
}

function ldeCase(logN: number, width: number, opts: LdeOptions, useSplit = false): GpuCase {
  return {
    name: `lde 2^${logN} × ${width}${opts.from ? ` from ${opts.from}` : ''}, blowup ${opts.blowup}, ${opts.order}${opts.shift ? `, shift ${opts.shift}` : ''}${useSplit ? ' (split)' : ''}`,
    async run(env) {
      const [want, got] = await both(env, useSplit ? env.split : env.gpu, matrix(logN, width), (b, m) => transformed(b, m, (x) => b.lde(x, opts)));
      assertSameColumns(got, want, 'lde');
    },
  };
}

/** The coset interpolation from bit-reversed evaluations, and evaluation of coefficients, against src/ntt/lde.ts. */
function cosetCase(logN: number, width: number, blowup: number, useSplit = false): GpuCase {
  return {
    name: `interpolate (bit-reversed) and evaluate on a coset 2^${logN} × ${width}, blowup ${blowup}${useSplit ? ' (split)' : ''}`,
    async run(env) {
      const g = useSplit ? env.split : env.gpu;
      const k = await Kernels.load();
      const cols = matrix(logN, width);
      const m = (await g.upload(cols)) as GpuMatrix;
      const coeffs = await g.transforms.interpolateBitReversed(m, 7n);
      const evals = await g.transforms.evaluateOnCoset(m, { blowup, order: 'bit-reversed' });
      try {
        const natural = cols.map((c) => k.scoped(() => {
          const p = k.put(c);
          k.raw.bit_reverse(p, logN);
          return k.get(p, c.length);
        }));
        assertSameColumns(await g.download(coeffs.value), interpolateCoset(k, natural, 7n), 'interpolate');
        assertSameColumns(await g.download(evals.value), evaluateOnCoset(k, cols, { blowup, order: 'bit-reversed' }), 'evaluate');
      } finally {
        [m, coeffs.value, evals.value].forEach((x) => g.release(x));
      }
    },
  };
}

function leavesCase(logN: number, width: number, useSplit = false): GpuCase {
  return {
    name: `row leaves 2^${logN} rows × ${width} columns${useSplit ? ' (split across bindings)' : ''}`,
    async run(env) {
      const [want, got] = await both(env, useSplit ? env.split : env.gpu, matrix(logN, width), (b, m) => b.hashRows(m));
      assertSameBytes(got, want, 'leaves');
    },
  };
}

function merkleCase(logLeaves: number): GpuCase {
  return {
    name: `merkle tree over 2^${logLeaves} leaves, every node`,
    async run({ cpu, gpu }) {
      const leaves = new Uint8Array(32 * 2 ** logLeaves);
      for (let i = 0; i < leaves.length; i += 8) new DataView(leaves.buffer).setBigUint64(i, gen.next64(), true);
      const [want, got] = [await cpu.merkleTree(leaves), await gpu.merkleTree(leaves)];
      if (got.depth !== want.depth) throw new Error(`depth ${got.depth}, expected ${want.depth}`);
      for (let level = 0; level <= want.depth; level++)
        for (let i = 0; i < 2 ** (want.depth - level); i++) assertSameBytes(got.node(level, i), want.node(level, i), `node (${level}, ${i})`);
    },
  };
}

/** The commitment the GPU prover keeps on the device: root, every layer and batch openings against the CPU tree (noble hashing). */
function residentMerkleCase(logLeaves: number): GpuCase {
  return {
    name: `resident merkle commitment over 2^${logLeaves} leaves: root, every layer, batch openings`,
    async run({ gpu }) {
      const n = 2 ** logLeaves;
      const leaves = new Uint8Array(32 * n);
      for (let i = 0; i < leaves.length; i += 8) new DataView(leaves.buffer).setBigUint64(i, gen.next64(), true);
      const want = buildMerkleTree(leaves);
      const { tree } = await merkleCommitGpu(gpu.ctx, gpu.ctx.upload(leaves, 'leaves'), n);
      try {
        assertSameBytes(tree.root, want.root, 'root');
        for (let level = 0; level <= logLeaves; level++) assertSameBytes(await tree.layer(level), want.layer(level), `layer ${level}`);
        const indices = [...new Set([0, n - 1, n >> 1, (n * 3) >> 2, 1 % n])];
        const [got, expected] = [await tree.open(indices), openBatch(want, indices)];
        if (got.siblings.length !== expected.siblings.length) throw new Error(`${got.siblings.length} siblings, expected ${expected.siblings.length}`);
        got.siblings.forEach((sib, i) => assertSameBytes(sib, expected.siblings[i]!, `sibling ${i}`));
      } finally {
        tree.destroy();
      }
    },
  };
}

/**
 * The composition degree check: rows [from, height) all zero, against the same matrix with one
 * element made non-zero at each edge of the range (first and last row, first and last column).
 */
function zeroCheckCase(logN: number, width: number, from: number, useSplit = false): GpuCase {
  return {
    name: `zero check of rows [${from}, 2^${logN}) × ${width}${useSplit ? ' (split across bindings)' : ''}`,
    async run(env) {
      const g = useSplit ? env.split : env.gpu;
      const n = 2 ** logN;
      const zeroTail = () => matrix(logN, width).map((c) => (c.fill(0n, from), c));
      const spots: [number, number][] = from < n ? [[0, from], [width - 1, n - 1], [width - 1, from], [0, n - 1]] : [];
      const variants: [string, BigUint64Array[], boolean][] = [['zero tail', zeroTail(), true]];
      for (const [col, row] of spots) {
        const cols = zeroTail();
        cols[col]![row] = row % 2 ? 1n : P - 1n;
        variants.push([`non-zero at column ${col}, row ${row}`, cols, false]);
      }
      for (const [what, cols, want] of variants) {
        const m = (await g.upload(cols)) as GpuMatrix;
        try {
          if ((await isZeroFromGpu(g.ctx, m, from)) !== want) throw new Error(`${what}: expected ${want}`);
        } finally {
          g.release(m);
        }
      }
    },
  };
}

/** Σ c_i·z^i over F_p2 by Horner in the BigInt model. */
function hornerExt(c: BigUint64Array, z: [bigint, bigint]): [bigint, bigint] {
  let acc: [bigint, bigint] = [0n, 0n];
  for (let i = c.length - 1; i >= 0; i--) acc = m2mul(acc, z), (acc[0] = madd(acc[0], c[i]!));
  return acc;
}

/**
 * Coefficient columns at F_p2 points (the OOD answers): edge points (0, 1, −1, a base-field point,
 * u) and random ones, against the BigInt model up to 2^13 rows and the kernels' evaluateBaseAt above.
 */
function polyEvalCase(logN: number, width: number, useSplit = false): GpuCase {
  return {
    name: `polynomial evaluation 2^${logN} × ${width} at F_p2 points${useSplit ? ' (split across bindings)' : ''}`,
    async run(env) {
      const g = useSplit ? env.split : env.gpu;
      const k = await Kernels.load();
      const cols = matrix(logN, width);
      const points: [bigint, bigint][] = [[0n, 0n], [1n, 0n], [P - 1n, 0n], [gen.element(), 0n], [0n, 1n], [gen.element(), gen.element()], [P - 1n, P - 1n]];
      const m = (await g.upload(cols)) as GpuMatrix;
      try {
        const got = await evaluateColumnsGpu(g.ctx, k, m, points);
        points.forEach((z, p) => {
          const wants = logN > 13 ? evaluateBaseAt(k, cols, extPowers(k, z, 2 ** logN)) : cols.map((c) => hornerExt(c, z));
          cols.forEach((_, j) => {
            const want = wants[j]!;
            if (got[p]![j]![0] !== want[0] || got[p]![j]![1] !== want[1])
              throw new Error(`column ${j} at point ${p} (${z.join(', ')}): got ${got[p]![j]!.join(', ')}, expected ${want.join(', ')}`);
          });
        });
      } finally {
        g.release(m);
      }
    },
  };
}

const FIELD_OP_NAMES: FieldOp[] = ['add', 'sub', 'mul', 'square', 'neg', 'inv', 'pow', 'fp2_add', 'fp2_sub', 'fp2_mul', 'fp2_square', 'fp2_inv'];

export const CASES: readonly GpuCase[] = [
  ...FIELD_OP_NAMES.map(fieldCase),
  ...[0, 1, 2, 3, 4, 5, 7, 9, 11].map((logN) => nttCase(logN, logN % 2 ? 3 : 1)),
  nttCase(12, 5),
  nttCase(13, 3),
  nttCase(16, 1),
  nttCase(20, 1),
  nttCase(9, 5, true),
  ...[2, 4, 8, 16].flatMap((blowup) => [
    ldeCase(5, 3, { blowup, order: 'natural' }),
    ldeCase(5, 3, { blowup, order: 'bit-reversed' }),
  ]),
  ldeCase(10, 1, { blowup: 8, order: 'bit-reversed', shift: 3n }),
  ldeCase(13, 2, { blowup: 4, order: 'natural' }),
  ldeCase(13, 2, { blowup: 8, order: 'bit-reversed' }),
  ldeCase(5, 25, { blowup: 8, order: 'natural' }, true),
  ldeCase(5, 25, { blowup: 4, order: 'bit-reversed' }, true),
  ...(['natural', 'bit-reversed'] as const).flatMap((order) => [
    ldeCase(6, 3, { blowup: 8, order, from: 'coefficients' }),
    ldeCase(5, 25, { blowup: 4, order, shift: 3n, from: 'coefficients' }, true),
  ]),
  cosetCase(5, 3, 8),
  cosetCase(13, 2, 4),
  cosetCase(5, 25, 8, true),
  ...[1, 2, 3, 5, 8, 13, 16, 17, 31, 128, 129, 257].map((w) => leavesCase(w > 100 ? 4 : 6, w)),
  leavesCase(0, 3),
  leavesCase(17, 2),
  leavesCase(7, 5, true),
  ...[0, 1, 2, 10, 16].map(merkleCase),
  ...[0, 3, 12].map(residentMerkleCase),
  ...[0, 1, 5, 12].map((logN) => polyEvalCase(logN, 2)),
  polyEvalCase(13, 3),
  polyEvalCase(18, 1),
  polyEvalCase(5, 25, true),
  zeroCheckCase(0, 1, 0),
  zeroCheckCase(4, 2, 16),
  zeroCheckCase(6, 2, 16),
  zeroCheckCase(13, 6, 3 << 11),
  zeroCheckCase(5, 25, 7, true),
];
