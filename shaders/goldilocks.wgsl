// Goldilocks field p = 2^64 - 2^32 + 1 on vec2<u32> (x = low word, y = high word).
// docs/architecture.md "Layers": WGSL has no 64-bit integers, so every element is two u32
// words. Inputs and outputs are canonical (< p); results match src/field/goldilocks.ts bit for bit.
//
// Reduction uses 2^64 ≡ 2^32 - 1 (= EPSILON) and 2^96 ≡ -1 (mod p). The 64×64 → 128 product is
// schoolbook over 32-bit limbs: WGSL's u32 multiply wraps (the low word for free) and only the high
// word of each 32×32 product is rebuilt from 16-bit halves, 16 multiplies per field product in all.
// Karatsuba saves one 32×32 product but costs more adds and carries than it saves here.

alias Fp = vec2<u32>;

const FP_ZERO = Fp(0u, 0u);
const FP_ONE = Fp(1u, 0u);
const EPSILON = 0xffffffffu;

// Carry out of a + b for u32 words.
fn carry32(sum: u32, a: u32) -> u32 {
  return select(0u, 1u, sum < a);
}

// (a + b) mod 2^64, and the carry out of bit 63.
fn add64(a: Fp, b: Fp) -> vec3<u32> {
  let lo = a.x + b.x;
  let c0 = carry32(lo, a.x);
  let t = a.y + b.y;
  let hi = t + c0;
  return vec3<u32>(lo, hi, carry32(t, a.y) | carry32(hi, t));
}

// (a - b) mod 2^64, and the borrow out of bit 63.
fn sub64(a: Fp, b: Fp) -> vec3<u32> {
  let lo = a.x - b.x;
  let b0 = select(0u, 1u, a.x < b.x);
  let t = a.y - b.y;
  let hi = t - b0;
  return vec3<u32>(lo, hi, select(0u, 1u, a.y < b.y) | select(0u, 1u, t < b0));
}

// x + EPSILON mod 2^64 (adding 2^32 - 1 is subtracting p modulo 2^64).
fn add_epsilon(x: Fp) -> Fp {
  let lo = x.x + EPSILON;
  return Fp(lo, x.y + carry32(lo, x.x));
}

// x - EPSILON mod 2^64 (adding p modulo 2^64).
fn sub_epsilon(x: Fp) -> Fp {
  let lo = x.x - EPSILON;
  return Fp(lo, x.y - select(0u, 1u, x.x < EPSILON));
}

fn fp_is_canonical(a: Fp) -> bool {
  return a.y != 0xffffffffu || a.x == 0u;
}

fn fp_add(a: Fp, b: Fp) -> Fp {
  let s = add64(a, b);
  let r = Fp(s.x, s.y);
  // Either the sum wrapped (true sum - 2^64 + EPSILON < p, no second wrap) or it is in [p, 2^64).
  return select(r, add_epsilon(r), s.z == 1u || !fp_is_canonical(r));
}

fn fp_sub(a: Fp, b: Fp) -> Fp {
  let d = sub64(a, b);
  let r = Fp(d.x, d.y);
  // On borrow r = a - b + 2^64 ≥ 2^32 > EPSILON, so subtracting EPSILON cannot wrap.
  return select(r, sub_epsilon(r), d.z == 1u);
}

fn fp_neg(a: Fp) -> Fp {
  return fp_sub(FP_ZERO, a);
}

// High word of the 64-bit product of two u32 words.
fn mul_hi32(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

// Reduces the 128-bit value (w0, w1, w2, w3) (little-endian u32 words) to a canonical element:
// x = lo + w2·2^64 + w3·2^96 ≡ lo + w2·EPSILON - w3.
fn reduce128(w0: u32, w1: u32, w2: u32, w3: u32) -> Fp {
  let d = sub64(Fp(w0, w1), Fp(w3, 0u));
  // On borrow d = lo - w3 + 2^64 ≥ 2^64 - 2^32 > EPSILON: subtracting EPSILON adds p without wrapping.
  let t0 = select(Fp(d.x, d.y), sub_epsilon(Fp(d.x, d.y)), d.z == 1u);
  // w2·EPSILON = w2·2^32 - w2 < 2^64.
  let t1 = Fp(0u - w2, w2 - select(0u, 1u, w2 != 0u));
  let s = add64(t0, t1);
  let r = select(Fp(s.x, s.y), add_epsilon(Fp(s.x, s.y)), s.z == 1u);
  return select(r, add_epsilon(r), !fp_is_canonical(r));
}

fn fp_mul(a: Fp, b: Fp) -> Fp {
  // Partial products p_ij = a_i · b_j as (low, high) words.
  let p00l = a.x * b.x;
  let p00h = mul_hi32(a.x, b.x);
  let p01l = a.x * b.y;
  let p01h = mul_hi32(a.x, b.y);
  let p10l = a.y * b.x;
  let p10h = mul_hi32(a.y, b.x);
  let p11l = a.y * b.y;
  let p11h = mul_hi32(a.y, b.y);
  // Word 1 = p00h + p01l + p10l, carries into word 2.
  let s1 = p00h + p01l;
  var c1 = carry32(s1, p00h);
  let w1 = s1 + p10l;
  c1 += carry32(w1, s1);
  // Word 2 = p01h + p10h + p11l + c1, carries into word 3.
  let s2 = p01h + p10h;
  var c2 = carry32(s2, p01h);
  let s3 = s2 + p11l;
  c2 += carry32(s3, s2);
  let w2 = s3 + c1;
  c2 += carry32(w2, s3);
  return reduce128(p00l, w1, w2, p11h + c2);
}

fn fp_square(a: Fp) -> Fp {
  return fp_mul(a, a);
}

// a^e for a 64-bit exponent e = (low word, high word), square-and-multiply from the top bit.
fn fp_pow(a: Fp, e: vec2<u32>) -> Fp {
  var r = FP_ONE;
  for (var i = 63i; i >= 0i; i--) {
    r = fp_square(r);
    let word = select(e.x, e.y, i >= 32i);
    if (((word >> (u32(i) & 31u)) & 1u) == 1u) {
      r = fp_mul(r, a);
    }
  }
  return r;
}

// a^(p-2): the inverse of a non-zero a; 0 maps to 0 (callers that must reject 0 check first).
fn fp_inv(a: Fp) -> Fp {
  return fp_pow(a, vec2<u32>(0xffffffffu, 0xfffffffeu));
}
