// Polynomials in coefficient form evaluated at an F_p2 point: P(z) = Σ_i c_i·z^i for columns of n
// base-field coefficients (the STARK's out-of-domain answers; evaluateBaseAt of
// src/field/ext-columns.ts is the reference). Needs goldilocks.wgsl and ext2.wgsl; src/prover/gpu/ood.ts
// injects WORKGROUP_SIZE and the EvalParams struct (declared there with uniformStruct,
// src/gpu/uniforms.ts).
//
// Invocation (c, t), t < T (T a power of two dividing n), sums one strided slice by Horner in
// w = z^T: partial_t = c_t + c_(t+T)·w + c_(t+2T)·w² + …, so neighbouring invocations read
// neighbouring coefficients. Then P(z) = Σ_t z^t·partial_t, which the host finishes over the T
// partials. The arithmetic is exact, so the result equals the CPU's.

@group(0) @binding(0) var<storage, read> coefs: array<Fp>;
// Column c of the segment holds its T partials at [c·T, (c + 1)·T).
@group(0) @binding(1) var<storage, read_write> partials: array<Fp2>;
@group(0) @binding(2) var<uniform> params: EvalParams;

@compute @workgroup_size(WORKGROUP_SIZE)
fn poly_eval(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * params.groups_x + wg.x) * WORKGROUP_SIZE + lid;
  if (i >= params.cols * params.stride) {
    return;
  }
  let t = i % params.stride;
  let c = i / params.stride;
  let base = c * params.n + t;
  var acc = fp2(FP_ZERO, FP_ZERO);
  for (var k = params.n / params.stride; k > 0u; k--) {
    acc = fp2_mul(acc, params.w);
    acc = fp2(fp_add(acc.xy, coefs[base + (k - 1u) * params.stride]), acc.zw);
  }
  partials[c * params.stride + t] = acc;
}
