/**
 * CpuBackend: the Backend contract on the WebAssembly kernels, optionally spread over worker threads.
 * This is the `baseline_no_accel` track. Column operations split by columns, row hashing by row
 * ranges; small inputs run inline because a worker round trip costs more than they do.
 *
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { assertCanonicalColumn, SHARED_MEMORY, sharedColumn, toWorker, type Column } from '../../field/columns.js';
import { hashPairs, hashRows, rowsSubtree, subtreeLayers } from '../../hash/leaves.js';
import { buildMerkleTree, treeFromSubtrees, type MerkleTree } from '../../merkle/tree.js';
import { ldeInput, type LdeOptions } from '../../ntt/lde.js';
import { reverseBits } from '../../ntt/points.js';
import { sameLengthLog } from '../../ntt/ntt.js';
import { Kernels } from '../../wasm/kernels.js';
import type { Backend, Matrix } from '../backend.js';
import { BACKEND_JOBS, handles, runJob, type Job, type JobHandlers, type JobResult, type JobRunner } from './jobs.js';

interface CpuMatrix extends Matrix {
  readonly backend: 'cpu';
  columns: Column[] | undefined;
}

/** The levels of a commitment's tree not kept (commitRows): 2^5 leaves are hashed again per opened group. */
export const PRUNED_LEVELS = 5;

/** Below this many elements of work a job runs on the calling thread. */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;

/** Splits [0, total) into at most `parts` contiguous non-empty ranges. */
export function ranges(total: number, parts: number): Array<[number, number]> {
  const count = Math.max(1, Math.min(parts, total));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const lo = Math.floor((total * i) / count), hi = Math.floor((total * (i + 1)) / count);
    if (hi > lo) out.push([lo, hi]);
  }
  return out;
}

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  /** Threads doing the work: the pool's size, or 1 when everything runs on the calling thread. */
  readonly threads: number;
  readonly description: string;

  // Not a #private field: tests (and wrappers) derive backends from an instance with Object.create.
  private readonly interpolations = new WeakMap<Matrix, Column[]>();

  private constructor(private readonly k: Kernels, private readonly pool: JobRunner | undefined, private readonly jobs: JobHandlers) {
    this.threads = pool?.size ?? 1;
    this.description = `cpu: wasm × ${this.threads} thread${this.threads > 1 ? 's' : ''}`;
  }

  /**
   * `pool` spreads work over threads (see ./node.ts for Node's worker pool); `jobs` is the table its
   * workers serve (default BACKEND_JOBS), which the calling thread uses too when it runs a job inline.
   */
  static async create(opts: { pool?: JobRunner; jobs?: JobHandlers } = {}): Promise<CpuBackend> {
    return new CpuBackend(await Kernels.load(), opts.pool, opts.jobs ?? BACKEND_JOBS);
  }

  /** Whether this backend (and its workers) run `op` jobs. */
  handles(op: string): boolean {
    return handles(this.jobs, op);
  }

  /** The CPU backend runs its own jobs. */
  get cpuJobs(): CpuBackend {
    return this;
  }

  get kernels(): Kernels {
    return this.k;
  }

  /** The bytes this backend's WebAssembly memories (its own and its workers') have grown to: the most they held. */
  memoryBytes(): number {
    return this.k.raw.memory.buffer.byteLength + (this.pool?.memoryBytes() ?? 0);
  }

  async upload(columns: readonly Column[]): Promise<Matrix> {
    if (columns.length === 0) throw new RangeError('upload: a matrix needs at least one column');
    const logN = sameLengthLog(columns);
    columns.forEach((c, i) => assertCanonicalColumn(c, `column ${i}`));
    return this.wrap(columns.map((c) => c.slice()), 2 ** logN);
  }

  async download(m: Matrix): Promise<Column[]> {
    return this.columnsOf(m).map((c) => c.slice());
  }

  /** No copy: a CPU matrix's columns are never written once made (every operation makes new ones). */
  async read(m: Matrix): Promise<readonly Column[]> {
    return this.columnsOf(m);
  }

  ntt(m: Matrix): Promise<Matrix> {
    return this.columnJob(m, (columns) => ({ op: 'ntt', columns }));
  }

  /** A matrix's interpolation is kept with it (matrices are never written): an LDE of evaluations computes it, and a later intt reuses it. */
  async intt(m: Matrix): Promise<Matrix> {
    let coefficients = this.interpolations.get(m);
    if (!coefficients) this.interpolations.set(m, (coefficients = this.columnsOf(await this.columnJob(m, (columns) => ({ op: 'intt', columns })))));
    this.columnsOf(m); // refuses a released matrix even when the coefficients are known
    return this.wrap(coefficients, m.height);
  }

  /**
   * From evaluations: the interpolation (kept, see intt), then the cosets. With threads, every
   * (column, coset) pair is a unit of work, split evenly over them — five columns on two threads take
   * two and a half columns' time each, not three — and each unit's block lands at its place in the
   * bit-reversed LDE: written there by the worker when the columns are in shared memory (then the
   * commitment and the composition read them without a copy either), else copied in here.
   */
  async lde(m: Matrix, opts: LdeOptions): Promise<Matrix> {
    const fromCoefficients = ldeInput(opts) === 'coefficients';
    const coefficients = fromCoefficients ? m : await this.intt(m);
    const opt = { ...opts, from: 'coefficients' as const };
    const pool = this.pool, blowup = opts.blowup;
    const units = (opts.order ?? 'natural') === 'bit-reversed' && (SHARED_MEMORY || m.width % (pool?.size ?? 1) !== 0);
    if (!pool || !units || m.height * m.width * blowup < PARALLEL_MIN_ELEMENTS)
      return this.columnJob(coefficients, (columns) => ({ op: 'lde', columns, opts: opt }), blowup);
    const columns = this.columnsOf(coefficients), n = m.height, logBlowup = Math.log2(blowup);
    const all = columns.flatMap((_, c) => Array.from({ length: blowup }, (_, t) => [c, t] as [number, number]));
    const out = columns.map(() => sharedColumn(n * blowup));
    const place = ([c, t]: readonly [number, number]) => out[c]!.subarray(reverseBits(t, logBlowup) * n, (reverseBits(t, logBlowup) + 1) * n);
    await Promise.all(ranges(all.length, pool.size).map(async ([lo, hi]) => {
      const mine = all.slice(lo, hi), used = [...new Set(mine.map(([c]) => c))], moved: ArrayBuffer[] = [];
      const sent = used.map((c) => toWorker(columns[c]!, moved));
      const job = { op: 'cosetBlocks', columns: sent, units: mine.map(([c, t]) => [used.indexOf(c), t]), opts: opt, ...(SHARED_MEMORY && { into: mine.map(place) }) };
      const r = await pool.run(job, moved);
      if (!SHARED_MEMORY) columnsOf(r).forEach((block, i) => place(mine[i]!).set(block));
    }));
    return this.wrap(out, n * blowup);
  }

  async hashRows(m: Matrix): Promise<Uint8Array> {
    const columns = this.columnsOf(m);
    if (!this.pool || m.height * m.width < PARALLEL_MIN_ELEMENTS) return this.run({ op: 'hashRows', columns }).then(bytesOf);
    // Fresh slices, moved to the workers: cloning a subarray would copy its whole column.
    const parts = await Promise.all(
      ranges(m.height, this.pool.size).map(([lo, hi]) => {
        const moved: ArrayBuffer[] = [];
        const slices = columns.map((c) => toWorker(c, moved, lo, hi));
        return this.pool!.run({ op: 'hashRows', columns: slices }, moved).then(bytesOf);
      }),
    );
    return concatBytes(...parts);
  }

  /**
   * hashRows and merkleTree in one, keeping the tree's levels from PRUNED_LEVELS up only: a node below
   * is hashed again from this matrix's rows when an opening asks for it (the tree holds the columns,
   * which are never written), so a tree takes 1/16 of its leaf layer's memory rather than twice it.
   * With threads, each builds the subtree of a power-of-two share of the rows, and only the few levels
   * above are hashed here; no layer is copied or concatenated.
   */
  commitRows(m: Matrix): Promise<MerkleTree> {
    return this.commitColumns(this.columnsOf(m));
  }

  async commitColumns(columns: readonly Column[]): Promise<MerkleTree> {
    const height = columns[0]!.length, width = columns.length;
    const pool = this.pool && height * width >= PARALLEL_MIN_ELEMENTS ? this.pool : undefined;
    const parts = pool ? 2 ** Math.floor(Math.log2(Math.min(pool.size, height))) : 1;
    const share = height / parts, keptFrom = Math.min(PRUNED_LEVELS, Math.log2(share));
    const subtrees = await Promise.all(Array.from({ length: parts }, async (_, i) => {
      if (!pool) return subtreeLayers(rowsSubtree(this.k, columns, keptFrom));
      const moved: ArrayBuffer[] = [];
      const slices = columns.map((c) => toWorker(c, moved, i * share, (i + 1) * share));
      return pool.run({ op: 'rowsSubtree', columns: slices, keptFrom }, moved).then((r) => subtreeLayers(bytesOf(r)));
    }));
    const hashLayer = (children: Uint8Array) => hashPairs(this.k, children);
    return treeFromSubtrees(subtrees, hashLayer, { keptFrom, leaves: (first, count) => hashRows(this.k, columns.map((c) => c.subarray(first, first + count))) });
  }

  async merkleTree(leaves: Uint8Array): Promise<MerkleTree> {
    return buildMerkleTree(leaves, (children) => hashPairs(this.k, children), { keepLeaves: true });
  }

  release(m: Matrix): void {
    (m as CpuMatrix).columns = undefined;
    this.interpolations.delete(m);
  }

  /**
   * Runs independent jobs (./jobs.ts) spread over the worker pool, or inline without one; results in
   * order. `fresh` makes a job's inputs: `copy` says they must be fresh arrays, which are then moved
   * to the worker (a cloned subarray would copy its whole buffer); inline, views will do.
   */
  runJobs<T>(items: readonly T[], fresh: (item: T, copy: boolean) => { job: Job; transfer: ArrayBuffer[] }): Promise<JobResult[]> {
    const pool = this.pool;
    if (!pool) return Promise.resolve(items.map((it) => runJob(this.k, this.jobs, fresh(it, false).job)));
    return Promise.all(items.map((it) => {
      const { job, transfer } = fresh(it, true);
      return pool.run(job, transfer);
    }));
  }

  async destroy(): Promise<void> {
    await this.pool?.destroy();
  }

  private wrap(columns: Column[], height: number): CpuMatrix {
    return { backend: 'cpu', height, width: columns.length, columns };
  }

  private columnsOf(m: Matrix): Column[] {
    const cols = m.backend === 'cpu' ? (m as CpuMatrix).columns : undefined;
    if (!cols) throw new Error(`matrix is ${m.backend === 'cpu' ? 'released' : `held by the ${m.backend} backend`}`);
    return cols;
  }

  private run(job: Job): Promise<JobResult> {
    return this.pool ? this.pool.run(job) : Promise.resolve(runJob(this.k, this.jobs, job));
  }

  /** Runs a per-column job, split by columns across the pool when worth it; keeps column order. */
  private async columnJob(m: Matrix, make: (columns: Column[]) => Job, growth = 1): Promise<Matrix> {
    const columns = this.columnsOf(m);
    const inline = !this.pool || m.width < 2 || m.height * m.width * growth < PARALLEL_MIN_ELEMENTS;
    const groups = inline ? [[0, m.width] as [number, number]] : ranges(m.width, this.pool!.size);
    const results = await Promise.all(
      groups.map(([lo, hi]) => (inline ? Promise.resolve(runJob(this.k, this.jobs, make(columns.slice(lo, hi)))) : this.run(make(columns.slice(lo, hi))))),
    );
    const out = results.flatMap(columnsOf);
    return this.wrap(out, out[0]!.length);
  }
}

const bytesOf = (r: JobResult): Uint8Array => {
  if (!('bytes' in r)) throw new Error('CPU job returned columns where bytes were expected');
  return r.bytes;
};
const columnsOf = (r: JobResult): Column[] => {
  if (!('columns' in r)) throw new Error('CPU job returned bytes where columns were expected');
  return r.columns;
};
