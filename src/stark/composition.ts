// The DEEP-ALI composition polynomial on the LDE domain (bit-reversed; ./domain.ts):
//   C(x) = Σ_t α_t·c_t(x)·(x − g^(n−1))/(x^n − 1)  +  Σ_b α_b·(T_col(b)(x) − v_b)/(x − g^row(b))
// with one α ∈ F_p2 per transition then per boundary constraint, in AIR order. Transition
// constraints hold on rows 0 … n−2, hence the divisor (x^n − 1)/(x − g^(n−1)). Boundary constraints
// sharing a row share one division. The verifier evaluates the same formula at the OOD point
// (./ood.ts); the two must agree term for term.
import { batchInverseColumn, mulColumns, subColumns, type Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import type { Fp2 } from '../field/ext2.js';
import { evaluateOnCoset, inverseNtt } from '../ntt/index.js';
import type { Kernels } from '../wasm/kernels.js';
import type { Air } from './air.js';
import { COSET_SHIFT, nextRowColumn, reverseBits } from './domain.js';
import { evalColumns } from './expr.js';
import { addExt, constantColumn, mulExtByBase, scaleBase, type ExtColumn } from './ext-columns.js';

/** A periodic column as the LDE of Q(x) = P(x^(n/m)), P interpolating its m values on ⟨ω_m⟩. */
export function periodicOnLde(k: Kernels, values: BigUint64Array, logN: number, blowup: number): Column {
  const n = 2 ** logN, m = values.length;
  const [p] = inverseNtt(k, [values]) as [Column];
  const sparse = new BigUint64Array(n);
  for (let j = 0; j < m; j++) sparse[j * (n / m)] = p[j]!;
  return evaluateOnCoset(k, [sparse], { blowup, shift: COSET_SHIFT, order: 'bit-reversed' })[0]!;
}

/** (x − g^(n−1))/(x^n − 1) at every LDE point; x^n is constant on each block of n positions. */
function transitionDivisorInverse(k: Kernels, xs: Column, logN: number, logBlowup: number): Column {
  const n = 2 ** logN, blowup = 2 ** logBlowup;
  const zinv = new BigUint64Array(xs.length);
  const sn = Fp.pow(COSET_SHIFT, BigInt(n));
  for (let b = 0; b < blowup; b++) {
    const xn = Fp.mul(sn, Fp.pow(Fp.rootOfUnity(logBlowup), BigInt(reverseBits(b, logBlowup))));
    zinv.fill(Fp.inv(Fp.sub(xn, 1n)), b * n, (b + 1) * n);
  }
  const lastRow = Fp.pow(Fp.rootOfUnity(logN), BigInt(n - 1));
  return mulColumns(k, zinv, subColumns(k, xs, constantColumn(xs.length, lastRow)));
}

export interface LdeView {
  /** Trace LDE columns, bit-reversed. */
  cur: readonly Column[];
  /** LDE points, bit-reversed. */
  xs: Column;
  logN: number;
  logBlowup: number;
}

export function compositionOnLde(k: Kernels, air: Air, lde: LdeView, alphas: readonly Fp2[]): ExtColumn {
  const N = lde.xs.length;
  const next = lde.cur.map((c) => nextRowColumn(c, lde.logN));
  const periodic = air.periodic.map((v) => periodicOnLde(k, v, lde.logN, 2 ** lde.logBlowup));
  let transitions: ExtColumn = { c0: constantColumn(N, 0n), c1: constantColumn(N, 0n) };
  air.transitions.forEach((e, t) => {
    const c = evalColumns(k, e, { cur: lde.cur, next, periodic }, N);
    transitions = addExt(k, transitions, scaleBase(k, c, alphas[t]!));
  });
  let total = mulExtByBase(k, transitions, transitionDivisorInverse(k, lde.xs, lde.logN, lde.logBlowup));
  const g = Fp.rootOfUnity(lde.logN);
  const rows = [...new Set(air.boundaries.map((b) => b.row))].sort((a, b) => a - b);
  for (const row of rows) {
    let sum: ExtColumn = { c0: constantColumn(N, 0n), c1: constantColumn(N, 0n) };
    air.boundaries.forEach((b, i) => {
      if (b.row !== row) return;
      const diff = subColumns(k, lde.cur[b.col]!, constantColumn(N, b.value));
      sum = addExt(k, sum, scaleBase(k, diff, alphas[air.transitions.length + i]!));
    });
    const inv = batchInverseColumn(k, subColumns(k, lde.xs, constantColumn(N, Fp.pow(g, BigInt(row)))));
    total = addExt(k, total, mulExtByBase(k, sum, inv));
  }
  return total;
}
