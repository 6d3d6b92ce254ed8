// The evaluation domains of capseal-stark-v1 and their layouts. The trace domain is H = ⟨ω_n⟩; the
// LDE domain is the coset s·⟨ω_N⟩ (s = 7, N = β·n), stored in BIT-REVERSED order: position p holds
// the point s·ω_N^bitrev_N(p). In that order the f points that one FRI fold maps to the same point
// (x·ω_f^k) sit at adjacent positions f·m … f·m + f − 1, and a folded layer is bit-reversed again, so
// one Merkle leaf opens a whole fold group.
import type { Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import { powersColumn } from '../field/columns.js';
import type { Kernels } from '../wasm/kernels.js';

export const COSET_SHIFT = Fp.GENERATOR;

export function reverseBits(x: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r = (r * 2) | ((x >>> i) & 1);
  return r >>> 0;
}

/** Bit-reversal permutation of a column of 2^logN elements (new column). */
export function bitReversed(k: Kernels, col: Column): Column {
  return k.scoped(() => {
    const p = k.put(col);
    k.raw.bit_reverse(p, Math.round(Math.log2(col.length)));
    return k.get(p, col.length);
  });
}

/** The point at bit-reversed position p of the coset shift·⟨ω_size⟩ (size = 2^logSize). */
export function pointAt(shift: bigint, logSize: number, p: number): bigint {
  return Fp.mul(shift, Fp.pow(Fp.rootOfUnity(logSize), BigInt(reverseBits(p, logSize))));
}

/** Every point of shift·⟨ω_size⟩ in bit-reversed order. */
export function domainPoints(k: Kernels, shift: bigint, logSize: number): Column {
  return bitReversed(k, powersColumn(k, shift, Fp.rootOfUnity(logSize), 2 ** logSize));
}

/**
 * Columns (LDE, bit-reversed) shifted by one trace row: entry p holds the value at x·ω_n where x is
 * point p. Position c·n + i (coset block c) maps to c·n + bitrev_n(bitrev_n(i) + 1).
 */
export function nextRowColumns(cols: readonly Column[], logN: number): Column[] {
  const n = 2 ** logN;
  const sigma = new Uint32Array(n);
  for (let i = 0; i < n; i++) sigma[i] = reverseBits((reverseBits(i, logN) + 1) % n, logN);
  return cols.map((col) => {
    const out = new BigUint64Array(col.length);
    const o = new Uint32Array(out.buffer), s = new Uint32Array(col.buffer, col.byteOffset, col.length * 2);
    for (let base = 0; base < col.length; base += n)
      for (let i = 0; i < n; i++) {
        const from = 2 * (base + sigma[i]!), to = 2 * (base + i);
        o[to] = s[from]!;
        o[to + 1] = s[from + 1]!;
      }
    return out;
  });
}
