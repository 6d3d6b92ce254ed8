/**
 * Proof options of capseal-stark-v1 and the conjectured security they give (ethSTARK documentation, ePrint 2021/582).
 *
 * Conjectured security (ethSTARK-style, FRI in the list-decoding regime conjecture):
 *   bits = min(EXTENSION_BITS − 1, log2(blowup) · queries + grindingBits)
 * where `queries` counts DISTINCT query positions (the sampler draws until it has that many, or the
 * whole domain) and EXTENSION_BITS = 128 bounds what challenges in F_p2 (|F_p2| ≈ 2^128) can give.
 * No zero-knowledge is claimed.
 *
 * @module
 */
import { z } from 'zod';

export const EXTENSION_BITS = 128;
export const FOLDING_FACTORS = [2, 4] as const;
export const BLOWUPS = [4, 8, 16] as const;
/** FRI stops folding once the polynomial has fewer than this many coefficients; they are sent in clear. */
export const MAX_FINAL_DEGREE = 16;

export interface ProofOptions {
  readonly blowup: (typeof BLOWUPS)[number];
  readonly queries: number;
  readonly grindingBits: number;
  readonly foldingFactor: (typeof FOLDING_FACTORS)[number];
}

export const ProofOptionsSchema = z.strictObject({
  blowup: z.union([z.literal(4), z.literal(8), z.literal(16)]),
  queries: z.number().int().min(1).max(255),
  grindingBits: z.number().int().min(0).max(32),
  foldingFactor: z.union([z.literal(2), z.literal(4)]),
});

/** What the default options reach, and the floor a verifier applies unless told otherwise. */
export const DEFAULT_SECURITY_BITS = 100;

/** The default: 3·28 + 16 = 100 bits. */
export const DEFAULT_OPTIONS: ProofOptions = { blowup: 8, queries: 28, grindingBits: 16, foldingFactor: 4 };

/**
 * A fast preset for tests and demos, clearly below production strength (2·12 + 4 = 28 bits); never
 * the default, and a verifier with a sensible minimum refuses it.
 */
export const TEST_OPTIONS_INSECURE: ProofOptions = { blowup: 4, queries: 12, grindingBits: 4, foldingFactor: 4 };

export function checkOptions(o: unknown): ProofOptions {
  const r = ProofOptionsSchema.safeParse(o);
  if (!r.success) throw new RangeError(`invalid proof options: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Distinct query positions available: the FRI layer-0 groups, N / foldingFactor. */
export const queryDomain = (logN: number, o: ProofOptions): number => (2 ** logN * o.blowup) / o.foldingFactor;

export const distinctQueries = (logN: number, o: ProofOptions): number => Math.min(o.queries, queryDomain(logN, o));

export function securityBits(logN: number, o: ProofOptions): number {
  return Math.min(EXTENSION_BITS - 1, Math.log2(o.blowup) * distinctQueries(logN, o) + o.grindingBits);
}
