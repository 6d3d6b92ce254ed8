/**
 * The JSON files CapSeal writes for people to read (capsules, policies, manifests, measurements):
 * JSON.stringify(value, null, 2) and a newline, as UTF-8. Where a file is pinned by the SHA-256 of
 * its bytes, these are the bytes.
 *
 * @module
 */
export const jsonFileBytes = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
