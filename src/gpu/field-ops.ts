/**
 * Element-wise field maps on the GPU (shaders/field_ops.wgsl): the shader-level Fp and F_p2
 * arithmetic, exposed over host arrays for `capseal doctor` and the kernel tests, which check every
 * operation against the BigInt reference.
 *
 * @module
 */
import type { GpuContext } from './context.js';
import { runDispatches, WORKGROUP_SIZE } from './dispatch.js';
import { uniformStruct } from './uniforms.js';

/** Operation codes of field_ops.wgsl; F_p2 operands are interleaved (c0, c1) pairs. */
export const FIELD_OPS = {
  add: 0, sub: 1, mul: 2, square: 3, neg: 4, inv: 5, pow: 6,
  fp2_add: 10, fp2_sub: 11, fp2_mul: 12, fp2_square: 13, fp2_inv: 14,
} as const;
export type FieldOp = keyof typeof FIELD_OPS;

/** Elements (F_p2 elements for the fp2_ ops) to map. */
const MapParams = uniformStruct('MapParams', { count: 'u32' });

const UNARY: ReadonlySet<FieldOp> = new Set(['square', 'neg', 'inv', 'fp2_square', 'fp2_inv']);

const isExtensionOp = (op: FieldOp): boolean => op.startsWith('fp2_');

/**
 * Applies `op` element-wise. `lhs` (and `rhs` for binary ops; the 64-bit exponents for pow) hold
 * canonical elements — F_p2 elements as two words each; the caller checks canonicity.
 */
export async function fieldMap(ctx: GpuContext, op: FieldOp, lhs: BigUint64Array, rhs?: BigUint64Array): Promise<BigUint64Array> {
  if (!(op in FIELD_OPS)) throw new RangeError(`unknown field op ${op}`);
  if (!UNARY.has(op) && rhs?.length !== lhs.length) throw new RangeError(`${op} needs two operands of equal length`);
  const ext = isExtensionOp(op);
  if (ext && lhs.length % 2 !== 0) throw new RangeError(`${op}: F_p2 operands need an even number of words`);
  const count = ext ? lhs.length / 2 : lhs.length;
  if (count === 0) return new BigUint64Array(0);
  const a = ctx.upload(lhs, `${op} lhs`);
  const b = UNARY.has(op) ? a : ctx.upload(rhs!, `${op} rhs`);
  const out = ctx.storage(lhs.byteLength, `${op} out`);
  try {
    const pipeline = await ctx.pipeline(['goldilocks', 'ext2', 'field_ops'], { WORKGROUP_SIZE, OP: FIELD_OPS[op] }, 'field_map', MapParams.wgsl);
    const groups = Math.min(Math.ceil(count / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension);
    await runDispatches(ctx, op, [{ pipeline, resources: [a, b, out, 'params'], params: MapParams.pack({ count }), groups: [groups] }]);
    return new BigUint64Array(await ctx.read(out, 0, lhs.byteLength));
  } finally {
    [a, b, out].forEach((x) => x.destroy());
  }
}
