/**
 * The verifier's query phase on the WebAssembly kernels (src/wasm/assembly/points.ts): the DEEP
 * composition at every opened row, the FRI folds of every queried group and the final polynomial at
 * every last position, each in one kernel call over all queries. The same formulas as ./deep.ts deepAt
 * and ./fri.ts foldGroup and evaluateFinal, which stay the BigInt references the kernels are tested
 * against (test/query-kernels.test.ts). A point of a bit-reversed coset shift·⟨ω⟩ of size 2^logSize is
 * passed as the exponent of ω at its position (./domain.ts pointAt), so the host does integer work only.
 * Inputs must be canonical: the verifier checks every opened value and OOD answer before it gets here.
 *
 * F_p2 vectors are interleaved: element r is (v[2r], v[2r + 1]).
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import type * as Fp2 from '../field/ext2.js';
import type { Kernels } from '../wasm/kernels.js';
import { deepConstants, type DeepParams } from './deep.js';
import { reverseBits, rootPower } from './domain.js';

const U64 = 8;

/** The exponents of ω at `positions` of a bit-reversed domain of size 2^logSize. */
export const pointExponents = (positions: readonly number[], logSize: number): BigUint64Array =>
  BigUint64Array.from(positions, (p) => BigInt(reverseBits(p, logSize)));

/**
 * D at the points shift·ω^exps[r] (ω of order 2^logSize) from the opened trace rows (m × w, row-major)
 * and composition rows (m × 2S).
 */
export function deepAtPoints(
  k: Kernels, traceRows: BigUint64Array, compRows: BigUint64Array, exps: BigUint64Array,
  shift: bigint, logSize: number, d: DeepParams,
): BigUint64Array {
  const m = exps.length, w = traceRows.length / m, s = compRows.length / (2 * m);
  const { cz, czw } = deepConstants(d, w);
  const params = BigUint64Array.from([shift, rootPower(logSize, 1), ...d.z, ...d.zw, ...cz, ...czw, ...d.gammas.flat()]);
  return k.scoped(() => {
    const out = k.alloc(2 * m * U64), t = k.put(traceRows), c = k.put(compRows), e = k.put(exps), p = k.put(params);
    k.raw.deep_points(out, t, c, e, m, w, s, p, k.alloc(3 * m * U64));
    return k.get(out, 2 * m);
  });
}

const foldRootTables = new Map<number, BigUint64Array>();

/** Inverses of the points at bit-reversed positions 2j of ⟨ω_(2^logM)⟩, logM = logF … 1: what fold_groups multiplies by. */
function foldRoots(logF: number): BigUint64Array {
  const known = foldRootTables.get(logF);
  if (known) return known;
  const roots: bigint[] = [];
  for (let logM = logF; logM > 0; logM--)
    for (let j = 0; 2 * j < 2 ** logM; j++) roots.push(rootPower(logM, reverseBits(2 * j, logM), true));
  const table = BigUint64Array.from(roots);
  foldRootTables.set(logF, table);
  return table;
}

/**
 * Folds groups of f = 2^logF values with α: group g (values[2f·g …)) holds the f values at positions
 * f·groups[g] … of a layer of size 2^logSize on shift·⟨ω⟩ (given 1/shift); the result is each group's
 * value at position groups[g] of the next layer.
 */
export function foldGroups(
  k: Kernels, values: BigUint64Array, groups: readonly number[], logF: number, invShift: bigint, logSize: number, alpha: Fp2.Fp2,
): BigUint64Array {
  const m = groups.length;
  return k.scoped(() => {
    const v = k.put(values), e = k.put(pointExponents(groups, logSize - logF)), roots = k.put(foldRoots(logF));
    k.raw.fold_groups(v, e, m, logF, invShift, rootPower(logSize, 1, true), alpha[0], alpha[1], roots);
    const out = new BigUint64Array(2 * m), mem = k.u64, stride = 2 * 2 ** logF;
    for (let g = 0, at = v >> 3; g < m; g++, at += stride) {
      out[2 * g] = mem[at]!;
      out[2 * g + 1] = mem[at + 1]!;
    }
    return out;
  });
}

/** The F_p2 polynomial with `coeffs` (lowest first) at `positions` of the bit-reversed coset shift·⟨ω⟩ of size 2^logSize. */
export function evaluateAtPositions(k: Kernels, coeffs: readonly Fp2.Fp2[], shift: bigint, logSize: number, positions: readonly number[]): BigUint64Array {
  const m = positions.length;
  return k.scoped(() => {
    const out = k.alloc(2 * m * U64), c = k.put(BigUint64Array.from(coeffs.flat())), e = k.put(pointExponents(positions, logSize));
    k.raw.eval_points(out, c, coeffs.length, shift, rootPower(logSize, 1), e, m);
    return k.get(out, 2 * m);
  });
}
