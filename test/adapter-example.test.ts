// The README's "Write a trace adapter" example, end to end: the adapter between the markers is the
// text README.md shows (a test below checks it verbatim); it is sealed into a capsule, verified
// with the adapter made known to the verifier, and its anchor binds the dataset digest.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GEOM_AIR_ID, geomTrace, hashToField, Sha256HexSchema, StepsSchema } from '../src/airs/index.js';
import { createNodeCpuBackend } from '../src/prover/node.js';
import type { TraceAdapter } from '../src/capsule/adapter.js';
import { sealCapsule } from '../src/capsule/seal.js';
import { verifyCapsule } from '../src/capsule/verify.js';
import * as Fp from '../src/field/goldilocks.js';
import { Kernels } from '../src/wasm/kernels.js';

// README:adapter:start
/** A GEOM walk whose start matrix comes from a dataset's SHA-256: the digest is bound as an anchor. */
const DatasetWalkInput = z.strictObject({ dataset_sha256: Sha256HexSchema, steps: StepsSchema });

export const DATASET_WALK: TraceAdapter<z.output<typeof DatasetWalkInput>> = {
  traceFormatId: 'DATASET_WALK_V1',
  airId: GEOM_AIR_ID, // proved by GEOM_AIR_V1's constraints
  columns: ['m11', 'm12', 'm21', 'm22', 'acc'],
  input: DatasetWalkInput,
  buildTrace: ({ dataset_sha256, steps }) => {
    const [a, b] = hashToField(dataset_sha256);
    return geomTrace(Math.log2(steps), [[1n, a], [b, Fp.add(1n, Fp.mul(a, b))]]); // determinant 1
  },
  anchors: ({ dataset_sha256 }) => ({ dataset_hash: dataset_sha256 }),
};
// README:adapter:end

describe('the README trace adapter example', () => {
  it('seals and verifies a DATASET_WALK_V1 capsule; unknown to a verifier without the adapter', async () => {
    const k = await Kernels.load();
    const backend = await createNodeCpuBackend();
    const input = { dataset_sha256: 'ab'.repeat(32), steps: 64 };
    const sealed = await sealCapsule(k, { adapter: DATASET_WALK, input, backend, backendChoice: 'cpu' });
    await backend.destroy();
    const dir = new Map(sealed.files);
    const files = { read: async (p: string) => dir.get(p) ?? null };
    expect(sealed.capsule.statement.anchors).toEqual({ dataset_hash: input.dataset_sha256 });
    expect(Object.keys(sealed.capsule.proofs)).toEqual(['dataset_walk_v1']);
    const ok = await verifyCapsule(k, dir.get('capsule.json')!, files, { adapters: [DATASET_WALK] });
    expect(ok.status, ok.message).toBe('accepted');
    expect((await verifyCapsule(k, dir.get('capsule.json')!, files)).code).toBe('E002_UNSUPPORTED_SCHEMA');
  });

  it('README.md shows this adapter verbatim', () => {
    const between = (text: string) => text.slice(text.indexOf('// README:adapter:start') + 24, text.indexOf('// README:adapter:end')).trim();
    const source = between(readFileSync(new URL(import.meta.url)).toString());
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(source);
  });
});
