// BLAKE3 (default hash mode, 32-byte output) for Merkle leaves and nodes; mirrors the wasm kernels in
// src/wasm/assembly/blake3.ts and matches @noble/hashes byte for byte. Spec: "BLAKE3: one function,
// fast everywhere" (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, 2020), §2 and §5.1.
// Standalone (no other shader file needed); src/gpu/blake3.ts injects WORKGROUP_SIZE, CV_STACK_DEPTH
// (0 when rows fit one 1024-byte chunk, see hash_row) and the RowParams and LayerParams structs
// (declared there with uniformStruct, src/gpu/uniforms.ts).
//
// hash_rows: one invocation per row of a column-major matrix; leaf r = BLAKE3(element (0, r) ‖
// element (1, r) ‖ …), each element 8 bytes little-endian, which as u32 words is just (lo, hi).
// merkle_layer: one invocation per parent, parent i = BLAKE3(child 2i ‖ child 2i + 1).
// A digest is 8 u32 words, stored as two vec4<u32>; words little-endian are the digest's bytes.
//
// The compression keeps the 4×4 state as four row vectors, so the four G functions of a step run
// lane-parallel and the diagonal step is a rotation of rows b, c, d; the message is permuted
// between rounds with constant indices. Nothing in the 7 rounds is indexed at run time, so the state
// and message stay in registers.

const CHUNK_START = 1u;
const CHUNK_END = 2u;
const PARENT = 4u;
const ROOT = 8u;

// 1024-byte chunks of 64-byte blocks, in 8-byte elements.
const BLOCK_ELEMENTS = 8u;
const CHUNK_ELEMENTS = 128u;

const IV_LO = vec4<u32>(0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au);
const IV_HI = vec4<u32>(0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u);

// A chaining value or digest: words 0..3 and 4..7.
struct Cv {
  lo: vec4<u32>,
  hi: vec4<u32>,
}

// State words 0..3, 4..7, 8..11, 12..15.
struct State {
  a: vec4<u32>,
  b: vec4<u32>,
  c: vec4<u32>,
  d: vec4<u32>,
}

// hash_rows bindings. Segment s holds whole columns [end(s - 1), end(s)) of `height` elements each,
// column after column (src/gpu/matrix.ts); unused segments are bound to a placeholder and never read.
@group(0) @binding(0) var<storage, read> seg0: array<vec2<u32>>;
@group(0) @binding(1) var<storage, read> seg1: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> seg2: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> seg3: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> seg4: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read> seg5: array<vec2<u32>>;
@group(0) @binding(6) var<storage, read_write> digests: array<vec4<u32>>;
@group(0) @binding(7) var<uniform> row_params: RowParams;

// merkle_layer bindings. They reuse binding numbers of hash_rows: WGSL only forbids two variables
// with one binding inside the same entry point's interface, and each entry point gets its own
// pipeline (layout 'auto' holds exactly the bindings it uses).
@group(0) @binding(0) var<storage, read> leaves: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> nodes: array<vec4<u32>>;
@group(0) @binding(2) var<uniform> layer_params: LayerParams;

// Rotations right by the four G amounts, lane-wise.
fn rot16(x: vec4<u32>) -> vec4<u32> {
  return (x >> vec4<u32>(16u)) | (x << vec4<u32>(16u));
}

fn rot12(x: vec4<u32>) -> vec4<u32> {
  return (x >> vec4<u32>(12u)) | (x << vec4<u32>(20u));
}

fn rot8(x: vec4<u32>) -> vec4<u32> {
  return (x >> vec4<u32>(8u)) | (x << vec4<u32>(24u));
}

fn rot7(x: vec4<u32>) -> vec4<u32> {
  return (x >> vec4<u32>(7u)) | (x << vec4<u32>(25u));
}

// G (§2.2) on four lanes at once: lane i mixes (a[i], b[i], c[i], d[i]) with words x[i], y[i].
fn g4(s: State, x: vec4<u32>, y: vec4<u32>) -> State {
  var a = s.a + s.b + x;
  var d = rot16(s.d ^ a);
  var c = s.c + d;
  var b = rot12(s.b ^ c);
  a += b + y;
  d = rot8(d ^ a);
  c += d;
  b = rot7(b ^ c);
  return State(a, b, c, d);
}

// One round (§2.2): G on the four columns, then on the four diagonals.
fn blake3_round(s: State, m: array<u32, 16>) -> State {
  // Column i is (a[i], b[i], c[i], d[i]) with message words 2i, 2i + 1.
  let t = g4(s, vec4<u32>(m[0], m[2], m[4], m[6]), vec4<u32>(m[1], m[3], m[5], m[7]));
  // Diagonal i is (a[i], b[i+1], c[i+2], d[i+3]): rotating b, c, d left by 1, 2, 3 lanes lines it up.
  let u = g4(State(t.a, t.b.yzwx, t.c.zwxy, t.d.wxyz), vec4<u32>(m[8], m[10], m[12], m[14]), vec4<u32>(m[9], m[11], m[13], m[15]));
  return State(u.a, u.b.wxyz, u.c.zwxy, u.d.yzwx);
}

// The spec's message permutation: word i of the next round is word PERMUTATION[i] of this one.
fn permute(m: array<u32, 16>) -> array<u32, 16> {
  return array<u32, 16>(m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13], m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8]);
}

// The compression function truncated to the 8 words every use here needs (chaining value or
// 32-byte digest). The counter's high word is 0: a row has far fewer than 2^32 chunks.
fn compress(cv: Cv, block: array<u32, 16>, counter: u32, block_len: u32, flags: u32) -> Cv {
  var s = State(cv.lo, cv.hi, IV_LO, vec4<u32>(counter, 0u, block_len, flags));
  var m = block;
  s = blake3_round(s, m);
  m = permute(m);
  s = blake3_round(s, m);
  m = permute(m);
  s = blake3_round(s, m);
  m = permute(m);
  s = blake3_round(s, m);
  m = permute(m);
  s = blake3_round(s, m);
  m = permute(m);
  s = blake3_round(s, m);
  m = permute(m);
  s = blake3_round(s, m);
  return Cv(s.a ^ s.c, s.b ^ s.d);
}

// A parent node of the chunk tree (§2.5): message = left CV ‖ right CV.
fn parent_cv(left: Cv, right: Cv, flags: u32) -> Cv {
  let m = array<u32, 16>(
    left.lo.x, left.lo.y, left.lo.z, left.lo.w, left.hi.x, left.hi.y, left.hi.z, left.hi.w,
    right.lo.x, right.lo.y, right.lo.z, right.lo.w, right.hi.x, right.hi.y, right.hi.z, right.hi.w,
  );
  return compress(Cv(IV_LO, IV_HI), m, 0u, 64u, PARENT | flags);
}

// Element (col, row) of the matrix. Invocations of a dispatch walk the columns in step, so the
// segment choice never diverges, and adjacent rows read adjacent words.
fn element(col: u32, row: u32) -> vec2<u32> {
  let h = row_params.height;
  let lo = row_params.ends_lo;
  if (col < lo.x) {
    return seg0[col * h + row];
  }
  if (col < lo.y) {
    return seg1[(col - lo.x) * h + row];
  }
  if (col < lo.z) {
    return seg2[(col - lo.y) * h + row];
  }
  if (col < lo.w) {
    return seg3[(col - lo.z) * h + row];
  }
  if (col < row_params.ends_hi.x) {
    return seg4[(col - lo.w) * h + row];
  }
  return seg5[(col - row_params.ends_hi.x) * h + row];
}

// Zero past the input's end: the spec pads a short final block with zeros.
fn element_or_zero(col: u32, row: u32, end: u32) -> vec2<u32> {
  if (col >= end) {
    return vec2<u32>(0u);
  }
  return element(col, row);
}

// The 64-byte block of row `row` made of columns first .. first + 7, those at or past `end` zero.
fn load_block(row: u32, first: u32, end: u32) -> array<u32, 16> {
  let e0 = element_or_zero(first, row, end);
  let e1 = element_or_zero(first + 1u, row, end);
  let e2 = element_or_zero(first + 2u, row, end);
  let e3 = element_or_zero(first + 3u, row, end);
  let e4 = element_or_zero(first + 4u, row, end);
  let e5 = element_or_zero(first + 5u, row, end);
  let e6 = element_or_zero(first + 6u, row, end);
  let e7 = element_or_zero(first + 7u, row, end);
  return array<u32, 16>(e0.x, e0.y, e1.x, e1.y, e2.x, e2.y, e3.x, e3.y, e4.x, e4.y, e5.x, e5.y, e6.x, e6.y, e7.x, e7.y);
}

// The CV of the chunk made of columns first .. first + n - 1 (1 ≤ n ≤ 128) of `row`; with
// root = ROOT (a single-chunk row), the digest.
fn chunk_cv(row: u32, first: u32, n: u32, counter: u32, root: u32) -> Cv {
  let blocks = (n + BLOCK_ELEMENTS - 1u) / BLOCK_ELEMENTS;
  let end = first + n;
  var cv = Cv(IV_LO, IV_HI);
  for (var b = 0u; b < blocks; b++) {
    let start = first + b * BLOCK_ELEMENTS;
    var flags = select(0u, CHUNK_START, b == 0u);
    if (b + 1u == blocks) {
      flags |= CHUNK_END | root;
    }
    cv = compress(cv, load_block(row, start, end), counter, 8u * min(end - start, BLOCK_ELEMENTS), flags);
  }
  return cv;
}

fn hash_row(row: u32) -> Cv {
  let w = row_params.width;
  // Decided at compile time: rows of one chunk then carry no CV stack and no tree walk.
  if (CV_STACK_DEPTH == 0u) {
    return chunk_cv(row, 0u, w, 0u, ROOT);
  }
  // Rows of two or more chunks. CV stack (§5.1.2): the roots of completed subtrees, left to right.
  // At most bit_length(chunks - 1) are pending, which src/gpu/blake3.ts passes as CV_STACK_DEPTH.
  // Touched once per chunk (16 compressions), so its run-time indexing is off the hot path.
  let chunks = (w + CHUNK_ELEMENTS - 1u) / CHUNK_ELEMENTS;
  var stack: array<Cv, max(CV_STACK_DEPTH, 1u)>;
  var sp = 0u;
  for (var c = 0u; c + 1u < chunks; c++) {
    var cv = chunk_cv(row, c * CHUNK_ELEMENTS, CHUNK_ELEMENTS, c, 0u);
    // More input follows, so merge eagerly: after c + 1 chunks, once per trailing zero bit of c + 1.
    for (var t = c + 1u; (t & 1u) == 0u; t >>= 1u) {
      sp--;
      cv = parent_cv(stack[sp], cv, 0u);
    }
    stack[sp] = cv;
    sp++;
  }
  let last = (chunks - 1u) * CHUNK_ELEMENTS;
  var cv = chunk_cv(row, last, w - last, chunks - 1u, 0u);
  // Fold the right edge of the tree; the merge with the leftmost subtree is the root.
  while (sp > 1u) {
    sp--;
    cv = parent_cv(stack[sp], cv, 0u);
  }
  return parent_cv(stack[0], cv, ROOT);
}

// Grid-stride over rows, so a row count above maxComputeWorkgroupsPerDimension · WORKGROUP_SIZE
// needs no second dimension.
@compute @workgroup_size(WORKGROUP_SIZE)
fn hash_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * WORKGROUP_SIZE;
  for (var row = gid.x; row < row_params.height; row += stride) {
    let cv = hash_row(row);
    digests[2u * row] = cv.lo;
    digests[2u * row + 1u] = cv.hi;
  }
}

// A Merkle node hashes 64 bytes as a plain input: one block that starts, ends and roots its chunk.
@compute @workgroup_size(WORKGROUP_SIZE)
fn merkle_layer(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * WORKGROUP_SIZE;
  for (var i = gid.x; i < layer_params.count; i += stride) {
    var q: array<vec4<u32>, 4>;
    if (layer_params.from_leaves == 1u) {
      let k = 4u * i;
      q = array<vec4<u32>, 4>(leaves[k], leaves[k + 1u], leaves[k + 2u], leaves[k + 3u]);
    } else {
      let k = 2u * (layer_params.src + 2u * i);
      q = array<vec4<u32>, 4>(nodes[k], nodes[k + 1u], nodes[k + 2u], nodes[k + 3u]);
    }
    let m = array<u32, 16>(
      q[0].x, q[0].y, q[0].z, q[0].w, q[1].x, q[1].y, q[1].z, q[1].w,
      q[2].x, q[2].y, q[2].z, q[2].w, q[3].x, q[3].y, q[3].z, q[3].w,
    );
    let cv = compress(Cv(IV_LO, IV_HI), m, 0u, 64u, CHUNK_START | CHUNK_END | ROOT);
    let k = 2u * (layer_params.dst + i);
    nodes[k] = cv.lo;
    nodes[k + 1u] = cv.hi;
  }
}
