// The Keccak-256 Merkle tree AIR (src/airs/keccak-merkle.ts): the native reference against a tree
// rebuilt here from @noble/hashes' keccak_256, honest traces that satisfy the AIR (its LogUp bus
// included), the sample, the public inputs, and forgeries — a parent hashing a digest that is not its
// child's, wrong `uses`, an opening's sibling digest that is not the tree's, an opening path that skips
// a level — that break the constraint they must; one honest proof verifies on the CPU, and proofs of
// the forgeries (by the prover without its own check), a tampered proof and other public inputs do not.
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeKeccakMerklePublicInputs, KECCAK_MERKLE_ACCUMULATOR_BASE, KECCAK_MERKLE_AIR_ID, KECCAK_MERKLE_COLUMNS, KECCAK_MERKLE_MIN_LOG_N, KECCAK_MERKLE_WIDTH,
  keccakMerkle, keccakMerkleAir, KeccakMerklePublicInputsSchema, keccakMerkleSample, keccakMerkleTrace, type KeccakMerklePublicInputs,
} from '../src/airs/keccak-merkle.js';
import { LANES, LIMBS, outputColumn, preimageColumn, writePermutation } from '../src/airs/keccak.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import type { Fp2 } from '../src/field/ext2.js';
import * as Fp from '../src/field/goldilocks.js';
import { prove } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { compositionSegments, maxDegree, type Air } from '../src/stark/air.js';
import { checkAuxTrace } from '../src/stark/aux.js';
import { degree } from '../src/stark/expr.js';
import { TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import type { StarkProof } from '../src/stark/proof.js';
import { verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';

const SEED = bytesToHex(Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff));
const K = KECCAK_MERKLE_ACCUMULATOR_BASE;
const col = (name: string): number => {
  const c = KECCAK_MERKLE_COLUMNS.indexOf(name);
  expect(c).toBeGreaterThanOrEqual(0);
  return c;
};
const CHALLENGES: Fp2[] = [[0x1234567890abcdefn, 0x0fedcba987654321n], [0x13579bdf2468ace0n, 0x0eca8642fdb97531n]];
const check = (air: Air, trace: readonly BigUint64Array[]) => checkAuxTrace(air, trace, air.aux!.build(trace, CHALLENGES), CHALLENGES);

/** The tree, its openings and their accumulator, rebuilt from the statement with keccak_256 alone. */
function rebuild(seed: Uint8Array, depth: number, openings: readonly number[]) {
  const leaves = 2 ** depth, digest: Uint8Array[] = [];
  for (let i = 0; i < leaves; i++) {
    const index = new Uint8Array(8);
    new DataView(index.buffer).setBigUint64(0, BigInt(i), true);
    digest[leaves + i] = keccak_256(concatBytes(seed, index));
  }
  for (let v = leaves - 1; v >= 1; v--) digest[v] = keccak_256(concatBytes(digest[2 * v]!, digest[2 * v + 1]!));
  const paths = openings.map((j) => {
    const levels = [];
    for (let v = leaves + j; v > 1; v = Math.floor(v / 2)) {
      const sibling = v % 2 === 0 ? v + 1 : v - 1;
      levels.push({ id: v, digest: digest[v]!, sibling, siblingDigest: digest[sibling]! });
    }
    return levels;
  });
  // Digest words: bytes 6m … 6m + 5 (m < 5) and bytes 30, 31, little-endian.
  const words = (d: Uint8Array) => [0, 1, 2, 3, 4, 5].map((m) => [...d.subarray(6 * m, 6 * m + 6)].reverse().reduce((w, b) => (w << 8n) | BigInt(b), 0n));
  let acc = 0n;
  for (const l of paths.flat()) for (const e of [BigInt(l.id), ...words(l.digest), BigInt(l.sibling), ...words(l.siblingDigest)]) acc = (acc * K + e) % Fp.P;
  return { root: digest[1]!, paths, accumulator: acc };
}

/** A deep copy of a trace. */
const copy = (trace: readonly BigUint64Array[]): BigUint64Array[] => trace.map((c) => c.slice());

/** Recomputes the acc column from the opening columns (module comment's fold); returns the accumulator. */
function refold(trace: BigUint64Array[], rows: number): string {
  const at = (name: string, row: number) => trace[col(name)]![row]!;
  const words = (prefix: string, row: number) => [0, 1, 2, 3, 4, 5].map((m) => at(`${prefix}_${m}`, row));
  let acc = 0n;
  for (let r = 0; r < rows; r++) {
    trace[col('acc')]![r] = acc;
    const id = at('path_id', r), sibling = Fp.sub(Fp.add(id, 1n), 2n * at('path_bit', r));
    for (const e of [id, ...words('path_word', r), sibling, ...words('sibling_word', r)]) acc = Fp.add(Fp.mul(acc, K), e);
  }
  trace[col('acc')]!.fill(acc, rows);
  return acc.toString();
}

// Depth 2 over 256 rows (7 permutations, 168 rows), three openings (6 rows), one of them twice.
const STATEMENT = { steps: 256, seed: SEED, depth: 2, openings: [1, 2, 2] };
const honest = keccakMerkleTrace(STATEMENT);
const honestAir = keccakMerkleAir(honest.publicInputs);

/** The root's preimage with a child digest's first bit flipped, its permutation rewritten: a parent hashing a digest its child never sent. */
function forgedChild(): { trace: BigUint64Array[]; publicInputs: KeccakMerklePublicInputs } {
  const trace = copy(honest.trace);
  const input = new Uint32Array(2 * LANES);
  for (let i = 0; i < LANES; i++)
    for (let l = 0; l < LIMBS; l++) input[2 * i + (l >> 1)]! |= Number(trace[preimageColumn(i, l)]![0]!) << (16 * (l & 1));
  input[0]! ^= 1;
  writePermutation(trace.map((c) => new Uint32Array(c.buffer)), 0, input, 24);
  const root = new Uint8Array(32);
  for (let l = 0; l < 16; l++) new DataView(root.buffer).setUint16(2 * l, Number(trace[outputColumn(l >> 2, l & 3)]![23]!), true);
  return { trace, publicInputs: { ...honest.publicInputs, root: bytesToHex(root) } };
}

/** Node 2's uses one short and node 3's one over: the same total, but the bus no longer balances. */
function wrongUses(): BigUint64Array[] {
  const trace = copy(honest.trace), uses = trace[col('uses')]!;
  uses[24 * 1 + 23]! -= 1n;
  uses[24 * 2 + 23]! += 1n;
  return trace;
}

/** Opening 0, level 0: a sibling digest word off by one, with the accumulator that folds it. */
function wrongSibling(): { trace: BigUint64Array[]; publicInputs: KeccakMerklePublicInputs } {
  const trace = copy(honest.trace);
  trace[col('sibling_word_2')]![0]! += 1n;
  return { trace, publicInputs: { ...honest.publicInputs, accumulator: refold(trace, 6) } };
}

/**
 * Opening 0 (leaf 1, node 5) going from the leaf straight to the root: level 1 holds node 1 with
 * sibling node 2 instead of node 2 with sibling node 3, every received tuple genuine (uses adjusted)
 * and the accumulator refolded, so only the path's chain breaks.
 */
function skippedLevel(): { trace: BigUint64Array[]; publicInputs: KeccakMerklePublicInputs } {
  const trace = copy(honest.trace), tree = keccakMerkle(hexToBytes(SEED), 2, [0]);
  const set = (name: string, v: bigint) => (trace[col(name)]![1] = v);
  const wordsOf = (v: number) => [0, 1, 2, 3, 4, 5].map((m) => tree.nodes.subarray(32 * v + 6 * m, 32 * v + Math.min(6 * m + 6, 32)).reduceRight((w, b) => w * 256n + BigInt(b), 0n));
  set('path_id', 1n);
  set('path_bit', 0n);
  set('top', 0n);
  wordsOf(1).forEach((w, m) => set(`path_word_${m}`, w));
  wordsOf(2).forEach((w, m) => set(`sibling_word_${m}`, w));
  const uses = trace[col('uses')]!;
  uses[23]! += 1n; // node 1, now received
  uses[24 * 2 + 23]! -= 1n; // node 3, no longer
  return { trace, publicInputs: { ...honest.publicInputs, accumulator: refold(trace, 6) } };
}

describe('keccakMerkle, the native reference', () => {
  it.each([[1, [0, 1, 1]], [2, [3, 0]], [3, [5, 2, 7, 0]]] as const)('depth %i: root, opening paths and accumulator agree with a tree rebuilt from keccak_256', (depth, openings) => {
    const seed = hexToBytes(SEED), tree = keccakMerkle(seed, depth, openings), want = rebuild(seed, depth, openings);
    expect(bytesToHex(tree.root)).toBe(bytesToHex(want.root));
    expect(tree.paths).toEqual(want.paths);
    expect(tree.accumulator).toBe(want.accumulator);
    expect(tree.nodes.length).toBe(64 * 2 ** depth);
    expect(bytesToHex(tree.nodes.subarray(32, 64))).toBe(bytesToHex(want.root));
  });

  it('refuses a seed that is not 32 bytes, a depth outside [1, 20] and an index that is not a leaf', () => {
    expect(() => keccakMerkle(new Uint8Array(31), 2, [0])).toThrow(/32 bytes/);
    expect(() => keccakMerkle(new Uint8Array(32), 0, [0])).toThrow(/depth 0/);
    expect(() => keccakMerkle(new Uint8Array(32), 21, [0])).toThrow(/depth 21/);
    expect(() => keccakMerkle(new Uint8Array(32), 2, [4])).toThrow(/not a leaf index/);
  });
});

describe('KECCAK_MERKLE_V1', () => {
  it('has 2,653 columns, transitions of degree ≤ 3, 50 boundaries on 8 rows, a periodic column of the opening rows, and a LogUp bus', () => {
    expect(KECCAK_MERKLE_WIDTH).toBe(2653);
    expect(new Set(KECCAK_MERKLE_COLUMNS).size).toBe(2653);
    expect(honestAir.width).toBe(2653);
    expect(honestAir.transitions.length).toBe(3264 + 7);
    expect(maxDegree(honestAir)).toBe(3);
    expect(honestAir.transitions.every((t) => degree(t) <= 3)).toBe(true);
    expect(compositionSegments(honestAir)).toBe(2);
    expect(honestAir.boundaries.length).toBe(50);
    expect(new Set(honestAir.boundaries.map((b) => b.row))).toEqual(new Set([0, 23, 71, 72, 167, 168, 5, 6]));
    expect(honestAir.periodic.map((p) => [...p])).toEqual([[5n, 0n, 6n, 0n, 6n, 0n, 0n, 0n]]);
    expect(honestAir.aux).toMatchObject({ width: 4, challenges: 2 });
    expect(honestAir.names?.auxColumns).toEqual(['logup_t0', 'logup_t1', 'logup_t2', 'logup_sum']);
  });

  it('honest traces satisfy the AIR at logN 7 and 8, the bus included', () => {
    expect(check(honestAir, honest.trace)).toEqual({ ok: true });
    const small = keccakMerkleSample(7);
    expect(small.publicInputs).toMatchObject({ steps: 128, depth: 1, openings: [expect.any(Number)] });
    expect(check(keccakMerkleAir(small.publicInputs), small.trace)).toEqual({ ok: true });
  });

  it('the trace holds each node on its permutation, its uses, and the opening rows the reference computes', () => {
    const { trace, publicInputs } = honest, tree = keccakMerkle(hexToBytes(SEED), 2, STATEMENT.openings);
    expect(publicInputs.root).toBe(bytesToHex(tree.root));
    expect(publicInputs.accumulator).toBe(tree.accumulator.toString());
    const at = (name: string, row: number) => Number(trace[col(name)]![row]!);
    // Permutation p computes node p + 1: internal nodes 1 … 3, leaves 4 … 7, then padding.
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => [at('id', 24 * p), at('internal', 24 * p), at('active', 24 * p + 23)])).toEqual([
      [1, 1, 1], [2, 1, 1], [3, 1, 1], [4, 0, 1], [5, 0, 1], [6, 0, 1], [7, 0, 1], [8, 0, 0], [9, 0, 0], [10, 0, 0],
    ]);
    // Openings of leaves 1, 2, 2: paths 5 → 2, 6 → 3, 6 → 3 with siblings 4, 3, 7, 2, 7, 2; each node
    // but the root is also received by its parent.
    expect([1, 2, 3, 4, 5, 6, 7].map((v) => at('uses', 24 * v - 1))).toEqual([0, 1 + 3, 1 + 3, 1 + 1, 1 + 1, 1 + 2, 1 + 2]);
    expect([0, 1, 2, 3, 4, 5, 6].map((r) => [at('open', r), at('path_id', r), at('path_bit', r), at('top', r)])).toEqual([
      [1, 5, 1, 0], [1, 2, 0, 1], [1, 6, 0, 0], [1, 3, 1, 1], [1, 6, 0, 0], [1, 3, 1, 1], [0, 0, 0, 0],
    ]);
    expect(trace[col('acc')]![6]).toBe(tree.accumulator);
    expect(trace[col('acc')]![255]).toBe(tree.accumulator);
  });

  it('sample: the deepest tree that fits, 2^(depth − 1) openings, deterministic; refuses logN below 7', () => {
    expect(KECCAK_MERKLE_MIN_LOG_N).toBe(7);
    const a = keccakMerkleSample(8), b = keccakMerkleSample(8);
    expect(a.publicInputs).toEqual(b.publicInputs);
    expect(a.publicInputs).toMatchObject({ steps: 256, depth: 2 });
    expect(a.publicInputs.openings).toHaveLength(2);
    expect(a.publicInputs.seed).toBe(bytesToHex(sha256(new TextEncoder().encode('capseal keccak_merkle_v1 sample'))));
    const ten = keccakMerkleSample(10).publicInputs;
    expect(ten).toMatchObject({ steps: 1024, depth: 4, seed: a.publicInputs.seed });
    expect(ten.openings).toHaveLength(8);
    expect(ten.openings.every((j) => j >= 0 && j < 16)).toBe(true);
    for (const logN of [6, 3, 0]) expect(() => keccakMerkleSample(logN)).toThrow(RangeError);
    expect(() => keccakMerkleSample(6)).toThrow(/logN 6 is below 7/);
    expect(() => keccakMerkleSample(31)).toThrow(RangeError);
  });

  it('validates its public inputs, naming the field, and encodes them injectively', () => {
    const pi = honest.publicInputs;
    expect(KeccakMerklePublicInputsSchema.safeParse(pi).success).toBe(true);
    expect(() => keccakMerkleAir({ ...pi, openings: [1, 4] })).toThrow(/openings\[1\]: index 4 is not a leaf of a depth-2 tree/);
    expect(() => keccakMerkleAir({ ...pi, openings: [] })).toThrow(/openings: must hold at least one leaf index/);
    expect(() => keccakMerkleAir({ ...pi, openings: [0.5] })).toThrow(/openings\[0\]: must be an integer/);
    expect(() => keccakMerkleAir({ ...pi, depth: 3, openings: [1] })).toThrow(/depth: the tree's 15 permutations do not fit the trace/);
    expect(() => keccakMerkleAir({ ...pi, depth: 21 })).toThrow(/depth: must be at most 20/);
    expect(() => keccakMerkleAir({ ...pi, openings: Array(128).fill(0) })).toThrow(/openings: 128 openings of 2 rows each do not fit/);
    expect(() => keccakMerkleAir({ ...pi, seed: SEED.toUpperCase() })).toThrow(/seed: must be 64 lowercase hex digits/);
    expect(() => keccakMerkleAir({ ...pi, root: 'ab' })).toThrow(/root: must be 64 lowercase hex digits/);
    expect(() => keccakMerkleAir({ ...pi, accumulator: Fp.P.toString() })).toThrow(/accumulator: must be a canonical field element/);
    expect(() => keccakMerkleAir({ ...pi, extra: 1 })).toThrow(RangeError);
    expect(() => keccakMerkleTrace({ ...STATEMENT, depth: 3 })).toThrow(/depth: the tree's 15 permutations do not fit/);
    const bytes = encodeKeccakMerklePublicInputs(pi);
    expect(bytes.length).toBe(4 + KECCAK_MERKLE_AIR_ID.length + 8 + 32 + 4 + 4 + 4 * 3 + 32 + 8);
    const view = new DataView(bytes.buffer), at = 4 + KECCAK_MERKLE_AIR_ID.length;
    expect([view.getBigUint64(at, true), view.getUint32(at + 40, true), view.getUint32(at + 44, true), view.getUint32(at + 48, true)]).toEqual([256n, 2, 3, 1]);
    expect(view.getBigUint64(bytes.length - 8, true)).toBe(BigInt(pi.accumulator));
    expect(encodeKeccakMerklePublicInputs({ ...pi, openings: [1, 2] })).not.toEqual(bytes);
    expect(encodeKeccakMerklePublicInputs({ ...pi, openings: [2, 2, 1] })).not.toEqual(bytes);
  });

  it('a parent hashing a digest its child never sent breaks the bus (the lookup has no sender)', () => {
    const forged = forgedChild();
    expect(forged.publicInputs.root).not.toBe(honest.publicInputs.root);
    expect(check(keccakMerkleAir(forged.publicInputs), forged.trace)).toMatchObject({ ok: false, kind: 'row', name: 'logup_sum_last' });
  });

  it('wrong uses break the bus, as does an opening’s sibling digest that is not the tree’s', () => {
    expect(check(honestAir, wrongUses())).toMatchObject({ ok: false, kind: 'row', name: 'logup_sum_last' });
    const sibling = wrongSibling();
    expect(sibling.publicInputs.accumulator).not.toBe(honest.publicInputs.accumulator);
    expect(check(keccakMerkleAir(sibling.publicInputs), sibling.trace)).toMatchObject({ ok: false, kind: 'row', name: 'logup_sum_last' });
  });

  it('an opening path that skips a level breaks the chain, though every tuple it receives is the tree’s', () => {
    const skipped = skippedLevel();
    expect(check(keccakMerkleAir(skipped.publicInputs), skipped.trace)).toMatchObject({ ok: false, kind: 'transition', row: 0, name: 'path_chain' });
  });

  it('a wrong root, accumulator, seed or opening index fails a boundary or a transition', () => {
    const pi = honest.publicInputs, trace = honest.trace;
    expect(check(keccakMerkleAir({ ...pi, root: bytesToHex(keccak_256(new Uint8Array(1))) }), trace)).toMatchObject({ ok: false, kind: 'boundary', row: 23 });
    // The lowered AIR's failures carry indices: the accumulator's boundary is the one named so.
    expect(check(keccakMerkleAir({ ...pi, accumulator: '7' }), trace))
      .toMatchObject({ ok: false, kind: 'boundary', row: 6, index: honestAir.names!.boundaries!.indexOf('accumulator') });
    // Leaf 4 (permutation 4, rows 72 …) hashes the seed: its first lane no longer matches.
    expect(check(keccakMerkleAir({ ...pi, seed: '00'.repeat(32) }), trace)).toMatchObject({ ok: false, kind: 'transition', row: 72, name: 'node_preimage_0_0' });
    expect(check(keccakMerkleAir({ ...pi, openings: [1, 3, 2] }), trace)).toMatchObject({ ok: false, kind: 'transition', row: 2, name: 'opening_entry' });
  });
});

describe('proofs on the CPU (TEST_OPTIONS_INSECURE)', () => {
  const STATEMENT_HASH = new Uint8Array(32).fill(0x4d);
  const options = TEST_OPTIONS_INSECURE;
  let k: Kernels;
  let backend: CpuBackend;
  let proof: StarkProof;
  beforeAll(async () => {
    k = await Kernels.load();
    backend = await CpuBackend.create();
  });
  afterAll(() => backend.destroy());
  const verify = (p: StarkProof, pi: KeccakMerklePublicInputs) =>
    verifyProof(k, keccakMerkleAir(pi), p, STATEMENT_HASH, encodeKeccakMerklePublicInputs(pi), { minSecurityBits: 0 });

  it('proves a depth-2 tree and three openings at logN 8; a tampered proof or other public inputs do not verify', async () => {
    proof = (await prove(k, backend, { air: honestAir, trace: honest.trace, statementHash: STATEMENT_HASH, publicInputs: encodeKeccakMerklePublicInputs(honest.publicInputs), options })).proof;
    const pi = honest.publicInputs;
    expect(verify(proof, pi)).toEqual({ ok: true, securityBits: 28 });
    const ood = proof.oodTrace.map((x, i): Fp2 => (i === col('acc') ? [Fp.add(x[0], 1n), x[1]] : x));
    expect(verify({ ...proof, oodTrace: ood }, pi).ok).toBe(false);
    const others: KeccakMerklePublicInputs[] = [
      { ...pi, root: bytesToHex(keccak_256(new Uint8Array(1))) },
      { ...pi, seed: '00'.repeat(32) },
      { ...pi, accumulator: Fp.add(BigInt(pi.accumulator), 1n).toString() },
      { ...pi, openings: [1, 3, 2] },
    ];
    for (const other of others) expect(verify(proof, other).ok).toBe(false);
  });

  const input = (f: { trace: BigUint64Array[]; publicInputs: KeccakMerklePublicInputs }) => ({
    air: keccakMerkleAir(f.publicInputs), trace: f.trace, statementHash: STATEMENT_HASH, publicInputs: encodeKeccakMerklePublicInputs(f.publicInputs), options,
  });

  // The honest prover refuses each forged trace (its check is checkAuxTrace's, above); the prover
  // without that check makes proofs the verifier rejects. The two forged lookups here; wrong uses and
  // a skipped level are the trace checks above (a proof each would add half a minute to the suite).
  it.each([
    ['a child digest its parent hashes but the child never sent', forgedChild],
    ['a sibling digest that is not the tree’s', wrongSibling],
  ] as const)('a proof of a forged trace does not verify: %s', async (_, forge) => {
    const forged = forge();
    const { proof: p } = await proveDishonestly(k, backend, input(forged));
    expect(verify(p, forged.publicInputs).ok).toBe(false);
  });
});
