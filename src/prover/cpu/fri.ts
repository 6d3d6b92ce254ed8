/**
 * FRI folding on the CPU: one binary fold of a whole bit-reversed F_p2 layer in one kernel pass, a
 * fold of a layer given by its coefficients (layer 0, the DEEP polynomial), and the Merkle rows of a
 * committed layer (one leaf per fold group). The GPU's are ../gpu/fri.ts; the
 * per-group fold the verifier runs is src/stark/fri.ts.
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { ExtColumn } from '../../field/ext-columns.js';
import { pointAt } from '../../stark/domain.js';

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

/**
 * A fold by f (log2 f binary folds with α, α², …) of a layer of size 2^logSize on shift·⟨ω⟩,
 * bit-reversed. An aligned block of 2^b positions of such a layer is itself one (the coset
 * shift·ω^bitrev(q)·⟨ω_(2^b)⟩, bit-reversed: blockShift), so blocks fold independently.
 */
export function foldBy(k: Kernels, v: ExtColumn, shift: bigint, logSize: number, alpha: Fp2.Fp2, f: number): ExtColumn {
  let folded = v, s = shift, a = alpha;
  for (let r = 0; r < Math.log2(f); r++) {
    folded = foldLayer(k, folded, s, logSize - r, a);
    s = Fp.square(s);
    a = Fp2.square(a);
  }
  return folded;
}

/** The coset block q of 2^(logSize − logBlocks) positions of a bit-reversed layer on shift·⟨ω_(2^logSize)⟩ lies on: its shift, the block's first point. */
export const blockShift = (shift: bigint, logSize: number, logBlocks: number, q: number): bigint => pointAt(shift, logSize, q * 2 ** (logSize - logBlocks));

/** The Merkle leaves of a layer: leaf m is the row (c0, c1 of each of its f values). */
export function layerRows(v: ExtColumn, f: number): Column[] {
  const cols: Column[] = [];
  for (let t = 0; t < f; t++) cols.push(strided(v.c0, f, t), strided(v.c1, f, t));
  return cols;
}

/**
 * A fold by f of a layer given by its polynomial's coefficients p (F_p2, lowest first): the folded
 * polynomial's coefficient k is Σ_(t<f) α^t·p_(f·k+t) (log2 f binary folds P_even + α·P_odd with α,
 * α², …, which is what foldLayer does to the evaluations). n/f coefficients, no evaluation needed.
 */
export function foldCoefficients(k: Kernels, p: ExtColumn, alpha: Fp2.Fp2, f: number): ExtColumn {
  const m = p.c0.length / f, bytes = m * 8;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`foldCoefficients: ${p.c0.length} coefficients do not fold by ${f}`);
  return k.scoped(() => {
    const o0 = k.allocZeroed(bytes), o1 = k.allocZeroed(bytes), a0 = k.alloc(bytes), a1 = k.alloc(bytes);
    let power: Fp2.Fp2 = Fp2.ONE;
    for (let t = 0; t < f; t++) {
      k.put(strided(p.c0, f, t), a0);
      k.put(strided(p.c1, f, t), a1);
      k.raw.ext_axpy(o0, o1, a0, a1, power[0], power[1], m);
      power = Fp2.mul(power, alpha);
    }
    return { c0: k.get(o0, m), c1: k.get(o1, m) };
  });
}
