/**
 * BLAKE3 of short inputs (Merkle nodes, opened rows) on the WebAssembly kernel, for verifiers: a
 * noble call allocates a hasher per digest, which dominated verification time (thousands of
 * 64-byte nodes per proof). Same digests as @noble/hashes (test/hash.test.ts checks both against
 * the official vectors); inputs above SHORT_MAX bytes go to noble. Also the prover's proof-of-work
 * search, whose loop runs inside the kernel.
 *
 * @module
 */
import { Kernels } from '../wasm/kernels.js';
import { blake3, DIGEST_BYTES } from './digest.js';

export const SHORT_MAX = 4096;

let kernels: Kernels | undefined;
let io = 0;

/** The kernel instance serving this module, and its permanent I/O area (input, then the digest). */
function shortKernels(): Kernels {
  if (!kernels) {
    kernels = Kernels.loadSync();
    io = kernels.alloc(SHORT_MAX + DIGEST_BYTES);
  }
  return kernels;
}

export function blake3Short(data: Uint8Array): Uint8Array {
  if (data.length > SHORT_MAX) return blake3(data);
  const kernels = shortKernels();
  const mem = kernels.u8;
  mem.set(data, io);
  kernels.raw.blake3_bytes(io + SHORT_MAX, io, data.length);
  return mem.slice(io + SHORT_MAX, io + SHORT_MAX + DIGEST_BYTES);
}

/** Nonces tried per kernel call of the search. */
const GRIND_BATCH = 1n << 20n;

/** The smallest nonce n for which BLAKE3(prefix ‖ le64(n)) begins with `bits` zero bits (bits ≤ 64). */
export function grindShort(prefix: Uint8Array, bits: number): bigint {
  if (prefix.length + 8 > SHORT_MAX) throw new RangeError(`grindShort: a prefix of ${prefix.length} bytes is longer than ${SHORT_MAX - 8}`);
  const kernels = shortKernels();
  kernels.u8.set(prefix, io); // the kernel writes only the nonce after it
  for (let start = 0n; ; start += GRIND_BATCH) {
    const n = kernels.raw.blake3_grind(io + SHORT_MAX, io, prefix.length + 8, bits, start, GRIND_BATCH);
    if (n >= 0n) return n;
  }
}
