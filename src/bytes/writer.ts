/**
 * Little-endian byte writing for the project's binary formats (the proof codec, the AIR digest's
 * input): unsigned integers checked against their field's range, raw and length-prefixed bytes,
 * joined once at the end. A format names each field, so an out-of-range value is refused by name.
 *
 * @module
 */
export type WriteFailure = (field: string, detail: string) => Error;

const rangeError: WriteFailure = (field, detail) => new RangeError(`${field}: ${detail}`);
const U64_LIMIT = 2n ** 64n;

export class ByteWriter {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  /** `fail` makes the error for a value the format cannot carry (default: a RangeError naming the field). */
  constructor(private readonly fail: WriteFailure = rangeError) {}

  protected push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  #uint(field: string, x: number, bytes: 1 | 2 | 4, min = 0, max = 2 ** (8 * bytes) - 1): void {
    if (!Number.isInteger(x) || x < min || x > max) throw this.fail(field, `${String(x)} is not an integer in [${min}, ${max}]`);
    const out = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) out[i] = x >>> (8 * i);
    this.push(out);
  }

  u8(field: string, x: number, min?: number, max?: number): void {
    this.#uint(field, x, 1, min, max);
  }

  u16(field: string, x: number, min?: number, max?: number): void {
    this.#uint(field, x, 2, min, max);
  }

  u32(field: string, x: number, min?: number, max?: number): void {
    this.#uint(field, x, 4, min, max);
  }

  u64(field: string, x: bigint): void {
    if (typeof x !== 'bigint' || x < 0n || x >= U64_LIMIT) throw this.fail(field, `${String(x)} is not a u64`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, x, true);
    this.push(out);
  }

  /** A copy of `bytes`, as they are. */
  raw(bytes: Uint8Array): void {
    this.push(bytes.slice());
  }

  /** `bytes` after their length as a u32. */
  lengthPrefixed(field: string, bytes: Uint8Array): void {
    this.u32(`${field}.length`, bytes.length);
    this.raw(bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
