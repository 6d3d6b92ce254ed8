/**
 * The capsule verifier's stable error codes (seed 000 "Verifier pipeline", README.md "Capsules"):
 * one registry, the README's table is generated from the same words. Codes are never renamed or
 * reused; new ones are only added. Each belongs to the verifier layer that emits it.
 *
 * @module
 */

export interface ErrorCodeInfo {
  /** The verifier layer (1–11, seed order) that emits the code. */
  readonly layer: string;
  readonly meaning: string;
  /** What the holder of the capsule can do about it. */
  readonly action: string;
}

export const ERROR_CODES = {
  E001_MALFORMED_CAPSULE: {
    layer: '1 parse/schema',
    meaning: 'the capsule is not JSON, or a field is missing, mistyped or out of range',
    action: 'regenerate the capsule; the message names the field',
  },
  E002_UNSUPPORTED_SCHEMA: {
    layer: '1 parse/schema',
    meaning: 'schema is not bef_capsule_v1 (or agent_capsule_v1), or the trace format is unknown to this verifier',
    action: 'use a verifier that supports the schema or trace format',
  },
  E010_CAPSULE_HASH_MISSING: {
    layer: '2 capsule hash',
    meaning: 'capsule_hash is absent',
    action: 'the capsule was not sealed; regenerate it',
  },
  E011_CAPSULE_HASH_MISMATCH: {
    layer: '2 capsule hash',
    meaning: 'SHA-256 of the canonical capsule (without capsule_hash and authorship) differs from capsule_hash',
    action: 'the capsule was edited after sealing; obtain the original',
  },
  E030_POLICY_HASH_MISMATCH: {
    layer: '4 policy',
    meaning: "the policy file's SHA-256 differs from policy.policy_hash, or the policy file is unreadable",
    action: 'pass the exact policy file the capsule was made under (--policy)',
  },
  E031_POLICY_NOT_IN_REGISTRY: {
    layer: '4 policy registry',
    meaning: 'the inclusion proof does not place the policy hash under the trusted registry root',
    action: 'check --registry-root and --inclusion-proof; the policy may not be approved',
  },
  E040_ARTIFACT_MISSING: {
    layer: '5 artifacts',
    meaning: 'a proof file named by the capsule is absent',
    action: 'keep proofs/ next to capsule.json',
  },
  E041_ARTIFACT_HASH_MISMATCH: {
    layer: '5 artifacts',
    meaning: "a proof file's SHA-256 or size differs from the capsule's record",
    action: 'the proof file was replaced or damaged; obtain the original',
  },
  E042_PROOF_DECODE_ERROR: {
    layer: '5 artifacts',
    meaning: 'a proof file does not decode strictly; the binary proof opens more rows or Merkle siblings than its own options and shape allow; the JSON form is longer than twice the widest 2-space text of the binary proof (refused unread); or the two forms disagree',
    action: 'regenerate the proof; the message names the field',
  },
  E050_STATEMENT_HASH_MISMATCH: {
    layer: '7 statement',
    meaning: 'SHA-256 of the canonical statement differs from statement_hash',
    action: 'the statement was edited; obtain the original capsule',
  },
  E053_PROOF_STATEMENT_MISMATCH: {
    layer: '3 trace spec / 6 row commitment / 7 statement',
    meaning: 'trace_spec_hash mismatch, proof/capsule row-commitment mismatch, or a statement field disagrees with the capsule or proof',
    action: 'the capsule mixes parts of different runs; regenerate it',
  },
  E054_PROOF_INVALID: {
    layer: '7 STARK',
    meaning: 'the STARK proof does not verify under the statement hash',
    action: 'the proof is invalid for this statement; do not trust the claim',
  },
  E055_NOVA_STATE_MISMATCH: {
    layer: '8 recursion',
    meaning: "the recursion block's nova_state differs from the capsule's trace_commitment",
    action: 'the recursion block belongs to another run',
  },
  E056_SECURITY_BELOW_MINIMUM: {
    layer: '7 STARK',
    meaning: "the proof's conjectured security is below --min-security (default 100) or the policy's min_security_bits",
    action: 'prove again with stronger options',
  },
  E057_RECURSION_UNSUPPORTED: {
    layer: '8 recursion',
    meaning: 'the capsule carries a recursion (Nova) proof, which this verifier cannot check',
    action: 'verify with a verifier that supports the recursion scheme',
  },
  E060_ROW_INDEX_MISMATCH: {
    layer: '9 row index',
    meaning: 'the chunk roots do not rebuild row_index_ref.commitment, or their count or files disagree with chunk_meta',
    action: 'the row archive is damaged or from another run',
  },
  E061_CHUNK_ROOTS_DIGEST_MISMATCH: {
    layer: '9 row index',
    meaning: "chunk_roots.bin's SHA-256 differs from chunk_roots_digest, or chunk_roots.json disagrees with it",
    action: 'the row archive index is damaged; obtain the original',
  },
  E070_AUTHORSHIP_REQUIRED: {
    layer: '10 authorship',
    meaning: 'an ACL was given but the capsule is unsigned',
    action: 'sign the capsule (capseal prove --sign KEYFILE)',
  },
  E071_SIGNATURE_INVALID: {
    layer: '10 authorship',
    meaning: 'the authorship signature does not verify for its pubkey over capsule_hash',
    action: 'the capsule or its signature was altered; re-sign',
  },
  E072_SIGNER_NOT_AUTHORIZED: {
    layer: '10 ACL',
    meaning: 'the signer is not active for the policy_id in the ACL (absent or revoked)',
    action: 'sign with an authorized key, or update the ACL',
  },
  E080_DA_CHUNK_UNAVAILABLE: {
    layer: '11 DA audit',
    meaning: 'a sampled chunk file is missing from the row archive',
    action: 'publish the full row archive',
  },
  E081_DA_CHUNK_MISMATCH: {
    layer: '11 DA audit',
    meaning: 'a sampled chunk does not rebuild its chunk root (wrong size, non-canonical element or wrong rows)',
    action: 'the archive does not hold the committed rows',
  },
  E082_DA_POLICY_INVALID: {
    layer: '11 DA audit',
    meaning: "da_policy is inconsistent: unknown level, δ or ε out of range, k below ceil(ln(1/ε)/δ) or the policy's minimum",
    action: 'regenerate the capsule under the policy',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
