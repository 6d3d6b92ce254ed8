// Whether rows [first, first + count) of every column of a matrix segment are zero: any non-zero
// element sets `flag` (the prover's degree check of the composition: its coefficients from S·n on
// must vanish). src/gpu/zero-check.ts injects WORKGROUP_SIZE and the ZeroParams struct
// (declared there with uniformStruct, src/gpu/uniforms.ts); needs goldilocks.wgsl for Fp.

@group(0) @binding(0) var<storage, read> data: array<Fp>;
@group(0) @binding(1) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: ZeroParams;

@compute @workgroup_size(WORKGROUP_SIZE)
fn zero_check(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.y * params.groups_x + wg.x) * WORKGROUP_SIZE + lid;
  if (i >= params.count * params.cols) {
    return;
  }
  let v = data[(i / params.count) * params.height + params.first + i % params.count];
  if (any(v != FP_ZERO)) {
    atomicOr(&flag[0], 1u);
  }
}
