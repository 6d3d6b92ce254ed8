// FRI over F_p2 for capseal-stark-v1 (DESIGN.md "The STARK"): folding factor f ∈ {2, 4}, layers in
// bit-reversed order (./domain.ts), final polynomial in clear.
//
// A fold by f = 2^r is r binary folds with α, α², α⁴, …: writing P(X) = Σ_{j<f} X^j·g_j(X^f), it yields
// Σ_j α^j·g_j(Y). The binary fold of adjacent positions (2j, 2j+1), which hold P(x) and P(−x) for
// x = point(2j), is q_j = (P(x) + P(−x))/2 + α·(P(x) − P(−x))/(2x); the result lives on the coset
// s²·⟨ω_{N/2}⟩, bit-reversed again. Layer 0 (the DEEP composition) is not committed: the verifier
// recomputes it from the trace and composition openings. Layers 1 … L−1 are committed with one
// Merkle leaf per fold group (f consecutive values, 2f base elements); layer L is sent as the
// coefficients of its polynomial, of degree < n/f^L ≤ MAX_FINAL_DEGREE.
import type { Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { interpolateCoset } from '../ntt/lde.js';
import type { Kernels } from '../wasm/kernels.js';
import { bitReversed, reverseBits } from './domain.js';
import type { ExtColumn } from './ext-columns.js';
import { MAX_FINAL_DEGREE, type ProofOptions } from './options.js';
import type { Commitment, Held, StarkSteps } from './steps.js';

const INV2 = Fp.inv(2n);

export interface FriPlan {
  /** Folds L ≥ 1; layers 1 … L−1 are committed. */
  folds: number;
  /** Coefficients of the final polynomial: n / f^L. */
  finalDegree: number;
}

/** Fold until the degree bound n/f^L is at most MAX_FINAL_DEGREE, and at least once. */
export function friPlan(logN: number, o: ProofOptions): FriPlan {
  const logF = Math.log2(o.foldingFactor);
  if (logN < logF) throw new RangeError(`trace length 2^${logN} is below the folding factor ${o.foldingFactor}`);
  let folds = 1;
  while (logN - logF * folds > Math.log2(MAX_FINAL_DEGREE) && logN - logF * (folds + 1) >= 0) folds++;
  return { folds, finalDegree: 2 ** (logN - logF * folds) };
}

/** Values at positions j·stride + offset (a fresh column). */
export function strided(col: Column, stride: number, offset: number): Column {
  const n = col.length / stride;
  const out = new BigUint64Array(n);
  const o = new Uint32Array(out.buffer), s = new Uint32Array(col.buffer, col.byteOffset, col.length * 2);
  for (let j = 0; j < n; j++) {
    const from = 2 * (j * stride + offset);
    o[2 * j] = s[from]!;
    o[2 * j + 1] = s[from + 1]!;
  }
  return out;
}

/** One binary fold of a whole layer (size 2^logSize on shift·⟨ω⟩, bit-reversed) with α, in one kernel pass. */
export function foldLayer(k: Kernels, v: ExtColumn, shift: bigint, logSize: number, alpha: Fp2.Fp2): ExtColumn {
  const half = 2 ** (logSize - 1), bytes = half * 8;
  return k.scoped(() => {
    const v0 = k.put(v.c0), v1 = k.put(v.c1), h = k.alloc(bytes), o0 = k.alloc(bytes), o1 = k.alloc(bytes);
    // 1/(2·point(2j)) = (2s)^−1 · ω^−bitrev_{half}(j): the inverse points, bit-reversed.
    k.raw.powers(h, Fp.inv(Fp.mul(2n, shift)), Fp.inv(Fp.rootOfUnity(logSize)), half);
    k.raw.bit_reverse(h, logSize - 1);
    k.raw.ext_fold(o0, o1, v0, v1, h, alpha[0], alpha[1], half);
    return { c0: k.get(o0, half), c1: k.get(o1, half) };
  });
}

/** The binary fold of one pair (P(x), P(−x)) with α, given 1/x: what foldLayer computes at one position. */
export function foldPair(a: Fp2.Fp2, b: Fp2.Fp2, invX: bigint, alpha: Fp2.Fp2): Fp2.Fp2 {
  const sum = Fp2.mulBase(Fp2.add(a, b), INV2);
  const diff = Fp2.mulBase(Fp2.sub(a, b), Fp.mul(invX, INV2));
  return Fp2.add(sum, Fp2.mul(alpha, diff));
}

/**
 * Folds one group (the f values at positions f·g … f·g + f − 1 of a layer of size 2^logSize on
 * shift·⟨ω⟩, given 1/shift) into the value at position g of the next layer. Position f·g + r holds the point
 * x_0·ω_f^bitrev(r) with x_0 = shift·ω^bitrev(g) (ω of order 2^logSize, bitrev on logSize − log f
 * bits), so one exponentiation gives every inverse point of the group and of its later binary folds.
 */
export function foldGroup(values: readonly Fp2.Fp2[], invShift: bigint, logSize: number, g: number, alpha: Fp2.Fp2): Fp2.Fp2 {
  const logF = Math.log2(values.length);
  let invBase = Fp.mul(invShift, Fp.pow(Fp.inverseRootOfUnity(logSize), BigInt(reverseBits(g, logSize - logF))));
  let vals = values, a = alpha;
  for (let logM = logF; logM > 0; logM--) {
    const invRoot = Fp.inverseRootOfUnity(logM);
    const next: Fp2.Fp2[] = [];
    for (let j = 0; 2 * j < vals.length; j++) {
      const invX = Fp.mul(invBase, Fp.pow(invRoot, BigInt(reverseBits(2 * j, logM))));
      next.push(foldPair(vals[2 * j]!, vals[2 * j + 1]!, invX, a));
    }
    vals = next;
    invBase = Fp.square(invBase);
    a = Fp2.square(a);
  }
  return vals[0]!;
}

/** The Merkle leaves of a layer: leaf m is the row (c0, c1 of each of its f values). */
export function layerRows(v: ExtColumn, f: number): Column[] {
  const cols: Column[] = [];
  for (let t = 0; t < f; t++) cols.push(strided(v.c0, f, t), strided(v.c1, f, t));
  return cols;
}

export interface FriLayer {
  commitment: Commitment;
  /** The committed rows (one per fold group), to open. */
  rows: Held;
}

export interface FriProverState {
  layers: FriLayer[];
  finalPoly: Fp2.Fp2[];
}

/**
 * Runs the commit phase on layer 0 (size 2^logN0, shift s), consuming it: every layer is released
 * once folded. `commitRoot` absorbs a layer's root and `drawAlpha` draws the next folding challenge,
 * in transcript order: α_0, root_1, α_1, …, α_{L−1}.
 */
export async function friCommit<L>(
  k: Kernels, steps: StarkSteps<L>, layer0: L, logN0: number, shift: bigint, o: ProofOptions, plan: FriPlan,
  drawAlpha: () => Fp2.Fp2, commitRoot: (root: Uint8Array) => void, cheat = false,
): Promise<FriProverState> {
  const f = o.foldingFactor, logF = Math.log2(f);
  const layers: FriLayer[] = [];
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
  return { layers, finalPoly: finalPolynomial(k, last, s, plan.finalDegree, cheat) };
}

/** Coefficients of the last layer's polynomial; the honest prover's vanish above finalDegree (a cheat truncates). */
function finalPolynomial(k: Kernels, v: ExtColumn, shift: bigint, degree: number, cheat: boolean): Fp2.Fp2[] {
  const [c0, c1] = interpolateCoset(k, [bitReversed(k, v.c0), bitReversed(k, v.c1)], shift) as [Column, Column];
  for (let j = degree; j < c0.length && !cheat; j++)
    if (c0[j] !== 0n || c1[j] !== 0n)
      throw new Error(`FRI: the last layer has degree ≥ ${degree} (the DEEP composition is not low-degree: invalid trace or constraints)`);
  return Array.from({ length: degree }, (_, j) => [c0[j]!, c1[j]!] as const);
}

/** Horner evaluation of an F_p2 polynomial at a base-field point. */
export function evaluateFinal(coeffs: readonly Fp2.Fp2[], x: bigint): Fp2.Fp2 {
  let acc: Fp2.Fp2 = Fp2.ZERO;
  for (let j = coeffs.length - 1; j >= 0; j--) acc = Fp2.add(Fp2.mulBase(acc, x), coeffs[j]!);
  return acc;
}
