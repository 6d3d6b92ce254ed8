/**
 * Access-control list `bef_acl_v1`: per policy id, which capsule-signing keys are allowed.
 *   {"schema":"bef_acl_v1","policies":{"<policy_id>":[{"pubkey":"<hex>","status":"active"|"revoked"}]}}
 * A pubkey is a SEC 1 secp256k1 point in hex, compressed (33 bytes) or uncompressed (65 bytes), either
 * case; keys are compared in their normalized compressed form, so both spellings of one key match.
 *
 * @module
 */
import { z } from 'zod';
import { parseInput } from '../airs/public-inputs.js';
import { normalizePubkey, tag } from './authorship.js';

export const ACL_SCHEMA = 'bef_acl_v1' as const;

export const AclEntrySchema = z.strictObject({
  pubkey: z.string().refine((s) => normalizePubkey(s) !== undefined, {
    error: 'must be a secp256k1 public key in hex: 66 characters (02/03 ‖ x) or 130 (04 ‖ x ‖ y), a point on the curve',
  }),
  status: z.enum(['active', 'revoked'], { error: (iss) => (iss.input === undefined ? 'is required' : 'must be "active" or "revoked"') }),
});
export type AclEntry = z.infer<typeof AclEntrySchema>;

export const AclSchema = z.strictObject({
  schema: tag(ACL_SCHEMA),
  policies: z
    .record(z.string(), z.array(AclEntrySchema))
    .refine((p) => !Object.hasOwn(p, ''), { error: 'a policy id must not be the empty string' }),
});
export type Acl = z.infer<typeof AclSchema>;

/** A validated ACL, or a RangeError "invalid ACL: <path>: <message>; …" listing every issue. */
export function parseAcl(json: unknown): Acl {
  return parseInput(AclSchema, json, 'ACL');
}

/**
 * The status of `pubkeyHex` (any spelling normalizePubkey accepts) under `policyId`: 'absent' when
 * the policy does not exist, the key is not listed, or `pubkeyHex` is not a valid point.
 *
 * If one key is listed more than once with different statuses, 'revoked' wins: revocation is the
 * safety-relevant statement, a contradictory list is most likely an edit that appended a revocation
 * without deleting the old entry, and a contradictory ACL must never grant more than either reading.
 */
export function signerStatus(acl: Acl, policyId: string, pubkeyHex: string): 'active' | 'revoked' | 'absent' {
  const key = normalizePubkey(pubkeyHex);
  // Own properties only: a policy id such as "constructor" or "__proto__" must not reach Object.prototype.
  if (key === undefined || !Object.hasOwn(acl.policies, policyId)) return 'absent';
  const entries = acl.policies[policyId] ?? [];
  let status: 'active' | 'revoked' | 'absent' = 'absent';
  for (const e of entries) {
    if (normalizePubkey(e.pubkey) !== key) continue;
    if (e.status === 'revoked') return 'revoked';
    status = 'active';
  }
  return status;
}
