// `capseal bench run|verify|list` end to end (src/cli/main.ts from source, test/helpers/cli.ts): a run
// writes a pack folder and .tgz that verify in all three forms, a signed run verifies for the
// certified tier, baselines are saved and compared, a damaged pack is rejected with its code, and
// every refusal is a usage error (exit 2, one line, nothing on stdout) made before any work.
// The CLI contract: results on stdout (--json: one line), progress on stderr; exit 0 / 1 / 2.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHIPPED_POLICY_HASH, SHIPPED_REGISTRY } from '../src/capsulebench/policy.js';
import { checkRequest, estimateProveBytes } from '../src/capsulebench/runner.js';
import { inProcess, permissionDenied, runCli, type CliRun } from './helpers/cli.js';
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
    expect(e).toMatch(/^ +median ± σ +\[min … max\]$/m);
    expect(e).toMatch(/^ {2}Prove +[\d.]+ (ms|s) ± [\d.]+ (ms|s) +\[[\d.]+ (ms|s) … [\d.]+ (ms|s)\] {2}5 runs after 1 warm-up$/m);
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
      expect(r.stderr).toMatch(new RegExp(`${metric} +(improved|regressed|within noise) +\\S+ (ms|s|MiB|bytes) vs \\S+ (ms|s|MiB|bytes) \\([\\d.]+×\\)`));
    // Same input and settings, same statement, same proof: the deterministic metric cannot move.
    expect(r.stderr).toMatch(/proof_size_bytes +within noise +([\d,]+) bytes vs \1 bytes \(1×\)/);
  }, 120_000);
  it('a signed run verifies for the certified tier', () => {
    const key = join(TMP, 'key.json'), acl = join(TMP, 'acl.json'), out = join(TMP, 'signed');
    expect(runCli(['keygen', '--out', key]).code).toBe(0);
    const pub = (JSON.parse(readFileSync(key, 'utf8')) as { public_key: string }).public_key;
    writeFileSync(acl, JSON.stringify({ schema: 'bef_acl_v1', policies: { bef_bench_policy_v2: [{ pubkey: pub, status: 'active' }] } }));
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
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ {6}step check {3}\(steps of the seed contract: A structure, B policy and track, C anchors and inputs, D outputs, E DA; P pack, V events, L log\)$/);
      expect(lines[1]).toBe('ok    P1   layout');
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
  it('a pack file the system will not let it read (EACCES) is an I/O error, exit 2, not a verdict', async () => {
    // Root reads any file, so the refusal is made by the pack reader itself.
    vi.resetModules();
    vi.doMock('../src/capsulebench/pack-node.js', async (original) => {
      const real = await original<typeof import('../src/capsulebench/pack-node.js')>();
      return {
        ...real,
        async openPack(path: string) {
          const pack = await real.openPack(path);
          return { ...pack, files: { list: () => pack.files.list(), read: (p: string, max: number) => (p === 'capsule.json' ? Promise.reject(permissionDenied(p)) : pack.files.read(p, max)) } };
        },
      };
    });
    try {
      const { benchVerify } = await import('../src/cli/bench.js');
      const r = await inProcess(() => benchVerify(first.record['pack'], { json: false, certified: false }));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^capseal bench verify: cannot read pack .*EACCES: permission denied, open 'capsule\.json'/);
    } finally {
      vi.doUnmock('../src/capsulebench/pack-node.js');
      vi.resetModules();
    }
  });
  it('says so when a folder holds no pack, or an unfinished run', () => {
    const empty = join(TMP, 'not-a-pack');
    mkdirSync(empty);
    writeFileSync(join(empty, 'a.txt'), 'x');
    expect(runCli(['bench', 'verify', empty]).stdout).toMatch(/^rejected E110_PACK_LAYOUT: this folder holds no capsulepack/m);
    const unfinished = join(TMP, 'unfinished');
    copyDir(join(first.out, 'capsulepack'), join(unfinished, 'capsulepack'));
    rmSync(join(unfinished, 'capsulepack', 'pack_meta.json'));
    const r = runCli(['bench', 'verify', unfinished]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rejected E110_PACK_LAYOUT: an unfinished run: pack_meta\.json, written last, is missing/m);
    expect(r.stdout).toMatch(/^ {6}\(the checks after the first failure did not run\)$/m);
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

describe('Ctrl-C', () => {
  // The built CLI (npm ci builds it): under tsx, tsx's own SIGINT handler exits first.
  it('stops the run, says where the partial run is, and leaves no half-made .tgz', async () => {
    const out = join(TMP, 'interrupted');
    const built = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
    const child = spawn(process.execPath, [built, 'bench', 'run', '--workload', 'geom_walk_v1', '--size', '14', '--track', 'baseline_no_accel', '--runs', '50', '--out', out],
      { env: { ...process.env, ...env } });
    let stderr = '', sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('measured 2/50')) sent = child.kill('SIGINT'); // once, well inside the measured runs
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    const r = { code, stderr };
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/capseal bench run: interrupted; the partial run is in .*interrupted \(events\/events\.jsonl and logs\/runner\.log say how far it got\)/);
    expect(existsSync(join(out, 'capsulepack.tgz'))).toBe(false);
    expect(readFileSync(join(out, 'capsulepack/events/events.jsonl'), 'utf8')).toMatch(/"type":"run_started"/);
  }, 60_000);
});

describe('a state_snapshot on demand', () => {
  it('kill -USR2 appends one mid-run, and the pack, its snapshot replayed, verifies', async () => {
    const out = join(TMP, 'snapshot');
    const built = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
    const child = spawn(process.execPath, [built, ...RUN, '--out', out], { env: { ...process.env, ...env } });
    let stderr = '', sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('measured 1/5')) sent = child.kill('SIGUSR2');
    });
    expect(await new Promise((done) => child.on('close', done)), stderr).toBe(0);
    const snaps = readFileSync(join(out, 'capsulepack/events/events.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"state_snapshot"'));
    expect(snaps).toHaveLength(1);
    // On one thread a proof never yields; between proofs the signal gets its turn, while proving.
    const snap = JSON.parse(snaps[0]!).data;
    expect(snap).toMatchObject({ phase: 'prove', commitment_state: { num_chunks: 8, num_chunks_committed: 8 } });
    expect(snap.runs_done).toBeLessThan(6);
    const r = runCli(['bench', 'verify', join(out, 'capsulepack.tgz')]);
    expect(r.code, r.stdout).toBe(0);
  }, 60_000);
});

describe('refusals before any work', () => {
  const out = () => join(TMP, `never-${Math.random().toString(16).slice(2)}`);
  it.each([
    [['--workload', 'sha256_v1'], /unknown workload "sha256_v1": the policy lists geom_walk_v1, fib_v1, agent_log_v1/],
    [['--size', '9'], /geom_walk_v1 does not run at 2\^9 rows: the policy allows --size 10…22/],
    [['--size', 'ten'], /--size: must be a whole number \(digits only\)/],
    [['--track', 'turbo'], /unknown track "turbo"/],
    [['--backend', 'gpu'], /baseline_no_accel runs on --backend cpu, not gpu \(no GPU on this track\)/],
    [['--backend', 'quantum'], /--backend must be one of auto, cpu, gpu/],
    [['--runs', '2'], /at least 5 measured runs, not 2/],
    [['--threads', '0'], /--threads must be at least 1/],
    [['--threads', '300'], /--threads must be at most 256/],
    [['--runs', '5000'], /--runs must be at most 1000/],
    [['--track', 'optimized_declared', '--threads', '1'], /--threads does not apply to --backend gpu \(optimized_declared's default; --backend auto takes --threads\)/],
    [['--save-baseline', 'b1'], /baseline b1 exists \(.*b1\.json\); choose another name or delete that file/],
    [['--baseline', '.hidden'], /--baseline: must be 1–64 characters .* starting with a letter or digit/],
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
  it('an --out inside another run\'s pack, a file, or under /proc', () => {
    expectUsage(runCli([...RUN, '--out', join(first.out, 'capsulepack', 'inner')], env), /is inside .*capsulepack, which holds a pack; name a folder outside it/);
    expectUsage(runCli([...RUN, '--out', first.record['pack']], env), /--out .*capsulepack\.tgz is a file, not a folder/);
    expectUsage(runCli([...RUN, '--out', '/proc/capseal-x'], env), /--out \/proc\/capseal-x is under proc, which holds no files/);
  });
  it('a baseline saved with other settings', () => {
    expectUsage(runCli([...RUN.filter((a, i) => a !== '--threads' && RUN[i - 1] !== '--threads'), '--threads', '2', '--baseline', 'b1', '--out', out()], env),
      /baseline b1 was saved with --backend cpu --threads 1; this run uses --backend cpu --threads 2/);
  });
  it('a size that will not fit this machine\'s memory', () => {
    const need = estimateProveBytes(2 ** 22, checkRequest({ workloadId: 'agent_log_v1', log2Rows: 22, trackId: 'baseline_no_accel', backend: 'cpu' }).workload.adapter.columns.length);
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

describe("the README's library example", () => {
  it('runs as written against the built package and its pack verifies', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /CapsuleBench from code[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const dir = join(TMP, 'library');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(fileURLToPath(new URL('..', import.meta.url)), join(dir, 'node_modules', 'capseal'));
    writeFileSync(join(dir, 'example.mjs'), `${code}\nprocess.stdout.write(JSON.stringify({ status: report.status, tier: report.tier, run: run.runId }));\n`);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'accepted', tier: 'community', run: expect.stringMatching(/^run_/) });
  }, 120_000);
});

describe('capseal bench list', () => {
  it('names the policy with its hash, the registry root, the tracks and every workload with its sizes', () => {
    const r = runCli(['bench', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`policy bef_bench_policy_v2 2.0.0  sha256 ${SHIPPED_POLICY_HASH}`);
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
