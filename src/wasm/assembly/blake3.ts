// BLAKE3 kernels (default hash mode, 32-byte output) for Merkle leaves and nodes: scalar and 4-lane SIMD.
// Spec: "BLAKE3: one function, fast everywhere" (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, 2020), §2 and §5.1.
//
// Inputs are split into 1024-byte chunks of 64-byte blocks; chunk chaining values are merged into a
// binary tree with the spec's CV-stack rule (§5.1.2). The 4-lane path hashes four equal-length rows
// at once, one row per v128 lane: equal lengths mean equal tree shapes, so the lanes never diverge.
//
// Memory: the kernels never touch memory below heap_base() except their own fixed scratch below
// (module data segments, which the host never hands out). Everything above heap_base() is the host's.

// @ts-ignore: decorator
@inline const IV0: u32 = 0x6a09e667;
// @ts-ignore: decorator
@inline const IV1: u32 = 0xbb67ae85;
// @ts-ignore: decorator
@inline const IV2: u32 = 0x3c6ef372;
// @ts-ignore: decorator
@inline const IV3: u32 = 0xa54ff53a;
// @ts-ignore: decorator
@inline const IV4: u32 = 0x510e527f;
// @ts-ignore: decorator
@inline const IV5: u32 = 0x9b05688c;
// @ts-ignore: decorator
@inline const IV6: u32 = 0x1f83d9ab;
// @ts-ignore: decorator
@inline const IV7: u32 = 0x5be0cd19;

// @ts-ignore: decorator
@inline const CHUNK_START: u32 = 1;
// @ts-ignore: decorator
@inline const CHUNK_END: u32 = 2;
// @ts-ignore: decorator
@inline const PARENT: u32 = 4;
// @ts-ignore: decorator
@inline const ROOT: u32 = 8;

/** Chunk CV stack depth: a wasm32 input has < 2^32 bytes = 2^22 chunks, so ≤ 22 pending subtrees (+1 scratch). */
// @ts-ignore: decorator
@inline const STACK_DEPTH: i32 = 32;

/** Scalar scratch: a gathered / zero-padded message block, a running CV and the CV stack (32 B per entry). */
const BLOCK: usize = memory.data(64, 16);
const CV: usize = memory.data(32, 16);
const STACK: usize = memory.data(STACK_DEPTH * 32, 16);
/** 4-lane scratch, word-major ("transposed"): word j of lanes 0..3 is the v128 at offset 16·j. */
const MSG4: usize = memory.data(256, 16);
const CV4: usize = memory.data(128, 16);
const STACK4: usize = memory.data(STACK_DEPTH * 128, 16);

// ---------------------------------------------------------------------------------------------
// Scalar compression (§2.2). The 7 rounds are written out: round r reads the message words in the
// order of the spec's permutation applied r times (listed per round), so the state stays in 16
// locals and nothing is permuted at run time. (An @inline G cannot update the caller's locals.)

// @ts-ignore: decorator
@inline function compressCore(
  h0: u32, h1: u32, h2: u32, h3: u32, h4: u32, h5: u32, h6: u32, h7: u32,
  block: usize, counter: u64, blockLen: u32, flags: u32, out: usize,
): void {
  const m0 = load<u32>(block, 0), m1 = load<u32>(block, 4), m2 = load<u32>(block, 8), m3 = load<u32>(block, 12);
  const m4 = load<u32>(block, 16), m5 = load<u32>(block, 20), m6 = load<u32>(block, 24), m7 = load<u32>(block, 28);
  const m8 = load<u32>(block, 32), m9 = load<u32>(block, 36), m10 = load<u32>(block, 40), m11 = load<u32>(block, 44);
  const m12 = load<u32>(block, 48), m13 = load<u32>(block, 52), m14 = load<u32>(block, 56), m15 = load<u32>(block, 60);
  let v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
  let v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
  let v12 = <u32>counter, v13 = <u32>(counter >> 32), v14 = blockLen, v15 = flags;
  // round 0: message words 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
  v0 += v4 + m0; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m1; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m2; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m3; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m4; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m5; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m6; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m7; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m8; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m9; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m10; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m11; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m12; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m13; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m14; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m15; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // round 1: message words 2 6 3 10 7 0 4 13 1 11 12 5 9 14 15 8
  v0 += v4 + m2; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m6; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m3; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m10; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m7; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m0; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m4; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m13; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m1; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m11; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m12; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m5; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m9; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m14; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m15; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m8; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // round 2: message words 3 4 10 12 13 2 7 14 6 5 9 0 11 15 8 1
  v0 += v4 + m3; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m4; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m10; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m12; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m13; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m2; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m7; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m14; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m6; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m5; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m9; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m0; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m11; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m15; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m8; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m1; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // round 3: message words 10 7 12 9 14 3 13 15 4 0 11 2 5 8 1 6
  v0 += v4 + m10; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m7; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m12; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m9; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m14; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m3; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m13; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m15; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m4; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m0; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m11; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m2; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m5; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m8; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m1; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m6; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // round 4: message words 12 13 9 11 15 10 14 8 7 2 5 3 0 1 6 4
  v0 += v4 + m12; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m13; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m9; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m11; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m15; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m10; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m14; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m8; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m7; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m2; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m5; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m3; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m0; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m1; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m6; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m4; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // round 5: message words 9 14 11 5 8 12 15 1 13 3 0 10 2 6 4 7
  v0 += v4 + m9; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m14; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m11; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m5; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m8; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m12; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m15; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m1; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m13; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m3; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m0; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m10; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m2; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m6; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m4; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m7; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // round 6: message words 11 15 5 0 1 9 8 6 14 10 2 12 3 4 7 13
  v0 += v4 + m11; v12 = rotr<u32>(v12 ^ v0, 16); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 12);
  v0 += v4 + m15; v12 = rotr<u32>(v12 ^ v0, 8); v8 += v12; v4 = rotr<u32>(v4 ^ v8, 7);
  v1 += v5 + m5; v13 = rotr<u32>(v13 ^ v1, 16); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 12);
  v1 += v5 + m0; v13 = rotr<u32>(v13 ^ v1, 8); v9 += v13; v5 = rotr<u32>(v5 ^ v9, 7);
  v2 += v6 + m1; v14 = rotr<u32>(v14 ^ v2, 16); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 12);
  v2 += v6 + m9; v14 = rotr<u32>(v14 ^ v2, 8); v10 += v14; v6 = rotr<u32>(v6 ^ v10, 7);
  v3 += v7 + m8; v15 = rotr<u32>(v15 ^ v3, 16); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 12);
  v3 += v7 + m6; v15 = rotr<u32>(v15 ^ v3, 8); v11 += v15; v7 = rotr<u32>(v7 ^ v11, 7);
  v0 += v5 + m14; v15 = rotr<u32>(v15 ^ v0, 16); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 12);
  v0 += v5 + m10; v15 = rotr<u32>(v15 ^ v0, 8); v10 += v15; v5 = rotr<u32>(v5 ^ v10, 7);
  v1 += v6 + m2; v12 = rotr<u32>(v12 ^ v1, 16); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 12);
  v1 += v6 + m12; v12 = rotr<u32>(v12 ^ v1, 8); v11 += v12; v6 = rotr<u32>(v6 ^ v11, 7);
  v2 += v7 + m3; v13 = rotr<u32>(v13 ^ v2, 16); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 12);
  v2 += v7 + m4; v13 = rotr<u32>(v13 ^ v2, 8); v8 += v13; v7 = rotr<u32>(v7 ^ v8, 7);
  v3 += v4 + m7; v14 = rotr<u32>(v14 ^ v3, 16); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 12);
  v3 += v4 + m13; v14 = rotr<u32>(v14 ^ v3, 8); v9 += v14; v4 = rotr<u32>(v4 ^ v9, 7);
  // All message words were read above, so out may alias block (in-place parent merges, pairs).
  store<u32>(out, v0 ^ v8, 0);
  store<u32>(out, v1 ^ v9, 4);
  store<u32>(out, v2 ^ v10, 8);
  store<u32>(out, v3 ^ v11, 12);
  store<u32>(out, v4 ^ v12, 16);
  store<u32>(out, v5 ^ v13, 20);
  store<u32>(out, v6 ^ v14, 24);
  store<u32>(out, v7 ^ v15, 28);
}

/** First block of a chunk, or a parent node: the input CV is the IV (constant-folded). */
function compressIV(block: usize, counter: u64, blockLen: u32, flags: u32, out: usize): void {
  compressCore(IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7, block, counter, blockLen, flags, out);
}

/** Later blocks of a chunk: the input CV is read (fully, before any write) from memory at cv. */
function compressCV(cv: usize, block: usize, counter: u64, blockLen: u32, flags: u32, out: usize): void {
  compressCore(
    load<u32>(cv, 0), load<u32>(cv, 4), load<u32>(cv, 8), load<u32>(cv, 12),
    load<u32>(cv, 16), load<u32>(cv, 20), load<u32>(cv, 24), load<u32>(cv, 28),
    block, counter, blockLen, flags, out,
  );
}

// ---------------------------------------------------------------------------------------------
// 4-lane compression: the same rounds on v128 values, lane i = input i. Rotations by 16 and 8 are
// byte shuffles; by 12 and 7, shift pairs.

// @ts-ignore: decorator
@inline function add3(a: v128, b: v128, c: v128): v128 { return i32x4.add(i32x4.add(a, b), c); }
// @ts-ignore: decorator
@inline function rot16(x: v128): v128 { return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13); }
// @ts-ignore: decorator
@inline function rot8(x: v128): v128 { return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12); }
// @ts-ignore: decorator
@inline function rot12(x: v128): v128 { return v128.or(i32x4.shr_u(x, 12), i32x4.shl(x, 20)); }
// @ts-ignore: decorator
@inline function rot7(x: v128): v128 { return v128.or(i32x4.shr_u(x, 7), i32x4.shl(x, 25)); }

// @ts-ignore: decorator
@inline function compress4Core(
  h0: v128, h1: v128, h2: v128, h3: v128, h4: v128, h5: v128, h6: v128, h7: v128,
  msg: usize, counter: u64, blockLen: u32, flags: u32, out: usize,
): void {
  const m0 = v128.load(msg, 0), m1 = v128.load(msg, 16), m2 = v128.load(msg, 32), m3 = v128.load(msg, 48);
  const m4 = v128.load(msg, 64), m5 = v128.load(msg, 80), m6 = v128.load(msg, 96), m7 = v128.load(msg, 112);
  const m8 = v128.load(msg, 128), m9 = v128.load(msg, 144), m10 = v128.load(msg, 160), m11 = v128.load(msg, 176);
  const m12 = v128.load(msg, 192), m13 = v128.load(msg, 208), m14 = v128.load(msg, 224), m15 = v128.load(msg, 240);
  let v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
  let v8 = i32x4.splat(IV0), v9 = i32x4.splat(IV1), v10 = i32x4.splat(IV2), v11 = i32x4.splat(IV3);
  let v12 = i32x4.splat(<u32>counter), v13 = i32x4.splat(<u32>(counter >> 32));
  let v14 = i32x4.splat(blockLen), v15 = i32x4.splat(flags);
  // round 0: message words 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
  v0 = add3(v0, v4, m0); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m1); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m2); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m3); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m4); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m5); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m6); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m7); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m8); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m9); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m10); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m11); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m12); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m13); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m14); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m15); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  // round 1: message words 2 6 3 10 7 0 4 13 1 11 12 5 9 14 15 8
  v0 = add3(v0, v4, m2); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m6); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m3); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m10); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m7); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m0); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m4); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m13); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m1); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m11); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m12); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m5); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m9); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m14); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m15); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m8); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  // round 2: message words 3 4 10 12 13 2 7 14 6 5 9 0 11 15 8 1
  v0 = add3(v0, v4, m3); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m4); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m10); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m12); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m13); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m2); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m7); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m14); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m6); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m5); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m9); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m0); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m11); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m15); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m8); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m1); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  // round 3: message words 10 7 12 9 14 3 13 15 4 0 11 2 5 8 1 6
  v0 = add3(v0, v4, m10); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m7); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m12); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m9); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m14); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m3); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m13); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m15); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m4); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m0); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m11); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m2); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m5); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m8); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m1); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m6); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  // round 4: message words 12 13 9 11 15 10 14 8 7 2 5 3 0 1 6 4
  v0 = add3(v0, v4, m12); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m13); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m9); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m11); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m15); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m10); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m14); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m8); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m7); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m2); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m5); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m3); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m0); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m1); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m6); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m4); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  // round 5: message words 9 14 11 5 8 12 15 1 13 3 0 10 2 6 4 7
  v0 = add3(v0, v4, m9); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m14); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m11); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m5); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m8); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m12); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m15); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m1); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m13); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m3); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m0); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m10); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m2); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m6); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m4); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m7); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  // round 6: message words 11 15 5 0 1 9 8 6 14 10 2 12 3 4 7 13
  v0 = add3(v0, v4, m11); v12 = rot16(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot12(v128.xor(v4, v8));
  v0 = add3(v0, v4, m15); v12 = rot8(v128.xor(v12, v0)); v8 = i32x4.add(v8, v12); v4 = rot7(v128.xor(v4, v8));
  v1 = add3(v1, v5, m5); v13 = rot16(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot12(v128.xor(v5, v9));
  v1 = add3(v1, v5, m0); v13 = rot8(v128.xor(v13, v1)); v9 = i32x4.add(v9, v13); v5 = rot7(v128.xor(v5, v9));
  v2 = add3(v2, v6, m1); v14 = rot16(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot12(v128.xor(v6, v10));
  v2 = add3(v2, v6, m9); v14 = rot8(v128.xor(v14, v2)); v10 = i32x4.add(v10, v14); v6 = rot7(v128.xor(v6, v10));
  v3 = add3(v3, v7, m8); v15 = rot16(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot12(v128.xor(v7, v11));
  v3 = add3(v3, v7, m6); v15 = rot8(v128.xor(v15, v3)); v11 = i32x4.add(v11, v15); v7 = rot7(v128.xor(v7, v11));
  v0 = add3(v0, v5, m14); v15 = rot16(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot12(v128.xor(v5, v10));
  v0 = add3(v0, v5, m10); v15 = rot8(v128.xor(v15, v0)); v10 = i32x4.add(v10, v15); v5 = rot7(v128.xor(v5, v10));
  v1 = add3(v1, v6, m2); v12 = rot16(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot12(v128.xor(v6, v11));
  v1 = add3(v1, v6, m12); v12 = rot8(v128.xor(v12, v1)); v11 = i32x4.add(v11, v12); v6 = rot7(v128.xor(v6, v11));
  v2 = add3(v2, v7, m3); v13 = rot16(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot12(v128.xor(v7, v8));
  v2 = add3(v2, v7, m4); v13 = rot8(v128.xor(v13, v2)); v8 = i32x4.add(v8, v13); v7 = rot7(v128.xor(v7, v8));
  v3 = add3(v3, v4, m7); v14 = rot16(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot12(v128.xor(v4, v9));
  v3 = add3(v3, v4, m13); v14 = rot8(v128.xor(v14, v3)); v9 = i32x4.add(v9, v14); v4 = rot7(v128.xor(v4, v9));
  v128.store(out, v128.xor(v0, v8), 0);
  v128.store(out, v128.xor(v1, v9), 16);
  v128.store(out, v128.xor(v2, v10), 32);
  v128.store(out, v128.xor(v3, v11), 48);
  v128.store(out, v128.xor(v4, v12), 64);
  v128.store(out, v128.xor(v5, v13), 80);
  v128.store(out, v128.xor(v6, v14), 96);
  v128.store(out, v128.xor(v7, v15), 112);
}

function compress4IV(msg: usize, counter: u64, blockLen: u32, flags: u32, out: usize): void {
  compress4Core(
    i32x4.splat(IV0), i32x4.splat(IV1), i32x4.splat(IV2), i32x4.splat(IV3),
    i32x4.splat(IV4), i32x4.splat(IV5), i32x4.splat(IV6), i32x4.splat(IV7),
    msg, counter, blockLen, flags, out,
  );
}

function compress4CV(cv: usize, msg: usize, counter: u64, blockLen: u32, flags: u32, out: usize): void {
  compress4Core(
    v128.load(cv, 0), v128.load(cv, 16), v128.load(cv, 32), v128.load(cv, 48),
    v128.load(cv, 64), v128.load(cv, 80), v128.load(cv, 96), v128.load(cv, 112),
    msg, counter, blockLen, flags, out,
  );
}

// ---------------------------------------------------------------------------------------------
// Scalar hashing of one input of len bytes. With colStride == 8 the bytes are contiguous at base;
// otherwise they are the len/8 u64 elements at base + e·colStride (a row of a column-major matrix).

/** Pointer to the 64-byte block at byte offset off holding n ≤ 64 input bytes, zero-padded. */
// @ts-ignore: decorator
@inline function block1(base: usize, off: usize, n: usize, colStride: usize): usize {
  if (colStride == 8) {
    if (n == 64) return base + off; // full contiguous block: hash it where it is
    memory.copy(BLOCK, base + off, n);
  } else {
    const src = base + (off >> 3) * colStride;
    for (let i: usize = 0; i < n; i += 8) store<u64>(BLOCK + i, load<u64>(src + (i >> 3) * colStride));
  }
  memory.fill(BLOCK + n, 0, 64 - n);
  return BLOCK;
}

/** CV of the n-byte chunk (0 < n ≤ 1024, or n = 0 for the empty input) at byte offset off; with root = ROOT, the digest. */
function chunk1(base: usize, off: usize, n: usize, colStride: usize, counter: u64, root: u32, out: usize): void {
  if (n <= 64) {
    compressIV(block1(base, off, n, colStride), counter, <u32>n, CHUNK_START | CHUNK_END | root, out);
    return;
  }
  const last = (n - 1) & ~63; // offset of the final block: partial or full, never empty
  compressIV(block1(base, off, 64, colStride), counter, 64, CHUNK_START, CV);
  for (let b: usize = 64; b < last; b += 64) compressCV(CV, block1(base, off + b, 64, colStride), counter, 64, 0, CV);
  compressCV(CV, block1(base, off + last, n - last, colStride), counter, <u32>(n - last), CHUNK_END | root, out);
}

function hash1(out: usize, base: usize, len: usize, colStride: usize): void {
  if (len <= 1024) {
    chunk1(base, 0, len, colStride, 0, ROOT, out);
    return;
  }
  // CV stack (§5.1.2): entries 0..sp-1 are the roots of completed subtrees, left to right. Entries
  // are adjacent, so a parent's 64-byte message (left ‖ right) is read straight from the stack.
  const chunks = (len + 1023) >> 10;
  let sp: usize = 0;
  for (let c: usize = 0; c + 1 < chunks; c++) {
    chunk1(base, c << 10, 1024, colStride, <u64>c, 0, STACK + (sp << 5));
    // After c+1 chunks, one merge per trailing zero bit of c+1.
    for (let t = c + 1; (t & 1) == 0; t >>= 1) {
      sp--;
      compressIV(STACK + (sp << 5), 0, 64, PARENT, STACK + (sp << 5));
    }
    sp++;
  }
  const off = (chunks - 1) << 10;
  chunk1(base, off, len - off, colStride, <u64>(chunks - 1), 0, STACK + (sp << 5));
  // Fold the right edge of the tree; the last merge (entries 0 and 1) is the root.
  for (; sp > 1; sp--) compressIV(STACK + ((sp - 1) << 5), 0, 64, PARENT, STACK + ((sp - 1) << 5));
  compressIV(STACK, 0, 64, PARENT | ROOT, out);
}

// ---------------------------------------------------------------------------------------------
// 4-lane hashing of four rows of len bytes (len = 8·cols) at base + l·rowStride, l = 0..3.

/** Stages the block at byte offset off (n ≤ 64 bytes of each row, zero-padded) into MSG4, word-major. */
// @ts-ignore: decorator
@inline function block4(base: usize, rowStride: usize, colStride: usize, off: usize, n: usize): void {
  if (colStride == 8 && n == 64) {
    // Contiguous rows (row-major matrices, Merkle pairs): 4×4 transposes of 32-bit words.
    const p0 = base + off, p1 = p0 + rowStride, p2 = p1 + rowStride, p3 = p2 + rowStride;
    for (let q: usize = 0; q < 64; q += 16) {
      const a = v128.load(p0 + q), b = v128.load(p1 + q), c = v128.load(p2 + q), d = v128.load(p3 + q);
      const ab0 = v128.shuffle<u32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<u32>(a, b, 2, 6, 3, 7);
      const cd0 = v128.shuffle<u32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<u32>(c, d, 2, 6, 3, 7);
      const dst = MSG4 + (q << 2);
      v128.store(dst, v128.shuffle<u64>(ab0, cd0, 0, 2), 0);
      v128.store(dst, v128.shuffle<u64>(ab0, cd0, 1, 3), 16);
      v128.store(dst, v128.shuffle<u64>(ab1, cd1, 0, 2), 32);
      v128.store(dst, v128.shuffle<u64>(ab1, cd1, 1, 3), 48);
    }
    return;
  }
  const words = n >> 2; // two 32-bit message words per element
  if (rowStride == 8) {
    // Column-major: element e of the four rows is 32 contiguous bytes [lo0 hi0 lo1 hi1 | lo2 hi2 lo3 hi3].
    let src = base + (off >> 3) * colStride;
    for (let w: usize = 0; w < words; w += 2, src += colStride) {
      const a = v128.load(src), b = v128.load(src, 16);
      v128.store(MSG4 + (w << 4), v128.shuffle<u32>(a, b, 0, 2, 4, 6), 0);
      v128.store(MSG4 + (w << 4), v128.shuffle<u32>(a, b, 1, 3, 5, 7), 16);
    }
  } else {
    for (let l: usize = 0; l < 4; l++) {
      let src = base + l * rowStride + (off >> 3) * colStride;
      for (let w: usize = 0; w < words; w += 2, src += colStride) {
        const x = load<u64>(src);
        store<u32>(MSG4 + (w << 4) + (l << 2), <u32>x, 0);
        store<u32>(MSG4 + (w << 4) + (l << 2), <u32>(x >> 32), 16);
      }
    }
  }
  memory.fill(MSG4 + (words << 4), 0, 256 - (words << 4));
}

/** Writes the four word-major digests at src as 32-byte digests at out, out + 32, out + 64, out + 96. */
// @ts-ignore: decorator
@inline function store4(out: usize, src: usize): void {
  for (let h: usize = 0; h < 128; h += 64) {
    const a = v128.load(src + h), b = v128.load(src + h, 16), c = v128.load(src + h, 32), d = v128.load(src + h, 48);
    const ab0 = v128.shuffle<u32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<u32>(a, b, 2, 6, 3, 7);
    const cd0 = v128.shuffle<u32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<u32>(c, d, 2, 6, 3, 7);
    const dst = out + (h >> 2);
    v128.store(dst, v128.shuffle<u64>(ab0, cd0, 0, 2), 0);
    v128.store(dst, v128.shuffle<u64>(ab0, cd0, 1, 3), 32);
    v128.store(dst, v128.shuffle<u64>(ab1, cd1, 0, 2), 64);
    v128.store(dst, v128.shuffle<u64>(ab1, cd1, 1, 3), 96);
  }
}

function chunk4(
  base: usize, rowStride: usize, colStride: usize, off: usize, n: usize, counter: u64, root: u32, out: usize,
): void {
  if (n <= 64) {
    block4(base, rowStride, colStride, off, n);
    compress4IV(MSG4, counter, <u32>n, CHUNK_START | CHUNK_END | root, out);
    return;
  }
  const last = (n - 1) & ~63;
  block4(base, rowStride, colStride, off, 64);
  compress4IV(MSG4, counter, 64, CHUNK_START, CV4);
  for (let b: usize = 64; b < last; b += 64) {
    block4(base, rowStride, colStride, off + b, 64);
    compress4CV(CV4, MSG4, counter, 64, 0, CV4);
  }
  block4(base, rowStride, colStride, off + last, n - last);
  compress4CV(CV4, MSG4, counter, <u32>(n - last), CHUNK_END | root, out);
}

/** Same tree walk as hash1, on 128-byte word-major stack entries (parent message = two adjacent entries). */
function hash4(out: usize, base: usize, len: usize, rowStride: usize, colStride: usize): void {
  if (len <= 1024) {
    chunk4(base, rowStride, colStride, 0, len, 0, ROOT, CV4);
    store4(out, CV4);
    return;
  }
  const chunks = (len + 1023) >> 10;
  let sp: usize = 0;
  for (let c: usize = 0; c + 1 < chunks; c++) {
    chunk4(base, rowStride, colStride, c << 10, 1024, <u64>c, 0, STACK4 + (sp << 7));
    for (let t = c + 1; (t & 1) == 0; t >>= 1) {
      sp--;
      compress4IV(STACK4 + (sp << 7), 0, 64, PARENT, STACK4 + (sp << 7));
    }
    sp++;
  }
  const off = (chunks - 1) << 10;
  chunk4(base, rowStride, colStride, off, len - off, <u64>(chunks - 1), 0, STACK4 + (sp << 7));
  for (; sp > 1; sp--) compress4IV(STACK4 + ((sp - 1) << 7), 0, 64, PARENT, STACK4 + ((sp - 1) << 7));
  compress4IV(STACK4, 0, 64, PARENT | ROOT, CV4);
  store4(out, CV4);
}

// ---------------------------------------------------------------------------------------------
// Exports. Pointers are byte offsets; digests are 32 bytes, written contiguously at out.

/**
 * out[32r .. 32r+32) = BLAKE3 of row r's canonical bytes: its `cols` u64 elements at
 * data + r·rowStride + c·colStride, each 8 bytes little-endian, in column order. Row-major:
 * (rowStride, colStride) = (8·cols, 8); column-major: (8, 8·rows). out must not overlap data,
 * except as in blake3_pairs.
 */
export function blake3_rows(out: usize, data: usize, rows: usize, cols: usize, rowStride: usize, colStride: usize): void {
  const len = cols << 3;
  let r: usize = 0;
  for (; r + 4 <= rows; r += 4) hash4(out + (r << 5), data + r * rowStride, len, rowStride, colStride);
  for (; r < rows; r++) hash1(out + (r << 5), data + r * rowStride, len, colStride);
}

/**
 * out[32i .. 32i+32) = BLAKE3(data[64i .. 64i+64)): Merkle parents from adjacent child digests.
 * out == data is allowed: each group of inputs is fully read before its outputs are written, and
 * output i (bytes 32i..32i+32) never reaches an input not yet read (bytes ≥ 64(i+1)).
 */
export function blake3_pairs(out: usize, data: usize, pairs: usize): void {
  blake3_rows(out, data, pairs, 8, 64, 8);
}

/** out[0 .. 32) = BLAKE3(data[0 .. len)). */
export function blake3_bytes(out: usize, data: usize, len: usize): void {
  hash1(out, data, len, 8);
}

/**
 * The proof-of-work search: the first nonce n in [start, start + count) for which
 * BLAKE3(data[0 .. len − 8) ‖ le64(n)) begins with at least `bits` (≤ 64) zero bits, or −1 if none.
 * Each candidate is written into data[len − 8 .. len); out receives each digest.
 */
export function blake3_grind(out: usize, data: usize, len: usize, bits: u32, start: u64, count: u64): i64 {
  const end = start + count;
  for (let n = start; n < end; n++) {
    store<u64>(data + len - 8, n);
    hash1(out, data, len, 8);
    // Leading zero bits of the digest read as bytes, most significant bit first.
    if (<u32>clz(bswap<u64>(load<u64>(out))) >= bits) return <i64>n;
  }
  return -1;
}

/**
 * Parents of gathered child pairs, for a verifier climbing a batched Merkle opening: parent i =
 * BLAKE3(node idx[2i] ‖ node idx[2i+1]), node j being the 32 bytes at nodes + 32j and idx u32s; the pairs
 * are gathered into scratch (64 bytes each) and hashed as blake3_pairs does. out may lie inside nodes,
 * after every node idx names.
 */
export function blake3_pairs_gather(out: usize, nodes: usize, idx: usize, pairs: usize, scratch: usize): void {
  for (let i: usize = 0; i < pairs; i++) {
    const left = nodes + (<usize>load<u32>(idx + (i << 3)) << 5), right = nodes + (<usize>load<u32>(idx + (i << 3), 4) << 5);
    const to = scratch + (i << 6);
    v128.store(to, v128.load(left));
    v128.store(to, v128.load(left, 16), 16);
    v128.store(to, v128.load(right), 32);
    v128.store(to, v128.load(right, 16), 48);
  }
  blake3_pairs(out, scratch, pairs);
}
