/**
 * The DEEP-ALI composition polynomial (its terms: src/stark/composition.ts) on the CPU, over the LDE
 * domain (bit-reversed; src/stark/domain.ts).
 *
 * The work goes by coset block: block b of the bit-reversed LDE holds the coset c_t·H (c_t = s·ω_N^t,
 * t = bitrev_β(b)) in bit-reversed order, and every input of the formula at a point of block b lies
 * in block b: the next trace row (x·ω_n stays in the coset), the point itself (c_t·ω_n^bitrev_n(i)),
 * and x^n = c_t^n, constant on the block. So the β blocks are independent jobs, which the CPU steps
 * spread over the backend's threads (compositionBlock; the worker runs the same function).
 *
 * @module
 */
import type { Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import type { Fp2 } from '../../field/ext2.js';
import { evaluateOnCoset, inverseNtt } from '../../ntt/index.js';
import type { Kernels } from '../../wasm/kernels.js';
import type { Air } from '../../stark/air.js';
import { COSET_SHIFT, reverseBits } from '../../stark/domain.js';
import { domainPoints } from '../../ntt/points.js';
import { evalColumnsAll } from './constraints.js';
import { concatExt, type ExtColumn } from '../../field/ext-columns.js';
import { compositionTerms } from '../../stark/composition.js';

/**
 * A periodic column on the LDE domain (bit-reversed): Q(x) = P(x^(n/m)), P interpolating its m values
 * on ⟨ω_m⟩. At x = s·ω_N^i, x^(n/m) = s^(n/m)·ω_(βm)^i, so Q takes the βm values of P on the coset
 * s^(n/m)·⟨ω_(βm)⟩, and bit-reversed position r holds the one of index bitrev(r >> log2(n/m)): runs of
 * n/m equal values, filled without an LDE of the whole column.
 */
export function periodicOnLde(k: Kernels, values: BigUint64Array, logN: number, blowup: number): Column {
  const n = 2 ** logN, m = values.length, run = n / m, logValues = Math.log2(m * blowup);
  const [p] = inverseNtt(k, [values]) as [Column];
  const [onCoset] = evaluateOnCoset(k, [p], { blowup, shift: Fp.pow(COSET_SHIFT, BigInt(run)), order: 'natural' }) as [Column];
  const out = new BigUint64Array(n * blowup);
  for (let q = 0; q < m * blowup; q++) out.fill(onCoset[reverseBits(q, logValues)]!, q * run, (q + 1) * run);
  return out;
}

export interface LdeView {
  /** Trace LDE columns, bit-reversed. */
  cur: readonly Column[];
  logN: number;
  logBlowup: number;
}

/** One coset block of the LDE domain and the inputs restricted to it (n values each). */
export interface CompositionBlock {
  block: number;
  logN: number;
  logBlowup: number;
  cur: readonly Column[];
  /** The periodic columns' LDE (periodicOnLde) on this block. */
  periodic: readonly Column[];
}

/** Runs the blocks (in order), e.g. spread over threads; inline by default. */
export type BlockRunner = (k: Kernels, air: Air, blocks: CompositionBlock[], alphas: readonly Fp2[]) => Promise<ExtColumn[]>;

const inline: BlockRunner = async (k, air, blocks, alphas) => blocks.map((b) => compositionBlock(k, air, b, alphas));

/** The composition on the whole LDE domain (bit-reversed), block by block through `run`. */
export async function compositionOnLde(k: Kernels, air: Air, lde: LdeView, alphas: readonly Fp2[], run: BlockRunner = inline): Promise<ExtColumn> {
  const n = 2 ** lde.logN;
  const periodic = air.periodic.map((v) => periodicOnLde(k, v, lde.logN, 2 ** lde.logBlowup));
  const blocks = Array.from({ length: 2 ** lde.logBlowup }, (_, block): CompositionBlock => {
    const part = (c: Column) => c.subarray(block * n, (block + 1) * n);
    return { block, logN: lde.logN, logBlowup: lde.logBlowup, cur: lde.cur.map(part), periodic: periodic.map(part) };
  });
  return concatExt(await run(k, air, blocks, alphas));
}

/** The composition on one coset block; runs in wasm memory with the fused F_p2 kernels. */
export function compositionBlock(k: Kernels, air: Air, blk: CompositionBlock, alphas: readonly Fp2[]): ExtColumn {
  const n = 2 ** blk.logN, bytes = n * 8, logBeta = blk.logBlowup;
  const terms = compositionTerms(air, alphas);
  // c_t, the block's coset offset, and its points c_t·ω_n^bitrev_n(i).
  const ct = Fp.mul(COSET_SHIFT, Fp.pow(Fp.rootOfUnity(blk.logN + logBeta), BigInt(reverseBits(blk.block, logBeta))));
  const xs = domainPoints(k, ct, blk.logN);
  const next = nextRowColumns(blk.cur, blk.logN);
  const constraints = evalColumnsAll(k, terms.transitions.map((t) => t.expr), { cur: blk.cur, next, periodic: blk.periodic }, n);
  return k.scoped(() => {
    const zeroed = () => k.allocZeroed(bytes);
    const total = [zeroed(), zeroed()] as const, acc = [zeroed(), zeroed()] as const;
    const tmp = k.alloc(bytes), x = k.put(xs), scratch = k.alloc(bytes);
    constraints.forEach((c, t) => {
      const { alpha } = terms.transitions[t]!;
      k.put(c, tmp);
      k.raw.ext_axpy_base(total[0], total[1], tmp, alpha[0], alpha[1], n);
    });
    // × (x − g^(n−1)) / (x^n − 1), with x^n = c_t^n on the whole block.
    k.raw.vec_add_scalar(tmp, x, Fp.neg(terms.lastRow), n);
    k.raw.vec_scale(tmp, tmp, Fp.inv(Fp.sub(Fp.pow(ct, BigInt(n)), 1n)), n);
    k.raw.vec_mul(total[0], total[0], tmp, n);
    k.raw.vec_mul(total[1], total[1], tmp, n);
    for (const group of terms.boundaryGroups) {
      k.u64.fill(0n, acc[0] / 8, acc[0] / 8 + n);
      k.u64.fill(0n, acc[1] / 8, acc[1] / 8 + n);
      for (const b of group.terms) {
        k.put(blk.cur[b.col]!, tmp);
        k.raw.vec_add_scalar(tmp, tmp, Fp.neg(b.value), n);
        k.raw.ext_axpy_base(acc[0], acc[1], tmp, b.alpha[0], b.alpha[1], n);
      }
      // ÷ (x − g^row): acc ·= 1/(x − g^row), total += acc.
      k.raw.vec_add_scalar(tmp, x, Fp.neg(group.point), n);
      if (k.raw.batch_inverse(tmp, tmp, scratch, n) >= 0) throw new Error('composition: an LDE point lies in the trace domain');
      k.raw.vec_mul(acc[0], acc[0], tmp, n);
      k.raw.vec_mul(acc[1], acc[1], tmp, n);
      k.raw.vec_add(total[0], total[0], acc[0], n);
      k.raw.vec_add(total[1], total[1], acc[1], n);
    }
    return { c0: k.get(total[0], n), c1: k.get(total[1], n) };
  });
}

/**
 * Columns (LDE, bit-reversed) shifted by one trace row: entry p holds the value at x·ω_n where x is
 * point p. Position c·n + i (coset block c) maps to c·n + bitrev_n(bitrev_n(i) + 1).
 */
function nextRowColumns(cols: readonly Column[], logN: number): Column[] {
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
