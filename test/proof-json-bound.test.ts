// The JSON proof form beside the binary one (src/capsule/verify.ts, src/stark/codec.ts): its size is
// bounded by what the binary proof's counts imply, and a capsule whose JSON file is longer is refused
// before that file is read, hashed or parsed (a ~57 MiB one used to cost seconds of CPU); digests in
// the JSON form are decoded by a lookup-table hex decoder that agrees with @noble/hashes.
import { hexToBytes } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { capsuleHash } from '../src/capsule/capsule.js';
import { JSON_FORMATTING_ROOM, verifyCapsule, type CapsuleFiles } from '../src/capsule/verify.js';
import * as Fp from '../src/field/goldilocks.js';
import { sha256Hex } from '../src/hash/digest.js';
import { parseCanonicalBytes } from '../src/json/canonical-json.js';
import { jsonFileBytes } from '../src/json/file-json.js';
import { decodeProof, encodeProof, hexToBytesLower, maxProofJsonFileBytes, openingsOverHeader, proofToJson } from '../src/stark/codec.js';
import type { StarkProof } from '../src/stark/proof.js';
import { Kernels } from '../src/wasm/kernels.js';
import { clone, jsonBytes, makeCapsule, type Dir, type MadeCapsule } from './helpers/capsule.js';

// Every JSON text the verifiers parse, and every file they hash, goes through these spies.
vi.mock('../src/json/canonical-json.js', async (original) => {
  const m = await original<typeof import('../src/json/canonical-json.js')>();
  return { ...m, parseCanonicalBytes: vi.fn(m.parseCanonicalBytes) };
});
vi.mock('../src/hash/digest.js', async (original) => {
  const m = await original<typeof import('../src/hash/digest.js')>();
  return { ...m, sha256Hex: vi.fn(m.sha256Hex) };
});

const BIN = 'proofs/geom.proof.bin', JSON_PATH = 'proofs/geom.proof.json';
let k: Kernels;
let geom: MadeCapsule;
let proof: StarkProof;

beforeAll(async () => {
  k = await Kernels.load();
  geom = await makeCapsule(k, 'geom', { steps: 1024 });
  proof = decodeProof(geom.dir.get(BIN)!);
}, 60_000);

/** The capsule with `json` as its JSON proof file, its record and capsule hash made to match. */
function withJson(json: Uint8Array): Dir {
  const dir: Dir = new Map(geom.dir);
  const c = clone(geom.capsule) as { proofs: Record<string, { formats: { json: Record<string, unknown> } }> };
  Object.assign(c.proofs['geom']!.formats.json, { sha256_payload_hash: sha256Hex(json), size_bytes: json.length });
  const sealed = { ...c, capsule_hash: capsuleHash(c) };
  dir.set(JSON_PATH, json);
  dir.set('capsule.json', jsonBytes(sealed));
  return dir;
}

/** Verifies `dir`, recording the most bytes the verifier let the reader return for each file. */
async function verify(dir: Dir): Promise<{ report: Awaited<ReturnType<typeof verifyCapsule>>; asked: Map<string, number> }> {
  const asked = new Map<string, number>();
  const files: CapsuleFiles = { read: async (p, max) => (asked.set(p, max), dir.get(p)?.slice() ?? null) };
  return { report: await verifyCapsule(k, dir.get('capsule.json')!, files), asked };
}

/** Whether a spy was called with bytes of this length: the hostile file, parsed or hashed. */
const sawBytesOf = (spy: { mock: { calls: unknown[][] } }, length: number): boolean => spy.mock.calls.some(([b]) => (b as Uint8Array).length === length);

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const spaces = (n: number): Uint8Array => new TextEncoder().encode(' '.repeat(n));
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => Uint8Array.from([...a, ...b]);

describe('the JSON form is bounded by the binary proof', () => {
  it('the bound is exact for a proof whose every decimal is 20 digits wide, and above an honest proof by the digits it lacks', () => {
    const widest = [Fp.P - 1n, Fp.P - 1n] as const;
    const wideRows = (rows: BigUint64Array) => rows.map(() => Fp.P - 1n);
    const wide: StarkProof = {
      ...proof, nonce: 2n ** 64n - 1n,
      oodTrace: proof.oodTrace.map(() => widest), oodTraceNext: proof.oodTraceNext.map(() => widest),
      oodComposition: proof.oodComposition.map(() => widest), finalPoly: proof.finalPoly.map(() => widest),
      traceOpening: { ...proof.traceOpening, rows: wideRows(proof.traceOpening.rows) },
      compositionOpening: { ...proof.compositionOpening, rows: wideRows(proof.compositionOpening.rows) },
      friOpenings: proof.friOpenings.map((op) => ({ ...op, rows: wideRows(op.rows) })),
    };
    expect(wide.friOpenings.length).toBeGreaterThan(0);
    expect(jsonFileBytes(proofToJson(wide)).length).toBe(maxProofJsonFileBytes(wide));
    expect(maxProofJsonFileBytes(wide)).toBe(maxProofJsonFileBytes(proof)); // counts alone
    const decimals = [...proof.oodTrace, ...proof.oodTraceNext, ...proof.oodComposition, ...proof.finalPoly].flat()
      .concat(...[proof.traceOpening, proof.compositionOpening, ...proof.friOpenings].map((op) => [...op.rows]), proof.nonce);
    const lacking = decimals.reduce((sum, x) => sum + 20 - x.toString().length, 0);
    expect(geom.dir.get(JSON_PATH)!.length).toBe(maxProofJsonFileBytes(proof) - lacking);
  });

  it('an oversized JSON proof beside an honest binary proof is rejected (E042) unread: never returned by the reader, hashed or parsed', async () => {
    const honest = geom.dir.get(JSON_PATH)!, most = JSON_FORMATTING_ROOM * maxProofJsonFileBytes(proof);
    const padded = JSON.parse(text(honest)) as { compositionOpening: { proof: { siblings: string[] } } };
    const siblings = padded.compositionOpening.proof.siblings;
    padded.compositionOpening.proof.siblings = siblings.concat(new Array<string>(20_000).fill(siblings[0]!));
    const hostile = jsonFileBytes(padded);
    const dir = withJson(hostile), parse = vi.mocked(parseCanonicalBytes), hash = vi.mocked(sha256Hex);
    parse.mockClear();
    hash.mockClear();
    const { report, asked } = await verify(dir);
    expect(report.code, report.message).toBe('E042_PROOF_DECODE_ERROR');
    expect(report.message).toBe(`${JSON_PATH} holds more than ${most} bytes, the most the JSON form of ${BIN} takes`);
    expect(asked.get(JSON_PATH)).toBe(most); // a reader refuses a longer file unread (directoryFiles: by its size)
    expect(sawBytesOf(hash, hostile.length) || sawBytesOf(parse, hostile.length)).toBe(false);
    expect(sawBytesOf(hash, geom.dir.get(BIN)!.length)).toBe(true); // the spies see what did happen
  });

  it('a JSON file of exactly the bound is read and judged; one byte more is refused unread; a compact one verifies', async () => {
    const honest = geom.dir.get(JSON_PATH)!, most = JSON_FORMATTING_ROOM * maxProofJsonFileBytes(proof);
    const atBound = await verify(withJson(concat(honest, spaces(most - honest.length))));
    expect(atBound.report.status, atBound.report.message).toBe('accepted');
    const over = await verify(withJson(concat(honest, spaces(most + 1 - honest.length))));
    expect(over.report.code).toBe('E042_PROOF_DECODE_ERROR');
    expect(over.asked.get(JSON_PATH)).toBe(most);
    const compact = await verify(withJson(new TextEncoder().encode(JSON.stringify(JSON.parse(text(honest))))));
    expect(compact.report.status, compact.report.message).toBe('accepted');
  });

  it('a proof padded alike in both files (openings beyond what its header allows) is refused from the binary form, the JSON never read', async () => {
    const siblings = proof.compositionOpening.proof.siblings;
    const padded: StarkProof = {
      ...proof,
      compositionOpening: { ...proof.compositionOpening, proof: { ...proof.compositionOpening.proof, siblings: siblings.concat(new Array(20_000).fill(siblings[0]!)) } },
    };
    const bin = encodeProof(padded), json = jsonFileBytes(proofToJson(padded));
    const c = clone(geom.capsule) as { proofs: Record<string, { formats: Record<'bin' | 'json', Record<string, unknown>> }> };
    Object.assign(c.proofs['geom']!.formats.bin, { sha256_payload_hash: sha256Hex(bin), size_bytes: bin.length });
    Object.assign(c.proofs['geom']!.formats.json, { sha256_payload_hash: sha256Hex(json), size_bytes: json.length });
    const dir: Dir = new Map(geom.dir);
    dir.set(BIN, bin);
    dir.set(JSON_PATH, json);
    dir.set('capsule.json', jsonBytes({ ...c, capsule_hash: capsuleHash(c) }));
    const { report, asked } = await verify(dir);
    const { queries } = proof.options, depth = proof.logN + Math.log2(proof.options.blowup);
    expect(report.code, report.message).toBe('E042_PROOF_DECODE_ERROR');
    expect(report.message).toBe(`${BIN}: the composition opening sends ${siblings.length + 20_000} Merkle siblings; its header allows at most ${queries}·${depth}`);
    expect(asked.has(JSON_PATH)).toBe(false);
    // The honest proof is within its header's bounds.
    expect(openingsOverHeader(proof)).toBeUndefined();
  });

  it('other formatting of the same proof is accepted: CRLF line ends, 4-space or tab indents', async () => {
    const value = JSON.parse(text(geom.dir.get(JSON_PATH)!)) as unknown;
    for (const form of [JSON.stringify(value, null, 2).replace(/\n/g, '\r\n'), JSON.stringify(value, null, 4), JSON.stringify(value, null, '\t')]) {
      const { report } = await verify(withJson(new TextEncoder().encode(`${form}\n`)));
      expect(report.status, report.message).toBe('accepted');
    }
  });

  it('a JSON size record past the bound, beside a JSON file within it, is still the record mismatch (E041)', async () => {
    const dir = withJson(geom.dir.get(JSON_PATH)!);
    const c = JSON.parse(text(dir.get('capsule.json')!)) as { proofs: Record<string, { formats: { json: { size_bytes: number } } }> };
    c.proofs['geom']!.formats.json.size_bytes = 2 ** 30;
    dir.set('capsule.json', jsonBytes({ ...c, capsule_hash: capsuleHash(c) }));
    const { report } = await verify(dir);
    expect(report.code, report.message).toBe('E041_ARTIFACT_HASH_MISMATCH');
  });
});

describe('hexToBytesLower', () => {
  /** A deterministic byte source (xorshift32), so a failure can be replayed. */
  let state = 0x9e3779b9;
  const byte = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state & 0xff;
  };
  const randomHex = (n: number): string => Array.from({ length: n }, () => byte().toString(16).padStart(2, '0')).join('');

  it('agrees with @noble/hashes hexToBytes on random lowercase hex of every length up to 300 bytes', () => {
    for (let n = 0; n <= 300; n++) {
      const s = randomHex(n);
      expect(hexToBytesLower(s), s).toEqual(hexToBytes(s));
    }
  });

  it('rejects what @noble/hashes rejects: odd lengths, non-hex characters anywhere, non-strings', () => {
    const bad: unknown[] = ['0', 'abc', '0g', 'g0', ' 00', '00 ', '0x00', 'zz', '\u0000\u0000', 'éé', '\ud800\udc00', '+1', '-1', `${randomHex(31)}0q`, 12, null, undefined];
    for (const s of bad) {
      expect(() => hexToBytes(s as string), String(s)).toThrow();
      expect(() => hexToBytesLower(s as string), String(s)).toThrow();
    }
  });

  it('also rejects uppercase, which @noble/hashes accepts: the formats write lowercase only', () => {
    expect(hexToBytes('AB')).toEqual(Uint8Array.of(0xab));
    expect(() => hexToBytesLower('AB')).toThrow('hex: "A" at 0 is not a lowercase hex digit');
    expect(() => hexToBytesLower('aB')).toThrow('hex: "B" at 1 is not a lowercase hex digit');
  });
});
