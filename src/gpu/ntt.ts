/**
 * Batched NTT, inverse NTT and coset LDE on the GPU (shaders/ntt.wgsl), matching src/ntt/ntt.ts and
 * src/ntt/lde.ts element for element. Passes are planned here: the lowest TILE_LOG index bits in one
 * pass over contiguous tiles, the bits above in passes of TILE_LOG - LANES_LOG bits over tiles that
 * are 2^LANES_LOG neighbours wide. Permutations and scale factors ride on the first and last passes.
 *
 * @module
 */
import { powersColumn, type Column } from '../field/columns.js';
import { inv, rootOfUnity } from '../field/goldilocks.js';
import { checkCosetOptions, type CosetOptions } from '../ntt/lde.js';
import { log2Size } from '../ntt/ntt.js';
import type { Kernels } from '../wasm/kernels.js';
import type { GpuContext } from './context.js';
import { runDispatches, type Dispatch } from './dispatch.js';
import { allocMatrix, columnsPerSegment, releaseMatrix, segmentsOf, type GpuMatrix, type Segment } from './matrix.js';
import { uniformStruct } from './uniforms.js';

// One tile and workgroup size for every pass keeps the pipeline variants few: each costs seconds
// to compile on SwiftShader. Passes above the first fill the whole tile (see planPasses).
/** The NTT's workgroups cooperate on a tile in workgroup memory: more threads than the elementwise kernels' WORKGROUP_SIZE. */
const TILE_THREADS = 256;
const LANES_LOG = 3;

const LOAD = { inPlace: 0, bitReversed: 1, coset: 2, copy: 3 } as const;
const STORE = { inPlace: 0, scaled: 1, scaledConst: 2, ldeNatural: 3 } as const;

/** One pass of one batch of transforms. */
const NttParams = uniformStruct('NttParams', {
  log_n: 'u32',
  low_pos: 'u32',
  stages: 'u32',
  log_lanes: 'u32',
  /** log2 of the LDE blowup: transform c is coset (c mod β) of source column c / β. */
  log_blowup: 'u32',
  /** 1 when coset c of the output block order is ω_N^bitrev(c) (bit-reversed LDE), 0 for ω_N^c. */
  coset_bit_reversed: 'u32',
  /** The twiddle table holds ω_{2^(log_n + tw_shift)}^k for k < 2^(log_n + tw_shift - 1). */
  tw_shift: 'u32',
  /**
   * Workgroup row y works on transform y + column_offset of `data`/`dst`; `src` is read at
   * transform y + src_column_offset (segments of different matrices need not start together).
   */
  column_offset: 'u32',
  src_column_offset: 'u32',
  /** The factor of STORE_SCALED_CONST; the other modes ignore it. */
  scale: 'Fp',
});

export interface NttPass {
  lowPos: number;
  stages: number;
  lanesLog: number;
}

/** log2 of the elements one workgroup holds: 8-byte elements in the device's workgroup memory, ≤ 2^12. */
function tileLog(ctx: GpuContext): number {
  return Math.min(12, Math.floor(Math.log2(ctx.limits.maxComputeWorkgroupStorageSize / 8)));
}

/**
 * The passes of a size-2^logN transform in DIT order (bit 0 first); DIF runs them reversed. Passes
 * above the first take at most tile - LANES_LOG stages and fill the tile with lanes.
 */
export function planPasses(logN: number, tile: number): NttPass[] {
  const first = Math.min(logN, tile);
  const passes: NttPass[] = [{ lowPos: 0, stages: first, lanesLog: 0 }];
  const rest = logN - first;
  const count = Math.ceil(rest / (tile - LANES_LOG));
  for (let i = 0, pos = first; i < count; i++) {
    const stages = Math.floor(rest / count) + (i < rest % count ? 1 : 0);
    passes.push({ lowPos: pos, stages, lanesLog: Math.min(tile - stages, pos) });
    pos += stages;
  }
  return passes;
}

/** The input segments that share columns with output segment `c`, and the shared column range [lo, hi). */
function overlaps(c: Segment, input: readonly Segment[]): Array<{ s: Segment; lo: number; hi: number }> {
  return input
    .map((s) => ({ s, lo: Math.max(c.firstColumn, s.firstColumn), hi: Math.min(c.firstColumn + c.columns, s.firstColumn + s.columns) }))
    .filter(({ lo, hi }) => lo < hi);
}

type LoadMode = (typeof LOAD)[keyof typeof LOAD];
type StoreMode = (typeof STORE)[keyof typeof STORE];

/** One batched transform: `columns` transforms of 2^logN elements in `data`, from column `columnOffset`. */
interface Transform {
  logN: number;
  columns: number;
  columnOffset: number;
  dit: boolean;
  twiddles: GPUBuffer;
  /** The twiddle table is for size 2^(logN + twShift). */
  twShift: number;
  data: GPUBuffer;
  load: LoadMode;
  store: StoreMode;
  src?: GPUBuffer;
  srcColumnOffset?: number;
  table?: GPUBuffer;
  dst?: GPUBuffer;
  scale?: bigint;
  logBlowup?: number;
  cosetBitReversed?: boolean;
  /** Overrides the planned passes (a copy-and-scale pass has no stages). */
  passes?: NttPass[];
}

export interface GpuResult<T> {
  value: T;
  /** Kernel time from timestamp queries, when the adapter has them. */
  kernelMs: number | undefined;
}

/** NTT, inverse NTT and LDE dispatchers with their cached twiddle and scale tables. */
export class GpuNtt {
  readonly #tables = new Map<string, GPUBuffer>();
  readonly #tile: number;

  constructor(private readonly ctx: GpuContext, private readonly k: Kernels) {
    this.#tile = tileLog(ctx);
  }

  /** ω^j (or ω^-j) for j < max(1, n/2), ω of order n = 2^logN. */
  #twiddles(logN: number, inverse: boolean): GPUBuffer {
    const root = inverse ? inv(rootOfUnity(logN)) : rootOfUnity(logN);
    return this.#table(`tw:${logN}:${inverse}`, () => powersColumn(this.k, 1n, root, Math.max(1, 2 ** logN / 2)));
  }

  /** shift^i / n for i < n: turns an unscaled inverse DIT's n·c_i into the coset's coefficients. */
  #cosetScale(logN: number, shift: bigint): GPUBuffer {
    return this.#table(`scale:${logN}:${shift}`, () => powersColumn(this.k, inv(BigInt(2 ** logN)), shift, 2 ** logN));
  }

  #table(key: string, make: () => Column): GPUBuffer {
    let buf = this.#tables.get(key);
    if (!buf) {
      buf = this.ctx.upload(make(), key);
      this.#tables.set(key, buf);
    }
    return buf;
  }

  async #dispatches(t: Transform): Promise<Dispatch[]> {
    const passes = t.passes ?? planPasses(t.logN, this.#tile);
    if (!t.dit && !t.passes) passes.reverse();
    const maxY = this.ctx.limits.maxComputeWorkgroupsPerDimension;
    const scale = t.scale ?? 0n;
    const out: Dispatch[] = [];
    for (const [p, pass] of passes.entries()) {
      const load = p === 0 ? t.load : LOAD.inPlace;
      const store = p === passes.length - 1 ? t.store : STORE.inPlace;
      const pipeline = await this.ctx.pipeline(['goldilocks', 'ntt'], {
        WORKGROUP_SIZE: TILE_THREADS, TILE_LOG: this.#tile, DIT: t.dit ? 1 : 0, LOAD_MODE: load, STORE_MODE: store,
      }, 'ntt_pass', NttParams.wgsl);
      const resources = [t.data, t.src ?? t.twiddles, t.twiddles, t.table ?? t.twiddles, t.dst ?? this.ctx.placeholder, 'params'] as const;
      for (let y = 0; y < t.columns; y += maxY) {
        const params = NttParams.pack({
          log_n: t.logN, low_pos: pass.lowPos, stages: pass.stages, log_lanes: pass.lanesLog, log_blowup: t.logBlowup ?? 0,
          coset_bit_reversed: t.cosetBitReversed ? 1 : 0, tw_shift: t.twShift,
          column_offset: t.columnOffset + y, src_column_offset: (t.srcColumnOffset ?? t.columnOffset) + y, scale,
        });
        out.push({ pipeline, resources, params, groups: [2 ** (t.logN - pass.stages - pass.lanesLog), Math.min(maxY, t.columns - y)] });
      }
    }
    return out;
  }

  /** Forward (or inverse) NTT of every column, natural order in and out, into a new matrix. */
  async ntt(m: GpuMatrix, inverse: boolean): Promise<GpuResult<GpuMatrix>> {
    const logN = log2Size(m.height);
    const segments = segmentsOf(m);
    const out = allocMatrix(this.ctx, m.height, m.width, inverse ? 'intt' : 'ntt', segments[0]!.columns);
    const dispatches: Dispatch[] = [];
    for (const [i, s] of segments.entries())
      dispatches.push(...(await this.#dispatches({
        logN, columns: s.columns, columnOffset: 0, dit: true, twiddles: this.#twiddles(logN, inverse), twShift: 0,
        data: out.segments![i]!.buffer, src: s.buffer, load: LOAD.bitReversed,
        store: inverse ? STORE.scaledConst : STORE.inPlace, scale: inv(BigInt(m.height)),
      })));
    return { value: out, kernelMs: await this.#run(inverse ? 'intt' : 'ntt', dispatches, [out]) };
  }

  /** Coset LDE of every column (src/ntt/lde.ts): β size-n transforms per column, no zero padding. */
  async lde(m: GpuMatrix, opts: CosetOptions): Promise<GpuResult<GpuMatrix>> {
    const logN = log2Size(m.height);
    const o = checkCosetOptions(opts, logN);
    const blowup = 2 ** o.logBlowup;
    const bigN = m.height * blowup;
    const per = columnsPerSegment(this.ctx, bigN);
    // Coefficients, blocks of β size-n transforms (the output of the bit-reversed order), and for
    // natural order the permuted result: three matrices with aligned segments.
    const coeffs = allocMatrix(this.ctx, m.height, m.width, 'lde coefficients', per);
    const blocks = allocMatrix(this.ctx, bigN, m.width, 'lde', per);
    const natural = o.order === 'natural' ? allocMatrix(this.ctx, bigN, m.width, 'lde natural', per) : undefined;
    const dispatches: Dispatch[] = [];
    const input = segmentsOf(m);
    for (const [i, c] of coeffs.segments!.entries()) {
      // Phase 1, interpolation: unscaled inverse DIT from the input's columns, × shift^j / n on store.
      for (const { s, lo, hi } of overlaps(c, input))
        dispatches.push(...(await this.#dispatches({
          logN, columns: hi - lo, columnOffset: lo - c.firstColumn, srcColumnOffset: lo - s.firstColumn, dit: true,
          twiddles: this.#twiddles(logN, true), twShift: 0, data: c.buffer, src: s.buffer, load: LOAD.bitReversed,
          store: STORE.scaled, table: this.#cosetScale(logN, o.shift),
        })));
      dispatches.push(...(await this.#evaluation(logN, o.logBlowup, c.buffer, c.columns, blocks.segments![i]!.buffer, natural?.segments![i]!.buffer)));
    }
    try {
      const kernelMs = await this.#run('lde', dispatches, natural ? [natural, blocks] : [blocks]);
      if (natural) releaseMatrix(blocks);
      return { value: natural ?? blocks, kernelMs };
    } finally {
      releaseMatrix(coeffs);
    }
  }

  /**
   * LDE phase 2: coset block b of each column is a DIF of the scaled coefficients (c_j·shift^j in
   * `coeffs`) × ω_N^(b·j), in place in `blocks` or permuted into `natural`.
   */
  #evaluation(logN: number, logBlowup: number, coeffs: GPUBuffer, columns: number, blocks: GPUBuffer, natural: GPUBuffer | undefined): Promise<Dispatch[]> {
    return this.#dispatches({
      logN, columns: columns * 2 ** logBlowup, columnOffset: 0, dit: false,
      twiddles: this.#twiddles(logN + logBlowup, false), twShift: logBlowup,
      data: blocks, src: coeffs, load: LOAD.coset, logBlowup,
      cosetBitReversed: !natural, store: natural ? STORE.ldeNatural : STORE.inPlace, dst: natural,
    });
  }

  /** One pass that copies `columns` of 2^logN from `src` into `data`, × table[j]. */
  #scaledCopy(
    logN: number, columns: number, src: GPUBuffer, srcColumnOffset: number, data: GPUBuffer, columnOffset: number, table: GPUBuffer,
  ): Promise<Dispatch[]> {
    return this.#dispatches({
      logN, columns, columnOffset, srcColumnOffset, dit: true, twiddles: table, twShift: 0, data, src, load: LOAD.copy,
      store: STORE.scaled, table, passes: [{ lowPos: logN, stages: 0, lanesLog: Math.min(logN, this.#tile) }],
    });
  }

  /**
   * Coefficients (natural order) of the polynomials whose evaluations on shift·⟨ω_n⟩ the columns hold
   * in bit-reversed order: an unscaled inverse DIT straight from them, × shift^−j / n on store
   * (src/ntt/lde.ts interpolateCoset after a bit reversal).
   */
  async interpolateBitReversed(m: GpuMatrix, shift: bigint): Promise<GpuResult<GpuMatrix>> {
    const logN = log2Size(m.height);
    const segments = segmentsOf(m);
    const out = allocMatrix(this.ctx, m.height, m.width, 'coefficients', segments[0]!.columns);
    const table = this.#table(`iscale:${logN}:${shift}`, () => powersColumn(this.k, inv(BigInt(m.height)), inv(shift), m.height));
    const dispatches: Dispatch[] = [];
    for (const [i, s] of segments.entries())
      dispatches.push(...(await this.#dispatches({
        logN, columns: s.columns, columnOffset: 0, dit: true, twiddles: this.#twiddles(logN, true), twShift: 0,
        data: out.segments![i]!.buffer, src: s.buffer, load: LOAD.copy, store: STORE.scaled, table,
      })));
    return { value: out, kernelMs: await this.#run('interpolate', dispatches, [out]) };
  }

  /** Evaluations of coefficient columns (length n) on shift·⟨ω_N⟩, N = β·n (src/ntt/lde.ts evaluateOnCoset). */
  async evaluateOnCoset(m: GpuMatrix, opts: CosetOptions): Promise<GpuResult<GpuMatrix>> {
    const logN = log2Size(m.height);
    const o = checkCosetOptions(opts, logN);
    const bigN = m.height * 2 ** o.logBlowup;
    const per = columnsPerSegment(this.ctx, bigN);
    const scaled = allocMatrix(this.ctx, m.height, m.width, 'scaled coefficients', per);
    const out = allocMatrix(this.ctx, bigN, m.width, 'evaluations', per);
    const natural = o.order === 'natural' ? allocMatrix(this.ctx, bigN, m.width, 'evaluations natural', per) : undefined;
    const table = this.#table(`powers:${logN}:${o.shift}`, () => powersColumn(this.k, 1n, o.shift, m.height));
    const dispatches: Dispatch[] = [];
    const input = segmentsOf(m);
    for (const [i, c] of scaled.segments!.entries()) {
      for (const { s, lo, hi } of overlaps(c, input))
        dispatches.push(...(await this.#scaledCopy(logN, hi - lo, s.buffer, lo - s.firstColumn, c.buffer, lo - c.firstColumn, table)));
      dispatches.push(...(await this.#evaluation(logN, o.logBlowup, c.buffer, c.columns, out.segments![i]!.buffer, natural?.segments![i]!.buffer)));
    }
    try {
      const kernelMs = await this.#run('evaluate on coset', dispatches, natural ? [natural, out] : [out]);
      if (natural) releaseMatrix(out);
      return { value: natural ?? out, kernelMs };
    } finally {
      releaseMatrix(scaled);
    }
  }

  /** Runs the dispatches; on failure frees the outputs so nothing leaks. */
  async #run(label: string, dispatches: Dispatch[], outputs: GpuMatrix[]): Promise<number | undefined> {
    try {
      return await runDispatches(this.ctx, label, dispatches);
    } catch (e) {
      outputs.forEach(releaseMatrix);
      throw e;
    }
  }

  destroy(): void {
    this.#tables.forEach((b) => b.destroy());
    this.#tables.clear();
  }
}
