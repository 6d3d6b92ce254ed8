// Radix-2 NTT kernels over one column of canonical Goldilocks elements, in place.
//
// Twiddle layout ("per stage"): for each butterfly half-size h = 1, 2, 4, …, n/2 the table holds
// w_{2h}^0 … w_{2h}^(h-1) at offset h-1, where w_{2h} = root^(n/2h). A stage thus reads its twiddles
// contiguously. One table of n-1 elements serves every size up to n (a stage does not depend on n).
//
// dif: natural order in, bit-reversed out (Gentleman–Sande). dit: bit-reversed in, natural out
// (Cooley–Tukey). Chaining them avoids any permutation pass, which is how LDE uses them.
// Stages whose blocks fit in BLOCK elements run block by block (all remaining stages per block
// while it is hot in L1/L2), instead of sweeping the whole column once per stage.
import { addp, subp, mulp } from './goldilocks';

/** 2^13 elements = 64 KiB: stays in L2 with room for twiddles. */
const LOG_BLOCK: u32 = 13;

export function twiddles(out: usize, logN: u32, root: u64): void {
  // root is a primitive 2^logN-th root of unity; w_{2h} for h = n/2 down to 1 is its repeated square.
  let w = root;
  for (let h: usize = (<usize>1 << logN) >> 1; h >= 1; h >>= 1) {
    const base = out + ((h - 1) << 3);
    let x: u64 = 1;
    for (let j: usize = 0; j < h; j++) {
      store<u64>(base + (j << 3), x);
      x = mulp(x, w);
    }
    w = mulp(w, w);
  }
}

/** The h = 1 stage, identical in DIF and DIT: its only twiddle is 1, so no multiplication. */
// @ts-ignore: decorator
@inline function stageOfTwo(a: usize, n: usize): void {
  for (let k: usize = 0; k < n << 3; k += 16) {
    const u = load<u64>(a + k), v = load<u64>(a + k, 8);
    store<u64>(a + k, addp(u, v));
    store<u64>(a + k, subp(u, v), 8);
  }
}

// @ts-ignore: decorator
@inline function difStage(a: usize, n: usize, h: usize, tw: usize): void {
  const hb = h << 3;
  const w = tw + ((h - 1) << 3);
  if (h == 1) {
    stageOfTwo(a, n);
    return;
  }
  for (let k: usize = 0; k < n << 3; k += hb << 1) {
    const lo = a + k;
    for (let j: usize = 0; j < hb; j += 8) {
      const u = load<u64>(lo + j), v = load<u64>(lo + hb + j);
      store<u64>(lo + j, addp(u, v));
      store<u64>(lo + hb + j, mulp(subp(u, v), load<u64>(w + j)));
    }
  }
}

// @ts-ignore: decorator
@inline function ditStage(a: usize, n: usize, h: usize, tw: usize): void {
  const hb = h << 3;
  const w = tw + ((h - 1) << 3);
  if (h == 1) {
    stageOfTwo(a, n);
    return;
  }
  for (let k: usize = 0; k < n << 3; k += hb << 1) {
    const lo = a + k;
    for (let j: usize = 0; j < hb; j += 8) {
      const u = load<u64>(lo + j), v = mulp(load<u64>(lo + hb + j), load<u64>(w + j));
      store<u64>(lo + j, addp(u, v));
      store<u64>(lo + hb + j, subp(u, v));
    }
  }
}

export function dif(a: usize, logN: u32, tw: usize): void {
  const n: usize = <usize>1 << logN;
  const block: usize = <usize>1 << min(logN, LOG_BLOCK);
  let h = n >> 1;
  for (; h >= block; h >>= 1) difStage(a, n, h, tw);
  for (let b: usize = 0; b < n; b += block) {
    for (let hh = h; hh >= 1; hh >>= 1) difStage(a + (b << 3), block, hh, tw);
  }
}

export function dit(a: usize, logN: u32, tw: usize): void {
  const n: usize = <usize>1 << logN;
  const block: usize = <usize>1 << min(logN, LOG_BLOCK);
  for (let b: usize = 0; b < n; b += block) {
    for (let h: usize = 1; h < block; h <<= 1) ditStage(a + (b << 3), block, h, tw);
  }
  for (let h = block; h < n; h <<= 1) ditStage(a, n, h, tw);
}

/**
 * out[offset + stride·i] = a[bitrev(i)] for i < 2^logN. Turns one coset's DIF output (bit-reversed)
 * into its natural-order slots of an interleaved LDE (stride = blowup, offset = coset index).
 */
export function scatter_bit_reversed(out: usize, a: usize, logN: u32, stride: usize, offset: usize): void {
  const n: usize = <usize>1 << logN;
  const shift = <u32>(sizeof<usize>() * 8) - logN;
  const step = stride << 3;
  let dst = out + (offset << 3);
  if (logN == 0) {
    store<u64>(dst, load<u64>(a));
    return;
  }
  for (let i: usize = 0; i < n; i++) {
    store<u64>(dst, load<u64>(a + ((reverseBits(i) >> shift) << 3)));
    dst += step;
  }
}

/** In-place bit-reversal permutation of n = 2^logN elements. */
export function bit_reverse(a: usize, logN: u32): void {
  const n: usize = <usize>1 << logN;
  if (logN < 2) return;
  const shift = <u32>(sizeof<usize>() * 8) - logN;
  for (let i: usize = 1; i < n - 1; i++) {
    const j = reverseBits(i) >> shift;
    if (i < j) {
      const x = load<u64>(a + (i << 3));
      store<u64>(a + (i << 3), load<u64>(a + (j << 3)));
      store<u64>(a + (j << 3), x);
    }
  }
}

// @ts-ignore: decorator
@inline function reverseBits(x: usize): usize {
  // wasm has no bit-reverse instruction; swap progressively larger groups (usize is 32-bit here).
  let v = <u32>x;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return <usize>((v >>> 16) | (v << 16));
}
