// The Keccak-256 chain as an AIR (src/airs/keccak-chain.ts): the native chain against a recomputation
// with @noble/hashes written here, traces that satisfy the AIR at several sizes (one round is
// keccak_256_v1's trace), traces that do not chain, absorb another body byte or claim another digest
// or fewer rounds, the public inputs and their bytes, the sample, and a proof made and verified on
// the CPU that neither a tampered copy nor other public inputs pass, nor a dishonest proof of an
// unchained trace.
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256, shake128 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeKeccakChainPublicInputs, KECCAK_CHAIN_AIR_ID, KECCAK_CHAIN_COLUMNS, KECCAK_CHAIN_MIN_LOG_N, keccakChain, keccakChainAir,
  KeccakChainPublicInputsSchema, keccakChainSample, keccakChainTrace, type KeccakChainPublicInputs,
} from '../src/airs/keccak-chain.js';
import {
  KECCAK_256_COLUMNS, keccak256Air, keccak256BlockColumns, keccak256Pad, keccak256Trace, keccakSpongeTrace,
} from '../src/airs/keccak-256.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import * as Fp from '../src/field/goldilocks.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { airDigest, checkTrace, maxDegree } from '../src/stark/air.js';
import { degree } from '../src/stark/expr.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';

const SEED = bytesToHex(sha256(new TextEncoder().encode('keccak-chain test seed')));
const OTHER_SEED = bytesToHex(sha256(new TextEncoder().encode('keccak-chain other seed')));

/** The chain's digests, recomputed here from its definition: d_r = keccak_256(d_{r−1} ‖ body_r). */
function referenceDigests(seed: string, rounds: number, messageBytes: number): string[] {
  const bodyBytes = messageBytes - 32, stream = shake128(hexToBytes(seed), { dkLen: rounds * bodyBytes });
  const digests: string[] = [];
  let d = new Uint8Array(32);
  for (let r = 0; r < rounds; r++) {
    d = keccak_256(Uint8Array.from([...d, ...stream.slice(r * bodyBytes, (r + 1) * bodyBytes)]));
    digests.push(bytesToHex(d));
  }
  return digests;
}

/** Blocks a message of B bytes pads to. */
const blocksOf = (messageBytes: number) => Math.floor(messageBytes / 136) + 1;

const chainTrace = (logN: number, rounds: number, messageBytes: number, seed = SEED) =>
  keccakChainTrace({ steps: 2 ** logN, seed, rounds, message_bytes: messageBytes });

/** The messages padded one after another, each head (the previous digest) zeroed: the periodic columns' bytes. */
function headlessBlocks(messages: readonly Uint8Array[]): Uint8Array {
  const padded = messages.map((m) => {
    const headless = m.slice();
    headless.fill(0, 0, 32);
    return keccak256Pad(headless);
  });
  const out = new Uint8Array(padded.reduce((s, p) => s + p.length, 0));
  padded.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** A copy of the trace with the cells (column named `name`, each of `rows`) replaced by f(cell). */
function tamper(trace: readonly BigUint64Array[], name: string, rows: readonly number[], f: (v: bigint) => bigint): BigUint64Array[] {
  const col = KECCAK_CHAIN_COLUMNS.indexOf(name);
  expect(col).toBeGreaterThanOrEqual(0);
  const copy = [...trace];
  copy[col] = trace[col]!.slice();
  for (const row of rows) copy[col]![row] = f(copy[col]![row]!);
  return copy;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Two rounds of a block each (logN 6) where message 1 is hashed on its own, its head 32 zero bytes
 * rather than d_0: rows 0 … 23 the chain's, rows 24 … 63 keccak_256_v1's trace of 0^32 ‖ body_1 (its
 * first permutation starts from the zero state, as a restart does, and its block bits are 0 on
 * lanes 0 … 3, as the periodic columns hold). Claimed with that hash as the digest.
 */
function unchained() {
  const honest = chainTrace(6, 2, 100), { messages } = keccakChain(hexToBytes(SEED), 2, 100);
  const alone = messages[1]!.slice();
  alone.fill(0, 0, 32);
  const other = keccak256Trace(alone, 6);
  const trace = honest.trace.map((col, c) => {
    const spliced = col.slice();
    spliced.set(other.trace[c]!.subarray(0, 64 - 24), 24);
    return spliced;
  });
  return { trace, claim: { ...honest.publicInputs, digest: bytesToHex(other.digest) } };
}

describe('keccakChain, the native chain', () => {
  it.each([[1, 32], [1, 135], [1, 136], [1, 137], [2, 135], [3, 136], [3, 137], [4, 300], [2, 1000]])(
    'R = %i, B = %i: each message is the previous digest ‖ its SHAKE128 body, the digests the recomputed ones',
    (rounds, messageBytes) => {
      const { messages, digests } = keccakChain(hexToBytes(SEED), rounds, messageBytes);
      expect(digests.map(bytesToHex)).toEqual(referenceDigests(SEED, rounds, messageBytes));
      const stream = shake128(hexToBytes(SEED), { dkLen: rounds * (messageBytes - 32) });
      messages.forEach((m, r) => {
        expect(m.length).toBe(messageBytes);
        expect(bytesToHex(m.subarray(0, 32))).toBe(r === 0 ? '00'.repeat(32) : bytesToHex(digests[r - 1]!));
        expect(bytesToHex(m.subarray(32))).toBe(bytesToHex(stream.subarray(r * (messageBytes - 32), (r + 1) * (messageBytes - 32))));
        expect(bytesToHex(digests[r]!)).toBe(bytesToHex(keccak_256(m)));
      });
    },
  );

  it('a shorter chain of the same seed and length is a prefix (SHAKE128 is an XOF); bad arguments are RangeErrors', () => {
    expect(keccakChain(hexToBytes(SEED), 2, 200).digests).toEqual(keccakChain(hexToBytes(SEED), 5, 200).digests.slice(0, 2));
    expect(() => keccakChain(new Uint8Array(31), 1, 32)).toThrow(RangeError);
    for (const rounds of [0, 65, 1.5]) expect(() => keccakChain(hexToBytes(SEED), rounds, 32)).toThrow(/rounds/);
    for (const bytes of [31, 100.5]) expect(() => keccakChain(hexToBytes(SEED), 1, bytes)).toThrow(/message_bytes/);
  });
});

describe('KECCAK_CHAIN_V1', () => {
  it('has KECCAK_256_V1’s 2,796 columns and 3,361 transitions (degree ≤ 3), 4 periodic columns of length n, 140 boundaries on rows 0 and 24RP − 1', () => {
    for (const [logN, rounds, messageBytes] of [[6, 2, 100], [8, 3, 137], [7, 1, 200]] as const) {
      const n = 2 ** logN, perMessage = blocksOf(messageBytes);
      const air = keccakChainAir(chainTrace(logN, rounds, messageBytes).publicInputs);
      const sponge = keccak256Air(keccak256Trace(new Uint8Array(messageBytes), logN).publicInputs);
      expect(air.id).toBe(KECCAK_CHAIN_AIR_ID);
      expect(KECCAK_CHAIN_COLUMNS).toBe(KECCAK_256_COLUMNS);
      expect(air.width).toBe(2796);
      expect(air.transitions.length).toBe(3361);
      expect(air.names?.transitions).toEqual(sponge.names?.transitions);
      expect(maxDegree(air)).toBe(3);
      const at = (name: string) => air.transitions[air.names!.transitions!.indexOf(name)]!;
      expect([at('carry_rate_0_0'), at('carry_rate_4_0'), at('carry_capacity_17_0')].map(degree)).toEqual([2, 2, 2]);
      expect(air.periodic.map((p) => p.length)).toEqual([n, n, n, n]);
      expect(air.boundaries.length).toBe(140);
      expect(new Set(air.boundaries.map((b) => b.row))).toEqual(new Set([0, 24 * rounds * perMessage - 1]));
      // reset: the round-23 row of each message's last permutation but the last message's.
      const resets = [...air.periodic[3]!.entries()].filter(([, v]) => v !== 0n);
      expect(resets).toEqual(range(0, rounds - 1).map((r) => [24 * (r + 1) * perMessage - 1, 1n]));
    }
  });

  it('the periodic block columns hold each message’s padded blocks in turn with its head 0, as keccak_256_v1 fills them', () => {
    const n = 256, { messages } = keccakChain(hexToBytes(SEED), 3, 137);
    const air = keccakChainAir(chainTrace(8, 3, 137).publicInputs);
    messages.forEach((m, r) => {
      const headless = m.slice();
      headless.fill(0, 0, 32);
      const own = keccak256BlockColumns(keccak256Pad(headless), n);
      for (let s = 0; s < 3; s++) expect(air.periodic[s]!.subarray(48 * r, 48 * (r + 1))).toEqual(own[s]!.subarray(0, 48));
      // Limbs 0 … 15 (rounds 0 … 5 of the message's first permutation) are the head.
      for (let j = 0; j < 16; j++) expect(air.periodic[j % 3]![48 * r + Math.floor(j / 3)]).toBe(0n);
    });
    for (let s = 0; s < 4; s++) expect(air.periodic[s]!.subarray(144).every((v) => v === 0n)).toBe(true);
  });

  it('one round is keccak_256_v1 of 0^32 ‖ body_0: the same trace, digest and block columns', () => {
    const t = chainTrace(7, 1, 200), { messages } = keccakChain(hexToBytes(SEED), 1, 200);
    const sponge = keccak256Trace(messages[0]!, 7);
    expect(t.publicInputs.digest).toBe(bytesToHex(sponge.digest));
    t.trace.forEach((col, c) => expect(col).toEqual(sponge.trace[c]));
    const air = keccakChainAir(t.publicInputs), spongeAir = keccak256Air(sponge.publicInputs);
    expect(air.periodic.slice(0, 3)).toEqual(spongeAir.periodic);
    expect(air.periodic[3]!.every((v) => v === 0n)).toBe(true);
  });

  it.each([[6, 2, 100], [7, 4, 135], [7, 5, 32], [7, 1, 200], [8, 4, 136], [8, 3, 137]])(
    'logN %i, R = %i, B = %i: the honest trace satisfies its AIR, its digest the chain’s',
    (logN, rounds, messageBytes) => {
      const { trace, publicInputs } = chainTrace(logN, rounds, messageBytes);
      expect(publicInputs).toEqual({ steps: 2 ** logN, seed: SEED, rounds, message_bytes: messageBytes, digest: referenceDigests(SEED, rounds, messageBytes)[rounds - 1] });
      expect(checkTrace(keccakChainAir(publicInputs), trace)).toEqual({ ok: true });
    },
  );

  it('a trace that does not chain fails on the reset row: a carried digest limb changed, or a message hashed on its own', () => {
    // Three rounds of one block: message 2's permutation on rows 48 … 71 carries d_1 (row 47's output) in prev_out.
    const t = chainTrace(7, 3, 100), air = keccakChainAir(t.publicInputs);
    expect(checkTrace(air, tamper(t.trace, 'prev_out_1_2', range(48, 72), (v) => v ^ 1n)))
      .toMatchObject({ ok: false, kind: 'transition', row: 47, name: 'carry_rate_1_2' });
    // Message 1 hashed with a zero head: every boundary and every row but the reset row hold.
    const { trace, claim } = unchained();
    expect(checkTrace(keccakChainAir(claim), trace)).toMatchObject({ ok: false, kind: 'transition', row: 23, name: expect.stringMatching(/^carry_rate_[0-3]_[0-3]$/) });
  });

  it('a body byte that differs fails the block binding on the row that absorbs it', () => {
    const rounds = 3, messageBytes = 137, t = chainTrace(8, rounds, messageBytes), air = keccakChainAir(t.publicInputs);
    const blocks = headlessBlocks(keccakChain(hexToBytes(SEED), rounds, messageBytes).messages);
    const restarts = [1, 3];
    expect(keccakSpongeTrace(blocks, 256, restarts).trace).toEqual(t.trace);
    // A consistent trace of another body byte, claimed with its own digest: only the periodic columns object.
    const claimOther = (at: number, row: number, name: string) => {
      const other = blocks.slice();
      other[at]! ^= 0x10;
      const fake = keccakSpongeTrace(other, 256, restarts);
      expect(checkTrace(air, fake.trace)).toMatchObject({ ok: false, kind: 'boundary', row: 143 });
      const claim = { ...t.publicInputs, digest: bytesToHex(fake.digests.at(-1)!) };
      expect(checkTrace(keccakChainAir(claim), fake.trace)).toMatchObject({ ok: false, kind: 'transition', row, name });
    };
    // Message 1's byte 72: its first block (permutation 2), limb 36: round 12, slot 0.
    claimOther(2 * 136 + 72, 48 + 12, 'absorb_block_0');
    // Message 2's byte 136 + 10: its second block (permutation 5), limb 5: round 1, slot 2.
    claimOther(4 * 136 + 136 + 10, 120 + 1, 'absorb_block_2');
    // A block bit of the honest trace, flipped.
    expect(checkTrace(air, tamper(t.trace, 'absorb_block_bit_1_3', [24 + 7], (v) => v ^ 1n))).toMatchObject({ ok: false, kind: 'transition', row: 31, name: 'absorb_block_1' });
  });

  it('the public digest binds: another digest, a middle digest, another seed, fewer rounds fail', () => {
    const t = chainTrace(7, 3, 100), digests = referenceDigests(SEED, 3, 100);
    const check = (pi: Partial<KeccakChainPublicInputs>) => checkTrace(keccakChainAir({ ...t.publicInputs, ...pi }), t.trace);
    const flipped = hexToBytes(t.publicInputs.digest);
    flipped[31]! ^= 1;
    expect(check({ digest: bytesToHex(flipped) })).toMatchObject({ ok: false, kind: 'boundary', row: 71, name: 'digest_3_3' });
    expect(check({ digest: digests[1] })).toMatchObject({ ok: false, kind: 'boundary', row: 71, name: expect.stringMatching(/^digest_/) });
    // Another seed's trace claimed under this seed with its own digest: the first body limb (limb 16: round 5, slot 1) differs.
    const otherSeed = chainTrace(7, 3, 100, OTHER_SEED);
    expect(checkTrace(keccakChainAir({ ...t.publicInputs, digest: otherSeed.publicInputs.digest }), otherSeed.trace))
      .toMatchObject({ ok: false, kind: 'transition', row: 5, name: 'absorb_block_1' });
    // Two rounds with their true digest d_1 (row 47's output): the sponge must not restart on row 47.
    expect(chainTrace(7, 2, 100).publicInputs.digest).toBe(digests[1]);
    expect(check({ rounds: 2, digest: digests[1] })).toMatchObject({ ok: false, kind: 'transition', row: 47, name: 'carry_rate_4_0' });
  });

  it('rows after the last message absorb zero blocks, no boundary on them; row n − 1’s own cells are free', () => {
    const t = chainTrace(7, 2, 100), n = 128, air = keccakChainAir(t.publicInputs);
    expect(Math.max(...air.boundaries.map((b) => b.row))).toBe(47);
    expect(air.periodic.every((p) => p.subarray(48).every((v) => v === 0n))).toBe(true);
    // Row n − 1's own cells: a block bit no transition reads there (transitions run on rows 0 … n − 2).
    expect(checkTrace(air, tamper(t.trace, 'absorb_block_bit_0_0', [n - 1], (v) => v ^ 1n))).toEqual({ ok: true });
    expect(checkTrace(air, tamper(t.trace, 'absorb_block_bit_0_0', [50], (v) => v ^ 1n))).toMatchObject({ ok: false, kind: 'transition', row: 50, name: 'absorb_block_0' });
    // The fullest chain at logN 7 (5 permutations, 120 rows) holds; one block more does not fit.
    expect(() => chainTrace(7, 6, 32)).toThrow(/message_bytes: rounds·\(floor\(message_bytes \/ 136\) \+ 1\) blocks take more than the trace holds/);
    expect(() => chainTrace(7, 3, 136)).toThrow(/more than the trace holds/);
  });

  it('validates its public inputs and encodes them as specified', () => {
    const pi = chainTrace(6, 2, 100).publicInputs;
    expect(KeccakChainPublicInputsSchema.safeParse(pi).success).toBe(true);
    expect(() => keccakChainAir({ ...pi, seed: pi.seed.toUpperCase() })).toThrow(/seed: must be 64 lowercase hex digits/);
    expect(() => keccakChainAir({ ...pi, digest: pi.digest.slice(2) })).toThrow(/digest: must be 64 lowercase hex digits/);
    for (const rounds of [0, 65, 1.5]) expect(() => keccakChainAir({ ...pi, rounds })).toThrow(/invalid keccak_chain_v1 public inputs: rounds/);
    expect(() => keccakChainAir({ ...pi, message_bytes: 31 })).toThrow(/message_bytes/);
    expect(() => keccakChainAir({ ...pi, steps: 32 })).toThrow(/message_bytes: rounds·.*more than the trace holds/);
    expect(() => keccakChainAir({ ...pi, steps: 48 })).toThrow(/steps: must be a power of two/);
    const { digest: _, ...input } = pi;
    expect(() => keccakChainAir(input)).toThrow(/digest: is required/);
    expect(() => keccakChainAir({ ...pi, extra: 1 })).toThrow(RangeError);
    expect(() => keccakChainTrace(pi)).toThrow(/invalid keccak_chain_v1 trace input/);

    const bytes = encodeKeccakChainPublicInputs(pi), view = new DataView(bytes.buffer);
    const id = new TextEncoder().encode(KECCAK_CHAIN_AIR_ID), at = 4 + id.length;
    expect(bytes.length).toBe(at + 8 + 32 + 4 + 8 + 32);
    expect(view.getUint32(0, true)).toBe(id.length);
    expect(bytes.subarray(4, at)).toEqual(id);
    expect(view.getBigUint64(at, true)).toBe(64n);
    expect(bytesToHex(bytes.subarray(at + 8, at + 40))).toBe(pi.seed);
    expect(view.getUint32(at + 40, true)).toBe(2);
    expect(view.getBigUint64(at + 44, true)).toBe(100n);
    expect(bytesToHex(bytes.subarray(at + 52))).toBe(pi.digest);
    for (const other of [{ seed: OTHER_SEED }, { rounds: 1 }, { message_bytes: 101 }, { digest: '00'.repeat(32) }, { steps: 128 }])
      expect(encodeKeccakChainPublicInputs({ ...pi, ...other })).not.toEqual(bytes);
  });
});

describe('keccak_256_v1 under the shared sponge code', () => {
  // Its AIR digests and traces as they were before keccakSpongeAir and keccakSpongeTrace took them over.
  it.each([
    ['"abc"', 6, new TextEncoder().encode('abc'), 'a36182c62c1b9a4a7d476534cd32ea5bd16e56fb0cfffc5b5712bf0f790c3321', '5440f6b317e94f68aaa2ffeb5a6ae818a2f190ff68c77efcf208ef58c38b2ef7'],
    ['137 bytes', 7, Uint8Array.from({ length: 137 }, (_, i) => (7 * i) & 0xff), 'dab927c9a925d0867a5b36391e9e9d0a1cd0b3c6ab44e32a9f9dff0151f67ef7', '8a4cbffbcfeed9cad848e5328e0b3d2f003cf70ed9ef9f0876562341837ee089'],
  ] as const)('%s at logN %i: the same AIR digest and trace bytes', (_, logN, message, air, trace) => {
    const t = keccak256Trace(message, logN);
    expect(bytesToHex(airDigest(keccak256Air(t.publicInputs)))).toBe(air);
    const h = sha256.create();
    for (const col of t.trace) h.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
    expect(bytesToHex(h.digest())).toBe(trace);
  });
});

describe('keccakChainSample', () => {
  it.each([7, 8])('sample(%i): 4 rounds of 136·⌊⌊(2^logN − 1)/24⌋/4⌋ − 1 bytes, its seed SHA-256 of the fixed string, satisfies its AIR', (logN) => {
    const { trace, publicInputs } = keccakChainSample(logN);
    const messageBytes = 136 * Math.floor(Math.floor((2 ** logN - 1) / 24) / 4) - 1;
    const seed = bytesToHex(sha256(new TextEncoder().encode('capseal keccak_chain_v1 sample')));
    expect(publicInputs).toEqual({ steps: 2 ** logN, seed, rounds: 4, message_bytes: messageBytes, digest: referenceDigests(seed, 4, messageBytes)[3] });
    expect(checkTrace(keccakChainAir(publicInputs), trace)).toEqual({ ok: true });
  });

  it('is deterministic, takes one block a message at logN 7 and more after, and refuses logN below 7 with a RangeError', () => {
    expect(KECCAK_CHAIN_MIN_LOG_N).toBe(7);
    expect(keccakChainSample(7).publicInputs).toEqual(keccakChainSample(7).publicInputs);
    expect(keccakChainSample(7).publicInputs.message_bytes).toBe(135);
    expect(keccakChainSample(10).publicInputs.message_bytes).toBe(136 * 10 - 1);
    for (const logN of [6, 3, 0, -1]) expect(() => keccakChainSample(logN)).toThrow(RangeError);
    expect(() => keccakChainSample(6)).toThrow(/logN 6 is below 7/);
    expect(() => keccakChainSample(7.5)).toThrow(RangeError);
    expect(() => keccakChainSample(31)).toThrow(RangeError);
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

  it('proves the sample at logN 7 (4 rounds of a block); a tampered proof, and the proof under another seed, digest or rounds, are rejected', async () => {
    const { trace, publicInputs } = keccakChainSample(7);
    const air = keccakChainAir(publicInputs), pub = encodeKeccakChainPublicInputs(publicInputs);
    const { proof } = await prove(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: pub, options: TEST_OPTIONS_INSECURE });
    const verify = (p: typeof proof, pi: KeccakChainPublicInputs = publicInputs) =>
      verifyProof(k, keccakChainAir(pi), p, STATEMENT, encodeKeccakChainPublicInputs(pi), { minSecurityBits: 0 });
    expect(verify(proof)).toEqual({ ok: true, securityBits: 28 });
    const root = proof.traceRoot.slice();
    root[0]! ^= 1;
    expect(verify({ ...proof, traceRoot: root }).ok).toBe(false);
    expect(verify({ ...proof, oodTrace: proof.oodTrace.map((x, i) => (i === 5 ? ([Fp.add(x[0], 1n), x[1]] as const) : x)) }).ok).toBe(false);
    // Other statements, true ones among them: another seed's chain, and three rounds of this one.
    const digests = referenceDigests(publicInputs.seed, 4, publicInputs.message_bytes);
    const others: KeccakChainPublicInputs[] = [
      { ...publicInputs, seed: OTHER_SEED, digest: referenceDigests(OTHER_SEED, 4, publicInputs.message_bytes)[3]! },
      { ...publicInputs, digest: digests[2]! },
      { ...publicInputs, rounds: 3, digest: digests[2]! },
    ];
    for (const other of others) expect(verify(proof, other).ok).toBe(false);
  });

  it('a dishonest proof of an unchained trace, claimed with its digest, does not verify', async () => {
    const { trace, claim } = unchained();
    const air = keccakChainAir(claim), pub = encodeKeccakChainPublicInputs(claim);
    const { proof } = await proveDishonestly(k, backend, { air, trace, statementHash: STATEMENT, publicInputs: pub, options: TEST_OPTIONS_INSECURE });
    expect(verifyProof(k, air, proof, STATEMENT, pub, { minSecurityBits: 0 }).ok).toBe(false);
  });
});
