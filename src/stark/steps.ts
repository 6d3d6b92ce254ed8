/**
 * The interface of the prover's heavy steps after the trace LDE — constraint composition, the OOD
 * answers, DEEP composition, FRI folding and layer commitments — over opaque handles. The prover's
 * driver (src/prover/prover.ts) runs them; src/prover/cpu/steps.ts implements them on the CPU kernels
 * and src/prover/gpu/steps.ts resident on one GPU. Both give the same bytes, so a proof does not
 * depend on where it was made.
 * A layer `L` is wherever the implementation keeps FRI layers: host columns or a GPU matrix.
 *
 * @module
 */
import { type Column } from '../field/columns.js';
import * as Fp2 from '../field/ext2.js';
import { type MultiProof } from '../merkle/proof.js';
import type { Air } from './air.js';
import { type DeepParams } from './deep.js';
import type { ExtColumn } from '../field/ext-columns.js';

/** A matrix of the backend the steps run on: opaque here (the protocol layer knows no backend). */
export interface MatrixHandle {
  readonly height: number;
  readonly width: number;
}

/** A matrix on the backend, with a host copy where the steps compute on the host (the CPU steps). */
export interface Held<M extends MatrixHandle = MatrixHandle> {
  matrix: M;
  host: readonly Column[] | undefined;
}

/** A committed matrix: its root, batch openings of leaf indices, a whole layer, and the storage to free. */
export interface Commitment {
  readonly root: Uint8Array;
  open(indices: readonly number[]): Promise<MultiProof>;
  /** Every node of `level` of the tree (0 = leaves), concatenated. */
  layer(level: number): Promise<Uint8Array>;
  release(): void;
}

export interface Split<M extends MatrixHandle = MatrixHandle> {
  /** Coefficients of the S segments C_j (degree < n), 2S columns (c0, c1 of each); ood() consumes them. */
  coeffs: Held<M>;
  /** Their LDEs, 2S columns (c0, c1 of each segment), on the backend and on the host. */
  lde: Held<M>;
  /**
   * Whether the composition had degree < S·n (the trace satisfies the AIR); undefined where the steps
   * evaluate it on the blocks that determine it only (the CPU's): the interpolant then has degree < B·n
   * whatever the trace, and the prover's check of the OOD answers against the constraints is what
   * finds a trace that breaks the AIR.
   */
  lowDegree: boolean | undefined;
}

/** The out-of-domain answers: every trace column at z and z·ω, every composition segment at z. */
export interface OodAnswers {
  oodTrace: Fp2.Fp2[];
  oodTraceNext: Fp2.Fp2[];
  oodComposition: Fp2.Fp2[];
}

/** A WebAssembly module the steps generated for a proof: its SHA-256 (hex) and size in bytes. */
export interface GeneratedKernel {
  sha256: string;
  bytes: number;
}

export interface StarkSteps<L, M extends MatrixHandle = MatrixHandle> {
  readonly where: 'cpu' | 'gpu';
  /** The module composition() generates for these coefficients, where it generates one (the CPU's). */
  compositionKernel?(air: Air, alphas: readonly Fp2.Fp2[]): GeneratedKernel;
  /** Wraps a backend matrix for the steps below (the CPU steps take a host copy). */
  hold(m: M): Promise<Held<M>>;
  /**
   * A's columns then b's as one held matrix (the main trace's LDE and the auxiliary segment's), sharing
   * their storage: neither is copied, and the joined matrix is never released or dropped itself.
   */
  join(a: Held<M>, b: Held<M>): Held<M>;
  /** Rows at `positions`, row-major: the opened values of a committed matrix. */
  rows(h: Held<M>, positions: readonly number[]): Promise<BigUint64Array>;
  /**
   * The composition on the LDE domain (bit-reversed), as a layer (two columns): on all of it, or on
   * its first B coset blocks (B the power of two from `segments` up: the declared AIR's
   * compositionSegments, which a lowered AIR's may undercut), which determine a composition of
   * degree < segments·n.
   */
  composition(air: Air, lde: Held<M>, alphas: readonly Fp2.Fp2[], logBlowup: number, segments: number): Promise<L>;
  /**
   * Cuts the composition (degree < S·n) into S segments, C(x) = Σ_j x^(j·n)·C_j(x), and extends each
   * to the LDE domain; consumes `comp`. Says whether nothing lay above S·n, where it can tell (else
   * the cut dropped it and an honest prover stops).
   */
  split(comp: L, logN: number, segments: number, blowup: number): Promise<Split<M>>;
  /**
   * The OOD answers at z and zw = z·ω (ω the generator of the trace domain H: the CPU steps get
   * zw's powers by scaling z's with ω's) from the trace (evaluations on H, natural order, as
   * uploaded) and the segment coefficients; consumes `coeffs` (the CPU steps keep the trace's and the
   * segments' coefficients for deep(), which must follow), leaves `trace` to the caller.
   */
  ood(trace: M, coeffs: Held<M>, z: Fp2.Fp2, zw: Fp2.Fp2): Promise<OodAnswers>;
  /** The DEEP composition: FRI layer 0. `comp` holds the 2S composition-segment columns. */
  deep(lde: Held<M>, comp: Held<M>, logN: number, logBlowup: number, d: DeepParams): Promise<L>;
  /** One fold by f (log2 f binary folds with α, α², …) of a layer of 2^logSize on shift·⟨ω⟩. */
  fold(layer: L, shift: bigint, logSize: number, alpha: Fp2.Fp2, f: 2 | 4): Promise<L>;
  /** Commits a matrix (one leaf per row): the root, and openings that fetch only what they send. */
  commitMatrix(m: M): Promise<Commitment>;
  /**
   * Commits a FRI layer (one leaf per fold group of f values): the commitment and the leaf rows to
   * open; the commitment's release() frees both.
   */
  commitLayer(layer: L, f: number): Promise<{ commitment: Commitment; rows: Held<M> }>;
  values(layer: L): Promise<ExtColumn>;
  release(layer: L): void;
  /** Frees a held matrix the steps made and no later step will consume (a refused proof's segment coefficients). */
  drop(h: Held<M>): void;
}

