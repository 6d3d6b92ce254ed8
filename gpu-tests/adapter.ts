// Adapter policy of the GPU suites. A machine without a Vulkan driver of its own runs them on
// SwiftShader (DESIGN.md); CAPSEAL_REQUIRE_GPU=1 (CI) turns a missing adapter into a failure.
import { existsSync, readdirSync } from 'node:fs';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import { createNodeGpuBackend } from '../src/backend/gpu/node.js';
import type { GpuContextOptions } from '../src/gpu/context.js';
import { SWIFTSHADER_ICD } from '../src/gpu/node.js';

export const gpuRequired = process.env['CAPSEAL_REQUIRE_GPU'] === '1';

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/** Uses SwiftShader when no system Vulkan driver is installed and the choice was left open. */
export function preferSwiftShaderWithoutDriver(): void {
  if (process.env['CAPSEAL_GPU_ADAPTER'] || process.env['VK_ICD_FILENAMES']) return;
  const hasDriver = ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
  if (!hasDriver && existsSync(SWIFTSHADER_ICD)) process.env['CAPSEAL_GPU_ADAPTER'] = 'swiftshader';
}

/**
 * A dawn.node GpuBackend, or the reason there is none. Callers skip on a reason unless the GPU is
 * required, where it is a failure.
 */
export async function nodeGpuBackend(opts: GpuContextOptions = {}): Promise<GpuBackend | string> {
  preferSwiftShaderWithoutDriver();
  try {
    return await createNodeGpuBackend(opts);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Skips the test when there is no GPU, or fails it under CAPSEAL_REQUIRE_GPU=1. */
export function requireGpu<T>(got: T | string, t: { skip(): void }): T {
  if (typeof got !== 'string') return got;
  if (gpuRequired) throw new Error(`CAPSEAL_REQUIRE_GPU=1 but no GPU adapter: ${got}`);
  t.skip();
  throw new Error('unreachable: skip() throws');
}
