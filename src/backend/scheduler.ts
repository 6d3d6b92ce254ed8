/**
 * The scheduler (docs/architecture.md "A proof, stage by stage"): a Backend that places each operation on
 * the GPU or the CPU. `auto` sends an operation to the GPU from a size on, per operation, where the
 * thresholds come from measuring both backends (./calibrate.ts); `gpu` sends everything; `cpu`
 * nothing. Data stays where it was made until an operation elsewhere needs it. When the GPU is
 * missing, lost, or the input exceeds its limits, work continues on the CPU with a notice, and every
 * operation is recorded with the backend that ran it.
 *
 * Recovery after device loss: every matrix remembers how to recompute itself on the CPU from its
 * input (uploads keep their CPU copy), so results already on a lost device are rebuilt, not lost.
 *
 * @module
 */
import type { Column } from '../field/columns.js';
import { GpuLimitError, isGpuFailure } from '../gpu/errors.js';
import type { MerkleTree } from '../merkle/tree.js';
import type { LdeOptions } from '../ntt/lde.js';
import { OPERATIONS, type Backend, type Matrix, type Operation, type Placement, type StageRecord } from './backend.js';

export { OPERATIONS, type Operation, type StageRecord };

export type BackendChoice = 'auto' | 'cpu' | 'gpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'gpu'];


/**
 * Per operation, the smallest size (elements processed; leaves for merkleTree) the GPU runs;
 * Infinity keeps the operation on the CPU.
 */
export type Thresholds = Readonly<Record<Operation, number>>;

export const ALL_ON_GPU: Thresholds = { ntt: 0, intt: 0, lde: 0, hashRows: 0, merkleTree: 0 };


/** The GPU side: any Backend, plus the kernel time of its last operation. */
export interface GpuSide extends Backend {
  readonly lastKernelMs?: number | undefined;
}

interface Placed extends Matrix {
  readonly backend: 'auto';
  cpu: Matrix | undefined;
  gpu: Matrix | undefined;
  /** Rebuilds the CPU copy from this matrix's input; undefined for uploads (they keep theirs). */
  readonly recompute: (() => Promise<Matrix>) | undefined;
  released: boolean;
}

export interface SchedulerOptions {
  cpu: Backend;
  /** Absent when no GPU could be acquired (the caller has told the user why). */
  gpu?: GpuSide;
  thresholds: Thresholds;
  /** Told about every fallback, once per cause. */
  notice?: (message: string) => void;
  /** What the user chose (the description's prefix); default 'auto'. */
  choice?: BackendChoice;
}

const now = (): number => performance.now();

export class Scheduler implements Backend {
  readonly kind = 'auto' as const;
  readonly stages: StageRecord[] = [];
  readonly #cpu: Backend;
  #gpu: GpuSide | undefined;
  readonly #thresholds: Thresholds;
  readonly #notice: (message: string) => void;
  readonly #choice: BackendChoice;

  constructor(opts: SchedulerOptions) {
    this.#cpu = opts.cpu;
    this.#gpu = opts.gpu;
    this.#thresholds = opts.thresholds;
    this.#notice = opts.notice ?? (() => {});
    this.#choice = opts.choice ?? 'auto';
  }

  get description(): string {
    const c = this.#choice;
    return this.#gpu ? `${c}: ${this.#gpu.description} | ${this.#cpu.description}` : `${c}: ${this.#cpu.description} (no GPU)`;
  }

  /** Per operation, the smallest size the GPU runs (Infinity: never). */
  get thresholds(): Thresholds {
    return this.#thresholds;
  }

  /** The CPU side. */
  get cpu(): Backend {
    return this.#cpu;
  }

  /** The CPU side's jobs (the prover's CPU steps run their own there). */
  get cpuJobs() {
    return this.#cpu.cpuJobs;
  }

  async place<T>(size: number, what: string, work: (on: Backend, attempt: { resident: boolean; rerun: boolean }) => Promise<T>): Promise<Placement<T>> {
    const gpu = this.residentGpu('lde', size);
    if (!gpu) return { value: await work(this, { resident: false, rerun: false }) };
    const t0 = now();
    try {
      return { value: await work(gpu, { resident: true, rerun: false }) };
    } catch (e) {
      const note = this.gpuFailed(e, what);
      const ms = now() - t0;
      return { value: await work(this, { resident: false, rerun: true }), abandoned: { ms, note } };
    }
  }

  /** Whether a usable GPU is still attached. */
  get hasGpu(): boolean {
    return this.#gpu !== undefined;
  }

  /**
   * The GPU for work that keeps its data resident there from start to end (a whole proof, which the
   * GPU steps run on the device), when one is attached and `size` reaches the `op` threshold;
   * undefined sends the work through the per-operation path. If the resident work fails, hand the
   * error to gpuFailed() and redo it through this scheduler.
   */
  residentGpu(op: Operation, size: number): GpuSide | undefined {
    return this.#gpu && size >= this.#thresholds[op] ? this.#gpu : undefined;
  }

  /**
   * Takes a GPU error from resident work on `what`: the notice is given, a lost device is dropped
   * (a device over its limits is kept for smaller work). Returns the reason to record with the CPU
   * rerun; rethrows an error that is not a GPU failure (a bug, or bad input).
   */
  gpuFailed(e: unknown, what: string): string {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof GpuLimitError) {
      this.#notice(`${what}: exceeds the GPU's limits (${message}); running it on the CPU`);
      return `gpu limits: ${message}`;
    }
    if (!isGpuFailure(e)) throw e;
    this.#notice(`${what}: the GPU is unavailable (${message}); continuing on the CPU`);
    const gpu = this.#gpu;
    this.#gpu = undefined;
    void gpu?.destroy().catch(() => {});
    return `gpu lost: ${message}`;
  }

  async upload(columns: readonly Column[]): Promise<Matrix> {
    const cpu = await this.#cpu.upload(columns);
    return this.#placed(cpu.height, cpu.width, { cpu }, undefined);
  }

  async download(m: Matrix): Promise<Column[]> {
    const p = this.#own(m);
    if (p.gpu && this.#gpu) {
      try {
        return await this.#gpu.download(p.gpu);
      } catch (e) {
        this.gpuFailed(e, 'download');
      }
    }
    return this.#cpu.download(await this.#onCpu(p));
  }

  async read(m: Matrix): Promise<readonly Column[]> {
    const p = this.#own(m);
    return p.cpu ? this.#cpu.read(p.cpu) : this.download(m);
  }

  ntt(m: Matrix): Promise<Matrix> {
    return this.#transform('ntt', m, 1, (b, x) => b.ntt(x));
  }

  intt(m: Matrix): Promise<Matrix> {
    return this.#transform('intt', m, 1, (b, x) => b.intt(x));
  }

  lde(m: Matrix, opts: LdeOptions): Promise<Matrix> {
    return this.#transform('lde', m, opts.blowup, (b, x) => b.lde(x, opts));
  }

  async hashRows(m: Matrix): Promise<Uint8Array> {
    const p = this.#own(m);
    return this.#run('hashRows', p.height * p.width, async (b, where) => b.hashRows(where === 'gpu' ? await this.#onGpu(p) : await this.#onCpu(p)));
  }

  merkleTree(leaves: Uint8Array): Promise<MerkleTree> {
    return this.#run('merkleTree', Math.floor(leaves.length / 32), (b) => b.merkleTree(leaves));
  }

  release(m: Matrix): void {
    const p = this.#own(m);
    if (p.cpu) this.#cpu.release(p.cpu);
    if (p.gpu && this.#gpu) this.#gpu.release(p.gpu);
    p.cpu = p.gpu = undefined;
    p.released = true;
  }

  async destroy(): Promise<void> {
    const gpu = this.#gpu;
    this.#gpu = undefined;
    await Promise.all([this.#cpu.destroy(), gpu?.destroy()]);
  }

  /** A column operation whose output has `growth` × the input's rows. */
  async #transform(op: Operation, m: Matrix, growth: number, apply: (b: Backend, x: Matrix) => Promise<Matrix>): Promise<Matrix> {
    const p = this.#own(m);
    const height = p.height * growth;
    const ran: { on: 'cpu' | 'gpu' } = { on: 'cpu' };
    const out = await this.#run(op, height * p.width, async (b, where) => {
      ran.on = where;
      return apply(b, where === 'gpu' ? await this.#onGpu(p) : await this.#onCpu(p));
    });
    const recompute = async () => apply(this.#cpu, await this.#onCpu(p));
    return this.#placed(out.height, out.width, ran.on === 'gpu' ? { gpu: out } : { cpu: out }, recompute);
  }

  /** Runs `body` where the thresholds say, falling back to the CPU on GPU loss or limits; records it. */
  async #run<T>(op: Operation, size: number, body: (b: Backend, where: 'cpu' | 'gpu') => Promise<T>): Promise<T> {
    let fallback: string | undefined;
    if (this.#gpu && size >= this.#thresholds[op]) {
      const gpu = this.#gpu;
      const t0 = now();
      try {
        const value = await body(gpu, 'gpu');
        const kernelMs = gpu.lastKernelMs;
        this.stages.push({ op, backend: 'gpu', size, ms: now() - t0, ...(kernelMs !== undefined ? { kernelMs } : {}) });
        return value;
      } catch (e) {
        fallback = this.gpuFailed(e, op);
      }
    }
    const t0 = now();
    const value = await body(this.#cpu, 'cpu');
    this.stages.push({ op, backend: 'cpu', size, ms: now() - t0, ...(fallback ? { fallback } : {}) });
    return value;
  }

  async #onCpu(p: Placed): Promise<Matrix> {
    if (p.cpu) return p.cpu;
    if (p.gpu && this.#gpu) {
      try {
        p.cpu = await this.#cpu.upload(await this.#gpu.download(p.gpu));
        return p.cpu;
      } catch (e) {
        this.gpuFailed(e, 'move to CPU');
      }
    }
    if (!p.recompute) throw new Error('matrix has no CPU copy and no way to rebuild it');
    p.cpu = await p.recompute();
    return p.cpu;
  }

  async #onGpu(p: Placed): Promise<Matrix> {
    if (p.gpu) return p.gpu;
    p.gpu = await this.#gpu!.upload(await this.#cpu.read(await this.#onCpu(p)));
    return p.gpu;
  }

  #placed(height: number, width: number, at: { cpu?: Matrix; gpu?: Matrix }, recompute: Placed['recompute']): Placed {
    return { backend: 'auto', height, width, cpu: at.cpu, gpu: at.gpu, recompute, released: false };
  }

  #own(m: Matrix): Placed {
    if (m.backend !== 'auto') throw new Error(`matrix is held by the ${m.backend} backend, not the scheduler`);
    const p = m as Placed;
    if (p.released) throw new Error('matrix is released');
    return p;
  }
}
