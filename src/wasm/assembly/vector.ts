// Element-wise kernels over columns of canonical Goldilocks elements (u64, little-endian in memory).
// Pointers are byte offsets into linear memory; lengths count elements. Outputs may alias inputs.
import { addp, subp, mulp, negp, invp } from './goldilocks';

export function vec_add(out: usize, a: usize, b: usize, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) store<u64>(out + i, addp(load<u64>(a + i), load<u64>(b + i)));
}

export function vec_sub(out: usize, a: usize, b: usize, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) store<u64>(out + i, subp(load<u64>(a + i), load<u64>(b + i)));
}

export function vec_mul(out: usize, a: usize, b: usize, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) store<u64>(out + i, mulp(load<u64>(a + i), load<u64>(b + i)));
}

export function vec_neg(out: usize, a: usize, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) store<u64>(out + i, negp(load<u64>(a + i)));
}

export function vec_scale(out: usize, a: usize, c: u64, n: usize): void {
  for (let i: usize = 0; i < n << 3; i += 8) store<u64>(out + i, mulp(load<u64>(a + i), c));
}

/** out[i] = a[i] · start · step^i — coset shifts and weightings in one pass. */
export function vec_mul_powers(out: usize, a: usize, start: u64, step: u64, n: usize): void {
  let w = start;
  for (let i: usize = 0; i < n << 3; i += 8) {
    store<u64>(out + i, mulp(load<u64>(a + i), w));
    w = mulp(w, step);
  }
}

/** out[i] = start · step^i. */
export function powers(out: usize, start: u64, step: u64, n: usize): void {
  let w = start;
  for (let i: usize = 0; i < n << 3; i += 8) {
    store<u64>(out + i, w);
    w = mulp(w, step);
  }
}

/**
 * Montgomery batch inversion: one field inversion plus 3(n-1) multiplications.
 * `scratch` holds n elements. Returns the index of the first zero, or -1 when all were invertible
 * (then out holds the inverses; otherwise out is unspecified).
 */
export function batch_inverse(out: usize, a: usize, scratch: usize, n: usize): isize {
  let acc: u64 = 1;
  for (let i: usize = 0; i < n; i++) {
    const x = load<u64>(a + (i << 3));
    if (x == 0) return <isize>i;
    store<u64>(scratch + (i << 3), acc);
    acc = mulp(acc, x);
  }
  let inv = invp(acc);
  for (let i = <isize>n - 1; i >= 0; i--) {
    const x = load<u64>(a + (i << 3));
    store<u64>(out + (i << 3), mulp(inv, load<u64>(scratch + (i << 3))));
    inv = mulp(inv, x);
  }
  return -1;
}
