// NTT kernels over one column of canonical Goldilocks elements, in place: stages in radix-4 pairs,
// one radix-2 stage where their count is odd.
//
// Twiddle layout ("per stage"): for each butterfly half-size h = 1, 2, 4, …, n/2 the table holds
// w_{2h}^0 … w_{2h}^(h-1) at offset h-1, where w_{2h} = root^(n/2h). A stage thus reads its twiddles
// contiguously. One table of n-1 elements serves every size up to n (a stage does not depend on n).
// The n/2 elements below the table hold the cubes the radix-4 steps need, also by stage.
//
// dif: natural order in, bit-reversed out (Gentleman–Sande). dit: bit-reversed in, natural out
// (Cooley–Tukey). Chaining them avoids any permutation pass, which is how LDE uses them.
// Stages whose blocks fit in BLOCK elements run block by block (all remaining stages per block
// while it is hot in L1/L2), instead of sweeping the whole column once per stage.
import { addp, subp, mulp, negp, reduce128 } from './goldilocks';

/** 2^13 elements = 64 KiB: stays in L2 with room for twiddles. */
const LOG_BLOCK: u32 = 13;

export function twiddles(out: usize, logN: u32, root: u64): void {
  // root is a primitive 2^logN-th root of unity; w_{2h} for h = n/2 down to 1 is its repeated square.
  let w = root;
  for (let h: usize = (<usize>1 << logN) >> 1; h >= 1; h >>= 1) {
    const base = out + ((h - 1) << 3);
    // Below the table, the radix-4 steps' W³: (w_{4q}^j)³ for j < q at out − 8·(2q − 1) + 8j (q = h/2).
    const q = h >> 1, cubes = out - (((q << 1) - 1) << 3), w3 = mulp(mulp(w, w), w);
    let x: u64 = 1, y: u64 = 1;
    for (let j: usize = 0; j < h; j++) {
      store<u64>(base + (j << 3), x);
      x = mulp(x, w);
      if (j < q) {
        store<u64>(cubes + (j << 3), y);
        y = mulp(y, w3);
      }
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

/**
 * x·ω4 for ω4 = ±2^48, the primitive 4th roots of unity (2^96 ≡ −1): x·2^48 is the 128-bit value
 * (x >> 16)·2^64 + (x << 48), reduced without a multiplication.
 */
// @ts-ignore: decorator
@inline function mulOmega4(x: u64, negative: bool): u64 {
  const r = reduce128(x << 48, x >> 16);
  return negative ? negp(r) : r;
}

/**
 * Two DIF stages at once (half-sizes H and H/2) on blocks of 2H: with q = H/2, W = w_{2H}^j and
 * ω4 = w_{2H}^q, the second pair's twiddle is W·ω4 and the next stage's is W², so
 *   c0 = (a0 + a2) + (a1 + a3), c1 = ((a0 + a2) − (a1 + a3))·W²,
 *   c2 = (u + t)·W, c3 = (u − t)·W³ with u = a0 − a2, t = (a1 − a3)·ω4:
 * three multiplications (W³ from the table below tw) and a shift-reduce per four elements where two
 * radix-2 stages take four, and one pass over memory instead of two.
 */
// @ts-ignore: decorator
@inline function difRadix4(a: usize, n: usize, H: usize, tw: usize): void {
  const q = H >> 1, qb = q << 3;
  const tW = tw + ((H - 1) << 3), tV = tw + ((q - 1) << 3), tW3 = tw - (((q << 1) - 1) << 3);
  const negative = load<u64>(tW + qb) != (<u64>1 << 48);
  for (let s: usize = 0; s < n << 3; s += qb << 2) {
    for (let j: usize = 0; j < qb; j += 8) {
      const W = load<u64>(tW + j), V = load<u64>(tV + j), W3 = load<u64>(tW3 + j);
      const p = a + s + j;
      const a0 = load<u64>(p), a1 = load<u64>(p + qb), a2 = load<u64>(p + 2 * qb), a3 = load<u64>(p + 3 * qb);
      const b0 = addp(a0, a2), b1 = addp(a1, a3);
      const u = subp(a0, a2), t = mulOmega4(subp(a1, a3), negative);
      store<u64>(p, addp(b0, b1));
      store<u64>(p + qb, mulp(subp(b0, b1), V));
      store<u64>(p + 2 * qb, mulp(addp(u, t), W));
      store<u64>(p + 3 * qb, mulp(subp(u, t), W3));
    }
  }
}

/**
 * Two DIT stages at once (half-sizes h and 2h) on blocks of 4h: with V = w_{2h}^j, W = w_{4h}^j
 * (V = W²) and ω4 = w_{4h}^h, b0/b1 = a0 ± a1·V, e = a2·W + a3·W³, f = (a2·W − a3·W³)·ω4 and
 *   c0 = b0 + e, c1 = b1 + f, c2 = b0 − e, c3 = b1 − f.
 */
// @ts-ignore: decorator
@inline function ditRadix4(a: usize, n: usize, h: usize, tw: usize): void {
  const hb = h << 3;
  const tV = tw + ((h - 1) << 3), tW = tw + ((2 * h - 1) << 3), tW3 = tw - (((h << 1) - 1) << 3);
  const negative = load<u64>(tW + hb) != (<u64>1 << 48);
  for (let s: usize = 0; s < n << 3; s += hb << 2) {
    for (let j: usize = 0; j < hb; j += 8) {
      const W = load<u64>(tW + j), V = load<u64>(tV + j), W3 = load<u64>(tW3 + j);
      const p = a + s + j;
      const a0 = load<u64>(p), a1 = load<u64>(p + hb), a2 = load<u64>(p + 2 * hb), a3 = load<u64>(p + 3 * hb);
      const s1 = mulp(a1, V), b0 = addp(a0, s1), b1 = subp(a0, s1);
      const x = mulp(a2, W), y = mulp(a3, W3);
      const e = addp(x, y), f = mulOmega4(subp(x, y), negative);
      store<u64>(p, addp(b0, e));
      store<u64>(p + hb, addp(b1, f));
      store<u64>(p + 2 * hb, subp(b0, e));
      store<u64>(p + 3 * hb, subp(b1, f));
    }
  }
}

/** Stages from half-size h down to 1 on n elements (in radix-4 pairs, one radix-2 stage when their count is odd). */
// @ts-ignore: decorator
@inline function difFrom(a: usize, n: usize, h: usize, tw: usize): void {
  for (; h >= 2; h >>= 2) difRadix4(a, n, h, tw);
  if (h == 1) stageOfTwo(a, n);
}

export function dif(a: usize, logN: u32, tw: usize): void {
  const n: usize = <usize>1 << logN;
  const block: usize = <usize>1 << min(logN, LOG_BLOCK);
  let h = n >> 1;
  // Stages whose butterflies span more than a block sweep the column; the rest run block by block.
  while (h >= block) {
    if (h >> 1 >= block) {
      difRadix4(a, n, h, tw);
      h >>= 2;
    } else {
      difStage(a, n, h, tw);
      h >>= 1;
    }
  }
  for (let b: usize = 0; b < n; b += block) difFrom(a + (b << 3), block, h, tw);
}

export function dit(a: usize, logN: u32, tw: usize): void {
  const n: usize = <usize>1 << logN;
  const logBlock = min(logN, LOG_BLOCK);
  const block: usize = <usize>1 << logBlock;
  for (let b: usize = 0; b < n; b += block) {
    const p = a + (b << 3);
    let h: usize = 1;
    if (logBlock & 1) {
      stageOfTwo(p, block);
      h = 2;
    }
    for (; h < block; h <<= 2) ditRadix4(p, block, h, tw);
  }
  let h = block;
  while (h < n) {
    if (h << 1 < n) {
      ditRadix4(a, n, h, tw);
      h <<= 2;
    } else {
      ditStage(a, n, h, tw);
      h <<= 1;
    }
  }
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
