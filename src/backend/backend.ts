// The Backend contract (DESIGN.md "Backends and the scheduler"): every heavy operation the prover
// needs, behind one interface that CpuBackend and GpuBackend implement with byte-identical results.
// Data lives in backend-owned handles so a GPU backend keeps it resident between operations; only
// download() and read() bring columns back to the host.
import type { Column } from '../field/columns.js';
import type { LdeOptions } from '../ntt/lde.js';
import type { MerkleTree } from '../merkle/tree.js';

/** 'auto' is the scheduler, which places each operation on the CPU or the GPU. */
export type BackendKind = 'cpu' | 'gpu' | 'auto';

/** A matrix of canonical field elements held by a backend: `width` columns of `height` rows. */
export interface Matrix {
  readonly backend: BackendKind;
  readonly height: number;
  readonly width: number;
}

export interface Backend {
  readonly kind: BackendKind;
  /** Human-readable description, recorded with every run (e.g. "cpu: wasm × 2 threads"). */
  readonly description: string;
  /** Copies columns (all of one power-of-two length) into the backend. */
  upload(columns: readonly Column[]): Promise<Matrix>;
  /** The matrix's columns, as fresh arrays the caller owns. */
  download(m: Matrix): Promise<Column[]>;
  /**
   * The matrix's columns for reading on the host: the backend's own storage where it keeps them
   * there (no copy), else a download. Read-only; the backend never writes to them afterwards, so
   * they outlive release(m).
   */
  read(m: Matrix): Promise<readonly Column[]>;
  /** Column-wise forward NTT (coefficients → evaluations on H), natural order. */
  ntt(m: Matrix): Promise<Matrix>;
  /** Column-wise inverse NTT (evaluations on H → coefficients), natural order. */
  intt(m: Matrix): Promise<Matrix>;
  /** Column-wise coset low-degree extension of evaluations on H (or, `from: 'coefficients'`, of coefficients). */
  lde(m: Matrix, opts: LdeOptions): Promise<Matrix>;
  /** One 32-byte leaf per row: BLAKE3 of the row's canonical bytes, concatenated. */
  hashRows(m: Matrix): Promise<Uint8Array>;
  /** Merkle tree over leaf digests (node = BLAKE3(left ‖ right)); it may keep `leaves`, which the caller must leave as they are. */
  merkleTree(leaves: Uint8Array): Promise<MerkleTree>;
  /** Frees a matrix's storage; the handle must not be used afterwards. */
  release(m: Matrix): void;
  /** Frees everything (workers, devices). The backend is unusable afterwards. */
  destroy(): Promise<void>;
}
