/**
 * TraceSpecV1 and StatementV1 (seed 000 "Producer pipeline" B–C; README.md "Capsules"): what a trace
 * means, and the claim a proof is bound to. Each is hashed as SHA-256 of its RFC 8785 canonical JSON;
 * the statement hash is the 32 bytes the STARK transcript absorbs first, so a proof verified under
 * another statement (other policy, root, public inputs or anchors) fails.
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { sha256Hex } from '../hash/digest.js';
import { canonicalBytes } from '../json/canonical-json.js';

/** `*_hash` fields: a SHA-256 digest as 64 lowercase hex characters. */
export const HashHexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256 digest)');
/** `*_ref` fields: `sha256:<64 hex>`. */
export const RefSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" followed by 64 lowercase hex characters');

export const FIELD_MODULUS_ID = 'goldilocks_64';
/** Rows as stored and hashed: each element 8 bytes little-endian, columns in schema order. */
export const ROW_ENCODING_ID = 'goldilocks_le_u64_rows_v1';

export const TraceSpecSchema = z.strictObject({
  spec_version: z.literal('1.0'),
  trace_format_id: z.string().regex(/^[A-Z0-9_]{1,64}$/, 'must be 1–64 characters of A–Z, 0–9 and _'),
  record_schema_ref: RefSchema,
  encoding_id: z.literal(ROW_ENCODING_ID),
  field_modulus_id: z.literal(FIELD_MODULUS_ID),
});
export type TraceSpecV1 = z.output<typeof TraceSpecSchema>;

/** Anchors: free key/value pairs (dataset hash, git commit, …) bound into the statement. */
export const MAX_ANCHORS = 64;
export const AnchorsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'anchor keys are 1–64 characters of A–Z a–z 0–9 _ . : -'), z.string().max(1024, 'anchor values are at most 1024 characters'))
  .refine((a) => Object.keys(a).length <= MAX_ANCHORS, `at most ${MAX_ANCHORS} anchors`);
export type Anchors = z.output<typeof AnchorsSchema>;

export const StatementSchema = z.strictObject({
  statement_version: z.literal('1.0'),
  trace_spec_hash: HashHexSchema,
  policy_hash: HashHexSchema,
  /** Root of the STARK's trace commitment (= row_index_ref.commitment). */
  trace_root: HashHexSchema,
  /** The AIR's public inputs, as its schema defines them (field elements as decimal strings). */
  public_inputs: z.record(z.string(), z.unknown()),
  anchors: AnchorsSchema,
});
export type StatementV1 = z.output<typeof StatementSchema>;

/** SHA-256 of the value's RFC 8785 canonical JSON, hex. */
export const jcsHash = (value: unknown): string => sha256Hex(canonicalBytes(value));

/**
 * jcsHash of an array, taken one item at a time (SHA-256 of "[" ‖ JCS(item 0) ‖ "," ‖ … ‖ "]"), so a
 * long array is hashed without its whole canonical text in memory.
 */
export function jcsArrayHash(items: Iterable<unknown>): string {
  const h = sha256.create(), comma = Uint8Array.of(0x2c);
  h.update(Uint8Array.of(0x5b));
  let first = true;
  for (const item of items) {
    if (!first) h.update(comma);
    h.update(canonicalBytes(item));
    first = false;
  }
  return bytesToHex(h.update(Uint8Array.of(0x5d)).digest());
}

/** The `sha256:<hex>` reference of a JSON document. */
export const jcsRef = (value: unknown): string => `sha256:${jcsHash(value)}`;

/** The record schema a trace format's rows follow: its columns, in order, each one field element. */
export function recordSchema(traceFormatId: string, columns: readonly string[]): unknown {
  return { schema: 'capseal_record_schema_v1', trace_format_id: traceFormatId, columns: columns.map((name) => ({ name, type: FIELD_MODULUS_ID })) };
}

export function traceSpecFor(traceFormatId: string, columns: readonly string[]): TraceSpecV1 {
  return {
    spec_version: '1.0',
    trace_format_id: traceFormatId,
    record_schema_ref: jcsRef(recordSchema(traceFormatId, columns)),
    encoding_id: ROW_ENCODING_ID,
    field_modulus_id: FIELD_MODULUS_ID,
  };
}
