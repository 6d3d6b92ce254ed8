/**
 * CapSeal's public library surface, layer by layer (docs/architecture.md "Layers"): field → ntt/hash/merkle → gpu → backend.
 *
 * @module
 */
export * from './field/index.js';
export * from './ntt/index.js';
export * from './hash/index.js';
export * from './merkle/index.js';
export * from './gpu/index.js';
export * from './backend/index.js';
export * from './json/canonical-json.js';
export { Kernels } from './wasm/kernels.js';
