// FRI on the GPU (src/stark/fri.ts is the reference): the fold of a bit-reversed F_p2 layer by
// f ∈ {2, 4} (foldLayer applied log2 f times, as friCommit does; foldGroup is the same per group),
// and the Merkle rows of a layer (layerRows). Needs goldilocks.wgsl and ext2.wgsl; src/prover/gpu/fri.ts
// injects WORKGROUP_SIZE and the FriParams struct (declared there with uniformStruct,
// src/gpu/uniforms.ts).
//
// fri_fold: invocation g folds the f values at positions f·g … f·g + f − 1 into output g. With
// x0 = shift·ω^bitrev(g) (ω of order 2^logSize, bitrev on log2(size/f) bits) and h = 1/(2·x0):
//   f = 2: q = (v0 + v1)/2 + α·(v0 − v1)·h
//   f = 4: q0 from (v0, v1) with h, q1 from (v2, v3) with h·ω_4^-1 (their point is x0·ω_4), then
//          q = fold of (q0, q1) with α² and 1/(2·x0²) = 2·h².
// h = hi[e >> lo_bits]·lo[e mod 2^lo_bits] for e = bitrev(g): `points` holds lo (ω^-i, i < 2^lo_bits)
// and then hi ((2·shift)^-1·ω^-(i·2^lo_bits)). The arithmetic is exact, so the bytes equal the CPU's.
//
// layer_rows: output column 2t + c of the segment being written is coordinate c of the values at
// positions f·m + t, m < out_n: row m of the matrix is leaf m of the layer's Merkle tree.

@group(0) @binding(0) var<storage, read> src0: array<Fp>;
@group(0) @binding(1) var<storage, read> src1: array<Fp>;
// Bindings 0–3 are layer_rows' too ('auto' layouts hold only what an entry point uses).
@group(0) @binding(2) var<uniform> params: FriParams;
@group(0) @binding(3) var<storage, read_write> dst: array<Fp>;
@group(0) @binding(4) var<storage, read> points: array<Fp>;

fn fri_bit_reverse(x: u32, bits: u32) -> u32 {
  return select(0u, reverseBits(x) >> (32u - bits), bits > 0u);
}

fn fri_value(i: u32) -> Fp2 {
  return fp2(src0[params.src0_off + i], src1[params.src1_off + i]);
}

// (a + b)/2 + α·(a − b)·h, h = 1/(2x): foldPair of src/stark/fri.ts.
fn fri_fold_pair(a: Fp2, b: Fp2, h: Fp, alpha: Fp2) -> Fp2 {
  let sum = fp2_mul_base(fp2_add(a, b), params.consts.zw);
  let diff = fp2_mul_base(fp2_sub(a, b), h);
  return fp2_add(sum, fp2_mul(alpha, diff));
}

fn fri_invocation(wg: vec3<u32>, lid: u32) -> u32 {
  return (wg.y * params.groups_x + wg.x) * WORKGROUP_SIZE + lid;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn fri_fold(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = fri_invocation(wg, lid);
  if (g >= params.out_n) {
    return;
  }
  let e = fri_bit_reverse(g, params.log_out);
  let lo_n = 1u << params.lo_bits;
  let h = fp_mul(points[lo_n + (e >> params.lo_bits)], points[e & (lo_n - 1u)]);
  var q: Fp2;
  if (params.fold == 2u) {
    q = fri_fold_pair(fri_value(2u * g), fri_value(2u * g + 1u), h, params.alpha);
  } else {
    let q0 = fri_fold_pair(fri_value(4u * g), fri_value(4u * g + 1u), h, params.alpha);
    let q1 = fri_fold_pair(fri_value(4u * g + 2u), fri_value(4u * g + 3u), fp_mul(h, params.consts.xy), params.alpha);
    let h2 = fp_square(h);
    q = fri_fold_pair(q0, q1, fp_add(h2, h2), params.alpha2);
  }
  dst[g] = q.xy;
  dst[params.out_n + g] = q.zw;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn layer_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = fri_invocation(wg, lid);
  if (i >= params.cols * params.out_n) {
    return;
  }
  // out_n is a power of two: log_out = log2(out_n).
  let col = i >> params.log_out;
  let m = i & (params.out_n - 1u);
  let oc = params.first_col + col;
  let pos = params.fold * m + (oc >> 1u);
  var v: Fp;
  if ((oc & 1u) == 0u) {
    v = src0[params.src0_off + pos];
  } else {
    v = src1[params.src1_off + pos];
  }
  dst[i] = v;
}
