// The worked examples of docs/spec/stark.md (protocol capseal-stark-v1), recomputed from the code.
// Each function returns exactly the text of the document's `example <name>` block of the same name
// (test/spec-examples.test.ts compares them). Where an example spells out bytes the code builds
// internally (the AIR digest's input, the proof header, a transcript hash input), it rebuilds them
// from the specification's description and throws if they do not give the code's own result, so a
// drift between the text and the code fails the test instead of going stale.
import { readFileSync } from 'node:fs';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import * as Fp from '../../src/field/goldilocks.js';
import * as Fp2 from '../../src/field/ext2.js';
import { blake3, sha256Hex } from '../../src/hash/digest.js';
import { hashRowsRowMajor } from '../../src/hash/leaves.js';
import { hashNode } from '../../src/merkle/hasher.js';
import { batchSiblingNodes, openBatch, verifyBatch } from '../../src/merkle/proof.js';
import { buildMerkleTree } from '../../src/merkle/tree.js';
import { airDigest, compositionSegments } from '../../src/stark/air.js';
import { degree as degreeOf } from '../../src/stark/expr.js';
import { decodeProof, encodeProof, PROOF_FORMAT_VERSION, PROOF_FORMAT_VERSION_AUX, PROOF_MAGIC, proofToJson } from '../../src/stark/codec.js';
import { compositionCoefficientCount } from '../../src/stark/composition.js';
import { deepAt } from '../../src/stark/deep.js';
import { COSET_SHIFT, pointAt, reverseBits } from '../../src/stark/domain.js';
import { add, auxCur, auxNext, challenge, constant, cur, evalExtAll, evaluate, mul, next, periodic, pow, serializeExpr, share, sub, type Expr } from '../../src/stark/expr.js';
import { lowerAir } from '../../src/stark/aux.js';
import type { Air } from '../../src/stark/air.js';
import { loweredWidth } from '../../src/stark/verifier.js';
import { lookup, withInteractions } from '../../src/stark/lookup.js';
import { evaluateFinal, foldGroup, friPlan } from '../../src/stark/fri.js';
import { compositionAt, segmentsAt } from '../../src/stark/ood.js';
import { DEFAULT_OPTIONS, distinctQueries, queryDomain, securityBits, TEST_OPTIONS_INSECURE, type ProofOptions } from '../../src/stark/options.js';
import type { StarkProof } from '../../src/stark/proof.js';
import { drawQueries, encodeOptions, nonceBytes, startTranscript } from '../../src/stark/protocol.js';
import { leadingZeroBits, PROTOCOL_ID, Transcript } from '../../src/stark/transcript.js';
import { replayToPow, verifyProof } from '../../src/stark/verifier.js';
import { Kernels } from '../../src/wasm/kernels.js';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { prove } from '../../src/prover/prover.js';
import { fibInstance, GOLDEN } from '../vectors/fib-test.js';

// ---------------------------------------------------------------- helpers

let kernelsPromise: Promise<Kernels> | undefined;
const kernels = (): Promise<Kernels> => (kernelsPromise ??= Kernels.load());

const hex = bytesToHex;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const le = (x: bigint | number, n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => Number((BigInt(x) >> BigInt(8 * i)) & 0xffn));
const lp = (b: Uint8Array): Uint8Array => concatBytes(le(b.length, 8), b);
const tag = (kind: string): Uint8Array => {
  const name = ascii(`${PROTOCOL_ID}/${kind}`);
  return concatBytes(Uint8Array.of(name.length), name);
};
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`spec example: ${what} disagrees with the code`);
}
/** An F_p element as decimal and 0x-hex (16 digits). */
const fp = (x: bigint): string => `${x} (0x${x.toString(16).padStart(16, '0')})`;
/** An F_p2 element as [c0, c1] in decimal. */
const fp2 = (x: Fp2.Fp2): string => `[${x[0]}, ${x[1]}]`;
/** Bytes as hex, broken into lines of `per` bytes, each line indented by `indent`. */
const hexLines = (b: Uint8Array, per = 32, indent = '  '): string =>
  Array.from({ length: Math.ceil(b.length / per) }, (_, i) => indent + hex(b.subarray(i * per, (i + 1) * per))).join('\n');

/** The golden proof (test/vectors/fib-test-proof.bin) and its statement. */
function golden() {
  const bin = new Uint8Array(readFileSync(new URL('../vectors/fib-test-proof.bin', import.meta.url)));
  const proof = decodeProof(bin);
  const { air } = fibInstance(GOLDEN.logN);
  return { bin, proof, air, options: GOLDEN.options as ProofOptions, statementHash: GOLDEN.statementHash, publicInputs: GOLDEN.publicInputs };
}

/** Every challenge of the golden proof, through the verifier's own replay. */
function goldenChallenges() {
  const g = golden();
  const r = replayToPow(g.air, g.options, g.proof, g.statementHash, g.publicInputs);
  const powState = r.transcript.state();
  const powDigest = r.transcript.powDigest(g.proof.nonce);
  check(r.transcript.checkPow(g.proof.nonce, g.options.grindingBits), 'golden proof of work');
  r.transcript.absorb('pow-nonce', nonceBytes(g.proof.nonce));
  const queries = drawQueries(r.transcript, g.air.logN, g.options);
  return { ...g, ...r, powState, powDigest, queries };
}

/**
 * The second vector: fib_test at 2^7 rows with one committed FRI layer (the golden proof has none),
 * non-empty public inputs and a non-zero nonce. Made here by the prover (proofs are deterministic).
 */
const VECTOR2 = {
  logN: 7,
  options: { blowup: 4, queries: 2, grindingBits: 2, foldingFactor: 4 } as ProofOptions,
  statementHash: new Uint8Array(32).fill(0x22),
  publicInputs: Uint8Array.of(1, 2, 3),
};
let vector2Promise: Promise<StarkProof> | undefined;
const vector2 = (): Promise<StarkProof> =>
  (vector2Promise ??= (async () => {
    const k = await kernels();
    const backend = await CpuBackend.create();
    try {
      const { air, trace } = fibInstance(VECTOR2.logN);
      const { proof } = await prove(k, backend, { air, trace, statementHash: VECTOR2.statementHash, publicInputs: VECTOR2.publicInputs, options: VECTOR2.options });
      return proof;
    } finally {
      await backend.destroy();
    }
  })());

// ---------------------------------------------------------------- the auxiliary segment (§5.6, §17.3, §19)

/** An expression in the document's infix notation: − for sub, · for mul; a shared node is shown as its child. */
function infix(e: Expr): string {
  const sum = (n: Expr) => n.op === 'add' || n.op === 'sub';
  const wrap = (n: Expr, when: boolean) => (when ? `(${infix(n)})` : infix(n));
  switch (e.op) {
    case 'const': return String(e.value);
    case 'cur': case 'next': return `${e.op}(${e.col})`;
    case 'periodic': return `periodic(${e.index})`;
    case 'aux-cur': return `auxCur(${e.col})`;
    case 'aux-next': return `auxNext(${e.col})`;
    case 'challenge': return `challenge(${e.index})`;
    case 'add': return `${infix(e.a)} + ${wrap(e.b, sum(e.b))}`;
    case 'sub': return `${infix(e.a)} − ${wrap(e.b, sum(e.b))}`;
    case 'mul': return `${wrap(e.a, sum(e.a) || e.a.op === 'neg')}·${wrap(e.b, sum(e.b) || e.b.op === 'neg' || e.b.op === 'mul')}`;
    case 'neg': return `−${wrap(e.a, e.a.op !== 'const' && e.a.op !== 'cur' && e.a.op !== 'next')}`;
    case 'pow': return `${wrap(e.a, true)}^${e.exp}`;
    case 'let': return infix(e.a);
  }
}

/** `infix`, with each shared subexpression shown by its name (primed when another node has the name) and defined once in `defs`. */
function infixNamed(e: Expr, defs: Map<Expr, { name: string; text: string }>): string {
  const sum = (n: Expr) => n.op === 'add' || n.op === 'sub';
  const wrap = (n: Expr, when: boolean) => (when ? `(${go(n)})` : go(n));
  const go = (n: Expr): string => {
    switch (n.op) {
      case 'let': {
        const known = defs.get(n);
        if (known) return known.name;
        const taken = [...defs.values()].filter((d) => d.name.replace(/′+$/, '') === n.name).length;
        const entry = { name: n.name + '′'.repeat(taken), text: '' };
        defs.set(n, entry);
        entry.text = go(n.a);
        return entry.name;
      }
      case 'add': return `${go(n.a)} + ${wrap(n.b, sum(n.b))}`;
      case 'sub': return `${go(n.a)} − ${wrap(n.b, sum(n.b))}`;
      case 'mul': return `${wrap(n.a, sum(n.a) || n.a.op === 'neg')}·${wrap(n.b, sum(n.b) || n.b.op === 'neg' || n.b.op === 'mul')}`;
      case 'neg': return `−(${go(n.a)})`;
      case 'pow': return `(${go(n.a)})^${n.exp}`;
      default: return infix(n);
    }
  };
  return go(e);
}

/**
 * The small AIR of the §5.5 and §5.6 examples: one main column counting 0, 1, 2, …; one auxiliary
 * column holding the powers of challenge 0 (a_0 = 1 by a row constraint, a_(r+1) = a_r·β).
 */
const EXAMPLE_AUX_AIR: Air = {
  id: 'aux_example', width: 1, logN: 3, periodic: [],
  transitions: [sub(next(0), add(cur(0), 1)), sub(auxNext(0), mul(auxCur(0), challenge(0)))],
  boundaries: [{ col: 0, row: 0, value: 0n }],
  rowConstraints: [{ row: 0, expr: sub(auxCur(0), 1) }],
  aux: { width: 1, challenges: 1, build: () => { throw new Error('spec example: not built'); } },
  parameters: new Uint8Array(),
};

/**
 * The §17.3 AIR (the range check of test/helpers/lookup-airs.ts, spelled out here so the document
 * does not move with the tests): column 0 counts 0 … 31 (the table), column 1 holds the values to
 * check, column 2 how many times each table row is looked up; one LogUp lookup on bus 0.
 */
function rangeAir(): Air {
  const base: Air = {
    id: 'range_check_test', width: 3, logN: 5, periodic: [], parameters: new Uint8Array(),
    transitions: [sub(next(0), add(cur(0), 1))],
    boundaries: [{ col: 0, row: 0, value: 0n }],
  };
  return withInteractions(base, lookup(0, { keys: [cur(1)], table: [cur(0)], multiplicity: cur(2) }));
}
/** Its trace: values (7i + 3) mod 13, and each table row's count among them. */
const VALUES = Array.from({ length: 32 }, (_, i) => (i * 7 + 3) % 13);
const rangeTrace = (values: readonly number[]): BigUint64Array[] => [
  BigUint64Array.from({ length: 32 }, (_, i) => BigInt(i)), BigUint64Array.from(values, BigInt),
  BigUint64Array.from({ length: 32 }, (_, j) => BigInt(values.filter((v) => v === j).length)),
];

/** The §17.3 vector: that range check (LogUp, 2^5 rows), proved here. */
const AUX_VECTOR = {
  options: TEST_OPTIONS_INSECURE as ProofOptions,
  statementHash: new Uint8Array(32).fill(0x33),
  publicInputs: new Uint8Array(),
};
let auxPromise: Promise<StarkProof> | undefined;
const auxProof = (): Promise<StarkProof> =>
  (auxPromise ??= (async () => {
    const k = await kernels();
    const backend = await CpuBackend.create();
    try {
      const { proof } = await prove(k, backend, { air: rangeAir(), trace: rangeTrace(VALUES), statementHash: AUX_VECTOR.statementHash, publicInputs: AUX_VECTOR.publicInputs, options: AUX_VECTOR.options });
      return proof;
    } finally {
      await backend.destroy();
    }
  })());

/** The §17.3 proof's replay, lowering and queries. */
async function auxReplay() {
  const proof = await auxProof();
  const air = rangeAir(), o = AUX_VECTOR.options;
  const r = replayToPow(air, o, proof, AUX_VECTOR.statementHash, AUX_VECTOR.publicInputs);
  const lowered = lowerAir(air, r.challenges);
  const powDigest = r.transcript.powDigest(proof.nonce);
  check(r.transcript.checkPow(proof.nonce, o.grindingBits), 'aux proof of work');
  r.transcript.absorb('pow-nonce', nonceBytes(proof.nonce));
  const queries = drawQueries(r.transcript, air.logN, o);
  return { proof, air, o, ...r, lowered, coefficients: lowered.coefficients(r.alphas), powDigest, queries };
}

// ---------------------------------------------------------------- the examples

export const examples: Record<string, () => string | Promise<string>> = {
  'stark.version': () =>
    [
      `protocol id          = ${PROTOCOL_ID}`,
      `proof format version = ${PROOF_FORMAT_VERSION} (${PROOF_FORMAT_VERSION_AUX}: a proof with an auxiliary segment)`,
      `proof magic          = "${PROOF_MAGIC}" = ${hex(ascii(PROOF_MAGIC))}`,
    ].join('\n'),

  'stark.field.constants': () => {
    check(Fp.P === 2n ** 64n - 2n ** 32n + 1n && Fp.GENERATOR === 7n && Fp.TWO_ADICITY === 32, 'field constants');
    check((Fp.P - 1n) === 2n ** 32n * (2n ** 32n - 1n), 'p − 1');
    return [
      `p          = ${fp(Fp.P)}`,
      `p − 1      = 2^32 · (2^32 − 1) = ${Fp.P - 1n}`,
      `generator  = ${Fp.GENERATOR}`,
      `7^((p−1)/2) = ${Fp.pow(7n, (Fp.P - 1n) / 2n)}   (= p − 1: 7 is a non-square)`,
      `two-adicity = ${Fp.TWO_ADICITY}`,
    ].join('\n');
  },

  'stark.field.encoding': () => {
    const lines = [0n, 1n, 0x0123456789abcdefn, 2n ** 32n, Fp.P - 1n].map((x) => `encode(${x}) = ${hex(Fp.encode(x))}`);
    for (const [what, bytes] of [['p', le(Fp.P, 8)], ['2^64 − 1', le(2n ** 64n - 1n, 8)]] as const) {
      let verdict: string;
      try {
        verdict = `accepted as ${Fp.decode(bytes)}`;
      } catch {
        verdict = 'rejected (value ≥ p)';
      }
      lines.push(`decode(${hex(bytes)}) [${what}] → ${verdict}`);
    }
    return lines.join('\n');
  },

  'stark.fp2.arithmetic': () => {
    const a: Fp2.Fp2 = [0x0123456789abcdefn, Fp.P - 2n];
    const b: Fp2.Fp2 = [5n, 3n];
    const prod = Fp2.mul(a, b);
    const inv = Fp2.inv(a);
    check(Fp2.eq(Fp2.mul(a, inv), Fp2.ONE), 'F_p2 inverse');
    check(Fp2.eq(Fp2.mul(Fp2.U, Fp2.U), [7n, 0n]), 'u² = 7');
    return [
      `a     = ${fp2(a)}`,
      `b     = ${fp2(b)}`,
      `a·b   = ${fp2(prod)}`,
      `enc(a·b) = ${hex(Fp2.encode(prod))}`,
      `1/a   = ${fp2(inv)}`,
      `u·u   = ${fp2(Fp2.mul(Fp2.U, Fp2.U))}`,
    ].join('\n');
  },

  'stark.field.roots': () => {
    const lines = [0, 1, 2, 3, 4, 5, 7, 32].map((k) => `ω_(2^${k}) = ${fp(Fp.rootOfUnity(k))}`);
    check(Fp.pow(Fp.rootOfUnity(5), 16n) === Fp.P - 1n, 'ω_32^16 = −1');
    check(Fp.rootOfUnity(1) === Fp.P - 1n, 'ω_2 = −1');
    lines.push(`ω_(2^5)^(2^4) = ${Fp.pow(Fp.rootOfUnity(5), 16n)} (= −1)`);
    lines.push(`1/ω_(2^5)    = ${fp(Fp.inverseRootOfUnity(5))}`);
    return lines.join('\n');
  },

  'stark.domain.bitrev': () =>
    [
      `bitrev_3(0..7) = ${Array.from({ length: 8 }, (_, i) => reverseBits(i, 3)).join(' ')}`,
      `bitrev_7(1) = ${reverseBits(1, 7)}, bitrev_7(5) = ${reverseBits(5, 7)}, bitrev_7(100) = ${reverseBits(100, 7)}`,
    ].join('\n'),

  'stark.domain.lde-points': () => {
    // The golden proof's LDE domain: n = 32, β = 4, N = 128, shift 7.
    const logNN = 7;
    const lines = [`N = 128 (logN + log β = 5 + 2), shift s = ${COSET_SHIFT}, ω_N = ${Fp.rootOfUnity(logNN)}`];
    for (const p of [0, 1, 2, 3, 4, 5, 127]) {
      const e = reverseBits(p, logNN);
      const x = pointAt(COSET_SHIFT, logNN, p);
      check(x === Fp.mul(COSET_SHIFT, Fp.pow(Fp.rootOfUnity(logNN), BigInt(e))), 'pointAt');
      lines.push(`position ${String(p).padStart(3)}: e = bitrev_7(p) = ${String(e).padStart(3)}, x = 7·ω_N^e = ${x}`);
    }
    return lines.join('\n');
  },

  'stark.expr.fib': () => {
    const { air } = fibInstance(5);
    return air.transitions.map((t, i) => `transitions[${i}] = ${hex(serializeExpr(t))}`).join('\n');
  },

  'stark.expr.shared': () => {
    // s = cur0 + cur1 (share 's'), t = s · 3 (share 't', defined over s),
    // e = t + (s + t^2 · periodic0); serialize(e)
    const s = share(add(cur(0), cur(1)), 's');
    const t = share(mul(s, constant(3)), 't');
    const e = add(t, add(s, mul(pow(t, 2), periodic(0))));
    const bytes = serializeExpr(e);
    const model = concatBytes(
      Uint8Array.of(5), // add
      Uint8Array.of(10), le(1, 4), // let #1 (t): numbered after s, whose definition ends first
      Uint8Array.of(7), // mul
      Uint8Array.of(10), le(0, 4), // let #0 (s)
      Uint8Array.of(5), Uint8Array.of(2), le(0, 4), Uint8Array.of(2), le(1, 4), // add cur0 cur1
      Uint8Array.of(1), le(3, 8), // const 3
      Uint8Array.of(5), // add
      Uint8Array.of(11), le(0, 4), // ref #0 (s)
      Uint8Array.of(7), // mul
      Uint8Array.of(9, 2), Uint8Array.of(11), le(1, 4), // pow 2 (ref #1)
      Uint8Array.of(4), le(0, 4), // periodic 0
    );
    check(same(bytes, model), 'serializeExpr of shared subexpressions');
    const parts = [
      ['05', 'add'],
      ['0a 01000000', 'let #1 (t)'],
      ['07', '  mul'],
      ['0a 00000000', '    let #0 (s)'],
      ['05 02 00000000 02 01000000', '      add cur(0) cur(1)'],
      ['01 0300000000000000', '    const 3'],
      ['05', '  add'],
      ['0b 00000000', '    ref #0 (s)'],
      ['07', '    mul'],
      ['09 02 0b 01000000', '      pow 2 of ref #1 (t)'],
      ['04 00000000', '      periodic(0)'],
    ];
    return [`serializeExpr(e) = ${hex(bytes)}`, ...parts.map(([b, what]) => `  ${b!.padEnd(26)} ${what}`)].join('\n');
  },

  'stark.air.fib-digest': () => {
    const { air } = fibInstance(5);
    // The digest input, field by field, as the specification describes it.
    const u32 = (x: number) => le(x, 4);
    const fields: [string, Uint8Array][] = [
      ['domain', concatBytes(u32(14), ascii('capseal-air-v1'))],
      ['id', concatBytes(u32(air.id.length), ascii(air.id))],
      ['width', u32(air.width)],
      ['logN', u32(air.logN)],
      ['periodic count', u32(air.periodic.length)],
      ['transition count', u32(air.transitions.length)],
      ...air.transitions.map((t, i): [string, Uint8Array] => {
        const s = serializeExpr(t);
        return [`transitions[${i}]`, concatBytes(u32(s.length), s)];
      }),
      ['boundary count', u32(air.boundaries.length)],
      ...air.boundaries.map((b, i): [string, Uint8Array] => [`boundaries[${i}]`, concatBytes(u32(b.col), u32(b.row), Fp.encode(b.value))]),
      ['parameters', concatBytes(u32(air.parameters.length), air.parameters)],
    ];
    const input = concatBytes(...fields.map(([, b]) => b));
    const digest = airDigest(air);
    check(same(blake3(input), digest), 'the AIR digest input');
    return [
      ...fields.map(([name, b]) => `${name.padEnd(17)} ${hex(b)}`),
      `input length     ${input.length} bytes`,
      `airDigest        ${hex(digest)}`,
    ].join('\n');
  },

  'stark.hash.leaf': async () => {
    const k = await kernels();
    const row = BigUint64Array.from([1n, 2n]);
    const leaf = hashRowsRowMajor(k, row, 1, 2);
    const bytes = concatBytes(Fp.encode(1n), Fp.encode(2n));
    check(same(leaf, blake3(bytes)), 'leaf hash');
    const ext = BigUint64Array.from([5n, 6n, 7n, 8n]); // an FRI leaf of f = 2: values (5 + 6u), (7 + 8u)
    const extLeaf = hashRowsRowMajor(k, ext, 1, 4);
    return [
      `row (1, 2): leaf input = ${hex(bytes)}`,
      `            leaf       = ${hex(leaf)}`,
      `FRI row ((5 + 6u), (7 + 8u)) as values (5, 6, 7, 8): leaf = ${hex(extLeaf)}`,
      `BLAKE3("") = ${hex(blake3(new Uint8Array()))}`,
    ].join('\n');
  },

  'stark.hash.node': async () => {
    const k = await kernels();
    const left = hashRowsRowMajor(k, BigUint64Array.from([1n, 2n]), 1, 2);
    const right = hashRowsRowMajor(k, BigUint64Array.from([3n, 4n]), 1, 2);
    const node = hashNode(left, right);
    check(same(node, blake3(concatBytes(left, right))), 'node hash');
    return [`left  = leaf(1, 2) = ${hex(left)}`, `right = leaf(3, 4) = ${hex(right)}`, `node  = BLAKE3(left ‖ right) = ${hex(node)}`].join('\n');
  },

  'stark.merkle.batch': async () => {
    const k = await kernels();
    // 8 leaves: row i = (i) for i = 0 … 7 (one column); open leaves 1, 4, 5.
    const leaves = hashRowsRowMajor(k, BigUint64Array.from({ length: 8 }, (_, i) => BigInt(i)), 8, 1);
    const tree = buildMerkleTree(leaves);
    const indices = [1, 4, 5];
    const proof = openBatch(tree, indices);
    const nodes = batchSiblingNodes(3, indices);
    const opened = indices.map((i) => leaves.subarray(32 * i, 32 * (i + 1)));
    check(verifyBatch(tree.root, 3, indices, opened, proof), 'batch opening');
    check(!verifyBatch(tree.root, 3, indices, opened, { depth: 3, siblings: [...proof.siblings].reverse() }), 'sibling order matters');
    return [
      `depth 3, leaves = BLAKE3(enc(i)) for i = 0 … 7; root = ${hex(tree.root)}`,
      `opened indices 1, 4, 5; siblings in proof order:`,
      ...nodes.map(([level, index], j) => `  [${j}] level ${level}, node ${index}: ${hex(proof.siblings[j]!)}`),
    ].join('\n');
  },

  'stark.transcript.tags': () =>
    ['init', 'absorb', 'squeeze', 'ratchet', 'pow'].map((kind) => `tag(${kind})`.padEnd(13) + ` = ${hex(tag(kind))}`).join('\n'),

  'stark.transcript.init': () => {
    const t = new Transcript(PROTOCOL_ID);
    const input = concatBytes(tag('init'), lp(ascii(PROTOCOL_ID)));
    check(same(blake3(input), t.state()), 'transcript init');
    return [`hash input (${input.length} bytes) = ${hex(input)}`, `cv = ${hex(t.state())}`].join('\n');
  },

  'stark.transcript.absorb': () => {
    const t = new Transcript(PROTOCOL_ID);
    const cv0 = t.state();
    const data = encodeOptions(DEFAULT_OPTIONS);
    t.absorb('proof-options', data);
    const input = concatBytes(tag('absorb'), cv0, lp(ascii('proof-options')), lp(data));
    check(same(blake3(input), t.state()), 'transcript absorb');
    return [
      `absorb("proof-options", ${hex(data)})   [DEFAULT_OPTIONS: 8, 28, 16, 4 as u32 LE]`,
      `hash input (${input.length} bytes) =`,
      hexLines(input),
      `cv = ${hex(t.state())}`,
    ].join('\n');
  },

  'stark.transcript.challenge-element': () => {
    // From the state of stark.transcript.absorb.
    const t = new Transcript(PROTOCOL_ID);
    t.absorb('proof-options', encodeOptions(DEFAULT_OPTIONS));
    const cv0 = t.state();
    const label = 'composition-coefficient';
    const block = blake3(concatBytes(tag('squeeze'), cv0, lp(ascii(label)), le(0, 4)));
    const x = t.challengeElement(label);
    const ratchet = blake3(concatBytes(tag('ratchet'), cv0, lp(ascii(label)), le(32, 8)));
    check(same(ratchet, t.state()), 'ratchet');
    const candidates = Array.from({ length: 4 }, (_, i) => new DataView(block.buffer, block.byteOffset + 8 * i, 8).getBigUint64(0, true));
    check(x === candidates.find((c) => c < Fp.P), 'first canonical candidate');
    return [
      `challengeElement("${label}") from cv = ${hex(cv0)}`,
      `squeeze block 0 = ${hex(block)}`,
      ...candidates.map((c, i) => `  candidate ${i} = ${c}${c < Fp.P ? '' : ' (≥ p: skipped)'}`),
      `element = ${x}`,
      `cv after ratchet (n = 32) = ${hex(t.state())}`,
    ].join('\n');
  },

  'stark.transcript.challenge-indices': () => {
    const t = new Transcript(PROTOCOL_ID);
    t.absorb('proof-options', encodeOptions(DEFAULT_OPTIONS));
    const cv0 = t.state();
    const bytes = concatBytes(
      blake3(concatBytes(tag('squeeze'), cv0, lp(ascii('query')), le(0, 4))),
      blake3(concatBytes(tag('squeeze'), cv0, lp(ascii('query')), le(1, 4))),
    ).subarray(0, 40);
    const idx = t.challengeIndices('query', 5, 32);
    check(same(blake3(concatBytes(tag('ratchet'), cv0, lp(ascii('query')), le(40, 8))), t.state()), 'indices ratchet');
    return [
      `challengeIndices("query", count 5, range 32) from the cv of stark.transcript.absorb`,
      `challengeBytes("query", 40) = block 0 ‖ first 8 bytes of block 1 =`,
      hexLines(bytes, 40),
      `u64 LE words & 31 = ${idx.join(', ')}`,
      `cv after ratchet (n = 40) = ${hex(t.state())}`,
    ].join('\n');
  },

  'stark.transcript.pow': () => {
    const t = new Transcript(PROTOCOL_ID);
    t.absorb('proof-options', encodeOptions(DEFAULT_OPTIONS));
    const d0 = t.powDigest(0n);
    check(same(d0, blake3(concatBytes(tag('pow'), t.state(), le(0, 8)))), 'pow digest');
    const nonce = t.grind(8);
    const d = t.powDigest(nonce);
    return [
      `powDigest(0) = ${hex(d0)}  (${leadingZeroBits(d0)} leading zero bits)`,
      `grind(8): least nonce = ${nonce}, digest = ${hex(d)} (${leadingZeroBits(d)} leading zero bits)`,
    ].join('\n');
  },

  'stark.options.security': () => {
    const row = (what: string, logN: number, o: ProofOptions) =>
      `${what.padEnd(22)} logN ${String(logN).padStart(2)}: min(127, ${Math.log2(o.blowup)}·${distinctQueries(logN, o)} + ${o.grindingBits}) = ${securityBits(logN, o)}`;
    return [
      row('DEFAULT_OPTIONS', 20, DEFAULT_OPTIONS),
      row('DEFAULT_OPTIONS', 3, DEFAULT_OPTIONS),
      row('TEST_OPTIONS_INSECURE', 5, TEST_OPTIONS_INSECURE),
      row('16/255/32/2', 20, { blowup: 16, queries: 255, grindingBits: 32, foldingFactor: 2 }),
    ].join('\n');
  },

  'stark.fri.plans': () => {
    const lines: string[] = [];
    for (const f of [2, 4] as const) {
      const o: ProofOptions = { ...DEFAULT_OPTIONS, foldingFactor: f };
      const plans = [2, 3, 4, 5, 6, 7, 10, 20].map((logN) => {
        const p = friPlan(logN, o);
        return `logN ${logN}: L=${p.folds}, final=${p.finalDegree}`;
      });
      lines.push(`f = ${f}: ${plans.join('; ')}`);
    }
    return lines.join('\n');
  },

  'stark.golden.air-digest': () => `airDigest(fib_test, logN 5) = ${hex(airDigest(fibInstance(5).air))}`,

  'stark.golden.shape': () => {
    const { air, options: o } = golden();
    const logNN = air.logN + Math.log2(o.blowup), plan = friPlan(air.logN, o), S = compositionSegments(air);
    return [
      `n = ${2 ** air.logN}, w = ${air.width}, β = ${o.blowup}, N = ${2 ** logNN}, f = ${o.foldingFactor}`,
      `segments S = ${S}, composition coefficients = ${compositionCoefficientCount(air)}, DEEP coefficients = ${2 * air.width + S}`,
      `FRI folds L = ${plan.folds}, committed FRI layers = ${plan.folds - 1}, final polynomial = ${plan.finalDegree} coefficients`,
      `query domain N/f = ${queryDomain(air.logN, o)}, distinct queries = ${distinctQueries(air.logN, o)}`,
      `trace/composition tree depth = ${logNN}`,
      `g = ω_32 = ${Fp.rootOfUnity(air.logN)}, g^(n−1) = ${Fp.pow(Fp.rootOfUnity(air.logN), 31n)}`,
    ].join('\n');
  },

  'stark.golden.preamble': () => {
    const { air, options: o, statementHash, publicInputs, proof } = golden();
    const t = new Transcript(PROTOCOL_ID);
    const lines = [`init                        cv = ${hex(t.state())}`];
    const steps: [string, Uint8Array][] = [
      ['proof-options', encodeOptions(o)],
      ['air', airDigest(air)],
      ['trace-shape', concatBytes(le(air.logN, 4), le(air.width, 4))],
      ['statement-hash', statementHash],
      ['public-inputs', publicInputs],
      ['trace-root', proof.traceRoot],
    ];
    for (const [label, data] of steps) {
      t.absorb(label, data);
      lines.push(`absorb ${label.padEnd(15)} data = ${data.length === 0 ? '(empty)' : hex(data)}`);
      lines.push(`${''.padEnd(28)}cv = ${hex(t.state())}`);
    }
    const ref = startTranscript(air, o, statementHash, publicInputs);
    ref.absorb('trace-root', proof.traceRoot);
    check(same(ref.state(), t.state()), 'startTranscript');
    return lines.join('\n');
  },

  'stark.golden.challenges': () => {
    const c = goldenChallenges();
    return [
      ...c.alphas.map((a, i) => `composition-coefficient α[${i}] = ${fp2(a)}`),
      `ood-point z = ${fp2(c.z)}`,
      ...c.gammas.map((g, i) => `deep-coefficient γ[${i}] = ${fp2(g)}`),
      ...c.friAlphas.map((a, i) => `fri-alpha α_FRI[${i}] = ${fp2(a)}`),
      `cv before proof of work = ${hex(c.powState)}`,
      `nonce = ${c.proof.nonce}, pow digest = ${hex(c.powDigest)} (${leadingZeroBits(c.powDigest)} leading zero bits ≥ ${c.options.grindingBits})`,
      `query groups (sorted) = ${c.queries.join(', ')}`,
    ].join('\n');
  },

  'stark.golden.query-draws': () => {
    // The rounds of drawQueries for the golden proof, replayed on a fresh copy of the transcript.
    const g = golden();
    const r = replayToPow(g.air, g.options, g.proof, g.statementHash, g.publicInputs);
    r.transcript.absorb('pow-nonce', nonceBytes(g.proof.nonce));
    const want = distinctQueries(g.air.logN, g.options), range = queryDomain(g.air.logN, g.options);
    const seen = new Set<number>();
    const lines: string[] = [];
    for (let round = 1; seen.size < want; round++) {
      const draw = r.transcript.challengeIndices('query', want - seen.size, range);
      draw.forEach((x) => seen.add(x));
      lines.push(`round ${round}: count ${draw.length}, range ${range}: ${draw.join(', ')}  → ${seen.size} distinct`);
    }
    const sorted = [...seen].sort((a, b) => a - b);
    check(sorted.join() === goldenChallenges().queries.join(), 'drawQueries');
    lines.push(`sorted: ${sorted.join(', ')}`);
    return lines.join('\n');
  },

  'stark.golden.ood': async () => {
    const k = await kernels();
    const c = goldenChallenges();
    const n = 2n ** BigInt(c.air.logN);
    const claimed = compositionAt(k, c.air, c.z, c.proof.oodTrace, c.proof.oodTraceNext, c.alphas);
    const committed = segmentsAt(c.air.logN, c.z, c.proof.oodComposition);
    check(Fp2.eq(claimed, committed), 'OOD check');
    const zw = Fp2.mulBase(c.z, Fp.rootOfUnity(c.air.logN));
    return [
      `z·ω     = ${fp2(zw)}`,
      `z^n     = ${fp2(Fp2.pow(c.z, n))}`,
      `T(z)    = ${c.proof.oodTrace.map(fp2).join(', ')}`,
      `T(z·ω)  = ${c.proof.oodTraceNext.map(fp2).join(', ')}`,
      `C_0(z)  = ${c.proof.oodComposition.map(fp2).join(', ')}`,
      `compositionAt(z) = ${fp2(claimed)}`,
      `segmentsAt(z)    = ${fp2(committed)}`,
    ].join('\n');
  },

  'stark.golden.first-query': () => {
    const c = goldenChallenges();
    const { proof, air, options: o } = c;
    const f = o.foldingFactor, w = air.width, S = proof.segments, logNN = air.logN + Math.log2(o.blowup);
    const g = c.queries[0]!;
    const zw = Fp2.mulBase(c.z, Fp.rootOfUnity(air.logN));
    const lines = [`first query group g = ${g}: positions ${Array.from({ length: f }, (_, j) => g * f + j).join(', ')}`];
    const deep: Fp2.Fp2[] = [];
    for (let j = 0; j < f; j++) {
      const pos = g * f + j;
      const x = pointAt(COSET_SHIFT, logNN, pos);
      const tr = proof.traceOpening.rows.subarray(j * w, (j + 1) * w);
      const cr = proof.compositionOpening.rows.subarray(j * 2 * S, (j + 1) * 2 * S);
      const d = deepAt(tr, cr, Fp2.inv(Fp2.sub(Fp2.fromBase(x), c.z)), Fp2.inv(Fp2.sub(Fp2.fromBase(x), zw)), {
        oodTrace: proof.oodTrace, oodTraceNext: proof.oodTraceNext, oodComposition: proof.oodComposition, gammas: c.gammas,
      });
      deep.push(d);
      lines.push(`position ${pos}: x = ${x}`);
      lines.push(`  trace row = (${[...tr].join(', ')}), composition row = (${[...cr].join(', ')})`);
      lines.push(`  D(x) = ${fp2(d)}`);
    }
    const folded = foldGroup(deep, Fp.inv(COSET_SHIFT), logNN, g, c.friAlphas[0]!);
    const logLast = logNN - Math.log2(f);
    const shift = Fp.pow(COSET_SHIFT, BigInt(f));
    const xLast = pointAt(shift, logLast, g);
    const last = evaluateFinal(proof.finalPoly, xLast);
    check(Fp2.eq(folded, last), 'golden final polynomial check');
    lines.push(`foldGroup(D values, α_FRI[0]) = ${fp2(folded)}  (layer 1, position ${g})`);
    lines.push(`layer 1 point = 7^4·ω_32^bitrev_5(${g}) = ${xLast}`);
    lines.push(`finalPoly(${xLast}) = ${fp2(last)}`);
    return lines.join('\n');
  },

  'stark.golden.header': () => {
    const { bin, proof: p } = golden();
    check(same(encodeProof(p), bin), 'golden re-encoding');
    const fields: [string, Uint8Array, string][] = [
      ['magic', ascii('CSPF'), '"CSPF"'],
      ['version', le(1, 2), '1'],
      ['options.blowup', le(p.options.blowup, 1), String(p.options.blowup)],
      ['options.queries', le(p.options.queries, 1), String(p.options.queries)],
      ['options.grindingBits', le(p.options.grindingBits, 1), String(p.options.grindingBits)],
      ['options.foldingFactor', le(p.options.foldingFactor, 1), String(p.options.foldingFactor)],
      ['airId.length', le(p.airId.length, 1), String(p.airId.length)],
      ['airId', ascii(p.airId), `"${p.airId}"`],
      ['logN', le(p.logN, 1), String(p.logN)],
      ['width', le(p.width, 2), String(p.width)],
      ['segments', le(p.segments, 1), String(p.segments)],
      ['traceRoot', p.traceRoot, ''],
      ['compositionRoot', p.compositionRoot, ''],
      ['oodTrace.length', le(p.oodTrace.length, 2), String(p.oodTrace.length)],
      ['oodTrace[0]', Fp2.encode(p.oodTrace[0]!), fp2(p.oodTrace[0]!)],
    ];
    const lines = ['off  field                 bytes (hex)  = value'];
    let at = 0;
    for (const [name, bytes, value] of fields) {
      check(same(bin.subarray(at, at + bytes.length), bytes), `golden header field ${name}`);
      lines.push(`${String(at).padStart(3)}  ${name.padEnd(21)} ${hex(bytes)}${value ? `  = ${value}` : ''}`);
      at += bytes.length;
    }
    return lines.join('\n');
  },

  'stark.golden.layout': () => {
    const { bin, proof: p } = golden();
    // Offsets of the later fields, from the counts (each Fp2 16 bytes, each digest 32, each row value 8).
    const opening = (op: StarkProof['traceOpening']) => 4 + 8 * op.rows.length + 1 + 4 + 32 * op.proof.siblings.length;
    let at = 4 + 2 + 4 + 1 + p.airId.length + 1 + 2 + 1 + 32 + 32;
    const lines = ['offset  field                size  contents'];
    const mark = (name: string, size: number, note: string) => {
      lines.push(`${String(at).padStart(6)}  ${name.padEnd(19)} ${String(size).padStart(5)}  ${note}`);
      at += size;
    };
    mark('oodTrace', 2 + 16 * p.oodTrace.length, `${p.oodTrace.length} × Fp2`);
    mark('oodTraceNext', 2 + 16 * p.oodTraceNext.length, `${p.oodTraceNext.length} × Fp2`);
    mark('oodComposition', 2 + 16 * p.oodComposition.length, `${p.oodComposition.length} × Fp2`);
    mark('friRoots', 1 + 32 * p.friRoots.length, `${p.friRoots.length} digests`);
    mark('finalPoly', 2 + 16 * p.finalPoly.length, `${p.finalPoly.length} × Fp2`);
    mark('nonce', 8, `u64 = ${p.nonce}`);
    mark('traceOpening', opening(p.traceOpening), `${p.traceOpening.rows.length} values, depth ${p.traceOpening.proof.depth}, ${p.traceOpening.proof.siblings.length} siblings`);
    mark('compositionOpening', opening(p.compositionOpening), `${p.compositionOpening.rows.length} values, depth ${p.compositionOpening.proof.depth}, ${p.compositionOpening.proof.siblings.length} siblings`);
    mark('friOpenings', 1 + p.friOpenings.reduce((s, op) => s + opening(op), 0), `${p.friOpenings.length} openings`);
    mark('securityBits', 2, `u16 = ${p.securityBits}`);
    check(at === bin.length, 'golden layout length');
    lines.push(`${String(at).padStart(6)}  end (total ${bin.length} bytes, SHA-256 ${sha256Hex(bin)})`);
    return lines.join('\n');
  },

  'stark.golden.json-head': () => {
    const { proof } = golden();
    const text = JSON.stringify(proofToJson(proof), null, 2);
    const json = readFileSync(new URL('../vectors/fib-test-proof.json', import.meta.url), 'utf8');
    check(json === `${text}\n`, 'golden JSON file');
    return text.split('\n').slice(0, 24).join('\n') + '\n  …';
  },

  'stark.golden.rejections': async () => {
    const k = await kernels();
    const g = golden();
    const verify = (p: StarkProof, statementHash = g.statementHash, min = 0): string => {
      const v = verifyProof(k, g.air, p, statementHash, g.publicInputs, { minSecurityBits: min });
      return v.ok ? `ok (${v.securityBits} bits)` : v.code;
    };
    const rows = new BigUint64Array(g.proof.traceOpening.rows);
    rows[0] = Fp.add(rows[0]!, 1n);
    const compRows = new BigUint64Array(g.proof.compositionOpening.rows);
    compRows[0] = Fp.add(compRows[0]!, 1n);
    const cases: [string, string][] = [
      ['the golden proof, minSecurityBits 0', verify(g.proof)],
      ['the golden proof, minSecurityBits 100', verify(g.proof, g.statementHash, 100)],
      ['securityBits claimed 29', verify({ ...g.proof, securityBits: 29 })],
      ['options.grindingBits 5', verify({ ...g.proof, options: { ...g.proof.options, grindingBits: 5 } })],
      ['segments 2', verify({ ...g.proof, segments: 2 })],
      ['statement hash 32 × 0x12', verify(g.proof, new Uint8Array(32).fill(0x12))],
      ['oodTrace[0] + 1', verify({ ...g.proof, oodTrace: [[Fp.add(g.proof.oodTrace[0]![0], 1n), g.proof.oodTrace[0]![1]], g.proof.oodTrace[1]!] })],
      ['finalPoly with 7 coefficients', verify({ ...g.proof, finalPoly: g.proof.finalPoly.slice(0, 7) })],
      ['finalPoly[0] + 1', verify({ ...g.proof, finalPoly: [[Fp.add(g.proof.finalPoly[0]![0], 1n), g.proof.finalPoly[0]![1]], ...g.proof.finalPoly.slice(1)] })],
      ['nonce + 1', verify({ ...g.proof, nonce: g.proof.nonce + 1n })],
      ['traceOpening.rows[0] + 1', verify({ ...g.proof, traceOpening: { ...g.proof.traceOpening, rows } })],
      ['compositionOpening.rows[0] + 1', verify({ ...g.proof, compositionOpening: { ...g.proof.compositionOpening, rows: compRows } })],
    ];
    return cases.map(([what, verdict]) => `${what.padEnd(38)} → ${verdict}`).join('\n');
  },

  'stark.vector2.proof': async () => {
    const k = await kernels();
    const proof = await vector2();
    const { air } = fibInstance(VECTOR2.logN);
    const v = verifyProof(k, air, proof, VECTOR2.statementHash, VECTOR2.publicInputs, { minSecurityBits: 0 });
    check(v.ok, 'vector 2 verifies');
    const bin = encodeProof(proof);
    return [`${bin.length} bytes, SHA-256 ${sha256Hex(bin)}:`, hexLines(bin, 32, '')].join('\n');
  },

  'stark.vector2.walk': async () => {
    const proof = await vector2();
    const { air } = fibInstance(VECTOR2.logN);
    const o = VECTOR2.options, f = o.foldingFactor, logF = Math.log2(f), w = air.width, S = proof.segments;
    const logNN = air.logN + Math.log2(o.blowup);
    const r = replayToPow(air, o, proof, VECTOR2.statementHash, VECTOR2.publicInputs);
    check(r.transcript.checkPow(proof.nonce, o.grindingBits), 'vector 2 proof of work');
    r.transcript.absorb('pow-nonce', nonceBytes(proof.nonce));
    const queries = drawQueries(r.transcript, air.logN, o);
    const zw = Fp2.mulBase(r.z, Fp.rootOfUnity(air.logN));
    const layer1Leaves = [...new Set(queries.map((g) => g >> logF))].sort((a, b) => a - b);
    const lines = [
      `plan: L = ${friPlan(air.logN, o).folds} folds, final polynomial ${proof.finalPoly.length} coefficients; N = ${2 ** logNN}`,
      `z = ${fp2(r.z)}`,
      ...r.friAlphas.map((a, i) => `α_FRI[${i}] = ${fp2(a)}`),
      `nonce = ${proof.nonce}; query groups = ${queries.join(', ')}; FRI layer 1 leaves opened = ${layer1Leaves.join(', ')}`,
    ];
    queries.forEach((g, q) => {
      const deep = Array.from({ length: f }, (_, j) => {
        const x = pointAt(COSET_SHIFT, logNN, g * f + j), at = q * f + j;
        return deepAt(
          proof.traceOpening.rows.subarray(at * w, (at + 1) * w), proof.compositionOpening.rows.subarray(at * 2 * S, (at + 1) * 2 * S),
          Fp2.inv(Fp2.sub(Fp2.fromBase(x), r.z)), Fp2.inv(Fp2.sub(Fp2.fromBase(x), zw)),
          { oodTrace: proof.oodTrace, oodTraceNext: proof.oodTraceNext, oodComposition: proof.oodComposition, gammas: r.gammas },
        );
      });
      const v1 = foldGroup(deep, Fp.inv(COSET_SHIFT), logNN, g, r.friAlphas[0]!);
      const leaf = g >> logF, offset = g & (f - 1), j = layer1Leaves.indexOf(leaf);
      const row = proof.friOpenings[0]!.rows.subarray(2 * f * j, 2 * f * (j + 1));
      check(row[2 * offset] === v1[0] && row[2 * offset + 1] === v1[1], 'vector 2 fold consistency');
      const values = Array.from({ length: f }, (_, t): Fp2.Fp2 => [row[2 * t]!, row[2 * t + 1]!]);
      const v2 = foldGroup(values, Fp.inv(Fp.pow(COSET_SHIFT, BigInt(f))), logNN - logF, leaf, r.friAlphas[1]!);
      const x2 = pointAt(Fp.pow(COSET_SHIFT, BigInt(f * f)), logNN - 2 * logF, leaf);
      check(Fp2.eq(v2, evaluateFinal(proof.finalPoly, x2)), 'vector 2 final polynomial');
      lines.push(`query ${g}: layer 0 positions ${g * f} … ${g * f + f - 1}, D = ${deep.map(fp2).join(', ')}`);
      lines.push(`  fold → layer 1 position ${g} = ${fp2(v1)}`);
      lines.push(`  layer 1 leaf ${leaf} (opening row ${j}), slot ${offset}; leaf values = ${values.map(fp2).join(', ')}`);
      lines.push(`  fold → layer 2 position ${leaf} = ${fp2(v2)}; x = 7^16·ω_32^bitrev_5(${leaf}) = ${x2}; finalPoly(x) = ${fp2(evaluateFinal(proof.finalPoly, x2))}`);
    });
    return lines.join('\n');
  },
  'stark.expr.aux': () => {
    // e = auxNext(1) − auxCur(1) − auxNext(0)·(challenge(0) − cur(2))
    const e = sub(sub(auxNext(1), auxCur(1)), mul(auxNext(0), sub(challenge(0), cur(2))));
    const bytes = serializeExpr(e);
    const model = concatBytes(
      Uint8Array.of(6), Uint8Array.of(6), Uint8Array.of(13), le(1, 4), Uint8Array.of(12), le(1, 4),
      Uint8Array.of(7), Uint8Array.of(13), le(0, 4), Uint8Array.of(6), Uint8Array.of(14), le(0, 4), Uint8Array.of(2), le(2, 4),
    );
    check(same(bytes, model), 'serializeExpr of auxiliary leaves');
    const parts = [
      ['06', 'sub'],
      ['06', '  sub'],
      ['0d 01000000', '    auxNext(1)'],
      ['0c 01000000', '    auxCur(1)'],
      ['07', '  mul'],
      ['0d 00000000', '    auxNext(0)'],
      ['06', '    sub'],
      ['0e 00000000', '      challenge(0)'],
      ['02 02000000', '      cur(2)'],
    ];
    return [`serializeExpr(e) = ${hex(bytes)}`, ...parts.map(([b, what]) => `  ${b!.padEnd(12)} ${what}`)].join('\n');
  },

  'stark.air.aux-digest': () => {
    const air = EXAMPLE_AUX_AIR;
    const u32 = (x: number) => le(x, 4);
    const lp32 = (b: Uint8Array) => concatBytes(u32(b.length), b);
    const fields: [string, Uint8Array][] = [
      ['domain', lp32(ascii('capseal-air-v2'))],
      ['id', lp32(ascii(air.id))],
      ['width', u32(air.width)],
      ['logN', u32(air.logN)],
      ['periodic count', u32(air.periodic.length)],
      ['transition count', u32(air.transitions.length)],
      ...air.transitions.map((t, i): [string, Uint8Array] => [`transitions[${i}]`, lp32(serializeExpr(t))]),
      ['boundary count', u32(air.boundaries.length)],
      ...air.boundaries.map((b, i): [string, Uint8Array] => [`boundaries[${i}]`, concatBytes(u32(b.col), u32(b.row), Fp.encode(b.value))]),
      ['parameters', lp32(air.parameters)],
      ['aux width', u32(air.aux!.width)],
      ['challenge count', u32(air.aux!.challenges)],
      ['row-constraint count', u32(air.rowConstraints!.length)],
      ...air.rowConstraints!.map((r, i): [string, Uint8Array] => [`rowConstraints[${i}]`, concatBytes(u32(r.row), lp32(serializeExpr(r.expr)))]),
    ];
    const input = concatBytes(...fields.map(([, b]) => b));
    const digest = airDigest(air);
    check(same(blake3(input), digest), 'the v2 AIR digest input');
    return [
      ...fields.map(([name, b]) => `${name.padEnd(20)} ${hex(b)}`),
      `input length        ${input.length} bytes`,
      `airDigest           ${hex(digest)}`,
    ].join('\n');
  },

  'stark.aux.lowering': () => {
    const air = EXAMPLE_AUX_AIR;
    const beta: Fp2.Fp2 = [5n, 3n];
    const lowered = lowerAir(air, [beta]);
    // Distinct declared coefficients tell the coordinates apart: α for c0, α·u for c1.
    const alphas = Array.from({ length: 4 }, (_, i): Fp2.Fp2 => [BigInt(i + 2), BigInt(3 * i + 9)]);
    const coefficients = lowered.coefficients(alphas);
    const T = air.transitions.length, B = air.boundaries.length, L = lowered.air.transitions.length;
    const timesU = (a: Fp2.Fp2) => Fp2.mul(a, Fp2.U);
    const coordinate = (declared: Fp2.Fp2, got: Fp2.Fp2) => (Fp2.eq(got, declared) ? 0 : (check(Fp2.eq(got, timesU(declared)), 'α·u'), 1));
    const lines = [`aux column 0 → base columns 1 (c0) and 2 (c1); challenge 0 = ρ_0 = ${fp2(beta)}; lowered width ${lowered.air.width}`];
    const show = (what: string, declared: Expr, exprs: readonly Expr[], origins: readonly number[], offset: number, alphaIndex: (origin: number) => number, index: number) => {
      lines.push(`${what}: ${infix(declared)}`);
      const mine = exprs.flatMap((e, i) => (origins[i] === index ? [{ e, c: coordinate(alphas[alphaIndex(index)]!, coefficients[offset + i]!) }] : []));
      for (const c of [0, 1]) {
        const hit = mine.find((x) => x.c === c);
        lines.push(`  c${c}: ${hit ? `${infix(hit.e).padEnd(36)} coefficient α_${alphaIndex(index)}${c ? '·u' : ''}` : '(the constant 0: dropped)'}`);
      }
    };
    air.transitions.forEach((t, i) => show(`transition ${i}`, t, lowered.air.transitions, lowered.transitionOrigin, 0, (o) => o, i));
    air.rowConstraints!.forEach((r, i) => show(`row constraint ${i} (row ${r.row})`, r.expr, (lowered.air.rowConstraints ?? []).map((x) => x.expr), lowered.rowOrigin, L + B, (o) => T + B + o, i));
    // The lowering agrees with F_p2 arithmetic, also at F_p2 values of the base columns (the OOD point).
    const x: Fp2.Fp2[] = [[11n, 4n], [6n, 13n], [Fp.P - 3n, 8n]], y: Fp2.Fp2[] = [[12n, 1n], [2n, 7n], [9n, Fp.P - 5n]];
    const aux = (v: Fp2.Fp2[]) => Fp2.add(v[1]!, Fp2.mul(Fp2.U, v[2]!));
    const declared = evaluate(air.transitions[1]!, (l) => (l.op === 'aux-cur' ? aux(x) : l.op === 'aux-next' ? aux(y) : l.op === 'challenge' ? beta : l.op === 'cur' ? x[l.col]! : y[(l as { col: number }).col]!),
      { constant: Fp2.fromBase, add: Fp2.add, sub: Fp2.sub, mul: Fp2.mul, neg: Fp2.neg, pow: (a, e) => Fp2.pow(a, BigInt(e)) });
    const [c0, c1] = evalExtAll(lowered.air.transitions.slice(1, 3), { cur: x, next: y, periodic: [] });
    check(Fp2.eq(declared, Fp2.add(c0!, Fp2.mul(Fp2.U, c1!))), 'lowering = F_p2 evaluation');
    lines.push(`declared coefficients (α_0, α_1 | α_2 boundary | α_3) → lowered (${['α_0', 'α_1', 'α_1·u', 'α_2', 'α_3', 'α_3·u'].join(', ')})`);
    lines.push(`α_1 = ${fp2(alphas[1]!)}: α_1·u = ${fp2(timesU(alphas[1]!))}  (u·(a0 + a1·u) = 7·a1 + a0·u)`);
    check(coefficients.length === 6 && Fp2.eq(coefficients[2]!, timesU(alphas[1]!)), 'lowered coefficient list');
    let verdict: string;
    try {
      lowerAir({ ...air, transitions: [add(mul(cur(0), 0), challenge(0)), air.transitions[1]!] }, [beta]);
      verdict = 'accepted';
    } catch (e) {
      verdict = `refused (${(e as Error).message.slice(air.id.length + 2)}); a verifier rejects with ood`;
    }
    lines.push(`transition cur(0)·0 + challenge(0): c0 folds to the constant 5, c1 to 3: ${verdict}`);
    return lines.join('\n');
  },

  'stark.aux.shape': async () => {
    const { air, o, lowered, proof } = await auxReplay();
    const T = air.transitions.length, B = air.boundaries.length, R = air.rowConstraints!.length, W = loweredWidth(air), S = compositionSegments(air);
    check(proof.oodTrace.length === W && proof.segments === S, 'aux proof shape');
    return [
      `${air.id}: w = ${air.width}, n = ${2 ** air.logN}, auxiliary width m = ${air.aux!.width} (${air.names!.auxColumns!.join(', ')}), challenges = ${air.aux!.challenges}`,
      `transition degrees ${air.transitions.map(degreeOf).join(', ')}; row constraints at rows ${air.rowConstraints!.map((r) => r.row).join(', ')}, degrees ${air.rowConstraints!.map((r) => degreeOf(r.expr)).join(', ')}`,
      `T = ${T}, B = ${B}, R = ${R}: composition coefficients = T + B + R = ${compositionCoefficientCount(air)}`,
      `S = max(1, ${Math.max(...air.transitions.map(degreeOf))} − 1, ${Math.max(...air.rowConstraints!.map((r) => degreeOf(r.expr)))}) = ${S}; W = w + 2m = ${W}; DEEP coefficients = 2W + S = ${2 * W + S}`,
      `lowered: ${lowered.air.transitions.length} transitions (declared ${lowered.transitionOrigin.join(', ')}), ${lowered.air.rowConstraints!.length} row constraints (declared ${lowered.rowOrigin.join(', ')})`,
      `airDigest (capseal-air-v2) = ${hex(airDigest(air))}`,
      `options β ${o.blowup}, ${o.queries} queries, ${o.grindingBits} grinding bits, f ${o.foldingFactor}; statement hash 32 × 0x33, empty public inputs`,
    ].join('\n');
  },

  'stark.aux.air': () => {
    const air = rangeAir();
    const defs = new Map<Expr, { name: string; text: string }>();
    const names = air.names!;
    const lines = [
      ...air.transitions.map((t, i) => `transition ${i}${names.transitions?.[i] ? ` (${names.transitions[i]})` : ''}: ${infixNamed(t, defs)}`),
      ...air.boundaries.map((b, i) => `boundary ${i}: column ${b.col}, row ${b.row}, value ${b.value}`),
      ...air.rowConstraints!.map((r, i) => `row constraint ${i} (${names.rowConstraints![i]}), row ${r.row}: ${infixNamed(r.expr, defs)}`),
      'where (shared subexpressions, let nodes; ′ marks the next-row form, a distinct node of the same name):',
      ...[...defs.values()].map((d) => `  ${d.name} = ${d.text}`),
    ];
    return lines.join('\n');
  },

  'stark.aux.transcript': async () => {
    const { air, o, proof, challenges, alphas, z, gammas } = await auxReplay();
    const t = startTranscript(air, o, AUX_VECTOR.statementHash, AUX_VECTOR.publicInputs);
    const lines = [`after public-inputs          cv = ${hex(t.state())}`];
    t.absorb('trace-root', proof.traceRoot);
    lines.push(`absorb trace-root  data = ${hex(proof.traceRoot)}`, `${''.padEnd(29)}cv = ${hex(t.state())}`);
    ['ρ_0 (LogUp β)', 'ρ_1 (LogUp γ)'].forEach((what, i) => {
      const c = t.challengeExt('aux-challenge');
      check(Fp2.eq(c, challenges[i]!), 'aux challenge');
      lines.push(`aux-challenge ${what} = ${fp2(c)}`, `${''.padEnd(29)}cv = ${hex(t.state())}`);
    });
    t.absorb('aux-root', proof.auxRoot!);
    lines.push(`absorb aux-root    data = ${hex(proof.auxRoot!)}`, `${''.padEnd(29)}cv = ${hex(t.state())}`);
    alphas.forEach((a, i) => lines.push(`composition-coefficient α[${i}] = ${fp2(a)}`));
    lines.push(`ood-point z = ${fp2(z)}`);
    lines.push(`ood-trace, ood-trace-next: ${proof.oodTrace.length} values each; ood-composition: ${proof.oodComposition.length}; deep-coefficient draws: ${gammas.length}`);
    return lines.join('\n');
  },

  'stark.aux.ood': async () => {
    const k = await kernels();
    const { air, proof, lowered, coefficients, z, alphas } = await auxReplay();
    const T = air.transitions.length, B = air.boundaries.length, L = lowered.air.transitions.length;
    const claimed = compositionAt(k, lowered.air, z, proof.oodTrace, proof.oodTraceNext, coefficients);
    const committed = segmentsAt(air.logN, z, proof.oodComposition);
    check(Fp2.eq(claimed, committed), 'aux OOD check');
    const which = (declared: Fp2.Fp2, got: Fp2.Fp2, i: number) => (Fp2.eq(declared, got) ? `α[${i}]` : `α[${i}]·u`);
    return [
      ...proof.oodTrace.map((v, i) => `T_${i}(z)${i < air.width ? '' : ` [aux ${Math.floor((i - air.width) / 2)}.c${(i - air.width) % 2}]`} = ${fp2(v)}`),
      ...lowered.transitionOrigin.map((o, i) => `lowered transition ${i}: declared ${o}, ${which(alphas[o]!, coefficients[i]!, o)} = ${fp2(coefficients[i]!)}`),
      ...alphas.slice(T, T + B).map((a, b) => `boundary ${b}: α[${T + b}] = ${fp2(a)}`),
      ...lowered.rowOrigin.map((o, i) => `lowered row constraint ${i} (row ${lowered.air.rowConstraints![i]!.row}): declared ${o}, ${which(alphas[T + B + o]!, coefficients[L + B + i]!, T + B + o)} = ${fp2(coefficients[L + B + i]!)}`),
      `compositionAt(z) = ${fp2(claimed)}`,
      `segmentsAt(z)    = ${fp2(committed)}`,
    ].join('\n');
  },

  'stark.aux.layout': async () => {
    const p = await auxProof();
    const bin = encodeProof(p);
    check(bin[4] === PROOF_FORMAT_VERSION_AUX && bin[5] === 0, 'version 2');
    const opening = (op: StarkProof['traceOpening']) => 4 + 8 * op.rows.length + 1 + 4 + 32 * op.proof.siblings.length;
    let at = 0;
    const lines = ['offset  field                size  contents'];
    const mark = (name: string, size: number, note: string) => {
      lines.push(`${String(at).padStart(6)}  ${name.padEnd(19)} ${String(size).padStart(5)}  ${note}`);
      at += size;
    };
    mark('magic', 4, '"CSPF"');
    mark('version', 2, `u16 = ${PROOF_FORMAT_VERSION_AUX}`);
    mark('options', 4, `${p.options.blowup}, ${p.options.queries}, ${p.options.grindingBits}, ${p.options.foldingFactor}`);
    mark('airId', 1 + p.airId.length, `"${p.airId}"`);
    mark('logN', 1, String(p.logN));
    mark('width', 2, `${p.width} (the main trace's w)`);
    mark('segments', 1, String(p.segments));
    mark('traceRoot', 32, hex(p.traceRoot).slice(0, 16) + '…');
    check(same(bin.subarray(at, at + 32), p.auxRoot!), 'auxRoot offset');
    mark('auxRoot', 32, hex(p.auxRoot!).slice(0, 16) + '…');
    mark('compositionRoot', 32, hex(p.compositionRoot).slice(0, 16) + '…');
    mark('oodTrace', 2 + 16 * p.oodTrace.length, `${p.oodTrace.length} × Fp2 (W = w + 2m)`);
    mark('oodTraceNext', 2 + 16 * p.oodTraceNext.length, `${p.oodTraceNext.length} × Fp2`);
    mark('oodComposition', 2 + 16 * p.oodComposition.length, `${p.oodComposition.length} × Fp2`);
    mark('friRoots', 1 + 32 * p.friRoots.length, `${p.friRoots.length} digests`);
    mark('finalPoly', 2 + 16 * p.finalPoly.length, `${p.finalPoly.length} × Fp2`);
    mark('nonce', 8, `u64 = ${p.nonce}`);
    mark('traceOpening', opening(p.traceOpening), `${p.traceOpening.rows.length} values (48 rows × 3), depth ${p.traceOpening.proof.depth}, ${p.traceOpening.proof.siblings.length} siblings`);
    mark('auxOpening', opening(p.auxOpening!), `${p.auxOpening!.rows.length} values (48 rows × 4), depth ${p.auxOpening!.proof.depth}, ${p.auxOpening!.proof.siblings.length} siblings`);
    mark('compositionOpening', opening(p.compositionOpening), `${p.compositionOpening.rows.length} values (48 rows × 4), depth ${p.compositionOpening.proof.depth}, ${p.compositionOpening.proof.siblings.length} siblings`);
    mark('friOpenings', 1 + p.friOpenings.reduce((sum, op) => sum + opening(op), 0), `${p.friOpenings.length} openings`);
    mark('securityBits', 2, `u16 = ${p.securityBits}`);
    check(at === bin.length && p.traceOpening.rows.length === 48 * 3 && p.auxOpening!.rows.length === 48 * 4 && p.compositionOpening.rows.length === 48 * 4, 'aux layout');
    lines.push(`${String(at).padStart(6)}  end (total ${bin.length} bytes, SHA-256 ${sha256Hex(bin)})`);
    const json = proofToJson(p) as Record<string, unknown>;
    lines.push(`JSON members: ${Object.keys(json).join(', ')}; "version": ${String(json['version'])}`);
    return lines.join('\n');
  },

  'stark.aux.first-query': async () => {
    const { proof, air, o, z, gammas, queries } = await auxReplay();
    const f = o.foldingFactor, w = air.width, W = loweredWidth(air), m = W - w, S = proof.segments, logNN = air.logN + Math.log2(o.blowup);
    const zw = Fp2.mulBase(z, Fp.rootOfUnity(air.logN));
    const g = queries[0]!;
    const lines = [`first query group g = ${g}: positions ${Array.from({ length: f }, (_, j) => g * f + j).join(', ')}`];
    for (let j = 0; j < 2; j++) {
      const x = pointAt(COSET_SHIFT, logNN, g * f + j);
      const main = proof.traceOpening.rows.subarray(j * w, (j + 1) * w), aux = proof.auxOpening!.rows.subarray(j * m, (j + 1) * m);
      const row = new BigUint64Array([...main, ...aux]);
      const d = deepAt(row, proof.compositionOpening.rows.subarray(j * 2 * S, (j + 1) * 2 * S), Fp2.inv(Fp2.sub(Fp2.fromBase(x), z)), Fp2.inv(Fp2.sub(Fp2.fromBase(x), zw)),
        { oodTrace: proof.oodTrace, oodTraceNext: proof.oodTraceNext, oodComposition: proof.oodComposition, gammas });
      lines.push(`position ${g * f + j}: x = ${x}`);
      lines.push(`  trace row = (${[...main].join(', ')})`);
      lines.push(`  aux row   = (${[...aux].join(', ')})`);
      lines.push(`  D(x) = ${fp2(d)}`);
    }
    return lines.join('\n');
  },

  'stark.aux.rejections': async () => {
    const k = await kernels();
    const proof = await auxProof();
    const air = rangeAir();
    const verify = (p: StarkProof, a: Air = air): string => {
      const v = verifyProof(k, a, p, AUX_VECTOR.statementHash, AUX_VECTOR.publicInputs, { minSecurityBits: 0 });
      return v.ok ? `ok (${v.securityBits} bits)` : v.code;
    };
    const auxRows = proof.auxOpening!.rows.slice();
    auxRows[0] = Fp.add(auxRows[0]!, 1n);
    const { auxRoot: _r, auxOpening: _o, ...withoutAux } = proof;
    const { aux: _a, rowConstraints: _rc, names: _n, ...plain } = air;
    const v1 = encodeProof(withoutAux);
    const bytes = encodeProof(proof).slice();
    bytes[4] = 1;
    let decoded: string;
    try {
      decodeProof(bytes);
      decoded = 'decodes';
    } catch (e) {
      decoded = `does not decode (${(e as { field: string }).field})`;
    }
    const cases: [string, string][] = [
      ['the proof, minSecurityBits 0', verify(proof)],
      ['auxRoot with its first bit flipped', verify({ ...proof, auxRoot: Uint8Array.from(proof.auxRoot!, (x, i) => (i === 0 ? x ^ 1 : x)) })],
      ['auxOpening.rows[0] + 1', verify({ ...proof, auxOpening: { ...proof.auxOpening!, rows: auxRows } })],
      ['auxOpening without its last row', verify({ ...proof, auxOpening: { ...proof.auxOpening!, rows: proof.auxOpening!.rows.slice(0, -4) } })],
      ['oodTrace[3] + 1 (aux column 0, c0)', verify({ ...proof, oodTrace: proof.oodTrace.map((x, i): Fp2.Fp2 => (i === 3 ? [Fp.add(x[0], 1n), x[1]] : x)) })],
      ['oodTraceNext[6] + u (aux column 1, c1)', verify({ ...proof, oodTraceNext: proof.oodTraceNext.map((x, i): Fp2.Fp2 => (i === 6 ? [x[0], Fp.add(x[1], 1n)] : x)) })],
      [`without auxRoot, auxOpening (version ${v1[4]})`, verify(decodeProof(v1))],
      ['the AIR without its argument', verify(proof, { ...plain, transitions: air.transitions.slice(0, 1) })],
      ['the bytes with version 1', decoded],
    ];
    return cases.map(([what, verdict]) => `${what.padEnd(40)} → ${verdict}`).join('\n');
  },

  'stark.lookup.columns': async () => {
    const { challenges } = await auxReplay();
    const air = rangeAir(), trace = rangeTrace(VALUES);
    const [beta, gamma] = challenges as [Fp2.Fp2, Fp2.Fp2];
    const [t, sum] = air.aux!.build(trace, challenges);
    const n = 2 ** air.logN;
    const lines = [`β = challenge 0 = ${fp2(beta)}`, `γ = challenge 1 = ${fp2(gamma)}`,
      'interaction 0: bus 0, tuple (cur(1)), multiplicity 1        (the value looked up)',
      'interaction 1: bus 0, tuple (cur(0)), multiplicity 0 − cur(2) (the table row, received cur(2) times)'];
    let running: Fp2.Fp2 = Fp2.ZERO;
    for (let r = 0; r < n; r++) {
      const v = trace[1]![r]!, tab = trace[0]![r]!, count = trace[2]![r]!;
      const d0 = Fp2.sub(beta, Fp2.mulBase(gamma, v)), d1 = Fp2.sub(beta, Fp2.mulBase(gamma, tab));
      const term = Fp2.sub(Fp2.inv(d0), Fp2.mulBase(Fp2.inv(d1), count));
      running = Fp2.add(running, term);
      check(Fp2.eq(term, [t!.c0[r]!, t!.c1[r]!]) && Fp2.eq(running, [sum!.c0[r]!, sum!.c1[r]!]), 'LogUp columns');
      if (r < 2 || r === n - 1) {
        lines.push(`row ${r}: cur(1) = ${v}, cur(0) = ${tab}, cur(2) = ${count}`);
        lines.push(`  d_0 = β − (0 + γ·${v}) = ${fp2(d0)}`);
        lines.push(`  d_1 = β − (0 + γ·${tab}) = ${fp2(d1)}`);
        lines.push(`  logup_t0  = 1/d_0 − ${count}/d_1 = ${fp2(term)}`);
        lines.push(`  logup_sum = ${fp2(running)}`);
      } else if (r === 2) lines.push('…');
    }
    return lines.join('\n');
  },
};

