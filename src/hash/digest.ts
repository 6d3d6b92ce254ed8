/**
 * Reference hash functions (JavaScript, @noble/hashes): BLAKE3 per the BLAKE3 spec
 * (github.com/BLAKE3-team/BLAKE3-specs) and SHA-256 per FIPS 180-4. The wasm kernels must match these byte for byte.
 *
 * @module
 */
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Every digest in CapSeal (Merkle leaves and nodes) is 32 bytes. */
export const DIGEST_BYTES = 32;

/** BLAKE3 (default hash mode, 32-byte output). Small inputs and reference checks; bulk hashing goes through ./leaves. */
export function blake3(bytes: Uint8Array): Uint8Array {
  return nobleBlake3(bytes);
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(nobleSha256(bytes));
}
