// `capseal perf` end to end on the CPU, at sizes that take a moment: the records carry what the
// README says (median and spread, sizes, threads), a proof bench's proof verifies (else it fails),
// and bad arguments are usage errors (exit 2) with the flag named, the same from `npm run perf`
// (bench/main.ts run directly) as from `capseal perf`. Speed is not judged here; the server load
// test runs at six submissions, on PGlite and, when test/run.sh started one, on PostgreSQL.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli, type CliRun } from './helpers/cli.js';
import { DATABASES, freshPostgres } from './helpers/server.js';

const records = (stdout: string): Array<Record<string, unknown>> => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** `npm run perf -- <args>`: bench/main.ts run directly by tsx. */
function runBenchMain(args: string[]): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../bench/main.ts', import.meta.url)), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


describe('capseal perf', () => {
  it('ntt: median and spread over the timed runs', () => {
    const r = runCli(['perf', 'ntt', '--log-n', '6', '--runs', '3', '--threads', '1', '--json']);
    expect(r.code).toBe(0);
    const [rec] = records(r.stdout);
    expect(rec).toMatchObject({ bench: 'ntt', log_n: 6, cols: 1, backend: 'cpu', threads: 1, runs: 3 });
    expect(rec!['min_ms']).toBeLessThanOrEqual(rec!['median_ms'] as number);
    expect(rec!['median_ms']).toBeLessThanOrEqual(rec!['max_ms'] as number);
  });

  it('prove: a verified proof, its size and security, the spread of the proving runs and every stage', () => {
    const r = runCli(['perf', 'prove', '--air', 'fib', '--log-n', '6', '--runs', '2', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warm-up: \d+ ms\n {2}run 1\/2: \d+ ms\n {2}run 2\/2/);
    const [rec] = records(r.stdout);
    expect(rec).toMatchObject({ bench: 'prove', air: 'fib', log_n: 6, backend: 'cpu', security_bits: 100, prove_runs: 2 });
    expect(rec!['proof_bytes']).toBeGreaterThan(1000);
    expect(rec!['prove_min_ms']).toBeLessThanOrEqual(rec!['prove_ms'] as number);
    expect(rec!['prove_ms']).toBeLessThanOrEqual(rec!['prove_max_ms'] as number);
    const stages = (rec!['stages'] as Array<{ stage: string; backend: string }>).map((s) => s.stage);
    expect(stages).toEqual(expect.arrayContaining(['trace lde', 'constraints', 'composition split', 'ood', 'deep composition', 'fri', 'grinding']));
  });

  it('prove: the smallest trace the default options reach 100 bits with (2^4 rows) proves and verifies', () => {
    const r = runCli(['perf', 'prove', '--air', 'agent', '--log-n', '4', '--runs', '1', '--threads', '1', '--json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(records(r.stdout)[0]).toMatchObject({ bench: 'prove', air: 'agent', log_n: 4, security_bits: 100 });
  });

  it('a proof that does not verify is a failed check: exit 1 and one error line, not a thrown error', async () => {
    vi.resetModules();
    vi.doMock('../src/stark/verifier.js', async (original) => ({
      ...(await original<typeof import('../src/stark/verifier.js')>()),
      verifyProof: () => ({ ok: false, code: 'planted', message: 'a planted rejection' }),
    }));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const { main } = await import('../bench/main.js');
      expect(await main(['prove', '--log-n', '4', '--runs', '1', '--threads', '1'])).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('error'))).toEqual(['error: the proof did not verify: planted: a planted rejection\n']);
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      vi.doUnmock('../src/stark/verifier.js');
      vi.resetModules();
    }
  });

  it.each([1, 4])('ntt-native --runs %i: that many runs of each, and a finite ratio at a size the C NTT takes ~0.1 µs for', (runs) => {
    const r = runCli(['perf', 'ntt-native', '--log-n', '4', '--runs', String(runs), '--json']);
    expect(r.code).toBe(0);
    const [ours, native, ratio] = records(r.stdout);
    expect(ours).toMatchObject({ bench: 'ntt', log_n: 4, backend: 'cpu', threads: 1, runs });
    expect(native).toMatchObject({ bench: 'ntt-native', log_n: 4, backend: 'native-c', threads: 1, runs });
    expect(native!['median_ms']).toBeGreaterThan(0);
    expect(ratio).toMatchObject({ bench: 'ntt-ratio', log_n: 4, outputs_equal: true });
    expect(ratio!['ratio']).toBeGreaterThan(0);
    expect(Number.isFinite(ratio!['ratio'])).toBe(true);
  });

  it.each(DATABASES)('server on %s: six distinct packs sent at once are all accepted, none lost, and the record has every figure', async (kind) => {
    const pg = kind === 'postgres' ? await freshPostgres() : undefined;
    try {
      const r = runCli(['perf', 'server', '--submissions', '6', '--workers', '1', ...(pg ? ['--db', pg.url] : []), '--json']);
      expect(r.stderr).not.toMatch(/error|warning/);
      expect(r.code).toBe(0);
      const [rec] = records(r.stdout);
      expect(rec).toMatchObject({
        bench: 'server', workload: 'geom_walk_v1', size: 10, submissions: 6, database: kind, workers: 1, max_concurrent_uploads: 8,
        accepted: 6, rejected: 0, lost: 0, duplicates: 0, poll_interval_ms: 250, machine: { cores: expect.any(Number) },
      });
      expect(rec!['build_hash']).toMatch(/^[0-9a-f]{64}$/);
      const n = (k: string) => rec![k] as number;
      for (const k of ['pack_bytes', 'wall_s', 'verdicts_per_s', 'verify_p50_ms']) expect(n(k)).toBeGreaterThan(0);
      expect(n('retries_503')).toBeGreaterThanOrEqual(0);
      expect(n('upload_p50_ms')).toBeLessThanOrEqual(n('upload_p99_ms'));
      expect(n('verify_p50_ms')).toBeLessThanOrEqual(n('verify_p99_ms'));
      const latency = ['p50', 'p90', 'p99', 'max'].map((p) => n(`latency_${p}_ms`));
      expect(latency).toEqual([...latency].sort((a, b) => a - b));
      expect(n('upload_p99_ms')).toBeLessThanOrEqual(n('latency_max_ms'));
    } finally {
      await pg?.drop();
    }
  }, 300_000); // the first run on a machine also makes the six packs

  it.each([
    [[], /missing required argument 'name'\n\(see --help/],
    [['prove', '--log-n', '2'], /--log-n: must be at least 4 for a proof/],
    [['prove', '--log-n', '3'], /--log-n: must be at least 4 for a proof of geom \(its options reach 100 bits from 2\^4 rows\)/],
    [['prove', '--air', 'fib', '--log-n', '3'], /--log-n: must be at least 4 for a proof/],
    [['prove', '--air', 'agent', '--log-n', '3'], /--log-n: must be at least 4 for a proof/],
    [['prove', '--air', 'keccak', '--log-n', '5'], /--log-n: must be at least 6 for a proof of keccak \(its options reach 100 bits from 2\^6 rows\)/],
    [['gpu-vs-cpu', '--op', 'prove', '--log-n', '1'], /--log-n: must be at least 4 for a proof/],
    [['gpu-vs-cpu', '--log-n', '3'], /--log-n: must be at least 4 for a proof/],
    [['ntt-native', '--log-n', '0'], /--log-n: must be at least 1 for ntt-native/],
    [['gpu-vs-cpu', '--op', 'fft'], /--op: must be one of ntt, lde, leaves, merkle, prove, all/],
    [['prove', '--air', 'zk'], /--air: must be one of geom, fib, agent, agent_v1/],
    [['ntt', '--log-n', 'x'], /expected a non-negative integer/],
    [['sort'], /unknown benchmark 'sort'/],
    [['merkle', '--cols', '2'], /^error: --cols does not apply to perf merkle\n$/],
    [['merkle', '--blowup', '4'], /--blowup does not apply to perf merkle/],
    [['merkle', '--threads', '2'], /--threads does not apply to perf merkle/],
    [['ntt', '--blowup', '4'], /--blowup does not apply to perf ntt/],
    [['leaves', '--blowup', '8'], /--blowup does not apply to perf leaves/],
    [['prove', '--blowup', '4'], /--blowup does not apply to perf prove/],
    [['prove', '--cols', '2'], /--cols does not apply to perf prove/],
    [['prove', '--op', 'ntt'], /--op does not apply to perf prove/],
    [['ntt', '--air', 'fib'], /--air does not apply to perf ntt/],
    [['ntt-native', '--backend', 'cpu'], /--backend does not apply to perf ntt-native/],
    [['ntt-native', '--air', 'geom'], /--air does not apply to perf ntt-native/],
    [['gpu-vs-cpu', '--backend', 'gpu'], /--backend does not apply to perf gpu-vs-cpu --op all/],
    [['gpu-vs-cpu', '--op', 'ntt', '--air', 'fib'], /--air does not apply to perf gpu-vs-cpu --op ntt/],
    [['gpu-vs-cpu', '--op', 'merkle', '--blowup', '4'], /--blowup does not apply to perf gpu-vs-cpu --op merkle/],
    [['ntt', '--backend', 'gpu', '--threads', '2'], /--threads does not apply to --backend gpu/],
    [['ntt', '--workers', '2'], /--workers does not apply to perf ntt/],
    [['server', '--log-n', '10'], /--log-n does not apply to perf server/],
    [['server', '--workers', '0'], /--workers: /],
    [['server', '--size', '9'], /^error: --size: must be one of 10, 11, .* 22 \(the sizes the policy allows for geom_walk_v1\)\n$/],
    [['server', '--db', 'mysql://localhost/x'], /--db: must be a postgres:\/\/ or postgresql:\/\/ URL/],
  ])('perf %j is a usage error', (args, message) => {
    const r = runCli(['perf', ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it.each([[[]], [['prove', '--log-n', '3']], [['merkle', '--cols', '2']]])(
    'npm run perf -- %j fails as capseal perf does: same exit code, same message',
    (args) => {
      const direct = runBenchMain(args), viaCli = runCli(['perf', ...args]);
      expect(direct.code).toBe(2);
      expect({ code: direct.code, stdout: direct.stdout, stderr: direct.stderr }).toEqual({ code: viaCli.code, stdout: viaCli.stdout, stderr: viaCli.stderr });
    },
  );

  it('--help lists each benchmark with exactly the options it takes, as the README does', () => {
    const r = runCli(['perf', '--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('perf '));
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['ntt', 'lde', 'leaves', 'merkle', 'prove', 'ntt-native', 'gpu-vs-cpu', 'server']);
    expect(lines.find((l) => l.startsWith('perf gpu-vs-cpu '))).toMatch(/--blowup .*--threads N/);
    expect(lines.find((l) => l.startsWith('perf merkle '))).not.toMatch(/--cols|--blowup|--threads/);
    // The README's command-line block, continuation lines joined.
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\n {2,}/g, ' ');
    const readmeLines = readme.split('\n').filter((l) => l.startsWith('capseal perf '));
    expect(readmeLines).toEqual(lines.map((l) => `capseal ${l}`));
  });

  it('capseal --help names every benchmark, prove included', () => {
    const names = /one of: ([\w\s,-]+)\n\n/.exec(runCli(['perf', '--help']).stdout)![1]!.split(/,\s*/).map((s) => s.trim());
    expect(names).toContain('prove');
    const help = runCli(['--help']).stdout.replace(/\s+/g, ' ');
    const bench = /perf \[args\.\.\.\] (.*?) (?:help \[command\]|bench )/.exec(help)![1]!;
    for (const name of names) expect(bench).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
