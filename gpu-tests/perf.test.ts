// `capseal perf gpu-vs-cpu` end to end on the test adapter: every operation, a whole proof
// included, gives the same bytes on both backends (perf exits 1 otherwise) and each record
// carries the speedup. SwiftShader's speed says nothing; only the records' shape and equality count.
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/helpers/cli.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

describe('capseal perf gpu-vs-cpu', () => {
  it('runs every operation on both backends with equal outputs', async (t) => {
    // The child process inherits the adapter choice this makes (SwiftShader on a machine without a driver).
    await requireGpu(await nodeGpuBackend(), t).destroy();
    const r = runCli(['perf', 'gpu-vs-cpu', '--op', 'all', '--log-n', '6', '--cols', '3', '--runs', '1', '--json']);
    expect(r.code).toBe(0);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((x) => x['op'])).toEqual(['ntt', 'lde', 'leaves', 'merkle', 'prove']);
    for (const rec of recs) {
      expect(rec).toMatchObject({ bench: 'gpu-vs-cpu', log_n: 6, outputs_equal: true, runs: 1 });
      expect(rec['speedup']).toBeGreaterThan(0);
      expect(typeof rec['adapter']).toBe('string');
    }
    // A proof is many kernels: it has no single kernel time to compare.
    expect(recs.at(-1)).toMatchObject({ air: 'geom' });
    expect(recs.at(-1)).not.toHaveProperty('kernel_speedup');
  }, 300_000);
});
