/**
 * Encodings of capseal-stark-v1 proofs (./proof.ts): a versioned binary format and an equivalent
 * JSON form (docs/architecture.md; the layout below is the format). Both decoders are strict — wrong magic or
 * version, truncation, trailing bytes, wrong lengths, out-of-range values and non-canonical field
 * elements are errors — and every failure is a ProofDecodeError naming the field (and, in binary, the
 * byte offset), never any other exception. The encoders refuse what the decoders would refuse, so
 * decode(encode(p)) = p, and since every value has exactly one encoding, encode(decode(b)) = b.
 *
 * Binary format, version 1 (version 2: a proof of an AIR with an auxiliary segment, which adds the
 * two fields marked v2). Integers are unsigned little-endian; Fp is 8 bytes LE and < p; Fp2 is
 * 16 bytes: c0 then c1, each an Fp; a digest is 32 bytes; "n × T" is n consecutive T.
 *
 *   magic            4    ASCII "CSPF"
 *   version          u16  1, or 2 with an auxiliary segment
 *   options          4    u8 blowup, u8 queries, u8 grindingBits, u8 foldingFactor (must pass checkOptions)
 *   airId            u8 length (1…64), then that many ASCII bytes of [a-z0-9_]
 *   logN             u8   1…MAX_LOG_N
 *   width            u16  1…MAX_WIDTH
 *   segments         u8   ≥ 1
 *   traceRoot        digest
 *   auxRoot          digest                      (v2 only)
 *   compositionRoot  digest
 *   oodTrace         u16 count, count × Fp2
 *   oodTraceNext     u16 count, count × Fp2
 *   oodComposition   u16 count, count × Fp2
 *   friRoots         u8 count, count × digest
 *   finalPoly        u16 count, count × Fp2
 *   nonce            u64
 *   traceOpening        Opening
 *   auxOpening          Opening                 (v2 only)
 *   compositionOpening  Opening
 *   friOpenings      u8 count, count × Opening
 *   securityBits     u16  (the encoder refuses a non-integer figure)
 *   — end of input: nothing may follow.
 *
 * Opening:
 *   rows             u32 count (≤ MAX_ROW_VALUES), count × Fp   (row-major values)
 *   proof.depth      u8   0…MAX_DEPTH
 *   proof.siblings   u32 count (≤ MAX_SIBLINGS), count × digest
 *
 * JSON form: { "format": "capseal-stark-v1-proof", "version": 1 or 2, then the StarkProof fields under
 * their own names in the order above (auxRoot and auxOpening exactly in version 2) }. Field elements, the nonce and row values are decimal strings
 * (no sign, no leading zeros), an Fp2 is [c0, c1], digests are 64 lowercase hex characters, rows are
 * one flat row-major array, and small integers (options, logN, width, segments, depth, securityBits)
 * are JSON numbers. Unknown keys are rejected. As a file (jsonFileBytes: two-space indentation) it
 * takes at most maxProofJsonFileBytes of the proof, a figure the binary form's counts give.
 *
 * @module
 */
import { z } from 'zod';
import { encodeColumn, findNonCanonical } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import type { Fp2 } from '../field/ext2.js';
import { MAX_DEPTH } from '../merkle/checks.js';
import type { MultiProof } from '../merkle/proof.js';
import { MAX_LOG_N, MAX_WIDTH } from './air.js';
import { checkOptions, ProofOptionsSchema, type ProofOptions } from './options.js';
import type { Opening, StarkProof } from './proof.js';
import { ByteReader, nameOf, type FieldName } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';

export const PROOF_MAGIC = 'CSPF';
export const PROOF_FORMAT_VERSION = 1;
/** The format version of a proof with an auxiliary segment (auxRoot and auxOpening). */
export const PROOF_FORMAT_VERSION_AUX = 2;
export const PROOF_JSON_FORMAT = 'capseal-stark-v1-proof';
/** Caps on the values of one opening and on the siblings of one Merkle multi-proof. */
export const MAX_ROW_VALUES = 2 ** 24;
export const MAX_SIBLINGS = 2 ** 20;

const DIGEST_BYTES = 32;
const U64_LIMIT = 2n ** 64n;
const AIR_ID = /^[a-z0-9_]{1,64}$/;
const MAGIC_BYTES = new TextEncoder().encode(PROOF_MAGIC);

/** A proof that cannot be decoded; `field` names where, `offset` is the byte offset (binary form only). */
export class ProofDecodeError extends Error {
  override readonly name = 'ProofDecodeError';
  constructor(
    readonly field: string,
    readonly offset: number | undefined,
    detail: string,
  ) {
    super(`${field}${offset === undefined ? '' : ` at byte ${offset}`}: ${detail}`);
  }
}

// ---- Binary: writing. ----

const encodeError = (field: string, detail: string): RangeError => new RangeError(`encodeProof: ${field}: ${detail}`);

class ProofWriter extends ByteWriter {
  constructor() {
    super((field, detail) => encodeError(field, detail));
  }

  digest(field: string, d: Uint8Array): void {
    if (!(d instanceof Uint8Array) || d.length !== DIGEST_BYTES) throw encodeError(field, `expected a ${DIGEST_BYTES}-byte Uint8Array`);
    this.raw(d);
  }

  fp(field: string, x: bigint): void {
    if (!Fp.isCanonical(x)) throw encodeError(field, `${String(x)} is not a canonical field element`);
    this.u64(field, x);
  }

  fp2List(field: string, xs: readonly Fp2[]): void {
    this.u16(`${field}.length`, xs.length);
    xs.forEach((x, i) => {
      if (!Array.isArray(x) || x.length !== 2) throw encodeError(`${field}[${i}]`, 'expected an F_p2 pair [c0, c1]');
      this.fp(`${field}[${i}][0]`, x[0]);
      this.fp(`${field}[${i}][1]`, x[1]);
    });
  }

  opening(field: string, op: Opening): void {
    if (!(op.rows instanceof BigUint64Array)) throw encodeError(`${field}.rows`, 'expected a BigUint64Array');
    this.u32(`${field}.rows.length`, op.rows.length, 0, MAX_ROW_VALUES);
    const bad = findNonCanonical(op.rows);
    if (bad >= 0) throw encodeError(`${field}.rows[${bad}]`, `${op.rows[bad]} is not a canonical field element`);
    this.push(encodeColumn(op.rows));
    this.u8(`${field}.proof.depth`, op.proof.depth, 0, MAX_DEPTH);
    this.u32(`${field}.proof.siblings.length`, op.proof.siblings.length, 0, MAX_SIBLINGS);
    op.proof.siblings.forEach((d, i) => this.digest(`${field}.proof.siblings[${i}]`, d));
  }
}

/** The format version `p` is written in: 2 exactly when it has an auxiliary segment (both its root and its opening). */
function versionOf(p: StarkProof): number {
  const root = p.auxRoot !== undefined, opening = p.auxOpening !== undefined;
  if (root !== opening) throw encodeError(root ? 'auxOpening' : 'auxRoot', 'an auxiliary segment needs both its root and its opening');
  return root ? PROOF_FORMAT_VERSION_AUX : PROOF_FORMAT_VERSION;
}

/** The binary encoding; throws a RangeError naming the field if `p` holds anything the format cannot carry. */
export function encodeProof(p: StarkProof): Uint8Array {
  const w = new ProofWriter();
  w.raw(MAGIC_BYTES);
  const version = versionOf(p);
  w.u16('version', version);
  let o: ProofOptions;
  try {
    o = checkOptions(p.options);
  } catch (e) {
    throw encodeError('options', (e as Error).message);
  }
  w.u8('options.blowup', o.blowup);
  w.u8('options.queries', o.queries);
  w.u8('options.grindingBits', o.grindingBits);
  w.u8('options.foldingFactor', o.foldingFactor);
  if (typeof p.airId !== 'string' || !AIR_ID.test(p.airId)) throw encodeError('airId', `${JSON.stringify(p.airId)} is not 1 to 64 characters of [a-z0-9_]`);
  w.u8('airId.length', p.airId.length);
  w.raw(new TextEncoder().encode(p.airId));
  w.u8('logN', p.logN, 1, MAX_LOG_N);
  w.u16('width', p.width, 1, MAX_WIDTH);
  w.u8('segments', p.segments, 1);
  w.digest('traceRoot', p.traceRoot);
  if (p.auxRoot) w.digest('auxRoot', p.auxRoot);
  w.digest('compositionRoot', p.compositionRoot);
  w.fp2List('oodTrace', p.oodTrace);
  w.fp2List('oodTraceNext', p.oodTraceNext);
  w.fp2List('oodComposition', p.oodComposition);
  w.u8('friRoots.length', p.friRoots.length);
  p.friRoots.forEach((d, i) => w.digest(`friRoots[${i}]`, d));
  w.fp2List('finalPoly', p.finalPoly);
  w.u64('nonce', p.nonce);
  w.opening('traceOpening', p.traceOpening);
  if (p.auxOpening) w.opening('auxOpening', p.auxOpening);
  w.opening('compositionOpening', p.compositionOpening);
  w.u8('friOpenings.length', p.friOpenings.length);
  p.friOpenings.forEach((op, i) => w.opening(`friOpenings[${i}]`, op));
  w.u16('securityBits', p.securityBits);
  return w.finish();
}

// ---- Binary: reading. ----

class ProofReader extends ByteReader {
  constructor(input: Uint8Array) {
    super(input, (field, offset, detail) => new ProofDecodeError(field, offset, detail));
  }

  fp(field: FieldName): bigint {
    const at = this.offset;
    const x = this.u64(field);
    if (!Fp.isCanonical(x)) throw this.fail(nameOf(field), at, `${x} is not a canonical field element (≥ p)`);
    return x;
  }

  fp2List(field: string): Fp2[] {
    const n = this.count(field, 2, 16);
    return Array.from({ length: n }, (_, i): Fp2 => [this.fp(() => `${field}[${i}][0]`), this.fp(() => `${field}[${i}][1]`)]);
  }

  digests(field: string, countBytes: 1 | 4, max?: number): Uint8Array[] {
    const n = this.count(field, countBytes, DIGEST_BYTES, max);
    return Array.from({ length: n }, (_, i) => this.bytes(() => `${field}[${i}]`, DIGEST_BYTES));
  }

  opening(field: string): Opening {
    const rows = new BigUint64Array(this.count(`${field}.rows`, 4, 8, MAX_ROW_VALUES));
    for (let i = 0; i < rows.length; i++) rows[i] = this.fp(() => `${field}.rows[${i}]`);
    const depth = this.u8(`${field}.proof.depth`, 0, MAX_DEPTH);
    const proof: MultiProof = { depth, siblings: this.digests(`${field}.proof.siblings`, 4, MAX_SIBLINGS) };
    return { rows, proof };
  }
}

/** Strict inverse of encodeProof: any defect is a ProofDecodeError, never another exception. */
export function decodeProof(bytes: Uint8Array): StarkProof {
  try {
    if (!(bytes instanceof Uint8Array)) throw new ProofDecodeError('input', undefined, 'expected a Uint8Array');
    const r = new ProofReader(bytes);
    const magic = r.bytes('magic', MAGIC_BYTES.length);
    if (!magic.every((b, i) => b === MAGIC_BYTES[i])) throw new ProofDecodeError('magic', 0, `not a capseal-stark-v1 proof (expected "${PROOF_MAGIC}")`);
    const versionAt = r.offset;
    const version = r.u16('version');
    if (version !== PROOF_FORMAT_VERSION && version !== PROOF_FORMAT_VERSION_AUX)
      throw new ProofDecodeError('version', versionAt, `unsupported format version ${version} (this decoder reads ${PROOF_FORMAT_VERSION} and ${PROOF_FORMAT_VERSION_AUX})`);
    const withAux = version === PROOF_FORMAT_VERSION_AUX;
    const optionsAt = r.offset;
    const rawOptions = { blowup: r.u8('options.blowup'), queries: r.u8('options.queries'), grindingBits: r.u8('options.grindingBits'), foldingFactor: r.u8('options.foldingFactor') };
    let options: ProofOptions;
    try {
      options = checkOptions(rawOptions);
    } catch (e) {
      throw new ProofDecodeError('options', optionsAt, (e as Error).message);
    }
    const idLength = r.u8('airId.length', 1, 64);
    const idAt = r.offset;
    const airId = String.fromCharCode(...r.bytes('airId', idLength));
    if (!AIR_ID.test(airId)) throw new ProofDecodeError('airId', idAt, `${JSON.stringify(airId)} is not 1 to 64 characters of [a-z0-9_]`);
    // Members in the format's order (an object literal evaluates them in the order written).
    const proof: StarkProof = {
      options,
      airId,
      logN: r.u8('logN', 1, MAX_LOG_N),
      width: r.u16('width', 1, MAX_WIDTH),
      segments: r.u8('segments', 1),
      traceRoot: r.bytes('traceRoot', DIGEST_BYTES),
      ...(withAux && { auxRoot: r.bytes('auxRoot', DIGEST_BYTES) }),
      compositionRoot: r.bytes('compositionRoot', DIGEST_BYTES),
      oodTrace: r.fp2List('oodTrace'),
      oodTraceNext: r.fp2List('oodTraceNext'),
      oodComposition: r.fp2List('oodComposition'),
      friRoots: r.digests('friRoots', 1),
      finalPoly: r.fp2List('finalPoly'),
      nonce: r.u64('nonce'),
      traceOpening: r.opening('traceOpening'),
      ...(withAux && { auxOpening: r.opening('auxOpening') }),
      compositionOpening: r.opening('compositionOpening'),
      friOpenings: Array.from({ length: r.u8('friOpenings.length') }, (_, i) => r.opening(`friOpenings[${i}]`)),
      securityBits: r.u16('securityBits'),
    };
    r.end();
    return proof;
  } catch (e) {
    if (e instanceof ProofDecodeError) throw e;
    throw new ProofDecodeError('proof', undefined, `undecodable: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---- JSON. ----

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const HEX_DIGEST = /^[0-9a-f]{64}$/;
const hex = (d: Uint8Array): string => Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');

/** The value of each lowercase hex digit by char code; −1 for every other character below 128. */
const HEX_DIGITS = Int8Array.from({ length: 128 }, (_, c) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1));

/**
 * The bytes of lowercase hex (the only hex the formats write), in one pass through a lookup table
 * into the output alone; a RangeError for an odd length or any other character, uppercase included.
 */
export function hexToBytesLower(s: string): Uint8Array {
  if (typeof s !== 'string') throw new TypeError(`hex: expected a string, got ${typeof s}`);
  if (s.length % 2 !== 0) throw new RangeError(`hex: odd length ${s.length}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = s.charCodeAt(2 * i), b = s.charCodeAt(2 * i + 1);
    const hi = a < 128 ? HEX_DIGITS[a]! : -1, lo = b < 128 ? HEX_DIGITS[b]! : -1;
    if ((hi | lo) < 0) {
      const at = hi < 0 ? 2 * i : 2 * i + 1;
      throw new RangeError(`hex: ${JSON.stringify(s[at])} at ${at} is not a lowercase hex digit`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const decimalBelow = (limit: bigint, what: string) =>
  z
    .string()
    .refine((s) => DECIMAL.test(s) && BigInt(s) < limit, `expected ${what} as a decimal string without sign or leading zeros`)
    .transform((s) => BigInt(s));
const element = decimalBelow(Fp.P, 'a canonical field element (< p)');
const ext = z.tuple([element, element]).transform((x): Fp2 => x);
const digest = z.string().regex(HEX_DIGEST, 'expected a digest as 64 lowercase hex characters').transform(hexToBytesLower);
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const OpeningJson = z.strictObject({
  rows: z.array(element).max(MAX_ROW_VALUES).transform((xs) => BigUint64Array.from(xs)),
  proof: z.strictObject({ depth: int(0, MAX_DEPTH), siblings: z.array(digest).max(MAX_SIBLINGS) }),
});

const ProofJsonV1 = z.strictObject({
  format: z.literal(PROOF_JSON_FORMAT),
  version: z.literal(PROOF_FORMAT_VERSION),
  options: ProofOptionsSchema,
  airId: z.string().regex(AIR_ID, 'expected 1 to 64 characters of [a-z0-9_]'),
  logN: int(1, MAX_LOG_N),
  width: int(1, MAX_WIDTH),
  segments: int(1, 0xff),
  traceRoot: digest,
  compositionRoot: digest,
  oodTrace: z.array(ext).max(0xffff),
  oodTraceNext: z.array(ext).max(0xffff),
  oodComposition: z.array(ext).max(0xffff),
  friRoots: z.array(digest).max(0xff),
  finalPoly: z.array(ext).max(0xffff),
  nonce: decimalBelow(U64_LIMIT, 'a u64'),
  traceOpening: OpeningJson,
  compositionOpening: OpeningJson,
  friOpenings: z.array(OpeningJson).max(0xff),
  securityBits: int(0, 0xffff),
});

// By version, so an error names the member it is about (a plain union would name only the proof).
const ProofJson = z.discriminatedUnion('version', [
  ProofJsonV1,
  ProofJsonV1.extend({ version: z.literal(PROOF_FORMAT_VERSION_AUX), auxRoot: digest, auxOpening: OpeningJson }),
]);

const openingToJson = (op: Opening) => ({
  rows: Array.from(op.rows, (x) => x.toString()),
  proof: { depth: op.proof.depth, siblings: op.proof.siblings.map(hex) },
});
const extToJson = (xs: readonly Fp2[]) => xs.map((x) => [x[0].toString(), x[1].toString()]);

/** The JSON form (plain data: JSON.stringify it as is); checks `p` the way encodeProof does. */
export function proofToJson(p: StarkProof): unknown {
  encodeProof(p); // for its checks only: the JSON form carries exactly what the binary form can
  return {
    format: PROOF_JSON_FORMAT,
    version: versionOf(p),
    options: { blowup: p.options.blowup, queries: p.options.queries, grindingBits: p.options.grindingBits, foldingFactor: p.options.foldingFactor },
    airId: p.airId,
    logN: p.logN,
    width: p.width,
    segments: p.segments,
    traceRoot: hex(p.traceRoot),
    ...(p.auxRoot && { auxRoot: hex(p.auxRoot) }),
    compositionRoot: hex(p.compositionRoot),
    oodTrace: extToJson(p.oodTrace),
    oodTraceNext: extToJson(p.oodTraceNext),
    oodComposition: extToJson(p.oodComposition),
    friRoots: p.friRoots.map(hex),
    finalPoly: extToJson(p.finalPoly),
    nonce: p.nonce.toString(),
    traceOpening: openingToJson(p.traceOpening),
    ...(p.auxOpening && { auxOpening: openingToJson(p.auxOpening) }),
    compositionOpening: openingToJson(p.compositionOpening),
    friOpenings: p.friOpenings.map(openingToJson),
    securityBits: p.securityBits,
  };
}

/** Strict inverse of proofToJson (of the parsed value, not the text): any defect is a ProofDecodeError. */
export function proofFromJson(j: unknown): StarkProof {
  let r;
  try {
    r = ProofJson.safeParse(j);
  } catch (e) {
    throw new ProofDecodeError('proof', undefined, `unreadable: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'proof' : issue.path.map(String).join('.');
    throw new ProofDecodeError(field, undefined, issue?.message ?? 'invalid');
  }
  const { format: _format, version: _version, ...proof } = r.data;
  return proof;
}

// ---- JSON: its size, from a proof's counts. ----

/** Characters JSON.stringify(·, null, 2) writes for an array or object at nesting `depth` of `n` items whose own texts total `inner`. */
const block = (depth: number, n: number, inner: number): number => (n === 0 ? 2 : inner + n * (2 * depth + 4) + 2 * depth + 2);
/** … for an object at `depth` with these members: [name, characters of the value's text]. */
const members = (depth: number, ms: [string, number][]): number => block(depth, ms.length, ms.reduce((sum, [name, len]) => sum + name.length + 4 + len, 0));
const list = (depth: number, n: number, item: number): number => block(depth, n, n * item);
const digits = (x: number): number => String(x).length;
/** A decimal string at its widest: p − 1 and 2^64 − 1 both have 20 digits. */
const DECIMAL_TEXT = 22;
const DIGEST_TEXT = 66;

/**
 * The bytes p's JSON form takes as a capsule's file holds it (jsonFileBytes: JSON.stringify(·, null, 2)
 * and a newline) with every decimal string at its widest: what the binary proof implies, so a JSON
 * file longer than this cannot hold the same proof and is refused before anyone parses it. A more
 * compact text of the same proof is shorter. Mirrors proofToJson's members, in order.
 */
export function maxProofJsonFileBytes(p: StarkProof): number {
  const exts = (depth: number, n: number) => list(depth, n, block(depth + 1, 2, 2 * DECIMAL_TEXT));
  const opening = (depth: number, op: Opening) => members(depth, [
    ['rows', list(depth + 1, op.rows.length, DECIMAL_TEXT)],
    ['proof', members(depth + 1, [['depth', digits(op.proof.depth)], ['siblings', list(depth + 2, op.proof.siblings.length, DIGEST_TEXT)]])],
  ]);
  const o = p.options;
  return 1 + members(0, [
    ['format', PROOF_JSON_FORMAT.length + 2],
    ['version', digits(versionOf(p))],
    ['options', members(1, [['blowup', digits(o.blowup)], ['queries', digits(o.queries)], ['grindingBits', digits(o.grindingBits)], ['foldingFactor', digits(o.foldingFactor)]])],
    ['airId', p.airId.length + 2],
    ['logN', digits(p.logN)],
    ['width', digits(p.width)],
    ['segments', digits(p.segments)],
    ['traceRoot', DIGEST_TEXT],
    ...(p.auxRoot ? [['auxRoot', DIGEST_TEXT] as [string, number]] : []),
    ['compositionRoot', DIGEST_TEXT],
    ['oodTrace', exts(1, p.oodTrace.length)],
    ['oodTraceNext', exts(1, p.oodTraceNext.length)],
    ['oodComposition', exts(1, p.oodComposition.length)],
    ['friRoots', list(1, p.friRoots.length, DIGEST_TEXT)],
    ['finalPoly', exts(1, p.finalPoly.length)],
    ['nonce', DECIMAL_TEXT],
    ['traceOpening', opening(1, p.traceOpening)],
    ...(p.auxOpening ? [['auxOpening', opening(1, p.auxOpening)] as [string, number]] : []),
    ['compositionOpening', opening(1, p.compositionOpening)],
    ['friOpenings', block(1, p.friOpenings.length, p.friOpenings.reduce((sum, op) => sum + opening(2, op), 0))],
    ['securityBits', digits(p.securityBits)],
  ]);
}

/**
 * Where a decoded proof holds more than its own header allows, or undefined: at most `queries`
 * fold groups of f positions are opened, so an opening has at most queries·f rows of its matrix's
 * width (FRI layers: queries rows of 2f) and, per query, at most one sibling per tree level. The
 * verifier checks the exact counts later; this bound lets a padded proof be refused before anything
 * else of it (its JSON form) is read.
 */
export function openingsOverHeader(p: StarkProof): string | undefined {
  const { queries, foldingFactor: f, blowup } = p.options;
  const depth = p.logN + Math.log2(blowup);
  const over = (what: string, op: Opening, rows: number, width: number): string | undefined => {
    if (op.rows.length > rows * width) return `${what} opens ${op.rows.length} values; its header allows at most ${rows} rows of ${width}`;
    if (op.proof.siblings.length > queries * depth) return `${what} sends ${op.proof.siblings.length} Merkle siblings; its header allows at most ${queries}·${depth}`;
    return undefined;
  };
  return (
    over('the trace opening', p.traceOpening, queries * f, p.width) ??
    (p.auxOpening && over('the auxiliary opening', p.auxOpening, queries * f, Math.max(0, p.oodTrace.length - p.width))) ??
    over('the composition opening', p.compositionOpening, queries * f, 2 * p.segments) ??
    p.friOpenings.map((op, i) => over(`FRI layer ${i + 1}'s opening`, op, queries, 2 * f)).find((m) => m !== undefined)
  );
}
