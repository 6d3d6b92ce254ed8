/**
 * The DA audit (README.md "Capsules"): audited retrievability of
 * the row archive by sampling chunks. k = ceil(ln(1/ε)/δ): if a fraction δ of the chunks were
 * withheld or wrong, k uniform samples all miss them with probability (1 − δ)^k ≤ e^(−δk) ≤ ε; the
 * policy's min_k_samples is a floor. The self-audit's indices come from a seed of capsule hash,
 * anchors, policy id and version (anyone reproduces them); a challenge audit adds the verifier's
 * nonce, so a prover cannot know in advance which chunks will be asked for.
 *
 * @module
 */
import { z } from 'zod';
import { sha256 } from '../hash/digest.js';
import { canonicalBytes } from '../json/canonical-json.js';
import type { Anchors } from './spec.js';

export const DA_LEVEL = 'probabilistic_da_sampling';

/** A challenge audit's nonce as a verifier takes it: 1–64 bytes of lowercase hex. */
export const ChallengeNonceSchema = z.string().regex(/^([0-9a-f]{2}){1,64}$/, 'must be 1–64 bytes of lowercase hex');

/** k = max(minK, ceil(ln(1/ε)/δ)); δ, ε in (0, 1). */
export function daSampleCount(delta: number, epsilon: number, minK: number): number {
  return Math.max(minK, Math.ceil(Math.log(1 / epsilon) / delta));
}

export interface AuditSeedInput {
  capsuleHash: string;
  anchors: Anchors;
  policyId: string;
  policyVersion: string;
  /** Hex nonce of a challenge audit; absent for the self-audit. */
  challengeNonce?: string;
}

/** SHA-256 of the canonical JSON of the seed's inputs under a domain tag. */
export function auditSeed(s: AuditSeedInput): Uint8Array {
  return sha256(canonicalBytes({
    domain: 'capseal_da_audit_v1',
    capsule_hash: s.capsuleHash,
    anchors: s.anchors,
    policy_id: s.policyId,
    policy_version: s.policyVersion,
    challenge_nonce: s.challengeNonce ?? null,
  }));
}

/**
 * min(k, numChunks) distinct chunk indices, sorted: draw j hashes SHA-256(seed ‖ u32 LE j) and takes
 * its first 8 bytes (LE) mod numChunks, rejecting the top partial range so every index is equally likely.
 */
export function sampleChunks(seed: Uint8Array, numChunks: number, k: number): number[] {
  const want = Math.min(k, numChunks), n = BigInt(numChunks);
  const limit = (2n ** 64n / n) * n;
  const picked = new Set<number>();
  const msg = new Uint8Array(seed.length + 4);
  msg.set(seed);
  const view = new DataView(msg.buffer);
  for (let j = 0; picked.size < want; j++) {
    view.setUint32(seed.length, j, true);
    const d = sha256(msg);
    const x = new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0, true);
    if (x < limit) picked.add(Number(x % n));
  }
  return [...picked].sort((a, b) => a - b);
}
