/**
 * GpuBackend: the Backend contract on WebGPU (shaders/, src/gpu/), byte-identical to CpuBackend.
 * Matrices stay on the device between operations; only download(), hashRows() and merkleTree()
 * read back, and only their results. Platform adapters (./node.ts, ./browser.ts) supply the context.
 *
 * @module
 */
import { assertCanonicalColumn, type Column } from '../../field/columns.js';
import { DIGEST_BYTES } from '../../hash/digest.js';
import type { MerkleTree } from '../../merkle/tree.js';
import { ldeInput, type LdeOptions } from '../../ntt/lde.js';
import { sameLengthLog } from '../../ntt/ntt.js';
import { hashRowsGpu, merkleTreeGpu } from '../../gpu/blake3.js';
import { adapterName, type AdapterSummary, type GpuContext } from '../../gpu/context.js';
import { fieldMap, type FieldOp } from '../../gpu/field-ops.js';
import { downloadColumns, gpuMatrix, releaseMatrix, uploadColumns, type GpuMatrix } from '../../gpu/matrix.js';
import { GpuNtt, type GpuResult } from '../../gpu/ntt.js';
import { Kernels } from '../../wasm/kernels.js';
import type { Backend, Matrix } from '../backend.js';

export class GpuBackend implements Backend {
  readonly kind = 'gpu' as const;
  readonly description: string;
  /** Kernel time of the last operation from timestamp queries, when the adapter supports them. */
  lastKernelMs: number | undefined;
  readonly #ntt: GpuNtt;

  private constructor(readonly ctx: GpuContext, k: Kernels) {
    this.description = `gpu: ${adapterName(ctx.adapter)}`;
    this.#ntt = new GpuNtt(ctx, k);
  }

  /** Takes ownership of `ctx` (destroy() destroys it). */
  static async create(ctx: GpuContext): Promise<GpuBackend> {
    try {
      return new GpuBackend(ctx, await Kernels.load());
    } catch (e) {
      ctx.destroy();
      throw e;
    }
  }

  /** The NTT/LDE dispatchers and their cached tables (the STARK's GPU steps share them). */
  get transforms(): GpuNtt {
    return this.#ntt;
  }

  /** This backend keeps its matrices on its own GPU. */
  get resident(): GpuBackend {
    return this;
  }

  get adapter(): AdapterSummary {
    return this.ctx.adapter;
  }

  async upload(columns: readonly Column[]): Promise<Matrix> {
    if (columns.length === 0) throw new RangeError('upload: a matrix needs at least one column');
    const logN = sameLengthLog(columns);
    columns.forEach((c, i) => assertCanonicalColumn(c, `column ${i}`));
    return uploadColumns(this.ctx, columns, 2 ** logN);
  }

  download(m: Matrix): Promise<Column[]> {
    return downloadColumns(this.ctx, this.#own(m));
  }

  read(m: Matrix): Promise<readonly Column[]> {
    return this.download(m);
  }

  ntt(m: Matrix): Promise<Matrix> {
    return this.#timed(this.#ntt.ntt(this.#own(m), false));
  }

  intt(m: Matrix): Promise<Matrix> {
    return this.#timed(this.#ntt.ntt(this.#own(m), true));
  }

  lde(m: Matrix, opts: LdeOptions): Promise<Matrix> {
    const own = this.#own(m);
    return this.#timed(ldeInput(opts) === 'coefficients' ? this.#ntt.evaluateOnCoset(own, opts) : this.#ntt.lde(own, opts));
  }

  async hashRows(m: Matrix): Promise<Uint8Array> {
    const { digests, kernelMs } = await hashRowsGpu(this.ctx, this.#own(m));
    this.lastKernelMs = kernelMs;
    try {
      return new Uint8Array(await this.ctx.read(digests, 0, m.height * DIGEST_BYTES));
    } finally {
      digests.destroy();
    }
  }

  async merkleTree(leaves: Uint8Array): Promise<MerkleTree> {
    if (!(leaves instanceof Uint8Array) || leaves.length === 0 || leaves.length % DIGEST_BYTES !== 0)
      throw new RangeError(`leaves must be a non-empty multiple of ${DIGEST_BYTES} bytes`);
    const buffer = this.ctx.upload(leaves, 'leaves');
    try {
      const { tree, kernelMs } = await merkleTreeGpu(this.ctx, buffer, leaves.length / DIGEST_BYTES);
      this.lastKernelMs = kernelMs;
      return tree;
    } finally {
      buffer.destroy();
    }
  }

  /** Element-wise Fp / F_p2 arithmetic (see src/gpu/field-ops.ts). */
  fieldMap(op: FieldOp, lhs: BigUint64Array, rhs?: BigUint64Array): Promise<BigUint64Array> {
    return fieldMap(this.ctx, op, lhs, rhs);
  }

  release(m: Matrix): void {
    releaseMatrix(this.#own(m));
  }

  async destroy(): Promise<void> {
    this.#ntt.destroy();
    this.ctx.destroy();
  }

  #own(m: Matrix): GpuMatrix {
    return gpuMatrix(m);
  }

  async #timed(op: Promise<GpuResult<GpuMatrix>>): Promise<Matrix> {
    const { value, kernelMs } = await op;
    this.lastKernelMs = kernelMs;
    return value;
  }
}
