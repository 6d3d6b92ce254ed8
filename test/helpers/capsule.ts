// Capsules in memory for the capsule tests: seal one with a built-in adapter on the CPU backend,
// hold its directory as a path → bytes map, and read it through the verifier's CapsuleFiles.
import { hexToBytes } from '@noble/hashes/utils.js';
import { createNodeCpuBackend } from '../../src/prover/node.js';
import { ADAPTERS, type AnyTraceAdapter } from '../../src/capsule/adapter.js';
import { encodeChunk } from '../../src/capsule/archive.js';
import type { KeyFile } from '../../src/capsule/authorship.js';
import type { ProofOptions } from '../../src/stark/options.js';
import { proveDishonestly } from '../../src/prover/testing.js';
import { chunkPath, planSeal, sealCapsule, sealProved, statementFor, type ProvedRun, type SealInput, type SealPlan } from '../../src/capsule/seal.js';
import type { Column } from '../../src/field/columns.js';
import { prove, type ProveResult } from '../../src/prover/prover.js';
import { jcsHash } from '../../src/capsule/spec.js';
import { sha256Hex } from '../../src/hash/digest.js';
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

/** What a run declares beside its proof (times, stages, backend), given the prover's result. */
export type Declared = (proved: ProveResult) => Omit<ProvedRun, 'proof' | 'chunkRoots'>;

/**
 * A plan proved (by `prover`, the honest one unless given) on a one-thread CPU backend and sealed with
 * what `declared` says of the run, every row chunk written: a capsule directory whose bytes depend on
 * its inputs alone when the declaration does. Nothing is verified before sealing.
 */
export async function sealPlan(k: Kernels, plan: SealPlan, declared: Declared, o: { key?: KeyFile; prover?: typeof prove } = {}): Promise<MadeCapsule & { lde: Column[] }> {
  const backend = await createNodeCpuBackend({ threads: 1 });
  try {
    const proved = await (o.prover ?? prove)(k, backend, {
      air: plan.air, trace: plan.trace, publicInputs: plan.publicInputBytes, options: plan.options,
      statementHash: (root) => hexToBytes(jcsHash(statementFor(plan, root))), keepTrace: { layer: Math.log2(plan.chunkLen) },
    });
    const lde = proved.trace!.lde!;
    const { capsule, files } = sealProved(k, plan, { proof: proved.proof, chunkRoots: proved.trace!.layer, ...declared(proved) }, undefined, o.key);
    const dir: Dir = new Map(files);
    for (let i = 0; i < capsule.chunk_meta.num_chunks; i++) dir.set(chunkPath(i), encodeChunk(lde, i, plan.chunkLen));
    return { dir, capsule: capsule as unknown as Record<string, unknown>, lde };
  } finally {
    await backend.destroy();
  }
}

/**
 * A capsule sealed around a cheating prover's proof (soundness tests): the adapter's trace is proved
 * under its public inputs by the dishonest prover (src/prover/testing.ts: no trace check, polynomials
 * cut to their bounds), and nothing is verified before sealing.
 */
export async function makeCheatedCapsule(k: Kernels, adapter: AnyTraceAdapter, input: unknown): Promise<MadeCapsule> {
  const { dir, capsule } = await sealPlan(k, planSeal({ adapter, input }), (proved) => ({
    prove_ms: 0, verify_ms: 0, stages: proved.stages, backend: { requested: 'cpu', description: proved.backend },
  }), { prover: proveDishonestly });
  return { dir, capsule };
}

type Json = Record<string, unknown>;

/** Recomputes a capsule's trace-spec and statement hashes (both fields that name the former), except the `edited` field itself. */
export function rehashInner(c: Json, edited = ''): void {
  const statement = c['statement'] as Json;
  if (edited !== 'trace_spec_hash') c['trace_spec_hash'] = jcsHash(c['trace_spec']);
  if (edited !== 'statement.trace_spec_hash') statement['trace_spec_hash'] = c['trace_spec_hash'];
  if (edited !== 'statement_hash') c['statement_hash'] = jcsHash(statement);
}

/** Records `bytes` as the file at `path` wherever the capsule's proofs name that path: its hash and size. */
export function recordArtifact(c: Json, path: string, bytes: Uint8Array): void {
  for (const entry of Object.values(c['proofs'] as Record<string, Json>))
    for (const f of Object.values(entry['formats'] as Record<string, Json>))
      if (f['path'] === path) Object.assign(f, { sha256_payload_hash: sha256Hex(bytes), size_bytes: bytes.length });
}

export const jsonBytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
export const clone = <T>(v: T): T => structuredClone(v);
