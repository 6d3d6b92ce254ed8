// The submission contract (src/capsulebench/contract.ts) on packs made by the real runner: an
// honest pack is accepted (community; certified with a registry root, a signature and an ACL), and
// every pack and benchmark rule is enforced with its own code. Each forgery is one a dishonest
// runner could make: a file edited and left, edited and resealed under its own key, an event log
// rewritten and re-chained, or the workload proved again, honestly, under other anchors, policy or
// input, so that the capsule verifier accepts it and only the benchmark rules can catch it.
import { appendFileSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyFile, type KeyFile } from '../src/capsule/authorship.js';
import { auditSeed, sampleChunks } from '../src/capsule/da.js';
import { DEFAULT_POLICY_TEXT } from '../src/capsule/policy.js';
import { AGENT_V1_ADAPTER } from '../src/capsule/adapter.js';
import { buildRegistry } from '../src/capsule/registry.js';
import { capsuleHash } from '../src/capsule/capsule.js';
import { jcsHash } from '../src/capsule/spec.js';
import { BENCH_ERROR_CODES } from '../src/capsulebench/codes.js';
import { SHIPPED_POLICY, SHIPPED_POLICY_BYTES, SHIPPED_REGISTRY } from '../src/capsulebench/policy.js';
import { jsonFileBytes } from '../src/json/file-json.js';
import { sha256Hex } from '../src/hash/digest.js';
import {
  chainHead, copyPack, makePack, readEvents, readJson, readText, reprove, reseal, tempDir, verifyDir, writeEvents, writeJson,
} from './helpers/capsulebench.js';

let base: string, signed: string, key: KeyFile;
const dirs: string[] = [];
const fresh = (src = base): string => {
  const d = copyPack(src);
  dirs.push(join(d, '..'));
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

beforeAll(async () => {
  key = generateKeyFile();
  const a = tempDir(), b = tempDir();
  dirs.push(a, b);
  base = await makePack(a);
  signed = await makePack(b, { key });
}, 120_000);

const policyWith = (edit: (p: Record<string, any>) => void): Uint8Array => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const p = structuredClone(SHIPPED_POLICY) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  edit(p);
  return jsonFileBytes(p);
};
const trustedFor = (bytes: Uint8Array) => buildRegistry([{ policy_id: 'bef_bench_policy_v2', policy_version: '2.0.0', policy_hash: sha256Hex(bytes) }]);
const aclFor = (pubkey: string) => ({ schema: 'bef_acl_v1' as const, policies: { bef_bench_policy_v2: [{ pubkey, status: 'active' as const }] } });

async function expectCode(dir: string, code: string, opts = {}): Promise<void> {
  const r = await verifyDir(dir, opts);
  expect(r.status, r.message).toBe('rejected');
  expect(r.code, r.message).toBe(code);
  expect(r.checks.at(-1)).toMatchObject({ ok: false, code });
}

describe('an honest pack', () => {
  it('is accepted for the community tier, every check in order, with what it claims', async () => {
    const r = await verifyDir(base);
    expect(r.status, r.message).toBe('accepted');
    expect(r.tier).toBe('community');
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['P1', 'A1', 'A2', 'A3', 'A4', 'A5', 'B6', 'B9', 'C10', 'C11', 'C13', 'D14', 'D15', 'E16', 'E17', 'V', 'L']));
    expect(r.run).toMatchObject({ workload_id: 'geom_walk_v1', track_id: 'baseline_no_accel', log2_rows: 10 });
    expect(r.run!.public_outputs.proof_size_bytes).toBeGreaterThan(0);
    expect(r.message).toMatch(/Proven: every step of the walk from the seeded initial matrix to the final matrix and accumulator\. Declared \(bound, not proven\): times, memory, manifests$/);
  });

  it('is accepted for the certified tier with the shipped registry root, its signature and an ACL naming the key', async () => {
    const r = await verifyDir(signed, { certified: { registryRoot: SHIPPED_REGISTRY.root, acl: aclFor(key.public_key) } });
    expect(r.status, r.message).toBe('accepted');
    expect(r.tier).toBe('certified');
    expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['certified', 'capsule.policy_registry', 'capsule.authorship', 'capsule.acl']));
  });

  it('passes a challenge DA audit when it carries every chunk', async () => {
    const r = await verifyDir(base, { challengeNonce: 'ab'.repeat(16) });
    expect(r.status, r.message).toBe('accepted');
  });

  it('tolerates the pack_ready event the runner appends to its folder after making the .tgz', () => {
    const events = readEvents(base);
    expect(events.at(-2)?.type).toBe('pack_ready');
    expect(events.at(-1)).toMatchObject({ type: 'phase', data: { phase_id: 'done' } });
  });
});

describe('certified tier', () => {
  it('E031: another registry root', async () => expectCode(signed, 'E031_POLICY_NOT_IN_REGISTRY', { certified: { registryRoot: 'ab'.repeat(32), acl: aclFor(key.public_key) } }));
  it('E070: an unsigned pack', async () => expectCode(base, 'E070_AUTHORSHIP_REQUIRED', { certified: { registryRoot: SHIPPED_REGISTRY.root, acl: aclFor(key.public_key) } }));
  it('E072: a signer the ACL does not list', async () =>
    expectCode(signed, 'E072_SIGNER_NOT_AUTHORIZED', { certified: { registryRoot: SHIPPED_REGISTRY.root, acl: aclFor(generateKeyFile().public_key) } }));
  it('E170: no inclusion proof in the pack', async () => {
    const d = fresh(signed);
    unlinkSync(join(d, 'policy_inclusion_proof.json'));
    await expectCode(d, 'E170_CERTIFICATION_INCOMPLETE', { certified: { registryRoot: SHIPPED_REGISTRY.root, acl: aclFor(key.public_key) } });
  });
});

describe('the pack layout', () => {
  it('E110: a file the layout does not name', async () => {
    const d = fresh();
    writeFileSync(join(d, 'notes.txt'), 'hello');
    await expectCode(d, 'E110_PACK_LAYOUT');
  });
  it('E110: a required file missing', async () => {
    const d = fresh();
    unlinkSync(join(d, 'manifests/os_fingerprint.json'));
    await expectCode(d, 'E110_PACK_LAYOUT');
  });
  it('E110: a proof file the capsule does not name', async () => {
    const d = fresh();
    writeFileSync(join(d, 'proofs/fib.proof.bin'), 'x');
    await expectCode(d, 'E110_PACK_LAYOUT');
  });
  it('E110: a proof entry named for another trace format (resealed)', async () => {
    const d = fresh();
    const c = readJson(d, 'capsule.json');
    writeJson(d, 'capsule.json', { ...c, proofs: { fib: c['proofs']['geom'] } });
    reseal(d);
    await expectCode(d, 'E110_PACK_LAYOUT');
  });
  it('E110: a row chunk beyond the capsule\'s chunks', async () => {
    const d = fresh();
    writeFileSync(join(d, 'row_archive/chunks/999.bin'), 'x');
    await expectCode(d, 'E110_PACK_LAYOUT');
  });
  it('E101: a symbolic link in a pack folder', async () => {
    const d = fresh();
    unlinkSync(join(d, 'logs/runner.log'));
    symlinkSync('/etc/hostname', join(d, 'logs/runner.log'));
    await expectCode(d, 'E101_PACK_UNSAFE_ENTRY');
  });
  it('E111: pack_meta.json is not JSON', async () => {
    const d = fresh();
    writeFileSync(join(d, 'pack_meta.json'), '{');
    await expectCode(d, 'E111_PACK_META_MISMATCH');
  });
  it('E111: pack_meta.json names another capsule', async () => {
    const d = fresh();
    writeJson(d, 'pack_meta.json', { ...readJson(d, 'pack_meta.json'), capsule_hash_hex: 'cd'.repeat(32) });
    await expectCode(d, 'E111_PACK_META_MISMATCH');
  });
  it('E111: pack_meta.json miscounts the row chunks', async () => {
    const d = fresh();
    const meta = readJson(d, 'pack_meta.json');
    writeJson(d, 'pack_meta.json', { ...meta, row_archive: { ...meta['row_archive'], chunks_included: 3 } });
    await expectCode(d, 'E111_PACK_META_MISMATCH');
  });
});

describe('capsule checks run on the pack', () => {
  it('E011: capsule.json edited', async () => {
    const d = fresh();
    const c = readJson(d, 'capsule.json');
    writeJson(d, 'capsule.json', { ...c, anchors: { ...c['anchors'], git_commit: 'none' } });
    await expectCode(d, 'E011_CAPSULE_HASH_MISMATCH');
  });
  it('E054: a manifest edited and rehashed: its anchor updated, the statement and capsule rehashed, the proof kept', async () => {
    const d = fresh();
    const hw = readJson(d, 'manifests/hardware_manifest.json');
    writeJson(d, 'manifests/hardware_manifest.json', { ...hw, cpu: { ...hw['cpu'], model: 'a faster CPU' } });
    const c = readJson(d, 'capsule.json');
    const anchors = { ...c['anchors'], hardware_manifest_hash: sha256Hex(readFileSync(join(d, 'manifests/hardware_manifest.json'))) };
    const statement = { ...c['statement'], anchors };
    const body = { ...c, anchors, statement, statement_hash: jcsHash(statement) };
    writeJson(d, 'capsule.json', { ...body, capsule_hash: capsuleHash(body) });
    await expectCode(d, 'E054_PROOF_INVALID');
  });
  it('E071: a measurement edited under a valid signature, the capsule resealed without the key', async () => {
    const d = fresh(signed);
    const m = readJson(d, 'measurements/measurements.json');
    m['runs'][0]['prove_us'] = 1;
    writeJson(d, 'measurements/measurements.json', m);
    const c = readJson(d, 'capsule.json');
    reseal(d);
    writeJson(d, 'capsule.json', { ...readJson(d, 'capsule.json'), authorship: c['authorship'] });
    await expectCode(d, 'E071_SIGNATURE_INVALID');
  });
});

describe('benchmark rules', () => {
  it('E140: a capsule without a benchmark block (proved again and sealed without one)', async () => {
    const d = fresh();
    await reprove(d, {});
    reseal(d, { benchmark: () => undefined });
    await expectCode(d, 'E140_BENCHMARK_BLOCK_MISSING');
  });
  it('E140: the capsule is of another run than pack_meta.json', async () => {
    const d = fresh();
    writeJson(d, 'pack_meta.json', { ...readJson(d, 'pack_meta.json'), run_id: 'run_2020_01_01T00_00_00Z_00000000' });
    await expectCode(d, 'E140_BENCHMARK_BLOCK_MISSING');
  });
  it('E120: an honest proof under a policy that is not a benchmark policy', async () => {
    const d = fresh();
    await reprove(d, { policyBytes: new TextEncoder().encode(DEFAULT_POLICY_TEXT) });
    await expectCode(d, 'E120_POLICY_NOT_BENCHMARK');
  });
  it('E121: a benchmark policy with another suite seed, not in the trusted registry', async () => {
    const d = fresh();
    await reprove(d, { policyBytes: policyWith((p) => (p['suite']['suite_seed_hex'] = '11'.repeat(32))) });
    await expectCode(d, 'E121_POLICY_NOT_TRUSTED');
  });
  it('E122: a trusted policy over another workload registry', async () => {
    const d = fresh();
    const bytes = policyWith((p) => (p['suite']['workload_registry_hash'] = '22'.repeat(32)));
    await reprove(d, { policyBytes: bytes });
    await expectCode(d, 'E122_WORKLOAD_REGISTRY_MISMATCH', { trusted: trustedFor(bytes) });
  });
  it('E130: a required anchor left out', async () => {
    const d = fresh();
    await reprove(d, { anchors: ({ git_commit: _, ...rest }) => rest });
    await expectCode(d, 'E130_REQUIRED_ANCHOR_MISSING');
  });
  it('E131: a workload the policy does not list', async () => {
    const d = fresh();
    await reprove(d, { anchors: (a) => ({ ...a, workload_id: 'sha3_v9' }) });
    await expectCode(d, 'E131_UNKNOWN_WORKLOAD');
  });
  it('E131: a listed workload that another AIR proves', async () => {
    const d = fresh();
    await reprove(d, { anchors: (a) => ({ ...a, workload_id: 'fib_v1' }) });
    await expectCode(d, 'E131_UNKNOWN_WORKLOAD');
  });
  it('E132: a track the policy does not have', async () => {
    const d = fresh();
    await reprove(d, { anchors: (a) => ({ ...a, track_id: 'turbo' }) });
    await expectCode(d, 'E132_UNKNOWN_TRACK');
  });
  it('E139: an anchor the verifier cannot check', async () => {
    const d = fresh();
    await reprove(d, { anchors: (a) => ({ ...a, dataset_hash: 'ab'.repeat(32) }) });
    await expectCode(d, 'E139_ANCHOR_UNCHECKED');
  });
  it('E139: an agent log\'s derived action_log_hash that is not the generated log\'s', async () => {
    const out = tempDir();
    dirs.push(out);
    const d = await makePack(out, { workloadId: 'agent_log_v1' });
    expect((await verifyDir(d)).status).toBe('accepted');
    // Proved again, honestly, by an adapter that derives a false log hash from the generated log.
    await reprove(d, { adapter: { ...AGENT_V1_ADAPTER, anchors: () => ({ action_log_hash: 'ab'.repeat(32) }) } });
    await expectCode(d, 'E139_ANCHOR_UNCHECKED');
  }, 60_000);
  it('E133: a manifest that is not of its schema (its anchor updated, proved again)', async () => {
    const d = fresh();
    writeJson(d, 'manifests/os_fingerprint.json', { schema: 'capsulebench_os_fingerprint_v1', platform: 'linux' });
    await reprove(d, { anchors: (a) => ({ ...a, os_fingerprint_hash: sha256Hex(readFileSync(join(d, 'manifests/os_fingerprint.json'))) }) });
    await expectCode(d, 'E133_MANIFEST_INVALID');
  });
  it('E134: a manifest edited after the run', async () => {
    const d = fresh();
    appendFileSync(join(d, 'manifests/toolchain_manifest.json'), ' ');
    await expectCode(d, 'E134_MANIFEST_HASH_MISMATCH');
  });
  it('E134: a build_hash anchor that is not the toolchain\'s', async () => {
    const d = fresh();
    await reprove(d, { anchors: (a) => ({ ...a, build_hash: 'ee'.repeat(32) }) });
    await expectCode(d, 'E134_MANIFEST_HASH_MISMATCH');
  });
  it('E135: workload_input_hash that is not the generated input\'s', async () => {
    const d = fresh();
    await reprove(d, { anchors: (a) => ({ ...a, workload_input_hash: 'ab'.repeat(32) }) });
    await expectCode(d, 'E135_WORKLOAD_INPUT_MISMATCH');
  });
  it('E135: an honest proof of another input under the right input hash', async () => {
    const d = fresh();
    await reprove(d, { input: { steps: 1024, initial: [['1', '0'], ['0', '1']] } });
    await expectCode(d, 'E135_WORKLOAD_INPUT_MISMATCH');
  });
  it('E136: pack_meta.json claims another size', async () => {
    const d = fresh();
    writeJson(d, 'pack_meta.json', { ...readJson(d, 'pack_meta.json'), log2_rows: 11 });
    await expectCode(d, 'E136_SIZE_NOT_IN_POLICY');
  });
  it('E136: a statement claiming 2^30 rows, beyond every size a trusted policy lists, is refused before the capsule verifier builds its AIR', async () => {
    const d = fresh();
    const capsule = readJson(d, 'capsule.json');
    capsule['statement']['public_inputs']['steps'] = 2 ** 30;
    writeJson(d, 'capsule.json', capsule);
    const r = await verifyDir(d);
    expect(r.code).toBe('E136_SIZE_NOT_IN_POLICY');
    expect(r.message).toBe('the statement claims 1073741824 rows; no workload of a trusted policy runs more than 2^22');
    expect(r.checks.map((c) => c.name)).not.toContain('capsule.statement');
  });
  it('E136: a proof of a size the policy does not list', async () => {
    const d = fresh();
    await reprove(d, { input: { steps: 512 } });
    await expectCode(d, 'E136_SIZE_NOT_IN_POLICY');
  });
  it('E137: a GPU declared on the baseline track (manifest and anchor updated, proved again)', async () => {
    const d = fresh();
    const knobs = readJson(d, 'manifests/knobs_manifest.json');
    writeJson(d, 'manifests/knobs_manifest.json', { ...knobs, backend: 'gpu' });
    await reprove(d, { anchors: (a) => ({ ...a, knobs_manifest_hash: sha256Hex(readFileSync(join(d, 'manifests/knobs_manifest.json'))) }) });
    await expectCode(d, 'E137_TRACK_RULE_VIOLATION');
  });
  it('E137: a baseline run relabelled optimized_declared (no adapter declared), its measurements too', async () => {
    const d = fresh();
    const knobs = readJson(d, 'manifests/knobs_manifest.json');
    writeJson(d, 'manifests/knobs_manifest.json', { ...knobs, track_id: 'optimized_declared', backend: 'gpu' });
    await reprove(d, { anchors: (a) => ({ ...a, track_id: 'optimized_declared', knobs_manifest_hash: sha256Hex(readFileSync(join(d, 'manifests/knobs_manifest.json'))) }) });
    writeJson(d, 'measurements/measurements.json', { ...readJson(d, 'measurements/measurements.json'), track_id: 'optimized_declared' });
    reseal(d);
    await expectCode(d, 'E137_TRACK_RULE_VIOLATION');
  });
  it('E138: proof options other than the policy\'s (100 bits still, but cheaper to prove)', async () => {
    const d = fresh();
    const knobs = readJson(d, 'manifests/knobs_manifest.json');
    writeJson(d, 'manifests/knobs_manifest.json', { ...knobs, proof_options: { blowup: 4, queries: 42, grinding_bits: 16, folding_factor: 4 } });
    await reprove(d, {
      options: { blowup: 4, queries: 42, grindingBits: 16, foldingFactor: 4 },
      anchors: (a) => ({ ...a, knobs_manifest_hash: sha256Hex(readFileSync(join(d, 'manifests/knobs_manifest.json'))) }),
    });
    await expectCode(d, 'E138_PROOF_OPTIONS_NOT_POLICY');
  });
  it('E030: the capsule\'s policy_path points at another file holding the shipped policy, policy.json holds another', async () => {
    const d = fresh();
    writeFileSync(join(d, 'logs/runner.log'), SHIPPED_POLICY_BYTES);
    writeFileSync(join(d, 'policy.json'), policyWith((p) => (p['measurement_procedure']['measured_runs'] = 1)));
    writeJson(d, 'capsule.json', { ...readJson(d, 'capsule.json'), policy: { ...readJson(d, 'capsule.json')['policy'], policy_path: 'logs/runner.log' } });
    reseal(d);
    await expectCode(d, 'E030_POLICY_HASH_MISMATCH');
  });
  it('E110: a capsule path that is not the layout\'s, even when the file it names is right', async () => {
    const d = fresh();
    writeFileSync(join(d, 'policy_inclusion_proof.json'), SHIPPED_POLICY_BYTES);
    writeJson(d, 'capsule.json', { ...readJson(d, 'capsule.json'), policy: { ...readJson(d, 'capsule.json')['policy'], policy_path: 'policy_inclusion_proof.json' } });
    reseal(d);
    await expectCode(d, 'E110_PACK_LAYOUT');
  });
  it('E031: an inclusion proof in a community pack that is not the policy\'s', async () => {
    const d = fresh();
    writeJson(d, 'policy_inclusion_proof.json', { ...readJson(d, 'policy_inclusion_proof.json'), policy_hash: 'ab'.repeat(32) });
    await expectCode(d, 'E031_POLICY_NOT_IN_REGISTRY');
  });
});

describe('measurements', () => {
  const edited = (edit: (m: Record<string, any>) => void, resealed = true): string => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const d = fresh();
    const m = readJson(d, 'measurements/measurements.json');
    edit(m);
    writeJson(d, 'measurements/measurements.json', m);
    if (resealed) reseal(d);
    return d;
  };
  it('E152: edited after sealing', async () => expectCode(edited((m) => (m['public_outputs']['prover_time_us'] = 1), false), 'E152_MEASUREMENTS_HASH_MISMATCH'));
  it('E152: edited in a signed pack', async () => {
    const d = fresh(signed);
    const m = readJson(d, 'measurements/measurements.json');
    m['summary']['prover_time_us']['median'] = 1;
    writeJson(d, 'measurements/measurements.json', m);
    await expectCode(d, 'E152_MEASUREMENTS_HASH_MISMATCH');
  });
  it('E150: not of its schema (resealed)', async () => expectCode(edited((m) => (m['procedure']['aggregation'] = 'mean')), 'E150_MEASUREMENTS_INVALID'));
  it('E150: of another workload (resealed)', async () => expectCode(edited((m) => (m['workload_id'] = 'fib_v1')), 'E150_MEASUREMENTS_INVALID'));
  it('E151: a required output left out (resealed)', async () => expectCode(edited((m) => delete m['public_outputs']['verify_time_us']), 'E151_REQUIRED_OUTPUT_MISSING'));
  it('E153: a median that is not the runs\' (resealed)', async () =>
    expectCode(edited((m) => ((m['public_outputs']['prover_time_us'] = 1), (m['summary']['prover_time_us']['median'] = 1))), 'E153_MEASUREMENT_INCONSISTENT'));
  it('E153: a proof size that is not the proof file\'s (resealed)', async () => expectCode(edited((m) => (m['public_outputs']['proof_size_bytes'] += 1)), 'E153_MEASUREMENT_INCONSISTENT'));
  it('E153: fewer measured runs than the policy asks (resealed)', async () =>
    expectCode(edited((m) => ((m['runs'] = m['runs'].slice(0, 2)), (m['procedure']['measured_runs'] = 2))), 'E153_MEASUREMENT_INCONSISTENT'));
  it('E153: a result digest that is not the statement\'s (resealed)', async () => expectCode(edited((m) => (m['public_outputs']['result_digest_hex'] = 'ab'.repeat(32))), 'E153_MEASUREMENT_INCONSISTENT'));
  it('E154: runs that disagree (resealed)', async () => expectCode(edited((m) => (m['runs'][2]['proof_sha256'] = 'ab'.repeat(32))), 'E154_RUNS_DISAGREE'));
});

describe('events', () => {
  const lines = (d: string) => readText(d, 'events/events.jsonl').trimEnd().split('\n');
  it('E160: a line that is not canonical JSON', async () => {
    const d = fresh();
    const l = lines(d);
    l[1] = l[1]!.replace('{', '{ ');
    writeFileSync(join(d, 'events/events.jsonl'), `${l.join('\n')}\n`);
    await expectCode(d, 'E160_EVENTS_MALFORMED');
  });
  it('E160: an event whose data does not fit its type', async () => {
    const d = fresh();
    const ev = readEvents(d);
    (ev[0]!.data as Record<string, unknown>)['extra'] = 1;
    writeEvents(d, ev);
    await expectCode(d, 'E160_EVENTS_MALFORMED');
  });
  it('E161: a tampered event (the chain left as it was)', async () => {
    const d = fresh();
    const l = lines(d);
    const spec = l.findIndex((x) => x.includes('"type":"phase"'));
    l[spec] = l[spec]!.replace('generating', 'Generating');
    writeFileSync(join(d, 'events/events.jsonl'), `${l.join('\n')}\n`);
    await expectCode(d, 'E161_EVENTS_CHAIN_BROKEN');
  });
  it('E161: an event removed', async () => {
    const d = fresh();
    const l = lines(d);
    l.splice(3, 1);
    writeFileSync(join(d, 'events/events.jsonl'), `${l.join('\n')}\n`);
    await expectCode(d, 'E161_EVENTS_CHAIN_BROKEN');
  });
  it('E162: an event before the proof rewritten and the log re-chained', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const st = ev.find((e) => e.type === 'prove_progress')!;
    (st.data as { metrics: { rss_bytes: number } }).metrics.rss_bytes = 1;
    writeEvents(d, ev);
    await expectCode(d, 'E162_EVENTS_HEAD_MISMATCH');
  });
  it('E163: the statement_locked event rewritten, re-chained, and the capsule resealed over the new head', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const st = ev.find((e) => e.type === 'statement_locked')!;
    (st.data as { statement_hash_hex: string }).statement_hash_hex = 'ab'.repeat(32);
    writeEvents(d, ev);
    reseal(d);
    expect(readJson(d, 'capsule.json')['benchmark']['events_chain_head']).toBe(chainHead(d));
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: capsule_sealed naming another capsule (after the head, re-chained)', async () => {
    const d = fresh();
    const ev = readEvents(d);
    (ev.find((e) => e.type === 'capsule_sealed')!.data as { capsule_hash_hex: string }).capsule_hash_hex = 'ab'.repeat(32);
    writeEvents(d, ev);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: a state_snapshot that does not describe the log before it (re-chained)', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const at = ev.findIndex((e) => e.type === 'capsule_sealed');
    const snap = { ...ev[at]!, type: 'state_snapshot', data: {
      last_event_seq: at + 1, phase: 'seal_capsule', runs_done: 6,
      locked: { trace_spec_hash_hex: null, policy_hash_hex: null, row_root_hex: null, statement_hash_hex: null, capsule_hash_hex: null },
      commitment_state: { num_chunks: 8, num_chunks_committed: 8, chunk_roots_digest_hex: null },
    } } as (typeof ev)[number];
    writeEvents(d, [...ev.slice(0, at + 1), snap, ...ev.slice(at + 1)]);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: a second run_started naming another workload (resealed over the new head)', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const second = { ...ev[0]!, data: { ...(ev[0]!.data as object), workload_id: 'fib_v1' } } as (typeof ev)[number];
    writeEvents(d, [ev[0]!, second, ...ev.slice(1)]);
    reseal(d);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: a phase after the proof that is not sealing or packing', async () => {
    const d = fresh();
    const ev = readEvents(d);
    writeEvents(d, [...ev, { ...ev.at(-1)!, data: { phase_id: 'prove', phase_label: 'one more' } } as (typeof ev)[number]]);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: an event after the proof that may not come there', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const spec = ev.find((e) => e.type === 'spec_locked')!;
    writeEvents(d, [...ev, { ...spec, ts_ms: ev.at(-1)!.ts_ms }]);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: a log without the proofs\' progress (re-chained, resealed)', async () => {
    const d = fresh();
    writeEvents(d, readEvents(d).filter((e) => e.type !== 'prove_progress'));
    reseal(d);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: a proof reported done twice (re-chained, resealed)', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const done = ev.map((e) => e.type).lastIndexOf('prove_progress');
    writeEvents(d, [...ev.slice(0, done + 1), { ...ev[done]!, ts_ms: ev[done]!.ts_ms }, ...ev.slice(done + 1)]);
    reseal(d);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: phases out of order (re-chained, resealed)', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const at = ev.findIndex((e) => e.type === 'spec_locked');
    writeEvents(d, [...ev.slice(0, at), { ...ev[at]!, type: 'phase', data: { phase_id: 'done', phase_label: 'done' } } as (typeof ev)[number], ...ev.slice(at)]);
    reseal(d);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: chunks committed before the spec is locked (re-chained, resealed)', async () => {
    const d = fresh();
    const ev = readEvents(d);
    const chunk = ev.findIndex((e) => e.type === 'chunk_committed'), spec = ev.findIndex((e) => e.type === 'spec_locked');
    const moved = [...ev.slice(0, spec), { ...ev[chunk]!, ts_ms: ev[spec]!.ts_ms }, ...ev.slice(spec).filter((_, i) => i !== chunk - spec)];
    writeEvents(d, moved);
    reseal(d);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E163: capsule_sealed naming another path', async () => {
    const d = fresh();
    const ev = readEvents(d);
    (ev.find((e) => e.type === 'capsule_sealed')!.data as { capsule_path: string }).capsule_path = 'proofs/capsule.json';
    writeEvents(d, ev);
    await expectCode(d, 'E163_EVENT_MISMATCH');
  });
  it('E142: the runner\'s log edited', async () => {
    const d = fresh();
    appendFileSync(join(d, 'logs/runner.log'), 'all good\n');
    await expectCode(d, 'E142_RUNNER_LOG_MISMATCH');
  });
});

describe('row archive by policy', () => {
  let sampled: string, trusted: ReturnType<typeof trustedFor>;
  beforeAll(async () => {
    // Five samples of 32 chunks, and no full archive.
    const bytes = policyWith((p) => {
      p['pack_policy']['full_archive_max_bytes'] = 0;
      p['da_policy'] = { ...p['da_policy'], delta: 0.5, epsilon: 0.1, min_k_samples: 1 };
    });
    trusted = trustedFor(bytes);
    const out = tempDir();
    dirs.push(out);
    sampled = await makePack(out, { log2Rows: 12 }, bytes);
  }, 120_000);
  it('over the cap, a pack carries the chunk roots and the self-audit sample only, and verifies', async () => {
    const meta = readJson(sampled, 'pack_meta.json');
    expect(meta['row_archive']).toMatchObject({ mode: 'sample', num_chunks: 32 });
    expect(meta['row_archive']['chunks_included']).toBe(5);
    expect(meta['contents']['policy_inclusion_proof']).toBeNull();
    const r = await verifyDir(sampled, { trusted });
    expect(r.status, r.message).toBe('accepted');
  });
  it('E080: a challenge audit asks for chunks a sampled pack does not carry', async () => expectCode(sampled, 'E080_DA_CHUNK_UNAVAILABLE', { trusted, challengeNonce: '01' }));
  it('E121: its policy is not in the shipped registry', async () => expectCode(sampled, 'E121_POLICY_NOT_TRUSTED'));

  describe('a full archive with a 5-chunk DA sample', () => {
    let full: string, opts: { trusted: ReturnType<typeof trustedFor> }, skipped: number[];
    beforeAll(async () => {
      const bytes = policyWith((p) => (p['da_policy'] = { ...p['da_policy'], delta: 0.5, epsilon: 0.1, min_k_samples: 1 }));
      const out = tempDir();
      dirs.push(out);
      full = await makePack(out, { log2Rows: 12, key }, bytes);
      opts = { trusted: trustedFor(bytes) };
      const c = readJson(full, 'capsule.json');
      const sample = sampleChunks(auditSeed({ capsuleHash: c['capsule_hash'], anchors: c['anchors'], policyId: c['policy']['policy_id'], policyVersion: c['policy']['policy_version'] }), 32, 5);
      skipped = Array.from({ length: 32 }, (_, i) => i).filter((i) => !sample.includes(i));
    }, 120_000);
    it('is accepted', async () => expect((await verifyDir(full, opts)).status).toBe('accepted'));
    it('E110: chunks the pack_policy asks for taken out of the signed pack, pack_meta edited to match', async () => {
      const d = fresh(full);
      for (const i of skipped) unlinkSync(join(d, `row_archive/chunks/${i}.bin`));
      const meta = readJson(d, 'pack_meta.json');
      writeJson(d, 'pack_meta.json', { ...meta, row_archive: { ...meta['row_archive'], mode: 'sample', chunks_included: 5 } });
      const r = await verifyDir(d, opts);
      expect(r.code, r.message).toBe('E110_PACK_LAYOUT');
      expect(r.checks.at(-1)!.name).toBe('row_archive_policy');
    });
    it('E081: every chunk is checked, not only where the DA audit samples', async () => {
      const d = fresh(full);
      writeFileSync(join(d, `row_archive/chunks/${skipped[0]}.bin`), Buffer.alloc(readFileSync(join(d, 'row_archive/chunks/0.bin')).length, 0x11));
      const r = await verifyDir(d, opts);
      expect(r.code, r.message).toBe('E081_DA_CHUNK_MISMATCH');
      expect(r.checks.find((x) => x.name === 'capsule.da_audit')?.ok).toBe(true);
      expect(r.checks.at(-1)!.name).toBe('row_chunks');
    });
  });
});

describe('the error-code registry', () => {
  it('every E1xx code is triggered by a test in this file, the archive tests or the server tests', () => {
    const here = ['', './capsulebench-archive.test.ts', './server.test.ts'].map((f) => readFileSync(f ? new URL(f, import.meta.url) : new URL(import.meta.url), 'utf8')).join('');
    const untested = Object.keys(BENCH_ERROR_CODES).filter((c) => !here.includes(`'${c}'`));
    expect(untested).toEqual([]);
  });
  it("README.md's E1xx table is the registry, row for row", () => {
    const rows = readFileSync(new URL('../README.md', import.meta.url), 'utf8').split('\n').filter((l) => /^\| `E1\d{2}_/.test(l));
    expect(rows).toEqual(Object.entries(BENCH_ERROR_CODES).map(([c, i]) => `| \`${c}\` | ${i.check} | ${i.meaning} | ${i.action} |`));
  });
  it('the shipped policy bytes are the policy.json of every pack', () => {
    expect(Buffer.from(readFileSync(join(base, 'policy.json'))).equals(Buffer.from(SHIPPED_POLICY_BYTES))).toBe(true);
  });
});


