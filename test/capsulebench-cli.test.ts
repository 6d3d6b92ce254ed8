// `capseal bench run|verify|list` end to end (src/cli/main.ts from source, test/helpers/cli.ts): a run
// writes a pack folder and .tgz that verify in all three forms, a signed run verifies for the
// certified tier, baselines are saved and compared, a damaged pack is rejected with its code, and
// every refusal is a usage error (exit 2, one line, nothing on stdout) made before any work.
// The CLI contract: results on stdout (--json: one line), progress on stderr; exit 0 / 1 / 2.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_POLICY_HASH, SHIPPED_REGISTRY } from '../src/capsulebench/policy.js';
import { checkRequest, estimateProveBytes } from '../src/capsulebench/runner.js';
import { runCli, type CliRun } from './helpers/cli.js';
import { tempDir } from './helpers/capsulebench.js';

const TMP = tempDir('capsulebench-cli-');
const DATA = join(TMP, 'data'); // XDG_DATA_HOME: where baselines go
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const env = { XDG_DATA_HOME: DATA };
const RUN = ['bench', 'run', '--workload', 'geom_walk_v1', '--size', '10', '--track', 'baseline_no_accel', '--threads', '1'];

function expectUsage(r: CliRun, message: RegExp): void {
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^capseal bench (run|verify|list): /);
  expect(r.stderr).toMatch(message);
}

let first: { out: string; run: CliRun; record: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(() => {
  const out = join(TMP, 'first');
  const run = runCli([...RUN, '--out', out, '--save-baseline', 'b1', '--json'], env);
  first = { out, run, record: run.code === 0 ? JSON.parse(run.stdout) : {} };
}, 180_000);

describe('capseal bench run', () => {
  it('writes the pack folder and capsulepack.tgz and prints one JSON result', () => {
    const { run, record, out } = first;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(record).toMatchObject({ pack: join(out, 'capsulepack.tgz'), folder: join(out, 'capsulepack'), workload_id: 'geom_walk_v1', log2_rows: 10, track_id: 'baseline_no_accel', backend: 'cpu' });
    expect(record['capsule_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(record['public_outputs']).toMatchObject({ workload_size_params: { log2_rows: 10 }, trace_cells: 5120 });
    expect(record['summary']['prover_time_us']['count']).toBe(5);
    expect(existsSync(record['pack'])).toBe(true);
    expect(readdirSync(join(out, 'capsulepack')).sort()).toEqual(
      ['capsule.json', 'events', 'logs', 'manifests', 'measurements', 'pack_meta.json', 'policy.json', 'policy_inclusion_proof.json', 'proofs', 'row_archive']);
  });
  it('reports progress on stderr as plain lines (not a terminal) and a summary', () => {
    const e = first.run.stderr;
    expect(e).not.toMatch(/\r/);
    expect(e).toMatch(/warm-up 1\/1: [\d.]+ ms, peak RSS \d+ MiB/);
    expect(e).toMatch(/measured 5\/5: /);
    expect(e).toMatch(/^ {2}Prove +[\d.]+ m?s ± [\d.]+ m?s +\[[\d.]+ m?s … [\d.]+ m?s\] {2}5 runs after 1 warm-up$/m);
    expect(e).toMatch(/^ {2}Verify .*15 runs in a fresh worker$/m);
    expect(e).toMatch(/^ {2}Peak RSS .* per run \((VmHWM|sampled)\)$/m);
    expect(e).toMatch(/saved baseline b1/);
  });
  it('without --json prints the pack path and capsule hash', () => {
    const out = join(TMP, 'text');
    const r = runCli([...RUN, '--out', out, '--baseline', 'b1'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${join(out, 'capsulepack.tgz')}\\ncapsule_hash [0-9a-f]{64}\\n$`));
    expect(r.stderr).toMatch(/compared with baseline b1/);
    for (const metric of ['prover_time_us', 'verify_time_us', 'peak_rss_bytes', 'proof_size_bytes'])
      expect(r.stderr).toMatch(new RegExp(`${metric} +(improved|regressed|within noise) +[\\d.]+×`));
    // Same input, same proof: the deterministic metric cannot move.
    expect(r.stderr).toMatch(/proof_size_bytes +within noise +1×/);
  }, 120_000);
  it('a signed run verifies for the certified tier', () => {
    const key = join(TMP, 'key.json'), acl = join(TMP, 'acl.json'), out = join(TMP, 'signed');
    expect(runCli(['keygen', '--out', key]).code).toBe(0);
    const pub = (JSON.parse(readFileSync(key, 'utf8')) as { public_key: string }).public_key;
    writeFileSync(acl, JSON.stringify({ schema: 'bef_acl_v1', policies: { bef_bench_policy_v1: [{ pubkey: pub, status: 'active' }] } }));
    expect(runCli([...RUN, '--out', out, '--sign', key], env).code).toBe(0);
    const r = runCli(['bench', 'verify', join(out, 'capsulepack.tgz'), '--certified', '--registry-root', SHIPPED_REGISTRY.root, '--acl', acl]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}B8 {3}capsule\.acl$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^accepted \(certified\): geom_walk_v1 at 2\^10 rows on baseline_no_accel/);
  }, 120_000);
});

describe('capseal bench verify', () => {
  it('accepts the .tgz, the pack folder and the --out folder, one line per check', () => {
    for (const path of [first.record['pack'], first.record['folder'], first.out]) {
      const r = runCli(['bench', 'verify', path]);
      expect(r.code, r.stdout).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('ok    P1   layout');
      expect(lines.at(-1)).toMatch(/^accepted \(community\): /);
      expect(r.stderr).toMatch(/^bench verify: \d+ ms, verifier capseal \S+ \(build [0-9a-f]{16}…\)$/m);
    }
  });
  it('--json prints the report with the verifier build', () => {
    const r = runCli(['bench', 'verify', first.record['pack'], '--json', '--challenge-nonce', 'abcd']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(rep).toMatchObject({ status: 'accepted', tier: 'community', code: null, run: { workload_id: 'geom_walk_v1', log2_rows: 10 } });
    expect(rep['verifier']['build_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(rep['checks'].length).toBeGreaterThan(25);
  });
  it('rejects a damaged .tgz with its code (exit 1)', () => {
    const bad = join(TMP, 'bad.tgz');
    copyFileSync(first.record['pack'], bad);
    appendFileSync(bad, 'trailing');
    const r = runCli(['bench', 'verify', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}P0 {3}archive {2}E10[03]_/m);
    expect(r.stdout).toMatch(/^rejected E10[03]_PACK_(TRAILING_DATA|UNREADABLE): /m);
  });
  it('rejects a pack folder with a stray file (exit 1)', () => {
    const copy = join(TMP, 'stray');
    copyDir(join(first.out, 'capsulepack'), join(copy, 'capsulepack'));
    writeFileSync(join(copy, 'capsulepack', 'README.txt'), 'hi');
    const r = runCli(['bench', 'verify', copy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rejected E110_PACK_LAYOUT: README\.txt is not part of the capsulepack layout$/m);
  });
});

function copyDir(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true }))
    if (e.isDirectory()) copyDir(join(from, e.name), join(to, e.name));
    else copyFileSync(join(from, e.name), join(to, e.name));
}

describe('refusals before any work', () => {
  const out = () => join(TMP, `never-${Math.random().toString(16).slice(2)}`);
  it.each([
    [['--workload', 'sha256_v1'], /unknown workload "sha256_v1": the policy lists geom_walk_v1, fib_v1, agent_log_v1/],
    [['--size', '9'], /geom_walk_v1 does not run at 2\^9 rows: the policy allows --size 10…22/],
    [['--size', 'ten'], /--size: must be a decimal integer/],
    [['--track', 'turbo'], /unknown track "turbo"/],
    [['--backend', 'gpu'], /baseline_no_accel runs on --backend cpu, not gpu \(no GPU on this track\)/],
    [['--backend', 'quantum'], /--backend must be one of auto, cpu, gpu/],
    [['--runs', '2'], /at least 5 measured runs, not 2/],
    [['--threads', '0'], /--threads must be in \[1, 256\]/],
    [['--baseline', 'no such'], /--baseline: must be 1–64 characters/],
    [['--baseline', 'missing'], /no baseline named missing/],
  ])('bench run %j', (args, message) => {
    const dir = out();
    const base = ['bench', 'run', '--workload', 'geom_walk_v1', '--size', '10', '--track', 'baseline_no_accel', '--out', dir];
    const r = runCli([...base.filter((a, i) => !(args.includes(a) || args.includes(base[i - 1]!))), ...args], env);
    expectUsage(r, message);
    expect(existsSync(dir)).toBe(false);
  });
  it('a baseline of another size', () => {
    expectUsage(runCli(['bench', 'run', '--workload', 'geom_walk_v1', '--size', '11', '--track', 'baseline_no_accel', '--baseline', 'b1', '--out', out()], env),
      /baseline b1 is geom_walk_v1 at 2\^10 on baseline_no_accel, not geom_walk_v1 at 2\^11 on baseline_no_accel/);
  });
  it('an --out folder that holds anything', () => {
    expectUsage(runCli([...RUN, '--out', first.out], env), /--out .* exists and is not empty; name a new folder \(nothing was overwritten\)/);
  });
  it('a size that will not fit this machine\'s memory', () => {
    const need = estimateProveBytes(checkRequest({ workloadId: 'agent_log_v1', log2Rows: 22, trackId: 'baseline_no_accel', backend: 'cpu' }).cells);
    if (need <= totalmem()) return; // a machine this large proves it; nothing to refuse
    expectUsage(runCli(['bench', 'run', '--workload', 'agent_log_v1', '--size', '22', '--track', 'baseline_no_accel', '--out', out()]),
      /agent_log_v1 at 2\^22 rows \(58,720,256 trace cells\) needs about [\d.]+ GB of memory to prove; this machine has [\d.]+ GB/);
  });
  it.each([
    [['--certified'], /--certified needs --registry-root HEX and --acl FILE/],
    [['--registry-root', 'ab'.repeat(32)], /--registry-root and --acl go with --certified/],
    [['--challenge-nonce', 'zz'], /--challenge-nonce: must be 1–64 bytes of lowercase hex/],
  ])('bench verify %j', (args, message) => {
    expectUsage(runCli(['bench', 'verify', first.record['pack'], ...args]), message);
  });
  it('bench verify of a path that does not exist', () => {
    expectUsage(runCli(['bench', 'verify', join(TMP, 'nothing.tgz')]), /cannot read pack .*nothing\.tgz: no such file or folder/);
  });
});

describe('capseal bench list', () => {
  it('names the policy with its hash, the registry root, the tracks and every workload with its sizes', () => {
    const r = runCli(['bench', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`policy bef_bench_policy_v1 1.0.0  sha256 ${SHIPPED_POLICY_HASH}`);
    expect(r.stdout).toContain(`registry root ${SHIPPED_REGISTRY.root}`);
    for (const w of ['geom_walk_v1', 'fib_v1', 'agent_log_v1']) expect(r.stdout).toMatch(new RegExp(`^ {2}${w} +\\S+ +--size 10…22 `, 'm'));
    const j = JSON.parse(runCli(['bench', 'list', '--json']).stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(j['policy']).toMatchObject({ policy_hash: SHIPPED_POLICY_HASH, registry_root: SHIPPED_REGISTRY.root });
    expect(j['tracks'].map((t: { track_id: string }) => t.track_id)).toEqual(['baseline_no_accel', 'optimized_declared']);
  });
  it('capseal --help names bench and perf', () => {
    const help = runCli(['--help']).stdout;
    expect(help).toMatch(/^ {2}bench +CapsuleBench/m);
    expect(help).toMatch(/^ {2}perf \[args\.\.\.\] +performance benchmarks/m);
  });
});
