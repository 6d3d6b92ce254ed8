// F_p2 work at scattered points of a bit-reversed coset s·⟨ω⟩ (src/stark/domain.ts): the STARK verifier's
// query phase (src/stark/query-kernels.ts). Each kernel has a BigInt reference it is tested against
// (test/query-kernels.test.ts): deep_points ↔ deepAt (src/stark/deep.ts), fold_groups ↔ foldGroup and
// eval_points ↔ evaluateFinal (src/stark/fri.ts). A point is given by its exponent e (x = s·ω^e), so the
// host does integer work only. F_p2 values are interleaved (c0, c1), 16 bytes each; all inputs canonical.
import { addp, mulp, negp, powp, invp, subp } from './goldilocks';

const W: u64 = 7;
/** 1/2 = (p + 1)/2. */
const INV2: u64 = 0x7fffffff80000001;

// The result of emul: AssemblyScript has no tuples, and globals keep it allocation-free.
let e0: u64 = 0, e1: u64 = 0;

/** (e0, e1) = (a0 + a1·u)(b0 + b1·u). */
// @ts-ignore: decorator
@inline function emul(a0: u64, a1: u64, b0: u64, b1: u64): void {
  e0 = addp(mulp(a0, b0), mulp(mulp(a1, b1), W));
  e1 = addp(mulp(a0, b1), mulp(a1, b0));
}

/**
 * The DEEP composition at m points: out[r] = D(x_r) for x_r = shift·ω^exps[r], from row r of the opened
 * trace (w elements at trace + 8wr) and composition (2s elements, segment j = (c0, c1) at 2j).
 * params (u64): shift and ω (one word each), z, z·ω_n, cz and czw (F_p2: two words each), then the 2w + s
 * F_p2 coefficients γ.
 * With atZ = Σγ_i·T_i + Σγ''_j·C_j − cz and atZw = Σγ'_i·T_i − czw, D = atZ/(x − z) + atZw/(x − zω),
 * computed as (atZ·(x − zω) + atZw·(x − z)) / q with q = (x − z)(x − zω) ≠ 0 (z, zω ∉ F_p), and
 * 1/q = conj(q)/N(q) with every norm N(q) = q0² − 7·q1² inverted in one batch. scratch takes 24m bytes.
 */
export function deep_points(out: usize, trace: usize, comp: usize, exps: usize, m: usize, w: usize, s: usize, params: usize, scratch: usize): void {
  const shift = load<u64>(params), omega = load<u64>(params, 8);
  const z0 = load<u64>(params, 16), z1 = load<u64>(params, 24), zw0 = load<u64>(params, 32), zw1 = load<u64>(params, 40);
  const cz0 = load<u64>(params, 48), cz1 = load<u64>(params, 56), czw0 = load<u64>(params, 64), czw1 = load<u64>(params, 72);
  const gz = params + 80, gzw = gz + (w << 4), gc = gzw + (w << 4);
  const qs = scratch, prefix = scratch + (m << 4);
  let product: u64 = 1;
  for (let r: usize = 0; r < m; r++) {
    const x = mulp(shift, powp(omega, load<u64>(exps + (r << 3))));
    let a0: u64 = 0, a1: u64 = 0, b0: u64 = 0, b1: u64 = 0;
    const row = trace + r * (w << 3);
    for (let i: usize = 0; i < w; i++) {
      const t = load<u64>(row + (i << 3));
      a0 = addp(a0, mulp(load<u64>(gz + (i << 4)), t));
      a1 = addp(a1, mulp(load<u64>(gz + (i << 4), 8), t));
      b0 = addp(b0, mulp(load<u64>(gzw + (i << 4)), t));
      b1 = addp(b1, mulp(load<u64>(gzw + (i << 4), 8), t));
    }
    const crow = comp + r * (s << 4);
    for (let j: usize = 0; j < s; j++) {
      emul(load<u64>(gc + (j << 4)), load<u64>(gc + (j << 4), 8), load<u64>(crow + (j << 4)), load<u64>(crow + (j << 4), 8));
      a0 = addp(a0, e0);
      a1 = addp(a1, e1);
    }
    a0 = subp(a0, cz0); a1 = subp(a1, cz1);
    b0 = subp(b0, czw0); b1 = subp(b1, czw1);
    const d0 = subp(x, z0), d1 = negp(z1), dw0 = subp(x, zw0), dw1 = negp(zw1);
    emul(a0, a1, dw0, dw1);
    const n0 = e0, n1 = e1;
    emul(b0, b1, d0, d1);
    store<u64>(out + (r << 4), addp(n0, e0));
    store<u64>(out + (r << 4), addp(n1, e1), 8);
    emul(d0, d1, dw0, dw1);
    store<u64>(qs + (r << 4), e0);
    store<u64>(qs + (r << 4), e1, 8);
    product = mulp(product, subp(mulp(e0, e0), mulp(mulp(e1, e1), W)));
    store<u64>(prefix + (r << 3), product);
  }
  // Back from the inverse of all norms' product: each norm's inverse, then D = numerator·conj(q)/N(q).
  let inv = invp(product);
  for (let r = <isize>m - 1; r >= 0; r--) {
    const q0 = load<u64>(qs + (<usize>r << 4)), q1 = load<u64>(qs + (<usize>r << 4), 8);
    const normInv = r > 0 ? mulp(inv, load<u64>(prefix + (<usize>(r - 1) << 3))) : inv;
    inv = mulp(inv, subp(mulp(q0, q0), mulp(mulp(q1, q1), W)));
    emul(load<u64>(out + (<usize>r << 4)), load<u64>(out + (<usize>r << 4), 8), mulp(q0, normInv), negp(mulp(q1, normInv)));
    store<u64>(out + (<usize>r << 4), e0);
    store<u64>(out + (<usize>r << 4), e1, 8);
  }
}

/**
 * FRI folds of m groups in place: group g (2^logF F_p2 values at values + g·2^logF·16) lies on a layer
 * whose inverse points are invShift·ω^−e·invRoots[·] with e = exps[g] (invOmega = ω^−1); it is folded
 * log F times (α, α², …) down to its first value. invRoots holds, for logM = logF … 1 and j < 2^(logM−1),
 * the inverse of the point at bit-reversed position 2j of ⟨ω_(2^logM)⟩ (src/stark/fri.ts foldGroup).
 */
export function fold_groups(values: usize, exps: usize, m: usize, logF: u32, invShift: u64, invOmega: u64, alpha0: u64, alpha1: u64, invRoots: usize): void {
  for (let g: usize = 0; g < m; g++) {
    const v = values + (g << (4 + logF));
    let invBase = mulp(invShift, powp(invOmega, load<u64>(exps + (g << 3))));
    let al0 = alpha0, al1 = alpha1, root = invRoots;
    for (let logM = logF; logM > 0; logM--) {
      for (let j: usize = 0; j < (<usize>1 << (logM - 1)); j++) {
        const h = mulp(mulp(invBase, load<u64>(root)), INV2);
        root += 8;
        const x0 = load<u64>(v + (j << 5)), x1 = load<u64>(v + (j << 5), 8);
        const y0 = load<u64>(v + (j << 5), 16), y1 = load<u64>(v + (j << 5), 24);
        emul(al0, al1, mulp(subp(x0, y0), h), mulp(subp(x1, y1), h));
        store<u64>(v + (j << 4), addp(mulp(addp(x0, y0), INV2), e0));
        store<u64>(v + (j << 4), addp(mulp(addp(x1, y1), INV2), e1), 8);
      }
      invBase = mulp(invBase, invBase);
      emul(al0, al1, al0, al1);
      al0 = e0; al1 = e1;
    }
  }
}

/** out[r] = P(x_r), x_r = shift·ω^exps[r], for the F_p2 polynomial P of d coefficients (lowest first). */
export function eval_points(out: usize, coeffs: usize, d: usize, shift: u64, omega: u64, exps: usize, m: usize): void {
  for (let r: usize = 0; r < m; r++) {
    const x = mulp(shift, powp(omega, load<u64>(exps + (r << 3))));
    let a0: u64 = 0, a1: u64 = 0;
    for (let k = <isize>d - 1; k >= 0; k--) {
      a0 = addp(mulp(a0, x), load<u64>(coeffs + (<usize>k << 4)));
      a1 = addp(mulp(a1, x), load<u64>(coeffs + (<usize>k << 4), 8));
    }
    store<u64>(out + (r << 4), a0);
    store<u64>(out + (r << 4), a1, 8);
  }
}
