// Entry point of the CapSeal WebAssembly CPU kernels. Memory is managed by the host (src/wasm/kernels.ts):
// everything from heap_base() upwards is host-owned scratch; the kernels allocate nothing.
export * from './vector';
export * from './ext';
export * from './ntt';
export * from './blake3';
export * from './points';
export { powp as pow, invp as inv } from './goldilocks';
import { mulp, addp, subp } from './goldilocks';
export function mul(a: u64, b: u64): u64 { return mulp(a, b); }
export function add(a: u64, b: u64): u64 { return addp(a, b); }
export function sub(a: u64, b: u64): u64 { return subp(a, b); }
export function heap_base(): usize { return (__heap_base + 63) & ~63; }
