/**
 * The CapsuleBench runner (seed 000 "capsule-bench run", 001 "Capsulepack layout"; README.md
 * "CapsuleBench"): a workload at a size on a track, under Benchmark Policy v1. It checks the request
 * against the policy before any work, binds the manifests and the generated input into the
 * statement as anchors, makes the warm-up and measured proofs (every one must give the same bytes),
 * times verification in a fresh worker, and writes the capsulepack folder: the capsule with its
 * benchmark block, the measurements, the manifests, the event log (appended as the run goes), the
 * runner's log, the row archive (all chunks under the policy's cap, else the DA sample) and
 * pack_meta.json. Browser-safe: the host supplies the backend, the manifests, memory readings,
 * the fresh verifier and the file writer (./host-node.ts for Node).
 *
 * @module
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Backend } from '../backend/backend.js';
import type { BackendChoice } from '../backend/scheduler.js';
import { encodeChunk, rootOfChunk } from '../capsule/archive.js';
import { proofName } from '../capsule/adapter.js';
import type { KeyFile } from '../capsule/authorship.js';
import { optionsRecord, type BenchmarkBlock, type Capsule } from '../capsule/capsule.js';
import { auditSeed, sampleChunks } from '../capsule/da.js';
import { policyHash } from '../capsule/policy.js';
import { proveInclusion } from '../capsule/registry.js';
import { chunkPath, planSeal, proofPaths, sealProved, statementFor, withAnchors, type SealPlan } from '../capsule/seal.js';
import { jcsHash } from '../capsule/spec.js';
import { DIGEST_BYTES, sha256Hex } from '../hash/digest.js';
import { equalDigests } from '../merkle/checks.js';
import { encodeProof } from '../stark/codec.js';
import { securityBits, type ProofOptions } from '../stark/options.js';
import { prove, type StageTiming } from '../prover/prover.js';
import { jsonFileBytes } from '../json/file-json.js';
import type { Kernels } from '../wasm/kernels.js';
import { CHUNK_BATCH, EVENTS_PATH, EventLog, type PHASES, type RunRef } from './events.js';
import { manifestPath, MANIFESTS, type KnobsManifest, type Manifests, type ManifestKind } from './manifests.js';
import { MEASUREMENTS_PATH, summarize, throughput, type Measurements, type RSS_METHODS } from './measurements.js';
import { INCLUSION_PROOF_FILE, PACK_META, RUNNER_LOG, type PackMeta } from './pack.js';
import {
  parseBenchmarkPolicy, requiredAnchors, SHIPPED_POLICY_BYTES, SHIPPED_REGISTRY, sizesOf, trackOf, WORKLOAD_REGISTRIES, workloadEntryOf, type BenchmarkPolicy, type Track,
} from './policy.js';
import { WORKLOADS, type Workload, type WorkloadSeed } from './workloads.js';

export interface RunRequest {
  workloadId: string;
  log2Rows: number;
  trackId: string;
  backend: BackendChoice;
  /** Measured runs (at least the policy's); the policy's when absent. */
  runs?: number;
  /** Warm-up runs (at least the policy's); the policy's when absent. */
  warmups?: number;
  key?: KeyFile;
}

/** A request the policy does not allow, refused before any work (the CLI's usage error). */
export class RunRefused extends Error {}

/** A run whose own checks failed: a proof that does not verify, or runs that disagree (the CLI's exit 1). */
export class RunFailed extends Error {}

/** A proof that came out different from the first run's: the prover is not deterministic. */
export class NondeterministicProofError extends RunFailed {}

/** The anchors every run binds (its adapter may derive more from the input). */
export const RUN_ANCHORS: readonly string[] = [
  'workload_id', 'track_id', 'workload_input_hash', 'git_commit', 'runner_repo', 'build_hash', ...(Object.keys(MANIFESTS) as ManifestKind[]).map((k) => MANIFESTS[k].anchor),
];

/** The policy's proof options as the prover takes them. */
export const policyOptions = (p: BenchmarkPolicy): ProofOptions => ({
  blowup: p.proof_options.blowup, queries: p.proof_options.queries, grindingBits: p.proof_options.grinding_bits, foldingFactor: p.proof_options.folding_factor,
});

/** Reads a process's peak memory over one proof. */
export interface PeakMemory {
  readonly method: (typeof RSS_METHODS)[number];
  /** Starts a new peak from the current usage. */
  reset(): void;
  /** The highest resident set size (bytes) since reset(). */
  peak(): number;
  current(): number;
}

export interface VerifyJob {
  airId: string;
  proof: Uint8Array;
  statementHash: Uint8Array;
  publicInputs: Record<string, unknown>;
  minSecurityBits: number;
  warmups: number;
  runs: number;
}

/** Where a run is, for a progress display (the event log says the same to a machine). */
export type RunProgress =
  | { kind: 'log'; message: string }
  | { kind: 'stage'; run: RunRef; stage: string; done: number; total: number };

export interface RunnerHost {
  kernels: Kernels;
  /** The backend the track runs on (the CLI opens it for --backend). */
  backend: Backend;
  /** Collected before proving, with the knobs the host knows (the runner adds the run's own). */
  manifests: Omit<Manifests, 'knobs'>;
  knobs: Pick<KnobsManifest, 'cpu_threads' | 'gpu' | 'environment'>;
  memory: PeakMemory;
  /**
   * Verifies in a fresh worker or process: `warmups` untimed, then `runs` timed; the first
   * verification's time apart. RunFailed if the proof does not verify there.
   */
  timeVerify(job: VerifyJob): Promise<{ cold_us: number; runs_us: number[] }>;
  /** The verifier that timed it: its version and build hash (the toolchain's, when it is this code). */
  verifier: { version: string; build_hash: string };
  /** Writes a file of the pack (path below its root). */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Appends to a file of the pack at once, so a crash leaves what was said (events, the log). */
  append(path: string, text: string): void;
  /** Monotonic milliseconds (performance.now). */
  now(): number;
  /** Wall-clock milliseconds since the epoch (Date.now). */
  epochMs(): number;
  progress(p: RunProgress): void;
  /** Makes the pack archive once the folder is complete; its facts go into the last event. */
  pack?(): Promise<{ path: string; sha256: string; bytes: number }>;
  /**
   * Given, once at the start, what the host may ask of the run while it goes: append a
   * state_snapshot event (seed 001: on connect, or when a viewer asks), or write out the events a
   * timed proof holds (before the process exits on Ctrl-C).
   */
  control?(run: { snapshot(): void; flush(): void }): void;
}

export interface RunResult {
  runId: string;
  capsule: Capsule;
  measurements: Measurements;
  packMeta: PackMeta;
  pack?: { path: string; sha256: string; bytes: number };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const us = (ms: number): number => Math.round(ms * 1000);

/** run_YYYY_MM_DDTHH_MM_SSZ_<8 hex>, from the start time and 4 random bytes. */
export function newRunId(epochMs: number): string {
  const t = new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '_');
  return `run_${t}Z_${bytesToHex(crypto.getRandomValues(new Uint8Array(4)))}`;
}

/**
 * Bytes a proof of `rows` × `width` holds at its peak under the policies' blowup of 8, roughly: 256 MB,
 * 2,560 B per row (the composition, the Merkle trees, FRI) and 256 B per trace cell (the trace and its
 * extension). Measured on the CPU prover: 3.9 GB for GEOM at 2^20 rows × 5 columns (the per-row part
 * dominates), 9.2 GiB for Keccak at 2^15 × 2,796 with blowup 4 (the extension of 2^14 rows at blowup 8).
 */
export const estimateProveBytes = (rows: number, width: number): number => 256 * 2 ** 20 + rows * (2560 + 256 * width);

/** What a valid request resolves to. */
export interface Checked {
  policy: BenchmarkPolicy;
  workload: Workload;
  track: Track;
  warmups: number;
  runs: number;
  /** Trace rows × columns. */
  cells: number;
}

/** Checks a request against the policy, before any work; RunRefused with one line saying why. */
export function checkRequest(req: RunRequest, policyBytes: Uint8Array = SHIPPED_POLICY_BYTES): Checked {
  const policy = parseBenchmarkPolicy(policyBytes);
  const listed = policy.workloads.map((w) => w.workload_id);
  const sizes = sizesOf(policy, req.workloadId);
  const workload = WORKLOADS.get(req.workloadId);
  if (!sizes || !workload) throw new RunRefused(`unknown workload ${JSON.stringify(req.workloadId)}: the policy lists ${listed.join(', ')}`);
  // What the pack verifier holds a pack to (B6, C10): a registry it implements that lists the workload.
  if (!workloadEntryOf(policy, req.workloadId))
    throw new RunRefused(`${req.workloadId} is not in the policy's workload registry ${policy.suite.workload_registry_hash}, which this runner ${WORKLOAD_REGISTRIES.has(policy.suite.workload_registry_hash) ? 'implements' : 'does not implement'}`);
  if (!sizes.includes(req.log2Rows))
    throw new RunRefused(`${req.workloadId} does not run at 2^${req.log2Rows} rows: the policy allows --size ${Math.min(...sizes)}…${Math.max(...sizes)} (log2 rows)`);
  const track = trackOf(policy, req.trackId);
  if (!track) throw new RunRefused(`unknown track ${JSON.stringify(req.trackId)}: the policy has ${policy.tracks.map((t) => t.track_id).join(', ')}`);
  if (!track.rules.allowed_backends.includes(req.backend))
    throw new RunRefused(`${track.track_id} runs on --backend ${track.rules.allowed_backends.join(' or ')}, not ${req.backend}${
      track.rules.forbid_gpu ? ' (no GPU on this track)' : ''}`);
  const p = policy.measurement_procedure;
  const runs = req.runs ?? p.measured_runs, warmups = req.warmups ?? p.warmup_runs;
  if (runs < p.measured_runs) throw new RunRefused(`the policy asks for at least ${p.measured_runs} measured runs, not ${runs}`);
  if (warmups < p.warmup_runs) throw new RunRefused(`the policy asks for at least ${p.warmup_runs} warm-up runs, not ${warmups}`);
  const missing = requiredAnchors(policy).filter((a) => !RUN_ANCHORS.includes(a));
  if (missing.length) throw new RunRefused(`the policy requires anchors this runner does not make: ${missing.join(', ')}`);
  const bits = securityBits(req.log2Rows, policyOptions(policy));
  if (bits < policy.min_security_bits) throw new RunRefused(`the policy's proof options reach ${bits} bits at 2^${req.log2Rows} rows, below its min_security_bits ${policy.min_security_bits}`);
  return { policy, workload, track, warmups, runs, cells: 2 ** req.log2Rows * workload.adapter.columns.length };
}

/** The chunk indices a pack carries: all under the policy's cap, else the capsule's self-audit sample. */
export function packChunks(policy: BenchmarkPolicy, capsule: Capsule): number[] {
  const m = capsule.chunk_meta;
  if (m.num_chunks * m.chunk_bytes <= policy.pack_policy.full_archive_max_bytes) return Array.from({ length: m.num_chunks }, (_, i) => i);
  const seed = auditSeed({ capsuleHash: capsule.capsule_hash, anchors: capsule.anchors, policyId: capsule.policy.policy_id, policyVersion: capsule.policy.policy_version });
  return sampleChunks(seed, m.num_chunks, capsule.da_policy.k_samples);
}

interface RunRecord {
  ref: RunRef;
  prove_us: number;
  peak_rss_bytes: number;
  proof_sha256: string;
  stages: StageTiming[];
  backend: string;
}

export async function runBenchmark(host: RunnerHost, req: RunRequest, policyBytes: Uint8Array = SHIPPED_POLICY_BYTES): Promise<RunResult> {
  const { policy, workload, track, warmups, runs, cells } = checkRequest(req, policyBytes);
  const k = host.kernels;
  const runId = newRunId(host.epochMs());
  // The runner's log is bound into the capsule up to sealing; later messages only reach the host.
  let logText = '', logOpen = true;
  const say = (message: string): void => {
    if (logOpen) {
      const line = `${new Date(host.epochMs()).toISOString()} ${message}\n`;
      logText += line;
      host.append(RUNNER_LOG, line);
    }
    host.progress({ kind: 'log', message });
  };
  // While a proof is timed, its events wait in memory: writing them would be timed too.
  let held: string[] | undefined;
  const events = new EventLog(runId, (line) => (held ? held.push(line) : host.append(EVENTS_PATH, `${line}\n`)), () => host.epochMs());
  const release = (): void => {
    if (held?.length) host.append(EVENTS_PATH, `${held.join('\n')}\n`);
    held = undefined;
  };
  let running = true;
  host.control?.({
    snapshot: () => {
      if (running) events.snapshot();
    },
    flush: () => release(),
  });
  const phase = (phase_id: (typeof PHASES)[number], label: string, progress?: { done: number; total: number; unit: string }) => {
    events.emit('phase', { phase_id, phase_label: label, ...(progress ? { progress } : {}) });
    if (!progress) say(label); // a run's phase: its result line says it
  };

  const adapter = workload.adapter;
  events.emit('run_started', {
    client: { runner_name: 'capseal', runner_version: host.manifests.toolchain.capseal.version, backend_id: adapter.traceFormatId, backend_version: 'capseal-stark-v1' },
    workload_id: workload.id, track_id: track.track_id, log2_rows: req.log2Rows,
  });
  say(`run ${runId}: ${workload.id} at 2^${req.log2Rows} rows on ${track.track_id} (${host.backend.description}), ${warmups} warm-up and ${runs} measured runs`);

  // Manifests and the generated input, then the statement's anchors: all fixed before any proof.
  phase('trace_generate', `generating the ${workload.id} input and trace`);
  const seed: WorkloadSeed = { suiteSeedHex: policy.suite.suite_seed_hex, workloadId: workload.id, log2Rows: req.log2Rows };
  const bare = planSeal({ adapter, input: workload.input(seed), policyBytes, options: policyOptions(policy) });
  const knobs: KnobsManifest = {
    schema: 'capsulebench_knobs_manifest_v1', track_id: track.track_id, backend: req.backend, backend_description: host.backend.description,
    ...host.knobs, proof_options: optionsRecord(bare.options), chunk_len: bare.chunkLen, warmup_runs: warmups, measured_runs: runs,
    verify_warmup_runs: policy.measurement_procedure.verify_warmup_runs, verify_runs: policy.measurement_procedure.verify_runs,
  };
  const manifests: Manifests = { ...host.manifests, knobs };
  const hashes = {} as Record<ManifestKind, string>;
  for (const kind of Object.keys(MANIFESTS) as ManifestKind[]) {
    const bytes = jsonFileBytes(manifests[kind]);
    hashes[kind] = sha256Hex(bytes);
    await host.write(manifestPath(kind), bytes);
  }
  const tc = host.manifests.toolchain;
  const plan: SealPlan = withAnchors(bare, {
    workload_id: workload.id, track_id: track.track_id, workload_input_hash: workload.inputHash(seed),
    git_commit: tc.capseal.git_commit, runner_repo: tc.capseal.runner_repo, build_hash: tc.build.build_hash,
    ...Object.fromEntries((Object.keys(MANIFESTS) as ManifestKind[]).map((kind) => [MANIFESTS[kind].anchor, hashes[kind]])),
  });
  events.emit('spec_locked', {
    trace_spec: plan.traceSpec, trace_spec_hash_hex: jcsHash(plan.traceSpec), policy_id: plan.policy.policy_id,
    policy_version: plan.policy.policy_version, policy_hash_hex: policyHash(plan.policyBytes), anchors: plan.anchors,
  });

  // The first proof locks the commitment and the statement; every later one must give its bytes.
  // (A GPU proof that fails over to the CPU commits again: the same root, locked once.)
  const numChunks = plan.rows / plan.chunkLen, chunkBytes = plan.chunkLen * plan.air.width * 8;
  let locked: Uint8Array | undefined;
  const lockStatement = (root: Uint8Array, layer: Uint8Array | undefined): Uint8Array => {
    if (locked) return locked;
    if (!layer) throw new Error('internal: the prover kept no chunk roots');
    for (let i = 0; i < numChunks; i += CHUNK_BATCH) {
      const roots = Array.from({ length: Math.min(CHUNK_BATCH, numChunks - i) }, (_, j) => bytesToHex(layer.subarray((i + j) * DIGEST_BYTES, (i + j + 1) * DIGEST_BYTES)));
      events.emit('chunk_committed', { chunk_index: i, chunk_len: plan.chunkLen, chunk_bytes: chunkBytes, chunk_roots_hex: roots, num_chunks: numChunks });
    }
    events.emit('chunk_roots_digest', { num_chunks: numChunks, chunk_roots_digest_hex: sha256Hex(layer), chunk_roots_format: 'bin', chunk_roots_bytes: layer.length });
    events.emit('row_root_finalized', { row_root_hex: bytesToHex(root), arity: 2, chunk_len: plan.chunkLen, num_chunks: numChunks });
    const statement = statementFor(plan, root), hash = jcsHash(statement);
    events.emit('statement_locked', { statement, statement_hash_hex: hash });
    return (locked = hexToBytes(hash));
  };

  const refs: RunRef[] = [
    ...Array.from({ length: warmups }, (_, i): RunRef => ({ kind: 'warmup', index: i + 1, of: warmups })),
    ...Array.from({ length: runs }, (_, i): RunRef => ({ kind: 'measured', index: i + 1, of: runs })),
  ];
  const records: RunRecord[] = [];
  let first: { bin: Uint8Array; sha: string; proof: Awaited<ReturnType<typeof prove>>['proof']; layer: Uint8Array; statementHash: Uint8Array } | undefined;
  for (const [j, ref] of refs.entries()) {
    // A proof on one thread never yields: between proofs, signals (Ctrl-C, a snapshot) get their turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    phase('prove', `${ref.kind === 'warmup' ? 'warm-up' : 'measured run'} ${ref.index} of ${ref.of}`, { done: j, total: refs.length, unit: 'runs' });
    host.memory.reset();
    held = [];
    const t0 = host.now();
    let proved, elapsed, peak;
    try {
      proved = await prove(k, host.backend, {
        air: plan.air, trace: plan.trace, publicInputs: plan.publicInputBytes, options: plan.options,
        statementHash: first?.statementHash ?? lockStatement,
        ...(first ? {} : { keepTrace: { layer: Math.log2(plan.chunkLen), lde: false } }),
        progress: (p) => {
          events.emit('prove_progress', { run: ref, stage: p.stage, progress: { done: p.done, total: p.total, unit: 'stages' }, metrics: { rss_bytes: host.memory.current() } });
          host.progress({ kind: 'stage', run: ref, ...p });
        },
      });
      elapsed = us(host.now() - t0);
      peak = host.memory.peak();
    } finally {
      release(); // a proof that throws leaves its events in the log too
    }
    const bin = encodeProof(proved.proof), sha = sha256Hex(bin);
    if (!first) {
      if (!proved.trace || !locked) throw new Error('internal: the first proof locked no commitment');
      first = { bin, sha, proof: proved.proof, layer: proved.trace.layer, statementHash: locked };
    } else if (sha !== first.sha && track.rules.require_identical_proofs)
      throw new NondeterministicProofError(`${ref.kind} run ${ref.index} gave a different proof (SHA-256 ${sha}, the first gave ${first.sha}): the run fails`);
    records.push({ ref, prove_us: elapsed, peak_rss_bytes: peak, proof_sha256: sha, stages: proved.stages, backend: proved.backend });
    say(`${ref.kind === 'warmup' ? 'warm-up' : 'measured'} ${ref.index}/${ref.of}: ${(elapsed / 1000).toFixed(1)} ms, ${host.memory.method === 'wasm_memory' ? 'WebAssembly memory' : 'peak RSS'} ${(peak / 2 ** 20).toFixed(0)} MiB`);
  }
  if (!first) throw new Error('internal: no proof was made');

  phase('verify_local', `verifying in a fresh worker: ${policy.measurement_procedure.verify_warmup_runs} untimed, ${policy.measurement_procedure.verify_runs} timed`);
  const verify = await host.timeVerify({
    airId: plan.air.id, proof: first.bin, statementHash: first.statementHash, publicInputs: plan.publicInputs, minSecurityBits: policy.min_security_bits,
    warmups: policy.measurement_procedure.verify_warmup_runs, runs: policy.measurement_procedure.verify_runs,
  });

  const measured = records.filter((r) => r.ref.kind === 'measured');
  const prover = summarize(measured.map((r) => r.prove_us)), verifyS = summarize(verify.runs_us), rss = summarize(measured.map((r) => r.peak_rss_bytes));
  // The stages of the run nearest the median stand for the capsule's record.
  const typical = measured.reduce((a, r) => (Math.abs(r.prove_us - prover.median) < Math.abs(a.prove_us - prover.median) ? r : a));
  const measurements: Measurements = {
    schema: 'capsulebench_measurements_v1', run_id: runId, workload_id: workload.id, track_id: track.track_id, log2_rows: req.log2Rows,
    procedure: {
      warmup_runs: warmups, measured_runs: runs, verify_warmup_runs: policy.measurement_procedure.verify_warmup_runs,
      verify_runs: policy.measurement_procedure.verify_runs, aggregation: 'median', clock_source: 'monotonic', rss_method: host.memory.method,
    },
    warmups: records.filter((r) => r.ref.kind === 'warmup').map((r) => ({ prove_us: r.prove_us, proof_sha256: r.proof_sha256 })),
    runs: measured.map((r) => ({
      prove_us: r.prove_us, peak_rss_bytes: r.peak_rss_bytes, proof_sha256: r.proof_sha256,
      stages: r.stages.map((st) => ({ stage: st.stage, us: us(st.ms), backend: st.backend })),
    })),
    verify: { where: 'fresh_worker', verifier_version: host.verifier.version, verifier_build_hash: host.verifier.build_hash, cold_us: verify.cold_us, runs_us: verify.runs_us },
    summary: { prover_time_us: prover, verify_time_us: verifyS, peak_rss_bytes: rss },
    public_outputs: {
      prover_time_us: prover.median, peak_rss_bytes: rss.median, proof_size_bytes: first.bin.length, verify_time_us: verifyS.median,
      workload_size_params: { log2_rows: req.log2Rows }, result_digest_hex: jcsHash(plan.publicInputs),
      throughput_cells_per_s: throughput(cells, prover.median), trace_cells: cells,
    },
  };
  const measurementsBytes = jsonFileBytes(measurements);
  await host.write(MEASUREMENTS_PATH, measurementsBytes);
  const proofId = proofName(adapter.traceFormatId), proofPath = proofPaths(proofId).bin;
  events.emit('proof_artifact', {
    proof_id: proofId, format: 'bin', path: proofPath, size_bytes: first.bin.length,
    sha256_payload_hash_hex: first.sha, measurements_hash_hex: sha256Hex(measurementsBytes),
    stats: { prover_time_us: prover.median, verify_time_us: verifyS.median, peak_rss_bytes: rss.median },
  });
  const chainHead = events.head;

  phase('seal_capsule', 'sealing the capsule');
  logOpen = false;
  const benchmark: BenchmarkBlock = {
    schema: 'capsulebench_run_v1', run_id: runId, measurements_hash: sha256Hex(measurementsBytes),
    runner_log_hash: sha256Hex(utf8(logText)), events_chain_head: chainHead,
  };
  const sealed = sealProved(k, plan, {
    proof: first.proof, chunkRoots: first.layer, prove_ms: prover.median / 1000, verify_ms: verifyS.median / 1000, stages: typical.stages,
    backend: { requested: req.backend, description: typical.backend },
  }, benchmark, req.key);
  const capsule = sealed.capsule;
  for (const [path, bytes] of sealed.files) await host.write(path, bytes);
  events.emit('capsule_sealed', { capsule_path: 'capsule.json', capsule_hash_hex: capsule.capsule_hash });
  if (capsule.authorship)
    events.emit('signature_attached', { scheme: capsule.authorship.scheme, pubkey_hex: capsule.authorship.pubkey, signature_hex: capsule.authorship.signature });

  phase('pack', 'writing the row archive and pack_meta.json');
  const chunks = packChunks(policy, capsule);
  await writeChunks(host, plan, first.layer, chunks);
  const inRegistry = SHIPPED_REGISTRY.policies.some((p) => p.policy_hash === capsule.policy.policy_hash);
  if (inRegistry) await host.write(INCLUSION_PROOF_FILE, jsonFileBytes(proveInclusion(SHIPPED_REGISTRY, capsule.policy.policy_hash)));
  const packMeta: PackMeta = {
    schema: 'bef_capsulepack_v1', v: 1, run_id: runId, created_ts_ms: Math.floor(host.epochMs()),
    capsule_hash_hex: capsule.capsule_hash, policy_hash_hex: capsule.policy.policy_hash, statement_hash_hex: capsule.statement_hash,
    trace_spec_hash_hex: capsule.trace_spec_hash, workload_id: workload.id, track_id: track.track_id, log2_rows: req.log2Rows,
    contents: {
      capsule: 'capsule.json', policy: 'policy.json', policy_inclusion_proof: inRegistry ? INCLUSION_PROOF_FILE : null, events_jsonl: EVENTS_PATH,
      proof_primary: proofPath, row_archive: 'row_archive/', manifests: 'manifests/', measurements: MEASUREMENTS_PATH, runner_log: RUNNER_LOG,
    },
    row_archive: { mode: chunks.length === numChunks ? 'full' : 'sample', chunks_included: chunks.length, num_chunks: numChunks },
  };
  await host.write(PACK_META, jsonFileBytes(packMeta));

  const pack = host.pack ? await host.pack() : undefined;
  // The pack's name, not where this machine keeps it: the event may be streamed and published.
  if (pack) events.emit('pack_ready', { pack_path: pack.path.split(/[\\/]/).pop()!, pack_sha256_hex: pack.sha256, bytes: pack.bytes });
  events.emit('phase', { phase_id: 'done', phase_label: 'done' });
  running = false;
  return { runId, capsule, measurements, packMeta, ...(pack ? { pack } : {}) };
}

/** The committed rows of `chunks`, from a fresh LDE of the trace, each checked against its chunk root. */
async function writeChunks(host: RunnerHost, plan: SealPlan, roots: Uint8Array, chunks: readonly number[]): Promise<void> {
  const b = host.backend;
  const traceM = await b.upload(plan.trace);
  const ldeM = await b.lde(traceM, { blowup: plan.options.blowup, order: 'bit-reversed' });
  b.release(traceM);
  try {
    const lde = await b.read(ldeM);
    for (const i of chunks) {
      const bytes = encodeChunk(lde, i, plan.chunkLen);
      const r = rootOfChunk(host.kernels, bytes, plan.chunkLen, plan.air.width);
      if ('error' in r || !equalDigests(r.root, roots.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES)))
        throw new Error(`internal: row chunk ${i} does not rebuild its committed root`);
      await host.write(chunkPath(i), bytes);
    }
  } finally {
    b.release(ldeM);
  }
}
