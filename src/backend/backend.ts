/**
 * The Backend contract (docs/architecture.md "Layers"): every heavy operation the prover
 * needs, behind one interface that CpuBackend and GpuBackend implement with byte-identical results.
 * Data lives in backend-owned handles so a GPU backend keeps it resident between operations; only
 * download() and read() bring columns back to the host.
 *
 * @module
 */
import type { Kernels } from '../wasm/kernels.js';
import type { Column } from '../field/columns.js';
import type { LdeOptions } from '../ntt/lde.js';
import type { MerkleTree } from '../merkle/tree.js';
import type { GpuContext } from '../gpu/context.js';
import type { GpuNtt } from '../gpu/ntt.js';
import type { Job, JobResult } from './cpu/jobs.js';

/** 'auto' is the scheduler, which places each operation on the CPU or the GPU. */
export type BackendKind = 'cpu' | 'gpu' | 'auto';

/** A matrix of canonical field elements held by a backend: `width` columns of `height` rows. */
export interface Matrix {
  readonly backend: BackendKind;
  readonly height: number;
  readonly width: number;
}

/** The operations a scheduler places (./scheduler.ts). */
export const OPERATIONS = ['ntt', 'intt', 'lde', 'hashRows', 'merkleTree'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** One operation as a scheduler ran it. */
export interface StageRecord {
  op: Operation;
  backend: 'cpu' | 'gpu';
  size: number;
  ms: number;
  /** GPU kernel time from timestamp queries, when the adapter has them. */
  kernelMs?: number;
  /** Why the operation ran on the CPU although the GPU was chosen. */
  fallback?: string;
}

/** Where layers above run their own CPU jobs (./cpu/jobs.ts): a CPU backend and its threads. */
export interface CpuJobs {
  /** Threads running the jobs (1: the calling thread). */
  readonly threads: number;
  /**
   * The WebAssembly kernels these jobs use on the calling thread: a layer above computing on the same
   * thread uses them too, so one memory holds both's scratch (a wasm memory never shrinks).
   */
  readonly kernels: Kernels;
  /** Whether the backend's workers serve `op` jobs. */
  handles(op: string): boolean;
  /**
   * Runs independent jobs spread over the threads (inline without any); results in order. `fresh`
   * makes a job's inputs: `copy` says they must be fresh arrays, moved to a worker.
   */
  runJobs<T>(items: readonly T[], fresh: (item: T, copy: boolean) => { job: Job; transfer: ArrayBuffer[] }): Promise<JobResult[]>;
  /**
   * commitRows of host columns the caller made (canonical, one power-of-two length, never written
   * afterwards): no upload, no copy, no check.
   */
  commitColumns(columns: readonly Column[]): Promise<MerkleTree>;
}

/** A GPU on which a backend keeps matrices resident: its context and transforms (the prover's GPU steps run there). */
export interface GpuResident {
  readonly ctx: GpuContext;
  readonly transforms: GpuNtt;
}

/** What Backend.place() gives back: the work's value, and the GPU attempt abandoned on the way, if any. */
export interface Placement<T> {
  value: T;
  abandoned?: { ms: number; note: string };
}

export interface Backend {
  readonly kind: BackendKind;
  /** The CPU backend running this backend's CPU jobs (itself, or a scheduler's CPU side); none on a GPU backend. */
  readonly cpuJobs?: CpuJobs | undefined;
  /** The GPU this backend keeps matrices on (a GPU backend's own); none elsewhere. */
  readonly resident?: GpuResident | undefined;
  /** Every operation run so far with where it ran (a scheduler keeps this record). */
  readonly stages?: readonly StageRecord[];
  /**
   * Runs `work`, a computation that keeps its data where it starts (a whole proof) over `size`
   * elements, where this backend places it; `what` names it in notices. A scheduler runs it resident
   * on its GPU from the LDE threshold on and, if the GPU fails or is too small, runs it again on
   * itself (the CPU), recording the abandoned attempt. Backends without it run the work on themselves.
   */
  place?<T>(size: number, what: string, work: (on: Backend, attempt: { resident: boolean; rerun: boolean }) => Promise<T>): Promise<Placement<T>>;
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
  /** merkleTree(hashRows(m)), where the backend does both together better (the CPU's threads build subtrees). */
  commitRows?(m: Matrix): Promise<MerkleTree>;
  /** Frees a matrix's storage; the handle must not be used afterwards. */
  release(m: Matrix): void;
  /** Frees everything (workers, devices). The backend is unusable afterwards. */
  destroy(): Promise<void>;
}
