/**
 * BLAKE3 of short inputs (the transcript's hashes, the AIR digest, Merkle nodes) on the WebAssembly
 * kernel, for verifiers: a noble call allocates a hasher per digest, which dominated verification
 * time. A batched Merkle opening's thousands of 64-byte nodes are hashed a level per call
 * (blake3Climb). Same digests as @noble/hashes (test/hash.test.ts checks both against the official
 * vectors); inputs above SHORT_MAX bytes go to noble. Also the prover's proof-of-work search, whose
 * loop runs inside the kernel.
 *
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { Kernels } from '../wasm/kernels.js';
import { blake3, DIGEST_BYTES } from './digest.js';

export const SHORT_MAX = 4096;

let kernels: Kernels | undefined;
let io = 0;
/** A view of the I/O area, kept across calls; growing the memory detaches it (length 0), and ioBytes() makes a new one. */
let ioView = new Uint8Array(0);

/** The kernel instance serving this module, and its permanent I/O area (input, then the digest). */
function shortKernels(): Kernels {
  if (!kernels) {
    kernels = Kernels.loadSync();
    io = kernels.alloc(SHORT_MAX + DIGEST_BYTES);
  }
  return kernels;
}

function ioBytes(): Uint8Array {
  if (ioView.length === 0) ioView = new Uint8Array(shortKernels().raw.memory.buffer, io, SHORT_MAX + DIGEST_BYTES);
  return ioView;
}

/** Hashes the first `length` bytes of the I/O area; returns a copy of the digest. */
function hashIo(length: number): Uint8Array {
  const view = ioBytes();
  kernels!.raw.blake3_bytes(io + SHORT_MAX, io, length);
  return view.slice(SHORT_MAX, SHORT_MAX + DIGEST_BYTES);
}

export function blake3Short(data: Uint8Array): Uint8Array {
  if (data.length > SHORT_MAX) return blake3(data);
  ioBytes().set(data);
  return hashIo(data.length);
}

/** BLAKE3 of the concatenation of `parts`, written straight into the kernel's input (no concatenated copy). */
export function blake3ShortConcat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > SHORT_MAX) return blake3(concatBytes(...parts));
  const view = ioBytes();
  for (let at = 0, k = 0; k < parts.length; at += parts[k]!.length, k++) view.set(parts[k]!, at);
  return hashIo(length);
}

/**
 * A Merkle climb on the kernel, for a verifier checking a batched opening: the nodes start as `initial`
 * (node j = initial[j]); each level lists pairs of node numbers (2 per pair) and appends its parents,
 * parent i = BLAKE3(node left ‖ node right), as the next nodes. Returns the last node made. One kernel
 * call per level; nothing is allocated per node.
 */
export function blake3Climb(initial: readonly Uint8Array[], levels: readonly Uint32Array[]): Uint8Array {
  const kernels = shortKernels();
  let count = initial.length, widest = 0;
  for (const level of levels) {
    count += level.length / 2;
    widest = Math.max(widest, level.length);
  }
  return kernels.scoped(() => {
    const nodes = kernels.alloc(count * DIGEST_BYTES), idx = kernels.alloc(4 * widest), scratch = kernels.alloc(32 * widest);
    const mem = kernels.u8;
    initial.forEach((digest, j) => mem.set(digest, nodes + j * DIGEST_BYTES));
    const u32 = new Uint32Array(mem.buffer, idx, widest);
    let made = initial.length;
    for (const level of levels) {
      for (let k = 0; k < level.length; k++) if (level[k]! >= made) throw new RangeError(`blake3Climb: node ${level[k]} is not made yet`);
      u32.set(level);
      kernels.raw.blake3_pairs_gather(nodes + made * DIGEST_BYTES, nodes, idx, level.length / 2, scratch);
      made += level.length / 2;
    }
    return mem.slice(nodes + (made - 1) * DIGEST_BYTES, nodes + made * DIGEST_BYTES);
  });
}

/** Nonces tried per kernel call of the search. */
const GRIND_BATCH = 1n << 20n;

/** The smallest nonce n for which BLAKE3(prefix ‖ le64(n)) begins with `bits` zero bits (bits ≤ 64). */
export function grindShort(prefix: Uint8Array, bits: number): bigint {
  if (prefix.length + 8 > SHORT_MAX) throw new RangeError(`grindShort: a prefix of ${prefix.length} bytes is longer than ${SHORT_MAX - 8}`);
  const kernels = shortKernels();
  ioBytes().set(prefix); // the kernel writes only the nonce after it
  for (let start = 0n; ; start += GRIND_BATCH) {
    const n = kernels.raw.blake3_grind(io + SHORT_MAX, io, prefix.length + 8, bits, start, GRIND_BATCH);
    if (n >= 0n) return n;
  }
}
