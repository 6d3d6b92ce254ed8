/**
 * Fiat–Shamir transcript of protocol `capseal-stark-v1`: the prover and the verifier feed it the same
 * commitments in the same order and draw the same challenges from it, which turns the interactive STARK
 * into a non-interactive proof. It is a BLAKE3 hash chain rather than a sponge, so the one hash CapSeal
 * already trusts (src/hash) is the only primitive.
 *
 * State: a 32-byte chaining value cv.
 *   lp(x)          = u64-LE(byte length of x) ‖ x    (length prefix: makes every concatenation injective)
 *   tag(kind)      = u8(byte length) ‖ ascii("capseal-stark-v1/" ‖ kind),
 *                    kind ∈ init, absorb, squeeze, ratchet, pow
 *   start          cv = BLAKE3(tag(init) ‖ lp(protocolId))
 *   absorb         cv = BLAKE3(tag(absorb) ‖ cv ‖ lp(label) ‖ lp(data))
 *   challenge(n)   block i = BLAKE3(tag(squeeze) ‖ cv ‖ lp(label) ‖ u32-LE(i)); output = block 0 ‖ block 1 ‖ …,
 *                  truncated to n bytes; then cv = BLAKE3(tag(ratchet) ‖ cv ‖ lp(label) ‖ u64-LE(n))
 *   proof of work  digest(nonce) = BLAKE3(tag(pow) ‖ cv ‖ u64-LE(nonce)); cv is left unchanged
 * Why this shape:
 * - Each hash input starts with a length-prefixed tag, so tags are prefix-free and no input of one kind
 *   (absorb, squeeze, ratchet, pow, init) can equal an input of another kind; within a kind every field
 *   is fixed-size or length-prefixed, so distinct (label, data) sequences never collide except through a
 *   BLAKE3 collision.
 * - Squeezing ratchets cv, so two identical challenge calls in a row differ and every challenge (with
 *   its label and length) is bound into everything drawn later.
 * - Field challenges use rejection sampling, never `mod p`: a 64-bit value reduced mod p would be biased
 *   toward [0, 2^32 − 1). challengeElement squeezes one 32-byte block of four 8-byte LE candidates and
 *   takes the first one < p (firstCanonical); all four fail with probability ≈ 2^-128, in which case it
 *   squeezes again.
 * - Query indices are drawn from power-of-two ranges only, where masking a uniform u64 is unbiased.
 * - Tags take a one-byte length (they are short constants) rather than lp's eight, so the PoW input
 *   tag(pow) ‖ cv ‖ nonce is 21 + 32 + 8 = 61 bytes: one BLAKE3 block, one compression per nonce. The
 *   search loop runs inside the WebAssembly kernel (grindShort), which writes each nonce in place.
 *
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { blake3ShortConcat, grindShort } from '../hash/short.js';
import { isCanonical } from '../field/goldilocks.js';
import { isCanonical as isCanonicalExt, type Fp2 } from '../field/ext2.js';

export const PROTOCOL_ID = 'capseal-stark-v1';
export const MAX_LABEL_LENGTH = 64;
/** A single challenge is at most 16 MiB; the largest real one (2^16 indices × 8 bytes) is 512 KiB. */
export const MAX_CHALLENGE_BYTES = 1 << 24;
export const MAX_INDEX_COUNT = 1 << 16;
export const MAX_INDEX_RANGE = 2 ** 32;
export const MAX_POW_BITS = 32;

const STATE_BYTES = 32;
const U64_MAX = (1n << 64n) - 1n;
/** Candidates per squeeze in challengeElement: one BLAKE3 output block. */
const ELEMENT_CANDIDATE_BYTES = 32;

/** x (an integer in [0, 2^53) or a bigint in [0, 2^64)) as 8 bytes little-endian. */
function u64le(x: bigint | number): Uint8Array {
  if (typeof x === 'bigint') {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, x, true);
    return out;
  }
  const lo = x % 2 ** 32, hi = Math.floor(x / 2 ** 32);
  return Uint8Array.of(lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, hi & 0xff, (hi >>> 8) & 0xff, (hi >>> 16) & 0xff, hi >>> 24);
}

function u32le(x: number): Uint8Array {
  return Uint8Array.of(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24);
}
const U32_ZERO = u32le(0);

/** u64-LE(length) ‖ bytes, the framing of every variable-length field. */
function lp(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + bytes.length);
  out.set(u64le(bytes.length), 0);
  out.set(bytes, 8);
  return out;
}

/** Labels are printable ASCII, so their bytes are their char codes and nothing depends on a text encoder. */
function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function checkLabel(what: string, label: unknown): asserts label is string {
  if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL_LENGTH || !/^[\x20-\x7e]*$/.test(label))
    throw new RangeError(`${what}: label must be 1 to ${MAX_LABEL_LENGTH} printable ASCII characters, got ${JSON.stringify(label)}`);
}

/** lp(ascii(label)) of the labels met so far: a transcript uses a handful of constant labels many times. */
const framedLabels = new Map<string, Uint8Array>();
const MAX_FRAMED_LABELS = 256;

/** The checked label, framed as it is hashed: lp(ascii(label)). */
function framedLabel(what: string, label: unknown): Uint8Array {
  let framed = typeof label === 'string' ? framedLabels.get(label) : undefined;
  if (framed === undefined) {
    checkLabel(what, label);
    framed = lp(ascii(label));
    if (framedLabels.size < MAX_FRAMED_LABELS) framedLabels.set(label, framed);
  }
  return framed;
}

function checkNonce(what: string, nonce: unknown): asserts nonce is bigint {
  if (typeof nonce !== 'bigint' || nonce < 0n || nonce > U64_MAX)
    throw new RangeError(`${what}: nonce must be a bigint in [0, 2^64), got ${String(nonce)}`);
}

function checkPowBits(what: string, bits: unknown): asserts bits is number {
  if (!Number.isInteger(bits) || (bits as number) < 0 || (bits as number) > MAX_POW_BITS)
    throw new RangeError(`${what}: bits must be an integer in [0, ${MAX_POW_BITS}], got ${String(bits)}`);
}

function tag(kind: string): Uint8Array {
  const name = ascii(`${PROTOCOL_ID}/${kind}`);
  return Uint8Array.of(name.length, ...name);
}
const TAG_INIT = tag('init');
const TAG_ABSORB = tag('absorb');
const TAG_SQUEEZE = tag('squeeze');
const TAG_RATCHET = tag('ratchet');
const TAG_POW = tag('pow');

/** BLAKE3 of the concatenation (on the wasm kernel for short inputs: src/hash/short.ts). */
const hash = blake3ShortConcat;

/**
 * The first 8-byte little-endian candidate in `bytes` that is < p, or undefined if there is none.
 * The rejection step of challengeElement, exported so tests can feed it crafted non-canonical candidates.
 */
export function firstCanonical(bytes: Uint8Array): bigint | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length % 8 !== 0)
    throw new RangeError('firstCanonical: expected a Uint8Array whose length is a multiple of 8');
  for (let off = 0; off < bytes.length; off += 8) {
    const lo = (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
    const hi = (bytes[off + 4]! | (bytes[off + 5]! << 8) | (bytes[off + 6]! << 16) | (bytes[off + 7]! << 24)) >>> 0;
    // hi·2^32 + lo < p = (2^32 − 1)·2^32 + 1 exactly when hi < 2^32 − 1, or hi = 2^32 − 1 and lo = 0.
    if (hi < 0xffffffff || lo === 0) return (BigInt(hi) << 32n) | BigInt(lo);
  }
  return undefined;
}

/** Leading zero bits of a digest, counted from the most significant bit of byte 0. */
export function leadingZeroBits(d: Uint8Array): number {
  let bits = 0;
  for (const byte of d) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

export class Transcript {
  #cv: Uint8Array;

  /** protocolId follows the label rules; it separates transcripts of different protocols or versions. */
  constructor(protocolId: string) {
    checkLabel('Transcript', protocolId);
    this.#cv = hash(TAG_INIT, lp(ascii(protocolId)));
  }

  /** A copy of the 32-byte chaining value. */
  state(): Uint8Array {
    return this.#cv.slice();
  }

  absorb(label: string, data: Uint8Array): void {
    const l = framedLabel('absorb', label);
    if (!(data instanceof Uint8Array)) throw new TypeError('absorb: data must be a Uint8Array');
    this.#cv = hash(TAG_ABSORB, this.#cv, l, u64le(data.length), data);
  }

  /** Absorbs base-field elements, each canonical 8-byte LE; a value ≥ p is an error, never reduced. */
  absorbElements(label: string, xs: readonly bigint[] | BigUint64Array): void {
    checkLabel('absorbElements', label);
    const bytes = new Uint8Array(xs.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (!isCanonical(x)) throw new RangeError(`absorbElements: element ${i} is not a canonical field element: ${String(x)}`);
      view.setBigUint64(i * 8, x, true);
    }
    this.absorb(label, bytes);
  }

  /** Absorbs F_p2 elements, 16 bytes each: c0 then c1, canonical 8-byte LE. */
  absorbExt(label: string, xs: readonly Fp2[]): void {
    checkLabel('absorbExt', label);
    const bytes = new Uint8Array(xs.length * 16);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (!isCanonicalExt(x)) throw new RangeError(`absorbExt: element ${i} is not a canonical F_p2 element`);
      view.setBigUint64(i * 16, x[0], true);
      view.setBigUint64(i * 16 + 8, x[1], true);
    }
    this.absorb(label, bytes);
  }

  /** n pseudo-random bytes bound to everything absorbed so far; ratchets the state afterwards. */
  challengeBytes(label: string, n: number): Uint8Array {
    const l = framedLabel('challengeBytes', label);
    if (!Number.isInteger(n) || n < 0 || n > MAX_CHALLENGE_BYTES)
      throw new RangeError(`challengeBytes: n must be an integer in [0, ${MAX_CHALLENGE_BYTES}], got ${n}`);
    const blocks = Math.ceil(n / STATE_BYTES);
    let out: Uint8Array;
    // One block (every field challenge) is the squeeze's own digest; more are joined.
    if (blocks === 1) out = hash(TAG_SQUEEZE, this.#cv, l, U32_ZERO);
    else {
      out = new Uint8Array(blocks * STATE_BYTES);
      for (let i = 0; i < blocks; i++) out.set(hash(TAG_SQUEEZE, this.#cv, l, u32le(i)), i * STATE_BYTES);
    }
    this.#cv = hash(TAG_RATCHET, this.#cv, l, u64le(n));
    return out.subarray(0, n);
  }

  /** A uniform element of F_p, by rejection sampling (see the header). */
  challengeElement(label: string): bigint {
    for (;;) {
      const x = firstCanonical(this.challengeBytes(label, ELEMENT_CANDIDATE_BYTES));
      if (x !== undefined) return x;
    }
  }

  /** A uniform element of F_p2: two independent challengeElement draws (c0 first), separated by the ratchet. */
  challengeExt(label: string): Fp2 {
    const c0 = this.challengeElement(label);
    const c1 = this.challengeElement(label);
    return [c0, c1];
  }

  /**
   * `count` indices uniform in [0, range), range a power of two: the low log2(range) bits of a u64-LE per
   * index (masking is unbiased for a power of two). Duplicates are possible; the caller dedups.
   */
  challengeIndices(label: string, count: number, range: number): number[] {
    checkLabel('challengeIndices', label);
    if (!Number.isInteger(count) || count < 0 || count > MAX_INDEX_COUNT)
      throw new RangeError(`challengeIndices: count must be an integer in [0, ${MAX_INDEX_COUNT}], got ${count}`);
    if (!Number.isInteger(range) || range < 1 || range > MAX_INDEX_RANGE || 2 ** Math.round(Math.log2(range)) !== range)
      throw new RangeError(`challengeIndices: range must be a power of two in [1, 2^32], got ${range}`);
    const bytes = this.challengeBytes(label, count * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const mask = range - 1;
    // range ≤ 2^32, so the mask only touches the low u32 of each u64; `>>> 0` keeps the result unsigned.
    return Array.from({ length: count }, (_, i) => (view.getUint32(i * 8, true) & mask) >>> 0);
  }

  /** BLAKE3(tag(pow) ‖ cv ‖ u64-LE(nonce)); does not change the state. */
  powDigest(nonce: bigint): Uint8Array {
    checkNonce('powDigest', nonce);
    return hash(TAG_POW, this.#cv, u64le(nonce));
  }

  checkPow(nonce: bigint, bits: number): boolean {
    checkNonce('checkPow', nonce);
    checkPowBits('checkPow', bits);
    return leadingZeroBits(this.powDigest(nonce)) >= bits;
  }

  /** The smallest nonce ≥ 0 whose powDigest has at least `bits` leading zero bits. */
  grind(bits: number): bigint {
    checkPowBits('grind', bits);
    return grindShort(concatBytes(TAG_POW, this.#cv), bits);
  }
}
