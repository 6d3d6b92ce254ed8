/**
 * Node adapter: a GpuBackend on dawn.node (see src/gpu/node.ts for adapter selection).
 *
 * @module
 */
import type { GpuContextOptions } from '../../gpu/context.js';
import { createNodeGpuContext } from '../../gpu/node.js';
import { GpuBackend } from './gpu-backend.js';

export async function createNodeGpuBackend(opts: GpuContextOptions = {}): Promise<GpuBackend> {
  return GpuBackend.create(await createNodeGpuContext(opts));
}
