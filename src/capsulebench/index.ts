/**
 * CapsuleBench (README.md "CapsuleBench"): Benchmark Policy v1, workloads, manifests, the event
 * stream, measurements, the capsulepack layout, the runner and the submission contract, and
 * baselines; in a browser, the runner's host, pack archives in memory and the live stream. Browser-safe;
 * the Node host (./host-node.ts) and pack archives on disk (./pack-node.ts) are
 * `capseal/capsulebench/node`.
 *
 * @module
 */
export * from './baseline.js';
export * from './codes.js';
export * from './contract.js';
export * from './events.js';
export * from './manifests.js';
export * from './measurements.js';
export * from './pack.js';
export * from './policy.js';
export * from './runner.js';
export * from './workloads.js';
export * from './host-browser.js';
export * from './live-stream.js';
export * from './pack-archive.js';
export * from './verify-timing.js';
