/**
 * FRI folding on the CPU: one binary fold of a whole bit-reversed F_p2 layer in one kernel pass, and
 * the Merkle rows of a committed layer (one leaf per fold group). The GPU's are ../gpu/fri.ts; the
 * per-group fold the verifier runs is src/stark/fri.ts.
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { ExtColumn } from '../../field/ext-columns.js';

/** Values at positions j·stride + offset (a fresh column). */
export function strided(col: Column, stride: number, offset: number): Column {
  const n = col.length / stride;
  const out = new BigUint64Array(n);
  const o = new Uint32Array(out.buffer), s = new Uint32Array(col.buffer, col.byteOffset, col.length * 2);
  for (let j = 0; j < n; j++) {
    const from = 2 * (j * stride + offset);
    o[2 * j] = s[from]!;
    o[2 * j + 1] = s[from + 1]!;
  }
  return out;
}

/** One binary fold of a whole layer (size 2^logSize on shift·⟨ω⟩, bit-reversed) with α, in one kernel pass. */
export function foldLayer(k: Kernels, v: ExtColumn, shift: bigint, logSize: number, alpha: Fp2.Fp2): ExtColumn {
  const half = 2 ** (logSize - 1), bytes = half * 8;
  return k.scoped(() => {
    const v0 = k.put(v.c0), v1 = k.put(v.c1), h = k.alloc(bytes), o0 = k.alloc(bytes), o1 = k.alloc(bytes);
    // 1/(2·point(2j)) = (2s)^−1 · ω^−bitrev_{half}(j): the inverse points, bit-reversed.
    k.raw.powers(h, Fp.inv(Fp.mul(2n, shift)), Fp.inv(Fp.rootOfUnity(logSize)), half);
    k.raw.bit_reverse(h, logSize - 1);
    k.raw.ext_fold(o0, o1, v0, v1, h, alpha[0], alpha[1], half);
    return { c0: k.get(o0, half), c1: k.get(o1, half) };
  });
}

/** The Merkle leaves of a layer: leaf m is the row (c0, c1 of each of its f values). */
export function layerRows(v: ExtColumn, f: number): Column[] {
  const cols: Column[] = [];
  for (let t = 0; t < f; t++) cols.push(strided(v.c0, f, t), strided(v.c1, f, t));
  return cols;
}
