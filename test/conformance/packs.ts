// The capsulepack vectors of docs/conformance/ (see generate.ts): an honest pack made by the real
// runner on a host whose clock, manifests and memory readings are fixed, so the pack is the same on
// every machine, and one forged variant per pack code — edited files, resealed capsules, re-chained
// event logs, or the workload proved again honestly under other anchors or policy, the forgeries a
// dishonest runner holding its own key could make (test/capsulebench-contract.test.ts makes the
// same kinds on disk).
import { gunzipSync } from 'node:zlib';
import { bytesToHex as hex } from '@noble/hashes/utils.js';
import { AIRS, type AirId } from '../../src/airs/index.js';
import { ACL_SCHEMA, parseAcl } from '../../src/capsule/acl.js';
import type { KeyFile } from '../../src/capsule/authorship.js';
import { DEFAULT_POLICY_TEXT } from '../../src/capsule/policy.js';
import { buildRegistry, proveInclusion } from '../../src/capsule/registry.js';
import { BENCH_ERROR_CODES } from '../../src/capsulebench/codes.js';
import { verifyPack, type PackErrorCode, type VerifyPackOptions } from '../../src/capsulebench/contract.js';
import { EVENTS_PATH, lineHash, type StreamEvent } from '../../src/capsulebench/events.js';
import type { ToolchainManifest } from '../../src/capsulebench/manifests.js';
import { archiveRejection, crc32, PackArchiveError, readPackArchive, writePackArchive } from '../../src/capsulebench/pack-archive.js';
import type { PackFiles } from '../../src/capsulebench/pack.js';
import { SHIPPED_POLICY, SHIPPED_POLICY_V1_BYTES, SHIPPED_REGISTRY } from '../../src/capsulebench/policy.js';
import { runBenchmark, type RunnerHost } from '../../src/capsulebench/runner.js';
import { WORKLOADS, workloadSeed } from '../../src/capsulebench/workloads.js';
import { sha256Hex } from '../../src/hash/digest.js';
import { canonicalBytes } from '../../src/json/canonical-json.js';
import { jsonFileBytes } from '../../src/json/file-json.js';
import type { Backend } from '../../src/backend/backend.js';
import { createNodeCpuBackend } from '../../src/prover/node.js';
import { decodeProof } from '../../src/stark/codec.js';
import { verifyProof } from '../../src/stark/verifier.js';
import type { Kernels } from '../../src/wasm/kernels.js';
import type { Files } from './generate.js';
import { END, file, header, ROOT } from '../helpers/tar.js';
import { eventsOf, headOf, readJsonOf, rechain, reprovePack, resealPack, writeJsonOf } from '../helpers/pack-forge.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Dir = Map<string, Uint8Array>;

export interface PackCase {
  id: string;
  kind: 'pack';
  /** A pack folder (`base` plus `overlay`, as for capsules), or a .tgz file (`archive`). */
  base?: string;
  overlay?: Record<string, string | null>;
  archive?: string;
  verify: { certified?: { registry_root: string; acl: string }; challenge_nonce?: string; trusted_registry?: string };
  expect: { status: 'accepted' } | { status: 'rejected'; code: string };
  reason: string;
}

const utf8 = new TextEncoder();
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const PACK_DIR = 'pack/fib';
const WORKLOAD = 'fib_v1';
const LOG2_ROWS = 10;
/** 2026-01-01T00:00:00Z: the fixed wall clock of the vectors' host. */
const EPOCH_MS = 1_767_225_600_000;

/** A toolchain manifest whose build is one named file: fixed, so the pack does not change with the code. */
function toolchain(): ToolchainManifest {
  const files = [{ path: 'conformance/runner', sha256: sha256Hex(utf8.encode('capseal conformance runner')) }];
  return {
    schema: 'capsulebench_toolchain_manifest_v1',
    runtime: { name: 'node', version: 'v20.19.0', engine: 'v8' },
    capseal: { version: '0.0.0-conformance', runner_repo: 'conformance', git_commit: 'none' },
    dependencies: {},
    build: { build_hash: sha256Hex(canonicalBytes(files)), files },
  };
}

/** A RunnerHost with a counter for a clock, fixed manifests and memory, writing into `out`; it verifies each proof for real. */
function fixedHost(k: Kernels, backend: Backend, out: Dir): RunnerHost {
  let clock = 0;
  const tc = toolchain();
  return {
    kernels: k, backend,
    manifests: {
      hardware: { schema: 'capsulebench_hardware_manifest_v1', cpu: { model: 'conformance', logical_cores: 1, available_parallelism: 1, arch: 'x64' }, memory: { total_bytes: 2 ** 34 }, gpu: null },
      os: { schema: 'capsulebench_os_fingerprint_v1', platform: 'linux', kernel: { release: 'conformance', version: 'conformance' }, distribution: null, libc: null },
      toolchain: tc,
    },
    knobs: { cpu_threads: 1, gpu: null, environment: {} },
    memory: { method: 'sampled', reset() {}, peak: () => 2 ** 28, current: () => 2 ** 27 },
    async timeVerify(job) {
      const entry = AIRS[job.airId as AirId];
      const v = verifyProof(k, entry.air(job.publicInputs), decodeProof(job.proof), job.statementHash, entry.encode(job.publicInputs), { minSecurityBits: job.minSecurityBits });
      if (!v.ok) throw new Error(`conformance: the run's proof does not verify: ${v.message}`);
      return { cold_us: 4000, runs_us: Array.from({ length: job.runs }, () => 1000) };
    },
    verifier: { version: tc.capseal.version, build_hash: tc.build.build_hash },
    async write(path, bytes) {
      out.set(path, bytes.slice());
    },
    append(path, t) {
      out.set(path, Uint8Array.from([...(out.get(path) ?? []), ...utf8.encode(t)]));
    },
    now: () => (clock += 7),
    epochMs: () => EPOCH_MS + clock,
    progress() {},
  };
}

/**
 * The runner's run on the fixed host. Its run id's random part is zeros, and the prover's stage
 * timer (performance.now) counts calls while it runs, so the stage times it records are fixed too.
 */
async function runPack(k: Kernels, key?: KeyFile, run: { workloadId: string; log2Rows: number; policyBytes?: Uint8Array } = { workloadId: WORKLOAD, log2Rows: LOG2_ROWS }): Promise<Dir> {
  const out: Dir = new Map();
  const backend = await createNodeCpuBackend({ threads: 1 });
  const rng = Object.getOwnPropertyDescriptor(globalThis.crypto, 'getRandomValues');
  const clock = Object.getOwnPropertyDescriptor(performance, 'now');
  let ticks = 0;
  try {
    globalThis.crypto.getRandomValues = (<T extends ArrayBufferView | null>(a: T): T => (a && new Uint8Array(a.buffer, a.byteOffset, a.byteLength).fill(0), a)) as typeof globalThis.crypto.getRandomValues;
    performance.now = () => (ticks += 0.5);
    const req = { workloadId: run.workloadId, log2Rows: run.log2Rows, trackId: 'baseline_no_accel', backend: 'cpu' as const, ...(key && { key }) };
    await (run.policyBytes ? runBenchmark(fixedHost(k, backend, out), req, run.policyBytes) : runBenchmark(fixedHost(k, backend, out), req));
  } finally {
    // Back to the prototypes' methods (or the own properties there were before).
    if (rng) Object.defineProperty(globalThis.crypto, 'getRandomValues', rng);
    else delete (globalThis.crypto as { getRandomValues?: unknown }).getRandomValues;
    if (clock) Object.defineProperty(performance, 'now', clock);
    else delete (performance as { now?: unknown }).now;
    await backend.destroy();
  }
  return out;
}

const policyWith = (edit: (p: Json) => void): Uint8Array => {
  const p = structuredClone(SHIPPED_POLICY) as Json;
  edit(p);
  return jsonFileBytes(p);
};
const registryFor = (bytes: Uint8Array) => buildRegistry([{ policy_id: 'bef_bench_policy_v2', policy_version: '2.0.0', policy_hash: sha256Hex(bytes) }]);
const aclFor = (pubkey: string) => ({ schema: ACL_SCHEMA, policies: { bef_bench_policy_v2: [{ pubkey, status: 'active' as const }] } });
const setManifest = (d: Dir, file: string, v: unknown): string => (writeJsonOf(d, `manifests/${file}`, v), sha256Hex(d.get(`manifests/${file}`)!));

/** What a forged case asks of the verifier besides the pack: a trusted registry of this policy, or the certified tier. */
interface Extra {
  trusted?: Uint8Array;
  certified?: true;
}
const isExtra = (v: unknown): v is Extra => typeof v === 'object' && v !== null && ('trusted' in v || 'certified' in v);

interface PackNegative {
  code: PackErrorCode;
  name: string;
  reason: string;
  /** What the verifier's message must say, where a code covers several rules. */
  message?: RegExp;
  /** Forges the copy `d` of the honest pack; may return the verifier's other inputs (Extra). */
  forge(k: Kernels, d: Dir): unknown;
}

/** The run relabelled optimized_declared: track anchor, knobs (GPU backend), measurements; proved again (the capsule recording the GPU backend when `gpuBackend`) and resealed. */
async function relabel(k: Kernels, d: Dir, gpuBackend: boolean): Promise<void> {
  const h = setManifest(d, 'knobs_manifest.json', { ...readJsonOf(d, 'manifests/knobs_manifest.json'), track_id: 'optimized_declared', backend: 'gpu' });
  await reprovePack(k, d, { anchors: (a) => ({ ...a, track_id: 'optimized_declared', knobs_manifest_hash: h }), ...(gpuBackend && { backend: { requested: 'gpu', description: 'gpu' } }) });
  writeJsonOf(d, 'measurements/measurements.json', { ...readJsonOf(d, 'measurements/measurements.json'), track_id: 'optimized_declared' });
  resealPack(d);
}

const measured = (edit: (m: Json) => void, resealed = true) => (_k: Kernels, d: Dir): void => {
  const m = readJsonOf(d, 'measurements/measurements.json');
  edit(m);
  writeJsonOf(d, 'measurements/measurements.json', m);
  if (resealed) resealPack(d);
};

const PACK_NEGATIVES: PackNegative[] = [
  { code: 'E110_PACK_LAYOUT', name: 'extra-file', reason: 'a file the layout does not name (notes.txt)', forge: (_k, d) => void d.set('notes.txt', utf8.encode('hello')) },
  { code: 'E111_PACK_META_MISMATCH', name: 'meta-other-capsule', reason: 'pack_meta.json names another capsule hash', forge: (_k, d) => writeJsonOf(d, 'pack_meta.json', { ...readJsonOf(d, 'pack_meta.json'), capsule_hash_hex: 'cd'.repeat(32) }) },
  { code: 'E120_POLICY_NOT_BENCHMARK', name: 'capsule-policy', reason: 'proved honestly under the capsule default policy, which is not a benchmark policy', forge: (k, d) => reprovePack(k, d, { policyBytes: utf8.encode(DEFAULT_POLICY_TEXT) }) },
  { code: 'E121_POLICY_NOT_TRUSTED', name: 'other-suite-seed', reason: 'proved honestly under a benchmark policy with another suite seed: not in the trusted registry', forge: (k, d) => reprovePack(k, d, { policyBytes: policyWith((p) => (p['suite']['suite_seed_hex'] = '11'.repeat(32))) }) },
  {
    code: 'E122_WORKLOAD_REGISTRY_MISMATCH', name: 'other-workload-registry', reason: 'a policy trusted by the verifier (trusted_registry) that names another workload registry',
    forge: async (k, d) => {
      const bytes = policyWith((p) => (p['suite']['workload_registry_hash'] = '22'.repeat(32)));
      await reprovePack(k, d, { policyBytes: bytes });
      return { trusted: bytes };
    },
  },
  { code: 'E130_REQUIRED_ANCHOR_MISSING', name: 'no-git-commit', reason: 'proved honestly without the git_commit anchor the policy requires', forge: (k, d) => reprovePack(k, d, { anchors: ({ git_commit: _, ...rest }) => rest }) },
  { code: 'E131_UNKNOWN_WORKLOAD', name: 'unlisted-workload', reason: 'proved honestly under workload_id sha3_v9, which the policy does not list', forge: (k, d) => reprovePack(k, d, { anchors: (a) => ({ ...a, workload_id: 'sha3_v9' }) }) },
  { code: 'E132_UNKNOWN_TRACK', name: 'unlisted-track', reason: 'proved honestly under track_id turbo', forge: (k, d) => reprovePack(k, d, { anchors: (a) => ({ ...a, track_id: 'turbo' }) }) },
  {
    code: 'E133_MANIFEST_INVALID', name: 'os-manifest-schema', reason: 'an OS fingerprint missing its kernel, distribution and libc fields, its anchor updated and proved again',
    forge: (k, d) => {
      const h = setManifest(d, 'os_fingerprint.json', { schema: 'capsulebench_os_fingerprint_v1', platform: 'linux' });
      return reprovePack(k, d, { anchors: (a) => ({ ...a, os_fingerprint_hash: h }) });
    },
  },
  { code: 'E134_MANIFEST_HASH_MISMATCH', name: 'toolchain-edited', reason: 'the toolchain manifest edited after the run (a space appended)', forge: (_k, d) => void d.set('manifests/toolchain_manifest.json', Uint8Array.from([...d.get('manifests/toolchain_manifest.json')!, 0x20])) },
  { code: 'E135_WORKLOAD_INPUT_MISMATCH', name: 'input-hash', reason: "proved honestly under a workload_input_hash that is not the generated input's", forge: (k, d) => reprovePack(k, d, { anchors: (a) => ({ ...a, workload_input_hash: 'ab'.repeat(32) }) }) },
  { code: 'E136_SIZE_NOT_IN_POLICY', name: 'meta-size', reason: 'pack_meta.json claims 2^11 rows', forge: (_k, d) => writeJsonOf(d, 'pack_meta.json', { ...readJsonOf(d, 'pack_meta.json'), log2_rows: 11 }) },
  {
    code: 'E137_TRACK_RULE_VIOLATION', name: 'gpu-on-baseline', reason: 'the knobs manifest declares the GPU backend on the CPU-only baseline track, its anchor updated and proved again',
    forge: (k, d) => {
      const h = setManifest(d, 'knobs_manifest.json', { ...readJsonOf(d, 'manifests/knobs_manifest.json'), backend: 'gpu' });
      return reprovePack(k, d, { anchors: (a) => ({ ...a, knobs_manifest_hash: h }) });
    },
  },
  {
    code: 'E138_PROOF_OPTIONS_NOT_POLICY', name: 'cheaper-options', reason: "proved honestly with options other than the policy's (blowup 4, 42 queries: as secure, cheaper), declared in the knobs",
    forge: (k, d) => {
      const h = setManifest(d, 'knobs_manifest.json', { ...readJsonOf(d, 'manifests/knobs_manifest.json'), proof_options: { blowup: 4, queries: 42, grinding_bits: 16, folding_factor: 4 } });
      return reprovePack(k, d, { options: { blowup: 4, queries: 42, grindingBits: 16, foldingFactor: 4 }, anchors: (a) => ({ ...a, knobs_manifest_hash: h }) });
    },
  },
  { code: 'E139_ANCHOR_UNCHECKED', name: 'dataset-anchor', reason: 'proved honestly with an extra anchor (dataset_hash) the verifier cannot check', forge: (k, d) => reprovePack(k, d, { anchors: (a) => ({ ...a, dataset_hash: 'ab'.repeat(32) }) }) },
  { code: 'E140_BENCHMARK_BLOCK_MISSING', name: 'meta-other-run', reason: 'pack_meta.json names another run than the capsule', forge: (_k, d) => writeJsonOf(d, 'pack_meta.json', { ...readJsonOf(d, 'pack_meta.json'), run_id: 'run_2020_01_01T00_00_00Z_00000000' }) },
  { code: 'E142_RUNNER_LOG_MISMATCH', name: 'log-edited', reason: "a line appended to the runner's log", forge: (_k, d) => void d.set('logs/runner.log', Uint8Array.from([...d.get('logs/runner.log')!, ...utf8.encode('all good\n')])) },
  { code: 'E150_MEASUREMENTS_INVALID', name: 'aggregation-mean', reason: 'measurements aggregated by mean, not the policy schema (resealed)', forge: measured((m) => (m['procedure']['aggregation'] = 'mean')) },
  { code: 'E151_REQUIRED_OUTPUT_MISSING', name: 'no-verify-time', reason: 'the required output verify_time_us left out (resealed)', forge: measured((m) => delete m['public_outputs']['verify_time_us']) },
  { code: 'E150_MEASUREMENTS_INVALID', name: 'other-workload', reason: 'measurements naming another workload (resealed)', forge: measured((m) => (m['workload_id'] = 'geom_walk_v1')) },
  { code: 'E152_MEASUREMENTS_HASH_MISMATCH', name: 'edited-after-sealing', reason: 'a measurement edited after sealing', forge: measured((m) => (m['public_outputs']['prover_time_us'] = 1), false) },
  { code: 'E153_MEASUREMENT_INCONSISTENT', name: 'proof-size', reason: "a proof size that is not the proof file's (resealed)", forge: measured((m) => (m['public_outputs']['proof_size_bytes'] += 1)) },
  { code: 'E154_RUNS_DISAGREE', name: 'run-proof-hash', reason: "one measured run's proof hash differs from the others' (resealed)", forge: measured((m) => (m['runs'][2]['proof_sha256'] = 'ab'.repeat(32))) },
  {
    code: 'E160_EVENTS_MALFORMED', name: 'not-canonical', reason: 'an event line that is not canonical JSON (a space added)',
    forge: (_k, d) => {
      const l = text(d.get(EVENTS_PATH)!).trimEnd().split('\n');
      l[1] = l[1]!.replace('{', '{ ');
      d.set(EVENTS_PATH, utf8.encode(`${l.join('\n')}\n`));
    },
  },
  {
    code: 'E161_EVENTS_CHAIN_BROKEN', name: 'event-removed', reason: 'the fourth event removed, the chain left as it was',
    forge: (_k, d) => {
      const l = text(d.get(EVENTS_PATH)!).trimEnd().split('\n');
      l.splice(3, 1);
      d.set(EVENTS_PATH, utf8.encode(`${l.join('\n')}\n`));
    },
  },
  {
    code: 'E162_EVENTS_HEAD_MISMATCH', name: 'progress-rewritten', reason: 'a prove_progress event before the proof rewritten and the log re-chained: its head is not the capsule\'s',
    forge: (_k, d) => {
      const ev = eventsOf(d);
      (ev.find((e) => e.type === 'prove_progress')!.data as { metrics: { rss_bytes: number } }).metrics.rss_bytes = 1;
      rechain(d, ev);
    },
  },
  {
    code: 'E163_EVENT_MISMATCH', name: 'statement-locked', reason: 'the statement_locked event names another statement hash, the log re-chained and the capsule resealed over the new head',
    forge: (_k, d) => {
      const ev = eventsOf(d);
      (ev.find((e) => e.type === 'statement_locked')!.data as { statement_hash_hex: string }).statement_hash_hex = 'ab'.repeat(32);
      rechain(d, ev);
      resealPack(d);
    },
  },
  {
    code: 'E031_POLICY_NOT_IN_REGISTRY', name: 'inclusion-proof-other-policy', reason: "the pack's inclusion proof edited to name another policy hash (community tier)",
    forge: (_k, d) => writeJsonOf(d, 'policy_inclusion_proof.json', { ...readJsonOf(d, 'policy_inclusion_proof.json'), policy_hash: 'ab'.repeat(32) }),
  },
  {
    code: 'E137_TRACK_RULE_VIOLATION', name: 'backend-mismatch', message: /the capsule was proved with --backend cpu, the knobs declare gpu/,
    reason: 'a CPU run relabelled optimized_declared (its track anchor, knobs declaring the GPU backend and measurements, proved again and resealed): the capsule still records the CPU backend the knobs deny',
    forge: (k, d) => relabel(k, d, false),
  },
  {
    code: 'E137_TRACK_RULE_VIOLATION', name: 'no-gpu-adapter', message: /no GPU adapter is declared/,
    reason: 'the same relabelled run with the capsule recording the GPU backend too: the track requires a GPU adapter, and neither the hardware manifest nor the knobs declare one',
    forge: (k, d) => relabel(k, d, true),
  },
  { code: 'E170_CERTIFICATION_INCOMPLETE', name: 'no-inclusion-proof', reason: 'the certified tier asked of a pack without its policy inclusion proof', forge: (_k, d) => (d.delete('policy_inclusion_proof.json'), { certified: true }) },
];

/** The honest pack's intermediate values: workload inputs and their hashes, the event chain, the hashes the benchmark block binds. */
function packVector(d: Dir): Json {
  const capsule = readJsonOf(d, 'capsule.json');
  const seedHex = SHIPPED_POLICY.suite.suite_seed_hex;
  const inputs = [...WORKLOADS.values()].map((w) => {
    const seed = { suiteSeedHex: seedHex, workloadId: w.id, log2Rows: LOG2_ROWS };
    const input = w.id === 'agent_log_v1' ? undefined : w.input(seed);
    return {
      workload_id: w.id, log2_rows: LOG2_ROWS,
      seed_object_jcs: text(canonicalBytes({ domain: 'capsulebench_workload_input_v1', suite_seed_hex: seedHex, workload_id: w.id, params: { log2_rows: LOG2_ROWS } })),
      seed: hex(workloadSeed(seed)), ...(input !== undefined && { input }), workload_input_hash: w.inputHash(seed),
    };
  });
  const lines = text(d.get(EVENTS_PATH)!).trimEnd().split('\n');
  return {
    case: `${PACK_DIR}/honest`,
    policy: { policy_hash: sha256Hex(d.get('policy.json')!), registry_root: SHIPPED_REGISTRY.root, suite_seed_hex: seedHex },
    workload_inputs: inputs,
    manifests: Object.fromEntries([...d.keys()].filter((p) => p.startsWith('manifests/')).sort().map((p) => [p, sha256Hex(d.get(p)!)])),
    measurements_hash: sha256Hex(d.get('measurements/measurements.json')!), runner_log_hash: sha256Hex(d.get('logs/runner.log')!),
    events: lines.map((l) => {
      const e = JSON.parse(l) as StreamEvent;
      return { seq: e.seq, type: e.type, prev_event_hash: e.prev_event_hash, line_sha256: lineHash(l) };
    }),
    events_chain_head: headOf(d), capsule_events_chain_head: capsule['benchmark']['events_chain_head'],
  };
}

/** Codes only a server gives about a submission (capsulepack.md, the server's rules): no pack can carry them. */
export const SERVER_ONLY = [
  { code: 'E180_VERIFICATION_FAILED', scenario: 'the server could not finish verifying a submission: its verifier crashed or ran past its time limit on every attempt' },
  {
    code: 'E181_ALREADY_ON_BOARD',
    scenario: 'two submissions of one run (the same capsule: pack/archive/honest.tgz and the same archive compressed otherwise) queued before either verdict: one is accepted, the other rejected with E181',
  },
];
export const SERVER_ONLY_CODES = SERVER_ONLY.map((c) => c.code);

/**
 * A gzip member whose DEFLATE data is stored blocks (RFC 1951 §3.2.4), no mtime, OS byte 255
 * (unknown): bytes fixed by the format alone, where a compressor's output depends on its version and
 * platform (the OS byte zlib writes, its block choices).
 */
function storedGzip(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff)];
  const MAX = 0xffff;
  for (let at = 0; at === 0 || at < data.length; at += MAX) {
    const block = data.subarray(at, at + MAX), last = at + MAX >= data.length;
    parts.push(Uint8Array.of(last ? 1 : 0, block.length & 0xff, block.length >> 8, ~block.length & 0xff, (~block.length >> 8) & 0xff), block);
  }
  const tail = new Uint8Array(8), view = new DataView(tail.buffer);
  view.setUint32(0, crc32(data), true);
  view.setUint32(4, data.length % 2 ** 32, true);
  parts.push(tail);
  return Uint8Array.from(Buffer.concat(parts));
}

/** Tar entries (../helpers/tar.ts) and the end marker, in a stored gzip member. */
const storedTgz = (...entries: Buffer[]): Uint8Array => storedGzip(Buffer.concat([...entries, END]));

function archiveVectors(files: Files, cases: PackCase[]): void {
  const put = (name: string, bytes: Uint8Array, code: string, reason: string) => {
    files.set(`pack/archive/${name}`, bytes);
    cases.push({ id: `pack/archive/${name}`, kind: 'pack', archive: `pack/archive/${name}`, verify: {}, expect: { status: 'rejected', code }, reason });
  };
  put('not-gzip.tgz', utf8.encode('this is not a gzip stream\n'), 'E100_PACK_UNREADABLE', 'the file is not a gzip stream');
  put('parent-path.tgz', storedTgz(ROOT, file('capsulepack/../evil.txt', 'x')), 'E101_PACK_UNSAFE_ENTRY', 'an entry whose path climbs out of the pack (..)');
  put('symlink.tgz', storedTgz(ROOT, header('capsulepack/policy.json', { type: '2', linkpath: '/etc/passwd' })), 'E101_PACK_UNSAFE_ENTRY', 'a symbolic link entry');
  put('huge-entry.tgz', storedTgz(ROOT, header('capsulepack/capsule.json', { size: 64 * 2 ** 20 + 1 })), 'E102_PACK_TOO_LARGE', 'a file entry that declares more than 64 MiB (the data never comes)');
}

export async function packVectors(k: Kernels, files: Files, cases: PackCase[], key: KeyFile): Promise<void> {
  const base = await runPack(k, key);
  for (const [p, b] of base) files.set(`${PACK_DIR}/${p}`, b);
  files.set(`${PACK_DIR}.vector.json`, jsonFileBytes(packVector(base)));
  const acl = `${PACK_DIR}.acl.json`;
  files.set(acl, jsonFileBytes(aclFor(key.public_key)));
  const honest = (id: string, verify: PackCase['verify'], reason: string) => cases.push({ id, kind: 'pack', base: PACK_DIR, overlay: {}, verify, expect: { status: 'accepted' }, reason });
  honest(`${PACK_DIR}/honest`, {}, 'an honest signed pack made by the runner (fib_v1, 2^10 rows, baseline_no_accel) on a host with a fixed clock and manifests: community tier');
  honest(`${PACK_DIR}/honest-certified`, { certified: { registry_root: SHIPPED_REGISTRY.root, acl } }, 'the same pack for the certified tier: the shipped registry root, and an ACL listing its signer');
  honest(`${PACK_DIR}/honest-challenge`, { challenge_nonce: 'ab'.repeat(16) }, 'the same pack under a challenge DA audit: it carries every chunk');

  // The .tgz of the honest pack, and the same with bytes after the gzip stream.
  // The runner's archive, re-wrapped in stored blocks: the same tar, bytes independent of zlib.
  const archive = storedGzip(gunzipSync(await writePackArchive(base)));
  cases.push({ id: 'pack/archive/honest.tgz', kind: 'pack', archive: 'pack/archive/honest.tgz', verify: {}, expect: { status: 'accepted' }, reason: 'the honest pack as the runner archives it (its tar; the gzip member in stored blocks)' });
  files.set('pack/archive/honest.tgz', archive);
  // Bytes around a gzip member are refused before its content is judged: a small member will do.
  const member = storedTgz(ROOT, file('capsulepack/pack_meta.json', '{}\n'));
  const trailer = member.subarray(member.length - 8);
  const hostile = [
    ['trailing-data.tgz', Uint8Array.from([...member, 0x00, 0x01]), 'two bytes after the end of the gzip stream'],
    ['trailer-copy.tgz', Uint8Array.from([...member, 1, 2, 3, 4, ...trailer]), 'junk after the gzip stream that ends with a copy of its trailer'],
    ['two-members.tgz', Uint8Array.from([...member, ...member]), 'a second gzip member after the first'],
    ['junk-before-trailer.tgz', Uint8Array.from([...member.subarray(0, -8), 1, 2, 3, 4, ...trailer]), 'four bytes between the end of the DEFLATE stream and the trailer, which is last'],
  ] as const;
  for (const [name, bytes, reason] of hostile) {
    files.set(`pack/archive/${name}`, bytes);
    cases.push({ id: `pack/archive/${name}`, kind: 'pack', archive: `pack/archive/${name}`, verify: {}, expect: { status: 'rejected', code: 'E103_PACK_TRAILING_DATA' }, reason });
  }
  archiveVectors(files, cases);
  await otherPacks(k, files, cases, key);

  for (const neg of PACK_NEGATIVES) {
    const d: Dir = new Map([...base].map(([p, b]) => [p, b.slice()]));
    const made = await neg.forge(k, d);
    const extra: Extra = isExtra(made) ? made : {};
    const folder = `pack/negative/${neg.code.slice(0, 4).toLowerCase()}-${neg.name}`;
    const overlay: Record<string, string | null> = {};
    for (const p of new Set([...base.keys(), ...d.keys()])) {
      const now = d.get(p), was = base.get(p);
      if (now === undefined) overlay[p] = null;
      else if (!was || Buffer.compare(Buffer.from(now), Buffer.from(was)) !== 0) {
        files.set(`${folder}/${p}`, now);
        overlay[p] = `${folder}/${p}`;
      }
    }
    const verify: PackCase['verify'] = {};
    if (extra.trusted) {
      files.set(`${folder}/trusted-registry.json`, jsonFileBytes(registryFor(extra.trusted)));
      verify.trusted_registry = `${folder}/trusted-registry.json`;
    }
    if (extra.certified) verify.certified = { registry_root: SHIPPED_REGISTRY.root, acl };
    cases.push({ id: folder, kind: 'pack', base: PACK_DIR, overlay, verify, expect: { status: 'rejected', code: neg.code }, reason: neg.reason });
  }
  const messages = new Map(PACK_NEGATIVES.filter((n) => n.message).map((n) => [`pack/negative/${n.code.slice(0, 4).toLowerCase()}-${n.name}`, n.message!]));
  for (const c of cases) {
    const got = await runPackCase(k, c, files);
    if (got.status !== c.expect.status || got.code !== ('code' in c.expect ? c.expect.code : null) || !(messages.get(c.id)?.test(got.message) ?? true))
      throw new Error(`conformance: ${c.id} gives ${got.status} ${got.code}: ${got.message}`);
  }
  const covered = new Set(cases.map((c) => ('code' in c.expect ? c.expect.code : '')));
  const missing = Object.keys(BENCH_ERROR_CODES).filter((code) => !covered.has(code) && !SERVER_ONLY_CODES.includes(code));
  if (missing.length) throw new Error(`conformance: no pack case for ${missing.join(', ')}`);
}

/**
 * Honest packs beside the fib one: a pack of Benchmark Policy v1 (the first shipped policy, still a
 * registry leaf) whose inclusion proof was made when the registry held v1 alone (a one-leaf tree: the
 * verifier checks it against the root of the registry's first leaf), and a pack of a workload v2 added
 * (mem_stream_branch_v1, LogUp range checks in the auxiliary segment) with its input-mismatch forgery
 * (other arrays, caught through the checksum the verifier recomputes).
 */
async function otherPacks(k: Kernels, files: Files, cases: PackCase[], key: KeyFile): Promise<void> {
  const v1 = await runPack(k, key, { workloadId: WORKLOAD, log2Rows: LOG2_ROWS, policyBytes: SHIPPED_POLICY_V1_BYTES });
  v1.set('policy_inclusion_proof.json', jsonFileBytes(proveInclusion(buildRegistry(SHIPPED_REGISTRY.policies.slice(0, 1)), sha256Hex(SHIPPED_POLICY_V1_BYTES))));
  for (const [p, b] of v1) files.set(`pack/fib-policy-v1/${p}`, b);
  cases.push({
    id: 'pack/fib-policy-v1/honest', kind: 'pack', base: 'pack/fib-policy-v1', overlay: {}, verify: {}, expect: { status: 'accepted' },
    reason: 'an honest pack of Benchmark Policy v1 (fib_v1, 2^10 rows) carrying the inclusion proof of the one-leaf registry that held v1 alone: a registry only grows, so the proof is checked against the root of the shipped registry\'s first leaf',
  });
  const ms = await runPack(k, key, { workloadId: 'mem_stream_branch_v1', log2Rows: 8 });
  for (const [p, b] of ms) files.set(`pack/mem-stream/${p}`, b);
  cases.push({
    id: 'pack/mem-stream/honest', kind: 'pack', base: 'pack/mem-stream', overlay: {}, verify: {}, expect: { status: 'accepted' },
    reason: 'an honest pack of mem_stream_branch_v1 (Benchmark Policy v2, 2^8 rows: the STREAM triad and thresholding, LogUp byte range checks on an auxiliary segment)',
  });
  const d: Dir = new Map([...ms].map(([p, b]) => [p, b.slice()]));
  const input = WORKLOADS.get('mem_stream_branch_v1')!.input({ suiteSeedHex: SHIPPED_POLICY.suite.suite_seed_hex, workloadId: 'mem_stream_branch_v1', log2Rows: 8 }) as Json;
  await reprovePack(k, d, { input: { ...input, b: (input['b'] as number[]).map((v, j) => (j === 100 ? v ^ 1 : v)) } });
  const overlay: Record<string, string | null> = {};
  for (const p of new Set([...ms.keys(), ...d.keys()])) {
    const now = d.get(p);
    if (now === undefined) overlay[p] = null;
    else if (Buffer.compare(Buffer.from(now), Buffer.from(ms.get(p) ?? [])) !== 0) {
      files.set(`pack/negative/e135-mem-stream-other-arrays/${p}`, now);
      overlay[p] = `pack/negative/e135-mem-stream-other-arrays/${p}`;
    }
  }
  cases.push({
    id: 'pack/negative/e135-mem-stream-other-arrays', kind: 'pack', base: 'pack/mem-stream', overlay, verify: {}, expect: { status: 'rejected', code: 'E135_WORKLOAD_INPUT_MISMATCH' },
    reason: 'the mem_stream_branch_v1 pack proved again honestly from the generated arrays with one bit of b[100] flipped: every capsule check passes, the public checksum is not that of the generated arrays',
  });
}

/** A pack folder held in memory, listed and read as a folder on disk is. */
function memPack(dir: Dir): PackFiles {
  const folders = new Set<string>();
  for (const p of dir.keys()) for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) folders.add(p.slice(0, i));
  return {
    list: async () => [...[...folders].map((path) => ({ path, kind: 'dir' as const, size: 0 })), ...[...dir].map(([path, b]) => ({ path, kind: 'file' as const, size: b.length }))],
    read: async (p) => dir.get(p)?.slice() ?? null,
  };
}

/** The project's pack verifier on a case: a folder (base + overlay) or a .tgz. */
export async function runPackCase(k: Kernels, c: PackCase, files: Files): Promise<{ status: string; code: string | null; message: string }> {
  const read = (p: string) => files.get(p)!;
  const opts: VerifyPackOptions = {
    ...(c.verify.certified && { certified: { registryRoot: c.verify.certified.registry_root, acl: parseAcl(JSON.parse(text(read(c.verify.certified.acl)))) } }),
    ...(c.verify.challenge_nonce && { challengeNonce: c.verify.challenge_nonce }),
    ...(c.verify.trusted_registry && { trusted: JSON.parse(text(read(c.verify.trusted_registry))) }),
  };
  let pack: PackFiles;
  if (c.archive) {
    try {
      pack = await readPackArchive(read(c.archive));
    } catch (e) {
      if (!(e instanceof PackArchiveError)) throw e;
      const r = archiveRejection(e);
      return { status: r.status, code: r.code, message: r.message };
    }
  } else {
    const dir: Dir = new Map();
    const prefix = `${c.base}/`;
    for (const [p, b] of files) if (p.startsWith(prefix)) dir.set(p.slice(prefix.length), b);
    for (const [p, from] of Object.entries(c.overlay ?? {})) {
      if (from === null) dir.delete(p);
      else dir.set(p, read(from));
    }
    pack = memPack(dir);
  }
  const r = await verifyPack(k, pack, opts);
  return { status: r.status, code: r.code, message: r.message };
}

