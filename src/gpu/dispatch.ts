/**
 * A batch of compute dispatches run as one pass: their uniform blocks share one buffer, and each
 * dispatch sees the writes of the ones before it.
 *
 * @module
 */
import type { GpuContext } from './context.js';
import { GpuLimitError } from './errors.js';
import type * as Fp2 from '../field/ext2.js';

/** Invocations per workgroup of every one-invocation-per-element kernel (injected into its WGSL). */
export const WORKGROUP_SIZE = 64;

export interface Dispatch {
  pipeline: GPUComputePipeline;
  /** Bindings in order; the string 'params' stands for this dispatch's uniform block. */
  resources: ReadonlyArray<GPUBuffer | GPUBufferBinding | 'params'>;
  params: Uint32Array;
  groups: readonly [number, number?, number?];
}

/** Runs the dispatches in one pass; returns the kernel time in ms when timestamps are available. */
export async function runDispatches(ctx: GpuContext, label: string, dispatches: readonly Dispatch[]): Promise<number | undefined> {
  if (dispatches.length === 0) return 0;
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  for (const d of dispatches) {
    const counts = d.groups.filter((g) => g !== undefined);
    // A malformed count is a bug; one over the device's limit is work too big for it (the CPU takes it).
    if (counts.some((g) => g < 1 || !Number.isInteger(g))) throw new RangeError(`${label}: workgroup count ${d.groups.join('×')} is not a positive integer`);
    if (counts.some((g) => g > max)) throw new GpuLimitError(`${label}: workgroup count ${d.groups.join('×')} outside [1, ${max}] per dimension`);
  }
  const uniforms = ctx.uniforms(dispatches.map((d) => d.params));
  try {
    // Bind groups are made inside the pass callback so that their validation errors are scoped too.
    return await ctx.runPass(label, (pass) => {
      dispatches.forEach((d, i) => {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, ctx.bindGroup(d.pipeline, d.resources.map((r) => (r === 'params' ? uniforms.entry(i) : r))));
        pass.dispatchWorkgroups(d.groups[0], d.groups[1] ?? 1, d.groups[2] ?? 1);
      });
    });
  } finally {
    uniforms.buffer.destroy();
  }
}

/** Workgroups for `invocations` in (x, y), x capped by the device; kernels index (y·x_count + x)·size + local. */
export function grid(ctx: GpuContext, invocations: number, workgroupSize: number): [number, number] {
  const total = Math.max(1, Math.ceil(invocations / workgroupSize));
  // As few rows as the per-dimension limit allows, then as few columns: under y workgroups idle.
  const y = Math.ceil(total / ctx.limits.maxComputeWorkgroupsPerDimension);
  return [Math.ceil(total / y), y];
}

/** The low and high 32-bit words of a canonical element. */
export const words = (x: bigint): [number, number] => [Number(x & 0xffffffffn), Number(x >> 32n)];

export const fp2Words = (a: Fp2.Fp2): number[] => [...words(a[0]), ...words(a[1])];
