// Deterministic benchmark inputs: the splitmix64 stream reduced mod p, shared with the native
// yardstick (bench/native/ntt_radix2.c) so both transform the same column.
import { P } from '../src/field/goldilocks.js';

const M64 = (1n << 64n) - 1n;

export function splitmixColumn(n: number, seed = 0x43415053n /* "CAPS" */): BigUint64Array {
  const out = new BigUint64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & M64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    out[i] = (z ^ (z >> 31n)) % P;
  }
  return out;
}

/** Σ out[i]·(i+1) mod 2^64 — the yardstick prints the same fingerprint of its output. */
export function fingerprint(col: BigUint64Array): bigint {
  let fp = 0n;
  for (let i = 0; i < col.length; i++) fp = (fp + col[i]! * BigInt(i + 1)) & M64;
  return fp;
}

/** Cheap distinct columns for throughput benches (values < p by construction). */
export function patternColumns(width: number, n: number): BigUint64Array[] {
  return Array.from({ length: width }, (_, c) => {
    const col = new BigUint64Array(n);
    const w = new Uint32Array(col.buffer);
    for (let i = 0; i < 2 * n; i++) w[i] = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(c + 7, 0x85ebca6b)) >>> 1;
    return col;
  });
}
