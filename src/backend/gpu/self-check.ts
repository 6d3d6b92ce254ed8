/**
 * The GPU self-check behind `capseal doctor`: every kernel on small inputs against the CPU — field
 * arithmetic against the BigInt field (src/field), transforms and hashing against CpuBackend —
 * byte for byte, one pass/fail per kernel. gpu-tests/ runs the exhaustive version of each.
 *
 * @module
 */
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import type { FieldOp } from '../../gpu/field-ops.js';
import type { LdeOptions } from '../../ntt/lde.js';
import type { Backend, Matrix } from '../backend.js';
import type { CpuBackend } from '../cpu/cpu-backend.js';
import type { GpuBackend } from './gpu-backend.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** Throws at the first differing byte. */
export function assertSameBytes(got: ArrayBufferView, want: ArrayBufferView, what: string): void {
  const a = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
  const b = new Uint8Array(want.buffer, want.byteOffset, want.byteLength);
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} bytes, expected ${b.length}`);
  const i = a.findIndex((x, j) => x !== b[j]);
  if (i >= 0) throw new Error(`${what}: first difference at byte ${i} (element ${Math.floor(i / 8)})`);
}

export function assertSameColumns(got: readonly ArrayBufferView[], want: readonly ArrayBufferView[], what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} columns, expected ${want.length}`);
  got.forEach((c, i) => assertSameBytes(c, want[i]!, `${what}, column ${i}`));
}

/** Deterministic canonical elements: edge values, then a xorshift sequence. */
function elements(n: number, seed: number): BigUint64Array {
  const edges = [0n, 1n, Fp.P - 1n, Fp.P - 2n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, Fp.P - 2n ** 32n];
  const out = new BigUint64Array(n);
  let s = BigInt(seed) | 1n;
  for (let i = 0; i < n; i++) {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    out[i] = i < edges.length ? edges[i]! : s % Fp.P;
  }
  return out;
}

const inv0 = (x: bigint) => (x === 0n ? 0n : Fp.inv(x));
const ext = (w: BigUint64Array, i: number): Fp2.Fp2 => [w[2 * i]!, w[2 * i + 1]!];
const extInv0 = (a: Fp2.Fp2): Fp2.Fp2 => (Fp2.isZero(a) ? Fp2.ZERO : Fp2.inv(a));

const BASE_OPS: Partial<Record<FieldOp, (a: bigint, b: bigint) => bigint>> = {
  add: Fp.add, sub: Fp.sub, mul: Fp.mul, square: Fp.square, neg: Fp.neg, inv: inv0, pow: Fp.pow,
};
const EXT_OPS: Partial<Record<FieldOp, (a: Fp2.Fp2, b: Fp2.Fp2) => Fp2.Fp2>> = {
  fp2_add: Fp2.add, fp2_sub: Fp2.sub, fp2_mul: Fp2.mul, fp2_square: Fp2.square, fp2_inv: extInv0,
};

async function checkFieldOp(gpu: GpuBackend, op: FieldOp): Promise<void> {
  const a = elements(256, 11), b = elements(256, 23).reverse();
  const got = await gpu.fieldMap(op, a, b);
  const want = new BigUint64Array(a.length);
  const base = BASE_OPS[op], extOp = EXT_OPS[op];
  if (base) a.forEach((x, i) => (want[i] = base(x, b[i]!)));
  else if (extOp) for (let i = 0; i < a.length / 2; i++) want.set(extOp(ext(a, i), ext(b, i)), 2 * i);
  assertSameBytes(got, want, op);
}

/** Runs `op` on both backends from the same columns and compares the downloaded results. */
async function checkTransform(cpu: Backend, gpu: Backend, cols: BigUint64Array[], op: (b: Backend, m: Matrix) => Promise<Matrix>, what: string) {
  const results: ArrayBufferView[][] = [];
  for (const b of [cpu, gpu]) {
    const m = await b.upload(cols);
    const out = await op(b, m);
    results.push(await b.download(out));
    b.release(out);
    b.release(m);
  }
  assertSameColumns(results[1]!, results[0]!, what);
}

async function checkLeaves(cpu: Backend, gpu: Backend, cols: BigUint64Array[]) {
  const [mc, mg] = [await cpu.upload(cols), await gpu.upload(cols)];
  assertSameBytes(await gpu.hashRows(mg), await cpu.hashRows(mc), 'leaves');
  cpu.release(mc);
  gpu.release(mg);
}

async function checkMerkle(cpu: Backend, gpu: Backend) {
  const leaves = new Uint8Array(elements(4 * 256, 5).buffer);
  const [want, got] = [await cpu.merkleTree(leaves), await gpu.merkleTree(leaves)];
  for (let level = 0; level <= want.depth; level++)
    for (let i = 0; i < 2 ** (want.depth - level); i++) assertSameBytes(got.node(level, i), want.node(level, i), `node (${level}, ${i})`);
}

const FIELD_OPS: FieldOp[] = ['add', 'sub', 'mul', 'square', 'neg', 'inv', 'pow', 'fp2_add', 'fp2_sub', 'fp2_mul', 'fp2_square', 'fp2_inv'];

/**
 * Every kernel's check, in order, then `extra` ones (the STARK kernels, from src/cli/stark-self-check.ts);
 * `onResult` sees each as it finishes.
 */
export async function selfCheck(
  gpu: GpuBackend, cpu: CpuBackend, onResult: (r: CheckResult) => void = () => {}, extra: ReadonlyArray<[string, () => Promise<void>]> = [],
): Promise<CheckResult[]> {
  const cols = (logN: number, width: number) => Array.from({ length: width }, (_, j) => elements(2 ** logN, 100 + j));
  const lde = (opts: LdeOptions) => (b: Backend, m: Matrix) => b.lde(m, opts);
  const checks: Array<[string, () => Promise<void>]> = [
    ...FIELD_OPS.map((op): [string, () => Promise<void>] => [`field ${op}`, () => checkFieldOp(gpu, op)]),
    ['ntt 2^10 × 3', () => checkTransform(cpu, gpu, cols(10, 3), (b, m) => b.ntt(m), 'ntt')],
    ['intt 2^10 × 3', () => checkTransform(cpu, gpu, cols(10, 3), (b, m) => b.intt(m), 'intt')],
    ['ntt 2^14 (multi-pass)', () => checkTransform(cpu, gpu, cols(14, 1), (b, m) => b.ntt(m), 'ntt')],
    ['lde 2^8 × 3, blowup 8, natural', () => checkTransform(cpu, gpu, cols(8, 3), lde({ blowup: 8, order: 'natural' }), 'lde')],
    ['lde 2^8 × 3, blowup 4, bit-reversed', () => checkTransform(cpu, gpu, cols(8, 3), lde({ blowup: 4, order: 'bit-reversed' }), 'lde')],
    ['lde 2^8 × 3 from coefficients, blowup 8, natural', () => checkTransform(cpu, gpu, cols(8, 3), lde({ blowup: 8, order: 'natural', from: 'coefficients' }), 'lde')],
    ['leaves 2^8 × 5', () => checkLeaves(cpu, gpu, cols(8, 5))],
    ['leaves 2^4 × 129 (two chunks)', () => checkLeaves(cpu, gpu, cols(4, 129))],
    ['merkle 2^8 leaves', () => checkMerkle(cpu, gpu)],
    ...extra,
  ];
  const results: CheckResult[] = [];
  for (const [name, run] of checks) {
    const t0 = performance.now();
    let r: CheckResult;
    try {
      await run();
      r = { name, ok: true, ms: performance.now() - t0 };
    } catch (e) {
      r = { name, ok: false, ms: performance.now() - t0, error: e instanceof Error ? e.message : String(e) };
    }
    results.push(r);
    onResult(r);
  }
  return results;
}
