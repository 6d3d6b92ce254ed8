// The quadratic extension F_p2 = F_p[u]/(u^2 - 7) (src/field/ext2.ts): an element c0 + c1·u is
// vec4<u32>(c0.lo, c0.hi, c1.lo, c1.hi). Needs goldilocks.wgsl.

alias Fp2 = vec4<u32>;

fn fp2(c0: Fp, c1: Fp) -> Fp2 {
  return Fp2(c0, c1);
}

fn fp2_c0(a: Fp2) -> Fp {
  return a.xy;
}

fn fp2_c1(a: Fp2) -> Fp {
  return a.zw;
}

// 7·x as x·8 - x: three doublings and a subtraction, cheaper than a field multiply.
fn fp_mul_by_w(x: Fp) -> Fp {
  let x2 = fp_add(x, x);
  let x4 = fp_add(x2, x2);
  return fp_sub(fp_add(x4, x4), x);
}

fn fp2_add(a: Fp2, b: Fp2) -> Fp2 {
  return fp2(fp_add(a.xy, b.xy), fp_add(a.zw, b.zw));
}

fn fp2_sub(a: Fp2, b: Fp2) -> Fp2 {
  return fp2(fp_sub(a.xy, b.xy), fp_sub(a.zw, b.zw));
}

fn fp2_neg(a: Fp2) -> Fp2 {
  return fp2(fp_neg(a.xy), fp_neg(a.zw));
}

// (a0 + a1·u)(b0 + b1·u) = a0·b0 + 7·a1·b1 + (a0·b1 + a1·b0)·u.
fn fp2_mul(a: Fp2, b: Fp2) -> Fp2 {
  let c0 = fp_add(fp_mul(a.xy, b.xy), fp_mul_by_w(fp_mul(a.zw, b.zw)));
  let c1 = fp_add(fp_mul(a.xy, b.zw), fp_mul(a.zw, b.xy));
  return fp2(c0, c1);
}

fn fp2_mul_base(a: Fp2, b: Fp) -> Fp2 {
  return fp2(fp_mul(a.xy, b), fp_mul(a.zw, b));
}

fn fp2_square(a: Fp2) -> Fp2 {
  return fp2_mul(a, a);
}

// 1/(a0 + a1·u) = (a0 - a1·u)/(a0^2 - 7·a1^2); the norm is non-zero for a ≠ 0 since 7 is a non-residue.
// 0 maps to 0, as in fp_inv.
fn fp2_inv(a: Fp2) -> Fp2 {
  let norm = fp_sub(fp_square(a.xy), fp_mul_by_w(fp_square(a.zw)));
  let n_inv = fp_inv(norm);
  return fp2(fp_mul(a.xy, n_inv), fp_neg(fp_mul(a.zw, n_inv)));
}
