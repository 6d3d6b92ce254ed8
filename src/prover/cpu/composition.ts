/**
 * The DEEP-ALI composition polynomial (its terms: src/stark/composition.ts) on the CPU, over the LDE
 * domain (bit-reversed; src/stark/domain.ts).
 *
 * The work goes by coset block: block b of the bit-reversed LDE holds the coset c_t·H (c_t = s·ω_N^t,
 * t = bitrev_β(b)) in bit-reversed order, and every input of the formula at a point of block b lies
 * in block b: the next trace row (x·ω_n stays in the coset), the point itself (c_t·ω_n^bitrev_n(i)),
 * and x^n = c_t^n, constant on the block. So the blocks are independent jobs, which the CPU steps
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
import { compiledComposition } from './composition-kernel.js';
import { runInCalls } from '../../wasm/emit.js';
import { compositionSegments } from '../../stark/air.js';
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
  /** Bytes of code per generated function (default FUNCTION_CODE_BUDGET; tests force splits with less). */
  codeBudget?: number;
}

/** One coset block of the LDE domain and the inputs restricted to it (n values each). */
export interface CompositionBlock {
  block: number;
  logN: number;
  logBlowup: number;
  cur: readonly Column[];
  /** The periodic columns' LDE (periodicOnLde) on this block. */
  periodic: readonly Column[];
  codeBudget?: number;
}

/** Runs the blocks (in order), e.g. spread over threads; inline by default. */
export type BlockRunner = (k: Kernels, air: Air, blocks: CompositionBlock[], alphas: readonly Fp2[]) => Promise<ExtColumn[]>;

const inline: BlockRunner = async (k, air, blocks, alphas) => blocks.map((b) => compositionBlock(k, air, b, alphas));

/**
 * The composition on the first B coset blocks of the LDE domain (bit-reversed), B the power of two
 * from S = compositionSegments(air) up, block by block through `run`. C has degree < S·n, and those
 * blocks together are the coset s·⟨ω_(B·n)⟩ (block b < B holds c_t·H with t = bitrev_β(b) =
 * (β/B)·bitrev_B(b)), so they determine it:
 * splitSegments interpolates from them, and the segments' LDE gives C's values everywhere else. An
 * honest composition is the same polynomial however it is evaluated, so the proof's bytes are those of
 * an evaluation on all β blocks (the GPU's). A trace that breaks the AIR gives no polynomial, and
 * these B blocks cannot show it: the prover's check of the OOD answers (src/prover/prover.ts) does.
 */
export async function compositionOnLde(
  k: Kernels, air: Air, lde: LdeView, alphas: readonly Fp2[], run: BlockRunner = inline, B = determiningBlocks(air),
): Promise<ExtColumn> {
  const n = 2 ** lde.logN;
  const periodic = air.periodic.map((v) => periodicOnLde(k, v, lde.logN, 2 ** lde.logBlowup));
  const blocks = Array.from({ length: B }, (_, block): CompositionBlock => {
    const part = (c: Column) => c.subarray(block * n, (block + 1) * n);
    return { block, logN: lde.logN, logBlowup: lde.logBlowup, cur: lde.cur.map(part), periodic: periodic.map(part), ...(lde.codeBudget && { codeBudget: lde.codeBudget }) };
  });
  return concatExt(await run(k, air, blocks, alphas));
}

/** How many coset blocks determine a composition of `segments` segments: the power of two from it up. */
export const blocksFor = (segments: number): number => 2 ** Math.ceil(Math.log2(segments));

/** How many coset blocks determine the composition: blocksFor(compositionSegments(air)). */
export const determiningBlocks = (air: Air): number => blocksFor(compositionSegments(air));

/** The composition on one coset block: the AIR's compiled kernel (./composition-kernel.ts) over the block in wasm memory. */
export function compositionBlock(k: Kernels, air: Air, blk: CompositionBlock, alphas: readonly Fp2[]): ExtColumn {
  const n = 2 ** blk.logN, bytes = n * 8, logBeta = blk.logBlowup;
  const terms = compositionTerms(air, alphas);
  const kernel = compiledComposition(air, alphas, blk.codeBudget);
  const exports = k.link(kernel.module);
  const entries = kernel.entries.map((name) => exports[name] as (params: number, start: number, end: number) => void);
  // c_t, the block's coset offset, and its points c_t·ω_n^bitrev_n(i).
  const ct = Fp.mul(COSET_SHIFT, Fp.pow(Fp.rootOfUnity(blk.logN + logBeta), BigInt(reverseBits(blk.block, logBeta))));
  const xs = domainPoints(k, ct, blk.logN);
  const sigma = nextRowIndex(blk.logN);
  return k.scoped(() => {
    const x = k.put(xs), scratch = k.alloc(bytes);
    const next = k.alloc(n * 4);
    new Uint32Array(k.raw.memory.buffer, next, n).set(sigma);
    const cur = blk.cur.map((c) => k.put(c)), periodic = blk.periodic.map((c) => k.put(c));
    // 1/(x − g^row) per boundary row.
    const inverses = terms.boundaryGroups.map((group) => {
      const p = k.alloc(bytes);
      k.raw.vec_add_scalar(p, x, Fp.neg(group.point), n);
      if (k.raw.batch_inverse(p, p, scratch, n) >= 0) throw new Error('composition: an LDE point lies in the trace domain');
      return p;
    });
    const out0 = k.alloc(bytes), out1 = k.alloc(bytes), params = k.alloc(kernel.paramBytes);
    // x^n = c_t^n on the whole block.
    const zInv = Fp.inv(Fp.sub(Fp.pow(ct, BigInt(n)), 1n));
    kernel.write(k, params, { out0, out1, xs: x, sigma: next, cur, periodic, inverses, zInv });
    for (const compose of entries) runInCalls(compose, params, n);
    return { c0: k.get(out0, n), c1: k.get(out1, n) };
  });
}

let sigmaCache: { logN: number; sigma: Uint32Array } | undefined;

/**
 * For each position i of a coset block (bit-reversed), the position of the next trace row: x·ω_n at
 * bitrev_n(bitrev_n(i) + 1). Made in one pass from the bit-reversal table.
 */
function nextRowIndex(logN: number): Uint32Array {
  if (sigmaCache?.logN === logN) return sigmaCache.sigma;
  const n = 2 ** logN, rev = new Uint32Array(n), sigma = new Uint32Array(n);
  for (let j = 1; j < n; j++) rev[j] = (rev[j >>> 1]! >>> 1) | ((j & 1) << (logN - 1));
  for (let j = 0; j < n; j++) sigma[rev[j]!] = rev[(j + 1) % n]!;
  sigmaCache = { logN, sigma };
  return sigma;
}
