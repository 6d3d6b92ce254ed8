// Element-wise field operations over arrays (Fp and F_p2), one op per pipeline: src/gpu/field-ops.ts
// injects OP and the MapParams struct (declared there with uniformStruct, src/gpu/uniforms.ts).
// Needs goldilocks.wgsl and ext2.wgsl. Base-field elements are one vec2 each; an F_p2 element is
// two consecutive vec2 (c0, c1). Binary ops read `lhs` and `rhs`; unary ops read `lhs` only; OP_POW
// reads its exponent, a 64-bit integer, from `rhs`.

const OP_ADD = 0u;
const OP_SUB = 1u;
const OP_MUL = 2u;
const OP_SQUARE = 3u;
const OP_NEG = 4u;
const OP_INV = 5u;
const OP_POW = 6u;
const OP_FP2_ADD = 10u;
const OP_FP2_SUB = 11u;
const OP_FP2_MUL = 12u;
const OP_FP2_SQUARE = 13u;
const OP_FP2_INV = 14u;

@group(0) @binding(0) var<storage, read> lhs: array<Fp>;
@group(0) @binding(1) var<storage, read> rhs: array<Fp>;
@group(0) @binding(2) var<storage, read_write> out: array<Fp>;
@group(0) @binding(3) var<uniform> map_params: MapParams;

fn load2(src: u32, i: u32) -> Fp2 {
  if (src == 0u) {
    return fp2(lhs[2u * i], lhs[2u * i + 1u]);
  }
  return fp2(rhs[2u * i], rhs[2u * i + 1u]);
}

fn store2(i: u32, v: Fp2) {
  out[2u * i] = v.xy;
  out[2u * i + 1u] = v.zw;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn field_map(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * WORKGROUP_SIZE;
  for (var i = gid.x; i < map_params.count; i += stride) {
    switch OP {
      case OP_ADD: { out[i] = fp_add(lhs[i], rhs[i]); }
      case OP_SUB: { out[i] = fp_sub(lhs[i], rhs[i]); }
      case OP_MUL: { out[i] = fp_mul(lhs[i], rhs[i]); }
      case OP_SQUARE: { out[i] = fp_square(lhs[i]); }
      case OP_NEG: { out[i] = fp_neg(lhs[i]); }
      case OP_INV: { out[i] = fp_inv(lhs[i]); }
      case OP_POW: { out[i] = fp_pow(lhs[i], rhs[i]); }
      case OP_FP2_ADD: { store2(i, fp2_add(load2(0u, i), load2(1u, i))); }
      case OP_FP2_SUB: { store2(i, fp2_sub(load2(0u, i), load2(1u, i))); }
      case OP_FP2_MUL: { store2(i, fp2_mul(load2(0u, i), load2(1u, i))); }
      case OP_FP2_SQUARE: { store2(i, fp2_square(load2(0u, i))); }
      case OP_FP2_INV: { store2(i, fp2_inv(load2(0u, i))); }
      default: {}
    }
  }
}
