// The backend a benchmark measures, from --backend cpu|gpu|auto, with what the record needs to say
// about it: the adapter (GPU), thread count (CPU), and the kernel time of the last operation.
import type { Backend } from '../src/backend/backend.js';
import { createNodeCpuBackend } from '../src/prover/node.js';
import { createNodeGpuBackend } from '../src/backend/gpu/node.js';
import { createNodeBackend } from '../src/prover/node.js';
import type { BackendChoice, Scheduler } from '../src/backend/scheduler.js';
import { adapterName } from '../src/gpu/context.js';
import { progress } from './measure.js';

export interface Measured {
  backend: Backend;
  /** Fields every record of this backend carries. */
  fields: Record<string, string | number>;
  /** GPU kernel time of the last operation (timestamp queries), when known. */
  lastKernelMs(): number | undefined;
  /** For auto: where each operation ran. */
  scheduler?: Scheduler;
}

export async function openBackend(choice: BackendChoice, threads: number | undefined): Promise<Measured> {
  const threadOpts = threads === undefined ? {} : { threads };
  if (choice === 'cpu') {
    const b = await createNodeCpuBackend(threadOpts);
    return { backend: b, fields: { backend: 'cpu', threads: b.threads }, lastKernelMs: () => undefined };
  }
  if (choice === 'gpu') {
    const b = await createNodeGpuBackend();
    return { backend: b, fields: { backend: 'gpu', adapter: adapterName(b.adapter) }, lastKernelMs: () => b.lastKernelMs };
  }
  const s = await createNodeBackend({ choice: 'auto', ...threadOpts, notice: progress });
  return { backend: s, fields: { backend: 'auto', placement: s.description }, lastKernelMs: () => s.stages.at(-1)?.kernelMs, scheduler: s };
}
