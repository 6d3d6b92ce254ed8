/**
 * The WebGPU runtime (platform-neutral part): context, errors, shader composition, field maps.
 * Node: ./node.ts (dawn.node); browser: ./browser.ts (navigator.gpu, Vite-bundled shaders).
 *
 * @module
 */
export { GpuContext, adapterName, describeAdapter, type AdapterSummary, type GpuContextOptions } from './context.js';
export { GpuDeviceLostError, GpuLimitError, GpuOperationError, GpuUnavailableError, isGpuFailure } from './errors.js';
export { SHADER_FILES, composeShader, type ShaderLibrary } from './shaders.js';
export { FIELD_OPS, fieldMap, type FieldOp } from './field-ops.js';
