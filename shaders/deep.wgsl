// The DEEP composition on the LDE domain (src/stark/deep.ts, deepComposition, is the reference):
//   D(x) = [Σ_i γ_i·(T_i(x) − T_i(z)) + Σ_j γ''_j·(C_j(x) − C_j(z))] / (x − z)
//        + [Σ_i γ'_i·(T_i(x) − T_i(z·ω))] / (x − z·ω)
// Needs goldilocks.wgsl and ext2.wgsl; src/prover/gpu/deep.ts injects WORKGROUP_SIZE, ROWS and the
// DeepParams struct (declared there with uniformStruct, src/gpu/uniforms.ts).
//
// Every column is a base column with F_p2 coefficients: trace column i adds γ_i·T_i to acc_z and
// γ'_i·T_i to acc_zω; composition column 2j adds γ''_j·c0 and column 2j + 1 adds (γ''_j·u)·c1 to
// acc_z (γ''·(c0 + c1·u) = γ''·c0 + (γ''·u)·c1). The constants Σγ·T(z) + Σγ''·C(z) and Σγ'·T(zω) are
// computed on the host and subtracted once. Field arithmetic is exact, so the order of the sums
// does not change a canonical result: the bytes equal the CPU's.
//
// One dispatch per pair (trace segment d, composition segment d). The first starts from zero, the
// others continue from `acc`; every dispatch but the last stores to `acc`; the last divides:
// 1/(x − ζ) = ((x − ζ0) + ζ1·u) / ((x − ζ0)² − 7·ζ1²). Invocation t holds ROWS rows t + k·T (reads
// stay coalesced) and inverts the ROWS products norm_z·norm_zω with one fp_inv (Montgomery's trick).
// A norm vanishes only if ζ ∈ F_p lies on the domain; the host rejects that before dispatching.
//
// The point at bit-reversed position r is 7·ω_N^bitrev(r) = hi[e >> LO]·lo[e mod 2^LO] for
// e = bitrev(r): `points` holds lo (ω_N^i, i < 2^lo_bits) and then hi (7·ω_N^(i·2^lo_bits)).

@group(0) @binding(0) var<storage, read> trace: array<Fp>;
@group(0) @binding(1) var<storage, read> comp: array<Fp>;
// Trace column i: (γ_i, γ'_i) at 2i, 2i + 1; composition column c: its coefficient at 2w + c.
@group(0) @binding(2) var<storage, read> coefs: array<Fp2>;
@group(0) @binding(3) var<storage, read> points: array<Fp>;
// acc_z at [0, n), acc_zω at [n, 2n).
@group(0) @binding(4) var<storage, read_write> acc: array<Fp2>;
// c0 at [0, n), c1 at [n, 2n).
@group(0) @binding(5) var<storage, read_write> deep_out: array<Fp>;
@group(0) @binding(6) var<uniform> params: DeepParams;

fn deep_bit_reverse(x: u32, bits: u32) -> u32 {
  return select(0u, reverseBits(x) >> (32u - bits), bits > 0u);
}

fn deep_point(r: u32) -> Fp {
  let e = deep_bit_reverse(r, params.log_n);
  let lo_n = 1u << params.lo_bits;
  return fp_mul(points[lo_n + (e >> params.lo_bits)], points[e & (lo_n - 1u)]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn deep(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = (wg.y * params.groups_x + wg.x) * WORKGROUP_SIZE + lid;
  if (t >= params.threads) {
    return;
  }
  let n = params.n;
  var rows: array<u32, ROWS>;
  var az: array<Fp2, ROWS>;
  var aw: array<Fp2, ROWS>;
  for (var k = 0u; k < ROWS; k++) {
    // Rows past the end (n < ROWS only) repeat the last row and are never stored.
    rows[k] = min(t + k * params.threads, n - 1u);
    if (params.first == 1u) {
      az[k] = Fp2(0u);
      aw[k] = Fp2(0u);
    } else {
      az[k] = acc[rows[k]];
      aw[k] = acc[n + rows[k]];
    }
  }
  for (var c = 0u; c < params.trace_cols; c++) {
    let gz = coefs[params.trace_coef + 2u * c];
    let gw = coefs[params.trace_coef + 2u * c + 1u];
    for (var k = 0u; k < ROWS; k++) {
      let v = trace[c * n + rows[k]];
      az[k] = fp2_add(az[k], fp2_mul_base(gz, v));
      aw[k] = fp2_add(aw[k], fp2_mul_base(gw, v));
    }
  }
  for (var c = 0u; c < params.comp_cols; c++) {
    let g = coefs[params.comp_coef + c];
    for (var k = 0u; k < ROWS; k++) {
      az[k] = fp2_add(az[k], fp2_mul_base(g, comp[c * n + rows[k]]));
    }
  }
  if (params.last == 0u) {
    for (var k = 0u; k < ROWS; k++) {
      if (t + k * params.threads < n) {
        acc[rows[k]] = az[k];
        acc[n + rows[k]] = aw[k];
      }
    }
    return;
  }

  // x − z0, x − zω0, their norms, and prefix products of norm_z·norm_zω for the batch inversion.
  var dz: array<Fp, ROWS>;
  var dw: array<Fp, ROWS>;
  var nz: array<Fp, ROWS>;
  var nw: array<Fp, ROWS>;
  var prefix: array<Fp, ROWS>;
  var run = FP_ONE;
  for (var k = 0u; k < ROWS; k++) {
    let x = deep_point(rows[k]);
    dz[k] = fp_sub(x, params.z.xy);
    dw[k] = fp_sub(x, params.zw.xy);
    nz[k] = fp_sub(fp_square(dz[k]), params.norm_c.xy);
    nw[k] = fp_sub(fp_square(dw[k]), params.norm_c.zw);
    run = fp_mul(run, fp_mul(nz[k], nw[k]));
    prefix[k] = run;
  }
  var inv_run = fp_inv(run);
  for (var j = 0u; j < ROWS; j++) {
    let k = ROWS - 1u - j;
    // 1/(norm_z·norm_zω) of row k, then drop row k from the running inverse.
    var ip = inv_run;
    if (k > 0u) {
      ip = fp_mul(inv_run, prefix[k - 1u]);
    }
    inv_run = fp_mul(inv_run, fp_mul(nz[k], nw[k]));
    let inz = fp_mul(nw[k], ip);
    let inw = fp_mul(nz[k], ip);
    let qz = fp2_mul(fp2_sub(az[k], params.cz), fp2(fp_mul(dz[k], inz), fp_mul(params.z.zw, inz)));
    let qw = fp2_mul(fp2_sub(aw[k], params.czw), fp2(fp_mul(dw[k], inw), fp_mul(params.zw.zw, inw)));
    let d = fp2_add(qz, qw);
    if (t + k * params.threads < n) {
      deep_out[rows[k]] = d.xy;
      deep_out[n + rows[k]] = d.zw;
    }
  }
}
