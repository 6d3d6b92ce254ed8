/**
 * The prover's steps (src/stark/steps.ts) resident on one GPU: every matrix stays on the device from
 * the trace LDE to the openings, which gather only the opened rows. Byte for byte what the CPU steps
 * (../cpu/steps.ts) make.
 *
 * @module
 */
import type { GpuResident, Matrix } from '../../backend/backend.js';
import * as Fp2 from '../../field/ext2.js';
import { compositionGpu } from './composition.js';
import { deepGpu } from './deep.js';
import { evaluateColumnsGpu } from './ood.js';
import { friFoldGpu, layerRowsGpu } from './fri.js';
import { hashRowsGpu, merkleCommitGpu } from '../../gpu/blake3.js';
import { downloadColumns, gatherRows, gpuMatrix, joinMatrices, releaseMatrix, type GpuMatrix } from '../../gpu/matrix.js';
import type { Kernels } from '../../wasm/kernels.js';
import { joinCoordinates, pairOf } from '../../field/ext-columns.js';
import type { Commitment, StarkSteps } from '../../stark/steps.js';
import { splitGpu } from './split.js';

export function gpuSteps(k: Kernels, backend: GpuResident): StarkSteps<GpuMatrix, Matrix> {
  const ctx = backend.ctx;
  /** Leaves hashed and the tree built on the device, kept there. */
  const residentCommitment = async (m: GpuMatrix): Promise<Commitment> => {
    const { digests } = await hashRowsGpu(ctx, m);
    const { tree } = await merkleCommitGpu(ctx, digests, m.height);
    return { root: tree.root, open: (indices) => tree.open(indices), layer: (level) => tree.layer(level), release: () => tree.destroy() };
  };
  return {
    where: 'gpu',
    async hold(matrix) {
      return { matrix, host: undefined };
    },
    join: (a, b) => ({ matrix: joinMatrices(gpuMatrix(a.matrix), gpuMatrix(b.matrix)), host: undefined }),
    async rows(h, positions) {
      return gatherRows(ctx, gpuMatrix(h.matrix), positions);
    },
    async composition(air, lde, alphas, logBlowup) {
      // Evaluated on every coset block: the segment count is the split's business.
      return (await compositionGpu(ctx, backend.transforms, gpuMatrix(lde.matrix), air, alphas, logBlowup)).value;
    },
    async split(comp, logN, segments, blowup) {
      const { coeffs, lde, lowDegree } = await splitGpu(ctx, backend.transforms, comp, logN, segments, blowup);
      return { coeffs: { matrix: coeffs, host: undefined }, lde: { matrix: lde, host: undefined }, lowDegree };
    },
    async ood(trace, coeffs, z, zw) {
      const cut = gpuMatrix(coeffs.matrix);
      try {
        const traceCoeffs = (await backend.transforms.ntt(gpuMatrix(trace), true)).value;
        let atZ: Fp2.Fp2[], atZw: Fp2.Fp2[];
        try {
          [atZ, atZw] = (await evaluateColumnsGpu(ctx, k, traceCoeffs, [z, zw])) as [Fp2.Fp2[], Fp2.Fp2[]];
        } finally {
          releaseMatrix(traceCoeffs);
        }
        // C_j(z) = c0_j(z) + u·c1_j(z), with c0_j(z), c1_j(z) ∈ F_p2.
        const [halves] = (await evaluateColumnsGpu(ctx, k, cut, [z])) as [Fp2.Fp2[]];
        return { oodTrace: atZ, oodTraceNext: atZw, oodComposition: joinCoordinates(halves) };
      } finally {
        releaseMatrix(cut);
      }
    },
    async deep(lde, comp, logN, logBlowup, d) {
      return (await deepGpu(ctx, gpuMatrix(lde.matrix), gpuMatrix(comp.matrix), { ...d, logN, logBlowup })).value;
    },
    async fold(layer, shift, logSize, alpha, f) {
      return (await friFoldGpu(ctx, layer, shift, logSize, alpha, f)).value;
    },
    commitMatrix: (m) => residentCommitment(gpuMatrix(m)),
    async commitLayer(layer, f) {
      const rows = await layerRowsGpu(ctx, layer, f);
      try {
        const c = await residentCommitment(rows);
        const release = () => {
          c.release();
          releaseMatrix(rows);
        };
        return { commitment: { ...c, release }, rows: { matrix: rows, host: undefined } };
      } catch (e) {
        releaseMatrix(rows);
        throw e;
      }
    },
    async values(layer) {
      return pairOf(await downloadColumns(ctx, layer));
    },
    release: releaseMatrix,
    drop: (h) => releaseMatrix(h.matrix),
  };
}
