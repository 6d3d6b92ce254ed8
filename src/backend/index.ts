/**
 * The backend layer: one contract; a CPU implementation (WebAssembly, worker threads in Node), a
 * WebGPU implementation, and the scheduler that places each operation on one of them. In a browser
 * the CPU side spreads over Web Workers (createBrowserCpuBackend; the page supplies the worker).
 *
 * @module
 */
export type { Backend, BackendKind, Matrix } from './backend.js';
export { CpuBackend, PARALLEL_MIN_ELEMENTS } from './cpu/cpu-backend.js';
export { createBrowserCpuBackend, type BrowserCpuOptions, type BrowserJobs } from './cpu/browser.js';
export type { JobRunner } from './cpu/jobs.js';
export { GpuBackend } from './gpu/gpu-backend.js';
export { selfCheck, type CheckResult } from './gpu/self-check.js';
export {
  ALL_ON_GPU, BACKEND_CHOICES, OPERATIONS, Scheduler,
  type BackendChoice, type GpuSide, type Operation, type SchedulerOptions, type StageRecord, type Thresholds,
} from './scheduler.js';
export { calibrate, thresholdsFromJson, thresholdsToJson, type Calibration } from './calibrate.js';
