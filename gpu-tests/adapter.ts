// Adapter policy of the GPU suites. A machine without a Vulkan driver of its own runs them on
// SwiftShader (DESIGN.md); CAPSEAL_REQUIRE_GPU=1 (CI) turns a missing adapter into a failure.
import { existsSync, readdirSync } from 'node:fs';
import { SWIFTSHADER_ICD } from '../src/gpu/node.js';

export const gpuRequired = process.env['CAPSEAL_REQUIRE_GPU'] === '1';

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/** Uses SwiftShader when no system Vulkan driver is installed and the choice was left open. */
export function preferSwiftShaderWithoutDriver(): void {
  if (process.env['CAPSEAL_GPU_ADAPTER'] || process.env['VK_ICD_FILENAMES']) return;
  const hasDriver = ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
  if (!hasDriver && existsSync(SWIFTSHADER_ICD)) process.env['CAPSEAL_GPU_ADAPTER'] = 'swiftshader';
}
