// Batched radix-2 NTT passes over columns of 2^log_n elements (src/ntt/ntt.ts is the reference).
// Needs goldilocks.wgsl; src/gpu/ntt.ts plans the passes and injects WORKGROUP_SIZE, TILE_LOG,
// DIT, LOAD_MODE, STORE_MODE and the NttParams struct (declared there with uniformStruct,
// src/gpu/uniforms.ts).
//
// A pass runs `stages` consecutive butterfly stages in workgroup memory. Those stages pair indices
// that differ in bits [low_pos, low_pos + stages), so a workgroup loads the 2^stages elements that
// share every other bit, times 2^log_lanes neighbours in the bits below low_pos so that adjacent
// threads touch adjacent words. Every workgroup reads and writes only its own tile, so passes run
// in place; the transform's index permutation and coset or scale factors are fused into the first
// pass's loads and the last pass's stores instead of running as passes of their own.
//
// DIF (DIT = 0): natural order in, bit-reversed out, stage bits high to low: a' = a + b, b' = (a - b)·w.
// DIT (DIT = 1): bit-reversed in, natural out, stage bits low to high:      a' = a + w·b, b' = a - w·b.
// For the stage on bit position q the twiddle of pair index i is ω^((i mod 2^q)·2^(log_n-1-q)).

// LOAD_MODE
const LOAD_IN_PLACE = 0u;  // data[i]
const LOAD_BIT_REVERSED = 1u;  // src[bitrev(i)]: the DIT input permutation, read from another buffer
const LOAD_COSET = 2u;  // src[i] · ζ^i, ζ = ω_N^b for coset b of an LDE (see coset_factor)
const LOAD_COPY = 3u;  // src[i]: input already in the order the transform wants, from another buffer
// STORE_MODE
const STORE_IN_PLACE = 0u;  // data[i] = v
const STORE_SCALED = 1u;  // data[i] = v · table[i]
const STORE_SCALED_CONST = 2u;  // data[i] = v · scale
const STORE_LDE_NATURAL = 3u;  // dst[natural LDE index] = v (see store_element)

const TILE = 1u << TILE_LOG;

@group(0) @binding(0) var<storage, read_write> data: array<Fp>;
@group(0) @binding(1) var<storage, read> src: array<Fp>;
@group(0) @binding(2) var<storage, read> twiddles: array<Fp>;
@group(0) @binding(3) var<storage, read> table: array<Fp>;
@group(0) @binding(4) var<storage, read_write> dst: array<Fp>;
@group(0) @binding(5) var<uniform> params: NttParams;

var<workgroup> tile: array<Fp, TILE>;

fn bit_reverse(x: u32, bits: u32) -> u32 {
  return select(0u, reverseBits(x) >> (32u - bits), bits > 0u);
}

// ω_N^(b·i) from the size-N table of ω_N^k, k < N/2, using ω_N^(N/2) = -1.
fn coset_factor(b: u32, i: u32) -> Fp {
  let log_big = params.log_n + params.log_blowup;
  let k = (b * i) & ((1u << log_big) - 1u);
  let half = 1u << (log_big - 1u);
  if (k < half) {
    return twiddles[k];
  }
  return fp_neg(twiddles[k - half]);
}

fn load_element(column: u32, src_column: u32, i: u32) -> Fp {
  let n = 1u << params.log_n;
  if (LOAD_MODE == LOAD_BIT_REVERSED) {
    return src[src_column * n + bit_reverse(i, params.log_n)];
  }
  if (LOAD_MODE == LOAD_COPY) {
    return src[src_column * n + i];
  }
  if (LOAD_MODE == LOAD_COSET) {
    let coset = src_column & ((1u << params.log_blowup) - 1u);
    let b = select(coset, bit_reverse(coset, params.log_blowup), params.coset_bit_reversed == 1u);
    return fp_mul(src[(src_column >> params.log_blowup) * n + i], coset_factor(b, i));
  }
  return data[column * n + i];
}

fn store_element(column: u32, i: u32, v: Fp) {
  let n = 1u << params.log_n;
  if (STORE_MODE == STORE_SCALED) {
    data[column * n + i] = fp_mul(v, table[i]);
  } else if (STORE_MODE == STORE_SCALED_CONST) {
    data[column * n + i] = fp_mul(v, params.scale);
  } else if (STORE_MODE == STORE_LDE_NATURAL) {
    // Index i of coset c's DIF output is its point bitrev(i), i.e. point c + β·bitrev(i) of the LDE.
    let coset = column & ((1u << params.log_blowup) - 1u);
    let big = (column >> params.log_blowup) << (params.log_n + params.log_blowup);
    dst[big + coset + (bit_reverse(i, params.log_n) << params.log_blowup)] = v;
  } else {
    data[column * n + i] = v;
  }
}

// Global index of tile slot s = k·lanes + l for workgroup `group` of a column.
fn global_index(group: u32, s: u32) -> u32 {
  let lanes_log = params.log_lanes;
  let k = s >> lanes_log;
  let l = s & ((1u << lanes_log) - 1u);
  let lane_blocks_log = params.low_pos - lanes_log;
  let lo = ((group & ((1u << lane_blocks_log) - 1u)) << lanes_log) | l;
  let hi = group >> lane_blocks_log;
  return (hi << (params.low_pos + params.stages)) | (k << params.low_pos) | lo;
}

fn butterfly_stage(group: u32, b: u32, tid: u32) {
  let lanes_log = params.log_lanes;
  let pairs = 1u << (params.stages + lanes_log - 1u);
  let q = params.low_pos + b;
  let tw_log = params.log_n - 1u - q + params.tw_shift;
  for (var u = tid; u < pairs; u += WORKGROUP_SIZE) {
    let l = u & ((1u << lanes_log) - 1u);
    let m = u >> lanes_log;
    let ka = ((m >> b) << (b + 1u)) | (m & ((1u << b) - 1u));
    let sa = (ka << lanes_log) | l;
    let sb = sa + (1u << (b + lanes_log));
    let j = global_index(group, sa) & ((1u << q) - 1u);
    let w = twiddles[j << tw_log];
    let x = tile[sa];
    let y = tile[sb];
    if (DIT == 1u) {
      let t = fp_mul(y, w);
      tile[sa] = fp_add(x, t);
      tile[sb] = fp_sub(x, t);
    } else {
      tile[sa] = fp_add(x, y);
      tile[sb] = fp_mul(fp_sub(x, y), w);
    }
  }
}

// Workgroup (x, y): tile x of transform y (+ column_offset).
@compute @workgroup_size(WORKGROUP_SIZE)
fn ntt_pass(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let group = wg.x;
  let column = wg.y + params.column_offset;
  let size = 1u << (params.stages + params.log_lanes);
  for (var s = tid; s < size; s += WORKGROUP_SIZE) {
    tile[s] = load_element(column, wg.y + params.src_column_offset, global_index(group, s));
  }
  workgroupBarrier();
  for (var step = 0u; step < params.stages; step++) {
    let b = select(params.stages - 1u - step, step, DIT == 1u);
    butterfly_stage(group, b, tid);
    workgroupBarrier();
  }
  for (var s = tid; s < size; s += WORKGROUP_SIZE) {
    store_element(column, global_index(group, s), tile[s]);
  }
}
