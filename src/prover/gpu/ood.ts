/**
 * Coefficient columns evaluated at F_p2 points on the GPU (shaders/poly_eval.wgsl): the STARK's
 * out-of-domain answers without bringing the coefficients to the host. The device reduces each
 * column to T strided partials; the host finishes Σ_t z^t·partial_t on the WebAssembly kernels.
 * Equal to evaluateBaseAt (src/field/ext-columns.ts) for every column and point.
 *
 * @module
 */
import * as Fp2 from '../../field/ext2.js';
import { evaluateBaseAt, extPowers, joinCoordinates } from '../../field/ext-columns.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { GpuContext } from '../../gpu/context.js';
import { type Dispatch, grid, runDispatches, WORKGROUP_SIZE } from '../../gpu/dispatch.js';
import { segmentsOf, type GpuMatrix, type Segment } from '../../gpu/matrix.js';
import { uniformStruct } from '../../gpu/uniforms.js';

/** Partials per column, at most: enough invocations to fill a large GPU, few enough to finish on the host. */
const MAX_STRIDE = 1 << 12;
const FP2_BYTES = 16;

const EvalParams = uniformStruct('EvalParams', {
  n: 'u32',
  /** T, partials per column. */
  stride: 'u32',
  /** Columns of this segment. */
  cols: 'u32',
  groups_x: 'u32',
  /** z^T. */
  w: 'Fp2',
});

/** values[p][c] = column c of `m` (coefficients, lowest first) evaluated at points[p]. */
export async function evaluateColumnsGpu(ctx: GpuContext, k: Kernels, m: GpuMatrix, points: readonly Fp2.Fp2[]): Promise<Fp2.Fp2[][]> {
  const n = m.height;
  if (!Number.isSafeInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`evaluateColumnsGpu: the height must be a power of two, got ${n}`);
  for (const z of points) if (!Fp2.isCanonical(z)) throw new RangeError('evaluateColumnsGpu: every point must be a canonical F_p2 element');
  const segments = segmentsOf(m);
  // T ≤ n/2 keeps a segment's partials (16 bytes per F_p2) within its own size, hence one binding.
  const stride = Math.min(Math.max(1, n / 2), MAX_STRIDE);
  const pipeline = await ctx.pipeline(['goldilocks', 'ext2', 'poly_eval'], { WORKGROUP_SIZE }, 'poly_eval', EvalParams.wgsl);
  const jobs: { point: number; segment: Segment; out: GPUBuffer }[] = [];
  try {
    for (let point = 0; point < points.length; point++)
      for (const segment of segments) jobs.push({ point, segment, out: ctx.storage(segment.columns * stride * FP2_BYTES, 'polynomial partials') });
    const dispatches: Dispatch[] = jobs.map(({ point, segment, out }) => {
      const groups = grid(ctx, segment.columns * stride, WORKGROUP_SIZE);
      const w = Fp2.pow(points[point]!, BigInt(stride));
      const params = EvalParams.pack({ n, stride, cols: segment.columns, groups_x: groups[0], w });
      return { pipeline, resources: [segment.buffer, out, 'params'], params, groups };
    });
    await runDispatches(ctx, 'polynomial evaluation', dispatches);
    const values = points.map(() => new Array<Fp2.Fp2>(m.width));
    const powers = points.map((z) => extPowers(k, z, stride));
    for (const { point, segment, out } of jobs) {
      const partials = new BigUint64Array(await ctx.read(out, 0, segment.columns * stride * FP2_BYTES));
      // Each column's partials as their c0 and c1 coordinate columns, in (c0, c1) pairs.
      const coordinates = Array.from({ length: 2 * segment.columns }, (_, i) => {
        const col = new BigUint64Array(stride), o = (i >> 1) * 2 * stride + (i & 1);
        for (let t = 0; t < stride; t++) col[t] = partials[o + 2 * t]!;
        return col;
      });
      joinCoordinates(evaluateBaseAt(k, coordinates, powers[point]!)).forEach((v, j) => (values[point]![segment.firstColumn + j] = v));
    }
    return values;
  } finally {
    jobs.forEach((j) => j.out.destroy());
  }
}
