/**
 * CapsuleBench on Node: the runner's host (manifests from this machine, peak memory, a fresh
 * verification worker, the pack folder) and capsulepack archives (making them, opening hostile ones).
 *
 * @module
 */
export * from './host-node.js';
export * from './pack-node.js';
