/**
 * Typed failures of the GPU runtime, so the scheduler can tell "no GPU here" and "GPU went away"
 * (fall back to the CPU) from a bug (report it).
 *
 * @module
 */

/** No WebGPU implementation, no adapter, or the device request failed. */
export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
}

/** The device was lost (driver reset, destroy(), out of memory at the driver level). */
export class GpuDeviceLostError extends Error {
  override readonly name = 'GpuDeviceLostError';
}

/** A validation or out-of-memory error raised by WebGPU inside an error scope. */
export class GpuOperationError extends Error {
  override readonly name = 'GpuOperationError';
}

/** The input exceeds what the device can bind (a column, or a digest layer, larger than one binding) or hold (out of memory). */
export class GpuLimitError extends RangeError {
  override readonly name = 'GpuLimitError';
}

/** Errors after which the scheduler falls back to the CPU rather than failing the run. */
export const isGpuFailure = (e: unknown): boolean => e instanceof GpuUnavailableError || e instanceof GpuDeviceLostError;
