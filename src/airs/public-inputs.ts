/**
 * The public-input vocabulary the AIRs in this folder share: field elements as canonical decimal
 * strings (every field element in JSON is a decimal string), `steps`, zod parsing that throws a
 * RangeError naming every bad field, and the byte layout absorbed into the transcript.
 *
 * @module
 */
import { z } from 'zod';
import * as F from '../field/goldilocks.js';
import { parseCanonicalBytes } from '../json/canonical-json.js';
import { MAX_LOG_N } from '../stark/air.js';

/** Every AIR here has at least 8 rows (logN ≥ 3). */
export const MIN_LOG_N = 3;

/** A field element as JSON carries it: canonical decimal digits (no sign, no leading zeros), value < p. */
export const FieldElementSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, { error: 'must be a decimal string of digits without sign or leading zeros', abort: true })
  .refine((s) => BigInt(s) < F.P, { error: `must be a canonical field element, below p = ${F.P}` });

/** 0, 1, …, k − 1. */
export const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

/** 32 bytes as 64 lowercase hex digits (a seed, a digest). */
export const Hex32Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (32 bytes)');

/**
 * Bytes of any length as lowercase hex, two digits a byte. A character-class loop and a parity check
 * rather than /^([0-9a-f]{2})*$/, whose group loop overflows V8's regexp stack on messages of megabytes.
 */
export const HexBytesSchema = z.string().regex(/^[0-9a-f]*$/, 'must be lowercase hex, two digits a byte')
  .refine((s) => s.length % 2 === 0, 'must be lowercase hex, two digits a byte');

/** Trace rows n = 2^logN with logN in [MIN_LOG_N, MAX_LOG_N]. */
export const StepsSchema = z.number().refine((n) => Number.isInteger(n) && n >= 2 ** MIN_LOG_N && n <= 2 ** MAX_LOG_N && (n & (n - 1)) === 0, {
  error: (iss) => `must be a power of two in [${2 ** MIN_LOG_N}, 2^${MAX_LOG_N}], got ${String(iss.input)}`,
});

const pathText = (path: readonly PropertyKey[]): string =>
  path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');

/**
 * The validated value, or a RangeError "invalid <what>: <path>: <message>; …" listing every issue
 * (a missing field reads "is required").
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input, {
    error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? 'is required' : undefined),
  });
  if (r.success) return r.data;
  throw new RangeError(`invalid ${what}: ${r.error.issues.map((i) => [pathText(i.path), i.message].filter(Boolean).join(': ')).join('; ')}`);
}

/** A JSON document's bytes (strict JSON: UTF-8, no duplicate keys) validated by `schema`, or a RangeError naming the problem. */
export function parseJsonDocument<S extends z.ZodType>(schema: S, bytes: Uint8Array, what: string): z.output<S> {
  let json: unknown;
  try {
    json = parseCanonicalBytes(bytes);
  } catch (e) {
    throw new RangeError(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseInput(schema, json, what);
}

/** Throws unless a trace builder's logN is an integer in [MIN_LOG_N, MAX_LOG_N]. */
export function checkLogN(fn: string, logN: number): void {
  if (!Number.isInteger(logN) || logN < MIN_LOG_N || logN > MAX_LOG_N)
    throw new RangeError(`${fn}: logN ${logN} is not an integer in [${MIN_LOG_N}, ${MAX_LOG_N}]`);
}

/**
 * Public-input bytes, the layout every AIR here uses: u32 LE length of the AIR id ‖ the id (ASCII)
 * ‖ u64 LE count ‖ each element as 8 bytes LE ‖ `tail` (fixed length per AIR). Everything after the
 * id has a fixed width per AIR, so equal bytes mean equal inputs.
 */
export function publicInputBytes(id: string, count: number, elements: readonly bigint[], tail = new Uint8Array(0)): Uint8Array {
  const tag = new TextEncoder().encode(id);
  const out = new Uint8Array(4 + tag.length + 8 + 8 * elements.length + tail.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, tag.length, true);
  out.set(tag, 4);
  view.setBigUint64(4 + tag.length, BigInt(count), true);
  elements.forEach((x, i) => out.set(F.encode(x), 12 + tag.length + 8 * i));
  out.set(tail, 12 + tag.length + 8 * elements.length);
  return out;
}
