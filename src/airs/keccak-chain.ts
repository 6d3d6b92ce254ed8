/**
 * KECCAK_CHAIN_V1: a chain of Keccak-256 hashes (Ethereum's keccak256, exactly as KECCAK_256_V1,
 * ./keccak-256.ts), each digest the head of the next message, as an AIR: the benchmark workload
 * keccak_stream_v1 ("Keccak-256 streaming: keccak256(buffer) repeated R times with a chaining rule").
 * The chaining is proved inside the trace: the verifier never computes Keccak, it only expands
 * SHAKE128(seed) into the periodic columns.
 *   The chain: bodies = SHAKE128(seed) (FIPS 202; @noble/hashes shake128, dkLen R·(B − 32)), body_r
 *     its bytes [r(B − 32), (r + 1)(B − 32)); d_{−1} = 32 zero bytes; message_r = d_{r−1} ‖ body_r
 *     (B bytes); d_r = Keccak-256(message_r), r = 0 … R − 1. The public digest is d_{R−1}; R·B bytes
 *     are hashed.
 *   Layout: KECCAK_256_V1's columns (2,796: KECCAK_CHAIN_COLUMNS is KECCAK_256_COLUMNS), round and
 *     absorption transitions and trace writer (keccakSpongeAir, keccakSpongeTrace). Each message is
 *     P = floor(B/136) + 1 padded blocks (0x01 … 0x80 as keccak_256_v1's, inside the message's own
 *     last block), the messages one after another, each on fresh permutations: message r on
 *     permutations rP … rP + P − 1, permutation k on rows 24k … 24k + 23.
 *   Periodic columns (4, each of length n, built from seed, R and B alone):
 *     block_0, block_1, block_2: KECCAK_256_V1's over the R messages' padded blocks one after
 *       another, except that the first 32 bytes of each message (limbs 0 … 15 = lanes 0 … 3 of its
 *       first block, the previous digest) are 0 there: the digest enters through prev_out instead;
 *     reset: 1 on the round-23 row of the last permutation of messages 0 … R − 2 (rows
 *       24(r + 1)P − 1), 0 elsewhere.
 *   Transitions (3,361, degree ≤ 3): KECCAK_256_V1's, two kinds of them extended by reset (still
 *     degree 2): carry_rate_i_l for lanes i = 4 … 16: next.prev_out − cur.prev_out −
 *     step_23·(output − cur.prev_out) + reset·output; carry_capacity_i_l: step_23·(next.preimage −
 *     output) + reset·output. reset is 1 only on round-23 rows, where step_23 = 1, so there they
 *     read next.prev_out = 0 and next.preimage = 0: the sponge restarts from the zero state, except
 *     that prev_out of lanes 0 … 3 (carry_rate_0 … 3 unchanged) takes output lanes 0 … 3, the digest.
 *     Where reset is 0 they are KECCAK_256_V1's.
 *   Boundaries (140, on two rows, whatever R and B): KECCAK_256_V1's: step_r (24), prev_out = 0 (68)
 *     and the capacity preimage = 0 (32) on row 0; the digest d_{R−1}: the output limbs of lanes
 *     0 … 3 (16) on row 24RP − 1. No intermediate digest is public.
 *   Soundness: a trace that satisfies this AIR has d_{R−1} of the seed's chain on its digest row.
 *     - Round flags: step_r on row 0 and step_shift make them one-hot with period 24 on every row, so
 *       the round-23 rows are exactly rows 24k + 23, and reset, which the verifier builds, is 1 only
 *       on some of them.
 *     - Permutations k < RP lie on rows ≤ 24RP − 1 ≤ n − 2 (the public inputs require 24RP < n), so
 *       every transition holds on their cells and between their rows: the preimage is held, the
 *       output on round 23 is Keccak-f(preimage) (KECCAK_F_V1), prev_out is held (carry_rate with
 *       step_23 = reset = 0), and the preimage's rate limbs are prev_out ⊕ the block limbs the
 *       periodic columns hold (absorb_*); every limb is 16 bits.
 *     - From permutation k to k + 1 (row 24k + 23, step_23 = 1): where reset is 0, next.prev_out is
 *       the rate of the output and the next capacity preimage is its capacity: the sponge goes on,
 *       absorbing the next block into the output. Where reset is 1 (k = (r + 1)P − 1, r ≤ R − 2),
 *       next.prev_out is output lanes 0 … 3 (d_r) and 0 on lanes 4 … 16, the capacity preimage 0.
 *       The periodic block is 0 on lanes 0 … 3 of message r + 1's first block, so absorb_block forces
 *       those block bits to 0 and absorb_xor makes the preimage limbs there the carried digest limbs:
 *       the preimage is d_r ‖ body and padding bytes ‖ zero capacity, the zero state absorbing the
 *       first block of d_r ‖ body_{r+1}. Nothing else feeds a preimage, so a later message's head can
 *       only be the previous digest: a trace of unchained hashes breaks carry_rate on a reset row.
 *     - Row 0: prev_out = 0 and capacity 0, so message 0's first permutation absorbs its first block
 *       (lanes 0 … 3 zero, d_{−1}) into the zero state.
 *     By induction over the permutations, output lanes 0 … 3 of message r's last permutation are d_r
 *     (Keccak-256's digest is the first 256 bits of the state after the last block: one squeeze,
 *     256 ≤ 1,088 bits), and d_{R−1} there is pinned to the public digest.
 *     - After the last message (permutations ≥ RP and the partial one at the end): reset and block_s
 *       are 0 there, so the sponge goes on absorbing zero blocks; every transition holds, no boundary
 *       binds those rows and nothing reads them back (the digest row comes before them). Row n − 1,
 *       whose own cells no transition checks, is always among them: n is a power of two, never a
 *       multiple of 24, so 24RP ≤ n − 1.
 *   Public inputs: steps = n; seed (64 lowercase hex digits, 32 bytes); rounds R (1 … 64);
 *     message_bytes B (≥ 32); digest (64 lowercase hex digits); 24·R·(floor(B/136) + 1) < steps.
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ seed (32 bytes) ‖ u32 LE rounds ‖
 *     u64 LE message_bytes ‖ digest (32 bytes).
 *   Sample (keccakChainSample): R = 4 and B = 136·floor(floor((2^logN − 1)/24)/4) − 1 (each message
 *     whole blocks, its padding, 0x81, the last block's last byte; the four fill the trace's
 *     floor((n − 1)/24) permutations as far as a multiple of 4 goes), seed = SHA-256("capseal
 *     keccak_chain_v1 sample"); logN ≥ 7 (one block a message).
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256, shake128 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { Air } from '../stark/air.js';
import { ROUNDS } from './keccak.js';
import { KECCAK_256_COLUMNS, keccak256Pad, keccakSpongeAir, keccakSpongeTrace, RATE_BYTES } from './keccak-256.js';
import { checkLogN, Hex32Schema, parseInput, publicInputBytes, StepsSchema } from './public-inputs.js';

export const KECCAK_CHAIN_AIR_ID = 'keccak_chain_v1';
/** KECCAK_256_V1's columns: the chain needs no column more, only a periodic one (module comment). */
export const KECCAK_CHAIN_COLUMNS: readonly string[] = KECCAK_256_COLUMNS;
export const KECCAK_CHAIN_MAX_ROUNDS = 64;
/** A digest, and the head of every message. */
const DIGEST_BYTES = 32;

/** Padded blocks of a B-byte message. */
const blocksOf = (messageBytes: number): number => Math.floor(messageBytes / RATE_BYTES) + 1;

const statement = {
  steps: StepsSchema,
  seed: Hex32Schema,
  rounds: z.number().int().min(1).max(KECCAK_CHAIN_MAX_ROUNDS),
  message_bytes: z.number().int().min(DIGEST_BYTES),
};
const fits = (pi: { steps: number; rounds: number; message_bytes: number }): boolean => ROUNDS * pi.rounds * blocksOf(pi.message_bytes) < pi.steps;
const TOO_MANY_BLOCKS = {
  error: 'rounds·(floor(message_bytes / 136) + 1) blocks take more than the trace holds (24 rows each, fewer than steps)', path: ['message_bytes'],
};

export const KeccakChainPublicInputsSchema = z.strictObject({ ...statement, digest: Hex32Schema }).refine(fits, TOO_MANY_BLOCKS);
export type KeccakChainPublicInputs = z.output<typeof KeccakChainPublicInputsSchema>;
/** keccakChainTrace's input: the public inputs but the digest, which the trace computes. */
export const KeccakChainInputSchema = z.strictObject(statement).refine(fits, TOO_MANY_BLOCKS);

const parse = (publicInputs: unknown): KeccakChainPublicInputs =>
  parseInput(KeccakChainPublicInputsSchema, publicInputs, `${KECCAK_CHAIN_AIR_ID} public inputs`);

/** The bodies of all rounds: SHAKE128(seed), R·(B − 32) bytes. */
const bodies = (seed: Uint8Array, rounds: number, messageBytes: number): Uint8Array =>
  shake128(seed, { dkLen: rounds * (messageBytes - DIGEST_BYTES) });

/**
 * What the periodic block columns hold (module comment): the messages' padded blocks one after
 * another, each message's head (the previous digest) left 0; with the permutations after which the
 * sponge restarts (each message's last but the last message's).
 */
function chainBlocks(seed: Uint8Array, rounds: number, messageBytes: number): { blocks: Uint8Array; restarts: number[] } {
  const body = bodies(seed, rounds, messageBytes), per = blocksOf(messageBytes), bodyBytes = messageBytes - DIGEST_BYTES;
  const blocks = new Uint8Array(rounds * per * RATE_BYTES), message = new Uint8Array(messageBytes);
  for (let r = 0; r < rounds; r++) {
    message.set(body.subarray(r * bodyBytes, (r + 1) * bodyBytes), DIGEST_BYTES);
    blocks.set(keccak256Pad(message), r * per * RATE_BYTES);
  }
  return { blocks, restarts: Array.from({ length: rounds - 1 }, (_, r) => (r + 1) * per - 1) };
}

export function keccakChainAir(publicInputs: unknown): Air {
  const pi = parse(publicInputs);
  const { blocks, restarts } = chainBlocks(hexToBytes(pi.seed), pi.rounds, pi.message_bytes);
  return keccakSpongeAir(KECCAK_CHAIN_AIR_ID, pi.steps, blocks, hexToBytes(pi.digest), restarts);
}

/**
 * The chain (module comment) computed natively with @noble/hashes keccak_256: every round's message
 * (d_{r−1} ‖ body_r) and digest d_r. Throws a RangeError unless seed is 32 bytes, rounds an integer
 * in [1, 64] and messageBytes a safe integer ≥ 32.
 */
export function keccakChain(seed: Uint8Array, rounds: number, messageBytes: number): { messages: Uint8Array[]; digests: Uint8Array[] } {
  if (!(seed instanceof Uint8Array) || seed.length !== DIGEST_BYTES) throw new RangeError(`keccakChain: the seed must be ${DIGEST_BYTES} bytes`);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > KECCAK_CHAIN_MAX_ROUNDS) throw new RangeError(`keccakChain: rounds ${rounds} is not an integer in [1, ${KECCAK_CHAIN_MAX_ROUNDS}]`);
  if (!Number.isSafeInteger(messageBytes) || messageBytes < DIGEST_BYTES) throw new RangeError(`keccakChain: message_bytes ${messageBytes} is not an integer ≥ ${DIGEST_BYTES}`);
  const body = bodies(seed, rounds, messageBytes), bodyBytes = messageBytes - DIGEST_BYTES;
  const messages: Uint8Array[] = [], digests: Uint8Array[] = [];
  let digest = new Uint8Array(DIGEST_BYTES);
  for (let r = 0; r < rounds; r++) {
    const message = new Uint8Array(messageBytes);
    message.set(digest);
    message.set(body.subarray(r * bodyBytes, (r + 1) * bodyBytes), DIGEST_BYTES);
    digest = keccak_256(message);
    messages.push(message);
    digests.push(digest);
  }
  return { messages, digests };
}

/**
 * The chain's trace over `steps` rows and its public inputs, the digest d_{R−1} read off the trace's
 * digest row (its sponge, not noble's). Throws a RangeError on invalid input (the public inputs'
 * rules, without the digest).
 */
export function keccakChainTrace(input: { steps: number; seed: string; rounds: number; message_bytes: number }): { trace: BigUint64Array[]; publicInputs: KeccakChainPublicInputs } {
  const { steps, seed, rounds, message_bytes } = parseInput(KeccakChainInputSchema, input, `${KECCAK_CHAIN_AIR_ID} trace input`);
  const { blocks, restarts } = chainBlocks(hexToBytes(seed), rounds, message_bytes);
  const { trace, digests } = keccakSpongeTrace(blocks, steps, restarts);
  return { trace, publicInputs: { steps, seed, rounds, message_bytes, digest: bytesToHex(digests[digests.length - 1]!) } };
}

export function encodeKeccakChainPublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  const tail = new Uint8Array(DIGEST_BYTES + 4 + 8 + DIGEST_BYTES);
  const view = new DataView(tail.buffer);
  tail.set(hexToBytes(pi.seed), 0);
  view.setUint32(DIGEST_BYTES, pi.rounds, true);
  view.setBigUint64(DIGEST_BYTES + 4, BigInt(pi.message_bytes), true);
  tail.set(hexToBytes(pi.digest), DIGEST_BYTES + 12);
  return publicInputBytes(KECCAK_CHAIN_AIR_ID, pi.steps, [], tail);
}

/** The smallest logN whose sample has a block a message: 4 permutations and the last row need 2^7 rows. */
export const KECCAK_CHAIN_MIN_LOG_N = 7;
/** The sample's seed is SHA-256 of this string. */
export const KECCAK_CHAIN_SAMPLE_SEED = 'capseal keccak_chain_v1 sample';
const SAMPLE_ROUNDS = 4;

/**
 * The sample of 2^logN rows (module comment): 4 rounds of 136·floor(floor((2^logN − 1)/24)/4) − 1
 * bytes, seed SHA-256(KECCAK_CHAIN_SAMPLE_SEED); deterministic. Throws a RangeError for logN below 7
 * or above MAX_LOG_N.
 */
export function keccakChainSample(logN: number): { trace: BigUint64Array[]; publicInputs: KeccakChainPublicInputs } {
  if (typeof logN === 'number' && Number.isInteger(logN) && logN < KECCAK_CHAIN_MIN_LOG_N)
    throw new RangeError(`keccakChainSample: logN ${logN} is below ${KECCAK_CHAIN_MIN_LOG_N}: ${SAMPLE_ROUNDS} messages of a Keccak-f permutation (24 rows) each need 2^${KECCAK_CHAIN_MIN_LOG_N} rows at least`);
  checkLogN('keccakChainSample', logN);
  const steps = 2 ** logN;
  const seed = bytesToHex(sha256(new TextEncoder().encode(KECCAK_CHAIN_SAMPLE_SEED)));
  return keccakChainTrace({ steps, seed, rounds: SAMPLE_ROUNDS, message_bytes: keccakChainMessageBytes(steps, SAMPLE_ROUNDS) });
}

/**
 * The longest message of whole blocks (its padding, 0x81, the last block's last byte) that `rounds`
 * rounds fit in a trace of `steps` rows: each round a quarter (for 4) of its ⌊(steps − 1)/24⌋
 * permutations. The sample's and the keccak_stream_v1 workload's size.
 */
export const keccakChainMessageBytes = (steps: number, rounds: number): number => RATE_BYTES * Math.floor(Math.floor((steps - 1) / ROUNDS) / rounds) - 1;
