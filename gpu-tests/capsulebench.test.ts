// CapsuleBench on the GPU track: a pack made by the runner with --backend gpu on the test adapter
// (SwiftShader without a real GPU) on optimized_declared verifies, declares the adapter in its
// hardware and knobs manifests, ran its stages on the GPU, and commits to the same rows as a
// baseline_no_accel pack of the same workload and size made on the CPU: the same trace root, chunk
// roots, row chunks and result. (The proofs differ: the statements bind other anchors, the track
// and the manifests among them; CPU and GPU proofs of one statement are byte-identical, which
// gpu-tests/stark.test.ts checks.)
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePack, readJson, tempDir, verifyDir } from '../test/helpers/capsulebench.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a CapsuleBench run on the GPU', () => {
  it('optimized_declared: verifies, declares its adapter, and commits to the rows the CPU commits to', async (t) => {
    await requireGpu(await nodeGpuBackend(), t).destroy();
    const [g, c] = [tempDir(), tempDir()];
    dirs.push(g, c);
    const onGpu = await makePack(g, { trackId: 'optimized_declared', backend: 'gpu' });
    const onCpu = await makePack(c);
    const r = await verifyDir(onGpu);
    expect(r.status, r.message).toBe('accepted');
    expect(r.run).toMatchObject({ track_id: 'optimized_declared', workload_id: 'geom_walk_v1' });

    const hw = readJson(onGpu, 'manifests/hardware_manifest.json'), knobs = readJson(onGpu, 'manifests/knobs_manifest.json');
    expect(hw['gpu']['description']).toBeTruthy();
    expect(knobs).toMatchObject({ track_id: 'optimized_declared', backend: 'gpu' });
    expect(knobs['gpu']['adapter']).toContain(hw['gpu']['vendor']);
    const capsule = readJson(onGpu, 'capsule.json');
    const entry = Object.values(capsule['proofs'] as Record<string, any>)[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(entry.backend.requested).toBe('gpu');
    expect(entry.stats.stages.filter((s: { backend: string }) => s.backend === 'gpu').map((s: { stage: string }) => s.stage)).toEqual(
      expect.arrayContaining(['trace lde', 'trace commit', 'constraints', 'deep composition', 'fri']));
    const file = (d: string, path: string) => readFileSync(join(d, path));
    for (const path of ['row_archive/chunk_roots.bin', 'row_archive/chunks/0.bin', 'row_archive/chunks/7.bin']) expect(file(onGpu, path).equals(file(onCpu, path)), path).toBe(true);
    const [sg, sc] = [onGpu, onCpu].map((d) => readJson(d, 'capsule.json')['statement']);
    expect(sg.trace_root).toBe(sc.trace_root);
    expect(sg.public_inputs).toEqual(sc.public_inputs);
  }, 600_000);
});
