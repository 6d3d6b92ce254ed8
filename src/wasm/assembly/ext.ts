// Element-wise F_p2 kernels (F_p[u]/(u² − 7), src/field/ext2.ts) over pairs of base columns
// (c0 column, c1 column): the prover's DEEP and composition sums in one pass each instead of a
// chain of base-column kernels. Outputs may alias inputs (every element is read before it is written).
import { addp, mulp, subp } from './goldilocks';

const W: u64 = 7;
/** 1/2 = (p + 1)/2. */
const INV2: u64 = 0x7fffffff80000001;

/** out[i] = a[i] + c. */
export function vec_add_scalar(out: usize, a: usize, c: u64, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) store<u64>(out + i, addp(load<u64>(a + i), c));
}

/** acc += (c0 + c1·u)·x for a base column x. */
export function ext_axpy_base(acc0: usize, acc1: usize, x: usize, c0: u64, c1: u64, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) {
    const v = load<u64>(x + i);
    store<u64>(acc0 + i, addp(load<u64>(acc0 + i), mulp(v, c0)));
    store<u64>(acc1 + i, addp(load<u64>(acc1 + i), mulp(v, c1)));
  }
}

/** acc += (c0 + c1·u)·(a0 + a1·u). */
export function ext_axpy(acc0: usize, acc1: usize, a0: usize, a1: usize, c0: u64, c1: u64, n: usize): void {
  const c1w = mulp(c1, W);
  for (let i: usize = 0; i < n << 3; i += 8) {
    const x0 = load<u64>(a0 + i), x1 = load<u64>(a1 + i);
    store<u64>(acc0 + i, addp(load<u64>(acc0 + i), addp(mulp(x0, c0), mulp(x1, c1w))));
    store<u64>(acc1 + i, addp(load<u64>(acc1 + i), addp(mulp(x0, c1), mulp(x1, c0))));
  }
}

/** (out[0], out[1]) = Σ a[i]·(p0[i] + p1[i]·u): a base column against an F_p2 column (a polynomial at a point, given its powers). */
export function ext_dot_base(out: usize, a: usize, p0: usize, p1: usize, n: usize): void {
  let s0: u64 = 0, s1: u64 = 0;
  for (let i: usize = 0; i < n << 3; i += 8) {
    const x = load<u64>(a + i);
    s0 = addp(s0, mulp(x, load<u64>(p0 + i)));
    s1 = addp(s1, mulp(x, load<u64>(p1 + i)));
  }
  store<u64>(out, s0);
  store<u64>(out + 8, s1);
}

/**
 * One binary FRI fold of an F_p2 layer (src/stark/fri.ts foldLayer): for adjacent values a = v[2j],
 * b = v[2j+1] (P(x) and P(−x)) and h[j] = 1/(2x), out[j] = (a + b)/2 + α·(a − b)·h[j].
 */
export function ext_fold(o0: usize, o1: usize, v0: usize, v1: usize, h: usize, a0: u64, a1: u64, half: usize): void {
  const a1w = mulp(a1, W);
  for (let j: usize = 0; j < half << 3; j += 8) {
    const x0 = load<u64>(v0 + 2 * j), x1 = load<u64>(v1 + 2 * j), y0 = load<u64>(v0 + 2 * j + 8), y1 = load<u64>(v1 + 2 * j + 8);
    const hj = load<u64>(h + j);
    const d0 = mulp(subp(x0, y0), hj), d1 = mulp(subp(x1, y1), hj);
    store<u64>(o0 + j, addp(mulp(addp(x0, y0), INV2), addp(mulp(a0, d0), mulp(a1w, d1))));
    store<u64>(o1 + j, addp(mulp(addp(x1, y1), INV2), addp(mulp(a0, d1), mulp(a1, d0))));
  }
}

/**
 * Synthetic division of the F_p2 polynomial p (n coefficients, lowest first) by (x − z): q gets the
 * n − 1 coefficients of the quotient and q[n − 1] = 0; the remainder p(z) goes to rem (two u64).
 * q must not overlap p (q[k − 1] is written before p[k − 1] is read).
 * Runs from the top coefficient down: v_k = p_k + z·v_(k+1), q_(k−1) = v_k, p(z) = v_0.
 */
export function ext_div_linear(q0: usize, q1: usize, p0: usize, p1: usize, z0: u64, z1: u64, n: usize, rem: usize): void {
  const z1w = mulp(z1, W);
  let v0: u64 = 0, v1: u64 = 0;
  for (let k = <isize>n - 1; k >= 0; k--) {
    const o = <usize>k << 3;
    const t0 = addp(mulp(z0, v0), mulp(z1w, v1)), t1 = addp(mulp(z0, v1), mulp(z1, v0));
    v0 = addp(load<u64>(p0 + o), t0);
    v1 = addp(load<u64>(p1 + o), t1);
    if (k > 0) {
      store<u64>(q0 + o - 8, v0);
      store<u64>(q1 + o - 8, v1);
    }
  }
  store<u64>(q0 + ((n - 1) << 3), 0);
  store<u64>(q1 + ((n - 1) << 3), 0);
  store<u64>(rem, v0);
  store<u64>(rem + 8, v1);
}
