/**
 * The capseal-stark-v1 proof object: everything the verifier needs besides the AIR, the statement
 * hash and the public inputs. Query positions are not sent: the verifier derives them from the
 * transcript. Encodings live in ./codec.ts.
 *
 * @module
 */
import type { Fp2 } from '../field/ext2.js';
import type { MultiProof } from '../merkle/proof.js';
import type { ProofOptions } from './options.js';

/** Rows of a committed matrix at the query positions (sorted, distinct), row-major, and their batch path. */
export interface Opening {
  readonly rows: BigUint64Array;
  readonly proof: MultiProof;
}

export interface StarkProof {
  readonly options: ProofOptions;
  readonly airId: string;
  readonly logN: number;
  readonly width: number;
  /** Composition segments S (composition degree < S·n). */
  readonly segments: number;
  readonly traceRoot: Uint8Array;
  /** The auxiliary segment's root (its LDE's rows: c0, c1 of each column), exactly when the AIR has one. */
  readonly auxRoot?: Uint8Array;
  readonly compositionRoot: Uint8Array;
  /**
   * T_i(z), T_i(z·ω) for every trace column — the main trace's w, then the auxiliary segment's base
   * columns (c0, c1 of each) — and C_j(z) for every composition segment.
   */
  readonly oodTrace: readonly Fp2[];
  readonly oodTraceNext: readonly Fp2[];
  readonly oodComposition: readonly Fp2[];
  /** Roots of FRI layers 1 … L−1. */
  readonly friRoots: readonly Uint8Array[];
  readonly finalPoly: readonly Fp2[];
  readonly nonce: bigint;
  readonly traceOpening: Opening;
  /** The auxiliary segment's rows at the trace's positions, exactly when the AIR has one. */
  readonly auxOpening?: Opening;
  readonly compositionOpening: Opening;
  readonly friOpenings: readonly Opening[];
  /** Conjectured security of these options for this trace length (./options.ts), as the prover computed it. */
  readonly securityBits: number;
}
