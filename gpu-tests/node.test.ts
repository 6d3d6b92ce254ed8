// The kernel cases (./cases.ts) on dawn.node. Without an adapter they skip, unless
// CAPSEAL_REQUIRE_GPU=1, where that is a failure.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { adapterName } from '../src/gpu/context.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';
import { CASES, SPLIT_BINDING_BYTES, type CaseEnv } from './cases.js';

let env: CaseEnv | undefined;
let unavailable = '';

beforeAll(async () => {
  const [gpu, split, cpu] = await Promise.all([nodeGpuBackend(), nodeGpuBackend({ maxBindingBytes: SPLIT_BINDING_BYTES }), CpuBackend.create()]);
  if (typeof gpu === 'string' || typeof split === 'string') {
    unavailable = typeof gpu === 'string' ? gpu : String(split);
    console.log(`gpu-tests (node): no GPU (${unavailable})`);
    await Promise.all([cpu.destroy(), typeof gpu !== 'string' && gpu.destroy(), typeof split !== 'string' && split.destroy()]);
    return;
  }
  env = { gpu, split, cpu };
  console.log(`gpu-tests (node, dawn.node): adapter ${adapterName(gpu.adapter)}`);
});

afterAll(async () => {
  await Promise.all([env?.gpu.destroy(), env?.split.destroy(), env?.cpu.destroy()]);
});

describe('GPU kernels match the CPU byte for byte (dawn.node)', () => {
  for (const c of CASES)
    it(c.name, async (t) => {
      await c.run(requireGpu(env ?? unavailable, t));
    });
});
