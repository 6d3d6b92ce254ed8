/**
 * Number-theoretic transforms over Goldilocks columns (radix-2, in the WebAssembly kernels).
 * Forward: coefficients c → evaluations y_i = Σ_j c_j·ω^(ij) on the subgroup H = ⟨ω⟩, |H| = n = 2^k,
 * ω = rootOfUnity(k). Inverse: evaluations → coefficients. Both take and return natural order.
 *
 * @module
 */
import { ELEMENT_BYTES, inv, rootOfUnity, TWO_ADICITY } from '../field/goldilocks.js';
import type { Column } from '../field/columns.js';
import type { Kernels } from '../wasm/kernels.js';

/** log2(n) for a power-of-two n within the field's two-adicity; precise error otherwise. */
export function log2Size(n: number, what = 'column length'): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0 || n > 2 ** TWO_ADICITY)
    throw new RangeError(`${what} must be a power of two in [1, 2^${TWO_ADICITY}], got ${n}`);
  return Math.log2(n);
}

export function sameLengthLog(cols: readonly Column[]): number {
  if (cols.length === 0) return 0;
  const n = cols[0]!.length;
  cols.forEach((c, i) => {
    if (!(c instanceof BigUint64Array)) throw new TypeError(`column ${i}: expected a BigUint64Array`);
    if (c.length !== n) throw new RangeError(`column ${i} has length ${c.length}, column 0 has ${n}`);
  });
  return log2Size(n);
}

const inverseRoot = (logN: number): bigint => inv(rootOfUnity(logN));

/** Twiddle pointers for sizes up to 2^logN; call before allocating the operation's scratch. */
export function twiddlesFor(k: Kernels, logN: number) {
  return k.twiddles(logN, rootOfUnity, inverseRoot);
}

/** Evaluations of each coefficient column on H (natural order in and out). */
export function forwardNtt(k: Kernels, cols: readonly Column[]): Column[] {
  const logN = sameLengthLog(cols);
  const tw = twiddlesFor(k, logN);
  return cols.map((col) =>
    k.scoped(() => {
      const a = k.put(col);
      k.raw.dif(a, logN, tw.forward);
      k.raw.bit_reverse(a, logN);
      return k.get(a, col.length);
    }),
  );
}

/**
 * Copies an evaluation column into scratch and inverse-transforms it there, leaving n·coefficients
 * in natural order: callers fold the 1/n into their next pass over the data.
 */
export function putScaledCoefficients(k: Kernels, col: Column, logN: number, inverseTwiddles: number): number {
  const a = k.put(col);
  k.raw.bit_reverse(a, logN);
  k.raw.dit(a, logN, inverseTwiddles);
  return a;
}

/** Coefficients of each evaluation column on H (natural order in and out). */
export function inverseNtt(k: Kernels, cols: readonly Column[]): Column[] {
  const logN = sameLengthLog(cols);
  const tw = twiddlesFor(k, logN);
  const nInv = inv(BigInt(2 ** logN));
  return cols.map((col) =>
    k.scoped(() => {
      const a = putScaledCoefficients(k, col, logN, tw.inverse);
      k.raw.vec_scale(a, a, nInv, col.length);
      return k.get(a, col.length);
    }),
  );
}

/** Bytes of scratch one column of 2^logN elements needs. */
export const columnBytes = (logN: number): number => ELEMENT_BYTES * 2 ** logN;
