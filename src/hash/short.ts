// BLAKE3 of short inputs (Merkle nodes, opened rows) on the WebAssembly kernel, for verifiers: a
// noble call allocates a hasher per digest, which dominated verification time (thousands of
// 64-byte nodes per proof). Same digests as @noble/hashes (test/hash.test.ts checks both against
// the official vectors); inputs above SHORT_MAX bytes go to noble.
import { Kernels } from '../wasm/kernels.js';
import { blake3, DIGEST_BYTES } from './digest.js';

export const SHORT_MAX = 4096;

let kernels: Kernels | undefined;
let io = 0;

export function blake3Short(data: Uint8Array): Uint8Array {
  if (data.length > SHORT_MAX) return blake3(data);
  if (!kernels) {
    kernels = Kernels.loadSync();
    io = kernels.alloc(SHORT_MAX + DIGEST_BYTES); // permanent: this instance serves only this function
  }
  const mem = kernels.u8;
  mem.set(data, io);
  kernels.raw.blake3_bytes(io + SHORT_MAX, io, data.length);
  return mem.slice(io + SHORT_MAX, io + SHORT_MAX + DIGEST_BYTES);
}
