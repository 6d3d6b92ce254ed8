// CapsuleBench's parts on their own: the shipped data files (exact bytes, registry root, README),
// the policy's strictness, the runner's refusals before any work, the event chain (writing,
// snapshots, a clock stepping back, reading back and its malformations), the summaries and the
// baseline comparison, prover progress, a nondeterministic prover failing the run, and that the
// library below its Node adapters imports nothing Node-only (it runs in a browser).
import { BYTES_PER_TRACE_CELL, wontFit } from '../src/capsulebench/host-browser.js';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { createNodeCpuBackend } from '../src/prover/node.js';
import { registryRoot } from '../src/capsule/registry.js';
import { compareSamples } from '../src/capsulebench/baseline.js';
import { EventLog, readEventLog, ZERO_EVENT_HASH } from '../src/capsulebench/events.js';
import { openNodeHost, timeVerifyInWorker } from '../src/capsulebench/host-node.js';
import { summarize } from '../src/capsulebench/measurements.js';
import {
  parseBenchmarkPolicy, SHIPPED_POLICY, SHIPPED_POLICY_BYTES, SHIPPED_POLICY_HASH, SHIPPED_POLICY_V1_BYTES, SHIPPED_REGISTRY, SHIPPED_WORKLOADS,
  SHIPPED_WORKLOADS_BYTES, SHIPPED_WORKLOADS_HASH, SHIPPED_WORKLOADS_V1_BYTES, WORKLOAD_REGISTRIES,
} from '../src/capsulebench/policy.js';
import { checkRequest, NondeterministicProofError, RunFailed, runBenchmark, type RunRequest } from '../src/capsulebench/runner.js';
import { sha256Hex } from '../src/hash/digest.js';
import { geomTrace, geomAir, encodeGeomPublicInputs } from '../src/airs/geom.js';
import { encodeProof } from '../src/stark/codec.js';
import { prove, PROVE_STAGES, type ProveProgress } from '../src/prover/prover.js';
import { Kernels } from '../src/wasm/kernels.js';
import { jsonFileBytes } from '../src/json/file-json.js';
import { tempDir } from './helpers/capsulebench.js';

const DATA = fileURLToPath(new URL('../src/capsulebench/data/', import.meta.url));
const REQ: RunRequest = { workloadId: 'geom_walk_v1', log2Rows: 10, trackId: 'baseline_no_accel', backend: 'cpu' };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the shipped policy files', () => {
  it('hold exactly the bytes the library hashes, and each policy names its workload registry by its hash', () => {
    const file = (name: string) => readFileSync(join(DATA, name));
    expect(Buffer.from(file('bef_benchmark_policy_v2.json')).equals(Buffer.from(SHIPPED_POLICY_BYTES))).toBe(true);
    expect(Buffer.from(file('workloads_v2.json')).equals(Buffer.from(SHIPPED_WORKLOADS_BYTES))).toBe(true);
    expect(Buffer.from(file('bef_benchmark_policy_v1.json')).equals(Buffer.from(SHIPPED_POLICY_V1_BYTES))).toBe(true);
    expect(Buffer.from(file('workloads_v1.json')).equals(Buffer.from(SHIPPED_WORKLOADS_V1_BYTES))).toBe(true);
    expect(SHIPPED_POLICY.suite.workload_registry_hash).toBe(SHIPPED_WORKLOADS_HASH);
    expect(SHIPPED_POLICY_HASH).toBe(sha256Hex(file('bef_benchmark_policy_v2.json')));
    const v1 = parseBenchmarkPolicy(SHIPPED_POLICY_V1_BYTES);
    expect(v1.suite.workload_registry_hash).toBe(sha256Hex(SHIPPED_WORKLOADS_V1_BYTES));
    expect([...WORKLOAD_REGISTRIES.keys()]).toEqual([sha256Hex(SHIPPED_WORKLOADS_V1_BYTES), SHIPPED_WORKLOADS_HASH]);
  });
  it('v2 keeps v1 whole and adds the three workloads: the same suite seed, tracks, options and measurement, v1\'s workloads and their registry entries unchanged', () => {
    const v1 = parseBenchmarkPolicy(SHIPPED_POLICY_V1_BYTES), v2 = SHIPPED_POLICY;
    expect([v1.policy_id, v1.policy_version, v2.policy_id, v2.policy_version]).toEqual(['bef_bench_policy_v1', '1.0.0', 'bef_bench_policy_v2', '2.0.0']);
    for (const key of ['tracks', 'proof_options', 'measurement_procedure', 'required_anchors', 'required_public_outputs', 'da_policy', 'pack_policy', 'certification'] as const)
      expect(v2[key]).toStrictEqual(v1[key]);
    expect(v2.suite.suite_seed_hex).toBe(v1.suite.suite_seed_hex);
    expect(v2.workloads.slice(0, 3)).toStrictEqual(v1.workloads);
    expect(v2.workloads.slice(3).map((w) => w.workload_id)).toEqual(['keccak_stream_v1', 'merkle_build_open_v1', 'mem_stream_branch_v1']);
    expect(SHIPPED_WORKLOADS.workloads.slice(0, 3)).toStrictEqual(WORKLOAD_REGISTRIES.get(v1.suite.workload_registry_hash)!.workloads);
  });
  it('both policies are the registry\'s leaves, v1 first, and the README prints the root and the policy hash', () => {
    expect(SHIPPED_REGISTRY.policies).toEqual([
      { policy_id: 'bef_bench_policy_v1', policy_version: '1.0.0', policy_hash: sha256Hex(SHIPPED_POLICY_V1_BYTES) },
      { policy_id: SHIPPED_POLICY.policy_id, policy_version: SHIPPED_POLICY.policy_version, policy_hash: SHIPPED_POLICY_HASH },
    ]);
    expect(registryRoot(SHIPPED_REGISTRY.policies)).toBe(SHIPPED_REGISTRY.root);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(SHIPPED_REGISTRY.root);
    expect(readme).toContain(SHIPPED_POLICY_HASH);
  });
  it('the sizes: v1\'s workloads 2^10 … 2^22 rows, the Keccak ones 2^7 … 2^14, mem_stream_branch_v1 2^8 … 2^20, on both tracks', () => {
    const sizes = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(Object.fromEntries(SHIPPED_POLICY.workloads.map((w) => [w.workload_id, w.params.log2_rows]))).toStrictEqual({
      geom_walk_v1: sizes(10, 22), fib_v1: sizes(10, 22), agent_log_v1: sizes(10, 22),
      keccak_stream_v1: sizes(7, 14), merkle_build_open_v1: sizes(7, 14), mem_stream_branch_v1: sizes(8, 20),
    });
    expect(SHIPPED_POLICY.tracks.map((t) => t.track_id)).toEqual(['baseline_no_accel', 'optimized_declared']);
  });
});

describe('the policy schema is strict', () => {
  const variant = (edit: (p: Record<string, any>) => void): Uint8Array => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const p = structuredClone(SHIPPED_POLICY) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edit(p);
    return jsonFileBytes(p);
  };
  it.each([
    ['an unknown member', (p: Record<string, any>) => (p['note'] = 'x'), /note/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an unknown track rule', (p: Record<string, any>) => (p['tracks'][0]['rules']['forbid_jit'] = true), /forbid_jit/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['two tracks of one id', (p: Record<string, any>) => (p['tracks'][1]['track_id'] = 'baseline_no_accel'), /duplicate track_id/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['an output no runner reports', (p: Record<string, any>) => (p['required_public_outputs']['cost_usd'] = true), /cost_usd/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['another aggregation', (p: Record<string, any>) => (p['measurement_procedure']['aggregation'] = 'mean'), /aggregation/], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['a size beyond the AIRs', (p: Record<string, any>) => p['workloads'][0]['params']['log2_rows'].push(40), /log2_rows/], // eslint-disable-line @typescript-eslint/no-explicit-any
  ])('refuses %s', (_, edit, message) => {
    expect(() => parseBenchmarkPolicy(variant(edit))).toThrow(message);
  });
  it('refuses duplicate keys in the file', () => {
    expect(() => parseBenchmarkPolicy(new TextEncoder().encode('{"schema":"bef_benchmark_policy_v1","schema":"x"}'))).toThrow(/duplicate|JSON/i);
  });
});

describe('a run is refused before any work', () => {
  it.each([
    [{ workloadId: 'sha256_v1' }, /unknown workload "sha256_v1": the policy lists geom_walk_v1, fib_v1, agent_log_v1, keccak_stream_v1, merkle_build_open_v1, mem_stream_branch_v1/],
    [{ log2Rows: 9 }, /does not run at 2\^9 rows: the policy allows --size 10…22/],
    [{ log2Rows: 23 }, /does not run at 2\^23 rows/],
    [{ trackId: 'turbo' }, /unknown track "turbo"/],
    [{ backend: 'gpu' as const }, /baseline_no_accel runs on --backend cpu, not gpu \(no GPU on this track\)/],
    [{ trackId: 'optimized_declared' }, /optimized_declared runs on --backend gpu or auto, not cpu/],
    [{ runs: 4 }, /at least 5 measured runs, not 4/],
    [{ warmups: 0 }, /at least 1 warm-up runs, not 0/],
  ])('%j', (edit, message) => {
    expect(() => checkRequest({ ...REQ, ...edit })).toThrow(message);
  });
  it('a workload the policy lists but its workload registry does not (a v1 registry with a v2 workload), or a registry this runner does not implement', () => {
    const v1 = parseBenchmarkPolicy(SHIPPED_POLICY_V1_BYTES);
    const listing = (registry: string) => jsonFileBytes({ ...v1, suite: { ...v1.suite, workload_registry_hash: registry }, workloads: [...v1.workloads, { workload_id: 'keccak_stream_v1', params: { log2_rows: [7] } }] });
    const req = { ...REQ, workloadId: 'keccak_stream_v1', log2Rows: 7 };
    expect(() => checkRequest(req, listing(v1.suite.workload_registry_hash))).toThrow(`keccak_stream_v1 is not in the policy's workload registry ${v1.suite.workload_registry_hash}, which this runner implements`);
    expect(() => checkRequest(req, listing('22'.repeat(32)))).toThrow(/which this runner does not implement$/);
    expect(checkRequest(req).workload.id).toBe('keccak_stream_v1');
  });
  it('counts the trace cells of the request', () => {
    expect(checkRequest({ ...REQ, workloadId: 'agent_log_v1', log2Rows: 12 }).cells).toBe(4096 * 14);
  });
});

describe('the event chain', () => {
  const log = () => {
    const lines: string[] = [];
    let now = 1000;
    const ev = new EventLog('run_2026_12_05T00_00_00Z_0123abcd', (l) => lines.push(l), () => now);
    return { ev, lines, setNow: (t: number) => (now = t) };
  };
  const bytes = (lines: string[]) => new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''));

  it('chains each line to the one before and reads back', () => {
    const { ev, lines } = log();
    ev.emit('phase', { phase_id: 'init', phase_label: 'one' });
    ev.emit('phase', { phase_id: 'prove', phase_label: 'two', progress: { done: 1, total: 2, unit: 'runs' } });
    const read = readEventLog(bytes(lines));
    expect(read.map((r) => r.event.seq)).toEqual([1, 2]);
    expect(read[0]!.event.prev_event_hash).toBe(ZERO_EVENT_HASH);
    expect(read[1]!.event.prev_event_hash).toBe(sha256Hex(new TextEncoder().encode(lines[0]!)));
    expect(ev.head).toBe(read[1]!.hash);
  });
  it('keeps ts_ms from going back when the wall clock does', () => {
    const { ev, lines, setNow } = log();
    ev.emit('phase', { phase_id: 'init', phase_label: 'a' });
    setNow(10);
    expect(ev.emit('phase', { phase_id: 'init', phase_label: 'b' }).ts_ms).toBe(1000);
    expect(() => readEventLog(bytes(lines))).not.toThrow();
  });
  it('makes a state_snapshot of what is locked so far', () => {
    const { ev } = log();
    ev.emit('phase', { phase_id: 'prove', phase_label: 'p' });
    ev.emit('chunk_committed', { chunk_index: 0, chunk_len: 8, chunk_bytes: 320, chunk_roots_hex: ['ab'.repeat(32), 'cd'.repeat(32)], num_chunks: 4 });
    ev.emit('row_root_finalized', { row_root_hex: 'ef'.repeat(32), arity: 2, chunk_len: 8, num_chunks: 4 });
    const s = ev.snapshot();
    expect(s.data).toMatchObject({ last_event_seq: 3, phase: 'prove', commitment_state: { num_chunks: 4, num_chunks_committed: 2 }, locked: { row_root_hex: 'ef'.repeat(32), statement_hash_hex: null } });
  });
  it('refuses to write an event its schema does not allow', () => {
    expect(() => log().ev.emit('phase', { phase_id: 'nap' as 'init', phase_label: '' })).toThrow(/does not fit its schema/);
  });
  it.each([
    ['an empty log', '', 'E160_EVENTS_MALFORMED', /is empty/],
    ['a cut-off last line', 'x', 'E160_EVENTS_MALFORMED', /does not end with a newline/],
    ['bytes that are not UTF-8', '\xff\n', 'E160_EVENTS_MALFORMED', /not UTF-8/],
  ])('refuses %s', (_, text, code, message) => {
    const b = text === '\xff\n' ? Uint8Array.of(0xff, 0x0a) : new TextEncoder().encode(text);
    expect(() => readEventLog(b)).toThrow(message);
    try {
      readEventLog(b);
    } catch (e) {
      expect((e as { code: string }).code).toBe(code);
    }
  });
  it('refuses an event of another run in the log (E161)', () => {
    const a = log(), b = new EventLog('run_2026_12_05T00_00_00Z_99999999', (l) => a.lines.push(l.replace(/"prev_event_hash":"0{64}"/, `"prev_event_hash":"${a.ev.head}"`)), () => 2000);
    a.ev.emit('phase', { phase_id: 'init', phase_label: 'a' });
    b.emit('phase', { phase_id: 'init', phase_label: 'b' });
    expect(() => readEventLog(bytes(a.lines))).toThrow(/seq 1, expected 2|run_id/);
  });
});

describe('summaries and baselines', () => {
  it('summarize: median (the middle two averaged and rounded for an even count), min, max, population σ', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, stddev: 2, count: 3 });
    expect(summarize([1, 2, 3, 5])).toEqual({ median: 3, min: 1, max: 5, stddev: 1, count: 4 });
    expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, stddev: 0, count: 1 });
    expect(() => summarize([])).toThrow(/no values/);
  });
  it('compareSamples: a change counts only when the samples separate and the medians differ by over 1 %', () => {
    expect(compareSamples([100, 101, 102], [90, 91, 92]).verdict).toBe('improved');
    expect(compareSamples([100, 101, 102], [110, 111, 112]).verdict).toBe('regressed');
    expect(compareSamples([100, 105, 110], [104, 106, 108]).verdict).toBe('within noise');
    expect(compareSamples([1000, 1000], [1005, 1005]).verdict).toBe('within noise');
    expect(compareSamples([100], [100]).ratio).toBe(1);
  });
});

describe('the prover reports real progress', () => {
  it('each stage as it starts, done rising to the total, then done', async () => {
    const k = await Kernels.load();
    const backend = await createNodeCpuBackend({ threads: 1 });
    try {
      const { trace, publicInputs } = geomTrace(6);
      const seen: ProveProgress[] = [];
      await prove(k, backend, { air: geomAir(publicInputs), trace, statementHash: new Uint8Array(32), publicInputs: encodeGeomPublicInputs(publicInputs), progress: (p) => seen.push(p) });
      expect(seen.map((p) => p.stage)).toEqual([...PROVE_STAGES, 'done']);
      expect(seen.map((p) => p.done)).toEqual(Array.from({ length: PROVE_STAGES.length + 1 }, (_, i) => i));
      expect(seen.every((p) => p.total === PROVE_STAGES.length)).toBe(true);
    } finally {
      await backend.destroy();
    }
  });
});

describe('a prover that is not deterministic', () => {
  it('fails the run at the first proof that differs, leaving the log of what happened', async () => {
    const out = tempDir();
    dirs.push(out);
    const { host, close } = await openNodeHost({ backend: 'cpu', threads: 1, outDir: out, notice: () => {}, progress: () => {} });
    // From the third proof on, one Merkle leaf comes out different: the proof changes, nothing throws.
    let proofs = 0;
    const real = host.backend;
    const flaky: Backend = Object.assign(Object.create(real) as Backend, {
      // No fused commitment: the steps then commit through hashRows, where the fault goes in.
      commitRows: undefined,
      upload: (c: Parameters<Backend['upload']>[0]) => (proofs++, real.upload(c)),
      hashRows: async (m: Parameters<Backend['hashRows']>[0]) => {
        const leaves = await real.hashRows(m);
        if (proofs >= 3) leaves[0]! ^= 1;
        return leaves;
      },
    });
    try {
      await expect(runBenchmark({ ...host, backend: flaky }, REQ)).rejects.toThrow(NondeterministicProofError);
    } finally {
      await close();
    }
    const log = readFileSync(join(out, 'capsulepack/events/events.jsonl'), 'utf8');
    expect(log).toMatch(/"type":"statement_locked"/);
    expect(log).not.toMatch(/"type":"proof_artifact"/);
  }, 120_000);
});

describe('verification in a fresh worker', () => {
  it('times a proof that verifies, and fails the run (RunFailed) for one that does not', async () => {
    const k = await Kernels.load();
    const backend = await createNodeCpuBackend({ threads: 1 });
    try {
      const { trace, publicInputs } = geomTrace(6);
      const statementHash = new Uint8Array(32).fill(7);
      const { proof } = await prove(k, backend, { air: geomAir(publicInputs), trace, statementHash, publicInputs: encodeGeomPublicInputs(publicInputs) });
      const job = { airId: 'geom_air_v1', proof: encodeProof(proof), statementHash, publicInputs, minSecurityBits: 100, warmups: 1, runs: 3 };
      const t = await timeVerifyInWorker(job);
      expect(t.runs_us).toHaveLength(3);
      expect(t.cold_us).toBeGreaterThan(0);
      await expect(timeVerifyInWorker({ ...job, statementHash: new Uint8Array(32) })).rejects.toThrow(RunFailed);
      await expect(timeVerifyInWorker({ ...job, proof: new Uint8Array(8) })).rejects.toThrow(/the verification worker failed/);
    } finally {
      await backend.destroy();
    }
  }, 60_000);
});

describe('the library runs in a browser', () => {
  /** Every module reachable from `entry` by static imports, and what it imports from outside src/. */
  function imports(entry: string): { files: Set<string>; external: Set<string> } {
    const files = new Set<string>(), external = new Set<string>();
    const visit = (file: string): void => {
      if (files.has(file)) return;
      files.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')).replace(/\.json\.ts$/, '.json'));
        else external.add(spec);
      }
      expect(text, `${file} imports dynamically`).not.toMatch(/\bimport\(/);
    };
    visit(entry);
    return { files, external };
  }
  it('src/capsulebench/index.ts reaches no node: module, no Node-only package and no *-node file', () => {
    const { files, external } = imports(fileURLToPath(new URL('../src/capsulebench/index.ts', import.meta.url)));
    const ts = [...files].filter((f) => f.endsWith('.ts'));
    expect(ts.filter((f) => /-node\.ts$|\/node\.ts$/.test(f))).toEqual([]);
    expect([...external].filter((s) => s.startsWith('node:') || ['tar', 'webgpu', 'commander', 'worker_threads', 'fs', 'path'].includes(s))).toEqual([]);
    expect(ts.length).toBeGreaterThan(30);
  });
  it('every browser-safe file of src/capsulebench is reachable from its index', () => {
    const dir = fileURLToPath(new URL('../src/capsulebench/', import.meta.url));
    const { files } = imports(join(dir, 'index.ts'));
    const safe = readdirSync(dir).filter((f) => f.endsWith('.ts') && !/-node\.ts$|^node\.ts$/.test(f));
    expect(safe.filter((f) => !files.has(join(dir, f)))).toEqual([]);
  });
});

describe('a proof that will not fit in a browser is refused before it starts (wontFit)', () => {
  const GiB = 2 ** 30;
  const base = { workloadId: 'geom_walk_v1', width: 5, blowup: 8, memoryBudget: 4 * GiB };
  it('fits while the measured bytes per trace cell stay within the page budget', () => {
    expect(wontFit({ ...base, log2Rows: 20 })).toBeNull(); // 750 B × 5 × 2^20 ≈ 3.7 GiB
    expect(wontFit({ ...base, log2Rows: 21 })).toMatch(/^2\^21 rows of geom_walk_v1 \(5 columns\) need about 7\.3 GiB while proving; this page can hold about 4\.0 GiB/);
    expect(wontFit({ ...base, log2Rows: 12, memoryBudget: BYTES_PER_TRACE_CELL * 5 * 2 ** 12 - 1 })).toMatch(/need about/);
  });
  it("on the GPU, the extended trace's row hashes must fit one binding of the adapter", () => {
    const gpu = { maxBufferSize: 2 ** 28, maxStorageBufferBindingSize: 2 ** 27 };
    expect(wontFit({ ...base, log2Rows: 19, gpu })).toBeNull(); // 2^19 × 8 × 32 B = 128 MiB
    expect(wontFit({ ...base, log2Rows: 20, gpu })).toMatch(/row hashes of 2\^20 extended rows are 0\.3 GiB in one GPU binding; this adapter binds at most 0\.1 GiB/);
    expect(wontFit({ ...base, log2Rows: 20, gpu: { ...gpu, maxStorageBufferBindingSize: 2 ** 30 } })).toBeNull(); // 256 MiB: maxBufferSize exactly
    expect(wontFit({ ...base, log2Rows: 21, memoryBudget: 16 * GiB, gpu: { ...gpu, maxStorageBufferBindingSize: 2 ** 30 } })).toMatch(/binds at most 0\.3 GiB \(maxBufferSize 268435456/);
  });
});
