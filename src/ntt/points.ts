/**
 * Evaluation domains on the kernels: bit reversal of a column, and every point of a coset
 * shift·⟨ω⟩ in bit-reversed order (the order of the LDEs, src/ntt/lde.ts).
 *
 * @module
 */
import type { Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import { powersColumn } from '../field/columns.js';
import type { Kernels } from '../wasm/kernels.js';

/** x's low `bits` bits reversed (bits ≤ 32). */
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

/** Every point of shift·⟨ω_size⟩ in bit-reversed order. */
export function domainPoints(k: Kernels, shift: bigint, logSize: number): Column {
  return bitReversed(k, powersColumn(k, shift, Fp.rootOfUnity(logSize), 2 ** logSize));
}
