// Worked examples of docs/spec/capsule.md, recomputed from the code (test/spec-examples.test.ts checks
// that every `example capsule.*` block of the document holds exactly what its function returns).
//
// The example capsule is sealed deterministically: the proof of FIB_AIR_V1 at 16 rows is the same on
// every machine (proofs are deterministic), and the declared measurements (times, stages, backend)
// that a real run would fill in are fixed here, so its capsule hash never changes.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { signerStatus, parseAcl } from '../../src/capsule/acl.js';
import { ADAPTERS, AGENT_ADAPTER, FIB_ADAPTER, GEOM_ADAPTER, AGENT_V1_ADAPTER, type AnyTraceAdapter } from '../../src/capsule/adapter.js';
import { agentCapsule, verifyAgentCapsule } from '../../src/capsule/agent-capsule.js';
import { rootOfChunk, rootOfChunkRoots } from '../../src/capsule/archive.js';
import { parseKeyFile, signCapsuleHash, verifyAuthorship, type KeyFile } from '../../src/capsule/authorship.js';
import { capsuleHash } from '../../src/capsule/capsule.js';
import { auditSeed, daSampleCount, sampleChunks } from '../../src/capsule/da.js';
import { DEFAULT_DA, DEFAULT_POLICY_TEXT, policyHash } from '../../src/capsule/policy.js';
import { buildRegistry, checkInclusion, merkleTreeHash, proveInclusion } from '../../src/capsule/registry.js';
import { chunkPath, planSeal, type SealPlan } from '../../src/capsule/seal.js';
import { sealPlan } from '../helpers/capsule.js';
import { jcsArrayHash, jcsHash, jcsRef, recordSchema, traceSpecFor } from '../../src/capsule/spec.js';
import { verifyCapsule, type CapsuleFiles, type VerifyCapsuleOptions } from '../../src/capsule/verify.js';
import { AIRS, agentTrace, agentTraceV2, AGENT_V2_COLUMNS, fibTrace, geomTrace, receiptHash, ZERO_HASH, type AgentAction } from '../../src/airs/index.js';
import { sha256, sha256Hex } from '../../src/hash/digest.js';
import { canonicalize } from '../../src/json/canonical-json.js';
import { jsonFileBytes } from '../../src/json/file-json.js';
import { maxProofJsonFileBytes } from '../../src/stark/codec.js';
import { airDigest, type Air } from '../../src/stark/air.js';
import type { Expr } from '../../src/stark/expr.js';
import type { Column } from '../../src/field/columns.js';
import { Kernels } from '../../src/wasm/kernels.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const lines = (xs: readonly string[]): string => xs.join('\n');
const pretty = (v: unknown): string => JSON.stringify(v, null, 2);

// ---------------------------------------------------------------------------------------------------
// Fixed inputs of the examples.

/** The example capsule's policy file (its exact bytes are hashed). */
export const EXAMPLE_POLICY_TEXT = `${pretty({
  schema: 'capseal_policy_v1',
  policy_id: 'spec_example',
  policy_version: '1.0.0',
  min_security_bits: 100,
  da_policy: { verification_level: 'probabilistic_da_sampling', delta: 0.5, epsilon: 0.001, min_k_samples: 8 },
})}\n`;

/** A third policy, for the three-leaf registry. */
const OTHER_POLICY_TEXT = `${pretty({ schema: 'capseal_policy_v1', policy_id: 'spec_example', policy_version: '1.0.1', min_security_bits: 120 })}\n`;

/** The test signing key (never use it for anything else). */
export const EXAMPLE_KEY: KeyFile = (() => {
  const sk = hexToBytes('11'.repeat(32));
  return parseKeyFile({ schema: 'capseal_secp256k1_key_v1', private_key: bytesToHex(sk), public_key: bytesToHex(secp256k1.getPublicKey(sk, true)) });
})();

/** The caller's anchors of the example capsule. */
export const EXAMPLE_ANCHORS = {
  dataset_hash: sha256Hex(utf8('example dataset')),
  'git.commit': '3f1c9a2',
  Region: 'Zürich',
};

const EXAMPLE_CHUNK_LEN = 4;

/** A three-action log for the agent examples. */
export const EXAMPLE_ACTIONS: AgentAction[] = [
  { action_type: 'tool_call', instruction_hash: sha256Hex(utf8('instruction 0')), input_hash: sha256Hex(utf8('input 0')), output_hash: sha256Hex(utf8('output 0')),
    success: true, gate_decision: 'allow', gate_score: 0.875, policy_verdict: 'ok' },
  { action_type: 'code_gen', instruction_hash: sha256Hex(utf8('instruction 1')), input_hash: sha256Hex(utf8('input 1')), output_hash: sha256Hex(utf8('output 1')),
    success: false, gate_decision: 'skip', gate_score: null, policy_verdict: null },
  { action_type: 'tool_call', instruction_hash: sha256Hex(utf8('instruction 2')), input_hash: sha256Hex(utf8('input 2')), output_hash: sha256Hex(utf8('output 2')),
    success: true, gate_decision: null, gate_score: 1e-7, policy_verdict: 'ok' },
];

// ---------------------------------------------------------------------------------------------------
// The example capsules, sealed once per process.

type Dir = Map<string, Uint8Array>;
const memFiles = (dir: Dir): CapsuleFiles => ({ read: async (p) => dir.get(p)?.slice() ?? null });

interface Example {
  k: Kernels;
  plan: SealPlan;
  capsule: Record<string, unknown> & { capsule_hash: string };
  dir: Dir;
  lde: Column[];
}

let kernels: Promise<Kernels> | undefined;
const getKernels = (): Promise<Kernels> => (kernels ??= Kernels.load());

/** Seals `adapter`'s `input` with the fixed declared measurements; signs with EXAMPLE_KEY when `sign`. */
async function seal(adapter: AnyTraceAdapter, input: unknown, policyText: string | undefined, anchors: Record<string, string>, chunkLen: number | undefined, sign: boolean): Promise<Example> {
  const k = await getKernels();
  const plan = planSeal({ adapter, input, ...(policyText !== undefined && { policyBytes: utf8(policyText) }), anchors, ...(chunkLen !== undefined && { chunkLen }) });
  const { dir, capsule, lde } = await sealPlan(k, plan, () => ({
    prove_ms: 149.323218, verify_ms: 1e-7,
    stages: [{ stage: 'prove', ms: 149.323218, backend: 'cpu', note: 'example' }],
    backend: { requested: 'cpu', description: 'cpu (example)' },
  }), sign ? { key: EXAMPLE_KEY } : {});
  return { k, plan, capsule: capsule as Example['capsule'], dir, lde };
}

let fib: Promise<Example> | undefined;
/** FIB_AIR_V1, 16 rows, the example policy, chunks of 4 rows, signed. */
const fibExample = (): Promise<Example> => (fib ??= seal(FIB_ADAPTER, { steps: 16 }, EXAMPLE_POLICY_TEXT, EXAMPLE_ANCHORS, EXAMPLE_CHUNK_LEN, true));

let agent: Promise<Example> | undefined;
/** AGENT_AIR_V2 over EXAMPLE_ACTIONS, the built-in default policy, unsigned. */
const agentExample = (): Promise<Example> => (agent ??= seal(AGENT_ADAPTER, EXAMPLE_ACTIONS, undefined, {}, undefined, false));

const verifyDir = async (e: Example, dir: Dir, opts: VerifyCapsuleOptions = {}) => verifyCapsule(e.k, dir.get('capsule.json')!, memFiles(dir), opts);

/** The directory with capsule.json replaced by `capsule` (as the sealer writes it). */
const withCapsule = (dir: Dir, capsule: unknown): Dir => new Map([...dir, ['capsule.json', jsonFileBytes(capsule)]]);

/** `mutate` applied to a copy of the capsule, then capsule_hash recomputed and the signature dropped (a forger re-sealing). */
function resealed(capsule: Record<string, unknown>, mutate: (c: Record<string, any>) => void): Record<string, unknown> {
  const c = structuredClone(capsule) as Record<string, any>;
  mutate(c);
  delete c['authorship'];
  c['capsule_hash'] = capsuleHash(c);
  return c;
}

// ---------------------------------------------------------------------------------------------------

function daTable(): string {
  const rows: [number, number, number][] = [[0.1, 1e-6, 64], [0.1, 1e-6, 1], [0.5, 0.001, 8], [0.05, 1e-9, 64], [0.01, 0.05, 1]];
  return lines(rows.map(([d, e, m]) => `delta=${canonicalize(d)} epsilon=${canonicalize(e)} min_k_samples=${m} ln(1/epsilon)/delta=${Math.log(1 / e) / d} k=${daSampleCount(d, e, m)}`));
}

/** The first draws of sampleChunks, spelled out: counter, the u64 read from the digest, accepted or not, index. */
function draws(seed: Uint8Array, n: number, count: number): string {
  const limit = (2n ** 64n / BigInt(n)) * BigInt(n);
  const out: string[] = [`limit = floor(2^64 / ${n}) * ${n} = ${limit}`];
  const seen = new Set<number>();
  for (let j = 0; j < count; j++) {
    const msg = new Uint8Array(seed.length + 4);
    msg.set(seed);
    new DataView(msg.buffer).setUint32(seed.length, j, true);
    const d = sha256(msg);
    const x = new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0, true);
    const idx = Number(x % BigInt(n));
    const note = x >= limit ? 'rejected (>= limit)' : seen.has(idx) ? `index ${idx} (repeat, ignored)` : `index ${idx}`;
    if (x < limit) seen.add(idx);
    out.push(`j=${j} msg=seed||${bytesToHex(msg.subarray(seed.length))} u64=${x} ${note}`);
  }
  return lines(out);
}

function registryExample() {
  const texts = [DEFAULT_POLICY_TEXT, EXAMPLE_POLICY_TEXT, OTHER_POLICY_TEXT];
  const entries = texts.map((t) => {
    const p = JSON.parse(t) as { policy_id: string; policy_version: string };
    return { policy_id: p.policy_id, policy_version: p.policy_version, policy_hash: policyHash(utf8(t)) };
  });
  return { registry: buildRegistry(entries), entries };
}

/** RFC 9162 §2.1.3.2 step by step, as the spec words it. */
function inclusionTrace(root: string, leafHex: string, index: number, size: number, path: readonly string[]): string {
  const H = (b: Uint8Array) => bytesToHex(sha256(b));
  let fn = index, sn = size - 1;
  let r = H(Uint8Array.of(0, ...hexToBytes(leafHex)));
  const out = [`fn=${fn} sn=${sn} r=leaf_hash=${r}`];
  for (const p of path) {
    if (fn % 2 === 1 || fn === sn) {
      r = H(Uint8Array.of(1, ...hexToBytes(p), ...hexToBytes(r)));
      out.push(`p=${p.slice(0, 16)}… fn=${fn} is a right child or the last node: r=node(p, r)=${r}`);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = H(Uint8Array.of(1, ...hexToBytes(r), ...hexToBytes(p)));
      out.push(`p=${p.slice(0, 16)}… fn=${fn} is a left child: r=node(r, p)=${r}`);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  out.push(`end: sn=${sn} (must be 0), r ${r === root ? '=' : '≠'} root`);
  return lines(out);
}

/** An expression tree in the prefix notation of the document. */
function expr(e: Expr): string {
  switch (e.op) {
    case 'const': return String(e.value);
    case 'cur': return `cur[${e.col}]`;
    case 'next': return `next[${e.col}]`;
    case 'periodic': return `periodic[${e.index}]`;
    case 'aux-cur': return `aux_cur[${e.col}]`;
    case 'aux-next': return `aux_next[${e.col}]`;
    case 'challenge': return `challenge[${e.index}]`;
    case 'neg': return `neg(${expr(e.a)})`;
    case 'pow': return `pow(${expr(e.a)}, ${e.exp})`;
    case 'let': return `let(${expr(e.a)})`;
    default: return `${e.op}(${expr(e.a)}, ${expr(e.b)})`;
  }
}

/** A built-in AIR as the verifier builds it from public inputs: shape, constraints in order, digest. */
function airText(air: Air): string {
  return lines([
    `id ${air.id}  width ${air.width}  logN ${air.logN}`,
    `periodic: ${air.periodic.length === 0 ? 'none' : air.periodic.map((c) => `[${Array.from(c).join(', ')}]`).join(' ')}`,
    ...air.transitions.map((t, i) => `transition ${i}: ${expr(t)}`),
    ...air.boundaries.map((b, i) => `boundary ${i}: column ${b.col}, row ${b.row}, value ${b.value}`),
    `parameters: ${air.parameters.length === 0 ? '(empty)' : bytesToHex(air.parameters)}`,
    `airDigest: ${bytesToHex(airDigest(air))}`,
  ]);
}

const JCS_STRINGS = { b: 'Zürich', a: ['x', 1, true, null], B: 'tab\there "q" \\ \u0001', é: 'é', '10': 'ten', '9': 'nine', '\u20ac': 'euro', '\uff46': 'fullwidth f', '\ud83d\ude00': 'grin' };

// ---------------------------------------------------------------------------------------------------

export const examples: Record<string, () => string | Promise<string>> = {
  // Canonical JSON.
  'capsule.jcs.numbers': () =>
    canonicalize({ epsilon: 1e-6, prove_ms: 149.323218, verify_ms: 1e-7, big: 1e21, below_1e21: 1e20, fraction: 0.1 + 0.2, negative_zero: -0, integral_double: 4.0, exponent: 1.5e-9 }),
  'capsule.jcs.strings-and-order': () => canonicalize(JCS_STRINGS),
  'capsule.jcs.strings-and-order.hex': () => bytesToHex(utf8(canonicalize(JCS_STRINGS))),

  // The built-in AIRs, as the verifier builds them from the statement's public inputs.
  'capsule.air.fib': () => airText(AIRS.fib_air_v1.air(fibTrace(4).publicInputs)),
  'capsule.air.geom': () => airText(AIRS.geom_air_v1.air(geomTrace(3).publicInputs)),
  'capsule.air.agent-v2': () => airText(AIRS.agent_air_v2.air(agentTraceV2(EXAMPLE_ACTIONS).publicInputs)),
  'capsule.air.agent-v1': () => airText(AIRS.agent_air_v1.air(agentTrace(EXAMPLE_ACTIONS).publicInputs)),

  // Trace spec and record schemas.
  'capsule.record-schema.fib': () => canonicalize(recordSchema('FIB_AIR_V1', FIB_ADAPTER.columns)),
  'capsule.record-schema.fib.ref': () => jcsRef(recordSchema('FIB_AIR_V1', FIB_ADAPTER.columns)),
  'capsule.trace-spec.fib': () => canonicalize(traceSpecFor('FIB_AIR_V1', FIB_ADAPTER.columns)),
  'capsule.trace-spec.fib.hash': () => jcsHash(traceSpecFor('FIB_AIR_V1', FIB_ADAPTER.columns)),
  'capsule.trace-formats': () =>
    lines([GEOM_ADAPTER, FIB_ADAPTER, AGENT_ADAPTER, AGENT_V1_ADAPTER, ...Object.values(ADAPTERS).filter((a) => ![GEOM_ADAPTER, FIB_ADAPTER, AGENT_ADAPTER].includes(a))].map((a) => {
      const spec = traceSpecFor(a.traceFormatId, a.columns);
      // A wide format's names are its AIR module's column list (the record schema hashes them all).
      const columns = a.columns.length > 64 ? `${a.columns.length} (${a.columns.slice(0, 2).join(',')},…,${a.columns.at(-1)})` : a.columns.join(',');
      return `${a.traceFormatId} ${a.airId} columns=${columns}\n  record_schema_ref ${spec.record_schema_ref}\n  trace_spec_hash   ${jcsHash(spec)}`;
    })),

  // Public inputs.
  'capsule.public-inputs.fib': () => {
    const pi = fibTrace(4).publicInputs;
    return `${canonicalize(pi)}\n${bytesToHex(AIRS.fib_air_v1.encode(pi))}`;
  },
  'capsule.public-inputs.geom': () => {
    const pi = geomTrace(3).publicInputs;
    return `${canonicalize(pi)}\n${bytesToHex(AIRS.geom_air_v1.encode(pi))}`;
  },

  // Policies and DA parameters.
  'capsule.policy.default': () => DEFAULT_POLICY_TEXT.trimEnd(),
  'capsule.policy.default.hash': () => policyHash(utf8(DEFAULT_POLICY_TEXT)),
  'capsule.policy.example': () => EXAMPLE_POLICY_TEXT.trimEnd(),
  'capsule.policy.example.hash': () => policyHash(utf8(EXAMPLE_POLICY_TEXT)),
  'capsule.da.k': () => `${daTable()}\ndefault policy: k=${daSampleCount(DEFAULT_DA.delta, DEFAULT_DA.epsilon, DEFAULT_DA.min_k_samples)}`,

  // The example capsule.
  'capsule.example.statement': async () => canonicalize((await fibExample()).capsule['statement']),
  'capsule.example.statement.hash': async () => (await fibExample()).capsule['statement_hash'] as string,
  'capsule.example.capsule-json': async () => new TextDecoder().decode((await fibExample()).dir.get('capsule.json')).trimEnd(),
  'capsule.example.capsule-hash': async () => {
    const { capsule } = await fibExample();
    const { capsule_hash: _h, authorship: _a, ...body } = capsule;
    return `${sha256Hex(utf8(canonicalize(body)))}\n(${utf8(canonicalize(body)).length} bytes of canonical JSON hashed)`;
  },
  'capsule.example.chunk-roots-json': async () => new TextDecoder().decode((await fibExample()).dir.get('row_archive/chunk_roots.json')).trimEnd(),
  'capsule.example.chunk0': async () => {
    const e = await fibExample();
    const bytes = e.dir.get(chunkPath(0))!;
    const r = rootOfChunk(e.k, bytes, 4, 2);
    const rows = Array.from({ length: 4 }, (_, i) => bytesToHex(bytes.subarray(16 * i, 16 * i + 16)));
    return lines([...rows.map((h, i) => `row ${i}: ${h}`), `chunk root: ${'root' in r ? bytesToHex(r.root) : r.error}`]);
  },
  'capsule.example.trace-root': async () => {
    const e = await fibExample();
    const bin = e.dir.get('row_archive/chunk_roots.bin')!;
    return `chunk_roots_digest ${sha256Hex(bin)}\nroot of the 32 chunk roots ${bytesToHex(rootOfChunkRoots(e.k, bin))}`;
  },
  'capsule.example.json-bound': async () => {
    const e = await fibExample();
    const { decodeProof } = await import('../../src/stark/codec.js');
    const proof = decodeProof(e.dir.get('proofs/fib.proof.bin')!);
    const bound = maxProofJsonFileBytes(proof);
    return `proofs/fib.proof.json: ${e.dir.get('proofs/fib.proof.json')!.length} bytes; widest JSON size B = ${bound}; a file over 2B = ${2 * bound} bytes is refused unread`;
  },

  // DA audit of the example capsule.
  'capsule.example.da-seed': async () => {
    const { capsule } = await fibExample();
    const p = capsule['policy'] as { policy_id: string; policy_version: string };
    return canonicalize({ domain: 'capseal_da_audit_v1', capsule_hash: capsule.capsule_hash, anchors: capsule['anchors'], policy_id: p.policy_id, policy_version: p.policy_version, challenge_nonce: null });
  },
  'capsule.example.da-seed.hash': async () => {
    const { capsule } = await fibExample();
    const p = capsule['policy'] as { policy_id: string; policy_version: string };
    return bytesToHex(auditSeed({ capsuleHash: capsule.capsule_hash, anchors: capsule['anchors'] as Record<string, string>, policyId: p.policy_id, policyVersion: p.policy_version }));
  },
  'capsule.example.da-draws': async () => {
    const { capsule } = await fibExample();
    const p = capsule['policy'] as { policy_id: string; policy_version: string };
    return draws(auditSeed({ capsuleHash: capsule.capsule_hash, anchors: capsule['anchors'] as Record<string, string>, policyId: p.policy_id, policyVersion: p.policy_version }), 32, 6);
  },
  'capsule.example.da-sample': async () => {
    const { capsule } = await fibExample();
    const p = capsule['policy'] as { policy_id: string; policy_version: string };
    const seedFor = (nonce?: string) => auditSeed({ capsuleHash: capsule.capsule_hash, anchors: capsule['anchors'] as Record<string, string>, policyId: p.policy_id, policyVersion: p.policy_version, ...(nonce !== undefined && { challengeNonce: nonce }) });
    const nonce = '00112233445566778899aabbccddeeff';
    return lines([
      `self-audit (num_chunks=32, k=14): ${sampleChunks(seedFor(), 32, 14).join(' ')}`,
      `challenge nonce ${nonce}: seed ${bytesToHex(seedFor(nonce))}`,
      `challenge audit (num_chunks=32, k=14): ${sampleChunks(seedFor(nonce), 32, 14).join(' ')}`,
      `self-audit seed, num_chunks=1000, k=139, first ten: ${sampleChunks(seedFor(), 1000, 139).slice(0, 10).join(' ')}`,
    ]);
  },

  // Authorship and ACL.
  'capsule.example.key': () => pretty(EXAMPLE_KEY),
  'capsule.example.authorship': async () => {
    const { capsule } = await fibExample();
    const a = signCapsuleHash(capsule.capsule_hash, EXAMPLE_KEY);
    const sig = a.signature;
    return lines([
      `message (the 32 capsule-hash bytes, not hashed again): ${capsule.capsule_hash}`,
      `r: ${sig.slice(0, 64)}`,
      `s: ${sig.slice(64, 128)}`,
      `v: ${sig.slice(128)}`,
      pretty(a),
      `recovered and verified: ${JSON.stringify(verifyAuthorship(capsule.capsule_hash, a))}`,
    ]);
  },
  'capsule.acl.status': () => {
    const pub = EXAMPLE_KEY.public_key;
    const uncompressed = bytesToHex(secp256k1.Point.fromBytes(hexToBytes(pub)).toBytes(false));
    const other = bytesToHex(secp256k1.getPublicKey(hexToBytes('22'.repeat(32)), true));
    const acl = parseAcl({
      schema: 'bef_acl_v1',
      policies: {
        spec_example: [{ pubkey: uncompressed, status: 'active' }],
        capseal_default: [{ pubkey: pub, status: 'active' }, { pubkey: pub.toUpperCase(), status: 'revoked' }],
      },
    });
    return lines([
      pretty(acl),
      `example key under spec_example: ${signerStatus(acl, 'spec_example', pub)}`,
      `example key under capseal_default: ${signerStatus(acl, 'capseal_default', pub)}`,
      `key 0x22…22 (${other}) under spec_example: ${signerStatus(acl, 'spec_example', other)}`,
      `example key under other_policy: ${signerStatus(acl, 'other_policy', pub)}`,
    ]);
  },

  // Registry.
  'capsule.registry.hashes': () => {
    const h = hexToBytes(policyHash(utf8(EXAMPLE_POLICY_TEXT)));
    const leaf = sha256(Uint8Array.of(0, ...h));
    const empty = merkleTreeHash([]);
    return lines([
      `leaf data (the example policy hash, 32 bytes): ${bytesToHex(h)}`,
      `leaf hash SHA-256(00 || data): ${bytesToHex(leaf)}`,
      `node hash SHA-256(01 || leaf || leaf): ${bytesToHex(sha256(Uint8Array.of(1, ...leaf, ...leaf)))}`,
      `empty tree: ${bytesToHex(empty)}`,
    ]);
  },
  'capsule.registry.file': () => pretty(registryExample().registry),
  'capsule.registry.tree': () => {
    const { entries } = registryExample();
    const L = entries.map((e) => sha256(Uint8Array.of(0, ...hexToBytes(e.policy_hash))));
    const n01 = sha256(Uint8Array.of(1, ...L[0]!, ...L[1]!));
    const root = sha256(Uint8Array.of(1, ...n01, ...L[2]!));
    return lines([
      ...L.map((l, i) => `L${i} = leaf(policy ${i}) = ${bytesToHex(l)}`),
      `N01 = node(L0, L1) = ${bytesToHex(n01)}`,
      `root = node(N01, L2) = ${bytesToHex(root)}`,
    ]);
  },
  'capsule.registry.inclusion': () => {
    const { registry, entries } = registryExample();
    return pretty(proveInclusion(registry, entries[1]!.policy_hash));
  },
  'capsule.registry.inclusion.check': () => {
    const { registry, entries } = registryExample();
    const lines_: string[] = [];
    for (const i of [1, 2]) {
      const p = proveInclusion(registry, entries[i]!.policy_hash);
      lines_.push(`leaf ${i} of ${p.tree_size}:`, inclusionTrace(registry.root, p.policy_hash, p.leaf_index, p.tree_size, p.audit_path));
      lines_.push(`checkInclusion: ${JSON.stringify(checkInclusion(p, registry.root, p.policy_hash))}`);
    }
    return lines(lines_);
  },

  // Agent capsules.
  'capsule.agent.actions': () => pretty(EXAMPLE_ACTIONS),
  'capsule.agent.receipt0': () => canonicalize({ schema: 'agent_receipt_v1', action_index: 0, ...EXAMPLE_ACTIONS[0]!, prev_receipt_hash: ZERO_HASH }),
  'capsule.agent.receipts': () => {
    const out: string[] = [];
    let prev = ZERO_HASH;
    EXAMPLE_ACTIONS.forEach((a, i) => {
      prev = receiptHash(a, i, prev);
      out.push(`receipt ${i}: ${prev}`);
    });
    out.push(`action_log_hash: ${jcsArrayHash(EXAMPLE_ACTIONS)}`);
    out.push(`(= SHA-256 of the log's canonical JSON: ${jcsHash(EXAMPLE_ACTIONS)})`);
    return lines(out);
  },
  'capsule.agent.public-inputs': () => {
    const { publicInputs } = agentTraceV2(EXAMPLE_ACTIONS);
    return `${canonicalize(publicInputs)}\n${bytesToHex(AIRS.agent_air_v2.encode(publicInputs))}`;
  },
  'capsule.agent.trace-rows': () => {
    const { trace } = agentTraceV2(EXAMPLE_ACTIONS);
    const row = (r: number) => `row ${r}: ${AGENT_V2_COLUMNS.map((c, i) => `${c}=${trace[i]![r]}`).join(' ')}`;
    return lines([`n = ${trace[0]!.length}`, row(0), row(1), row(2), row(3)]);
  },
  'capsule.agent.capsule': async () => {
    const e = await agentExample();
    const a = agentCapsule({ capsule: e.capsule as never, files: [], timing: { trace_ms: 0.25, prove_ms: 80.5, verify_ms: 12, commit_ms: 3.125 } });
    return pretty(a);
  },
  'capsule.agent.verify': async () => {
    const e = await agentExample();
    const a = agentCapsule({ capsule: e.capsule as never, files: [], timing: { trace_ms: 0.25, prove_ms: 80.5, verify_ms: 12, commit_ms: 3.125 } });
    const dir = new Map(e.dir).set('agent_capsule.json', jsonFileBytes(a));
    const report = await verifyAgentCapsule(e.k, dir.get('agent_capsule.json')!, memFiles(dir), { actions: EXAMPLE_ACTIONS });
    return pretty({ ...report, checks: report.checks.map((c) => `${c.name} ${c.ok ? 'ok' : c.code}`) });
  },

  // The verifier.
  'capsule.example.verify': async () => {
    const e = await fibExample();
    const r = await verifyDir(e, e.dir);
    return pretty({ ...r, checks: r.checks.map((c) => `${c.name} ${c.ok ? 'ok' : c.code}`) });
  },
  'capsule.example.tampering': async () => {
    const e = await fibExample();
    const c = e.capsule;
    const cases: [string, Dir, VerifyCapsuleOptions?][] = [];
    const add = (what: string, dir: Dir, opts?: VerifyCapsuleOptions) => cases.push([what, dir, opts]);
    const drop = (path: string): Dir => { const d = new Map(e.dir); d.delete(path); return d; };
    const flip = (path: string, at = 0): Dir => { const d = new Map(e.dir); const b = d.get(path)!.slice(); b[at] = b[at]! ^ 1; d.set(path, b); return d; };
    add('schema "bef_capsule_v2"', withCapsule(e.dir, { ...c, schema: 'bef_capsule_v2' }));
    add('capsule_hash removed (and an unknown member added)', withCapsule(e.dir, (() => { const { capsule_hash: _h, ...rest } = c; return { ...rest, extra: 1 }; })()));
    add('anchors edited, capsule_hash kept', withCapsule(e.dir, { ...c, anchors: { ...(c['anchors'] as object), Region: 'Bern' } }));
    add('unknown member, capsule_hash recomputed', withCapsule(e.dir, resealed(c, (x) => { x['extra'] = 1; })));
    add('authorship signature r ‖ s ‖ 02', withCapsule(e.dir, { ...c, authorship: { ...(c['authorship'] as object), signature: `${(c['authorship'] as { signature: string }).signature.slice(0, 128)}02` } }));
    add('trace_format_id GEOM_AIR_V1 (hash recomputed)', withCapsule(e.dir, resealed(c, (x) => { x.trace_spec.trace_format_id = 'GEOM_AIR_V1'; x.trace_spec_hash = jcsHash(x.trace_spec); })));
    add('trace_format_id UNKNOWN_V1 (hash recomputed)', withCapsule(e.dir, resealed(c, (x) => { x.trace_spec.trace_format_id = 'UNKNOWN_V1'; x.trace_spec_hash = jcsHash(x.trace_spec); })));
    add('policy.json missing', drop('policy.json'));
    add('policy.json one byte changed', flip('policy.json', 5));
    add('registry root of another registry', e.dir, { registry: { root: '00'.repeat(32), inclusionProof: proveInclusion(registryExample().registry, policyHash(utf8(EXAMPLE_POLICY_TEXT))) } });
    add('proofs/fib.proof.bin missing', drop('proofs/fib.proof.bin'));
    add('proofs/fib.proof.bin one byte changed', flip('proofs/fib.proof.bin', 100));
    add('chunk_meta.chunk_len 8, num_chunks 16 (resealed)', withCapsule(e.dir, resealed(c, (x) => { x.chunk_meta.chunk_len = 8; x.chunk_meta.num_chunks = 16; x.chunk_meta.chunk_bytes = 128; })));
    add('statement_hash one digit changed (resealed)', withCapsule(e.dir, resealed(c, (x) => { x.statement_hash = `${x.statement_hash[0] === '0' ? '1' : '0'}${x.statement_hash.slice(1)}`; })));
    add('anchor added to statement and capsule (resealed)', withCapsule(e.dir, resealed(c, (x) => { x.anchors.extra = 'x'; x.statement.anchors.extra = 'x'; x.statement_hash = jcsHash(x.statement); })));
    add('--min-security 128', e.dir, { minSecurityBits: 128 });
    add('nova_stats with nova_state = trace_commitment (resealed)', withCapsule(e.dir, resealed(c, (x) => { x.nova_stats = { nova_state: '00'.repeat(32) }; x.trace_commitment = '00'.repeat(32); })));
    add('chunk_roots.bin one byte changed', flip('row_archive/chunk_roots.bin'));
    add('ACL without the signer', e.dir, { acl: parseAcl({ schema: 'bef_acl_v1', policies: {} }) });
    add('da_policy.k_samples 13 (resealed)', withCapsule(e.dir, resealed(c, (x) => { x.da_policy.k_samples = 13; })));
    const sample = sampleChunks(auditSeed({ capsuleHash: c.capsule_hash, anchors: c['anchors'] as Record<string, string>, policyId: 'spec_example', policyVersion: '1.0.0' }), 32, 14);
    const unsampled = Array.from({ length: 32 }, (_, i) => i).find((i) => !sample.includes(i))!;
    add(`chunk ${sample[0]} missing (sampled)`, drop(chunkPath(sample[0]!)));
    add(`chunk ${unsampled} missing (not sampled by the self-audit)`, drop(chunkPath(unsampled)));
    add(`chunk ${sample[1]} one byte changed`, flip(chunkPath(sample[1]!)));
    const out: string[] = [];
    for (const [what, dir, opts] of cases) {
      const r = await verifyDir(e, dir, opts);
      out.push(`${what}: ${r.status === 'accepted' ? 'accepted' : r.code} (at ${r.checks[r.checks.length - 1]!.name})`);
    }
    return lines(out);
  },
};
