/**
 * The FRI commit phase of the capseal-stark-v1 prover (FRI: Ben-Sasson, Bentov, Horesh, Riabzev 2018;
 * docs/architecture.md): fold layer 0 by the folding factor, commit each layer but the last, and read
 * off the final polynomial — over the steps of whichever implementation holds the layers (./cpu/fri.ts,
 * ./gpu/fri.ts). The maths the verifier shares (the plan, a group's fold) is src/stark/fri.ts.
 *
 * @module
 */
import type { Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { interpolateCoset } from '../ntt/lde.js';
import type { Kernels } from '../wasm/kernels.js';
import { bitReversed } from '../ntt/points.js';
import type { ExtColumn } from '../field/ext-columns.js';
import { type ProofOptions } from '../stark/options.js';
import type { Commitment, Held, MatrixHandle, StarkSteps } from '../stark/steps.js';
import type { FriPlan } from '../stark/fri.js';

export interface FriLayer<M extends MatrixHandle = MatrixHandle> {
  commitment: Commitment;
  /** The committed rows (one per fold group), to open. */
  rows: Held<M>;
}

export interface FriProverState<M extends MatrixHandle = MatrixHandle> {
  layers: FriLayer<M>[];
  finalPoly: Fp2.Fp2[];
  /** Whether the last layer's degree was below the final polynomial's length (else it was cut). */
  lowDegree: boolean;
}

/**
 * Runs the commit phase on layer 0 (size 2^logN0, shift s), consuming it: every layer is released
 * once folded. `commitRoot` absorbs a layer's root and `drawAlpha` draws the next folding challenge,
 * in transcript order: α_0, root_1, α_1, …, α_{L−1}.
 */
export async function friCommit<L, M extends MatrixHandle>(
  k: Kernels, steps: StarkSteps<L, M>, layer0: L, logN0: number, shift: bigint, o: ProofOptions, plan: FriPlan,
  drawAlpha: () => Fp2.Fp2, commitRoot: (root: Uint8Array) => void,
): Promise<FriProverState<M>> {
  const f = o.foldingFactor, logF = Math.log2(f);
  const layers: FriLayer<M>[] = [];
  let v = layer0, s = shift, logSize = logN0;
  for (let i = 0; i < plan.folds; i++) {
    const next = await steps.fold(v, s, logSize, drawAlpha(), f);
    steps.release(v);
    v = next;
    s = Fp.pow(s, BigInt(f));
    logSize -= logF;
    if (i < plan.folds - 1) {
      const layer = await steps.commitLayer(v, f);
      layers.push(layer);
      commitRoot(layer.commitment.root);
    }
  }
  const last = await steps.values(v);
  steps.release(v);
  return { layers, ...finalPolynomial(k, last, s, plan.finalDegree) };
}

/** The last layer's polynomial cut to `degree` coefficients, and whether nothing lay above (an honest prover's does not). */
function finalPolynomial(k: Kernels, v: ExtColumn, shift: bigint, degree: number): { finalPoly: Fp2.Fp2[]; lowDegree: boolean } {
  const [c0, c1] = interpolateCoset(k, [bitReversed(k, v.c0), bitReversed(k, v.c1)], shift) as [Column, Column];
  let lowDegree = true;
  for (let j = degree; j < c0.length && lowDegree; j++) lowDegree = c0[j] === 0n && c1[j] === 0n;
  return { finalPoly: Array.from({ length: degree }, (_, j) => [c0[j]!, c1[j]!] as const), lowDegree };
}
