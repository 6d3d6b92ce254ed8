/**
 * Coset low-degree extension (the trace domain's coset 7·⟨ω⟩, blowup β; docs/architecture.md).
 * A trace column given by its evaluations on H (|H| = n) is interpolated and evaluated on the coset
 * s·H' with |H'| = N = β·n. Instead of one zero-padded size-N transform, the coset splits into β
 * cosets of H: s·ω_N^t·H for t < β, and coset t is a size-n NTT of the coefficients scaled by
 * (s·ω_N^t)^j / n (interpolation's 1/n folded in). That is N·log n work instead of N·log N, each
 * transform cache-sized, and the zero padding is never materialized.
 *
 * Output order: 'natural' puts point s·ω_N^i at index i (coset t fills indices t, t+β, t+2β, …);
 * 'bit-reversed' puts it at index bitrev_N(i), where coset t is the contiguous block bitrev_β(t)·n
 * in the DIF's own output order, so no permutation runs at all.
 *
 * @module
 */
import { GENERATOR, inv, isCanonical, mul, pow, rootOfUnity } from '../field/goldilocks.js';
import type { Column } from '../field/columns.js';
import type { Kernels } from '../wasm/kernels.js';
import { columnBytes, log2Size, putScaledCoefficients, sameLengthLog, twiddlesFor } from './ntt.js';
import { reverseBits } from './points.js';

export type EvaluationOrder = 'natural' | 'bit-reversed';

export interface CosetOptions {
  /** Extension factor β, a power of two. */
  blowup: number;
  /** Coset offset s (default 7, the field generator: the coset then avoids every subgroup). */
  shift?: bigint;
  order?: EvaluationOrder;
}

export const MAX_BLOWUP = 16;

/** Backend.lde's options: the coset, and what the input columns hold. */
export interface LdeOptions extends CosetOptions {
  /** Evaluations on H (the default), or coefficients (then there is nothing to interpolate). */
  from?: 'evaluations' | 'coefficients';
}

/** The validated input form of LdeOptions. */
export function ldeInput(opts: LdeOptions): 'evaluations' | 'coefficients' {
  const from = opts.from ?? 'evaluations';
  if (from !== 'evaluations' && from !== 'coefficients') throw new RangeError(`lde input must be 'evaluations' or 'coefficients', got ${String(from)}`);
  return from;
}

export function checkCosetOptions(opts: CosetOptions, logN: number): { logBlowup: number; shift: bigint; order: EvaluationOrder } {
  const logBlowup = log2Size(opts.blowup, 'blowup');
  if (opts.blowup < 2 || opts.blowup > MAX_BLOWUP)
    throw new RangeError(`blowup must be a power of two in [2, ${MAX_BLOWUP}], got ${opts.blowup}`);
  const shift = opts.shift ?? GENERATOR;
  if (!isCanonical(shift) || shift === 0n) throw new RangeError('coset shift must be a non-zero canonical element');
  const order = opts.order ?? 'natural';
  if (order !== 'natural' && order !== 'bit-reversed') throw new RangeError(`unknown evaluation order ${String(order)}`);
  log2Size(2 ** (logN + logBlowup), 'extended length');
  return { logBlowup, shift, order };
}

/**
 * Evaluates coefficient columns (length n) on s·H', |H'| = β·n. With `scale` = 1/n the input may be
 * n·c in place of c — which is what a DIT inverse leaves, saving a pass.
 */
function extendCoefficients(
  k: Kernels, coeffs: number, logN: number, opts: ReturnType<typeof checkCosetOptions>, fwd: number, scale: bigint,
): Column {
  const n = 2 ** logN;
  const blowup = 2 ** opts.logBlowup;
  const omegaBig = rootOfUnity(logN + opts.logBlowup);
  const out = k.alloc(columnBytes(logN) * blowup);
  const block = opts.order === 'natural' ? k.alloc(columnBytes(logN)) : 0;
  for (let t = 0; t < blowup; t++) {
    const cosetShift = mul(opts.shift, pow(omegaBig, BigInt(t)));
    const dst = opts.order === 'natural' ? block : out + reverseBits(t, opts.logBlowup) * columnBytes(logN);
    k.raw.vec_mul_powers(dst, coeffs, scale, cosetShift, n);
    k.raw.dif(dst, logN, fwd);
    if (opts.order === 'natural') k.raw.scatter_bit_reversed(out, dst, logN, blowup, t);
  }
  return k.get(out, n * blowup);
}

/**
 * Single cosets of coefficient columns' LDE: for each [column, t] of `units`, the n evaluations on
 * the coset s·ω_N^t·H in the DIF's order — block bitrev_β(t) of the bit-reversed LDE. Lets the cosets
 * of several columns be spread evenly over threads. With `into` (one n-element view per unit, e.g. of
 * a column shared with the caller), the blocks are written there and nothing is returned.
 */
export function cosetBlocks(k: Kernels, coeffs: readonly Column[], units: readonly (readonly [number, number])[], opts: CosetOptions, into?: readonly Column[]): Column[] {
  const logN = sameLengthLog(coeffs);
  const o = checkCosetOptions(opts, logN);
  const tw = twiddlesFor(k, logN);
  const n = 2 ** logN, omegaBig = rootOfUnity(logN + o.logBlowup);
  if (into && (into.length !== units.length || into.some((c) => c.length !== n))) throw new RangeError(`cosetBlocks: ${units.length} blocks of ${n} elements to write`);
  const blocks = units.map(([c, t], i) => {
    const col = coeffs[c];
    if (col === undefined || !Number.isInteger(t) || t < 0 || t >= 2 ** o.logBlowup) throw new RangeError(`cosetBlocks: no coset ${t} of column ${c}`);
    return k.scoped(() => {
      const a = k.put(col);
      k.raw.vec_mul_powers(a, a, 1n, mul(o.shift, pow(omegaBig, BigInt(t))), n);
      k.raw.dif(a, logN, tw.forward);
      return into ? k.getInto(a, into[i]!) : k.get(a, n);
    });
  });
  return into ? [] : blocks;
}

/** Trace columns (evaluations on H) → their low-degree extensions on s·H'. */
export function cosetLde(k: Kernels, evals: readonly Column[], opts: CosetOptions): Column[] {
  const logN = sameLengthLog(evals);
  const o = checkCosetOptions(opts, logN);
  const tw = twiddlesFor(k, logN);
  const nInv = inv(BigInt(2 ** logN));
  return evals.map((col) =>
    k.scoped(() => extendCoefficients(k, putScaledCoefficients(k, col, logN, tw.inverse), logN, o, tw.forward, nInv)),
  );
}

/** Coefficient columns (length n, zero-extended) → evaluations on s·H', |H'| = β·n. */
export function evaluateOnCoset(k: Kernels, coeffs: readonly Column[], opts: CosetOptions): Column[] {
  const logN = sameLengthLog(coeffs);
  const o = checkCosetOptions(opts, logN);
  const tw = twiddlesFor(k, logN);
  return coeffs.map((col) => k.scoped(() => extendCoefficients(k, k.put(col), logN, o, tw.forward, 1n)));
}

/** Backend.lde on the CPU: cosetLde of evaluations, evaluateOnCoset of coefficients. */
export function extendColumns(k: Kernels, cols: readonly Column[], opts: LdeOptions): Column[] {
  return ldeInput(opts) === 'coefficients' ? evaluateOnCoset(k, cols, opts) : cosetLde(k, cols, opts);
}

/** Evaluations on the coset s·H (natural order) → coefficients: c_j = (iNTT(y))_j · s^(−j). */
export function interpolateCoset(k: Kernels, evals: readonly Column[], shift: bigint = GENERATOR): Column[] {
  const logN = sameLengthLog(evals);
  if (!isCanonical(shift) || shift === 0n) throw new RangeError('coset shift must be a non-zero canonical element');
  const tw = twiddlesFor(k, logN);
  const nInv = inv(BigInt(2 ** logN));
  return evals.map((col) =>
    k.scoped(() => {
      const a = putScaledCoefficients(k, col, logN, tw.inverse);
      k.raw.vec_mul_powers(a, a, nInv, inv(shift), col.length);
      return k.get(a, col.length);
    }),
  );
}
