/**
 * FRI layers on the GPU (shaders/fri.wgsl), equal byte for byte to src/stark/fri.ts: the fold of a
 * bit-reversed F_p2 layer by f ∈ {2, 4} (foldLayer log2 f times with α, α², the shift squared in
 * between, as friCommit does) and a layer's Merkle rows (layerRows), so a layer committed from the
 * GPU hashes with hashRowsGpu. Also the split power tables that deep.ts shares.
 *
 * A layer is a GpuMatrix of two columns (c0, c1) of height 2^logSize. Inputs may be split across
 * segments; a folded layer is always one segment (GpuLimitError when 2 columns do not fit one binding).
 *
 * @module
 */
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import type { GpuContext } from '../../gpu/context.js';
import { type Dispatch, grid, runDispatches, WORKGROUP_SIZE } from '../../gpu/dispatch.js';
import { allocMatrix, columnAt, releaseMatrix, segmentsOf, type GpuMatrix } from '../../gpu/matrix.js';
import type { GpuResult } from '../../gpu/ntt.js';
import { powerTable } from '../../gpu/power-table.js';
import { uniformStruct } from '../../gpu/uniforms.js';

/** Both entry points' parameters (one struct: they share the module). */
const FriParams = uniformStruct('FriParams', {
  /** Output rows: size / f. */
  out_n: 'u32',
  log_out: 'u32',
  lo_bits: 'u32',
  fold: 'u32',
  /** Element offsets of the layer's c0 column in src0 and of its c1 column in src1. */
  src0_off: 'u32',
  src1_off: 'u32',
  groups_x: 'u32',
  /** layer_rows: the first output column of this segment and the columns it holds. */
  first_col: 'u32',
  cols: 'u32',
  alpha: 'Fp2',
  alpha2: 'Fp2',
  /** .xy = ω_4^-1, .zw = 1/2: two Fp, an Fp2 in layout only. */
  consts: 'Fp2',
});

/** Where both entry points' blocks start: zero for the fields only one of them reads (each sets its own), and the constants. */
const FRI_BASE = {
  lo_bits: 0, first_col: 0, cols: 0, alpha: Fp2.ZERO, alpha2: Fp2.ZERO, consts: [Fp.inverseRootOfUnity(2), Fp.inv(2n)] as Fp2.Fp2,
};

function checkLayer(layer: GpuMatrix, what: string): number {
  const logSize = Math.round(Math.log2(layer.height));
  if (layer.width !== 2) throw new RangeError(`${what}: a layer has 2 columns (c0, c1), got ${layer.width}`);
  if (!Number.isSafeInteger(layer.height) || layer.height < 1 || 2 ** logSize !== layer.height)
    throw new RangeError(`${what}: the layer height must be a power of two, got ${layer.height}`);
  return logSize;
}

/**
 * Folds a layer of size 2^logSize on shift·⟨ω_{2^logSize}⟩ (bit-reversed) by `foldingFactor` with
 * α: the next layer, of size 2^logSize / f on shift^f·⟨…⟩, as friCommit's inner loop computes it.
 */
export async function friFoldGpu(
  ctx: GpuContext, layer: GpuMatrix, shift: bigint, logSize: number, alpha: Fp2.Fp2, foldingFactor: 2 | 4,
): Promise<GpuResult<GpuMatrix>> {
  if (foldingFactor !== 2 && foldingFactor !== 4) throw new RangeError(`friFoldGpu: folding factor must be 2 or 4, got ${String(foldingFactor)}`);
  if (checkLayer(layer, 'friFoldGpu') !== logSize) throw new RangeError(`friFoldGpu: the layer has ${layer.height} values, logSize says 2^${logSize}`);
  const logF = foldingFactor === 2 ? 1 : 2;
  if (logSize < logF) throw new RangeError(`friFoldGpu: a layer of 2^${logSize} values cannot be folded by ${foldingFactor}`);
  if (!Fp.isCanonical(shift) || shift === 0n) throw new RangeError('friFoldGpu: the shift must be a non-zero canonical element');
  if (!Fp2.isCanonical(alpha)) throw new RangeError('friFoldGpu: alpha must be a canonical F_p2 element');
  const logOut = logSize - logF, outN = 2 ** logOut;
  const c0 = columnAt(layer, 0), c1 = columnAt(layer, 1);
  // 1/(2·x0) for x0 = shift·ω^bitrev(g): (2·shift)^-1·(ω^-1)^bitrev(g).
  const points = powerTable(ctx, Fp.inv(Fp.mul(2n, shift)), Fp.inverseRootOfUnity(logSize), logOut);
  const pipeline = await ctx.pipeline(['goldilocks', 'ext2', 'fri'], { WORKGROUP_SIZE }, 'fri_fold', FriParams.wgsl);
  const out = allocMatrix(ctx, outN, 2, 'fri layer', 2);
  const groups = grid(ctx, outN, WORKGROUP_SIZE);
  const params = FriParams.pack({
    ...FRI_BASE, out_n: outN, log_out: logOut, lo_bits: points.loBits, fold: foldingFactor,
    src0_off: c0.offset, src1_off: c1.offset, groups_x: groups[0], alpha, alpha2: Fp2.square(alpha),
  });
  try {
    const kernelMs = await runDispatches(ctx, 'fri fold', [
      { pipeline, resources: [c0.buffer, c1.buffer, 'params', out.segments![0]!.buffer, points.buffer], params, groups },
    ]);
    return { value: out, kernelMs };
  } catch (e) {
    releaseMatrix(out);
    throw e;
  }
}

/**
 * The Merkle rows of a layer (layerRows of src/stark/fri.ts): 2f columns of height/f rows, row m =
 * (c0, c1 of each of the values f·m … f·m + f − 1). The result may be split across segments.
 */
export async function layerRowsGpu(ctx: GpuContext, layer: GpuMatrix, f: number): Promise<GpuMatrix> {
  const logSize = checkLayer(layer, 'layerRowsGpu');
  const logF = Math.round(Math.log2(f));
  if (!Number.isSafeInteger(f) || f < 1 || 2 ** logF !== f || logF > logSize)
    throw new RangeError(`layerRowsGpu: f must be a power of two at most the layer size ${layer.height}, got ${f}`);
  const outN = layer.height / f, logOut = logSize - logF;
  const c0 = columnAt(layer, 0), c1 = columnAt(layer, 1);
  const pipeline = await ctx.pipeline(['goldilocks', 'ext2', 'fri'], { WORKGROUP_SIZE }, 'layer_rows', FriParams.wgsl);
  const out = allocMatrix(ctx, outN, 2 * f, 'fri rows');
  const dispatches: Dispatch[] = segmentsOf(out).map((s) => {
    const groups = grid(ctx, s.columns * outN, WORKGROUP_SIZE);
    return {
      pipeline, resources: [c0.buffer, c1.buffer, 'params', s.buffer], groups,
      params: FriParams.pack({
        ...FRI_BASE, out_n: outN, log_out: logOut, fold: f,
        src0_off: c0.offset, src1_off: c1.offset, groups_x: groups[0], first_col: s.firstColumn, cols: s.columns,
      }),
    };
  });
  try {
    await runDispatches(ctx, 'fri rows', dispatches);
    return out;
  } catch (e) {
    releaseMatrix(out);
    throw e;
  }
}
