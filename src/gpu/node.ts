/**
 * Node: WebGPU from the `webgpu` package (dawn.node). Without a hardware GPU, dawn can run on
 * SwiftShader's Vulkan from Debian's chromium package (README.md "Backends"): CAPSEAL_GPU_ADAPTER=swiftshader
 * points the Vulkan loader at it (the same as VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { GpuContext, type GpuContextOptions } from './context.js';
import { GpuUnavailableError } from './errors.js';
import { nodeShaderLibrary } from './shaders-node.js';
import { vulkanDriverFound } from './vulkan-drivers.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let gpu: GPU | undefined;

function selectAdapter(): void {
  const set = process.env['CAPSEAL_GPU_ADAPTER'], choice = set ?? 'default';
  if (choice === 'default') {
    // Unless asked for explicitly, not where no Vulkan driver is installed (./vulkan-drivers.ts).
    if (set === undefined && process.platform === 'linux' && !vulkanDriverFound(process.env, homedir()))
      throw new GpuUnavailableError('no WebGPU adapter is available: no Vulkan driver is installed (CAPSEAL_GPU_ADAPTER=default asks the GPU runtime anyway)');
    return;
  }
  if (choice !== 'swiftshader') throw new GpuUnavailableError(`CAPSEAL_GPU_ADAPTER must be "default" or "swiftshader", got "${choice}"`);
  if (!existsSync(SWIFTSHADER_ICD)) throw new GpuUnavailableError(`SwiftShader asked for, but ${SWIFTSHADER_ICD} is missing (apt install chromium)`);
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
}

/** The process-wide dawn.node GPU object (created once: the Vulkan loader reads its settings once). */
export function nodeGpu(): GPU {
  if (!gpu) {
    selectAdapter();
    let webgpu: { create(flags: string[]): GPU };
    try {
      webgpu = createRequire(import.meta.url)('webgpu') as typeof webgpu;
    } catch (e) {
      throw new GpuUnavailableError(`the webgpu package could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Dawn rounds timestamps to 2^16 ns by default (a browser's timing-attack defence); benchmarks
    // read kernel times of well under a millisecond, so keep them exact.
    gpu = webgpu.create(['disable-dawn-features=timestamp_quantization']);
  }
  return gpu;
}

export async function createNodeGpuContext(opts: GpuContextOptions = {}): Promise<GpuContext> {
  return GpuContext.create(nodeGpu(), nodeShaderLibrary(), opts);
}
