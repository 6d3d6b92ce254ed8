/**
 * KECCAK_F_V1: the Keccak-f[1600] permutation (FIPS 202 §3.2–3.4, Algorithms 1–7; the Keccak
 * reference, version 3.0) as an AIR, one round per row and 24 rows per permutation, transitions of
 * degree ≤ 3. It is the bitwise arithmetization of Plonky3's keccak-air (lanes as 16-bit limbs, θ
 * checked through column parities, ρ and π as a renaming of bit columns, χ and ι over bits, round
 * constants weighted by one-hot round flags), written anew here.
 *   Scope: this is the permutation-level AIR, for test vectors and small instances. It binds every
 *     permutation's input and output by boundaries (200 a permutation, on two rows of its own), which
 *     does not scale with the trace, so it is not in the AIR registry (./index.ts); workloads (the
 *     registry's `keccak`, which the benchmarks run) use KECCAK_256_V1 (./keccak-256.ts), which shares this file's
 *     columns and round transitions and binds its message through periodic columns.
 *   State: lane i = x + 5y holds A[x, y] (FIPS 202 §3.1.2), bit z of the lane is bit z of the u64;
 *     limb l of a lane is bits 16l … 16l + 15, a value below 2^16, so no limb or bit sum wraps mod p.
 *   Columns (2,632): step_r (24): 1 on round r of a permutation (row i holds round i mod 24);
 *     preimage_i_l (100): the permutation's input, the same on all its 24 rows; a_i_l (100): the
 *     round's input A; c_x_z (320): C[x] = A[x, 0] ⊕ … ⊕ A[x, 4]; c_prime_x_z (320): C'[x] = C[x] ⊕ D[x]
 *     with D[x][z] = C[x − 1][z] ⊕ C[x + 1][z − 1]; a_prime_i_z (1600): A' = θ(A), A'[x, y] = A[x, y] ⊕ D[x];
 *     a_chi_i_l (100): A'' = χ(π(ρ(A'))), where B = π(ρ(A')) is read off A' (B[x, y][z] =
 *     A'[x + 3y, x][z − r[x + 3y, x]]); a_chi_0_bit_z (64): the bits of A''[0, 0]; a_iota_0_l (4):
 *     A''[0, 0] ⊕ RC[round]. The round's output is a_iota_0 for lane 0 and a_chi for lanes 1 … 24.
 *     No export flag: the outputs are bound by boundaries, not exported to another table.
 *   Transitions (3,156), on rows 0 … n−2 (cur = row i, next = row i+1); u ⊕ v = u + v·(1 − 2u):
 *     step_shift_r (24, degree 1): next.step_{r+1 mod 24} = cur.step_r;
 *     first_round_i_l (100, 2): step_0·(preimage − a);
 *     preimage_hold_i_l (100, 2): (1 − step_23)·(next.preimage − cur.preimage);
 *     c_bit_x_z (320, 2), a_prime_bit_i_z (1600, 2), a_chi_0_bit_z (64, 2): b·(b − 1);
 *     c_prime_x_z (320, 3): c' − c ⊕ D, D[x][z] one shared subexpression (theta_d_x_z, degree 2);
 *     theta_i_l (100, 3): a limb = Σ_k 2^k·(A' ⊕ D[x]) over the limb's bits;
 *     parity_x_z (320, 3): s·(s − 2)·(s − 4) with s = Σ_y A'[x, y][z] − C'[x][z] (shared): A' has
 *       column parity C'. With c_prime this forces C to be A's column parity (parity(A[x]) =
 *       parity(A'[x]) ⊕ D[x] = C'[x] ⊕ D[x] = C[x]), so D is θ's and A' = θ(A);
 *     chi_i_l (100, 3): a_chi limb = Σ_k 2^k·(B[x, y] ⊕ (1 − B[x + 1, y])·B[x + 2, y]);
 *     chi_0_bits_l (4, 1): a_chi_0 bits recompose a_chi lane 0;
 *     iota_l (4, 2): a_iota_0 limb = Σ_k 2^k·(bit ⊕ rc_z), rc_z = Σ step_r over the rounds r whose
 *       RC has bit z (degree 1: the round constant as a weighted sum of flags);
 *     round_link_i_l (100, 2): (1 − step_23)·(output − next.a).
 *   Boundaries: step_r on row 0 (step_0 = 1, the rest 0; with step_shift the flags are one-hot of
 *     period 24 on every row); permutation p (rows 24p … 24p + 23): preimage limbs on row 24p = its
 *     input (100), output limbs on row 24p + 23 = its output (100).
 *   Padding: n = 2^logN is never a multiple of 24, so the trace holds floor(n/24) permutation slots
 *     and a partial one. Slots 0 … count−1 hold the inputs; every row r after them holds round
 *     r mod 24 of the zero state's permutation (whole slots and the partial one). Those rows satisfy
 *     every transition (the link and the preimage hold are off across a round-23 row) and no
 *     boundary binds them; row n−1, whose own cells the transitions never check, is always one.
 *   Public inputs: steps = n (a power of two, at least 32); inputs and outputs: equal-length lists
 *     (1 … floor(n/24)) of states, 25 lanes each as 16 lowercase hex digits (the u64, most
 *     significant digit first).
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ u32 LE count ‖ the inputs' lanes ‖
 *     the outputs' lanes (8 bytes LE each, state by state, lane by lane).
 *
 * @module
 */
import { z } from 'zod';
import type { Air } from '../stark/air.js';
import { defineAir, type Row } from '../stark/define.js';
import { add, eq, mul, share, sub, sum, type Expr } from '../stark/expr.js';
import { checkLogN, parseInput, publicInputBytes, range, StepsSchema } from './public-inputs.js';

export const KECCAK_F_AIR_ID = 'keccak_f_v1';
export const ROUNDS = 24;
export const LANES = 25;
/** 16-bit limbs per lane. */
export const LIMBS = 4;
/** Bits per limb. */
export const LIMB_BITS = 16;
const MASK64 = (1n << 64n) - 1n;

const mod = (v: number, m: number): number => ((v % m) + m) % m;
const laneAt = (x: number, y: number): number => mod(x, 5) + 5 * mod(y, 5);

/** ρ's rotation per lane (FIPS 202 Algorithm 2): (x, y) walks from (1, 0) by (y, 2x + 3y); step t rotates by (t + 1)(t + 2)/2. */
const RHO: readonly number[] = (() => {
  const r = new Array<number>(LANES).fill(0);
  for (let t = 0, x = 1, y = 0; t < 24; t++) {
    r[laneAt(x, y)] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  return r;
})();

/** rc(t) of FIPS 202 Algorithm 5: the LFSR with feedback polynomial x^8 + x^6 + x^5 + x^4 + 1. */
function rcBit(t: number): number {
  let r = 1;
  for (let i = 0; i < t % 255; i++) {
    r <<= 1;
    if (r & 0x100) r ^= 0x171;
  }
  return r & 1;
}

/** ι's round constants (FIPS 202 Algorithm 6): bit 2^j − 1 of RC[i] is rc(j + 7i). */
const ROUND_CONSTANTS: readonly bigint[] = range(ROUNDS).map((i) =>
  range(7).reduce((rc, j) => rc | (BigInt(rcBit(j + 7 * i)) << BigInt(2 ** j - 1)), 0n));
const RC_LO = ROUND_CONSTANTS.map((rc) => Number(rc & 0xffffffffn));
const RC_HI = ROUND_CONSTANTS.map((rc) => Number(rc >> 32n));

const rotl = (v: bigint, r: number): bigint => (r === 0 ? v : ((v << BigInt(r)) | (v >> BigInt(64 - r))) & MASK64);

function checkState(fn: string, state: readonly bigint[]): void {
  if (state.length !== LANES || !state.every((v) => typeof v === 'bigint' && v >= 0n && v <= MASK64))
    throw new RangeError(`${fn}: a state is 25 lanes, each a bigint in [0, 2^64)`);
}

/** Keccak-f[1600] of 25 lanes (lane x + 5y = A[x, y]): the plain BigInt reference (FIPS 202 Algorithm 7). */
export function keccakF(state: readonly bigint[]): bigint[] {
  checkState('keccakF', state);
  let a = [...state];
  for (let round = 0; round < ROUNDS; round++) {
    const c = range(5).map((x) => a[x]! ^ a[x + 5]! ^ a[x + 10]! ^ a[x + 15]! ^ a[x + 20]!);
    const d = range(5).map((x) => c[mod(x - 1, 5)]! ^ rotl(c[mod(x + 1, 5)]!, 1));
    const b = new Array<bigint>(LANES);
    a.forEach((v, i) => {
      const x = i % 5, y = (i - x) / 5;
      b[laneAt(y, 2 * x + 3 * y)] = rotl(v ^ d[x]!, RHO[i]!);
    });
    a = b.map((v, i) => {
      const x = i % 5, y = (i - x) / 5;
      return v ^ (~b[laneAt(x + 1, y)]! & MASK64 & b[laneAt(x + 2, y)]!);
    });
    a[0]! ^= ROUND_CONSTANTS[round]!;
  }
  return a;
}

// ---------------------------------------------------------------- columns

const STEP = 0;
const PREIMAGE = STEP + ROUNDS;
const A = PREIMAGE + LANES * LIMBS;
const C = A + LANES * LIMBS;
const C_PRIME = C + 5 * 64;
const A_PRIME = C_PRIME + 5 * 64;
const A_CHI = A_PRIME + LANES * 64;
const A_CHI_0_BITS = A_CHI + LANES * LIMBS;
const A_IOTA_0 = A_CHI_0_BITS + 64;
export const KECCAK_F_WIDTH = A_IOTA_0 + LIMBS;

export const stepColumn = (round: number): number => STEP + round;
export const preimageColumn = (lane: number, limb: number): number => PREIMAGE + LIMBS * lane + limb;
/** The round's output: lane 0 after ι, the other lanes after χ. */
export const outputColumn = (lane: number, limb: number): number => (lane === 0 ? A_IOTA_0 + limb : A_CHI + LIMBS * lane + limb);

const laneLimbs = (prefix: string): string[] => range(LANES).flatMap((i) => range(LIMBS).map((l) => `${prefix}_${i}_${l}`));
const bitsOf = (prefix: string, count: number): string[] => range(count).flatMap((x) => range(64).map((z) => `${prefix}_${x}_${z}`));

/** Column names in trace order (the layout in the module comment). */
export const KECCAK_F_COLUMNS: readonly string[] = [
  ...range(ROUNDS).map((r) => `step_${r}`),
  ...laneLimbs('preimage'),
  ...laneLimbs('a'),
  ...bitsOf('c', 5),
  ...bitsOf('c_prime', 5),
  ...bitsOf('a_prime', LANES),
  ...laneLimbs('a_chi'),
  ...range(64).map((z) => `a_chi_0_bit_${z}`),
  ...range(LIMBS).map((l) => `a_iota_0_${l}`),
];

/** The rounds whose round constant has bit z set, by z. */
const RC_ROUNDS: readonly number[][] = range(64).map((z) => range(ROUNDS).filter((r) => (ROUND_CONSTANTS[r]! >> BigInt(z)) & 1n));

/** u ⊕ v for bits; `u` is read twice, so pass a cell or a shared subexpression as `u`. */
export const xor = (u: Expr, v: Expr): Expr => add(u, mul(v, sub(1, add(u, u))));
export const isBit = (b: Expr): Expr => mul(b, sub(b, 1));
/** Limb `l` of a lane from its bits: Σ_k 2^k·bit(16l + k). */
export const limbOf = (bit: (z: number) => Expr, l: number): Expr =>
  sum(...range(LIMB_BITS).map((k) => (k === 0 ? bit(LIMB_BITS * l) : mul(bit(LIMB_BITS * l + k), 2 ** k))));

/**
 * The transitions of a Keccak-f round (the module comment's list, in order) over rows whose first
 * KECCAK_F_WIDTH columns are KECCAK_F_COLUMNS; the sponge's AIR (./keccak-256.ts) adds its own.
 */
export function roundTransitions(curRow: Row<string>, nextRow: Row<string>): Record<string, Expr> {
  const cur = (col: number): Expr => curRow[KECCAK_F_COLUMNS[col]!]!;
  const next = (col: number): Expr => nextRow[KECCAK_F_COLUMNS[col]!]!;
  const t: Record<string, Expr> = {};
  const lanesLimbs = (name: string, f: (i: number, l: number) => Expr) => {
    for (let i = 0; i < LANES; i++) for (let l = 0; l < LIMBS; l++) t[`${name}_${i}_${l}`] = f(i, l);
  };
  const notLast = share(sub(1, cur(STEP + ROUNDS - 1)), 'not_last_round');
  // A'[x, y][z] and B[x, y][z] (B = π(ρ(A')), a renaming of A' bits).
  const aPrime = (i: number, z: number) => cur(A_PRIME + 64 * i + z);
  const b = (x: number, y: number, z: number) => {
    const from = laneAt(x + 3 * y, x);
    return aPrime(from, mod(z - RHO[from]!, 64));
  };
  const c = (x: number, z: number) => cur(C + 64 * mod(x, 5) + mod(z, 64));
  const cPrime = (x: number, z: number) => cur(C_PRIME + 64 * x + z);
  const d = range(5).map((x) => range(64).map((z) => share(xor(c(x - 1, z), c(x + 1, z - 1)), `theta_d_${x}_${z}`)));

  for (let r = 0; r < ROUNDS; r++) t[`step_shift_${r}`] = eq(next(STEP + ((r + 1) % ROUNDS)), cur(STEP + r));
  lanesLimbs('first_round', (i, l) => mul(cur(STEP), sub(cur(preimageColumn(i, l)), cur(A + LIMBS * i + l))));
  lanesLimbs('preimage_hold', (i, l) => mul(notLast, sub(next(preimageColumn(i, l)), cur(preimageColumn(i, l)))));
  for (let x = 0; x < 5; x++) for (let z = 0; z < 64; z++) t[`c_bit_${x}_${z}`] = isBit(c(x, z));
  for (let x = 0; x < 5; x++) for (let z = 0; z < 64; z++) t[`c_prime_${x}_${z}`] = eq(cPrime(x, z), xor(c(x, z), d[x]![z]!));
  for (let i = 0; i < LANES; i++) for (let z = 0; z < 64; z++) t[`a_prime_bit_${i}_${z}`] = isBit(aPrime(i, z));
  lanesLimbs('theta', (i, l) => eq(cur(A + LIMBS * i + l), limbOf((z) => xor(aPrime(i, z), d[i % 5]![z]!), l)));
  for (let x = 0; x < 5; x++)
    for (let z = 0; z < 64; z++) {
      const s = share(sub(sum(...range(5).map((y) => aPrime(laneAt(x, y), z))), cPrime(x, z)), `theta_parity_${x}_${z}`);
      t[`parity_${x}_${z}`] = mul(mul(s, sub(s, 2)), sub(s, 4));
    }
  lanesLimbs('chi', (i, l) => {
    const x = i % 5, y = (i - x) / 5;
    return eq(cur(A_CHI + LIMBS * i + l), limbOf((z) => xor(b(x, y, z), mul(sub(1, b(x + 1, y, z)), b(x + 2, y, z))), l));
  });
  for (let z = 0; z < 64; z++) t[`a_chi_0_bit_${z}`] = isBit(cur(A_CHI_0_BITS + z));
  for (let l = 0; l < LIMBS; l++) t[`chi_0_bits_${l}`] = eq(cur(A_CHI + l), limbOf((z) => cur(A_CHI_0_BITS + z), l));
  for (let l = 0; l < LIMBS; l++) {
    const iotaBit = (z: number) => {
      const bit = cur(A_CHI_0_BITS + z), rounds = RC_ROUNDS[z]!;
      return rounds.length === 0 ? bit : xor(bit, sum(...rounds.map((r) => cur(STEP + r))));
    };
    t[`iota_${l}`] = eq(cur(A_IOTA_0 + l), limbOf(iotaBit, l));
  }
  lanesLimbs('round_link', (i, l) => mul(notLast, sub(cur(outputColumn(i, l)), next(A + LIMBS * i + l))));
  return t;
}

/** step_r on row 0: round 0 starts the trace. */
export const firstRowSteps = () =>
  Object.fromEntries(range(ROUNDS).map((r) => [`first_step_${r}`, { column: KECCAK_F_COLUMNS[STEP + r]!, row: 0, value: r === 0 ? 1n : 0n }]));

/** The four 16-bit limbs of a lane, low first. */
const limbsOf = (lane: bigint): bigint[] => range(LIMBS).map((l) => (lane >> BigInt(LIMB_BITS * l)) & 0xffffn);

// ---------------------------------------------------------------- trace

/** Index of a u64 cell's low u32 word in a Uint32Array view of its BigUint64Array. */
const LOW_WORD = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 0 : 1;

/**
 * A zeroed trace and a u32 view of each column: every cell these AIRs write is below 2^32, so
 * writing its low word fills the u64 cell without a BigInt per element.
 */
export function zeroTrace(width: number, n: number): { trace: BigUint64Array[]; words: Uint32Array[] } {
  const trace = range(width).map(() => new BigUint64Array(n));
  return { trace, words: trace.map((col) => new Uint32Array(col.buffer)) };
}

/** Cell (col, row) of the u32 views := v (< 2^32). */
export const put = (words: readonly Uint32Array[], col: number, row: number, v: number): void => {
  words[col]![2 * row + LOW_WORD] = v;
};

/** The 64 bits of a lane held as u32 halves into columns base … base + 63 of `row`. */
function putBits(words: readonly Uint32Array[], base: number, row: number, lo: number, hi: number): void {
  const at = 2 * row + LOW_WORD;
  for (let z = 0; z < 32; z++) {
    words[base + z]![at] = (lo >>> z) & 1;
    words[base + 32 + z]![at] = (hi >>> z) & 1;
  }
}

/** The four limbs of a lane held as u32 halves into columns base … base + 3 of `row`. */
export function putLimbs(words: readonly Uint32Array[], base: number, row: number, lo: number, hi: number): void {
  const at = 2 * row + LOW_WORD;
  words[base]![at] = lo & 0xffff;
  words[base + 1]![at] = lo >>> 16;
  words[base + 2]![at] = hi & 0xffff;
  words[base + 3]![at] = hi >>> 16;
}

/** Lanes as u32 halves: [lo_0, hi_0, lo_1, hi_1, …]. */
const toHalves = (lanes: readonly bigint[]): Uint32Array =>
  Uint32Array.from(lanes.flatMap((v) => [Number(v & 0xffffffffn), Number(v >> 32n)]));
const fromHalves = (h: Uint32Array): bigint[] => range(h.length / 2).map((i) => (BigInt(h[2 * i + 1]!) << 32n) | BigInt(h[2 * i]!));

/** (lo, hi) rotated left by r into out[o], out[o + 1]. */
function rotlHalves(out: Uint32Array, o: number, lo: number, hi: number, r: number): void {
  if (r >= 32) [lo, hi, r] = [hi, lo, r - 32];
  out[o] = r === 0 ? lo : (lo << r) | (hi >>> (32 - r));
  out[o + 1] = r === 0 ? hi : (hi << r) | (lo >>> (32 - r));
}

/** π: lane x + 5y of ρ(A') becomes lane y + 5(2x + 3y) of B. */
const B_TARGET = range(LANES).map((i) => laneAt((i - (i % 5)) / 5, 2 * (i % 5) + 3 * ((i - (i % 5)) / 5)));

/**
 * Writes the rows of one permutation of `input` (lanes as u32 halves) from row `first` on: its first
 * `rows` rounds (24, or fewer in the trailing partial slot) in the KECCAK_F_COLUMNS layout. Returns
 * the permutation's output as u32 halves.
 */
export function writePermutation(words: readonly Uint32Array[], first: number, input: Uint32Array, rows: number): Uint32Array {
  const a = input.slice(), c = new Uint32Array(10), d = new Uint32Array(10), b = new Uint32Array(2 * LANES);
  for (let round = 0; round < ROUNDS; round++) {
    const row = first + round, write = round < rows;
    for (let h = 0; h < 10; h++) c[h] = a[h]! ^ a[h + 10]! ^ a[h + 20]! ^ a[h + 30]! ^ a[h + 40]!;
    for (let x = 0; x < 5; x++) {
      const right = 2 * ((x + 1) % 5), left = 2 * ((x + 4) % 5);
      rotlHalves(d, 2 * x, c[right]!, c[right + 1]!, 1);
      d[2 * x]! ^= c[left]!;
      d[2 * x + 1]! ^= c[left + 1]!;
    }
    if (write) {
      put(words, STEP + round, row, 1);
      for (let i = 0; i < LANES; i++) {
        putLimbs(words, PREIMAGE + LIMBS * i, row, input[2 * i]!, input[2 * i + 1]!);
        putLimbs(words, A + LIMBS * i, row, a[2 * i]!, a[2 * i + 1]!);
      }
      for (let x = 0; x < 5; x++) {
        putBits(words, C + 64 * x, row, c[2 * x]!, c[2 * x + 1]!);
        putBits(words, C_PRIME + 64 * x, row, c[2 * x]! ^ d[2 * x]!, c[2 * x + 1]! ^ d[2 * x + 1]!);
      }
    }
    for (let i = 0; i < LANES; i++) {
      const x = i % 5;
      a[2 * i]! ^= d[2 * x]!;
      a[2 * i + 1]! ^= d[2 * x + 1]!;
      if (write) putBits(words, A_PRIME + 64 * i, row, a[2 * i]!, a[2 * i + 1]!);
      rotlHalves(b, 2 * B_TARGET[i]!, a[2 * i]!, a[2 * i + 1]!, RHO[i]!);
    }
    for (let i = 0; i < LANES; i++) {
      const x = i % 5, row5 = i - x, j1 = 2 * (row5 + ((x + 1) % 5)), j2 = 2 * (row5 + ((x + 2) % 5));
      a[2 * i] = b[2 * i]! ^ (~b[j1]! & b[j2]!);
      a[2 * i + 1] = b[2 * i + 1]! ^ (~b[j1 + 1]! & b[j2 + 1]!);
      if (write) putLimbs(words, A_CHI + LIMBS * i, row, a[2 * i]!, a[2 * i + 1]!);
    }
    if (write) putBits(words, A_CHI_0_BITS, row, a[0]!, a[1]!);
    a[0]! ^= RC_LO[round]!;
    a[1]! ^= RC_HI[round]!;
    if (write) putLimbs(words, A_IOTA_0, row, a[0]!, a[1]!);
  }
  return a;
}

/** The smallest logN (≥ 5) whose trace holds `permutations` permutations: 24·count < 2^logN. */
export function keccakLogN(permutations: number): number {
  if (!Number.isSafeInteger(permutations) || permutations < 1) throw new RangeError(`keccakLogN: ${permutations} is not a positive integer`);
  return Math.max(5, Math.floor(Math.log2(ROUNDS * permutations)) + 1);
}

// ---------------------------------------------------------------- public inputs, AIR, trace

const LaneSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex digits (a u64 lane)');
const StateSchema = z.array(LaneSchema).length(LANES, `must hold ${LANES} lanes`);

export const KeccakFPublicInputsSchema = z
  .strictObject({ steps: StepsSchema, inputs: z.array(StateSchema).min(1, 'must hold at least one state'), outputs: z.array(StateSchema) })
  .refine((pi) => pi.outputs.length === pi.inputs.length, { error: 'outputs must hold one state per input', path: ['outputs'] })
  .refine((pi) => ROUNDS * pi.inputs.length < pi.steps, { error: 'more permutations than the trace holds (24 rows each, fewer than steps)', path: ['inputs'] });
export type KeccakFPublicInputs = z.output<typeof KeccakFPublicInputsSchema>;

const parse = (publicInputs: unknown): KeccakFPublicInputs => parseInput(KeccakFPublicInputsSchema, publicInputs, `${KECCAK_F_AIR_ID} public inputs`);
const lanesOf = (state: readonly string[]): bigint[] => state.map((s) => BigInt(`0x${s}`));
const hexLane = (v: bigint): string => v.toString(16).padStart(16, '0');

export function keccakFAir(publicInputs: unknown): Air {
  const pi = parse(publicInputs);
  const pins: Record<string, { column: string; row: number; value: bigint }> = firstRowSteps();
  const pin = (name: string, col: number, row: number, lanes: readonly bigint[], lane: number, limb: number) => {
    pins[name] = { column: KECCAK_F_COLUMNS[col]!, row, value: limbsOf(lanes[lane]!)[limb]! };
  };
  pi.inputs.forEach((input, p) => {
    const ins = lanesOf(input), outs = lanesOf(pi.outputs[p]!);
    for (let i = 0; i < LANES; i++)
      for (let l = 0; l < LIMBS; l++) {
        pin(`input_${p}_${i}_${l}`, preimageColumn(i, l), ROUNDS * p, ins, i, l);
        pin(`output_${p}_${i}_${l}`, outputColumn(i, l), ROUNDS * p + ROUNDS - 1, outs, i, l);
      }
  });
  return defineAir({
    id: KECCAK_F_AIR_ID,
    logN: Math.log2(pi.steps),
    columns: KECCAK_F_COLUMNS,
    transitions: ({ cur, next }) => roundTransitions(cur, next),
    boundaries: pins,
  });
}

/**
 * The trace of Keccak-f on each state (25 lanes, lane x + 5y) over 2^logN rows, padded with the zero
 * state's permutation (module comment), with the outputs and the public inputs binding both.
 */
export function keccakFTrace(states: readonly (readonly bigint[])[], logN: number): { trace: BigUint64Array[]; outputs: bigint[][]; publicInputs: KeccakFPublicInputs } {
  checkLogN('keccakFTrace', logN);
  states.forEach((s) => checkState('keccakFTrace', s));
  const n = 2 ** logN;
  if (states.length < 1 || ROUNDS * states.length >= n)
    throw new RangeError(`keccakFTrace: ${states.length} permutations do not fit 2^${logN} rows (1 … ${Math.floor(n / ROUNDS)})`);
  const { trace, words } = zeroTrace(KECCAK_F_WIDTH, n);
  const zero = new Uint32Array(2 * LANES);
  const outputs: bigint[][] = [];
  for (let first = 0, p = 0; first < n; first += ROUNDS, p++) {
    const output = writePermutation(words, first, p < states.length ? toHalves(states[p]!) : zero, Math.min(ROUNDS, n - first));
    if (p < states.length) outputs.push(fromHalves(output));
  }
  const hex = (lanes: readonly bigint[]) => lanes.map(hexLane);
  return { trace, outputs, publicInputs: { steps: n, inputs: states.map(hex), outputs: outputs.map(hex) } };
}

export function encodeKeccakFPublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parse(publicInputs);
  const lanes = [...pi.inputs, ...pi.outputs].flatMap(lanesOf);
  const tail = new Uint8Array(4 + 8 * lanes.length);
  const view = new DataView(tail.buffer);
  view.setUint32(0, pi.inputs.length, true);
  lanes.forEach((v, i) => view.setBigUint64(4 + 8 * i, v, true));
  return publicInputBytes(KECCAK_F_AIR_ID, pi.steps, [], tail);
}
