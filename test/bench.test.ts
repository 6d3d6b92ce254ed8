// `capseal bench` end to end on the CPU, at sizes that take a moment: the records carry what the
// README says (median and spread, sizes, threads), a proof bench's proof verifies (else it fails),
// and bad arguments are usage errors (exit 2) with the flag named. Speed is not judged here.
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const records = (stdout: string): Array<Record<string, unknown>> => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('capseal bench', () => {
  it('ntt: median and spread over the timed runs', () => {
    const r = runCli(['bench', 'ntt', '--log-n', '6', '--runs', '3', '--threads', '1', '--json']);
    expect(r.code).toBe(0);
    const [rec] = records(r.stdout);
    expect(rec).toMatchObject({ bench: 'ntt', log_n: 6, cols: 1, backend: 'cpu', threads: 1, runs: 3 });
    expect(rec!['min_ms']).toBeLessThanOrEqual(rec!['median_ms'] as number);
    expect(rec!['median_ms']).toBeLessThanOrEqual(rec!['max_ms'] as number);
  });

  it('prove: a verified proof, its size and security, the spread of the proving runs and every stage', () => {
    const r = runCli(['bench', 'prove', '--air', 'fib', '--log-n', '6', '--runs', '2', '--json']);
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

  it.each([
    [['prove', '--log-n', '2'], /--log-n: must be at least 3 for a proof/],
    [['gpu-vs-cpu', '--op', 'prove', '--log-n', '1'], /--log-n: must be at least 3 for a proof/],
    [['gpu-vs-cpu', '--op', 'fft'], /--op: must be one of ntt, lde, leaves, merkle, prove, all/],
    [['prove', '--air', 'zk'], /--air: must be one of geom, fib, agent/],
    [['ntt', '--log-n', 'x'], /expected a non-negative integer/],
    [['sort'], /unknown benchmark 'sort'/],
  ])('bench %j is a usage error', (args, message) => {
    const r = runCli(['bench', ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});
