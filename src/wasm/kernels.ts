/**
 * Host side of the WebAssembly CPU kernels (sources in ./assembly, compiled by ./build.mjs).
 *
 * One `Kernels` instance owns one module instance and its linear memory. Memory above heap_base is
 * laid out as [forward twiddles | inverse twiddles | scratch]: the twiddle tables are kept between
 * calls (per-stage layout, so the table for 2^L serves every size up to 2^L) and scratch is a bump
 * arena released after each operation. Calls are synchronous, so nothing else can touch scratch
 * meanwhile. Each worker thread gets its own instance.
 *
 * @module
 */
import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

/** The raw exports; pointers are byte offsets, lengths count u64 elements. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
  add(a: bigint, b: bigint): bigint;
  sub(a: bigint, b: bigint): bigint;
  mul(a: bigint, b: bigint): bigint;
  pow(a: bigint, e: bigint): bigint;
  inv(a: bigint): bigint;
  vec_add(out: number, a: number, b: number, n: number): void;
  vec_sub(out: number, a: number, b: number, n: number): void;
  vec_mul(out: number, a: number, b: number, n: number): void;
  vec_neg(out: number, a: number, n: number): void;
  vec_scale(out: number, a: number, c: bigint, n: number): void;
  vec_mul_powers(out: number, a: number, start: bigint, step: bigint, n: number): void;
  powers(out: number, start: bigint, step: bigint, n: number): void;
  vec_add_scalar(out: number, a: number, c: bigint, n: number): void;
  /** acc += c·x, c = (c0, c1) ∈ F_p2, x a base column; acc a pair of columns. */
  ext_axpy_base(acc0: number, acc1: number, x: number, c0: bigint, c1: bigint, n: number): void;
  /** acc += c·a for F_p2 columns. */
  ext_axpy(acc0: number, acc1: number, a0: number, a1: number, c0: bigint, c1: bigint, n: number): void;
  /** (out[0], out[1]) = Σ a[i]·(p0[i] + p1[i]·u): base column a against the F_p2 column p. */
  ext_dot_base(out: number, a: number, p0: number, p1: number, n: number): void;
  /** Synthetic division of the F_p2 polynomial p (n coefficients) by (x − z): quotient to q (q[n−1] = 0), p(z) to rem; q must not overlap p. */
  ext_div_linear(q0: number, q1: number, p0: number, p1: number, z0: bigint, z1: bigint, n: number, rem: number): void;
  /** One binary FRI fold with α = (a0, a1) of the F_p2 layer v, h[j] = 1/(2·x_j): half values out. */
  ext_fold(o0: number, o1: number, v0: number, v1: number, h: number, a0: bigint, a1: bigint, half: number): void;
  batch_inverse(out: number, a: number, scratch: number, n: number): number;
  twiddles(out: number, logN: number, root: bigint): void;
  dif(a: number, logN: number, tw: number): void;
  dit(a: number, logN: number, tw: number): void;
  bit_reverse(a: number, logN: number): void;
  /** BLAKE3 of each row's cols u64 elements (8 bytes LE each) at data + r·rowStride + c·colStride; 32 bytes per row at out. */
  blake3_rows(out: number, data: number, rows: number, cols: number, rowStride: number, colStride: number): void;
  /** out[i] = BLAKE3(data[64i .. 64i+64)), 32 bytes each; out may equal data. */
  blake3_pairs(out: number, data: number, pairs: number): void;
  /** Parents of the child pairs named by u32 indices idx (2 per pair) into the 32-byte nodes at `nodes`; scratch takes 64 bytes per pair. */
  blake3_pairs_gather(out: number, nodes: number, idx: number, pairs: number, scratch: number): void;
  /** BLAKE3 of len bytes at data; 32 bytes at out. */
  blake3_bytes(out: number, data: number, len: number): void;
  /** The first nonce in [start, start + count) whose BLAKE3(data[0 .. len − 8) ‖ le64(nonce)) has ≥ bits leading zero bits; −1 if none. */
  blake3_grind(out: number, data: number, len: number, bits: number, start: bigint, count: bigint): bigint;
  scatter_bit_reversed(out: number, a: number, logN: number, stride: number, offset: number): void;
  /** The DEEP composition at m points x_r = shift·ω^exps[r] from opened rows (./assembly/points.ts has the params layout). */
  deep_points(out: number, trace: number, comp: number, exps: number, m: number, w: number, s: number, params: number, scratch: number): void;
  /** FRI folds of m groups of 2^logF interleaved F_p2 values, in place, down to each group's first value. */
  fold_groups(values: number, exps: number, m: number, logF: number, invShift: bigint, invOmega: bigint, alpha0: bigint, alpha1: bigint, invRoots: number): void;
  /** An F_p2 polynomial of d coefficients at m points x_r = shift·ω^exps[r]. */
  eval_points(out: number, coeffs: number, d: number, shift: bigint, omega: bigint, exps: number, m: number): void;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB; keep a margin so offsets never wrap. */
const MAX_BYTES = 4 * 1024 ** 3 - PAGE;

let compiled: Promise<WebAssembly.Module> | undefined;
let compiledSync: WebAssembly.Module | undefined;

function wasmBytes(): Uint8Array {
  const bin = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const imports = {
  env: {
    abort(): never {
      throw new Error('capseal wasm kernel aborted (internal error)');
    },
  },
};

export class Kernels {
  readonly raw: KernelExports;
  private readonly base: number;
  private twiddleLog = -1;
  private twiddleTables = { forward: 0, inverse: 0 };
  private scratchStart: number;
  private top: number;
  private readonly linked = new WeakMap<WebAssembly.Module, WebAssembly.Exports>();

  private constructor(instance: WebAssembly.Instance) {
    this.raw = instance.exports as unknown as KernelExports;
    this.base = this.raw.heap_base();
    this.scratchStart = this.base;
    this.top = this.base;
  }

  /** Compiles (once per process) and instantiates the kernels. Works in Node, workers and browsers. */
  static async load(): Promise<Kernels> {
    compiled ??= WebAssembly.compile(wasmBytes() as BufferSource);
    return new Kernels(await WebAssembly.instantiate(await compiled, imports));
  }

  /** Synchronous variant for Node and workers (browsers refuse large synchronous compiles on the main thread). */
  static loadSync(): Kernels {
    compiledSync ??= new WebAssembly.Module(wasmBytes() as BufferSource);
    return new Kernels(new WebAssembly.Instance(compiledSync, imports));
  }

  /**
   * The exports of `module` (a kernel generated at run time, ./emit.ts) instantiated on this instance's
   * memory: one instance per module, so its pointers mean what this instance's do.
   */
  link(module: WebAssembly.Module): WebAssembly.Exports {
    let exports = this.linked.get(module);
    if (!exports) this.linked.set(module, (exports = new WebAssembly.Instance(module, { env: { memory: this.raw.memory } }).exports));
    return exports;
  }

  /** A fresh u64 view of memory (views go stale when memory grows). */
  get u64(): BigUint64Array {
    return new BigUint64Array(this.raw.memory.buffer);
  }

  get u8(): Uint8Array {
    return new Uint8Array(this.raw.memory.buffer);
  }

  /** Reserves `bytes` of scratch (64-byte aligned), growing memory as needed. */
  alloc(bytes: number): number {
    const ptr = Math.ceil(this.top / 64) * 64;
    const end = ptr + bytes;
    if (end > MAX_BYTES) throw new RangeError(`wasm kernels: ${end} bytes exceed the 4 GiB address space`);
    const have = this.raw.memory.buffer.byteLength;
    if (end > have) this.raw.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return ptr;
  }

  /** alloc(), zero-filled (scratch is reused, so it holds old data otherwise). */
  allocZeroed(bytes: number): number {
    const ptr = this.alloc(bytes);
    this.u8.fill(0, ptr, ptr + bytes);
    return ptr;
  }

  /** Runs `fn` with a scratch arena that is released afterwards, even if `fn` throws. */
  scoped<T>(fn: () => T): T {
    const mark = this.top;
    try {
      return fn();
    } finally {
      this.top = mark;
    }
  }

  /** Copies a column into fresh scratch and returns its pointer. */
  put(col: BigUint64Array, ptr = this.alloc(col.length * 8)): number {
    this.u64.set(col, ptr / 8);
    return ptr;
  }

  /** Copies n elements at ptr out of wasm memory. */
  get(ptr: number, n: number): BigUint64Array {
    return this.u64.slice(ptr / 8, ptr / 8 + n);
  }

  /** Copies n elements at ptr into `out` (no allocation). */
  getInto(ptr: number, out: BigUint64Array): BigUint64Array {
    out.set(this.u64.subarray(ptr / 8, ptr / 8 + out.length));
    return out;
  }

  /**
   * Pointers to the forward and inverse per-stage twiddle tables covering sizes up to 2^logN (each
   * with the radix-4 cubes below it: ./assembly/ntt.ts).
   * Must be called before any alloc() of the current operation: growing the tables moves scratch.
   */
  twiddles(logN: number, forwardRoot: (logN: number) => bigint, inverseRoot: (logN: number) => bigint) {
    if (logN > this.twiddleLog) {
      if (this.top !== this.scratchStart) throw new Error('wasm kernels: twiddles() called with live scratch');
      this.top = this.base;
      // Each table has its radix-4 cubes (n/2 elements) just below it.
      const table = (root: bigint) => {
        const at = this.alloc(8 * 1.5 * 2 ** logN) + 8 * 2 ** (logN - 1);
        this.raw.twiddles(at, logN, root);
        return at;
      };
      this.twiddleTables = { forward: table(forwardRoot(logN)), inverse: table(inverseRoot(logN)) };
      this.twiddleLog = logN;
      this.scratchStart = this.top;
    }
    return this.twiddleTables;
  }
}
