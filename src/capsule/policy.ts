/**
 * Policies (seed 000 "Producer pipeline" E, "Benchmark Policy v1"): a capsule is made under a policy
 * file, identified by policy_id and policy_version and pinned by policy_hash = SHA-256 of the file's
 * exact bytes. The verifier gives a policy teeth where this file says so: `min_security_bits` is a
 * floor on the proof's conjectured security, `da_policy` fixes the DA audit's δ, ε and minimum k.
 * Other fields (a benchmark policy's tracks, workloads, …) are bound by the hash and read elsewhere.
 *
 * @module
 */
import { z } from 'zod';
import { sha256Hex } from '../hash/digest.js';
import { parseJsonDocument } from '../airs/public-inputs.js';
import { DA_LEVEL } from './da.js';

const Fraction = z.number().refine((x) => x > 0 && x < 1, 'must be a number strictly between 0 and 1');

export const PolicyDaSchema = z.strictObject({
  verification_level: z.literal(DA_LEVEL),
  delta: Fraction,
  epsilon: Fraction,
  min_k_samples: z.number().int().min(1).max(1_000_000),
});
export type PolicyDa = z.output<typeof PolicyDaSchema>;

export const PolicySchema = z.looseObject({
  schema: z.string().min(1),
  policy_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1–128 characters of A–Z a–z 0–9 _ . : -'),
  policy_version: z.string().min(1).max(64),
  min_security_bits: z.number().int().min(0).max(256).optional(),
  da_policy: PolicyDaSchema.optional(),
});
export type Policy = z.output<typeof PolicySchema>;

/** The DA parameters when a policy names none: δ = 0.1, ε = 10⁻⁶ (k = 139), at least 64 samples. */
export const DEFAULT_DA: PolicyDa = { verification_level: DA_LEVEL, delta: 0.1, epsilon: 1e-6, min_k_samples: 64 };

/** The built-in policy `capseal prove` uses when given none; its bytes (hence hash) are fixed. */
export const DEFAULT_POLICY_TEXT = `${JSON.stringify({
  schema: 'capseal_policy_v1',
  policy_id: 'capseal_default',
  policy_version: '1.0.0',
  min_security_bits: 100,
  da_policy: DEFAULT_DA,
}, null, 2)}\n`;

export const policyHash = (bytes: Uint8Array): string => sha256Hex(bytes);

/** Parses a policy file's bytes (strict JSON: UTF-8, no duplicate keys); RangeError naming the problem. */
export const parsePolicy = (bytes: Uint8Array): Policy => parseJsonDocument(PolicySchema, bytes, 'policy');

export const policyDa = (p: Policy): PolicyDa => p.da_policy ?? DEFAULT_DA;
