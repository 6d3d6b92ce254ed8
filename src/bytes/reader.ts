/**
 * Strict little-endian byte reading for the project's binary formats: every read names its field, a
 * read past the end or a value out of its range is an error at a byte offset, and a count is refused
 * before anything is allocated if the rest of the input cannot hold its items.
 *
 * @module
 */
export type ReadFailure = (field: string, offset: number, detail: string) => Error;

/** A field name, or a function that builds it only when an error needs it (per-element names). */
export type FieldName = string | (() => string);
export const nameOf = (n: FieldName): string => (typeof n === 'string' ? n : n());

export class ByteReader {
  #at = 0;
  readonly #view: DataView;

  constructor(private readonly input: Uint8Array, protected readonly fail: ReadFailure) {
    this.#view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  get offset(): number {
    return this.#at;
  }

  /** Claims `n` bytes for `field`, returning their offset. */
  #take(field: FieldName, n: number): number {
    const remaining = this.input.length - this.#at;
    if (n > remaining) throw this.fail(nameOf(field), this.#at, `truncated: needs ${n} bytes, ${remaining} remain`);
    const start = this.#at;
    this.#at += n;
    return start;
  }

  #uint(field: string, bytes: 1 | 2 | 4, min = 0, max = 2 ** (8 * bytes) - 1): number {
    const at = this.#take(field, bytes);
    const x = bytes === 1 ? this.#view.getUint8(at) : bytes === 2 ? this.#view.getUint16(at, true) : this.#view.getUint32(at, true);
    if (x < min || x > max) throw this.fail(field, at, `${x} is outside [${min}, ${max}]`);
    return x;
  }

  u8(field: string, min?: number, max?: number): number {
    return this.#uint(field, 1, min, max);
  }

  u16(field: string, min?: number, max?: number): number {
    return this.#uint(field, 2, min, max);
  }

  u32(field: string, min?: number, max?: number): number {
    return this.#uint(field, 4, min, max);
  }

  u64(field: FieldName): bigint {
    return this.#view.getBigUint64(this.#take(field, 8), true);
  }

  /** A copy of the next `n` bytes. */
  bytes(field: FieldName, n: number): Uint8Array {
    const at = this.#take(field, n);
    return this.input.slice(at, at + n);
  }

  /** A `bytes`-wide count of items of `itemBytes` each, refused before any allocation if the rest of the input cannot hold them. */
  count(field: string, bytes: 1 | 2 | 4, itemBytes: number, max?: number): number {
    const at = this.#at;
    const n = this.#uint(`${field}.length`, bytes, 0, max);
    const remaining = this.input.length - this.#at;
    if (n * itemBytes > remaining) throw this.fail(`${field}.length`, at, `${n} items need ${n * itemBytes} bytes, ${remaining} remain`);
    return n;
  }

  /** Nothing may follow. */
  end(): void {
    const left = this.input.length - this.#at;
    if (left !== 0) throw this.fail('end', this.#at, `${left} trailing bytes`);
  }
}
