// Goldilocks arithmetic for the WebAssembly CPU kernels (AssemblyScript).
// p = 2^64 - 2^32 + 1. Every value stored in memory is canonical (< p); these helpers keep it so.
// Reduction uses 2^64 ≡ 2^32 - 1 and 2^96 ≡ -1 (mod p), so no division is ever needed.
// All selects are branchless: NTT data is random, and mispredicted branches would dominate.

export const P: u64 = 0xffffffff00000001;
/** 2^64 mod p, also -p mod 2^64. */
export const EPS: u64 = 0xffffffff;

// @ts-ignore: decorator
@inline export function addp(a: u64, b: u64): u64 {
  const s = a + b;
  // s - P (mod 2^64) is right both when a + b wrapped (it adds EPS) and when s >= P.
  return select<u64>(s - P, s, (s < a) | (s >= P));
}

// @ts-ignore: decorator
@inline export function subp(a: u64, b: u64): u64 {
  const d = a - b;
  return select<u64>(d + P, d, a < b);
}

// @ts-ignore: decorator
@inline export function negp(a: u64): u64 {
  return select<u64>(P - a, 0, a != 0);
}

/** Reduces hi·2^64 + lo to a canonical element. */
// @ts-ignore: decorator
@inline export function reduce128(lo: u64, hi: u64): u64 {
  const hh = hi >> 32;
  const hl = hi & EPS;
  let t0 = lo - hh;
  t0 = select<u64>(t0 - EPS, t0, lo < hh); // borrow: add p, i.e. subtract EPS mod 2^64
  const t1 = hl * EPS;
  let r = t0 + t1;
  r = select<u64>(r + EPS, r, r < t1); // carry: 2^64 ≡ EPS
  return select<u64>(r - P, r, r >= P);
}

// @ts-ignore: decorator
@inline export function mulp(a: u64, b: u64): u64 {
  const a0 = a & EPS, a1 = a >> 32, b0 = b & EPS, b1 = b >> 32;
  const ll = a0 * b0, lh = a0 * b1, hl = a1 * b0, hh = a1 * b1;
  const mid = (ll >> 32) + (lh & EPS) + (hl & EPS); // < 3·2^32, no overflow
  const hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  return reduce128(a * b, hi); // the low word is the wrapping product
}

export function powp(base: u64, exp: u64): u64 {
  let r: u64 = 1;
  while (exp != 0) {
    if (exp & 1) r = mulp(r, base);
    base = mulp(base, base);
    exp >>= 1;
  }
  return r;
}

/** Inverse by Fermat (a^(p-2)); 0 maps to 0, callers reject zero before asking. */
export function invp(a: u64): u64 {
  return powp(a, P - 2);
}
