// Capsules in memory for the capsule tests: seal one with a built-in adapter on the CPU backend,
// hold its directory as a path → bytes map, and read it through the verifier's CapsuleFiles.
import { createNodeCpuBackend } from '../../src/prover/node.js';
import { ADAPTERS } from '../../src/capsule/adapter.js';
import type { KeyFile } from '../../src/capsule/authorship.js';
import type { ProofOptions } from '../../src/stark/options.js';
import { sealCapsule, type SealInput } from '../../src/capsule/seal.js';
import type { CapsuleFiles } from '../../src/capsule/verify.js';
import type { Kernels } from '../../src/wasm/kernels.js';

export type Dir = Map<string, Uint8Array>;

export const memFiles = (dir: Dir): CapsuleFiles => ({ read: async (p) => dir.get(p)?.slice() ?? null });

export interface MadeCapsule {
  dir: Dir;
  /** capsule.json parsed. */
  capsule: Record<string, unknown>;
}

/** A sealed capsule directory (CPU backend) for `air` with `input`. */
export async function makeCapsule(
  k: Kernels, air: 'geom' | 'fib' | 'agent', input: unknown,
  extra: { key?: KeyFile; chunkLen?: number; policyBytes?: Uint8Array; anchors?: Record<string, string>; options?: ProofOptions } = {},
): Promise<MadeCapsule> {
  const backend = await createNodeCpuBackend({ threads: 1 });
  try {
    const s: SealInput<unknown> = { adapter: ADAPTERS[air]!, input, backend, backendChoice: 'cpu', ...extra };
    const sealed = await sealCapsule(k, s);
    const dir: Dir = new Map(sealed.files);
    return { dir, capsule: JSON.parse(new TextDecoder().decode(dir.get('capsule.json'))) as Record<string, unknown> };
  } finally {
    await backend.destroy();
  }
}

export const jsonBytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
export const clone = <T>(v: T): T => structuredClone(v);
