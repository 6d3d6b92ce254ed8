// A batch of compute dispatches run as one pass: their uniform blocks share one buffer, and each
// dispatch sees the writes of the ones before it.
import type { GpuContext } from './context.js';
import { GpuLimitError } from './errors.js';

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
