/**
 * KECCAK_MERKLE_V1: a Keccak-256 Merkle tree over 2^k generated leaves and Q openings of it, tied
 * together by a LogUp bus on the auxiliary segment (../stark/lookup.ts); the AIR behind the
 * benchmark workload merkle_build_open_v1. It shows root = the tree's root and accumulator = a fold
 * of every opened node.
 *   Statement: leaf i (i < 2^k) is keccak256(seed ‖ u64 LE i), a 40-byte message; with heap ids (the
 *     root is node 1, node v has children 2v and 2v + 1, leaf i is node 2^k + i), node v < 2^k is
 *     keccak256(digest(2v) ‖ digest(2v + 1)), 64 bytes. Keccak-256 is Ethereum's (padding 0x01 … 0x80,
 *     rate 136 bytes), so every node is one block: one Keccak-f of the padded block in the rate lanes
 *     and a zero capacity, its digest lanes 0 … 3 of the output. An opening of leaf j is, for each
 *     level ℓ = 0 … k−1, the path node v_ℓ = (2^k + j) >> ℓ and its sibling v_ℓ ^ 1, with their
 *     digests (not the root: it is public).
 *   Digest words: a digest (32 bytes) as 6 field elements, bytes 6m … 6m + 5 little-endian (m = 0 … 4,
 *     48 bits: limbs 3m … 3m + 2) and bytes 30, 31 (limb 15). Where the digest comes from 16-bit limbs
 *     (Keccak-f's output or preimage) the words are below 2^48 < p, so they name the digest uniquely.
 *     The bus carries words, not 16 limbs: an opening row holds 6 columns a digest instead of 16, its
 *     accumulator step folds 14 elements instead of 34, and each interaction's compression takes 7
 *     Horner steps in γ instead of 17.
 *   Accumulator: the opening stream — for each opening in order, for each level ℓ = 0 … k−1: v_ℓ,
 *     the 6 words of its digest, v_ℓ ^ 1, the 6 words of its digest (14 elements a level) — read by
 *     Horner at K = KECCAK_MERKLE_ACCUMULATOR_BASE (⌊2^64/φ⌋): acc = 0, then acc = acc·K + e for each
 *     element e, over Goldilocks. A checksum, not a commitment: the AIR fixes the stream exactly, so
 *     the fold need not resist collisions.
 *   Columns (2,653): KECCAK_F_V1's 2,632 (./keccak.ts; permutation p on rows 24p … 24p + 23), then
 *     id: the node permutation p computes, p + 1 (on all its rows): internal nodes 1 … 2^k − 1 first,
 *       then the leaves 2^k … 2^(k+1) − 1; later permutations are padding (the zero state's
 *       permutation, as keccak_f_v1 pads) and are received by no one;
 *     internal, active: 1 on the rows of nodes 1 … 2^k − 1 (resp. 1 … 2^(k+1) − 1), 0 after;
 *       leaf = active − internal;
 *     uses: on a node's round-23 row, how many times the bus receives it (its parent once, each opening
 *       row that reads it as path or sibling; the root 0); 0 elsewhere;
 *     open: 1 on the opening rows 0 … Q·k − 1 (row q·k + ℓ: opening q, level ℓ), 0 after;
 *     path_id, path_bit: v_ℓ and its parity (v_ℓ = 2·v_(ℓ+1) + path_bit; the sibling is v_ℓ + 1 −
 *       2·path_bit); top: 1 on an opening's last level (v_ℓ ∈ {2, 3}, parent the root), else 0;
 *     acc: the accumulator over the opening rows before this one (0 on row 0, final from Q·k on);
 *     path_word_m, sibling_word_m (6 each): the words of v_ℓ's and of its sibling's digests.
 *     Opening rows' columns are 0 from row Q·k on.
 *   Periodic column (1, of length M, the power of two ≥ Q·k): opening_leaf holds 2^k + j_q on row q·k
 *     and 0 elsewhere; the verifier builds it from the public openings. It binds Q indices with one
 *     polynomial (an inverse NTT of M, not of n); Q boundaries would put Q rows in the composition,
 *     each a pass and an inverse column over the LDE.
 *   Transitions (3,264 and the argument's 7; degree ≤ 3), on rows 0 … n−2: KECCAK_F_V1's 3,156, then
 *     id_step (1): next.id = id + step_23;
 *     internal_monotone, active_monotone, open_monotone (3, degree 2): next·(1 − cur) = 0. With the
 *       two boundaries each (1 on a last row, 0 on the row after), this fixes the column: a 1 forces
 *       every earlier row to 1, a 0 every later row to 0 (so it is Boolean and held within a
 *       permutation without constraints of its own);
 *     node_preimage_i_l (99, degree 2), the padded block on every row of a node's permutation:
 *       internal nodes: lanes 0 … 7 free (the children's digests, bound by the bus), lane 8 limb 0 = 1
 *       (byte 64 = 0x01), lane 16 limb 3 = 0x8000 (byte 135 = 0x80), every other limb 0 (capacity
 *       included); leaves: lanes 0 … 3 = the seed (constants), lane 5 limb 0 = 1 (byte 40), lane 16
 *       limb 3 = 0x8000, every other limb 0 but lane 4 = i, which leaf_index checks as limb 0 +
 *       2^16·limb 1 = id − 2^k. Preimage limbs are 16-bit (Keccak-f's theta recomposes them from bits
 *       on a permutation's first row, and preimage_hold keeps them), so that sum is below 2^32 < p and
 *       the equation one of integers: lane 4 is i exactly, with no range columns;
 *     path_bit (1, degree 2): b·(b − 1);
 *     top (1, degree 2): top·(path_id − path_bit − 2) = 0: top only where the parent would be 1;
 *     path_chain (1, degree 2): (1 − top)·(path_id − 2·next.path_id − path_bit) = 0: below the last
 *       level the next row holds the parent (honest rows from Q·k on are 0 and satisfy it);
 *     opening_entry (1, degree 3): open·opening_leaf·(path_id − opening_leaf) = 0: an opening's first
 *       row holds its leaf (opening_leaf ≠ 0 exactly there within the first M rows; open gates the
 *       repeats after M);
 *     accumulate (1, degree 2): next.acc = acc + open·(acc·(K^14 − 1) + Σ_t e_t·K^(13 − t)), e the 14
 *       elements of the row (path_id, path words, path_id + 1 − 2·path_bit, sibling words).
 *   Bus (bus 0, tuples of 7: a node id and its digest's words; batch 2, so 3 term columns and the
 *     running sum; multiplicities of degree ≤ 2 and tuples of degree 1 keep each chunk at degree 3):
 *     send (id, words of output lanes 0 … 3) with multiplicity step_23·uses: each permutation once, on
 *       its round-23 row;
 *     receive (2·id, words of preimage lanes 0 … 3) and (2·id + 1, words of preimage lanes 4 … 7), with
 *       multiplicity step_0·internal: each internal node its children, once;
 *     receive (path_id, path words) and (path_id + 1 − 2·path_bit, sibling words), with multiplicity
 *       open: each opening row its two nodes.
 *   Boundaries (50, on at most 8 rows): step_r on row 0 (24); id = 1 on row 0; internal = 1 on row
 *     24·(2^k − 1) − 1 and 0 on the next; active = 1 on row 24·(2^(k+1) − 1) − 1 and 0 on the next;
 *     open = 1 and top = 1 on row Q·k − 1, open = 0 on row Q·k; acc = 0 on row 0 and = accumulator on
 *     row Q·k; the root: node 1's output limbs of lanes 0 … 3 on row 23 (16).
 *   Soundness: (1) id_step and step_0 on row 0 give permutation p the id p + 1 on all its rows, so each
 *     id is sent by one permutation only, on its round-23 row (never row n − 1: n is a power of two,
 *     never ≡ 0 mod 24), and what it sends is the words of Keccak-f of its preimage. (2) The selectors
 *     are exact, so node_preimage fixes every leaf's block, and every internal node's but for its
 *     children's digests. (3) Every receive has a 0/1 multiplicity (step flags, internal and open are
 *     Boolean), so a tuple received c times, 0 < c < p, balances only against a send of that tuple:
 *     (v, X) received means X is the words of what permutation v − 1 computed. Internal node v
 *     receives 2v and 2v + 1 as the words of its preimage limbs, which name the digest uniquely, so by
 *     induction from the leaves up each active permutation computes its node's digest, and the root's
 *     is pinned. Only ids 2 … 2^(k+1) − 1 are received (by (4)), so the padding permutations' uses
 *     must be 0 (mod p) for the bus to balance. (4) Opening q: its first row holds 2^k + j (opening_entry).
 *     While path_chain holds, row q·k + ℓ holds v'_ℓ = (2^k + j − B)/2^ℓ over F_p, with B = Σ_(i<ℓ)
 *     b_i·2^i < 2^ℓ from the Boolean bits b_i. Where top ≠ 0, its constraint forces v'_ℓ = 2 + b_ℓ, so
 *     2^k + j − B = 2^ℓ·(2 + b_ℓ) as integers (both below 2^(k+1) < p): possible only for ℓ = k − 1,
 *     and then b_(k−1) = j >> (k − 1) and B = j mod 2^(k−1), every bit right. So below the last level
 *     top = 0 and the chain holds. On the last level top = 0 is impossible: path_chain would put
 *     (v'_(k−1) − b)/2 on the next row, the next opening's first row 2^k + j' (again an integer
 *     equation, with no solution), and row Q·k − 1 has top = 1 pinned; so the bits are right there
 *     too. Hence every opening row holds exactly (v_ℓ, v_ℓ ^ 1), their words are the tree's by (3),
 *     and acc, pinned at 0 and at Q·k, is the accumulator of exactly this stream. (top need not be
 *     Boolean: where it is neither 0 nor 1, path_chain holds all the same.)
 *   Public inputs: steps = n with 24·(2^(k+1) − 1) < n (so logN ≥ 7) and Q·k < n; seed, root: 64
 *     lowercase hex digits; depth k in [1, 20]; openings: 1 … 4,096 leaf indices in [0, 2^k);
 *     accumulator: a field element (decimal string).
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ seed (32) ‖ u32 LE depth ‖ u32 LE Q ‖
 *     Q × u32 LE index ‖ root (32) ‖ accumulator (8 bytes LE).
 *   Sample (keccakMerkleSample): the largest depth (at most 20) whose 2^(k+1) − 1 permutations fit
 *     (24·count < 2^logN), min(4,096, max(1, 2^(k−1))) openings, index q = the u32 LE first 4 bytes of
 *     SHA-256(seed ‖ u32 LE q) mod 2^k, seed = SHA-256("capseal keccak_merkle_v1 sample"); logN ≥ 7.
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import * as F from '../field/goldilocks.js';
import type { Air } from '../stark/air.js';
import { defineAir } from '../stark/define.js';
import { add, cur, eq, mul, share, sub, sum, type Expr } from '../stark/expr.js';
import { withInteractions, type Interaction } from '../stark/lookup.js';
import {
  firstRowSteps, isBit, KECCAK_F_COLUMNS, KECCAK_F_WIDTH, LANES, LIMBS, outputColumn, preimageColumn, put, ROUNDS, roundTransitions, stepColumn,
  writePermutation, zeroTrace,
} from './keccak.js';
import { checkLogN, FieldElementSchema, Hex32Schema, parseInput, publicInputBytes, range, StepsSchema } from './public-inputs.js';

export const KECCAK_MERKLE_AIR_ID = 'keccak_merkle_v1';
export const KECCAK_MERKLE_MAX_DEPTH = 20;
export const KECCAK_MERKLE_MAX_OPENINGS = 4096;
/** The accumulator's base K: ⌊2^64/φ⌋, below p. */
export const KECCAK_MERKLE_ACCUMULATOR_BASE = 0x9e3779b97f4a7c15n;
/** The smallest logN a tree fits: depth 1 takes 3 permutations, 72 rows and the row after. */
export const KECCAK_MERKLE_MIN_LOG_N = 7;
/** The seed of the sample: SHA-256 of this string. */
export const KECCAK_MERKLE_SAMPLE_SEED = 'capseal keccak_merkle_v1 sample';

const DIGEST_LIMBS = 16;
/** A digest as bus words: limbs 3m … 3m + 2 as one 48-bit word (m = 0 … 4), and limb 15. */
const DIGEST_WORDS = 6;
/** Elements a level adds to the opening stream: two ids and two digests' words. */
const LEVEL_ELEMENTS = 2 * (1 + DIGEST_WORDS);
const NODE_BUS = 0;
const K = KECCAK_MERKLE_ACCUMULATOR_BASE;


// ---------------------------------------------------------------- columns

const ID = KECCAK_F_WIDTH;
const INTERNAL = ID + 1;
const ACTIVE = ID + 2;
const USES = ID + 3;
const OPEN = ID + 4;
const PATH_ID = ID + 5;
const PATH_BIT = ID + 6;
const TOP = ID + 7;
const ACC = ID + 8;
const PATH_DIGEST = ID + 9;
const SIBLING_DIGEST = PATH_DIGEST + DIGEST_WORDS;
export const KECCAK_MERKLE_WIDTH = SIBLING_DIGEST + DIGEST_WORDS;

export const KECCAK_MERKLE_COLUMNS: readonly string[] = [
  ...KECCAK_F_COLUMNS,
  'id', 'internal', 'active', 'uses', 'open', 'path_id', 'path_bit', 'top', 'acc',
  ...range(DIGEST_WORDS).map((m) => `path_word_${m}`),
  ...range(DIGEST_WORDS).map((m) => `sibling_word_${m}`),
];

// ---------------------------------------------------------------- public inputs

const statementFields = {
  steps: StepsSchema,
  seed: Hex32Schema,
  depth: z.number().int('must be an integer').min(1, 'must be at least 1').max(KECCAK_MERKLE_MAX_DEPTH, `must be at most ${KECCAK_MERKLE_MAX_DEPTH}`),
  openings: z.array(z.number().int('must be an integer').min(0, 'must be a leaf index, not negative'))
    .min(1, 'must hold at least one leaf index').max(KECCAK_MERKLE_MAX_OPENINGS, `must hold at most ${KECCAK_MERKLE_MAX_OPENINGS} leaf indices`),
};

type Statement = { steps: number; depth: number; openings: number[] };

/** The checks that need several fields: indices below 2^depth, and room for the tree and the opening rows. */
function checkFit(s: Statement, ctx: z.RefinementCtx): void {
  const leaves = 2 ** s.depth;
  const bad = s.openings.findIndex((j) => j >= leaves);
  if (bad >= 0) ctx.addIssue({ code: 'custom', message: `index ${s.openings[bad]} is not a leaf of a depth-${s.depth} tree (below ${leaves})`, path: ['openings', bad] });
  if (ROUNDS * (2 * leaves - 1) >= s.steps)
    ctx.addIssue({ code: 'custom', message: `the tree's ${2 * leaves - 1} permutations do not fit the trace (24 rows each, fewer than steps)`, path: ['depth'] });
  if (s.openings.length * s.depth >= s.steps)
    ctx.addIssue({ code: 'custom', message: `${s.openings.length} openings of ${s.depth} rows each do not fit the trace (fewer than steps)`, path: ['openings'] });
}

/** keccakMerkleTrace's input: the public inputs but for the root and the accumulator it computes. */
export const KeccakMerkleStatementSchema = z.strictObject(statementFields).superRefine(checkFit);

export const KeccakMerklePublicInputsSchema = z
  .strictObject({ ...statementFields, root: Hex32Schema, accumulator: FieldElementSchema })
  .superRefine(checkFit);
export type KeccakMerklePublicInputs = z.output<typeof KeccakMerklePublicInputsSchema>;

const parse = (publicInputs: unknown): KeccakMerklePublicInputs =>
  parseInput(KeccakMerklePublicInputsSchema, publicInputs, `${KECCAK_MERKLE_AIR_ID} public inputs`);

// ---------------------------------------------------------------- the native reference

/** One level of an opening: the path node and its sibling, with their digests. */
export interface OpeningLevel {
  readonly id: number;
  readonly digest: Uint8Array;
  readonly sibling: number;
  readonly siblingDigest: Uint8Array;
}

export interface KeccakMerkleTree {
  readonly root: Uint8Array;
  readonly accumulator: bigint;
  /** Every node's digest by heap id: node v at bytes 32v … 32v + 31 (bytes 0 … 31 unused). */
  readonly nodes: Uint8Array;
  /** Per opening, its levels 0 … depth − 1. */
  readonly paths: readonly (readonly OpeningLevel[])[];
}

/** The 16 little-endian 16-bit limbs of a digest (bytes 2l, 2l + 1). */
const digestLimbs = (d: Uint8Array): number[] => range(DIGEST_LIMBS).map((l) => d[2 * l]! | (d[2 * l + 1]! << 8));

/** A digest's six words (module comment): bytes 6m … 6m + 5 little-endian for m < 5, then bytes 30, 31. */
const digestWords = (d: Uint8Array): number[] =>
  range(DIGEST_WORDS).map((m) => d.subarray(6 * m, 6 * m + 6).reduceRight((w, byte) => w * 256 + byte, 0));

/** The accumulator after one opening level (module comment): Horner over its 14 elements. */
function accumulate(acc: bigint, level: OpeningLevel): bigint {
  for (const e of [level.id, ...digestWords(level.digest), level.sibling, ...digestWords(level.siblingDigest)]) acc = F.add(F.mul(acc, K), BigInt(e));
  return acc;
}

/**
 * The tree over 2^depth leaves keccak256(seed ‖ u64 LE i), its root, the openings' paths and their
 * accumulator (module comment), computed directly with @noble/hashes' keccak_256.
 */
export function keccakMerkle(seed: Uint8Array, depth: number, openings: readonly number[]): KeccakMerkleTree {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new RangeError('keccakMerkle: the seed is 32 bytes');
  if (!Number.isInteger(depth) || depth < 1 || depth > KECCAK_MERKLE_MAX_DEPTH) throw new RangeError(`keccakMerkle: depth ${depth} is not an integer in [1, ${KECCAK_MERKLE_MAX_DEPTH}]`);
  const leaves = 2 ** depth;
  if (!openings.every((j) => Number.isInteger(j) && j >= 0 && j < leaves)) throw new RangeError(`keccakMerkle: an opening is not a leaf index in [0, ${leaves})`);
  const nodes = new Uint8Array(64 * leaves);
  const message = new Uint8Array(40);
  message.set(seed);
  const view = new DataView(message.buffer);
  for (let i = 0; i < leaves; i++) {
    view.setUint32(32, i, true);
    nodes.set(keccak_256(message), 32 * (leaves + i));
  }
  // Node v's children 2v and 2v + 1 lie side by side at bytes 64v … 64v + 63.
  for (let v = leaves - 1; v >= 1; v--) nodes.set(keccak_256(nodes.subarray(64 * v, 64 * v + 64)), 32 * v);
  const digest = (v: number) => nodes.slice(32 * v, 32 * v + 32);
  const paths = openings.map((j) => range(depth).map((l): OpeningLevel => {
    const id = (leaves + j) >> l;
    return { id, digest: digest(id), sibling: id ^ 1, siblingDigest: digest(id ^ 1) };
  }));
  const accumulator = paths.flat().reduce(accumulate, 0n);
  return { root: digest(1), accumulator, nodes, paths };
}

// ---------------------------------------------------------------- AIR

/** The periodic column opening_leaf: 2^k + j_q on row q·k of its M rows, 0 elsewhere. */
function openingLeafColumn(depth: number, openings: readonly number[]): BigUint64Array {
  const rows = openings.length * depth;
  const column = new BigUint64Array(2 ** Math.ceil(Math.log2(rows)));
  openings.forEach((j, q) => (column[q * depth] = BigInt(2 ** depth + j)));
  return column;
}

/** The interactions of the node bus (module comment). */
function nodeBus(): Interaction[] {
  // The words of the digest held in lanes first … first + 3 of a lane-limb layout (output or preimage).
  const words = (first: number, column: (lane: number, limb: number) => number) => range(DIGEST_WORDS).map((m) => {
    const limbs = range(3).map((j) => 3 * m + j).filter((j) => j < DIGEST_LIMBS);
    return sum(...limbs.map((j, b) => mul(cur(column(first + (j >> 2), j & 3)), 2 ** (16 * b))));
  });
  const id = cur(ID), pathId = cur(PATH_ID), open = cur(OPEN);
  const receive = mul(cur(stepColumn(0)), cur(INTERNAL));
  const held = (base: number) => range(DIGEST_WORDS).map((m) => cur(base + m));
  return [
    { bus: NODE_BUS, values: [id, ...words(0, outputColumn)], multiplicity: mul(cur(stepColumn(ROUNDS - 1)), cur(USES)) },
    { bus: NODE_BUS, values: [mul(id, 2), ...words(0, preimageColumn)], multiplicity: sub(0, receive) },
    { bus: NODE_BUS, values: [add(mul(id, 2), 1), ...words(4, preimageColumn)], multiplicity: sub(0, receive) },
    { bus: NODE_BUS, values: [pathId, ...held(PATH_DIGEST)], multiplicity: sub(0, open) },
    { bus: NODE_BUS, values: [sub(add(pathId, 1), mul(cur(PATH_BIT), 2)), ...held(SIBLING_DIGEST)], multiplicity: sub(0, open) },
  ];
}

/** Limb l of lane i of a padded one-block message of `bytes` bytes (0x01 after it, 0x80 at byte 135), outside the message. */
const paddingLimb = (bytes: number, i: number, l: number): number =>
  (8 * i + 2 * l === bytes ? 0x0001 : 0) | (8 * i + 2 * l + 1 === 135 ? 0x8000 : 0);

export function keccakMerkleAir(publicInputs: unknown): Air {
  const pi = parse(publicInputs);
  const k = pi.depth, leaves = 2 ** k, Q = pi.openings.length, n = pi.steps;
  const seedLimbs = digestLimbs(hexToBytes(pi.seed)), rootLimbs = digestLimbs(hexToBytes(pi.root));
  const name = (col: number) => KECCAK_MERKLE_COLUMNS[col]!;
  const pins: Record<string, { column: string; row: number; value: bigint }> = firstRowSteps();
  const pin = (pinName: string, col: number, row: number, value: bigint) => (pins[pinName] = { column: name(col), row, value });
  pin('first_id', ID, 0, 1n);
  for (const [label, col, last] of [['internal', INTERNAL, ROUNDS * (leaves - 1) - 1], ['active', ACTIVE, ROUNDS * (2 * leaves - 1) - 1]] as const) {
    pin(`last_${label}`, col, last, 1n);
    pin(`after_${label}`, col, last + 1, 0n);
  }
  pin('last_open', OPEN, Q * k - 1, 1n);
  pin('last_top', TOP, Q * k - 1, 1n);
  pin('after_open', OPEN, Q * k, 0n);
  pin('first_acc', ACC, 0, 0n);
  pin('accumulator', ACC, Q * k, BigInt(pi.accumulator));
  for (let l = 0; l < DIGEST_LIMBS; l++) pin(`root_${l >> 2}_${l & 3}`, outputColumn(l >> 2, l & 3), ROUNDS - 1, BigInt(rootLimbs[l]!));
  // K^(13 − t) for the row's elements t = 0 … 13, and K^14 − 1.
  const powers = range(LEVEL_ELEMENTS).map((t) => F.pow(K, BigInt(LEVEL_ELEMENTS - 1 - t)));
  const carry = F.sub(F.pow(K, BigInt(LEVEL_ELEMENTS)), 1n);
  const air = defineAir<string, 'opening_leaf'>({
    id: KECCAK_MERKLE_AIR_ID,
    logN: Math.log2(n),
    columns: KECCAK_MERKLE_COLUMNS,
    periodic: { opening_leaf: openingLeafColumn(k, pi.openings) },
    transitions: ({ cur: curRow, next: nextRow, periodic }) => {
      const c = (col: number): Expr => curRow[name(col)]!;
      const nx = (col: number): Expr => nextRow[name(col)]!;
      const t = roundTransitions(curRow, nextRow);
      t.id_step = eq(nx(ID), add(c(ID), c(stepColumn(ROUNDS - 1))));
      for (const [label, col] of [['internal', INTERNAL], ['active', ACTIVE], ['open', OPEN]] as const) t[`${label}_monotone`] = mul(nx(col), sub(1, c(col)));
      const internal = c(INTERNAL), active = c(ACTIVE), leaf = share(sub(active, internal), 'leaf');
      const pre = (i: number, l: number) => c(preimageColumn(i, l));
      for (let i = 0; i < LANES; i++)
        for (let l = 0; l < LIMBS; l++) {
          if (i === 4 && l < 2) continue; // the leaf index, below
          const leafValue = i < 4 ? seedLimbs[4 * i + l]! : paddingLimb(40, i, l);
          if (i < 8) t[`node_preimage_${i}_${l}`] = mul(leaf, sub(pre(i, l), leafValue)); // internal nodes: the children's digests, bound by the bus
          else {
            const internalValue = paddingLimb(64, i, l);
            t[`node_preimage_${i}_${l}`] = sub(mul(active, pre(i, l)), sum(...(internalValue ? [mul(internal, internalValue)] : []), ...(leafValue ? [mul(leaf, leafValue)] : [])));
          }
        }
      t.leaf_index = mul(leaf, sub(add(pre(4, 0), mul(pre(4, 1), 2 ** 16)), sub(c(ID), leaves)));
      const pathId = c(PATH_ID), bit = c(PATH_BIT), top = c(TOP), open = c(OPEN);
      t.path_bit = isBit(bit);
      t.top = mul(top, sub(sub(pathId, bit), 2));
      t.path_chain = mul(sub(1, top), sub(pathId, add(mul(nx(PATH_ID), 2), bit)));
      const entry = periodic.opening_leaf;
      t.opening_entry = mul(mul(open, entry), sub(pathId, entry));
      const elements = [pathId, ...range(DIGEST_WORDS).map((m) => c(PATH_DIGEST + m)), sub(add(pathId, 1), mul(bit, 2)), ...range(DIGEST_WORDS).map((m) => c(SIBLING_DIGEST + m))];
      const row = sum(mul(c(ACC), carry), ...elements.map((e, i) => mul(e, powers[i]!)));
      t.accumulate = eq(nx(ACC), add(c(ACC), mul(open, row)));
      return t;
    },
    boundaries: pins,
  });
  return withInteractions(air, nodeBus());
}

// ---------------------------------------------------------------- trace

/**
 * The trace of the tree over 2^depth leaves from `seed` and of its openings over `steps` rows, and
 * the public inputs (root and accumulator computed) that bind it.
 */
export function keccakMerkleTrace(input: { steps: number; seed: string; depth: number; openings: readonly number[] }): {
  trace: BigUint64Array[]; publicInputs: KeccakMerklePublicInputs;
} {
  const s = parseInput(KeccakMerkleStatementSchema, input, `keccakMerkleTrace: ${KECCAK_MERKLE_AIR_ID} statement`);
  const n = s.steps, k = s.depth, leaves = 2 ** k, nodeCount = 2 * leaves - 1;
  const seed = hexToBytes(s.seed);
  const tree = keccakMerkle(seed, k, s.openings);
  const { trace, words } = zeroTrace(KECCAK_MERKLE_WIDTH, n);
  const uses = new Uint32Array(2 * leaves).fill(1, 2); // every node but the root: its parent
  for (const level of tree.paths.flat()) {
    uses[level.id]!++;
    uses[level.sibling]!++;
  }
  const nodeWords = new DataView(tree.nodes.buffer), seedWords = new DataView(seed.buffer, seed.byteOffset);
  /** Node v's padded block as u32 halves of the 25 lanes (module comment). */
  const block = (v: number): Uint32Array => {
    const input = new Uint32Array(2 * LANES);
    if (v < leaves) {
      for (let h = 0; h < 16; h++) input[h] = nodeWords.getUint32(64 * v + 4 * h, true);
      input[2 * 8] = 0x01;
    } else {
      for (let h = 0; h < 8; h++) input[h] = seedWords.getUint32(4 * h, true);
      input[2 * 4] = v - leaves;
      input[2 * 5] = 0x01;
    }
    input[2 * 16 + 1] = 0x80000000;
    return input;
  };
  const zero = new Uint32Array(2 * LANES);
  for (let first = 0, v = 1; first < n; first += ROUNDS, v++) {
    const rows = Math.min(ROUNDS, n - first);
    writePermutation(words, first, v <= nodeCount ? block(v) : zero, rows);
    for (let row = first; row < first + rows; row++) {
      put(words, ID, row, v);
      put(words, INTERNAL, row, v < leaves ? 1 : 0);
      put(words, ACTIVE, row, v <= nodeCount ? 1 : 0);
    }
    if (v <= nodeCount) put(words, USES, first + ROUNDS - 1, uses[v]!);
  }
  let acc = 0n, row = 0;
  for (const level of tree.paths.flat()) {
    put(words, OPEN, row, 1);
    put(words, PATH_ID, row, level.id);
    put(words, PATH_BIT, row, level.id & 1);
    put(words, TOP, row, level.id >> 1 === 1 ? 1 : 0);
    digestWords(level.digest).forEach((x, m) => (trace[PATH_DIGEST + m]![row] = BigInt(x)));
    digestWords(level.siblingDigest).forEach((x, m) => (trace[SIBLING_DIGEST + m]![row] = BigInt(x)));
    trace[ACC]![row++] = acc;
    acc = accumulate(acc, level);
  }
  trace[ACC]!.fill(acc, row);
  return {
    trace,
    publicInputs: { ...s, openings: [...s.openings], root: bytesToHex(tree.root), accumulator: tree.accumulator.toString() },
  };
}

export function encodeKeccakMerklePublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  const Q = pi.openings.length;
  const tail = new Uint8Array(32 + 4 + 4 + 4 * Q + 32 + 8);
  const view = new DataView(tail.buffer);
  tail.set(hexToBytes(pi.seed), 0);
  view.setUint32(32, pi.depth, true);
  view.setUint32(36, Q, true);
  pi.openings.forEach((j, q) => view.setUint32(40 + 4 * q, j, true));
  tail.set(hexToBytes(pi.root), 40 + 4 * Q);
  view.setBigUint64(72 + 4 * Q, BigInt(pi.accumulator), true);
  return publicInputBytes(KECCAK_MERKLE_AIR_ID, pi.steps, [], tail);
}

/**
 * The sample of 2^logN rows (module comment): the deepest tree that fits, and min(4,096, max(1,
 * 2^(depth−1))) openings at indices drawn from SHA-256 of the seed; deterministic. Throws a
 * RangeError for logN below KECCAK_MERKLE_MIN_LOG_N or above MAX_LOG_N.
 */
/**
 * The tree a trace of `steps` rows holds: the largest depth k ≤ 20 whose 2^(k+1) − 1 permutations fit
 * (24·(2^(k+1) − 1) < steps), and min(4,096, max(1, 2^(k−1))) openings. The sample's and the
 * merkle_build_open_v1 workload's shape.
 */
export function keccakMerkleShape(steps: number): { depth: number; openings: number } {
  let depth = 1;
  while (depth < KECCAK_MERKLE_MAX_DEPTH && ROUNDS * (2 ** (depth + 2) - 1) < steps) depth++;
  return { depth, openings: Math.min(KECCAK_MERKLE_MAX_OPENINGS, Math.max(1, 2 ** (depth - 1))) };
}

export function keccakMerkleSample(logN: number): { trace: BigUint64Array[]; publicInputs: KeccakMerklePublicInputs } {
  if (typeof logN === 'number' && Number.isInteger(logN) && logN < KECCAK_MERKLE_MIN_LOG_N)
    throw new RangeError(`keccakMerkleSample: logN ${logN} is below ${KECCAK_MERKLE_MIN_LOG_N}: the smallest tree (depth 1) takes 3 Keccak-f permutations of 24 rows, so a ${KECCAK_MERKLE_AIR_ID} trace needs 2^${KECCAK_MERKLE_MIN_LOG_N} rows at least`);
  checkLogN('keccakMerkleSample', logN);
  const n = 2 ** logN, { depth, openings: count } = keccakMerkleShape(n);
  const seed = sha256(new TextEncoder().encode(KECCAK_MERKLE_SAMPLE_SEED));
  const openings = range(count).map((q) => {
    const message = new Uint8Array(36);
    message.set(seed);
    new DataView(message.buffer).setUint32(32, q, true);
    const digest = sha256(message);
    return new DataView(digest.buffer, digest.byteOffset).getUint32(0, true) % 2 ** depth;
  });
  return keccakMerkleTrace({ steps: n, seed: bytesToHex(seed), depth, openings });
}
