// The backend layer: one contract, a CPU implementation (WebAssembly + worker threads in Node).
export type { Backend, BackendKind, Matrix } from './backend.js';
export { CpuBackend, PARALLEL_MIN_ELEMENTS } from './cpu/cpu-backend.js';
export type { JobRunner } from './cpu/jobs.js';
