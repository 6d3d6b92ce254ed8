/**
 * A small WebAssembly binary writer for kernels generated at run time (WebAssembly Core
 * Specification 2.0, §5 "Binary Format"): one module importing `env.memory` (the kernels' memory,
 * ./kernels.ts), with i32/i64 functions built instruction by instruction, and the Goldilocks field
 * operations as inline instruction sequences — the same arithmetic as ./assembly/goldilocks.ts, so a
 * generated kernel computes exactly what the fixed ones do. The output depends only on what was
 * emitted, so equal inputs give byte-identical modules.
 *
 * @module
 */

export type ValType = 'i32' | 'i64';

/**
 * Points per call when running a generated kernel over a column: engines move a function to their
 * optimizing tier between calls, never during one, so one call over millions of points would run
 * entirely in the baseline tier.
 */
const KERNEL_CALL_POINTS = 1 << 12;

/** Runs a generated kernel f(params, start, end) over points [0, n), KERNEL_CALL_POINTS a call. */
export function runInCalls(f: (params: number, start: number, end: number) => void, params: number, n: number): void {
  for (let start = 0; start < n; start += KERNEL_CALL_POINTS) f(params, start, Math.min(n, start + KERNEL_CALL_POINTS));
}
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e };

/** Opcodes this writer uses (spec §5.4). */
export const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29, i64Store: 0x37,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32GeU: 0x4f, i64Eqz: 0x50, i64Ne: 0x52, i64LtU: 0x54, i64GeU: 0x5a,
  i32Add: 0x6a, i32Mul: 0x6c, i32Or: 0x72, i32Shl: 0x74,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64And: 0x83, i64Shl: 0x86, i64ShrU: 0x88,
} as const;
const EMPTY_BLOCK = 0x40;

function uleb(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`wasm emit: ${n} is not an unsigned integer`);
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Signed LEB128 of a value in [−2^63, 2^64) taken as a 64-bit two's-complement word. */
function sleb64(v: bigint): number[] {
  let x = BigInt.asIntN(64, v);
  const out: number[] = [];
  for (;;) {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    const done = (x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const sleb32 = (v: number): number[] => sleb64(BigInt(v | 0));
const bytesOf = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** One function's body, built by appending instructions; locals are numbered after the parameters. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  private readonly free: Record<ValType, number[]> = { i32: [], i64: [] };

  constructor(readonly name: string, readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** A new local of `type`, reusing one handed back with `release`. */
  local(type: ValType): number {
    const reused = this.free[type].pop();
    if (reused !== undefined) return reused;
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** Hands locals back for reuse (their values are dead). */
  release(...locals: number[]): void {
    for (const l of locals) this.free[this.typeOf(l)].push(l);
  }

  typeOf(local: number): ValType {
    return local < this.params.length ? this.params[local]! : this.locals[local - this.params.length]!;
  }

  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(local: number): this {
    return this.op(OP.localGet, ...uleb(local));
  }

  set(local: number): this {
    return this.op(OP.localSet, ...uleb(local));
  }

  tee(local: number): this {
    return this.op(OP.localTee, ...uleb(local));
  }

  i32(v: number): this {
    return this.op(OP.i32Const, ...sleb32(v));
  }

  i64(v: bigint): this {
    return this.op(OP.i64Const, ...sleb64(v));
  }

  /** i64.load at the address on the stack plus `offset` bytes (8-byte aligned). */
  load64(offset = 0): this {
    return this.op(OP.i64Load, 3, ...uleb(offset));
  }

  load32(offset = 0): this {
    return this.op(OP.i32Load, 2, ...uleb(offset));
  }

  store64(offset = 0): this {
    return this.op(OP.i64Store, 3, ...uleb(offset));
  }

  /** `block … end` with a branch target; `br(depth)` inside leaves it. */
  block(body: () => void): this {
    this.op(OP.block, EMPTY_BLOCK);
    body();
    return this.op(OP.end);
  }

  /** `loop … end`; `br(depth)` inside jumps back to its start. */
  loop(body: () => void): this {
    this.op(OP.loop, EMPTY_BLOCK);
    body();
    return this.op(OP.end);
  }

  brIf(depth: number): this {
    return this.op(OP.brIf, ...uleb(depth));
  }

  br(depth: number): this {
    return this.op(OP.br, ...uleb(depth));
  }

  /** The encoded body: local declarations (runs of one type), the code, `end`. */
  encode(): number[] {
    const runs: number[][] = [];
    for (let i = 0; i < this.locals.length;) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      runs.push([...uleb(j - i), VALTYPE[this.locals[i]!]]);
      i = j;
    }
    const body = [...vec(runs), ...this.code, OP.end];
    return [...uleb(body.length), ...body];
  }
}

/** A module of exported functions over an imported `env.memory`. */
export function encodeModule(functions: readonly FunctionBuilder[]): Uint8Array {
  const type = (f: FunctionBuilder) => [0x60, ...vec(f.params.map((t) => [VALTYPE[t]])), ...vec(f.results.map((t) => [VALTYPE[t]]))];
  const name = (s: string) => [...uleb(bytesOf(s).length), ...bytesOf(s)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(functions.map(type))),
    // import env.memory: memory type with limits {min 0, no max}
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map((f) => f.encode()))),
  ]);
}

/** p = 2^64 − 2^32 + 1 and 2^64 mod p (= −p mod 2^64). */
const P = 0xffffffff00000001n, EPS = 0xffffffffn;

/**
 * A field value while generating code: a constant (folded at generation time) or an i64 local holding
 * a canonical element. Operations return fresh locals; `release` hands back the ones a caller is done with.
 */
export type FieldValue = { readonly c: bigint } | { readonly local: number };

/**
 * Goldilocks arithmetic emitted into `f`, each operation mirroring ./assembly/goldilocks.ts (branchless
 * selects, the same reduction of a 128-bit product), so values stay canonical.
 */
export class FieldEmitter {
  constructor(readonly f: FunctionBuilder) {}

  private push(v: FieldValue): void {
    if ('c' in v) this.f.i64(v.c);
    else this.f.get(v.local);
  }

  /** Leaves the value's local (a fresh one when it is a constant). */
  toLocal(v: FieldValue): number {
    if ('local' in v) return v.local;
    const l = this.f.local('i64');
    this.f.i64(v.c).set(l);
    return l;
  }

  /** Gives back `v`'s local for reuse, unless it is one of `keep`. */
  release(v: FieldValue, keep: ReadonlySet<number> = new Set()): void {
    if ('local' in v && !keep.has(v.local)) this.f.release(v.local);
  }

  add(a: FieldValue, b: FieldValue): FieldValue {
    const { f } = this;
    const s = f.local('i64'), x = this.toLocal(a);
    // s = a + b; s − P when a + b wrapped or s ≥ P.
    f.get(x); this.push(b); f.op(OP.i64Add).set(s);
    f.get(s).i64(P).op(OP.i64Sub).get(s);
    f.get(s).get(x).op(OP.i64LtU).get(s).i64(P).op(OP.i64GeU, OP.i32Or, OP.select).set(s);
    if ('c' in a) f.release(x);
    return { local: s };
  }

  sub(a: FieldValue, b: FieldValue): FieldValue {
    // a − c = a + (p − c) for a constant c ≠ 0: the addition's form takes a constant operand.
    if ('c' in b && b.c !== 0n) return this.add(a, { c: P - b.c });
    const { f } = this;
    const d = f.local('i64'), x = this.toLocal(a), y = this.toLocal(b);
    f.get(x).get(y).op(OP.i64Sub).set(d);
    f.get(d).i64(P).op(OP.i64Add).get(d);
    f.get(x).get(y).op(OP.i64LtU, OP.select).set(d);
    if ('c' in a) f.release(x);
    if ('c' in b) f.release(y);
    return { local: d };
  }

  neg(a: FieldValue): FieldValue {
    const { f } = this;
    const r = f.local('i64'), x = this.toLocal(a);
    f.i64(P).get(x).op(OP.i64Sub).i64(0n).get(x).op(OP.i64Eqz, OP.i32Eqz, OP.select).set(r);
    if ('c' in a) f.release(x);
    return { local: r };
  }

  mul(a: FieldValue, b: FieldValue): FieldValue {
    const { f } = this;
    const x = this.toLocal(a);
    const [a0, a1, b0, b1, ll, lh, hl, hi, t0, t1] = Array.from({ length: 10 }, () => f.local('i64'));
    const r = f.local('i64');
    f.get(x).i64(EPS).op(OP.i64And).set(a0!);
    f.get(x).i64(32n).op(OP.i64ShrU).set(a1!);
    const low = (v: FieldValue) => ('c' in v ? f.i64(v.c & EPS) : f.get(v.local).i64(EPS).op(OP.i64And));
    const high = (v: FieldValue) => ('c' in v ? f.i64(v.c >> 32n) : f.get(v.local).i64(32n).op(OP.i64ShrU));
    low(b); f.set(b0!);
    high(b); f.set(b1!);
    f.get(a0!).get(b0!).op(OP.i64Mul).set(ll!);
    f.get(a0!).get(b1!).op(OP.i64Mul).set(lh!);
    f.get(a1!).get(b0!).op(OP.i64Mul).set(hl!);
    // mid = (ll >> 32) + (lh & EPS) + (hl & EPS) < 3·2^32; hi = a1·b1 + (lh >> 32) + (hl >> 32) + (mid >> 32)
    f.get(ll!).i64(32n).op(OP.i64ShrU).get(lh!).i64(EPS).op(OP.i64And, OP.i64Add).get(hl!).i64(EPS).op(OP.i64And, OP.i64Add);
    f.i64(32n).op(OP.i64ShrU);
    f.get(a1!).get(b1!).op(OP.i64Mul, OP.i64Add);
    f.get(lh!).i64(32n).op(OP.i64ShrU, OP.i64Add).get(hl!).i64(32n).op(OP.i64ShrU, OP.i64Add).set(hi!);
    // lo = a·b (wrapping); reduce hi·2^64 + lo with 2^64 ≡ EPS and 2^96 ≡ −1.
    const lo = ll!; // ll is dead: reuse its local
    f.get(x); this.push(b); f.op(OP.i64Mul).set(lo);
    const hh = lh!, hlo = hl!;
    f.get(hi!).i64(32n).op(OP.i64ShrU).set(hh);
    f.get(hi!).i64(EPS).op(OP.i64And).set(hlo);
    // t0 = lo − hh, minus EPS more on borrow
    f.get(lo).get(hh).op(OP.i64Sub).tee(t0!).i64(EPS).op(OP.i64Sub).get(t0!).get(lo).get(hh).op(OP.i64LtU, OP.select).set(t0!);
    // t1 = hlo·EPS = (hlo << 32) − hlo
    f.get(hlo).i64(32n).op(OP.i64Shl).get(hlo).op(OP.i64Sub).set(t1!);
    // r = t0 + t1, plus EPS on carry, then − P when ≥ P
    f.get(t0!).get(t1!).op(OP.i64Add).tee(r).i64(EPS).op(OP.i64Add).get(r).get(r).get(t1!).op(OP.i64LtU, OP.select).set(r);
    f.get(r).i64(P).op(OP.i64Sub).get(r).get(r).i64(P).op(OP.i64GeU, OP.select).set(r);
    f.release(a0!, a1!, b0!, b1!, ll!, lh!, hl!, hi!, t0!, t1!);
    if ('c' in a) f.release(x);
    return { local: r };
  }
}
