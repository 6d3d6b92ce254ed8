/**
 * `capseal doctor`'s checks of the STARK kernels (src/prover/gpu/composition.ts, deep.ts, fri.ts, ood.ts and the NTT
 * copy mode): each against the CPU prover's own functions, byte for byte, on small inputs; last, a
 * whole FIB proof on both backends.
 *
 * @module
 */
import { AIRS, fibTrace } from '../airs/index.js';
import type { CpuBackend } from '../backend/cpu/cpu-backend.js';
import type { GpuBackend } from '../backend/gpu/gpu-backend.js';
import { assertSameBytes, assertSameColumns } from '../backend/gpu/self-check.js';
import { friFoldGpu } from '../prover/gpu/fri.js';
import { evaluateColumnsGpu } from '../prover/gpu/ood.js';
import { downloadColumns, releaseMatrix, uploadColumns } from '../gpu/matrix.js';
import { evaluateOnCoset, interpolateCoset } from '../ntt/lde.js';
import { powersColumn } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { Kernels } from '../wasm/kernels.js';
import { encodeProof } from '../stark/codec.js';
import { bitReversed } from '../ntt/points.js';
import { COSET_SHIFT } from '../stark/domain.js';
import { evaluateBaseAt, extPowers } from '../field/ext-columns.js';
import { foldLayer } from '../prover/cpu/fri.js';
import { TEST_OPTIONS_INSECURE } from '../stark/options.js';
import { prove } from '../prover/prover.js';

export type Check = [name: string, run: () => Promise<void>];

export function starkSelfChecks(gpu: GpuBackend, cpu: CpuBackend): Check[] {
  const k = Kernels.loadSync();
  const column = (n: number, seed: bigint) => powersColumn(k, seed, 0x1234_5678_9abcn, n);
  return [
    ['coset interpolate + evaluate 2^8 × 2', async () => {
      const cols = [column(256, 3n), column(256, 5n)];
      const m = uploadColumns(gpu.ctx, cols, 256);
      const c = await gpu.transforms.interpolateBitReversed(m, COSET_SHIFT);
      const e = await gpu.transforms.evaluateOnCoset(m, { blowup: 4, order: 'bit-reversed' });
      try {
        assertSameColumns(await downloadColumns(gpu.ctx, c.value), interpolateCoset(k, cols.map((x) => bitReversed(k, x)), COSET_SHIFT), 'interpolate');
        assertSameColumns(await downloadColumns(gpu.ctx, e.value), evaluateOnCoset(k, cols, { blowup: 4, order: 'bit-reversed' }), 'evaluate');
      } finally {
        [m, c.value, e.value].forEach(releaseMatrix);
      }
    }],
    ['fri fold by 4, 2^10', async () => {
      const layer = { c0: column(1024, 7n), c1: column(1024, 11n) };
      const alpha = [9n, 13n] as const;
      const m = uploadColumns(gpu.ctx, [layer.c0, layer.c1], 1024);
      const folded = await friFoldGpu(gpu.ctx, m, COSET_SHIFT, 10, alpha, 4);
      try {
        const half = foldLayer(k, layer, COSET_SHIFT, 10, alpha);
        const want = foldLayer(k, half, Fp.square(COSET_SHIFT), 9, Fp2.square(alpha));
        assertSameColumns(await downloadColumns(gpu.ctx, folded.value), [want.c0, want.c1], 'fold');
      } finally {
        [m, folded.value].forEach(releaseMatrix);
      }
    }],
    ['polynomial evaluation 2^10 × 2 at F_p2 points', async () => {
      const cols = [column(1024, 3n), column(1024, 5n)];
      const points: Fp2.Fp2[] = [[0n, 0n], [Fp.P - 1n, 0n], [0x1111n, 0x2222n]];
      const m = uploadColumns(gpu.ctx, cols, 1024);
      try {
        const got = await evaluateColumnsGpu(gpu.ctx, k, m, points);
        points.forEach((z, p) => {
          const want = evaluateBaseAt(k, cols, extPowers(k, z, 1024));
          cols.forEach((_, j) => {
            if (!Fp2.eq(got[p]![j]!, want[j]!)) throw new Error(`column ${j} at point ${p}: values differ`);
          });
        });
      } finally {
        releaseMatrix(m);
      }
    }],
    ['stark proof FIB 2^5 (composition, DEEP, FRI kernels)', async () => {
      const { trace, publicInputs } = fibTrace(5);
      const entry = AIRS.fib_air_v1;
      const input = { air: entry.air(publicInputs), trace, statementHash: new Uint8Array(32), publicInputs: entry.encode(publicInputs), options: TEST_OPTIONS_INSECURE };
      const [a, b] = [await prove(k, gpu, input), await prove(k, cpu, input)];
      assertSameBytes(encodeProof(a.proof), encodeProof(b.proof), 'proof');
    }],
  ];
}
