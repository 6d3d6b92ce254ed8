/**
 * KECCAK_256_V1: Keccak-256 of a message (the Keccak submission's padding, as Ethereum's keccak256:
 * pad10*1 with bytes 0x01 … 0x80, not FIPS 202 SHA3-256's 0x06; rate 1088 bits = 17 lanes, capacity
 * 512 bits; FIPS 202 §4 and §5.1 for the sponge and the padding rule) as an AIR: KECCAK_F_V1's
 * columns and round transitions (./keccak.ts), one permutation per absorbed block, chained by a few
 * columns more. Bytes enter lanes little-endian (byte 8i + j is bits 8j … 8j + 7 of lane i). This is
 * the Keccak AIR the registry serves (short name `keccak`) and workloads use.
 *   Columns (2,796): KECCAK_F_V1's 2,632, then
 *     prev_out_i_l (68, lanes i = 0 … 16): the rate lanes of the previous permutation's output (zero
 *       for the first), the same on all 24 rows of a permutation;
 *     absorb_preimage_bit_s_k, absorb_block_bit_s_k (48 each): the absorption is checked one rate limb
 *       per slot, three slots a row: on round r, slot s checks rate limb j = 3r + s (lane j/4, limb
 *       j mod 4) for j < 68, so rounds 0 … 22 cover the 68 rate limbs. The slot holds that limb of
 *       the preimage and of the message block as bits.
 *   Periodic columns (3, each of length n, built from the public message, so the verifier rebuilds
 *     them): block_s holds, on row 24k + r, limb 3r + s of padded block k where block k is a message
 *     block and 3r + s < 68, and 0 everywhere else (unused slots, padding permutations, the partial
 *     slot at the end, row n − 1).
 *   Chaining: a permutation's preimage is the previous output with the block XORed into the rate
 *     lanes. XOR needs the bits of both operands, and 1,088 bit pairs on the one row where the output
 *     meets the next preimage would cost 2,176 columns; carrying the previous output through the next
 *     permutation (prev_out) spreads the check over its 24 rows at 96 columns (and 68 for prev_out).
 *   Transitions (3,361): KECCAK_F_V1's 3,156, then, on rows 0 … n−2:
 *     carry_rate_i_l (68, degree 2): next.prev_out − cur.prev_out − step_23·(output − cur.prev_out):
 *       prev_out is held within a permutation and takes the output across a round-23 row;
 *     carry_capacity_i_l (32, lanes 17 … 24, degree 2): step_23·(next.preimage − output);
 *     absorb_preimage_bit_s_k, absorb_block_bit_s_k (96, degree 2): b·(b − 1);
 *     absorb_block_s (3, degree 1): periodic.block_s = Σ_k 2^k·block_bit_k: the message binding, one
 *       limb per slot and row (a slot with no message limb, or a padding permutation, gets 0);
 *     absorb_preimage_s (3, degree 2): Σ_r step_r·preimage[3r + s] = Σ_k 2^k·preimage_bit_k;
 *     absorb_xor_s (3, degree 2): Σ_r step_r·prev_out[3r + s] = Σ_k 2^k·(preimage_bit_k ⊕ block_bit_k),
 *       so the preimage limb is prev_out ⊕ block (the sums run over the rounds r with 3r + s < 68; on
 *       a slot with no limb they force the bits to 0).
 *   Boundaries (140, on two rows, whatever the message length): step_r on row 0 (24); row 0:
 *     prev_out = 0 (68) and the capacity preimage limbs = 0 (32), so the first permutation absorbs
 *     its block into the zero state; the digest: the output limbs of lanes 0 … 3 on row
 *     24·blocks − 1 (16). The message is bound by the periodic columns, not by boundaries.
 *   Padding and the last row: after the last block the sponge goes on absorbing zero blocks (block_s
 *     = 0 there, every transition holds, nothing else binds those rows), the partial slot at the end
 *     included. The public inputs require 24·blocks < n, so the last message row and the digest row
 *     (24·blocks − 1) are at most n − 2, where every transition holds on their own cells. Row n − 1,
 *     whose own cells no transition checks (transitions run on rows 0 … n−2), is always a padding row
 *     after the digest: n is a power of two, never 24·blocks, so it lies in the zero-block
 *     permutations after the last block, and nothing there matters.
 *   Public inputs: steps = n; message (lowercase hex, any length); digest (64 lowercase hex digits).
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ u32 LE message length ‖ message ‖
 *     digest (32 bytes).
 *   Shared: KECCAK_CHAIN_V1 (./keccak-chain.ts) is this AIR over several messages, the sponge
 *     restarted between them but for the digest; keccakSpongeAir and keccakSpongeTrace serve both,
 *     and without restarts they are exactly this AIR and its trace.
 *   Sample (keccak256Sample, the registry's): floor(2^logN / 24) blocks of a message of
 *     136·blocks − 1 bytes (so its padding, 0x01 ^ 0x80 = 0x81, is its last block's last byte and
 *     needs no block more), the bytes SHAKE128("capseal keccak_256_v1 sample") (FIPS 202; @noble/hashes
 *     shake128 with dkLen); logN ≥ 5 (one permutation).
 *
 * @module
 */
import { shake128 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { Air } from '../stark/air.js';
import { defineAir } from '../stark/define.js';
import { add, eq, mul, sub, sum, type Expr } from '../stark/expr.js';
import {
  firstRowSteps, isBit, KECCAK_F_COLUMNS, KECCAK_F_WIDTH, keccakLogN, LANES, LIMB_BITS, LIMBS, limbOf, outputColumn, preimageColumn, put, putLimbs,
  ROUNDS, roundTransitions, stepColumn, writePermutation, xor, zeroTrace,
} from './keccak.js';
import { checkLogN, Hex32Schema, HexBytesSchema, parseInput, publicInputBytes, range, StepsSchema } from './public-inputs.js';

export const KECCAK_256_AIR_ID = 'keccak_256_v1';
/** Rate: 136 bytes, 17 lanes, 68 limbs. */
export const RATE_BYTES = 136;
const RATE_LANES = 17, RATE_LIMBS = RATE_LANES * LIMBS, SLOTS = 3;
/** The digest: lanes 0 … 3, 16 limbs. */
const DIGEST_LIMBS = 16;


const PREV_OUT = KECCAK_F_WIDTH;
const PREIMAGE_BIT = PREV_OUT + RATE_LIMBS;
const BLOCK_BIT = PREIMAGE_BIT + LIMB_BITS * SLOTS;
export const KECCAK_256_WIDTH = BLOCK_BIT + LIMB_BITS * SLOTS;

const slotBits = (prefix: string): string[] => range(SLOTS).flatMap((s) => range(LIMB_BITS).map((k) => `${prefix}_${s}_${k}`));

export const KECCAK_256_COLUMNS: readonly string[] = [
  ...KECCAK_F_COLUMNS,
  ...range(RATE_LIMBS).map((j) => `prev_out_${j >> 2}_${j & 3}`),
  ...slotBits('absorb_preimage_bit'),
  ...slotBits('absorb_block_bit'),
];

/** The periodic columns' names, slot by slot. */
const BLOCK_PERIODIC = ['block_0', 'block_1', 'block_2'] as const;

/** The round on which rate limb j is absorbed, and its slot. */
const slotOf = (j: number) => ({ round: Math.floor(j / SLOTS), slot: j % SLOTS });

/** The message padded (0x01, zeros, 0x80) to whole blocks. */
export function keccak256Pad(message: Uint8Array): Uint8Array {
  const out = new Uint8Array((Math.floor(message.length / RATE_BYTES) + 1) * RATE_BYTES);
  out.set(message);
  out[message.length]! ^= 0x01;
  out[out.length - 1]! ^= 0x80;
  return out;
}

/** Rate limb j (lane j/4, limb j mod 4) of block k: two bytes little-endian. */
const blockLimb = (blocks: Uint8Array, k: number, j: number): number => {
  const at = RATE_BYTES * k + 2 * j;
  return blocks[at]! | (blocks[at + 1]! << 8);
};

/**
 * The periodic columns block_0, block_1, block_2 (module comment) over n rows: on row 24k + r, slot
 * s's value is limb 3r + s of padded block k (0 where 3r + s ≥ 68 or no block k).
 */
export function keccak256BlockColumns(blocks: Uint8Array, n: number): BigUint64Array[] {
  const count = blocks.length / RATE_BYTES;
  if (!Number.isInteger(count) || ROUNDS * count >= n) throw new RangeError(`keccak256BlockColumns: ${blocks.length} bytes are not whole blocks that fit ${n} rows`);
  const columns = range(SLOTS).map(() => new BigUint64Array(n));
  for (let k = 0; k < count; k++)
    for (let j = 0; j < RATE_LIMBS; j++) {
      const { round, slot } = slotOf(j);
      columns[slot]![ROUNDS * k + round] = BigInt(blockLimb(blocks, k, j));
    }
  return columns;
}

export const Keccak256PublicInputsSchema = z
  .strictObject({ steps: StepsSchema, message: HexBytesSchema, digest: Hex32Schema })
  .refine((pi) => ROUNDS * (Math.floor(pi.message.length / 2 / RATE_BYTES) + 1) < pi.steps, {
    error: 'the message has more blocks than the trace holds (24 rows each, fewer than steps)', path: ['message'],
  });
export type Keccak256PublicInputs = z.output<typeof Keccak256PublicInputsSchema>;

const parse = (publicInputs: unknown): Keccak256PublicInputs =>
  parseInput(Keccak256PublicInputsSchema, publicInputs, `${KECCAK_256_AIR_ID} public inputs`);

export function keccak256Air(publicInputs: unknown): Air {
  const pi = parse(publicInputs);
  return keccakSpongeAir(KECCAK_256_AIR_ID, pi.steps, keccak256Pad(hexToBytes(pi.message)), hexToBytes(pi.digest));
}

/**
 * The sponge's AIR (module comment) over `blocks` (whole padded blocks, fewer than steps/24) in
 * `steps` rows, `digest` pinned on the last block's round-23 row. Without `restarts` it is
 * KECCAK_256_V1's; with them (KECCAK_CHAIN_V1, ./keccak-chain.ts) a fourth periodic column, reset,
 * is 1 on the round-23 row of each permutation k in `restarts`, and there the sponge restarts
 * keeping only output lanes 0 … 3: prev_out lanes 4 … 16 and the capacity preimage become 0.
 */
export function keccakSpongeAir(id: string, steps: number, blocks: Uint8Array, digest: Uint8Array, restarts?: readonly number[]): Air {
  const count = blocks.length / RATE_BYTES;
  const pins: Record<string, { column: string; row: number; value: bigint }> = firstRowSteps();
  const name = (col: number) => KECCAK_256_COLUMNS[col]!;
  for (let j = 0; j < RATE_LIMBS; j++) pins[`zero_prev_out_${j >> 2}_${j & 3}`] = { column: name(PREV_OUT + j), row: 0, value: 0n };
  for (let i = RATE_LANES; i < LANES; i++)
    for (let l = 0; l < LIMBS; l++) pins[`zero_capacity_${i}_${l}`] = { column: name(preimageColumn(i, l)), row: 0, value: 0n };
  for (let i = 0; i < 4; i++)
    for (let l = 0; l < LIMBS; l++)
      pins[`digest_${i}_${l}`] = { column: name(outputColumn(i, l)), row: ROUNDS * count - 1, value: BigInt(digest[8 * i + 2 * l]! | (digest[8 * i + 2 * l + 1]! << 8)) };
  const blockColumns = keccak256BlockColumns(blocks, steps);
  const periodic: Record<string, BigUint64Array> = Object.fromEntries(BLOCK_PERIODIC.map((p, s) => [p, blockColumns[s]!]));
  if (restarts !== undefined) {
    const reset = new BigUint64Array(steps);
    for (const k of restarts) {
      if (!Number.isInteger(k) || k < 0 || k >= count - 1) throw new RangeError(`keccakSpongeAir: restart after permutation ${k} is not before the last block (${count})`);
      reset[ROUNDS * k + ROUNDS - 1] = 1n;
    }
    periodic.reset = reset;
  }
  return defineAir<string, string>({
    id,
    logN: Math.log2(steps),
    columns: KECCAK_256_COLUMNS,
    periodic,
    transitions: ({ cur: curRow, next: nextRow, periodic: p }) => {
      const cur = (col: number): Expr => curRow[name(col)]!;
      const next = (col: number): Expr => nextRow[name(col)]!;
      // On a reset row (a round-23 row, where the carries take the output) +reset·output cancels the output taken.
      const restart = (e: Expr, output: Expr): Expr => (p.reset === undefined ? e : add(e, mul(p.reset, output)));
      const t = roundTransitions(curRow, nextRow);
      const last = cur(stepColumn(ROUNDS - 1));
      for (let j = 0; j < RATE_LIMBS; j++) {
        const prev = PREV_OUT + j, output = cur(outputColumn(j >> 2, j & 3));
        const carry = sub(sub(next(prev), cur(prev)), mul(last, sub(output, cur(prev))));
        // Lanes 0 … 3 carry the digest into the next message.
        t[`carry_rate_${j >> 2}_${j & 3}`] = j < DIGEST_LIMBS ? carry : restart(carry, output);
      }
      for (let i = RATE_LANES; i < LANES; i++)
        for (let l = 0; l < LIMBS; l++) t[`carry_capacity_${i}_${l}`] = restart(mul(last, sub(next(preimageColumn(i, l)), cur(outputColumn(i, l)))), cur(outputColumn(i, l)));
      for (const [prefix, base] of [['absorb_preimage_bit', PREIMAGE_BIT], ['absorb_block_bit', BLOCK_BIT]] as const)
        for (let s = 0; s < SLOTS; s++) for (let k = 0; k < LIMB_BITS; k++) t[`${prefix}_${s}_${k}`] = isBit(cur(base + LIMB_BITS * s + k));
      for (let s = 0; s < SLOTS; s++) {
        const preimageBit = (k: number) => cur(PREIMAGE_BIT + LIMB_BITS * s + k), blockBit = (k: number) => cur(BLOCK_BIT + LIMB_BITS * s + k);
        // The rate limb this row's slot s checks, selected by the round flags (degree 2).
        const selected = (column: (j: number) => number) =>
          sum(...range(RATE_LIMBS).filter((j) => slotOf(j).slot === s).map((j) => mul(cur(stepColumn(slotOf(j).round)), cur(column(j)))));
        // The message binding: the block limb this slot carries on this row, known to the verifier.
        t[`absorb_block_${s}`] = eq(p[BLOCK_PERIODIC[s]!]!, limbOf(blockBit, 0));
        t[`absorb_preimage_${s}`] = eq(selected((j) => preimageColumn(j >> 2, j & 3)), limbOf(preimageBit, 0));
        t[`absorb_xor_${s}`] = eq(selected((j) => PREV_OUT + j), limbOf((k) => xor(preimageBit(k), blockBit(k)), 0));
      }
      return t;
    },
    boundaries: pins,
  });
}

/** The limb j (lane j/4, limb j mod 4) of lanes held as u32 halves. */
const halvesLimb = (h: Uint32Array, j: number): number => (h[2 * (j >> 2) + ((j >> 1) & 1)]! >>> (LIMB_BITS * (j & 1))) & 0xffff;

/**
 * The sponge's trace for `message` over 2^logN rows (default: the fewest that hold its blocks), its
 * digest (Keccak-256) and the public inputs binding both.
 */
export function keccak256Trace(message: Uint8Array, logN?: number): { trace: BigUint64Array[]; digest: Uint8Array; publicInputs: Keccak256PublicInputs } {
  const blocks = keccak256Pad(message), count = blocks.length / RATE_BYTES;
  const rows = logN ?? keccakLogN(count);
  checkLogN('keccak256Trace', rows);
  const n = 2 ** rows;
  if (ROUNDS * count >= n) throw new RangeError(`keccak256Trace: ${count} blocks do not fit 2^${rows} rows`);
  const { trace, digests } = keccakSpongeTrace(blocks, n);
  const digest = digests[count - 1]!;
  return { trace, digest, publicInputs: { steps: n, message: bytesToHex(message), digest: bytesToHex(digest) } };
}

/**
 * The trace of keccakSpongeAir over n rows (24·blocks < n): `blocks` (whole padded blocks) absorbed
 * one permutation each, then zero blocks to the end; after each permutation k in `restarts` the
 * state keeps only lanes 0 … 3. Returns it with `digests`: output lanes 0 … 3 (32 bytes) of each
 * block's permutation.
 */
export function keccakSpongeTrace(blocks: Uint8Array, n: number, restarts: readonly number[] = []): { trace: BigUint64Array[]; digests: Uint8Array[] } {
  const count = blocks.length / RATE_BYTES, restart = new Set(restarts);
  const { trace, words } = zeroTrace(KECCAK_256_WIDTH, n);
  const view = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength);
  const digests: Uint8Array[] = [];
  let state: Uint32Array = new Uint32Array(2 * LANES);
  for (let first = 0, k = 0; first < n; first += ROUNDS, k++) {
    const input = state.slice();
    if (k < count) for (let h = 0; h < 2 * RATE_LANES; h++) input[h]! ^= view.getUint32(RATE_BYTES * k + 4 * h, true);
    const written = Math.min(ROUNDS, n - first);
    const output = writePermutation(words, first, input, written);
    for (let round = 0; round < written; round++) {
      const row = first + round;
      for (let i = 0; i < RATE_LANES; i++) putLimbs(words, PREV_OUT + LIMBS * i, row, state[2 * i]!, state[2 * i + 1]!);
      for (let s = 0; s < SLOTS; s++) {
        const j = SLOTS * round + s;
        if (j >= RATE_LIMBS) continue;
        const p = halvesLimb(input, j), m = k < count ? blockLimb(blocks, k, j) : 0;
        for (let b = 0; b < LIMB_BITS; b++) {
          put(words, PREIMAGE_BIT + LIMB_BITS * s + b, row, (p >>> b) & 1);
          put(words, BLOCK_BIT + LIMB_BITS * s + b, row, (m >>> b) & 1);
        }
      }
    }
    if (k < count) {
      const digest = new Uint8Array(32), out = new DataView(digest.buffer);
      for (let h = 0; h < 8; h++) out.setUint32(4 * h, output[h]!, true);
      digests.push(digest);
    }
    // Lanes 0 … 3 are halves 0 … 7.
    if (restart.has(k)) output.fill(0, 8);
    state = output;
  }
  return { trace, digests };
}

export function encodeKeccak256PublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  const message = hexToBytes(pi.message);
  const tail = new Uint8Array(4 + message.length + 32);
  new DataView(tail.buffer).setUint32(0, message.length, true);
  tail.set(message, 4);
  tail.set(hexToBytes(pi.digest), 4 + message.length);
  return publicInputBytes(KECCAK_256_AIR_ID, pi.steps, [], tail);
}

/** The smallest logN the sample takes: one permutation (24 rows) and the row after it need 2^5 rows. */
export const KECCAK_256_SAMPLE_MIN_LOG_N = 5;
/** The seed of the sample's bytes: SHAKE128 of this string (module comment). */
export const KECCAK_256_SAMPLE_SEED = 'capseal keccak_256_v1 sample';

/**
 * The registry's sample of 2^logN rows: a message of floor(2^logN / 24) whole blocks, its padding
 * inside the last (136·blocks − 1 bytes), its bytes SHAKE128(KECCAK_256_SAMPLE_SEED); deterministic.
 * Throws a RangeError for logN below 5 (no room for one permutation) or above MAX_LOG_N.
 */
export function keccak256Sample(logN: number): { trace: BigUint64Array[]; digest: Uint8Array; publicInputs: Keccak256PublicInputs } {
  if (typeof logN === 'number' && Number.isInteger(logN) && logN < KECCAK_256_SAMPLE_MIN_LOG_N)
    throw new RangeError(`keccak256Sample: logN ${logN} is below ${KECCAK_256_SAMPLE_MIN_LOG_N}: one Keccak-f permutation takes 24 rows, so a ${KECCAK_256_AIR_ID} trace needs 2^${KECCAK_256_SAMPLE_MIN_LOG_N} rows at least`);
  checkLogN('keccak256Sample', logN);
  const blocks = Math.floor(2 ** logN / ROUNDS);
  const message = shake128(new TextEncoder().encode(KECCAK_256_SAMPLE_SEED), { dkLen: RATE_BYTES * blocks - 1 });
  return keccak256Trace(message, logN);
}
