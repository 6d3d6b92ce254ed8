/**
 * Capsules (bef_capsule_v1): trace spec and statement, the Trace Adapter API, sealing, the ordered
 * verifier and its error codes, policies and their registry, authorship and ACLs, the row archive
 * and DA audit. Browser-safe; reading a capsule directory from disk is in ./files-node.ts
 * (`capseal/capsule/node`).
 *
 * @module
 */
export * from './acl.js';
export * from './adapter.js';
export * from './agent-capsule.js';
export * from './archive.js';
export * from './authorship.js';
export * from './capsule.js';
export * from './checks.js';
export * from './codes.js';
export * from './da.js';
export * from './policy.js';
export * from './registry.js';
export * from './seal.js';
export * from './spec.js';
export * from './verify.js';
