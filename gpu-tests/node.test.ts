// The kernel cases (./cases.ts) on dawn.node. Without an adapter they skip, unless
// CAPSEAL_REQUIRE_GPU=1, where that is a failure.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import { createNodeGpuBackend } from '../src/backend/gpu/node.js';
import { adapterName } from '../src/gpu/context.js';
import { gpuRequired, preferSwiftShaderWithoutDriver } from './adapter.js';
import { CASES, SPLIT_BINDING_BYTES, type CaseEnv } from './cases.js';

let env: CaseEnv | undefined;
let unavailable = '';

beforeAll(async () => {
  preferSwiftShaderWithoutDriver();
  try {
    const [gpu, split, cpu] = await Promise.all([
      createNodeGpuBackend(),
      createNodeGpuBackend({ maxBindingBytes: SPLIT_BINDING_BYTES }),
      CpuBackend.create(),
    ]);
    env = { gpu, split, cpu };
    console.log(`gpu-tests (node, dawn.node): adapter ${adapterName(gpu.adapter)}`);
  } catch (e) {
    unavailable = e instanceof Error ? e.message : String(e);
    console.log(`gpu-tests (node): no GPU (${unavailable})`);
  }
});

afterAll(async () => {
  await Promise.all([env?.gpu.destroy(), env?.split.destroy(), env?.cpu.destroy()]);
});

describe('GPU kernels match the CPU byte for byte (dawn.node)', () => {
  for (const c of CASES)
    it(c.name, async (t) => {
      if (!env) {
        if (gpuRequired) throw new Error(`CAPSEAL_REQUIRE_GPU=1 but no GPU adapter: ${unavailable}`);
        t.skip();
        return;
      }
      await c.run(env);
    });
});
