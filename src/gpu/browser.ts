/**
 * Browser: WebGPU from navigator.gpu (needs a secure context: https or http://127.0.0.1).
 *
 * @module
 */
import { GpuContext, type GpuContextOptions } from './context.js';
import { browserShaderLibrary } from './shaders-browser.js';

export function createBrowserGpuContext(opts: GpuContextOptions = {}): Promise<GpuContext> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  return GpuContext.create(gpu, browserShaderLibrary, opts);
}
