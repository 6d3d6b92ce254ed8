// The DEEP-ALI composition polynomial on the LDE domain (bit-reversed; ./domain.ts):
//   C(x) = Σ_t α_t·c_t(x)·(x − g^(n−1))/(x^n − 1)  +  Σ_b α_b·(T_col(b)(x) − v_b)/(x − g^row(b))
// with one α ∈ F_p2 per transition then per boundary constraint, in AIR order. Transition
// constraints hold on rows 0 … n−2, hence the divisor (x^n − 1)/(x − g^(n−1)). Boundary constraints
// sharing a row share one division. The verifier evaluates the same formula at the OOD point
// (./ood.ts); the two must agree term for term.
import type { Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import type { Fp2 } from '../field/ext2.js';
import { evaluateOnCoset, inverseNtt } from '../ntt/index.js';
import type { Kernels } from '../wasm/kernels.js';
import type { Air } from './air.js';
import { COSET_SHIFT, nextRowColumns, reverseBits } from './domain.js';
import { evalColumns } from './expr.js';
import type { ExtColumn } from './ext-columns.js';

/** A periodic column as the LDE of Q(x) = P(x^(n/m)), P interpolating its m values on ⟨ω_m⟩. */
export function periodicOnLde(k: Kernels, values: BigUint64Array, logN: number, blowup: number): Column {
  const n = 2 ** logN, m = values.length;
  const [p] = inverseNtt(k, [values]) as [Column];
  const sparse = new BigUint64Array(n);
  for (let j = 0; j < m; j++) sparse[j * (n / m)] = p[j]!;
  return evaluateOnCoset(k, [sparse], { blowup, shift: COSET_SHIFT, order: 'bit-reversed' })[0]!;
}

/** (x − g^(n−1))/(x^n − 1) at every LDE point; x^n is constant on each block of n positions. */
function transitionDivisorInverse(xs: Column, logN: number, logBlowup: number): Column {
  const n = 2 ** logN, blowup = 2 ** logBlowup;
  const out = new BigUint64Array(xs.length);
  const sn = Fp.pow(COSET_SHIFT, BigInt(n));
  for (let b = 0; b < blowup; b++) {
    const xn = Fp.mul(sn, Fp.pow(Fp.rootOfUnity(logBlowup), BigInt(reverseBits(b, logBlowup))));
    out.fill(Fp.inv(Fp.sub(xn, 1n)), b * n, (b + 1) * n);
  }
  return out;
}

export interface LdeView {
  /** Trace LDE columns, bit-reversed. */
  cur: readonly Column[];
  /** LDE points, bit-reversed. */
  xs: Column;
  logN: number;
  logBlowup: number;
}

/** Runs in wasm memory with the fused F_p2 kernels; each constraint column is evaluated once. */
export function compositionOnLde(k: Kernels, air: Air, lde: LdeView, alphas: readonly Fp2[]): ExtColumn {
  const N = lde.xs.length, bytes = N * 8;
  const next = nextRowColumns(lde.cur, lde.logN);
  const periodic = air.periodic.map((v) => periodicOnLde(k, v, lde.logN, 2 ** lde.logBlowup));
  const constraints = air.transitions.map((e) => evalColumns(k, e, { cur: lde.cur, next, periodic }, N));
  const g = Fp.rootOfUnity(lde.logN);
  return k.scoped(() => {
    const zeroed = () => k.allocZeroed(bytes);
    const total = [zeroed(), zeroed()] as const, acc = [zeroed(), zeroed()] as const;
    const tmp = k.alloc(bytes), xs = k.put(lde.xs), scratch = k.alloc(bytes);
    constraints.forEach((c, t) => {
      k.put(c, tmp);
      k.raw.ext_axpy_base(total[0], total[1], tmp, alphas[t]![0], alphas[t]![1], N);
    });
    // × (x − g^(n−1)) / (x^n − 1)
    k.put(transitionDivisorInverse(lde.xs, lde.logN, lde.logBlowup), tmp);
    k.raw.vec_add_scalar(scratch, xs, Fp.neg(Fp.pow(g, BigInt(2 ** lde.logN - 1))), N);
    k.raw.vec_mul(tmp, tmp, scratch, N);
    k.raw.vec_mul(total[0], total[0], tmp, N);
    k.raw.vec_mul(total[1], total[1], tmp, N);
    const rows = [...new Set(air.boundaries.map((b) => b.row))].sort((a, b) => a - b);
    for (const row of rows) {
      k.u64.fill(0n, acc[0] / 8, acc[0] / 8 + N);
      k.u64.fill(0n, acc[1] / 8, acc[1] / 8 + N);
      air.boundaries.forEach((b, i) => {
        if (b.row !== row) return;
        k.put(lde.cur[b.col]!, tmp);
        k.raw.vec_add_scalar(tmp, tmp, Fp.neg(b.value), N);
        const a = alphas[air.transitions.length + i]!;
        k.raw.ext_axpy_base(acc[0], acc[1], tmp, a[0], a[1], N);
      });
      // ÷ (x − g^row): ext_axpy_base(total, acc·inv) as acc ·= inv, total += acc.
      k.raw.vec_add_scalar(tmp, xs, Fp.neg(Fp.pow(g, BigInt(row))), N);
      if (k.raw.batch_inverse(tmp, tmp, scratch, N) >= 0) throw new Error('composition: an LDE point lies in the trace domain');
      k.raw.vec_mul(acc[0], acc[0], tmp, N);
      k.raw.vec_mul(acc[1], acc[1], tmp, N);
      k.raw.vec_add(total[0], total[0], acc[0], N);
      k.raw.vec_add(total[1], total[1], acc[1], N);
    }
    return { c0: k.get(total[0], N), c1: k.get(total[1], N) };
  });
}
