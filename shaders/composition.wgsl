// The DEEP-ALI composition polynomial on the LDE domain, one invocation per position.
// The reference is compositionOnLde in src/prover/cpu/composition.ts; src/prover/gpu/composition.ts drives this
// kernel and must produce the same field elements:
//   C(x) = Σ_t α_t·c_t(x)·(x − g^(n−1))/(x^n − 1)
//        + Σ_rows r [Σ_{b at row r} α_b·(T_col(b)(x) − v_b) + Σ_{e at row r} α_e·e(x)]/(x − g^r)
// Needs goldilocks.wgsl and ext2.wgsl. src/prover/gpu/composition.ts injects WORKGROUP_SIZE, OUT_SPLIT
// and TWO_BINDINGS, appends the CompParams struct (declared there with uniformStruct, src/gpu/uniforms.ts)
// and supplies the AIR's constraints as two functions (every per-proof value is in `consts`):
//   fn air_transitions(p: u32, q: u32) -> Fp2    Σ_t α_t·c_t, cur row at position p, next row at q
//   fn air_rows(p: u32, r: u32) -> Fp2           Σ_e α_e·e over row group r's row constraints
// either generated from the AIR's trees (constraintsToWgsl over trace_at / periodic_at /
// transition_alpha / row_alpha below; a small AIR, fastest) or as composition_program.wgsl's
// interpreter of the constraints compiled to a program (a wide AIR: one pipeline whatever the AIR).
// The trace LDE may come in two bindings (an AIR with an auxiliary segment: the main trace's columns,
// then the auxiliary ones from params.aux_first on), which trace_at hides.
//
// Layout (src/stark/domain.ts): the LDE is bit-reversed, so position p holds x = 7·ω_N^bitrev_N(p),
// and block p >> log_n is one coset of the trace domain, on which x^n is constant. The next row of
// p = block·n + i is q = block·n + bitrev_n((bitrev_n(i) + 1) mod n).
//
// No grid-stride loop: SwiftShader's compiler takes minutes on a loop around this body once the AIR's
// constraints are inlined (GEOM: over 100 s against 1 s without the loop), so the grid is 2D instead,
// row y continuing at y · (workgroups.x · WORKGROUP_SIZE).
//
// Field arithmetic is exact and every value canonical, so evaluating the same terms in a different
// order than the CPU gives the same bytes. The boundary quotients share one inversion per position:
// Σ_r A_r/d_r is folded as a running fraction num/den (num ← num·d + A·den, den ← den·d).

// OUT_SPLIT: 0 when both output columns are in `out` (c1 at N + p), 1 when c1 is in `out1`.
// TWO_BINDINGS: 1 when the trace LDE comes in two bindings (trace_lde, then aux_lde from params.aux_first).

@group(0) @binding(0) var<storage, read> trace_lde: array<Fp>;
// The periodic columns' LDEs (same layout as the trace); bound to `consts` when there are none.
@group(0) @binding(1) var<storage, read> periodic_lde: array<Fp>;
@group(0) @binding(2) var<storage, read> consts: array<Fp>;
@group(0) @binding(3) var<storage, read_write> out: array<Fp>;
@group(0) @binding(4) var<storage, read_write> out1: array<Fp>;
@group(0) @binding(5) var<uniform> params: CompParams;
// The columns from params.aux_first on; bound to `consts` when the trace LDE is one binding.
@group(0) @binding(6) var<storage, read> aux_lde: array<Fp>;

fn comp_bit_reverse(x: u32, bits: u32) -> u32 {
  return select(0u, reverseBits(x) >> (32u - bits), bits > 0u);
}

fn trace_at(col: u32, pos: u32) -> Fp {
  // TWO_BINDINGS is a compile-time constant: with one binding the branch is not there at all.
  if (TWO_BINDINGS == 1u && col >= params.aux_first) {
    return aux_lde[((col - params.aux_first) << params.log_big) + pos];
  }
  return trace_lde[(col << params.log_big) + pos];
}

fn periodic_at(j: u32, pos: u32) -> Fp {
  return periodic_lde[(j << params.log_big) + pos];
}

fn transition_alpha(t: u32) -> Fp2 {
  let at = params.alpha_off + 2u * t;
  return fp2(consts[at], consts[at + 1u]);
}

fn row_alpha(k: u32) -> Fp2 {
  let at = params.row_alpha_off + 2u * k;
  return fp2(consts[at], consts[at + 1u]);
}

// The LDE point at bit-reversed position p.
fn lde_point(p: u32) -> Fp {
  let k = comp_bit_reverse(p, params.log_big);
  let lo_mask = (1u << params.log_lo) - 1u;
  return fp_mul(consts[params.lo_off + (k & lo_mask)], consts[params.hi_off + (k >> params.log_lo)]);
}

fn comp_square_n(a: Fp, k: u32) -> Fp {
  var r = a;
  for (var i = 0u; i < k; i++) {
    r = fp_square(r);
  }
  return r;
}

// a^(p−2) = a^(2^64 − 2^32 − 1) by an addition chain: 64 squarings and 9 multiplications, against
// fp_inv's 64 and 63. With t_k = a^(2^k − 1): a^(p−2) = t31^(2^33) · t32. Never called with 0.
fn comp_inv(a: Fp) -> Fp {
  let t2 = fp_mul(fp_square(a), a);
  let t3 = fp_mul(fp_square(t2), a);
  let t6 = fp_mul(comp_square_n(t3, 3u), t3);
  let t12 = fp_mul(comp_square_n(t6, 6u), t6);
  let t24 = fp_mul(comp_square_n(t12, 12u), t12);
  let t30 = fp_mul(comp_square_n(t24, 6u), t6);
  let t31 = fp_mul(fp_square(t30), a);
  let t32 = fp_mul(fp_square(t31), a);
  return fp_mul(comp_square_n(t31, 33u), t32);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn composition_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) workgroups: vec3<u32>) {
  // Keeps the binding in the automatic layout when the AIR has no periodic column.
  _ = &periodic_lde;
  _ = &aux_lde;
  let big = 1u << params.log_big;
  let n_mask = (1u << params.log_n) - 1u;
  let g_last = consts[params.g_last_off];
  // One position per invocation; rows of the 2D grid continue where the previous row ends.
  let p = gid.y * (workgroups.x * WORKGROUP_SIZE) + gid.x;
  if (p < big) {
    let i = p & n_mask;
    let q = (p & ~n_mask) | comp_bit_reverse((comp_bit_reverse(i, params.log_n) + 1u) & n_mask, params.log_n);
    let sum = air_transitions(p, q);
    let x = lde_point(p);
    // Transitions: × (x − g^(n−1)) / (x^n − 1).
    let zinv = consts[params.zinv_off + (p >> params.log_n)];
    var total = fp2_mul_base(sum, fp_mul(fp_sub(x, g_last), zinv));
    // Boundaries, grouped by row.
    var num = fp2(FP_ZERO, FP_ZERO);
    var den = FP_ONE;
    var b = 0u;
    for (var r = 0u; r < params.groups; r++) {
      let gr = consts[params.group_off + 2u * r];
      let end = consts[params.group_off + 2u * r + 1u].x;
      var acc = fp2(FP_ZERO, FP_ZERO);
      for (; b < end; b++) {
        let rec = params.bound_off + 4u * b;
        let v = fp_sub(trace_at(consts[rec].x, p), consts[rec + 1u]);
        acc = fp2_add(acc, fp2_mul_base(fp2(consts[rec + 2u], consts[rec + 3u]), v));
      }
      acc = fp2_add(acc, air_rows(p, r));
      let d = fp_sub(x, gr);
      num = fp2_add(fp2_mul_base(num, d), fp2_mul_base(acc, den));
      den = fp_mul(den, d);
    }
    if (params.groups > 0u) {
      total = fp2_add(total, fp2_mul_base(num, comp_inv(den)));
    }
    out[p] = fp2_c0(total);
    if (OUT_SPLIT == 1u) {
      out1[p] = fp2_c1(total);
    } else {
      out[big + p] = fp2_c1(total);
    }
  }
}
