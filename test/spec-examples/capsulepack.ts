// Worked examples of docs/spec/capsulepack.md (pack.*) and docs/spec/stream.md (stream.*), recomputed
// from the code. Every value is deterministic: fixed run ids, fixed clocks, fixed sample data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { AGENT_V1_ADAPTER, FIB_ADAPTER, GEOM_ADAPTER } from '../../src/capsule/adapter.js';
import { memStreamChecksum } from '../../src/airs/mem-stream.js';
import { auditSeed, daSampleCount, sampleChunks } from '../../src/capsule/da.js';
import { buildRegistry, checkInclusionIn, proveInclusion, registryRoot, type InclusionProofFile } from '../../src/capsule/registry.js';
import { jcsHash } from '../../src/capsule/spec.js';
import { receiptHash, ZERO_HASH } from '../../src/airs/agent.js';
import { EventLog, EventLogError, readEventLog, RunState, type StreamEvent } from '../../src/capsulebench/events.js';
import { HardwareManifestSchema, ToolchainManifestSchema, type HardwareManifest } from '../../src/capsulebench/manifests.js';
import { summarize, throughput } from '../../src/capsulebench/measurements.js';
import { layoutOf, PACK_LIMITS, PackMetaSchema, REQUIRED_FILES, type PackMeta } from '../../src/capsulebench/pack.js';
import { PackArchiveError, TarCheck } from '../../src/capsulebench/pack-archive.js';
import { openPack } from '../../src/capsulebench/pack-node.js';
import {
  parseBenchmarkPolicy, requiredAnchors, requiredOutputs, SHIPPED_POLICY, SHIPPED_POLICY_BYTES, SHIPPED_POLICY_HASH, SHIPPED_POLICY_V1_BYTES,
  SHIPPED_REGISTRY, SHIPPED_WORKLOADS_BYTES, SHIPPED_WORKLOADS_HASH, SHIPPED_WORKLOADS_V1_BYTES, sizesOf, WORKLOAD_REGISTRIES, type BenchmarkPolicy,
} from '../../src/capsulebench/policy.js';
import { agentActions, WORKLOADS, workloadSeed, type WorkloadSeed } from '../../src/capsulebench/workloads.js';
import { sha256, sha256Hex } from '../../src/hash/digest.js';
import { canonicalize } from '../../src/json/canonical-json.js';
import { jsonFileBytes } from '../../src/json/file-json.js';
import * as F from '../../src/field/goldilocks.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const SUITE_SEED = SHIPPED_POLICY.suite.suite_seed_hex;
const seedOf = (workloadId: string, log2Rows: number): WorkloadSeed => ({ suiteSeedHex: SUITE_SEED, workloadId, log2Rows });

/** block(j) = SHA-256(seed ‖ u64 LE j), as the generators read it. */
function block(seed: Uint8Array, j: number): Uint8Array {
  const msg = new Uint8Array(seed.length + 8);
  msg.set(seed);
  new DataView(msg.buffer).setBigUint64(seed.length, BigInt(j), true);
  return sha256(msg);
}

// --- tar streams built by hand, for the archive checks ---

const BLOCK = 512;
interface HeaderSpec {
  path: string;
  type?: string;
  size?: number;
  linkname?: string;
  /** Overrides of raw header bytes, after the checksum is set unless `afterChecksum`. */
  patch?: (b: Uint8Array) => void;
  badChecksum?: boolean;
}

function put(b: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) b[at + i] = text.charCodeAt(i);
}
const octal = (n: number, len: number): string => `${n.toString(8).padStart(len - 1, '0')}\0`;

/** A POSIX ustar header block (name ≤ 100 characters). */
function ustar(h: HeaderSpec): Uint8Array {
  const b = new Uint8Array(BLOCK);
  put(b, 0, h.path);
  put(b, 100, octal(h.type === '5' ? 0o755 : 0o644, 8));
  put(b, 108, octal(0, 8));
  put(b, 116, octal(0, 8));
  put(b, 124, octal(h.size ?? 0, 12));
  put(b, 136, octal(0, 12));
  put(b, 156, h.type ?? '0');
  if (h.linkname) put(b, 157, h.linkname);
  put(b, 257, 'ustar\u000000');
  h.patch?.(b);
  put(b, 148, '        ');
  const sum = b.reduce((s, x) => s + x, 0) + (h.badChecksum ? 1 : 0);
  put(b, 148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

function data(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK);
  out.set(bytes);
  return out;
}
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};
const END = new Uint8Array(2 * BLOCK);
const META = utf8('{}\n');
const goodEntries = (): Uint8Array[] => [ustar({ path: 'capsulepack/', type: '5' }), ustar({ path: 'capsulepack/pack_meta.json', size: META.length }), data(META)];

/** What TarCheck says of a decompressed tar stream. */
function tarVerdict(stream: Uint8Array): string {
  const entries: string[] = [];
  const check = new TarCheck({ entry: (e) => void entries.push(`${e.kind} ${e.path}`) });
  try {
    check.write(stream);
    check.finish();
    return `accepted: ${entries.join(', ')}`;
  } catch (e) {
    if (e instanceof PackArchiveError) return e.code;
    throw e;
  }
}

const TAR_CASES: [string, () => Uint8Array][] = [
  ['a folder and a file, then the end marker', () => concat(...goodEntries(), END)],
  ['the same with "./" before each path', () => concat(ustar({ path: './capsulepack/', type: '5' }), ustar({ path: './capsulepack/pack_meta.json', size: META.length }), data(META), END)],
  ['zero blocks after the end marker', () => concat(...goodEntries(), END, new Uint8Array(4 * BLOCK))],
  ['a non-zero byte after the end marker', () => concat(...goodEntries(), END, Uint8Array.of(1))],
  ['no end marker (cut off)', () => concat(...goodEntries())],
  ['only the end marker (no entry)', () => END],
  ['one zero block, then another header', () => concat(ustar({ path: 'capsulepack/', type: '5' }), new Uint8Array(BLOCK), ustar({ path: 'capsulepack/logs/', type: '5' }), END)],
  ['a symbolic link (type 2)', () => concat(ustar({ path: 'capsulepack/', type: '5' }), ustar({ path: 'capsulepack/capsule.json', type: '2', linkname: '/etc/passwd' }), END)],
  ['a hard link (type 1)', () => concat(ustar({ path: 'capsulepack/', type: '5' }), ustar({ path: 'capsulepack/capsule.json', type: '1', linkname: 'capsulepack/policy.json' }), END)],
  ['a pax extended header (type x)', () => concat(ustar({ path: 'capsulepack/PaxHeader', type: 'x', size: 0 }), END)],
  ['a GNU long name (type L)', () => concat(ustar({ path: '././@LongLink', type: 'L', size: 0 }), END)],
  ['a FIFO (type 6)', () => concat(ustar({ path: 'capsulepack/fifo', type: '6' }), END)],
  ['a path with ".."', () => concat(ustar({ path: 'capsulepack/../evil', size: 0 }), END)],
  ['an absolute path', () => concat(ustar({ path: '/capsulepack/capsule.json', size: 0 }), END)],
  ['a path outside capsulepack/', () => concat(ustar({ path: 'other/capsule.json', size: 0 }), END)],
  ['a segment with a space', () => concat(ustar({ path: 'capsulepack/a b', size: 0 }), END)],
  ['five segments below capsulepack/', () => concat(ustar({ path: 'capsulepack/a/b/c/d/e', size: 0 }), END)],
  ['the same path twice', () => concat(...goodEntries(), ustar({ path: 'capsulepack/pack_meta.json', size: 0 }), END)],
  ['capsulepack as a file', () => concat(ustar({ path: 'capsulepack', size: 0 }), END)],
  ['a file whose name ends in "/"', () => concat(ustar({ path: 'capsulepack/x/', size: 0 }), END)],
  ['a regular file naming a link target', () => concat(ustar({ path: 'capsulepack/x', size: 0, linkname: 'y' }), END)],
  ['a folder claiming a size', () => concat(ustar({ path: 'capsulepack/', type: '5', size: 512 }), data(new Uint8Array(512)), END)],
  ['a bad header checksum', () => concat(ustar({ path: 'capsulepack/', type: '5', badChecksum: true }), END)],
  ['an unknown magic', () => concat(ustar({ path: 'capsulepack/', type: '5', patch: (b) => put(b, 257, 'ustaR\u000000') }), END)],
  ['a size field without its terminator', () => concat(ustar({ path: 'capsulepack/x', patch: (b) => put(b, 124, '000000000000') }), END)],
  ['bytes after the name field\'s NUL', () => concat(ustar({ path: 'capsulepack/x', patch: (b) => put(b, 50, 'y') }), END)],
  ['a file of 64 MiB + 1 bytes (header only)', () => concat(ustar({ path: 'capsulepack/x', size: PACK_LIMITS.maxFileBytes + 1 }), END)],
];

async function gzipVerdicts(): Promise<string[]> {
  const tar = concat(...goodEntries(), END);
  const gz = new Uint8Array(gzipSync(tar));
  const badCrc = gz.slice();
  badCrc[badCrc.length - 8]! ^= 0xff;
  const cases: [string, Uint8Array][] = [
    ['a gzip member holding that tar', gz],
    ['the tar without gzip', tar],
    ['a byte after the gzip member', concat(gz, Uint8Array.of(0))],
    ['a second gzip member after the first', concat(gz, gz)],
    ['a damaged CRC-32 in the gzip trailer', badCrc],
    ['the gzip member cut short by 20 bytes', gz.subarray(0, gz.length - 20)],
  ];
  // capseal bench verify's reader (openPack: a .tgz on disk), the one a pack verifier must agree with.
  const dir = mkdtempSync(join(tmpdir(), 'spec-pack-'));
  try {
    const out: string[] = [];
    for (const [i, [name, bytes]] of cases.entries()) {
      const file = join(dir, `case${i}.tgz`);
      writeFileSync(file, bytes);
      const verdict = await openPack(file, { tempParent: dir }).then(async (p) => {
        const listed = (await p.files.list()).map((e) => `${e.kind} ${e.path}`).join(', ') || 'no file';
        await p.close();
        return `accepted: ${listed}`;
      }, (e: unknown) => (e instanceof PackArchiveError ? e.code : `error ${String(e)}`));
      out.push(`${name}: ${verdict}`);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- events ---

const RUN_ID = 'run_2026_01_02T03_04_05Z_0a1b2c3d';
/** A clock that starts at 2026-01-02T03:04:05Z and moves 250 ms per reading. */
function fixedClock(): () => number {
  let t = Date.UTC(2026, 0, 2, 3, 4, 5) - 250;
  return () => (t += 250);
}

/** A three-event log: run_started, a phase, proof_artifact. */
function threeEvents(): { lines: string[]; log: EventLog } {
  const lines: string[] = [];
  const log = new EventLog(RUN_ID, (line) => lines.push(line), fixedClock());
  log.emit('run_started', {
    client: { runner_name: 'capseal', runner_version: '0.1.0', backend_id: 'GEOM_AIR_V1', backend_version: 'capseal-stark-v1' },
    workload_id: 'geom_walk_v1', track_id: 'baseline_no_accel', log2_rows: 10,
  });
  log.emit('phase', { phase_id: 'trace_generate', phase_label: 'generating the geom_walk_v1 input and trace' });
  log.emit('proof_artifact', {
    proof_id: 'geom', format: 'bin', path: 'proofs/geom.proof.bin', size_bytes: 61234,
    sha256_payload_hash_hex: sha256Hex(utf8('example proof bytes')), measurements_hash_hex: sha256Hex(utf8('example measurements.json')),
    stats: { prover_time_us: 123457, verify_time_us: 4321, peak_rss_bytes: 187695104 },
  });
  return { lines, log };
}

/** What the pack verifier's reading of events.jsonl (readEventLog) says of a file. */
function logVerdict(bytes: Uint8Array): string {
  try {
    return `accepted (${readEventLog(bytes).length} events)`;
  } catch (e) {
    if (e instanceof EventLogError) return e.code;
    throw e;
  }
}
const file = (lines: string[], end = '\n', sep = '\n'): Uint8Array => utf8(lines.join(sep) + end);

// --- manifests and measurements ---

const EXAMPLE_HARDWARE: HardwareManifest = HardwareManifestSchema.parse({
  schema: 'capsulebench_hardware_manifest_v1',
  cpu: { model: 'Example CPU 8-Core Processor', logical_cores: 16, available_parallelism: 16, arch: 'x64' },
  memory: { total_bytes: 68719476736 },
  gpu: null,
});

const EXAMPLE_BUILD_FILES = [
  { path: 'shaders/field.wgsl', sha256: sha256Hex(utf8('// field\n')) },
  { path: 'src/index.ts', sha256: sha256Hex(utf8('export {};\n')) },
];

// --- the two shipped policies and the registry holding them ---

/** Benchmark Policy v1 as differences from v2, checked: v1's bytes are v2's file with exactly these values put in place. */
function policyV1(): string {
  // The files as written (member order kept), checked to be valid policies.
  const v1 = JSON.parse(new TextDecoder().decode(SHIPPED_POLICY_V1_BYTES)) as BenchmarkPolicy, v2 = JSON.parse(new TextDecoder().decode(SHIPPED_POLICY_BYTES)) as BenchmarkPolicy;
  parseBenchmarkPolicy(SHIPPED_POLICY_V1_BYTES);
  const rebuilt = {
    ...v2, policy_id: v1.policy_id, policy_version: v1.policy_version,
    suite: { ...v2.suite, suite_version: v1.suite.suite_version, workload_registry_hash: v1.suite.workload_registry_hash },
    workloads: v1.workloads,
  };
  if (bytesToHex(jsonFileBytes(rebuilt)) !== bytesToHex(SHIPPED_POLICY_V1_BYTES)) throw new Error('v1 differs from v2 in more than the listed fields');
  if (canonicalize(v1.workloads) !== canonicalize(v2.workloads.slice(0, v1.workloads.length))) throw new Error("v1's workloads are not v2's first ones");
  const reg1 = WORKLOAD_REGISTRIES.get(v1.suite.workload_registry_hash)!;
  const reg2 = JSON.parse(new TextDecoder().decode(SHIPPED_WORKLOADS_BYTES)) as typeof reg1;
  const rebuiltReg = { ...reg2, registry_id: reg1.registry_id, workloads: reg2.workloads.slice(0, reg1.workloads.length) };
  if (bytesToHex(jsonFileBytes(rebuiltReg)) !== bytesToHex(SHIPPED_WORKLOADS_V1_BYTES)) throw new Error("workload registry v1 is not v2's first entries");
  return [
    `bef_benchmark_policy_v1.json: bytes ${SHIPPED_POLICY_V1_BYTES.length}, sha256 ${sha256Hex(SHIPPED_POLICY_V1_BYTES)}`,
    `policy_id ${JSON.stringify(v1.policy_id)} (v2: ${JSON.stringify(v2.policy_id)})`,
    `policy_version ${JSON.stringify(v1.policy_version)} (v2: ${JSON.stringify(v2.policy_version)})`,
    `suite.suite_version ${JSON.stringify(v1.suite.suite_version)} (v2: ${JSON.stringify(v2.suite.suite_version)})`,
    `suite.workload_registry_hash ${v1.suite.workload_registry_hash} (v2: ${v2.suite.workload_registry_hash})`,
    `workloads: v2's first ${v1.workloads.length}: ${v1.workloads.map((w) => `${w.workload_id} [${w.params.log2_rows[0]}…${w.params.log2_rows.at(-1)}]`).join(', ')}`,
    `workloads_v1.json: bytes ${SHIPPED_WORKLOADS_V1_BYTES.length}, sha256 ${sha256Hex(SHIPPED_WORKLOADS_V1_BYTES)}, registry_id ${reg1.registry_id}, workloads: the first ${reg1.workloads.length} of workloads_v2.json`,
  ].join('\n');
}

/** The registry's leaves and roots, recomputed by hand. */
function registryRoots(): string {
  const leaves = SHIPPED_REGISTRY.policies.map((p) => sha256(concat(Uint8Array.of(0), hexToBytes(p.policy_hash))));
  const root = bytesToHex(sha256(concat(Uint8Array.of(1), leaves[0]!, leaves[1]!)));
  if (root !== SHIPPED_REGISTRY.root || leaves.length !== 2) throw new Error('the shipped registry is not the two-leaf tree');
  if (registryRoot(SHIPPED_REGISTRY.policies.slice(0, 1)) !== bytesToHex(leaves[0]!)) throw new Error('prefix root');
  return [
    ...SHIPPED_REGISTRY.policies.map((p, i) => `leaf ${i} (${p.policy_id} ${p.policy_version}) = SHA-256(00 ‖ ${p.policy_hash}) = ${bytesToHex(leaves[i]!)}`),
    `root of the first 1 policy (the registry holding v1 alone) = leaf 0 = ${bytesToHex(leaves[0]!)}`,
    `registry root = SHA-256(01 ‖ leaf 0 ‖ leaf 1) = ${root}`,
  ].join('\n');
}

/** checkInclusionIn (the community tier's B6) on inclusion proofs made at each size of the registry, and forged ones. */
function inclusionCases(): string {
  const [v1, v2] = SHIPPED_REGISTRY.policies.map((p) => p.policy_hash) as [string, string];
  const one = buildRegistry(SHIPPED_REGISTRY.policies.slice(0, 1));
  const v1Alone = proveInclusion(one, v1);
  const v2AsOne = proveInclusion(buildRegistry(SHIPPED_REGISTRY.policies.slice(1)), v2);
  const cases: [string, InclusionProofFile, string][] = [
    ['v2, leaf 1 of 2 (what the runner writes)', proveInclusion(SHIPPED_REGISTRY, v2), v2],
    ['v1, leaf 0 of 2', proveInclusion(SHIPPED_REGISTRY, v1), v1],
    ['v1, leaf 0 of 1 (made when the registry held v1 alone)', v1Alone, v1],
    ['v1, leaf 0 of 1, claiming the two-leaf root', { ...v1Alone, root: SHIPPED_REGISTRY.root }, v1],
    ['v2, leaf 0 of 1 (a one-leaf tree of v2)', v2AsOne, v2],
    ['v1, leaf 0 of 3 with the path and root of leaf 0 of 2', { ...proveInclusion(SHIPPED_REGISTRY, v1), tree_size: 3 }, v1],
  ];
  const n = SHIPPED_REGISTRY.policies.length;
  return cases.map(([name, proof, hash]) => {
    const against = proof.tree_size < n ? `the root of the first ${proof.tree_size} (${registryRoot(SHIPPED_REGISTRY.policies.slice(0, proof.tree_size)).slice(0, 16)}…)` : `the registry root (${SHIPPED_REGISTRY.root.slice(0, 16)}…)`;
    const r = checkInclusionIn(proof, SHIPPED_REGISTRY, hash);
    return `${name}: proof root ${proof.root.slice(0, 16)}…, tree_size ${proof.tree_size} → against ${against}: ${r.ok ? 'accepted' : 'E031_POLICY_NOT_IN_REGISTRY'}`;
  }).join('\n');
}

// --- the workloads of Benchmark Policy v2 ---

const permutationsAt = (log2Rows: number): number => Math.floor((2 ** log2Rows - 1) / 24);
const u32le = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset, b.length).getUint32(at, true);
/** `<workload>` at each of the shipped policy's sizes: the derived parameters, via the generator. */
const bySize = (id: string, f: (input: Record<string, unknown>) => string): string =>
  sizesOf(SHIPPED_POLICY, id)!.map((L) => `${L}: ${f(WORKLOADS.get(id)!.input(seedOf(id, L)) as Record<string, unknown>)}`).join(', ');

function keccakStreamExample(): string {
  const id = 'keccak_stream_v1', L = 7, s = seedOf(id, L), w = WORKLOADS.get(id)!, perms = permutationsAt(L);
  const input = w.input(s);
  const { publicInputs } = w.adapter.buildTrace(w.adapter.input.parse(input));
  return [
    `seed = ${bytesToHex(workloadSeed(s))}`,
    `permutations = floor((2^${L} − 1) / 24) = ${perms}; message_bytes = 136 × floor(${perms} / 4) − 1 = ${136 * Math.floor(perms / 4) - 1}`,
    `input JCS: ${canonicalize(input)}`,
    `workload_input_hash = ${w.inputHash(s)}`,
    `public_inputs JCS: ${canonicalize(publicInputs)}`,
    `message_bytes by size: ${bySize(id, (x) => String(x['message_bytes']))}`,
  ].join('\n');
}

function merkleExample(): string {
  const id = 'merkle_build_open_v1', L = 7, s = seedOf(id, L), w = WORKLOADS.get(id)!, perms = permutationsAt(L), seed = workloadSeed(s);
  const input = w.input(s) as { depth: number; openings: number[] };
  const k = input.depth, b0 = block(seed, 0);
  const { publicInputs } = w.adapter.buildTrace(w.adapter.input.parse(input));
  return [
    `seed = ${bytesToHex(seed)}`,
    `permutations = ${perms}; depth k = ${k} (24 × (2^${k + 1} − 1) = ${24 * (2 ** (k + 1) - 1)} < 2^${L}; 24 × (2^${k + 2} − 1) = ${24 * (2 ** (k + 2) - 1)} is not); openings: max(1, 2^(k − 1)) = ${input.openings.length}`,
    `block(0) = ${bytesToHex(b0)}; u32 LE of bytes 0..3 = ${u32le(b0, 0)}; mod 2^${k} = ${u32le(b0, 0) % 2 ** k}`,
    `input JCS: ${canonicalize(input)}`,
    `workload_input_hash = ${w.inputHash(s)}`,
    `public_inputs JCS: ${canonicalize(publicInputs)}`,
    `depth and openings by size: ${bySize(id, (x) => `k=${String(x['depth'])} q=${(x['openings'] as number[]).length}`)}`,
  ].join('\n');
}

function memStreamExample(): string {
  const id = 'mem_stream_branch_v1', L = 8, s = seedOf(id, L), w = WORKLOADS.get(id)!, seed = workloadSeed(s), n = 2 ** L;
  const input = w.input(s) as { steps: number; scalar: number; b: number[]; c: number[]; t: number[] };
  const b0 = block(seed, 0), words = [0, 1, 2, 3, 4, 5, 6].map((j) => u32le(b0, 4 * j));
  const { scalar, b, c, t } = input;
  const a = b.map((x, i) => x + scalar * c[i]!), out = a.map((x, i) => Math.min(x, t[i]!));
  if (scalar !== 1 + (words[0]! % (2 ** 15 - 1)) || b[0] !== words[1]! >>> 2 || c[0] !== words[2]! % 2 ** 15 || t[0] !== words[3]! >>> 1 || b[1] !== words[4]! >>> 2)
    throw new Error('mem_stream_branch_input_v1 words');
  // The chain by hand: acc ← (acc + v)^7 over F_p for v = b_i, c_i, t_i, out_i.
  let acc = 0n, acc0 = 0n;
  for (let i = 0; i < n; i++) {
    for (const v of [b[i]!, c[i]!, t[i]!, out[i]!]) acc = F.pow(F.add(acc, BigInt(v)), 7n);
    if (i === 0) acc0 = acc;
  }
  const checksum = memStreamChecksum(Uint32Array.from(b), Uint32Array.from(c), Uint32Array.from(t), scalar);
  if (checksum !== acc) throw new Error('checksum');
  const { publicInputs } = w.adapter.buildTrace(w.adapter.input.parse(input));
  const lastWord = 3 * n, lastBlock = Math.floor(lastWord / 8);
  const head = (xs: number[]) => `${xs.slice(0, 4).join(', ')}, …`;
  return [
    `seed = ${bytesToHex(seed)}`,
    `block(0) = ${bytesToHex(b0)}`,
    `w_0 … w_6 (u32 LE) = ${words.join(' ')}`,
    `scalar = 1 + (w_0 mod 32767) = ${scalar}`,
    `row 0: b_0 = w_1 >> 2 = ${b[0]}, c_0 = w_2 mod 2^15 = ${c[0]}, t_0 = w_3 >> 1 = ${t[0]}`,
    `row 1: b_1 = w_4 >> 2 = ${b[1]}, c_1 = w_5 mod 2^15 = ${c[1]}, t_1 = w_6 >> 1 = ${t[1]}`,
    `words read: w_0 … w_${lastWord} (blocks 0 … ${lastBlock})`,
    `b = [${head(b)}]; c = [${head(c)}]; t = [${head(t)}] (${n} each)`,
    `input JCS: {"b":[${n} numbers],"c":[${n} numbers],"scalar":${scalar},"steps":${n},"t":[${n} numbers]}`,
    `workload_input_hash = ${w.inputHash(s)}`,
    `row 0: a_0 = b_0 + scalar·c_0 = ${a[0]}, out_0 = min(a_0, t_0) = ${out[0]}; acc after row 0 = ${acc0}`,
    `rows with a_i < t_i (out = a): ${a.filter((x, i) => x < t[i]!).length}; with a_i ≥ t_i (out = t): ${a.filter((x, i) => x >= t[i]!).length}`,
    `checksum = ${checksum}`,
    `public_inputs JCS: ${canonicalize(publicInputs)}`,
  ].join('\n');
}

export const examples: Record<string, () => string | Promise<string>> = {
  // --- policy and registries ---
  'pack.policy.file': () => new TextDecoder().decode(SHIPPED_POLICY_BYTES),
  'pack.policy.workload-registry-file': () => new TextDecoder().decode(SHIPPED_WORKLOADS_BYTES),
  'pack.policy.registry-file': () => new TextDecoder().decode(jsonFileBytes(SHIPPED_REGISTRY)),
  'pack.policy.hash': () => `bytes ${SHIPPED_POLICY_BYTES.length}\nsha256 ${SHIPPED_POLICY_HASH}`,
  'pack.policy.workload-registry-hash': () => `bytes ${SHIPPED_WORKLOADS_BYTES.length}\nsha256 ${SHIPPED_WORKLOADS_HASH}\npolicy.suite.workload_registry_hash ${SHIPPED_POLICY.suite.workload_registry_hash}`,
  'pack.policy.required': () => `required anchors (sorted): ${requiredAnchors(SHIPPED_POLICY).join(', ')}\nrequired outputs: ${requiredOutputs(SHIPPED_POLICY).join(', ')}`,
  'pack.policy.v1': policyV1,
  'pack.policy.registry-root': registryRoots,
  'pack.policy.inclusion-cases': inclusionCases,
  'pack.policy.inclusion-proof': () => new TextDecoder().decode(jsonFileBytes(proveInclusion(SHIPPED_REGISTRY, SHIPPED_POLICY_HASH))),

  // --- workloads ---
  'pack.workload.seed': () => {
    const pre = { domain: 'capsulebench_workload_input_v1', suite_seed_hex: SUITE_SEED, workload_id: 'geom_walk_v1', params: { log2_rows: 10 } };
    return `JCS: ${canonicalize(pre)}\nseed = SHA-256(JCS) = ${bytesToHex(workloadSeed(seedOf('geom_walk_v1', 10)))}`;
  },
  'pack.workload.geom': () => {
    const s = seedOf('geom_walk_v1', 10), seed = workloadSeed(s), b0 = block(seed, 0);
    const view = new DataView(b0.buffer, b0.byteOffset, 32);
    const words = [0, 1, 2, 3].map((w) => view.getBigUint64(8 * w, true));
    const input = WORKLOADS.get('geom_walk_v1')!.input(s);
    return [
      `block(0) = SHA-256(seed ‖ 0000000000000000) = ${bytesToHex(b0)}`,
      ...words.map((x, w) => `word ${w} (bytes ${8 * w}..${8 * w + 7}, LE) = ${x}${x < F.P ? '' : ' (>= p: skipped)'}`),
      `input JCS: ${canonicalize(input)}`,
      `workload_input_hash = ${WORKLOADS.get('geom_walk_v1')!.inputHash(s)}`,
    ].join('\n');
  },
  'pack.workload.geom.result': () => {
    const s = seedOf('geom_walk_v1', 10);
    const { publicInputs } = GEOM_ADAPTER.buildTrace(WORKLOADS.get('geom_walk_v1')!.input(s) as never);
    return `public_inputs JCS: ${canonicalize(publicInputs)}\nresult_digest_hex = SHA-256(JCS) = ${jcsHash(publicInputs)}`;
  },
  'pack.workload.fib': () => {
    const s = seedOf('fib_v1', 10), w = WORKLOADS.get('fib_v1')!;
    const { publicInputs } = FIB_ADAPTER.buildTrace(w.input(s) as never);
    return `input JCS: ${canonicalize(w.input(s))}\nworkload_input_hash = ${w.inputHash(s)}\npublic_inputs JCS: ${canonicalize(publicInputs)}`;
  },
  'pack.workload.agent.first-action': () => {
    const s = seedOf('agent_log_v1', 10), seed = workloadSeed(s);
    const c = block(seed, 3);
    const first = agentActions(s).next().value!;
    return [
      `seed = ${bytesToHex(seed)}`,
      ...[0, 1, 2, 3].map((j) => `block(${j}) = ${bytesToHex(block(seed, j))}`),
      `c = block(3): c[0]=${c[0]} c[1]=${c[1]} c[2]=${c[2]} c[3]=${c[3]} c[4]=${c[4]}`,
      `action 0 JCS: ${canonicalize(first)}`,
      `receipt 0 = SHA-256(JCS(receipt object)) = ${receiptHash(first, 0, ZERO_HASH)}`,
      `receipt object JCS: ${canonicalize({ schema: 'agent_receipt_v1', action_index: 0, ...first, prev_receipt_hash: ZERO_HASH })}`,
    ].join('\n');
  },
  'pack.workload.agent': () => {
    const s = seedOf('agent_log_v1', 10), w = WORKLOADS.get('agent_log_v1')!;
    const h = w.inputHash(s);
    const { publicInputs } = AGENT_V1_ADAPTER.buildTrace(w.input(s) as never);
    const counts = new Map<string, number>();
    for (const a of agentActions(s)) counts.set(String(a.gate_score), (counts.get(String(a.gate_score)) ?? 0) + 1);
    return [
      `workload_input_hash = action_log_hash = ${h}`,
      `derived anchors: ${canonicalize(w.derivedAnchors(h))}`,
      `public_inputs JCS: ${canonicalize(publicInputs)}`,
      `gate_score values in the log: ${[...counts].sort().map(([k, n]) => `${k}×${n}`).join(', ')}`,
    ].join('\n');
  },

  'pack.workload.keccak-stream': keccakStreamExample,
  'pack.workload.merkle': merkleExample,
  'pack.workload.mem-stream': memStreamExample,

  // --- manifests ---
  'pack.manifest.hardware': () => {
    const bytes = jsonFileBytes(EXAMPLE_HARDWARE);
    return `${new TextDecoder().decode(bytes)}bytes ${bytes.length}, hardware_manifest_hash = ${sha256Hex(bytes)}`;
  },
  'pack.manifest.build-hash': () => {
    ToolchainManifestSchema.shape.build.parse({ build_hash: jcsHash(EXAMPLE_BUILD_FILES), files: EXAMPLE_BUILD_FILES });
    return `files JCS: ${canonicalize(EXAMPLE_BUILD_FILES)}\nbuild_hash = ${jcsHash(EXAMPLE_BUILD_FILES)}`;
  },

  // --- measurements ---
  'pack.measurements.summary': () => {
    const odd = [123457, 119002, 130115, 121888, 125000], even = [4321, 4400, 4290, 4305];
    return [
      `summarize([${odd.join(', ')}]) = ${canonicalize(summarize(odd))}`,
      `summarize([${even.join(', ')}]) = ${canonicalize(summarize(even))}`,
      `summarize([3, 4]) = ${canonicalize(summarize([3, 4]))}`,
    ].join('\n');
  },
  'pack.measurements.derived': () => {
    const median = 123457, cells = 2 ** 10 * GEOM_ADAPTER.columns.length;
    return [
      `trace_cells = 2^10 × ${GEOM_ADAPTER.columns.length} = ${cells}`,
      `throughput_cells_per_s = round(${cells} × 10^6 / ${median}) = ${throughput(cells, median)}`,
      `capsule stats.prove_ms = ${median} / 1000 = ${canonicalize(median / 1000)} (as JCS writes it)`,
      `capsule stats.verify_ms = 4305 / 1000 = ${canonicalize(4305 / 1000)}`,
      `workload_size_params JCS = ${canonicalize({ log2_rows: 10 })}`,
    ].join('\n');
  },

  // --- layout, pack_meta, chunks, archives ---
  'pack.layout.classify': () => {
    const paths = [
      'capsule.json', 'policy_inclusion_proof.json', 'proofs/geom.proof.bin', 'proofs/geom.proof.txt', 'proofs/Geom.proof.bin', 'row_archive/chunks/0.bin', 'row_archive/chunks/17.bin',
      'row_archive/chunks/017.bin', 'row_archive/chunks', 'manifests/knobs_manifest.json', 'manifests/env_manifest.json', 'events/events.sha256', 'logs', 'notes.txt',
    ];
    return [`required files: ${REQUIRED_FILES.join(', ')}`, ...paths.map((p) => {
      const r = layoutOf(p);
      return `${p} -> ${r === undefined ? 'not in the layout (E110)' : r.kind === 'chunk' ? `chunk ${r.index}` : r.kind}`;
    })].join('\n');
  },
  'pack.meta.example': () => {
    const meta: PackMeta = {
      schema: 'bef_capsulepack_v1', v: 1, run_id: RUN_ID, created_ts_ms: Date.UTC(2026, 0, 2, 3, 5, 0),
      capsule_hash_hex: sha256Hex(utf8('capsule')), policy_hash_hex: SHIPPED_POLICY_HASH, statement_hash_hex: sha256Hex(utf8('statement')),
      trace_spec_hash_hex: sha256Hex(utf8('trace spec')), workload_id: 'geom_walk_v1', track_id: 'baseline_no_accel', log2_rows: 10,
      contents: {
        capsule: 'capsule.json', policy: 'policy.json', policy_inclusion_proof: 'policy_inclusion_proof.json', events_jsonl: 'events/events.jsonl',
        proof_primary: 'proofs/geom.proof.bin', row_archive: 'row_archive/', manifests: 'manifests/', measurements: 'measurements/measurements.json', runner_log: 'logs/runner.log',
      },
      row_archive: { mode: 'full', chunks_included: 8, num_chunks: 8 },
    };
    return new TextDecoder().decode(jsonFileBytes(PackMetaSchema.parse(meta))).trim();
  },
  'pack.chunks.sample': () => {
    // geom_walk_v1 at 2^18: 2^21 committed rows in 2048 chunks of 1024 rows × 5 columns × 8 bytes.
    const numChunks = 2048, chunkBytes = 1024 * 5 * 8, k = daSampleCount(0.1, 1e-6, 64);
    const capsuleHash = sha256Hex(utf8('capsule')), anchors = { track_id: 'baseline_no_accel', workload_id: 'geom_walk_v1' };
    const seed = auditSeed({ capsuleHash, anchors, policyId: 'bef_bench_policy_v1', policyVersion: '1.0.0' });
    const picked = sampleChunks(seed, numChunks, k);
    return [
      `num_chunks × chunk_bytes = ${numChunks} × ${chunkBytes} = ${numChunks * chunkBytes} > full_archive_max_bytes ${SHIPPED_POLICY.pack_policy.full_archive_max_bytes}: sample`,
      `k_samples = max(64, ceil(ln(10^6) / 0.1)) = ${k}`,
      `self-audit seed (capsule_hash ${capsuleHash}, anchors ${canonicalize(anchors)}) = ${bytesToHex(seed)}`,
      `${picked.length} chunks: ${picked.join(' ')}`,
    ].join('\n');
  },
  'pack.archive.tar-cases': () => TAR_CASES.map(([name, make]) => `${name}: ${tarVerdict(make())}`).join('\n'),
  'pack.archive.gzip-cases': async () => (await gzipVerdicts()).join('\n'),

  // --- the event stream ---
  'stream.event.first': () => {
    const { lines } = threeEvents();
    return `${lines[0]}\nSHA-256 of the line's UTF-8 bytes = ${sha256Hex(utf8(lines[0]!))}`;
  },
  'stream.chain': () => {
    const { lines, log } = threeEvents();
    const out: string[] = [];
    lines.forEach((l, i) => out.push(`line ${i + 1}: ${l}`, `hash ${i + 1}: ${sha256Hex(utf8(l))}`));
    out.push(`chain head after proof_artifact (benchmark.events_chain_head) = ${log.head}`);
    return out.join('\n');
  },
  'stream.snapshot': () => {
    const { lines, log } = threeEvents();
    log.snapshot();
    const state = new RunState();
    for (const l of lines.slice(0, 3)) state.apply(JSON.parse(l) as StreamEvent);
    if (canonicalize((JSON.parse(lines[3]!) as StreamEvent).data) !== canonicalize(state.snapshot(3))) throw new Error('snapshot replay differs');
    return `line 4: ${lines[3]}`;
  },
  'stream.chain-cases': () => {
    const { lines } = threeEvents();
    const edit = (i: number, f: (e: Record<string, unknown>) => void): string[] => {
      const copy = [...lines];
      const e = JSON.parse(copy[i]!) as Record<string, unknown>;
      f(e);
      copy[i] = canonicalize(e);
      return copy;
    };
    const cases: [string, Uint8Array][] = [
      ['the log as written', file(lines)],
      ['without the final LF', file(lines, '')],
      ['CR LF line ends', file(lines, '\r\n', '\r\n')],
      ['an empty line at the end', file([...lines, ''])],
      ['a byte-order mark before line 1', concat(Uint8Array.of(0xef, 0xbb, 0xbf), file(lines))],
      ['an empty file', new Uint8Array(0)],
      ['line 2 with a space after its first comma', file([lines[0]!, lines[1]!.replace(',', ', '), lines[2]!])],
      ['line 2 with an unknown envelope field', file(edit(1, (e) => (e['note'] = 'x')))],
      ['line 2 with an unknown phase_id', file(edit(1, (e) => ((e['data'] as Record<string, unknown>)['phase_id'] = 'warmup')))],
      ['line 1 with source "server"', file(edit(0, (e) => (e['source'] = 'server')))],
      ['line 2 removed', file([lines[0]!, lines[2]!])],
      ['line 2 with its label edited (line 3 unchanged)', file(edit(1, (e) => ((e['data'] as Record<string, unknown>)['phase_label'] = 'edited')))],
      ['line 3 with ts_ms before line 2\'s', file(edit(2, (e) => (e['ts_ms'] = (e['ts_ms'] as number) - 1000)))],
      ['line 3 of another run_id', file(edit(2, (e) => (e['run_id'] = 'run_2026_01_02T03_04_05Z_ffffffff')))],
    ];
    return cases.map(([name, bytes]) => `${name}: ${logVerdict(bytes)}`).join('\n');
  },
};
