/**
 * Cutting the composition into segments of degree < n on the GPU, resident: interpolate the
 * bit-reversed LDE, check that nothing lies from S·n on (one flag read back), copy the S segments into
 * their own columns and extend them to the LDE domain. What ../cpu/split.ts and the CPU steps do.
 *
 * @module
 */
import type { GpuContext } from '../../gpu/context.js';
import { allocMatrix, copyRows, releaseMatrix, type GpuMatrix } from '../../gpu/matrix.js';
import type { GpuNtt } from '../../gpu/ntt.js';
import { isZeroFromGpu } from '../../gpu/zero-check.js';
import { COSET_SHIFT } from '../../stark/domain.js';

/** Consumes `comp` (2 columns, N = β·n rows); the segments' coefficients (2S columns of n) and their LDE. */
export async function splitGpu(
  ctx: GpuContext, ntt: GpuNtt, comp: GpuMatrix, logN: number, segments: number, blowup: number,
): Promise<{ coeffs: GpuMatrix; lde: GpuMatrix; lowDegree: boolean }> {
  const n = 2 ** logN;
  const coeffs = (await ntt.interpolateBitReversed(comp, COSET_SHIFT)).value;
  releaseMatrix(comp);
  const cut = allocMatrix(ctx, n, 2 * segments, 'composition segments');
  try {
    const lowDegree = await isZeroFromGpu(ctx, coeffs, segments * n);
    await copyRows(ctx, Array.from({ length: 2 * segments }, (_, c) =>
      ({ from: coeffs, fromColumn: c % 2, fromRow: (c >> 1) * n, to: cut, toColumn: c, toRow: 0, rows: n })));
    const lde = (await ntt.evaluateOnCoset(cut, { blowup, shift: COSET_SHIFT, order: 'bit-reversed' })).value;
    return { coeffs: cut, lde, lowDegree };
  } catch (e) {
    releaseMatrix(cut);
    throw e;
  } finally {
    releaseMatrix(coeffs);
  }
}
