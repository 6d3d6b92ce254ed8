// `capseal doctor` end to end: on the test adapter every kernel passes (exit 0, one JSON report);
// on a machine whose Vulkan loader finds no driver it says so and exits 1.
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/helpers/cli.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

describe('capseal doctor', () => {
  it('reports the adapter and passes every kernel check', async (t) => {
    // The child process inherits the adapter choice this makes (SwiftShader on a machine without a driver).
    await requireGpu(await nodeGpuBackend(), t).destroy();
    const r = runCli(['doctor', '--json']);
    expect(r.stderr).toMatch(/checking every kernel/);
    const report = JSON.parse(r.stdout) as { ok: boolean; adapter: { description: string }; checks: Array<{ name: string; ok: boolean }>; limits: Record<string, number> };
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['field mul', 'field fp2_inv', 'ntt 2^10 × 3', 'merkle 2^8 leaves', 'stark proof FIB 2^5 (composition, DEEP, FRI kernels)']));
    expect(report.limits['maxStorageBufferBindingSize']).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
  });

  it('exits 1 with the reason when there is no adapter', () => {
    const r = runCli(['doctor', '--json'], { CAPSEAL_GPU_ADAPTER: 'default', VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    const report = JSON.parse(r.stdout) as { ok: boolean; error: string; adapter: null };
    expect(report).toMatchObject({ ok: false, adapter: null });
    expect(report.error).toMatch(/adapter/);
    expect(r.code).toBe(1);
    const human = runCli(['doctor'], { CAPSEAL_GPU_ADAPTER: 'default', VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(human.stdout).toMatch(/^no GPU: .*\n.*--backend cpu/);
    expect(human.code).toBe(1);
  });
});
