// Seeded fuzzing of the capsule verifier and the decoders under it.
//
// The contract: verifyCapsule (src/capsule/verify.ts) and verifyAgentCapsule (agent-capsule.ts) never
// throw or reject, whatever the bytes: every report is 'accepted', or 'rejected' with a code from
// ERROR_CODES. decodeProof / proofFromJson throw only ProofDecodeError, parseCanonicalInput only
// CanonicalJsonError, parsePolicy and parseAcl only RangeError; checkInclusion and verifyAuthorship never
// throw. Beyond not crashing, a mutation that changes what a capsule binds must be rejected:
//   - "changed" is judged on meaning: JSON is compared as RFC 8785 canonical text, so a whitespace-only
//     edit (or 0.1 → 0.10) must still be ACCEPTED, and anything else must be rejected;
//   - a changed proof binary, chunk-roots binary, chunk file or policy file is always rejected, even when
//     the capsule's hashes are recomputed and it is resealed so that the later layers see the bytes;
//   - resealing (capsule_hash recomputed) an UNSIGNED capsule may legitimately pass only where the verifier
//     has nothing to recompute: the prover's declared stats/backend (DECLARED below) and a larger
//     da_policy.k_samples. A SIGNED capsule checked against an ACL must reject every resealed change.
// Families (counts in the test names):
//   1. capsule.json bytes: bit flips, byte sets, insertions, deletions, truncation, JSON-token splices;
//   2. structural mutations of the parsed capsule (hostile leaf values, tweaks, deleted and added keys,
//      "__proto__", path traversal, bad hex, 200/600-deep nesting), each as-is, resealed, and deep-resealed
//      (trace_spec_hash, statement_hash and capsule_hash recomputed), on an unsigned and a signed capsule;
//   3. artifact bytes (proof .bin/.json, chunk_roots .bin/.json, a chunk, policy.json) with the capsule's
//      hashes recomputed and resealed, optionally with the companion file regenerated to match;
//   4. the decoders directly, on mutated valid inputs, random bytes and exotic JS values (with round-trip
//      and differential checks: encode(decode(b)) = b, parseCanonicalInput against JSON.parse);
//   5. agent_capsule.json, the action log, and the capsule under it, through verifyAgentCapsule;
//   plus CapsuleFiles readers that throw, reject or return non-bytes at each read.
// A "__proto__" member (which zod records skip) must be rejected like any other unread member.
// Every draw comes from mulberry32 with a fixed seed per family, and the fixtures' measured times are
// fixed (normalize), so every run makes the same cases; a failure names its family, case index and
// mutation. Runs in about 25 s on 2 cores.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentCapsule, verifyAgentCapsule } from '../src/capsule/agent-capsule.js';
import { parseAcl, signerStatus, type Acl } from '../src/capsule/acl.js';
import { signCapsuleHash, verifyAuthorship, type KeyFile } from '../src/capsule/authorship.js';
import { capsuleHash, type Capsule } from '../src/capsule/capsule.js';
import { ERROR_CODES } from '../src/capsule/codes.js';
import { parsePolicy } from '../src/capsule/policy.js';
import { buildRegistry, checkInclusion, proveInclusion, type PolicyEntry } from '../src/capsule/registry.js';
import type { Sealed } from '../src/capsule/seal.js';
import { jcsHash } from '../src/capsule/spec.js';
import { verifyCapsule, type CapsuleFiles, type VerifyCapsuleOptions, type VerifyReport } from '../src/capsule/verify.js';
import { sha256Hex } from '../src/hash/digest.js';
import { canonicalize, CanonicalJsonError, parseCanonicalInput } from '../src/json/canonical-json.js';
import { decodeProof, encodeProof, ProofDecodeError, proofFromJson, proofToJson } from '../src/stark/codec.js';
import { Kernels } from '../src/wasm/kernels.js';
import { type Dir, makeCapsule, type MadeCapsule, memFiles } from './helpers/capsule.js';
import { mulberry32 } from './reference/model.js';

// ---- Counts (the test names print them). ----
const N_BYTES = 2000; // family 1
const N_STRUCT = 2000; // family 2, each run in 3 variants
const N_ARTIFACT = 1500; // family 3
const N_PROOF_BIN = 2000, N_PROOF_RANDOM = 1000, N_PROOF_JSON = 600, N_CANON = 1500, N_POLICY = 500, N_ACL = 400, N_INCL = 400, N_AUTH = 400;
const N_AGENT = 480; // family 5

// ---- Seeded randomness. ----
class Rng {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = mulberry32(seed);
  }
  float(): number {
    return this.r();
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
  hex(chars: number): string {
    return Array.from({ length: chars }, () => '0123456789abcdef'[this.int(16)]).join('');
  }
}

// ---- Helpers. ----
const enc = new TextEncoder();
const dec = new TextDecoder();
type Path = (string | number)[];
type Json = unknown;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
/** Canonical text, or a marker that differs from every JSON value's (lone surrogates, too deep, …). */
const canon = (v: unknown): string => {
  try {
    return canonicalize(v);
  } catch {
    return '\u0000not canonicalizable';
  }
};
/** The JSON value of `bytes` as the verifier reads it (strict UTF-8, strict JSON), or undefined. */
const strictJson = (bytes: Uint8Array): { ok: true; value: Json } | { ok: false } => {
  try {
    return { ok: true, value: parseCanonicalInput(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
};
/** Pretty JSON as seal.ts writes it; own "__proto__" members stay members. */
const pretty = (v: unknown): Uint8Array => enc.encode(`${JSON.stringify(v, null, 2)}\n`);
const parse = (bytes: Uint8Array): Json => JSON.parse(dec.decode(bytes)) as Json;
const defineOwn = (o: object, key: string, value: unknown): void => {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
};
const describeValue = (v: unknown): string => {
  const s = canon(v);
  return s.length > 60 ? `${s.slice(0, 57)}...(${s.length} chars)` : s;
};

// ---- Byte-level mutations. ----
const JSON_SPLICES = ['{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '\t', '0', '-', '.', 'e', '1e999', '9007199254740993', 'null', 'true', '"\\u0000"', '"\\ud800"', '"__proto__":1,', '[[[[', '}}}}', '\u00e9', '\uffff', '\u{1f600}'];
const EXTREME_WORDS = [[0xff, 0xff, 0xff, 0xff], [0, 0, 0, 0], [0xff, 0xff, 0xff, 0x7f], [1, 0, 0, 0], [0, 0, 0, 0x80], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]];

/** One random byte-level edit of `src` (a fresh array) and its description. */
function mutateBytes(r: Rng, src: Uint8Array, json: boolean): { bytes: Uint8Array; op: string } {
  const n = src.length;
  const at = r.int(n);
  const out = (b: Uint8Array | number[], op: string) => ({ bytes: b instanceof Uint8Array ? b : Uint8Array.from(b), op });
  switch (r.int(json ? 9 : 8)) {
    case 0: {
      const b = src.slice(), bit = r.int(8);
      b[at] = b[at]! ^ (1 << bit);
      return out(b, `flip bit ${bit} @${at}`);
    }
    case 1: {
      const b = src.slice(), v = r.int(256);
      b[at] = v;
      return out(b, `set @${at} = 0x${v.toString(16)}`);
    }
    case 2: {
      const ins = r.bytes(1 + r.int(4));
      return out([...src.subarray(0, at), ...ins, ...src.subarray(at)], `insert ${bytesToHex(ins)} @${at}`);
    }
    case 3: {
      const len = 1 + r.int(16);
      return out([...src.subarray(0, at), ...src.subarray(at + len)], `delete ${len} @${at}`);
    }
    case 4:
      return out(src.slice(0, at), `truncate to ${at}`);
    case 5: {
      const b = src.slice(), flips = 2 + r.int(7), where: number[] = [];
      for (let i = 0; i < flips; i++) {
        const j = r.int(n);
        where.push(j);
        b[j] = b[j]! ^ (1 << r.int(8));
      }
      return out(b, `flip ${flips} bits @${where.join(',')}`);
    }
    case 6: {
      const b = src.slice(), w = r.pick(EXTREME_WORDS);
      b.set(w.slice(0, Math.max(0, n - at)), at);
      return out(b, `overwrite @${at} with ${bytesToHex(Uint8Array.from(w))}`);
    }
    case 7: {
      const from = r.int(n), len = 1 + r.int(32), slice = src.slice(from, from + len);
      return out([...src.subarray(0, at), ...slice, ...src.subarray(at)], `duplicate [${from}, +${len}) @${at}`);
    }
    default: {
      const t = enc.encode(r.pick(JSON_SPLICES)), replace = r.chance(0.5) ? t.length : 0;
      return out([...src.subarray(0, at), ...t, ...src.subarray(at + replace)], `${replace ? 'overwrite' : 'insert'} ${JSON.stringify(dec.decode(t))} @${at}`);
    }
  }
}

/** 1–3 stacked byte mutations, none of which leaves the bytes unchanged by construction (they may, by chance). */
function mutateBytesN(r: Rng, src: Uint8Array, json: boolean): { bytes: Uint8Array; op: string } {
  let cur = { bytes: src, op: '' };
  const times = r.chance(0.75) ? 1 : 2 + r.int(2);
  const ops: string[] = [];
  for (let i = 0; i < times && cur.bytes.length > 0; i++) {
    cur = mutateBytes(r, cur.bytes, json);
    ops.push(cur.op);
  }
  return { bytes: cur.bytes, op: ops.join(' then ') };
}

// ---- Structural (JSON value) mutations. ----
function nest(depth: number, leaf: unknown, obj: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = obj ? { a: v } : [v];
  return v;
}
const PATHS = ['../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', 'proofs/../capsule.json', './policy.json', 'proofs//geom.proof.bin', 'policy.json', 'capsule.json',
  'proofs/geom.proof.json', 'row_archive/chunk_roots.json', 'row_archive/chunks/0.bin', 'row_archive/chunks', 'row_archive', 'missing.json', 'a'.repeat(257), 'file:///etc/passwd'];
/** A fresh hostile value (containers are new each time, so mutations never share structure). */
function hostile(r: Rng): unknown {
  const h = r.hex(64);
  const pool: (() => unknown)[] = [
    () => null, () => true, () => false, () => 0, () => -1, () => 1, () => -0, () => 0.5, () => 1e308, () => -1e308, () => 5e-324,
    () => 2 ** 31, () => 2 ** 32, () => 2 ** 40, () => 2 ** 40 + 1, () => 2 ** 53, () => 2 ** 53 + 2, () => Number.MAX_SAFE_INTEGER, () => -(2 ** 31), () => 1.5, () => 1e-7,
    () => '', () => 'x', () => 'a'.repeat(100_000), () => '\u0000', () => '\ud800', () => '\u{1f600}', () => ' ', () => 'null', () => '1',
    () => r.pick(PATHS),
    () => h.toUpperCase(), () => h.slice(1), () => `${h}0`, () => `0x${h}`, () => `${h.slice(0, 63)}g`, () => '0'.repeat(64), () => 'f'.repeat(64), () => h, () => `sha256:${h}`, () => `sha256:${h.toUpperCase()}`,
    () => 'bef_capsule_v1', () => 'agent_capsule_v1', () => 'GEOM_AIR_V1', () => 'FIB_AIR_V1', () => 'AGENT_AIR_V1', () => 'AGENT_AIR_V2', () => 'geom_air_v1', () => 'fib_air_v1',
    () => 'agent_air_v1', () => 'agent_air_v2', () => '__proto__', () => 'constructor',
    () => [], () => ({}), () => [null], () => [1, 2, 3], () => Array(1000).fill(0), () => ({ '': 1 }),
    () => nest(200, 1, false), () => nest(200, null, true), () => nest(600, 0, r.chance(0.5)),
    () => JSON.parse('{"__proto__":{"polluted":true}}') as unknown, () => ({ constructor: { prototype: { polluted: true } } }), () => JSON.parse('{"toString":1,"valueOf":2,"hasOwnProperty":3}') as unknown,
  ];
  return r.pick(pool)();
}

/** A small, plausible change of `v` (the kind a forger makes). */
function tweak(r: Rng, v: unknown): unknown {
  if (typeof v === 'number') return r.pick([v + 1, v - 1, v * 2, v / 2, -v, v + 0.5, 0, v + 2 ** -20, Math.round(v * 1000 + 1) / 1000]);
  if (typeof v === 'boolean') return !v;
  if (v === null) return r.pick([0, '', false]);
  if (typeof v === 'string') {
    if (v.length === 0) return 'x';
    const i = r.int(v.length);
    if (/^[0-9a-f]+$/.test(v) && r.chance(0.7)) {
      const c = '0123456789abcdef'.replace(v[i]!, '')[r.int(15)]!;
      return v.slice(0, i) + c + v.slice(i + 1);
    }
    return r.pick([
      v.toUpperCase(), v.toLowerCase(), v.slice(1), v.slice(0, -1), `${v}x`, `${v} `, ` ${v}`, `${v}/`, `/${v}`, `../${v}`, `${v}/..`,
      v.slice(0, i) + String.fromCharCode(v.charCodeAt(i) ^ 1) + v.slice(i + 1), String(Number(v) + 1),
    ]);
  }
  if (Array.isArray(v)) {
    const a = structuredClone(v);
    if (a.length === 0) return [hostile(r)];
    switch (r.int(4)) {
      case 0: a.push(structuredClone(a[r.int(a.length)])); return a;
      case 1: a.pop(); return a;
      case 2: return a.reverse();
      default: a.splice(r.int(a.length), 1); return a;
    }
  }
  return hostile(r);
}

/** Every path below the root (containers and leaves). */
function paths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([...prefix, i]); paths(x, [...prefix, i], out); });
  else if (isRecord(v)) for (const key of Object.keys(v)) { out.push([...prefix, key]); paths(v[key], [...prefix, key], out); }
  return out;
}
const getAt = (v: unknown, path: Path): unknown => path.reduce<unknown>((o, key) => (o as Record<string | number, unknown>)[key], v);
function setAt(v: unknown, path: Path, x: unknown): void {
  const parent = getAt(v, path.slice(0, -1)), key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent[key as number] = x;
  else defineOwn(parent as object, String(key), x);
}
function deleteAt(v: unknown, path: Path): void {
  const parent = getAt(v, path.slice(0, -1)), key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, unknown>)[key];
}
const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'extra', '', ' ', 'schema', 'capsule_hash', 'authorship', 'nova_stats', 'trace_commitment', 'x'.repeat(300), '\u0000', 'geom2'];

interface Mutated {
  value: Json;
  /** Where the edit happened. */
  path: Path;
  op: string;
}
/** One structural edit of a copy of `base` (a JSON value). */
function mutateValue(r: Rng, base: Json): Mutated {
  const v = structuredClone(base);
  const all = paths(v);
  const roll = r.float();
  if (all.length === 0 || roll < 0.04) return { value: hostile(r), path: [], op: 'replace the whole value' };
  const path = r.pick(all);
  const old = getAt(v, path);
  if (roll < 0.45) {
    const x = tweak(r, old);
    setAt(v, path, x);
    return { value: v, path, op: `tweak ${path.join('.')} ${describeValue(old)} → ${describeValue(x)}` };
  }
  if (roll < 0.75) {
    const x = hostile(r);
    setAt(v, path, x);
    return { value: v, path, op: `replace ${path.join('.')} with ${describeValue(x)}` };
  }
  if (roll < 0.88) {
    deleteAt(v, path);
    return { value: v, path, op: `delete ${path.join('.')}` };
  }
  // Add a member to an object (or an element to an array) on the path, the root included.
  const at = path.slice(0, r.int(path.length));
  const container = getAt(v, at);
  const x = hostile(r);
  if (Array.isArray(container)) {
    container.push(x);
    return { value: v, path: [...at, container.length - 1], op: `push ${describeValue(x)} onto ${at.join('.') || '(root)'}` };
  }
  if (isRecord(container)) {
    const key = r.chance(0.8) ? r.pick(EXTRA_KEYS) : r.hex(6);
    defineOwn(container, key, x);
    return { value: v, path: [...at, key], op: `add ${at.join('.') || '(root)'}[${JSON.stringify(key)}] = ${describeValue(x)}` };
  }
  return { value: hostile(r), path: [], op: 'replace the whole value' };
}

/** capsule_hash recomputed, as a forger without the signing key would do. */
function reseal(v: Json): Json {
  const c = structuredClone(v);
  if (isRecord(c)) try { defineOwn(c, 'capsule_hash', capsuleHash(c)); } catch { /* not canonicalizable: leave it */ }
  return c;
}
/** Also the inner hashes (trace_spec_hash, statement.trace_spec_hash, statement_hash), so the statement and STARK layers are reached. */
function deepReseal(v: Json): Json {
  const c = structuredClone(v);
  if (!isRecord(c)) return c;
  try {
    if (isRecord(c['trace_spec'])) defineOwn(c, 'trace_spec_hash', jcsHash(c['trace_spec']));
    const s = c['statement'];
    if (isRecord(s)) {
      if (typeof c['trace_spec_hash'] === 'string') defineOwn(s, 'trace_spec_hash', c['trace_spec_hash']);
      defineOwn(c, 'statement_hash', jcsHash(s));
    }
  } catch { /* leave the rest */ }
  return reseal(c);
}

/**
 * May a resealed, unsigned capsule changed at `path` still be accepted? Only where the verifier has
 * nothing to recompute: the prover's declared times, stages and backend, and a k_samples at or above
 * the policy's k (sampling more chunks is not weaker). stats.options, security_bits and proof_bytes
 * are checked against the proof.
 */
const DECLARED = (path: Path): boolean =>
  (path[0] === 'proofs' && ((path[2] === 'stats' && ['prove_ms', 'verify_ms', 'stages'].includes(String(path[3]))) || path[2] === 'backend'))
  || (path[0] === 'da_policy' && path[1] === 'k_samples');

/** The record-typed capsule fields, where zod would skip a "__proto__" member. */
const RECORD_FIELDS = ['proofs', 'anchors', 'statement.anchors', 'statement.public_inputs'];

// ---- Report checking. ----
type Want = 'accept' | 'reject' | 'either';
interface Tally {
  cases: number;
  accepted: number;
  /** A few accepted 'either' cases (changes to what the capsule only declares), for the log. */
  declared: string[];
  codes: Record<string, number>;
  failures: string[];
}
const tally = (): Tally => ({ cases: 0, accepted: 0, declared: [], codes: {}, failures: [] });

/** What is wrong with a report's shape, if anything. */
function reportProblem(rep: unknown): string | undefined {
  if (!isRecord(rep)) return `not a report: ${String(rep)}`;
  if (typeof rep['message'] !== 'string' || !Array.isArray(rep['checks'])) return 'report lacks message/checks';
  if (rep['status'] === 'accepted') return rep['code'] === null ? undefined : `accepted with code ${String(rep['code'])}`;
  if (rep['status'] !== 'rejected') return `status ${String(rep['status'])}`;
  return typeof rep['code'] === 'string' && Object.hasOwn(ERROR_CODES, rep['code']) ? undefined : `rejected with code ${String(rep['code'])}`;
}

async function expectReport(t: Tally, label: string, run: () => Promise<VerifyReport>, want: Want): Promise<void> {
  t.cases++;
  let rep: VerifyReport;
  try {
    rep = await run();
  } catch (e) {
    t.failures.push(`${label}: THREW ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return;
  }
  const bad = reportProblem(rep);
  if (bad) {
    t.failures.push(`${label}: ${bad}`);
    return;
  }
  if (rep.status === 'rejected') t.codes[rep.code!] = (t.codes[rep.code!] ?? 0) + 1;
  else {
    t.accepted++;
    if (want === 'either' && t.declared.push(label) > 3) t.declared.splice(1, 1); // keep the first and the last two
  }
  if (want === 'reject' && rep.status === 'accepted') t.failures.push(`${label}: ACCEPTED a changed capsule (${rep.message})`);
  if (want === 'accept' && rep.status === 'rejected') t.failures.push(`${label}: rejected a meaning-preserving change (${rep.code}: ${rep.message})`);
}

/** Runs `fn`, recording anything it throws that `allowed` does not admit. */
function expectOnly<T>(t: Tally, label: string, allowed: (e: unknown) => boolean, fn: () => T): { ok: true; value: T } | { ok: false } {
  t.cases++;
  try {
    const value = fn();
    t.accepted++;
    return { ok: true, value };
  } catch (e) {
    const name = e instanceof Error ? e.name : typeof e;
    t.codes[name] = (t.codes[name] ?? 0) + 1;
    if (!allowed(e)) t.failures.push(`${label}: threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    return { ok: false };
  }
}

function finish(name: string, t: Tally): void {
  const codes = Object.entries(t.codes).sort(([a], [b]) => a.localeCompare(b)).map(([c, n]) => `${c}×${n}`).join(' ');
  console.log(`[capsule-fuzz] ${name}: ${t.cases} cases, ${t.accepted} accepted/ok; ${codes}`);
  if (t.declared.length) console.log(`[capsule-fuzz]   accepted changes to declared-only fields, e.g.: ${t.declared.join(' | ')}`);
  expect(t.failures.slice(0, 15)).toEqual([]);
  expect(t.failures.length).toBe(0);
}

// ---- Fixtures. ----
const KEY: KeyFile = (() => {
  const sk = '3f'.repeat(32);
  return { schema: 'capseal_secp256k1_key_v1', private_key: sk, public_key: bytesToHex(secp256k1.getPublicKey(hexToBytes(sk), true)) };
})();
const ACL: Acl = parseAcl({ schema: 'bef_acl_v1', policies: { capseal_default: [{ pubkey: KEY.public_key, status: 'active' }] } });
const hashOf = (s: string): string => sha256Hex(enc.encode(s));
const agentLog = (n: number) => Array.from({ length: n }, (_, i) => ({
  action_type: i % 3 ? 'tool_call' : 'code_gen', instruction_hash: hashOf(`i${i}`), input_hash: hashOf(`in${i}`), output_hash: hashOf(`out${i}`),
  success: i % 7 !== 0, gate_decision: i % 5 ? 'allow' : 'skip', gate_score: i % 2 ? 0.5 : null, policy_verdict: i % 4 ? 'ok' : null,
}));

interface Base {
  dir: Dir;
  bytes: Uint8Array;
  value: Json;
  opts: VerifyCapsuleOptions;
  signed: boolean;
}
let k: Kernels;
let unsigned: Base;
let signedBase: Base;
let agent: { dir: Dir; bytes: Uint8Array; value: Json; actions: Json; capsule: Json };
const verify = (b: Uint8Array, files: CapsuleFiles, opts: VerifyCapsuleOptions = {}) => verifyCapsule(k, b, files, opts);

/**
 * The capsule with its measured times (the only run-to-run differences) fixed, resealed and re-signed
 * (RFC 6979: deterministic), so capsule.json, and with it every mutation below, is the same on every run.
 */
function normalize(m: MadeCapsule, key?: KeyFile): Record<string, unknown> {
  const c = structuredClone(m.capsule) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const e of Object.values(c['proofs'] as Record<string, any>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
    e.stats.prove_ms = 100;
    e.stats.verify_ms = 10;
    (e.stats.stages as { ms: number }[]).forEach((st, i) => (st.ms = i));
  }
  delete c['authorship'];
  c['capsule_hash'] = capsuleHash(c);
  if (key) c['authorship'] = signCapsuleHash(c['capsule_hash'] as string, key);
  m.dir.set('capsule.json', pretty(c));
  return c;
}

beforeAll(async () => {
  k = await Kernels.load();
  const mk = async (key: KeyFile | undefined, opts: VerifyCapsuleOptions): Promise<Base> => {
    const m = await makeCapsule(k, 'geom', { steps: 64 }, { chunkLen: 64, ...(key ? { key } : {}) });
    normalize(m, key);
    const bytes = m.dir.get('capsule.json')!;
    return { dir: m.dir, bytes, value: parse(bytes), opts, signed: key !== undefined };
  };
  unsigned = await mk(undefined, {});
  signedBase = await mk(KEY, { acl: ACL });
  const actions = agentLog(64); // 2^6 rows, as geom with 64 steps: 8 chunks of 64 committed rows
  const m = await makeCapsule(k, 'agent', actions, { chunkLen: 64 });
  const capsule = normalize(m);
  const sealed = { capsule: capsule as unknown as Capsule, files: [], timing: { trace_ms: 1, prove_ms: 2, verify_ms: 3, commit_ms: 4 } } satisfies Sealed;
  const agentBytes = pretty(agentCapsule(sealed));
  m.dir.set('agent_capsule.json', agentBytes);
  agent = { dir: m.dir, bytes: agentBytes, value: parse(agentBytes), actions, capsule };
});

describe('capsule fuzz: the fixtures verify', () => {
  it('unsigned, signed (with its ACL) and agent capsules are accepted; every chunk is audited', async () => {
    for (const b of [unsigned, signedBase]) {
      const rep = await verify(b.bytes, memFiles(b.dir), b.opts);
      expect(rep.status, rep.message).toBe('accepted');
      expect(rep.message).toContain('self-audit 8/8 chunks'); // so a changed chunk file is always sampled
    }
    const rep = await verifyAgentCapsule(k, agent.bytes, memFiles(agent.dir), { actions: agent.actions });
    expect(rep.status, rep.message).toBe('accepted');
    expect(rep.message).toContain('8/8 chunks');
  });
});

describe('capsule fuzz: "__proto__" members', () => {
  // zod records skip an own "__proto__" member; the verifier refuses anything the schema did not read.
  // Each capsule is the fixture plus one "__proto__" member, resealed (unsigned).
  it.each(RECORD_FIELDS)('a "__proto__" member added to %s is rejected', async (where) => {
    const c = structuredClone(unsigned.value);
    defineOwn(getAt(c, where.split('.')) as object, '__proto__', 'not bound by the proof');
    const sealed = reseal(c) as { statement: unknown; statement_hash: string };
    if (where.startsWith('statement.')) expect(jcsHash(sealed.statement)).not.toBe(sealed.statement_hash); // the statement as written is not the one proved
    const rep = await verify(pretty(sealed), memFiles(unsigned.dir));
    expect(rep.status, rep.message).toBe('rejected');
  });
});

describe('capsule fuzz: verifyCapsule never throws, and rejects what changed', () => {
  it(`1. capsule.json bytes: ${N_BYTES} byte-level mutations`, async () => {
    const r = new Rng(0xc0ffee01), t = tally(), origCanon = canon(unsigned.value), files = memFiles(unsigned.dir);
    for (let i = 0; i < N_BYTES; i++) {
      const { bytes, op } = mutateBytesN(r, unsigned.bytes, true);
      const j = strictJson(bytes);
      const want: Want = j.ok && canon(j.value) === origCanon ? 'accept' : 'reject';
      await expectReport(t, `family 1 case ${i} (${op})`, () => verify(bytes, files), want);
    }
    finish('1 capsule.json bytes', t);
    expect(t.codes['E001_MALFORMED_CAPSULE']).toBeGreaterThan(0);
    expect(t.codes['E011_CAPSULE_HASH_MISMATCH']).toBeGreaterThan(0);
  });

  it(`2. structural capsule mutations: ${N_STRUCT} × (as-is, resealed, deep-resealed) = ${3 * N_STRUCT} verifications, unsigned and signed+ACL`, async () => {
    const r = new Rng(0xc0ffee02), t = tally();
    for (let i = 0; i < N_STRUCT; i++) {
      const base = i % 2 === 0 ? unsigned : signedBase;
      const files = memFiles(base.dir), origCanon = canon(base.value);
      const m = mutateValue(r, base.value);
      for (const [variant, value] of [['as-is', m.value], ['resealed', reseal(m.value)], ['deep-resealed', deepReseal(m.value)]] as const) {
        const changed = canon(value) !== origCanon;
        const want: Want = !changed ? 'accept'
          : variant === 'as-is' || base.signed ? 'reject'
          : DECLARED(m.path) ? 'either'
          : 'reject';
        const bytes = pretty(value);
        await expectReport(t, `family 2 case ${i} ${base.signed ? 'signed' : 'unsigned'} ${variant} (${m.op})`, () => verify(bytes, files, base.opts), want);
      }
    }
    finish('2 structural', t);
    // The deep variants reach the layers after the capsule hash.
    for (const code of ['E001_MALFORMED_CAPSULE', 'E011_CAPSULE_HASH_MISMATCH', 'E053_PROOF_STATEMENT_MISMATCH', 'E054_PROOF_INVALID', 'E071_SIGNATURE_INVALID'] as const)
      expect(t.codes[code], code).toBeGreaterThan(0);
  });

  it(`3. artifact bytes with hashes recomputed and resealed: ${N_ARTIFACT} mutations of proofs, chunk roots, chunks and policy`, async () => {
    const r = new Rng(0xc0ffee03), t = tally();
    const b = unsigned, cap = b.value as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const entry = cap['proofs'].geom;
    const BIN = entry.formats.bin.path as string, JSONP = entry.formats.json.path as string;
    const ROOTS_BIN = cap['row_index_ref'].chunk_roots_bin as string, ROOTS_JSON = cap['row_index_ref'].chunk_roots_json as string;
    const POLICY = cap['policy'].policy_path as string, CHUNKS = cap['chunk_meta'].chunks_path as string;
    const kinds = ['proof.bin', 'proof.json', 'chunk_roots.bin', 'chunk_roots.json', 'chunk', 'policy'] as const;
    const origProofJson = canon(parse(b.dir.get(JSONP)!)), origRootsJson = canon(parse(b.dir.get(ROOTS_JSON)!));

    for (let i = 0; i < N_ARTIFACT; i++) {
      const kind = kinds[i % kinds.length]!;
      const consistent = r.chance(0.5); // also regenerate the companion file, so the pair agrees
      const dir: Dir = new Map(b.dir);
      const c = structuredClone(cap);
      const fmt = (f: { path: string; sha256_payload_hash: string; size_bytes: number }, bytes: Uint8Array) => {
        dir.set(f.path, bytes);
        f.sha256_payload_hash = sha256Hex(bytes);
        f.size_bytes = bytes.length;
      };
      let path: string, want: Want = 'reject', op: string;
      if (kind === 'chunk') path = `${CHUNKS}/${r.int(8)}.bin`;
      else path = { 'proof.bin': BIN, 'proof.json': JSONP, 'chunk_roots.bin': ROOTS_BIN, 'chunk_roots.json': ROOTS_JSON, policy: POLICY }[kind];
      const orig = b.dir.get(path)!;
      const isJson = kind === 'proof.json' || kind === 'chunk_roots.json' || kind === 'policy';
      // Mostly byte edits; for the JSON files also structural edits of their value.
      let mutated: Uint8Array;
      if (isJson && r.chance(0.4)) {
        const m = mutateValue(r, parse(orig));
        mutated = pretty(m.value);
        op = m.op;
      } else ({ bytes: mutated, op } = mutateBytesN(r, orig, isJson));
      const g = c['proofs'].geom.formats;
      switch (kind) {
        case 'proof.bin': {
          fmt(g.bin, mutated);
          if (consistent) {
            try {
              fmt(g.json, pretty(proofToJson(decodeProof(mutated))));
              op += ' (+ matching JSON)';
            } catch { /* not decodable: the JSON stays the original */ }
          }
          want = sameBytes(mutated, orig) ? 'accept' : 'reject';
          break;
        }
        case 'proof.json': {
          fmt(g.json, mutated);
          const j = strictJson(mutated);
          let bin = b.dir.get(BIN)!;
          if (consistent && j.ok) {
            try {
              bin = encodeProof(proofFromJson(j.value));
              fmt(g.bin, bin);
              op += ' (+ matching binary)';
            } catch { /* not a proof: the binary stays the original */ }
          }
          // Equal JSON value and binary: the same proof, only re-spaced.
          want = j.ok && canon(j.value) === origProofJson && sameBytes(bin, b.dir.get(BIN)!) ? 'accept' : 'reject';
          break;
        }
        case 'chunk_roots.bin': {
          dir.set(path, mutated);
          c['row_index_ref'].chunk_roots_digest = sha256Hex(mutated);
          if (consistent && mutated.length % 32 === 0) {
            const roots = Array.from({ length: mutated.length / 32 }, (_, j) => bytesToHex(mutated.subarray(32 * j, 32 * j + 32)));
            dir.set(ROOTS_JSON, pretty({ schema: 'capseal_chunk_roots_v1', chunk_roots: roots }));
            op += ' (+ matching JSON)';
          }
          want = sameBytes(mutated, orig) ? 'accept' : 'reject';
          break;
        }
        case 'chunk_roots.json': {
          // Not hashed by the capsule: it must agree with chunk_roots.bin, so only a re-spacing passes.
          dir.set(path, mutated);
          const j = strictJson(mutated);
          want = j.ok && canon(j.value) === origRootsJson ? 'accept' : 'reject';
          break;
        }
        case 'chunk':
          dir.set(path, mutated); // every chunk is sampled (8 of 8), so any change is caught
          want = sameBytes(mutated, orig) ? 'accept' : 'reject';
          break;
        case 'policy':
          dir.set(path, mutated);
          c['policy'].policy_hash = sha256Hex(mutated);
          if (consistent) {
            c['statement'].policy_hash = c['policy'].policy_hash; // the statement changes, so the STARK must fail
            c['statement_hash'] = jcsHash(c['statement']);
            op += ' (+ statement re-hashed)';
          }
          want = sameBytes(mutated, orig) ? 'accept' : 'reject';
          break;
      }
      const bytes = pretty(reseal(c));
      await expectReport(t, `family 3 case ${i} ${kind} ${path} (${op})`, () => verify(bytes, memFiles(dir)), want);
    }
    // Each named file missing, and each chunk missing.
    for (const p of [BIN, JSONP, ROOTS_BIN, ROOTS_JSON, POLICY, ...Array.from({ length: 8 }, (_, j) => `${CHUNKS}/${j}.bin`)]) {
      const dir: Dir = new Map(b.dir);
      dir.delete(p);
      await expectReport(t, `family 3 missing ${p}`, () => verify(b.bytes, memFiles(dir)), 'reject');
    }
    finish('3 artifacts', t);
    for (const code of ['E030_POLICY_HASH_MISMATCH', 'E040_ARTIFACT_MISSING', 'E042_PROOF_DECODE_ERROR', 'E054_PROOF_INVALID', 'E060_ROW_INDEX_MISMATCH', 'E061_CHUNK_ROOTS_DIGEST_MISMATCH', 'E081_DA_CHUNK_MISMATCH'] as const)
      expect(t.codes[code], code).toBeGreaterThan(0);
  });
});

describe('capsule fuzz: hostile CapsuleFiles readers', () => {
  it('a reader that throws (synchronously or not), rejects, or returns non-bytes at any read never makes either verifier throw', async () => {
    const t = tally();
    // Read n (0-based) fails in one of these ways; the other reads are real.
    const failures: [string, (p: string) => Promise<Uint8Array | null>][] = [
      ['throws synchronously', (p) => { throw new Error(`sync ${p}`); }],
      ['rejects', async (p) => { throw new Error(`async ${p}`); }],
      ['rejects with a non-Error', () => Promise.reject(42 as unknown as Error)],
      ['returns a string', async () => 'not bytes' as unknown as Uint8Array],
      ['returns undefined', async () => undefined as unknown as null],
      ['returns a plain array', async () => [1, 2, 3] as unknown as Uint8Array],
      ['returns empty bytes', async () => new Uint8Array(0)],
      ['returns null', async () => null],
    ];
    const reader = (dir: Dir, n: number, fail: (p: string) => Promise<Uint8Array | null>, count?: { reads: number }): CapsuleFiles => {
      let reads = 0;
      const real = memFiles(dir);
      return { read: (p, max) => (count && count.reads++, reads++ === n ? fail(p) : real.read(p, max)) };
    };
    // How many reads a clean run makes: failing any one of them must reject, failing none accepts.
    const capsuleReads = { reads: 0 }, agentReads = { reads: 0 };
    await verify(unsigned.bytes, reader(unsigned.dir, -1, async () => null, capsuleReads));
    await verifyAgentCapsule(k, agent.bytes, reader(agent.dir, -1, async () => null, agentReads), { actions: agent.actions });
    expect(capsuleReads.reads).toBe(13); // policy, 2 proof files, 2 chunk-root files, 8 chunks
    expect(agentReads.reads).toBe(14); // and capsule.json
    for (const [how, fail] of failures) {
      for (let n = 0; n <= 14; n++) {
        await expectReport(t, `verifyCapsule, read ${n} ${how}`, () => verify(unsigned.bytes, reader(unsigned.dir, n, fail)), n < capsuleReads.reads ? 'reject' : 'accept');
        await expectReport(t, `verifyAgentCapsule, read ${n} ${how}`, () => verifyAgentCapsule(k, agent.bytes, reader(agent.dir, n, fail), { actions: agent.actions }),
          n < agentReads.reads ? 'reject' : 'accept');
      }
    }
    finish('hostile readers', t);
  });
});

describe('capsule fuzz: the decoders throw only their own errors', () => {
  const isProofErr = (e: unknown) => e instanceof ProofDecodeError;
  const isRangeErr = (e: unknown) => e instanceof RangeError;
  /** Values no JSON parser yields, for the functions documented to take anything. */
  const exotic = (): unknown[] => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const getter = {};
    for (const key of ['schema', 'scheme', 'pubkey', 'signature', 'format', 'policy_hash', 'root', 'audit_path'])
      Object.defineProperty(getter, key, { enumerable: true, get: () => { throw new Error('getter'); } });
    const trap = () => { throw new Error('trap'); };
    const proxy = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
    return [undefined, 1n, Symbol('s'), () => 1, new Map([['a', 1]]), new Set([1]), new Uint8Array(4), new Date(0), /x/, NaN, Infinity, -Infinity, cyclic, getter, proxy,
      Object.create(null) as unknown, new (class X { a = 1; })(), [, 1], new Proxy([], { get: trap })];
  };

  it(`4a. decodeProof: ${N_PROOF_BIN} mutated proofs and ${N_PROOF_RANDOM} random byte strings; encode(decode(b)) = b when it decodes`, () => {
    const r = new Rng(0xc0ffee04), t = tally(), bin = unsigned.dir.get('proofs/geom.proof.bin')!;
    const check = (label: string, bytes: Uint8Array) => {
      const d = expectOnly(t, label, isProofErr, () => decodeProof(bytes));
      if (!d.ok) return;
      try {
        if (!sameBytes(encodeProof(d.value), bytes)) t.failures.push(`${label}: decodes, but re-encodes to other bytes`);
      } catch (e) {
        t.failures.push(`${label}: decodes, but encodeProof throws ${(e as Error).message}`);
      }
    };
    for (let i = 0; i < N_PROOF_BIN; i++) {
      const { bytes, op } = mutateBytesN(r, bin, false);
      check(`decodeProof case ${i} (${op})`, bytes);
    }
    for (let i = 0; i < N_PROOF_RANDOM; i++) {
      // Half keep a valid header prefix, so the random part meets the length and count fields.
      const prefix = r.chance(0.5) ? bin.slice(0, r.int(80)) : new Uint8Array(0);
      const bytes = Uint8Array.from([...prefix, ...r.bytes(r.int(r.chance(0.2) ? 20_000 : 600))]);
      check(`decodeProof random ${i} (prefix ${prefix.length}, ${bytes.length} bytes)`, bytes);
    }
    for (const [i, v] of exotic().entries()) expectOnly(t, `decodeProof exotic ${i}`, isProofErr, () => decodeProof(v as Uint8Array));
    finish('4a decodeProof', t);
    expect(t.accepted).toBeGreaterThan(0); // some mutations (in field elements, digests) still decode
  });

  it(`4b. proofFromJson: ${N_PROOF_JSON} structural mutations and exotic values; proofToJson(proofFromJson(j)) = j when it decodes`, () => {
    const r = new Rng(0xc0ffee05), t = tally(), base = parse(unsigned.dir.get('proofs/geom.proof.json')!);
    for (let i = 0; i < N_PROOF_JSON; i++) {
      const m = mutateValue(r, base);
      const d = expectOnly(t, `proofFromJson case ${i} (${m.op})`, isProofErr, () => proofFromJson(m.value));
      if (d.ok && canon(proofToJson(d.value)) !== canon(m.value)) t.failures.push(`proofFromJson case ${i} (${m.op}): decodes, but to another JSON form`);
    }
    for (const [i, v] of exotic().entries()) expectOnly(t, `proofFromJson exotic ${i}`, isProofErr, () => proofFromJson(v));
    finish('4b proofFromJson', t);
  });

  it(`4c. parseCanonicalInput: ${N_CANON} mutated JSON texts, differential against JSON.parse`, () => {
    const r = new Rng(0xc0ffee06), t = tally();
    const texts = [unsigned.bytes, unsigned.dir.get('policy.json')!, unsigned.dir.get('row_archive/chunk_roots.json')!, agent.bytes,
      enc.encode('{"a":[1,-0.5e-3,1E+2,true,false,null,"\\u00e9\\n\\"\\\\\\/",{"":{}}],"b":"\u{1f600}","c":9007199254740992,"d":-9007199254740992}')];
    const MAY_REFUSE = /duplicate|lone surrogate|2\^53|overflows|nesting deeper/;
    for (let i = 0; i < N_CANON; i++) {
      const src = texts[i % texts.length]!;
      const { bytes, op } = mutateBytesN(r, src, true);
      let text = dec.decode(bytes); // invalid UTF-8 becomes U+FFFD
      if (r.chance(0.1)) {
        const at = r.int(text.length + 1);
        text = text.slice(0, at) + r.pick(['\ud800', '\udfff', '\u2028', '\ufeff', '\u0000']) + text.slice(at);
      }
      const label = `parseCanonicalInput case ${i} (${op})`;
      const p = expectOnly(t, label, (e) => e instanceof CanonicalJsonError, () => parseCanonicalInput(text));
      let reference: { ok: true; value: unknown } | { ok: false };
      try {
        reference = { ok: true, value: JSON.parse(text) };
      } catch {
        reference = { ok: false };
      }
      if (p.ok && !reference.ok) t.failures.push(`${label}: accepted text JSON.parse refuses`);
      if (p.ok && reference.ok && canon(p.value) !== canon(reference.value)) t.failures.push(`${label}: parses to another value than JSON.parse`);
      if (!p.ok && reference.ok) {
        try {
          parseCanonicalInput(text);
        } catch (e) {
          if (!MAY_REFUSE.test((e as Error).message)) t.failures.push(`${label}: refused valid JSON: ${(e as Error).message}`);
        }
      }
    }
    finish('4c parseCanonicalInput', t);
  });

  it(`4d. parsePolicy (${N_POLICY}), parseAcl (${N_ACL}), checkInclusion (${N_INCL}), verifyAuthorship (${N_AUTH}) on mutated and exotic values`, () => {
    const r = new Rng(0xc0ffee07);
    // parsePolicy: bytes, by byte edits and by structural edits of its value.
    const tp = tally(), policy = unsigned.dir.get('policy.json')!;
    for (let i = 0; i < N_POLICY; i++) {
      const structural = i % 2 === 1;
      const m = structural ? mutateValue(r, parse(policy)) : undefined;
      const { bytes, op } = m ? { bytes: pretty(m.value), op: m.op } : mutateBytesN(r, policy, true);
      expectOnly(tp, `parsePolicy case ${i} (${op})`, isRangeErr, () => parsePolicy(bytes));
    }
    finish('4d parsePolicy', tp);

    // parseAcl, and signerStatus on what parses.
    const ta = tally();
    const aclValue = { schema: 'bef_acl_v1', policies: { capseal_default: [{ pubkey: KEY.public_key, status: 'active' }, { pubkey: '02'.padEnd(66, '1'), status: 'revoked' }], other: [] } };
    aclValue.policies.capseal_default[1]!.pubkey = bytesToHex(secp256k1.getPublicKey(hexToBytes('44'.repeat(32)), false)).toUpperCase();
    for (let i = 0; i < N_ACL; i++) {
      const m = mutateValue(r, aclValue);
      const a = expectOnly(ta, `parseAcl case ${i} (${m.op})`, isRangeErr, () => parseAcl(m.value));
      if (a.ok) {
        const id = r.pick(['capseal_default', 'other', '__proto__', 'constructor', 'toString', '', 'missing']);
        const key = r.pick([KEY.public_key, KEY.public_key.toUpperCase(), 'zz', '', '04'.padEnd(130, '0'), r.hex(66)]);
        try {
          const s = signerStatus(a.value, id, key);
          if (!['active', 'revoked', 'absent'].includes(s)) ta.failures.push(`signerStatus case ${i}: ${String(s)}`);
        } catch (e) {
          ta.failures.push(`signerStatus case ${i} (${m.op}; ${id}, ${key}): threw ${(e as Error).message}`);
        }
      }
    }
    finish('4d parseAcl', ta);

    // checkInclusion: never throws; whatever it accepts places a listed policy under the trusted root.
    const ti = tally();
    const entries: PolicyEntry[] = Array.from({ length: 6 }, (_, j) => ({ policy_id: `p${j}`, policy_version: '1', policy_hash: hashOf(`policy ${j}`) }));
    const registry = buildRegistry(entries);
    const proof = proveInclusion(registry, entries[2]!.policy_hash);
    const listed = new Set(entries.map((e) => e.policy_hash));
    const inclusionCase = (label: string, file: unknown, root: unknown, hash: unknown) => {
      ti.cases++;
      try {
        const res = checkInclusion(file, root as string, hash as string);
        if (!isRecord(res) || typeof res['ok'] !== 'boolean') ti.failures.push(`${label}: returned ${String(res)}`);
        else if (res.ok) {
          ti.accepted++;
          if (root !== registry.root || !listed.has(hash as string)) ti.failures.push(`${label}: accepted a policy that is not under the trusted root`);
        } else if (typeof res.message !== 'string') ti.failures.push(`${label}: no message`);
      } catch (e) {
        ti.failures.push(`${label}: threw ${(e as Error).message}`);
      }
    };
    for (let i = 0; i < N_INCL; i++) {
      const m = mutateValue(r, proof);
      const root = r.chance(0.85) ? registry.root : r.chance(0.5) ? tweak(r, registry.root) : hostile(r);
      const hash = r.chance(0.85) ? proof.policy_hash : r.chance(0.5) ? r.pick(entries).policy_hash : hostile(r);
      inclusionCase(`checkInclusion case ${i} (${m.op})`, m.value, root, hash);
    }
    for (const [i, v] of exotic().entries()) {
      inclusionCase(`checkInclusion exotic file ${i}`, v, registry.root, proof.policy_hash);
      inclusionCase(`checkInclusion exotic root ${i}`, proof, v, proof.policy_hash);
      inclusionCase(`checkInclusion exotic hash ${i}`, proof, registry.root, v);
    }
    finish('4d checkInclusion', ti);

    // verifyAuthorship: never throws, and holds exactly for the unchanged signature over the unchanged hash.
    const tv = tally();
    const sc = signedBase.value as { capsule_hash: string; authorship: unknown };
    const authCase = (label: string, hash: unknown, auth: unknown) => {
      tv.cases++;
      try {
        const res = verifyAuthorship(hash as string, auth);
        const same = hash === sc.capsule_hash && canon(auth) === canon(sc.authorship);
        if (res.ok) tv.accepted++;
        if (res.ok !== same) tv.failures.push(`${label}: ok = ${res.ok} for ${same ? 'the original' : 'a changed'} signature`);
      } catch (e) {
        tv.failures.push(`${label}: threw ${(e as Error).message}`);
      }
    };
    for (let i = 0; i < N_AUTH; i++) {
      if (i % 4 === 3) {
        const hash = r.chance(0.7) ? tweak(r, sc.capsule_hash) : hostile(r);
        authCase(`verifyAuthorship hash case ${i} (${describeValue(hash)})`, hash, sc.authorship);
      } else {
        const m = mutateValue(r, sc.authorship);
        authCase(`verifyAuthorship case ${i} (${m.op})`, sc.capsule_hash, m.value);
      }
    }
    for (const [i, v] of exotic().entries()) {
      authCase(`verifyAuthorship exotic authorship ${i}`, sc.capsule_hash, v);
      authCase(`verifyAuthorship exotic hash ${i}`, v, sc.authorship);
    }
    finish('4d verifyAuthorship', tv);
  });
});

describe('capsule fuzz: verifyAgentCapsule', () => {
  it(`5. ${N_AGENT} mutations of agent_capsule.json (bytes and structure), the action log, and the capsule under it`, async () => {
    const r = new Rng(0xc0ffee08), t = tally(), files = memFiles(agent.dir);
    const origCanon = canon(agent.value), origActions = canon(agent.actions);
    /** Equal but for `timing`, which the agent capsule declares and nothing can recompute. */
    const timingOnly = (v: unknown): boolean =>
      isRecord(v) && isRecord(agent.value) && canon({ ...v, timing: null }) === canon({ ...agent.value, timing: null });
    const wantFor = (v: { ok: true; value: Json } | { ok: false }): Want =>
      !v.ok ? 'reject' : canon(v.value) === origCanon ? 'accept' : timingOnly(v.value) ? 'either' : 'reject';
    for (let i = 0; i < N_AGENT; i++) {
      const family = i % 4;
      if (family === 0) {
        const { bytes, op } = mutateBytesN(r, agent.bytes, true);
        await expectReport(t, `family 5 case ${i} agent bytes (${op})`, () => verifyAgentCapsule(k, bytes, files, { actions: agent.actions }), wantFor(strictJson(bytes)));
      } else if (family === 1) {
        const m = mutateValue(r, agent.value);
        const bytes = pretty(m.value);
        await expectReport(t, `family 5 case ${i} agent structure (${m.op})`, () => verifyAgentCapsule(k, bytes, files, { actions: agent.actions }), wantFor(strictJson(bytes)));
      } else if (family === 2) {
        const m = mutateValue(r, agent.actions);
        const want: Want = canon(m.value) === origActions ? 'accept' : 'reject';
        await expectReport(t, `family 5 case ${i} action log (${m.op})`, () => verifyAgentCapsule(k, agent.bytes, files, { actions: m.value }), want);
      } else {
        // The capsule under it, resealed (deeply), with the agent capsule's capsule_hash following it.
        const m = mutateValue(r, agent.capsule);
        const capsule = r.chance(0.5) ? reseal(m.value) : deepReseal(m.value);
        const a = structuredClone(agent.value) as { capsule: { capsule_hash: unknown } };
        if (isRecord(capsule)) a.capsule.capsule_hash = capsule['capsule_hash'];
        const dir: Dir = new Map(agent.dir);
        dir.set('capsule.json', pretty(capsule));
        const bytes = pretty(a);
        const changed = canon(capsule) !== canon(agent.capsule);
        const want: Want = !changed ? 'accept' : DECLARED(m.path) ? 'either' : 'reject';
        await expectReport(t, `family 5 case ${i} capsule under it (${m.op})`, () => verifyAgentCapsule(k, bytes, memFiles(dir), { actions: agent.actions }), want);
      }
    }
    finish('5 agent', t);
    for (const code of ['E001_MALFORMED_CAPSULE', 'E053_PROOF_STATEMENT_MISMATCH'] as const) expect(t.codes[code], code).toBeGreaterThan(0);
  });
});
