/**
 * Whether a row range of a resident matrix is all zero (shaders/zero_check.wgsl), reading back one
 * flag: the GPU prover's check that the composition's coefficients vanish from S·n on, which is
 * what splitSegments (src/prover/cpu/split.ts) checks in wasm memory on the CPU.
 *
 * @module
 */
import type { GpuContext } from './context.js';
import { type Dispatch, grid, runDispatches, WORKGROUP_SIZE } from './dispatch.js';
import { segmentsOf, type GpuMatrix } from './matrix.js';
import { uniformStruct } from './uniforms.js';

const ZeroParams = uniformStruct('ZeroParams', {
  /** Rows per column in the segment. */
  height: 'u32',
  first: 'u32',
  count: 'u32',
  cols: 'u32',
  groups_x: 'u32',
});

/** True when rows [from, m.height) of every column of `m` are zero. */
export async function isZeroFromGpu(ctx: GpuContext, m: GpuMatrix, from: number): Promise<boolean> {
  if (!Number.isSafeInteger(from) || from < 0 || from > m.height) throw new RangeError(`isZeroFromGpu: from must be in [0, ${m.height}], got ${from}`);
  const count = m.height - from;
  if (count === 0) return true;
  const pipeline = await ctx.pipeline(['goldilocks', 'zero_check'], { WORKGROUP_SIZE }, 'zero_check', ZeroParams.wgsl);
  const flag = ctx.storage(4, 'zero flag');
  try {
    const dispatches: Dispatch[] = segmentsOf(m).map((s) => {
      const groups = grid(ctx, s.columns * count, WORKGROUP_SIZE);
      const params = ZeroParams.pack({ height: m.height, first: from, count, cols: s.columns, groups_x: groups[0] });
      return { pipeline, resources: [s.buffer, flag, 'params'], params, groups };
    });
    await runDispatches(ctx, 'zero check', dispatches);
    return new Uint32Array(await ctx.read(flag, 0, 4))[0] === 0;
  } finally {
    flag.destroy();
  }
}
