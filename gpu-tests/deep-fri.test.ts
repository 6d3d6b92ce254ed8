// The DEEP composition and the FRI fold on a real adapter against the verifier's pointwise DEEP
// formula (src/stark/deep.ts) and the CPU fold (src/stark/fri.ts), byte for byte: random canonical
// inputs, trace widths 3 and 5, one to three composition segments, LDE sizes 2^9 … 2^11, folds by 2
// and 4 on shifts 7 and 7^4, the Merkle rows of a layer, matrices split across bindings, and one
// input changed to show each check can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import type { Column } from '../src/field/columns.js';
import * as Fp from '../src/field/goldilocks.js';
import * as Fp2 from '../src/field/ext2.js';
import type { GpuContext } from '../src/gpu/context.js';
import { deepGpu, type DeepGpuParams } from '../src/prover/gpu/deep.js';
import { GpuLimitError } from '../src/gpu/errors.js';
import { friFoldGpu, layerRowsGpu } from '../src/prover/gpu/fri.js';
import { allocMatrix, downloadColumns, releaseMatrix, uploadColumns, type GpuMatrix } from '../src/gpu/matrix.js';
import { deepAt } from '../src/stark/deep.js';
import { COSET_SHIFT } from '../src/stark/domain.js';
import { domainPoints } from '../src/ntt/points.js';
import type { ExtColumn } from '../src/field/ext-columns.js';
import { foldLayer, layerRows } from '../src/prover/cpu/fri.js';
import { Kernels } from '../src/wasm/kernels.js';
import { rng } from '../test/reference/model.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.load();
});

const bytes = (c: Column): Buffer => Buffer.from(c.buffer, c.byteOffset, c.byteLength);
const same = (a: readonly Column[], b: readonly Column[]): boolean => a.length === b.length && a.every((c, i) => bytes(c).equals(bytes(b[i]!)));

function randomExt(r: ReturnType<typeof rng>): Fp2.Fp2 {
  return [r.element(), r.element()];
}

/** A random z with c1 ≠ 0, as the prover draws it. */
function randomZ(r: ReturnType<typeof rng>): Fp2.Fp2 {
  const z = randomExt(r);
  return z[1] === 0n ? [z[0], 1n] : z;
}

interface DeepCase {
  trace: Column[];
  comp: Column[];
  p: DeepGpuParams;
}

function deepCase(seed: bigint, w: number, S: number, logN: number, logBlowup: number): DeepCase {
  const r = rng(seed), N = 2 ** (logN + logBlowup);
  const z = randomZ(r);
  return {
    trace: Array.from({ length: w }, () => r.column(N)),
    comp: Array.from({ length: 2 * S }, () => r.column(N)),
    p: {
      logN, logBlowup, z, zw: Fp2.mulBase(z, Fp.rootOfUnity(logN)),
      oodTrace: Array.from({ length: w }, () => randomExt(r)),
      oodTraceNext: Array.from({ length: w }, () => randomExt(r)),
      oodComposition: Array.from({ length: S }, () => randomExt(r)),
      gammas: Array.from({ length: 2 * w + S }, () => randomExt(r)),
    },
  };
}

/** The reference: the verifier's pointwise DEEP formula (src/stark/deep.ts deepAt) at every LDE point. */
function deepCpu(c: DeepCase): Column[] {
  const N = c.trace[0]!.length, out = [new BigUint64Array(N), new BigUint64Array(N)];
  const xs = domainPoints(k, COSET_SHIFT, c.p.logN + c.p.logBlowup);
  for (let p = 0; p < N; p++) {
    const x = Fp2.fromBase(xs[p]!);
    const [dz, dzw] = [Fp2.sub(x, c.p.z), Fp2.sub(x, c.p.zw)];
    if (Fp2.eq(dz, Fp2.ZERO) || Fp2.eq(dzw, Fp2.ZERO)) throw new Error('DEEP: x − ζ vanished on the LDE domain (ζ ∈ F_p)');
    const row = (cols: Column[]) => BigUint64Array.from(cols, (col) => col[p]!);
    const v = deepAt(row(c.trace), row(c.comp), Fp2.inv(dz), Fp2.inv(dzw), c.p);
    out[0]![p] = v[0];
    out[1]![p] = v[1];
  }
  return out;
}

/** Uploads `columns` as a matrix of segments of `per` columns (the context's default when omitted). */
function upload(ctx: GpuContext, columns: readonly Column[], per?: number): GpuMatrix {
  const height = columns[0]!.length;
  if (per === undefined) return uploadColumns(ctx, columns, height);
  const m = allocMatrix(ctx, height, columns.length, 'test', per);
  for (const s of m.segments!)
    for (let j = 0; j < s.columns; j++) {
      const col = columns[s.firstColumn + j]!;
      ctx.device.queue.writeBuffer(s.buffer, j * col.byteLength, col.buffer, col.byteOffset, col.byteLength);
    }
  return m;
}

async function deepOnGpu(ctx: GpuContext, c: DeepCase, per: { trace?: number; comp?: number } = {}): Promise<Column[]> {
  const trace = upload(ctx, c.trace, per.trace), comp = upload(ctx, c.comp, per.comp);
  try {
    const { value } = await deepGpu(ctx, trace, comp, c.p);
    try {
      return await downloadColumns(ctx, value);
    } finally {
      releaseMatrix(value);
    }
  } finally {
    releaseMatrix(trace);
    releaseMatrix(comp);
  }
}

/** friCommit's inner loop: log2 f binary folds with α, α², …, the shift squared each time. */
function foldCpu(v: ExtColumn, shift: bigint, logSize: number, alpha: Fp2.Fp2, f: 2 | 4): Column[] {
  let s = shift, a = alpha, size = logSize;
  for (let r = 0; r < Math.log2(f); r++) {
    v = foldLayer(k, v, s, size, a);
    s = Fp.square(s);
    size -= 1;
    a = Fp2.square(a);
  }
  return [v.c0, v.c1];
}

async function foldOnGpu(ctx: GpuContext, layer: readonly Column[], shift: bigint, logSize: number, alpha: Fp2.Fp2, f: 2 | 4, per?: number): Promise<Column[]> {
  const m = upload(ctx, layer, per);
  try {
    const { value } = await friFoldGpu(ctx, m, shift, logSize, alpha, f);
    try {
      return await downloadColumns(ctx, value);
    } finally {
      releaseMatrix(value);
    }
  } finally {
    releaseMatrix(m);
  }
}

async function rowsOnGpu(ctx: GpuContext, layer: readonly Column[], f: number, per?: number): Promise<Column[]> {
  const m = upload(ctx, layer, per);
  try {
    const rows = await layerRowsGpu(ctx, m, f);
    try {
      return await downloadColumns(ctx, rows);
    } finally {
      releaseMatrix(rows);
    }
  } finally {
    releaseMatrix(m);
  }
}

const SHIFTS = [COSET_SHIFT, Fp.pow(COSET_SHIFT, 4n)] as const;

describe('DEEP composition and FRI fold on a GPU', () => {
  let gpu: GpuBackend | string;
  beforeAll(async () => {
    gpu = await nodeGpuBackend();
  });
  afterAll(async () => {
    if (typeof gpu !== 'string') await gpu.destroy();
  });

  it('deepGpu equals the verifier\'s pointwise formula byte for byte, and a changed gamma changes it', async (t) => {
    const { ctx } = requireGpu(gpu, t);
    for (const [seed, w, S, logN, logBlowup] of [[1n, 3, 1, 7, 2], [2n, 5, 2, 9, 2], [3n, 3, 2, 8, 3]] as const) {
      const c = deepCase(seed, w, S, logN, logBlowup);
      const cpu = deepCpu(c);
      const got = await deepOnGpu(ctx, c);
      expect(same(got, cpu), `w = ${w}, S = ${S}, N = 2^${logN + logBlowup}`).toBe(true);
      if (seed === 2n) {
        // The last gamma weighs a composition segment, the first a trace column at z.
        for (const i of [0, c.p.gammas.length - 1]) {
          const gammas = c.p.gammas.map((g, j) => (j === i ? Fp2.add(g, Fp2.ONE) : g));
          const changed = await deepOnGpu(ctx, { ...c, p: { ...c.p, gammas } });
          expect(same(changed, cpu)).toBe(false);
          expect(same(changed, deepCpu({ ...c, p: { ...c.p, gammas } }))).toBe(true);
        }
      }
    }
  });

  it('friFoldGpu equals the CPU folds by 2 and 4 for several sizes and shifts, and a changed alpha changes it', async (t) => {
    const { ctx } = requireGpu(gpu, t);
    const r = rng(11n);
    for (const f of [2, 4] as const)
      for (const logSize of [Math.log2(f), 9, 11])
        for (const shift of SHIFTS) {
          const layer = [r.column(2 ** logSize), r.column(2 ** logSize)];
          const alpha = randomExt(r);
          const cpu = foldCpu({ c0: layer[0]!, c1: layer[1]! }, shift, logSize, alpha, f);
          const got = await foldOnGpu(ctx, layer, shift, logSize, alpha, f);
          expect(got[0]!.length).toBe(2 ** logSize / f);
          expect(same(got, cpu), `f = ${f}, size 2^${logSize}, shift ${shift}`).toBe(true);
          if (logSize === 9) {
            const changed = await foldOnGpu(ctx, layer, shift, logSize, Fp2.add(alpha, [0n, 1n]), f);
            expect(same(changed, cpu)).toBe(false);
          }
        }
  });

  it('layerRowsGpu equals layerRows, and a changed value changes one row', async (t) => {
    const { ctx } = requireGpu(gpu, t);
    const r = rng(12n);
    for (const f of [2, 4] as const)
      for (const logSize of [Math.log2(f), 10]) {
        const layer = [r.column(2 ** logSize), r.column(2 ** logSize)];
        const cpu = layerRows({ c0: layer[0]!, c1: layer[1]! }, f);
        const got = await rowsOnGpu(ctx, layer, f);
        expect(got.length).toBe(2 * f);
        expect(same(got, cpu), `f = ${f}, size 2^${logSize}`).toBe(true);
        // c1 of value i lands in row i / f, column 2·(i mod f) + 1 and nowhere else.
        const i = Math.min(f + 1, 2 ** logSize - 1);
        const c1 = layer[1]!.slice();
        c1[i] = (c1[i]! + 1n) % Fp.P;
        const changed = await rowsOnGpu(ctx, [layer[0]!, c1], f);
        expect(same(changed, cpu)).toBe(false);
        expect(changed.map((c, j) => c.findIndex((v, m) => v !== cpu[j]![m]))).toEqual(cpu.map((_, j) => (j === 2 * (i % f) + 1 ? Math.floor(i / f) : -1)));
      }
  });

  it('chains DEEP and two folds by 4 on the device, as the prover would', async (t) => {
    const { ctx } = requireGpu(gpu, t);
    const c = deepCase(21n, 3, 1, 9, 2);
    const r = rng(22n);
    const alphas = [randomExt(r), randomExt(r)];
    let cpu = deepCpu(c);
    const trace = upload(ctx, c.trace), comp = upload(ctx, c.comp);
    let layer = (await deepGpu(ctx, trace, comp, c.p)).value;
    releaseMatrix(trace);
    releaseMatrix(comp);
    let shift = COSET_SHIFT, logSize = 11;
    for (const alpha of alphas) {
      cpu = foldCpu({ c0: cpu[0]!, c1: cpu[1]! }, shift, logSize, alpha, 4);
      const next = (await friFoldGpu(ctx, layer, shift, logSize, alpha, 4)).value;
      releaseMatrix(layer);
      layer = next;
      shift = Fp.pow(shift, 4n);
      logSize -= 2;
    }
    expect(same(await downloadColumns(ctx, layer), cpu)).toBe(true);
    releaseMatrix(layer);
  });

  it('rejects z on the LDE domain', async (t) => {
    const { ctx } = requireGpu(gpu, t);
    const c = deepCase(31n, 3, 1, 7, 2);
    const z: Fp2.Fp2 = [Fp.mul(COSET_SHIFT, Fp.rootOfUnity(9)), 0n];
    const bad = { ...c, p: { ...c.p, z, zw: Fp2.mulBase(z, Fp.rootOfUnity(7)) } };
    expect(() => deepCpu(bad)).toThrow(/vanished/);
    await expect(deepOnGpu(ctx, bad)).rejects.toThrow(/vanished/);
  });
});

describe('DEEP and FRI with matrices split across bindings', () => {
  // 16 KiB bindings: 4 columns of 2^9 elements, 1 column of 2^11.
  let gpu: GpuBackend | string;
  beforeAll(async () => {
    gpu = await nodeGpuBackend({ maxBindingBytes: 16384 });
  });
  afterAll(async () => {
    if (typeof gpu !== 'string') await gpu.destroy();
  });

  it('accumulates over segments, splits composition pairs, and rejects outputs over one binding', async (t) => {
    const { ctx } = requireGpu(gpu, t);
    // Trace 5 columns in segments of 2 (3 passes), composition 3 segments in segments of 3 columns
    // (segment 1's c0 and c1 in different buffers, and no composition segment in the last pass).
    const c = deepCase(41n, 5, 3, 7, 2);
    expect(same(await deepOnGpu(ctx, c, { trace: 2, comp: 3 }), deepCpu(c))).toBe(true);
    const tooTall = deepCase(42n, 3, 1, 9, 2); // 2^11 rows: 2 output columns take 32 KiB
    await expect(deepOnGpu(ctx, tooTall)).rejects.toBeInstanceOf(GpuLimitError);

    const r = rng(43n);
    const layer = [r.column(2 ** 11), r.column(2 ** 11)];
    const alpha = randomExt(r);
    for (const f of [2, 4] as const) {
      // The layer's c0 and c1 in separate buffers; the folded layer fits one.
      expect(same(await foldOnGpu(ctx, layer, SHIFTS[1], 11, alpha, f, 1), foldCpu({ c0: layer[0]!, c1: layer[1]! }, SHIFTS[1], 11, alpha, f))).toBe(true);
      // 2f columns of 2^11 / f rows, 16 / f KiB each: two segments of f columns.
      expect(same(await rowsOnGpu(ctx, layer, f, 1), layerRows({ c0: layer[0]!, c1: layer[1]! }, f))).toBe(true);
    }
  });
});
