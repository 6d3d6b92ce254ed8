/**
 * Capsule authorship: a secp256k1 ECDSA signature (SEC 1 v2 §4.1.3 sign, §4.1.4 verify, §4.1.6
 * public-key recovery) whose nonce k is derived deterministically per RFC 6979 §3.2 (HMAC-SHA-256
 * DRBG; no randomness at signing time), with s normalized to the low half of the group order
 * (s ≤ n/2, as in Bitcoin BIP 62/146) so every (key, hash) pair has exactly one valid signature.
 *
 * What is signed: the 32 bytes of the capsule hash itself. The capsule hash is already a SHA-256
 * digest, so it IS the ECDSA message representative e (SEC 1 §4.1.3 step 5): it is not hashed again
 * (noble's `prehash: false`). Signing SHA-256(capsule_hash) instead would verify under a different
 * rule, so both sides must agree on this, and they do through the scheme name below.
 *
 * Wire form (JSON, all hex lowercase):
 *   pubkey    33-byte compressed SEC 1 point (02/03 ‖ x), 66 hex characters;
 *   signature r (32 bytes BE) ‖ s (32 bytes BE) ‖ recovery id (1 byte: 0 or 1 = parity of R.y),
 *             130 hex characters. (noble's own 'recovered' format puts the id first; we convert.)
 * Verification recovers the public key from (signature, hash), requires it to equal the declared
 * pubkey, and requires the ordinary low-S verification to pass as well.
 *
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { parseInput } from '../airs/public-inputs.js';

export const AUTHORSHIP_SCHEME = 'secp256k1_recoverable_v1' as const;
export const KEY_FILE_SCHEMA = 'capseal_secp256k1_key_v1' as const;

/** secp256k1 group order n (SEC 2 §2.4.1). */
const N = secp256k1.Point.CURVE().n;
/** Options every sign/verify/recover call uses: the capsule hash is the digest (no SHA-256 on top). */
const NO_PREHASH = { prehash: false } as const;

const lowerHex = (bytes: number, what: string) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${2 * bytes}}$`), {
    error: (iss) => {
      const s = iss.input as string;
      const len = s.length === 2 * bytes ? '' : `, got ${s.length}`;
      return `must be ${2 * bytes} lowercase hex characters (${what})${len}`;
    },
    abort: true,
  });

/** A fixed tag: "is required" when missing, else names the one accepted value. */
export const tag = <T extends string>(value: T) =>
  z.literal(value, { error: (iss) => (iss.input === undefined ? 'is required' : `must be "${value}"`) });

const HASH_RE = /^[0-9a-f]{64}$/;
const checkHash = (hex: unknown): string | undefined =>
  typeof hex === 'string' && HASH_RE.test(hex) ? undefined : 'capsule hash must be 64 lowercase hex characters (a SHA-256 digest)';

/**
 * The compressed lowercase hex of a SEC 1 point given compressed (33 bytes, 02/03 prefix) or
 * uncompressed (65 bytes, 04 prefix) in hex of either case; undefined unless it is a point on
 * secp256k1. Hybrid (06/07) and identity encodings are not accepted.
 */
export function normalizePubkey(hex: string): string | undefined {
  if (typeof hex !== 'string') return undefined;
  const h = hex.toLowerCase();
  if (!/^(0[23][0-9a-f]{64}|04[0-9a-f]{128})$/.test(h)) return undefined;
  try {
    const p = secp256k1.Point.fromBytes(hexToBytes(h)); // checks y² = x³ + 7 (SEC 1 §2.3.4)
    p.assertValidity();
    return bytesToHex(p.toBytes(true));
  } catch {
    return undefined;
  }
}

const CompressedPubkeySchema = lowerHex(33, 'a compressed SEC 1 public key').refine((s) => normalizePubkey(s) === s, {
  error: 'must start with 02 or 03 and be a point on secp256k1',
  abort: true,
});

export const AuthorshipSchema = z.strictObject({
  scheme: tag(AUTHORSHIP_SCHEME),
  pubkey: CompressedPubkeySchema,
  signature: lowerHex(65, 'r ‖ s ‖ recovery id').refine((s) => s.endsWith('00') || s.endsWith('01'), {
    error: 'recovery id (the last byte) must be 00 or 01',
    abort: true,
  }),
});
export type Authorship = z.infer<typeof AuthorshipSchema>;

export const KeyFileSchema = z.strictObject({
  schema: tag(KEY_FILE_SCHEMA),
  private_key: lowerHex(32, 'a secp256k1 secret scalar'),
  public_key: CompressedPubkeySchema,
});
export type KeyFile = z.infer<typeof KeyFileSchema>;

/** A fresh key from the platform CSPRNG (noble's randomSecretKey: uniform in [1, n−1]). */
export function generateKeyFile(): KeyFile {
  const sk = secp256k1.utils.randomSecretKey();
  return { schema: KEY_FILE_SCHEMA, private_key: bytesToHex(sk), public_key: bytesToHex(secp256k1.getPublicKey(sk, true)) };
}

/**
 * A validated key file, or a RangeError naming what is wrong. The private key never appears in a
 * message: the schema's messages report lengths, not values.
 */
export function parseKeyFile(json: unknown): KeyFile {
  const key = parseInput(KeyFileSchema, json, 'key file');
  const sk = hexToBytes(key.private_key);
  if (!secp256k1.utils.isValidSecretKey(sk)) throw new RangeError('invalid key file: private_key: must be a scalar in [1, n−1]');
  if (bytesToHex(secp256k1.getPublicKey(sk, true)) !== key.public_key)
    throw new RangeError('invalid key file: public_key does not match private_key');
  return key;
}

/** r ‖ s ‖ v (our wire order) → v ‖ r ‖ s (noble's 'recovered' order). */
const toNoble = (sig: Uint8Array): Uint8Array => Uint8Array.of(sig[64]!, ...sig.subarray(0, 64));

/**
 * Signs the 32 capsule-hash bytes (no further hashing) with RFC 6979 nonces and low S.
 * Deterministic: the same hash and key always give the same signature.
 */
export function signCapsuleHash(capsuleHashHex: string, key: KeyFile): Authorship {
  const bad = checkHash(capsuleHashHex);
  if (bad) throw new RangeError(`signCapsuleHash: ${bad}`);
  const k = parseKeyFile(key);
  const sig = secp256k1.sign(hexToBytes(capsuleHashHex), hexToBytes(k.private_key), { ...NO_PREHASH, lowS: true, format: 'recovered', extraEntropy: false });
  const v = sig[0]!;
  // Ids 2 and 3 mean R.x ≥ n (R.x = r + n): probability about 2^-128 on secp256k1. The wire format
  // has no room for them, so refuse rather than emit a signature verifiers would reject.
  if (v > 1) throw new Error(`signCapsuleHash: recovery id ${v} (R.x ≥ n) is not representable`);
  const wire = new Uint8Array(65);
  wire.set(sig.subarray(1, 65), 0);
  wire[64] = v;
  return { scheme: AUTHORSHIP_SCHEME, pubkey: k.public_key, signature: bytesToHex(wire) };
}

export type AuthorshipCheck = { ok: true; pubkey: string } | { ok: false; message: string };

/**
 * Whether `authorship` is a valid signature over the capsule hash by the key it declares. Never
 * throws: every failure (malformed input included) comes back as `{ ok: false, message }`.
 */
export function verifyAuthorship(capsuleHashHex: string, authorship: unknown): AuthorshipCheck {
  try {
    const bad = checkHash(capsuleHashHex);
    if (bad) return { ok: false, message: bad };
    let a: Authorship;
    try {
      a = parseInput(AuthorshipSchema, authorship, 'authorship');
    } catch (e) {
      if (e instanceof RangeError) return { ok: false, message: e.message }; // parseInput's "invalid authorship: …"
      return { ok: false, message: `invalid authorship: ${e instanceof Error ? e.message : String(e)}` };
    }
    const msg = hexToBytes(capsuleHashHex);
    const sig = toNoble(hexToBytes(a.signature));
    let parsed: ReturnType<typeof secp256k1.Signature.fromBytes>;
    try {
      parsed = secp256k1.Signature.fromBytes(sig, 'recovered');
    } catch {
      return { ok: false, message: 'not a valid signature: r and s must each be in [1, n−1]' };
    }
    // Checked before recovery: (r, n − s) with the flipped recovery id recovers the same key, so
    // only the low-S rule tells the malleated twin apart.
    if (parsed.s > N >> 1n) return { ok: false, message: 'not a valid signature: s is in the upper half of the group order (low-S required)' };
    let recovered: string;
    try {
      recovered = bytesToHex(secp256k1.recoverPublicKey(sig, msg, NO_PREHASH));
    } catch {
      return { ok: false, message: 'not a valid signature: no public key recovers from it (r is not the x-coordinate of a curve point)' };
    }
    if (recovered !== a.pubkey) return { ok: false, message: 'signature does not recover the declared pubkey' };
    if (!secp256k1.verify(sig, msg, hexToBytes(a.pubkey), { ...NO_PREHASH, lowS: true, format: 'recovered' }))
      return { ok: false, message: 'not a valid signature: ECDSA verification failed for the declared pubkey' };
    return { ok: true, pubkey: a.pubkey };
  } catch (e) {
    return { ok: false, message: `not a valid signature: ${e instanceof Error ? e.message : String(e)}` };
  }
}
