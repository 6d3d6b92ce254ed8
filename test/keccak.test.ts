// Keccak-f[1600] and Keccak-256 as AIRs (src/airs/keccak.ts, src/airs/keccak-256.ts): the BigInt
// reference permutation against the Keccak team's published values, traces that satisfy the AIRs
// (padding rows included), tampered traces and wrong public inputs that do not, the sponge's message
// bound by periodic columns (a constant number of boundaries), digests equal to @noble/hashes'
// keccak_256, the registry's keccak sample, and one proof of each AIR made and verified on the CPU.
import { keccak_256, keccakP } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeKeccakFPublicInputs, KECCAK_F_COLUMNS, KECCAK_F_WIDTH, keccakF, keccakFAir, keccakFTrace, keccakLogN, type KeccakFPublicInputs,
} from '../src/airs/keccak.js';
import {
  encodeKeccak256PublicInputs, KECCAK_256_AIR_ID, KECCAK_256_COLUMNS, KECCAK_256_WIDTH, keccak256Air, Keccak256PublicInputsSchema, keccak256Sample,
  keccak256Trace,
} from '../src/airs/keccak-256.js';
import { AIR_BY_NAME, AIRS } from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { checkTrace, maxDegree, type Air } from '../src/stark/air.js';
import { degree } from '../src/stark/expr.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';

// KeccakF-1600-IntermediateValues.txt (Keccak team, XKCP tests/TestVectors): the zero state permuted once, and again.
const ZERO_ONCE = [
  0xf1258f7940e1dde7n, 0x84d5ccf933c0478an, 0xd598261ea65aa9een, 0xbd1547306f80494dn, 0x8b284e056253d057n,
  0xff97a42d7f8e6fd4n, 0x90fee5a0a44647c4n, 0x8c5bda0cd6192e76n, 0xad30a6f71b19059cn, 0x30935ab7d08ffc64n,
  0xeb5aa93f2317d635n, 0xa9a6e6260d712103n, 0x81a57c16dbcf555fn, 0x43b831cd0347c826n, 0x01f22f1a11a5569fn,
  0x05e5635a21d9ae61n, 0x64befef28cc970f2n, 0x613670957bc46611n, 0xb87c5a554fd00ecbn, 0x8c3ee88a1ccf32c8n,
  0x940c7922ae3a2614n, 0x1841f924a2c509e4n, 0x16f53526e70465c2n, 0x75f644e97f30a13bn, 0xeaf1ff7b5ceca249n,
];
const ZERO_TWICE = [
  0x2d5c954df96ecb3cn, 0x6a332cd07057b56dn, 0x093d8d1270d76b6cn, 0x8a20d9b25569d094n, 0x4f9c4f99e5e7f156n,
  0xf957b9a2da65fb38n, 0x85773dae1275af0dn, 0xfaf4f247c3d810f7n, 0x1f1b9ee6f79a8759n, 0xe4fecc0fee98b425n,
  0x68ce61b6b9ce68a1n, 0xdeea66c4ba8f974fn, 0x33c43d836eafb1f5n, 0xe00654042719dbd9n, 0x7cf8a9f009831265n,
  0xfd5449a6bf174743n, 0x97ddad33d8994b40n, 0x48ead5fc5d0be774n, 0xe3b8c8ee55b7b03cn, 0x91a0226e649e42e9n,
  0x900e3129e7badd7bn, 0x202a9ec5faa3cce8n, 0x5b3402464e1c3db6n, 0x609f4e62a44c1059n, 0x20d06cd26a8fbf5cn,
];

const M64 = (1n << 64n) - 1n;
/** `count` states of 25 pseudo-random lanes (SplitMix64 from `seed`). */
function randomStates(count: number, seed: bigint): bigint[][] {
  let s = seed;
  const lane = () => {
    s = (s + 0x9e3779b97f4a7c15n) & M64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };
  return Array.from({ length: count }, () => Array.from({ length: 25 }, lane));
}

/** noble's Keccak-f on lanes (its state: 50 u32, each lane low half first). */
function nobleKeccakF(state: readonly bigint[]): bigint[] {
  const s = Uint32Array.from(state.flatMap((v) => [Number(v & 0xffffffffn), Number(v >> 32n)]));
  keccakP(s);
  return state.map((_, i) => (BigInt(s[2 * i + 1]!) << 32n) | BigInt(s[2 * i]!));
}

/** A copy of the trace with cell (column named `name`, row) replaced by f(cell). */
function tamper(trace: readonly BigUint64Array[], columns: readonly string[], name: string, row: number, f: (v: bigint) => bigint): BigUint64Array[] {
  const col = columns.indexOf(name);
  expect(col).toBeGreaterThanOrEqual(0);
  const copy = [...trace];
  copy[col] = trace[col]!.slice();
  copy[col]![row] = f(copy[col]![row]!);
  return copy;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 7 + 17) & 0xff);

describe('keccakF, the BigInt reference', () => {
  it('permutes the zero state to the published values, once and twice (all 25 lanes)', () => {
    const once = keccakF(new Array(25).fill(0n));
    expect(once).toEqual(ZERO_ONCE);
    expect(keccakF(once)).toEqual(ZERO_TWICE);
  });

  it('agrees with @noble/hashes keccakP on random states, and refuses a malformed state', () => {
    for (const state of randomStates(8, 1n)) expect(keccakF(state)).toEqual(nobleKeccakF(state));
    expect(() => keccakF(new Array(24).fill(0n))).toThrow(RangeError);
    expect(() => keccakF([...new Array(24).fill(0n), 1n << 64n])).toThrow(RangeError);
  });
});

describe('KECCAK_F_V1', () => {
  const states5 = randomStates(1, 2n), states6 = randomStates(2, 3n);
  const t5 = keccakFTrace(states5, 5), t6 = keccakFTrace(states6, 6);
  const air5 = keccakFAir(t5.publicInputs), air6 = keccakFAir(t6.publicInputs);
  const col = (name: string) => KECCAK_F_COLUMNS.indexOf(name);

  it('has 2,632 columns and 3,156 transitions of degree ≤ 3; 24 + 200 boundaries a permutation', () => {
    expect(KECCAK_F_WIDTH).toBe(2632);
    expect(air5.width).toBe(2632);
    expect(new Set(KECCAK_F_COLUMNS).size).toBe(2632);
    expect(air5.transitions.length).toBe(3156);
    expect(maxDegree(air5)).toBe(3);
    expect(air5.transitions.every((t) => degree(t) <= 3)).toBe(true);
    expect(air5.boundaries.length).toBe(24 + 200);
    expect(air6.boundaries.length).toBe(24 + 2 * 200);
    expect(keccakLogN(1)).toBe(5);
    expect(keccakLogN(2)).toBe(6);
    expect(keccakLogN(42)).toBe(10);
    expect(keccakLogN(43)).toBe(11);
  });

  it('traces of random states satisfy the AIR at logN 5 and 6 (with padding rows), and their outputs are Keccak-f', () => {
    expect(t5.outputs).toEqual(states5.map(keccakF));
    expect(t6.outputs).toEqual(states6.map(keccakF));
    expect(checkTrace(air5, t5.trace)).toEqual({ ok: true });
    expect(checkTrace(air6, t6.trace)).toEqual({ ok: true });
    // Rows 24 … 31 of logN 5 (and 48 … 63 of logN 6) are the zero state's rounds 0 … 7 (… 15).
    expect(t5.trace[col('a_0_0')]![24]).toBe(0n);
    expect(t6.trace[col('step_15')]![63]).toBe(1n);
  });

  it('a trace that holds fewer permutations than slots is padded with the zero state and satisfies its AIR', () => {
    const t = keccakFTrace(randomStates(1, 4n), 6);
    expect(checkTrace(keccakFAir(t.publicInputs), t.trace)).toEqual({ ok: true });
    expect(t.trace[col('preimage_0_0')]![24]).toBe(0n);
  });

  it('catches a flipped bit of A′, a wrong limb, a wrong round flag and a preimage changed mid-permutation', () => {
    const failsAt = (trace: BigUint64Array[], row: number, name: RegExp) => {
      const r = checkTrace(air5, trace);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.kind).toBe('transition');
        expect(r.row).toBe(row);
        expect(r.name).toMatch(name);
      }
    };
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'a_prime_7_13', 3, (v) => v ^ 1n), 3, /^(theta|parity)_/);
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'a_prime_7_13', 30, (v) => v ^ 1n), 30, /^(theta|parity)_/); // a padding row
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'a_chi_5_2', 10, (v) => v + 1n), 10, /^chi_5_2$/);
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'a_iota_0_0', 10, (v) => v ^ 1n), 10, /^iota_0$/);
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'c_2_40', 7, () => 2n), 7, /^c_bit_2_40$/);
    // Round 5's flag on round 4's row: the flags must shift by one.
    const flags = tamper(tamper(t5.trace, KECCAK_F_COLUMNS, 'step_4', 4, () => 0n), KECCAK_F_COLUMNS, 'step_5', 4, () => 1n);
    failsAt(flags, 3, /^step_shift_3$/);
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'preimage_3_1', 10, (v) => v ^ 0x10n), 9, /^preimage_hold_3_1$/);
    // A round input that is not the previous round's output.
    failsAt(tamper(t5.trace, KECCAK_F_COLUMNS, 'a_9_3', 12, (v) => v ^ 1n), 11, /^round_link_9_3$/);
  });

  it('a wrong output or input pinned by the public inputs fails its boundary', () => {
    const withLane = (pi: KeccakFPublicInputs, key: 'inputs' | 'outputs', lane: number): KeccakFPublicInputs => {
      const states = pi[key].map((s) => [...s]);
      states[0]![lane] = (BigInt(`0x${states[0]![lane]}`) ^ 1n).toString(16).padStart(16, '0');
      return { ...pi, [key]: states };
    };
    expect(checkTrace(keccakFAir(withLane(t5.publicInputs, 'outputs', 3)), t5.trace)).toMatchObject({ ok: false, kind: 'boundary', row: 23, name: 'output_0_3_0' });
    expect(checkTrace(keccakFAir(withLane(t5.publicInputs, 'inputs', 0)), t5.trace)).toMatchObject({ ok: false, kind: 'boundary', row: 0, name: 'input_0_0_0' });
  });

  it('validates its public inputs and encodes them injectively', () => {
    const pi = t5.publicInputs;
    expect(() => keccakFAir({ ...pi, outputs: [] })).toThrow(/outputs must hold one state per input/);
    expect(() => keccakFAir({ ...pi, steps: 16 })).toThrow(/more permutations than the trace holds/);
    expect(() => keccakFAir({ ...pi, inputs: [pi.inputs[0]!.slice(1)] })).toThrow(/inputs\[0\]: must hold 25 lanes/);
    expect(() => keccakFAir({ ...pi, inputs: [pi.inputs[0]!.map((s) => s.toUpperCase())] })).toThrow(/16 lowercase hex digits/);
    const bytesOf = encodeKeccakFPublicInputs(pi);
    expect(bytesOf.length).toBe(4 + 'keccak_f_v1'.length + 8 + 4 + 2 * 25 * 8);
    expect(encodeKeccakFPublicInputs(t6.publicInputs)).not.toEqual(bytesOf);
    expect(() => keccakFTrace(randomStates(2, 1n), 5)).toThrow(/do not fit/);
  });
});

describe('KECCAK_256_V1', () => {
  const messages: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)], ['"abc"', utf8('abc')], ['135 bytes', bytes(135, 1)], ['136 bytes', bytes(136, 2)],
    ['137 bytes', bytes(137, 3)], ['1,000 bytes', bytes(1000, 4)],
  ];

  it('has 2,796 columns, 3,361 transitions of degree ≤ 3, 3 periodic columns of length n and 140 boundaries on two rows, whatever the message', () => {
    const air = keccak256Air(keccak256Trace(utf8('abc')).publicInputs);
    expect(KECCAK_256_WIDTH).toBe(2796);
    expect(air.width).toBe(2796);
    expect(new Set(KECCAK_256_COLUMNS).size).toBe(2796);
    expect(air.transitions.length).toBe(3361);
    expect(maxDegree(air)).toBe(3);
    expect(air.periodic.map((p) => p.length)).toEqual([32, 32, 32]);
    // Steps, zero prev_out and capacity, the digest: no boundary per block.
    expect(air.boundaries.length).toBe(24 + 68 + 32 + 16);
    for (const [message, logN] of [[bytes(1000, 4), 8], [bytes(5000, 9), 11]] as const) {
      const big = keccak256Air(keccak256Trace(message, logN).publicInputs);
      expect(big.boundaries.length).toBe(140);
      expect(new Set(big.boundaries.map((b) => b.row))).toEqual(new Set([0, 24 * (Math.floor(message.length / 136) + 1) - 1]));
      expect(big.periodic.map((p) => p.length)).toEqual([2 ** logN, 2 ** logN, 2 ** logN]);
    }
  });

  it('the periodic columns hold each block limb on the row and slot that absorbs it, and 0 elsewhere', () => {
    const message = bytes(200, 7), air = keccak256Air(keccak256Trace(message, 7).publicInputs);
    const padded = new Uint8Array(272);
    padded.set(message);
    padded[200] = 0x01;
    padded[271] = 0x80;
    for (let row = 0; row < 128; row++)
      for (let s = 0; s < 3; s++) {
        const k = Math.floor(row / 24), j = 3 * (row % 24) + s;
        const limb = k < 2 && j < 68 ? padded[136 * k + 2 * j]! | (padded[136 * k + 2 * j + 1]! << 8) : 0;
        expect(air.periodic[s]![row]).toBe(BigInt(limb));
      }
  });

  it.each(messages)('the digest of %s is keccak_256, and its trace satisfies its AIR', (_, message) => {
    const { trace, digest, publicInputs } = keccak256Trace(message);
    expect(bytesToHex(digest)).toBe(bytesToHex(keccak_256(message)));
    expect(checkTrace(keccak256Air(publicInputs), trace)).toEqual({ ok: true });
  });

  it('matches the published Keccak-256 of the empty message', () => {
    expect(bytesToHex(keccak256Trace(new Uint8Array(0)).digest)).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });

  it('a trace of another message fails the first message’s AIR, as do a wrong digest and a broken chain', () => {
    const a = keccak256Trace(bytes(200, 5)), b = keccak256Trace(bytes(200, 6));
    const airA = keccak256Air(a.publicInputs);
    // The digest differs (checkTrace reads boundaries first); claiming message a with b's digest, so
    // that every boundary holds, b's trace is caught by the periodic block columns' transition on
    // the row that absorbs the first differing limb.
    expect(checkTrace(airA, b.trace)).toMatchObject({ ok: false, kind: 'boundary', row: 47, name: 'digest_0_0' });
    const claim = (message: Uint8Array, digest: string) => keccak256Air({ ...a.publicInputs, message: bytesToHex(message), digest });
    expect(checkTrace(claim(bytes(200, 5), b.publicInputs.digest), b.trace)).toMatchObject({ ok: false, kind: 'transition', row: 0, name: 'absorb_block_0' });
    // Messages that differ in byte 136 + 24 (block 1, limb 12: round 4, slot 0) only.
    const late = bytes(200, 5);
    late[136 + 24]! ^= 0x40;
    const lateTrace = keccak256Trace(late);
    expect(checkTrace(claim(bytes(200, 5), lateTrace.publicInputs.digest), lateTrace.trace)).toMatchObject({ ok: false, kind: 'transition', row: 24 + 4, name: 'absorb_block_0' });
    expect(checkTrace(claim(late, a.publicInputs.digest), a.trace)).toMatchObject({ ok: false, kind: 'transition', row: 28, name: 'absorb_block_0' });
    const wrongDigest = keccak256Air({ ...a.publicInputs, digest: bytesToHex(keccak_256(bytes(200, 6))) });
    expect(checkTrace(wrongDigest, a.trace)).toMatchObject({ ok: false, kind: 'boundary', row: 47, name: expect.stringMatching(/^digest_/) });
    // The second permutation's carried output, changed: the carry from row 23 on breaks.
    expect(checkTrace(airA, tamper(a.trace, KECCAK_256_COLUMNS, 'prev_out_2_1', 30, (v) => v ^ 4n)))
      .toMatchObject({ ok: false, kind: 'transition', row: 29, name: 'carry_rate_2_1' });
    // A preimage bit of an absorbed limb, flipped.
    expect(checkTrace(airA, tamper(a.trace, KECCAK_256_COLUMNS, 'absorb_preimage_bit_1_5', 26, (v) => v ^ 1n)))
      .toMatchObject({ ok: false, kind: 'transition', row: 26, name: 'absorb_preimage_1' });
    // A block bit of the message, and one of a zero padding block (rows 48 … 63): the periodic column binds both.
    expect(checkTrace(airA, tamper(a.trace, KECCAK_256_COLUMNS, 'absorb_block_bit_2_9', 30, (v) => v ^ 1n)))
      .toMatchObject({ ok: false, kind: 'transition', row: 30, name: 'absorb_block_2' });
    expect(checkTrace(airA, tamper(a.trace, KECCAK_256_COLUMNS, 'absorb_block_bit_0_0', 50, (v) => v ^ 1n)))
      .toMatchObject({ ok: false, kind: 'transition', row: 50, name: 'absorb_block_0' });
  });

  it('the last row is padding after the digest: no transition checks its own cells, and it carries nothing', () => {
    const a = keccak256Trace(bytes(200, 5)), n = a.publicInputs.steps, airA = keccak256Air(a.publicInputs);
    expect(Math.max(...airA.boundaries.map((b) => b.row))).toBe(47);
    expect(47).toBeLessThanOrEqual(n - 2);
    expect(airA.periodic.every((p) => p[n - 1] === 0n)).toBe(true);
    expect(checkTrace(airA, tamper(a.trace, KECCAK_256_COLUMNS, 'absorb_block_bit_0_0', n - 1, (v) => v ^ 1n))).toEqual({ ok: true });
    // The most blocks a trace holds still leave the digest row (24·blocks − 1) at most n − 2.
    const full = keccak256Trace(bytes(136 * 5 - 1, 1), 7);
    expect(checkTrace(keccak256Air(full.publicInputs), full.trace)).toEqual({ ok: true });
    expect(() => keccak256Trace(bytes(136 * 5, 1), 7)).toThrow(/do not fit/);
  });

  it('validates its public inputs and encodes them injectively', () => {
    const { publicInputs } = keccak256Trace(utf8('abc'));
    expect(() => keccak256Air({ ...publicInputs, digest: 'ab' })).toThrow(/digest: must be 64 lowercase hex digits/);
    expect(() => keccak256Air({ ...publicInputs, message: 'abc' })).toThrow(/message: must be lowercase hex/);
    expect(() => keccak256Air({ ...publicInputs, message: '0A' })).toThrow(/message: must be lowercase hex/);
    // Megabytes of message parse (the hex check has no per-byte regexp stack).
    expect(Keccak256PublicInputsSchema.safeParse({ ...publicInputs, steps: 2 ** 30, message: 'ab'.repeat(6_000_000) }).success).toBe(true);
    expect(() => keccak256Air({ ...publicInputs, message: '00'.repeat(136) })).toThrow(/more blocks than the trace holds/);
    expect(encodeKeccak256PublicInputs(publicInputs)).not.toEqual(encodeKeccak256PublicInputs({ ...publicInputs, message: '616263' + '00' }));
    expect(() => keccak256Trace(new Uint8Array(136), 5)).toThrow(/do not fit/);
  });
});

describe('the registry entry keccak (keccak_256_v1)', () => {
  it('is registered under the short name keccak; keccak_f_v1 is not registered', () => {
    expect(AIR_BY_NAME.keccak).toBe(KECCAK_256_AIR_ID);
    const entry = AIRS[KECCAK_256_AIR_ID];
    expect(entry.name).toBe('keccak');
    expect(entry.columns).toBe(KECCAK_256_COLUMNS);
    expect(entry.air).toBe(keccak256Air);
    expect(entry.encode).toBe(encodeKeccak256PublicInputs);
    expect(Object.keys(AIRS)).not.toContain('keccak_f_v1');
  });

  it.each([5, 6, 7])('sample(%i) fills the trace with whole blocks, padding inside the last, and satisfies its AIR', (logN) => {
    const { trace, publicInputs } = AIRS[KECCAK_256_AIR_ID].sample(logN);
    const blocks = Math.floor(2 ** logN / 24);
    const message = Uint8Array.from(Buffer.from(publicInputs.message, 'hex'));
    expect(message.length).toBe(136 * blocks - 1);
    expect(publicInputs.steps).toBe(2 ** logN);
    expect(publicInputs.digest).toBe(bytesToHex(keccak_256(message)));
    expect(AIRS[KECCAK_256_AIR_ID].schema.safeParse(publicInputs).success).toBe(true);
    expect(checkTrace(keccak256Air(publicInputs), trace)).toEqual({ ok: true });
  });

  it('sample is deterministic (SHAKE128 of a fixed seed) and refuses logN below 5 with a RangeError', () => {
    const a = keccak256Sample(6), b = keccak256Sample(6);
    expect(a.publicInputs).toEqual(b.publicInputs);
    // The first bytes of SHAKE128("capseal keccak_256_v1 sample"), and a longer sample extends a shorter one.
    expect(keccak256Sample(7).publicInputs.message.startsWith(a.publicInputs.message)).toBe(true);
    for (const logN of [4, 3, 0, -1]) expect(() => keccak256Sample(logN)).toThrow(RangeError);
    expect(() => keccak256Sample(4)).toThrow(/logN 4 is below 5: one Keccak-f permutation takes 24 rows/);
    expect(() => keccak256Sample(5.5)).toThrow(RangeError);
    expect(() => keccak256Sample(31)).toThrow(RangeError);
  });
});

describe('proofs on the CPU (TEST_OPTIONS_INSECURE)', () => {
  const STATEMENT = new Uint8Array(32).fill(0x4b);
  let k: Kernels;
  let backend: CpuBackend;
  beforeAll(async () => {
    k = await Kernels.load();
    backend = await CpuBackend.create();
  });
  afterAll(() => backend.destroy());

  const proveAndCheck = async (air: Air, trace: BigUint64Array[], pub: Uint8Array, other: { air: Air; pub: Uint8Array }) => {
    const { proof } = await prove(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: pub, options: TEST_OPTIONS_INSECURE });
    expect(verifyProof(k, air, proof, STATEMENT, pub, { minSecurityBits: 0 })).toEqual({ ok: true, securityBits: 28 });
    expect(verifyProof(k, other.air, proof, STATEMENT, other.pub, { minSecurityBits: 0 }).ok).toBe(false);
  };

  it('proves Keccak-f of one state at logN 5; a verifier holding another input rejects the proof', async () => {
    const t = keccakFTrace(randomStates(1, 7n), 5), other = keccakFTrace(randomStates(1, 8n), 5).publicInputs;
    await proveAndCheck(keccakFAir(t.publicInputs), t.trace, encodeKeccakFPublicInputs(t.publicInputs),
      { air: keccakFAir(other), pub: encodeKeccakFPublicInputs(other) });
  });

  it('proves the registry\'s keccak sample at logN 5 (135 bytes, a full block); a verifier holding another message rejects the proof', async () => {
    const entry = AIRS[KECCAK_256_AIR_ID], t = entry.sample(5);
    const otherMessage = Uint8Array.from(Buffer.from(t.publicInputs.message, 'hex'));
    otherMessage[100]! ^= 1;
    const other = keccak256Trace(otherMessage).publicInputs;
    await proveAndCheck(entry.air(t.publicInputs), t.trace, entry.encode(t.publicInputs), { air: entry.air(other), pub: entry.encode(other) });
  });

  it('a dishonest proof of another message\'s trace, claimed with that trace\'s digest, does not verify: the periodic columns bind the message', async () => {
    const entry = AIRS[KECCAK_256_AIR_ID], honest = entry.sample(5).publicInputs;
    const otherMessage = Uint8Array.from(Buffer.from(honest.message, 'hex'));
    otherMessage[100]! ^= 1;
    const other = keccak256Trace(otherMessage);
    // Every boundary holds (same steps, the other trace's digest); only the block binding breaks.
    const claim = { ...honest, digest: other.publicInputs.digest }, air = entry.air(claim), pub = entry.encode(claim);
    expect(checkTrace(air, other.trace)).toMatchObject({ ok: false, kind: 'transition', row: 16, name: 'absorb_block_2' });
    const { proof } = await proveDishonestly(k, backend, { air, trace: other.trace, statementHash: STATEMENT, publicInputs: pub, options: TEST_OPTIONS_INSECURE });
    expect(verifyProof(k, air, proof, STATEMENT, pub, { minSecurityBits: 0 }).ok).toBe(false);
  });
});
