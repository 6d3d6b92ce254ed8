// The capsule verifier (src/capsule/verify.ts) against sealed capsules: honest GEOM, FIB and AGENT
// capsules verify; every error code of src/capsule/codes.ts has a test that triggers it; every field
// of the capsule is tampered with, once as is and once with every hash an attacker can recompute
// (trace spec, statement, capsule), so the deeper layers are reached; artifacts, archive, policy and
// authorship likewise. Declared measurements (stats, backend) are bound by the signature alone.
import { readFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAcl } from '../src/capsule/acl.js';
import { generateKeyFile, signCapsuleHash, type KeyFile } from '../src/capsule/authorship.js';
import { capsuleHash } from '../src/capsule/capsule.js';
import { ERROR_CODES, type ErrorCode } from '../src/capsule/codes.js';
import { auditSeed, daSampleCount, sampleChunks } from '../src/capsule/da.js';
import { DEFAULT_POLICY_TEXT } from '../src/capsule/policy.js';
import { buildRegistry, proveInclusion } from '../src/capsule/registry.js';
import { verifyCapsule, type CapsuleFiles, type VerifyCapsuleOptions, type VerifyReport } from '../src/capsule/verify.js';
import { AGENT_ADAPTER, AGENT_V1_ADAPTER, GEOM_ADAPTER, type AnyTraceAdapter } from '../src/capsule/adapter.js';
import { agentCapsule, verifyAgentCapsule } from '../src/capsule/agent-capsule.js';
import type { Capsule } from '../src/capsule/capsule.js';
import { sealCapsule, type Sealed } from '../src/capsule/seal.js';
import { createNodeCpuBackend } from '../src/prover/node.js';
import { DEFAULT_OPTIONS, DEFAULT_SECURITY_BITS, securityBits, TEST_OPTIONS_INSECURE } from '../src/stark/options.js';
import { sha256Hex } from '../src/hash/digest.js';
import { Kernels } from '../src/wasm/kernels.js';
import { clone, jsonBytes, makeCapsule, makeCheatedCapsule, memFiles, recordArtifact, rehashInner, type Dir, type MadeCapsule } from './helpers/capsule.js';
import { agentLog } from '../bench/prove.js';

type Json = Record<string, unknown>;
let k: Kernels;
let geom: MadeCapsule, signed: MadeCapsule, fib: MadeCapsule, agent: MadeCapsule;
let key: KeyFile;
const used = new Set<ErrorCode>();

const ANCHORS = { dataset_hash: 'a'.repeat(64), run: 'ci-1' };
const GEOM_INPUT = { steps: 64 };

beforeAll(async () => {
  k = await Kernels.load();
  key = generateKeyFile();
  geom = await makeCapsule(k, 'geom', GEOM_INPUT, { chunkLen: 32, anchors: ANCHORS });
  signed = await makeCapsule(k, 'geom', GEOM_INPUT, { chunkLen: 32, anchors: ANCHORS, key });
  fib = await makeCapsule(k, 'fib', { steps: 32 });
  agent = await makeCapsule(k, 'agent', agentLog(5));
}, 120_000);

async function run(m: { dir: Dir }, opts: VerifyCapsuleOptions = {}): Promise<VerifyReport> {
  const r = await verifyCapsule(k, m.dir.get('capsule.json')!, memFiles(m.dir), opts);
  if (r.code) used.add(r.code);
  return r;
}

async function expectCode(m: { dir: Dir }, code: ErrorCode, opts: VerifyCapsuleOptions = {}): Promise<VerifyReport> {
  const r = await run(m, opts);
  expect(r.status, r.message).toBe('rejected');
  expect(r.code, r.message).toBe(code);
  expect(r.checks.at(-1)).toEqual({ name: expect.any(String), ok: false, code });
  expect(r.checks.slice(0, -1).every((c) => c.ok)).toBe(true);
  return r;
}

/** A copy of `base` whose files are edited by `files` and capsule by `edit`, then resealed as `reseal` says. */
function variant(base: MadeCapsule, edit: (c: Json, dir: Dir) => void, reseal: 'none' | 'capsule' | 'all' = 'all', edited = ''): { dir: Dir; capsule: Json } {
  const dir: Dir = new Map([...base.dir].map(([p, b]) => [p, b.slice()]));
  const c = clone(base.capsule);
  edit(c, dir);
  if (reseal === 'all') rehashInner(c, edited);
  if (reseal !== 'none') c['capsule_hash'] = capsuleHash(c);
  dir.set('capsule.json', jsonBytes(c));
  return { dir, capsule: c };
}

/** Replaces a file and records its new hash and size wherever the capsule names the path. */
function replaceArtifact(c: Json, dir: Dir, path: string, bytes: Uint8Array): void {
  dir.set(path, bytes);
  recordArtifact(c, path, bytes);
}

const at = (c: Json, path: string): Json => path.split('.').reduce((o: Json, key) => o[key] as Json, c);

describe('honest capsules verify', () => {
  it.each(['geom', 'signed', 'fib', 'agent'])('%s', async (name) => {
    const m = { geom, signed, fib, agent }[name]!;
    const r = await run(m);
    expect(r.status, r.message).toBe('accepted');
    expect(r.code).toBeNull();
    expect(r.checks.map((c) => c.name)).toEqual([
      'parse', 'capsule_hash', 'schema', 'trace_spec', 'policy', 'artifacts', 'row_commitment', 'statement', 'stark', 'row_index',
      ...(name === 'signed' ? ['authorship'] : []), 'da_audit',
    ]);
  });

  it('through a reader that returns Node Buffers (views into a shared pool, as readFileSync gives for small files)', async () => {
    const pooled: CapsuleFiles = { read: async (p) => (geom.dir.has(p) ? Buffer.from(geom.dir.get(p)!) : null) };
    const chunk = geom.dir.get('row_archive/chunks/0.bin')!;
    expect(Buffer.from(chunk).buffer.byteLength).toBeGreaterThan(chunk.length); // the case under test
    const r = await verifyCapsule(k, geom.dir.get('capsule.json')!, pooled);
    expect(r.status, r.message).toBe('accepted');
  });

  it('a proof file is read up to 64 MiB whatever size the capsule records (E041 past it)', async () => {
    const huge = variant(geom, (c) => {
      at(c, 'proofs.geom.formats.bin')['size_bytes'] = 2 ** 40;
    });
    const asked = new Map<string, number>();
    const files: CapsuleFiles = { read: async (p, max) => (asked.set(p, max), huge.dir.get(p)?.slice() ?? null) };
    const r = await verifyCapsule(k, huge.dir.get('capsule.json')!, files);
    expect(r.code, r.message).toBe('E041_ARTIFACT_HASH_MISMATCH');
    expect(asked.get('proofs/geom.proof.bin')).toBe(2 ** 26);
  });

  it('a signed capsule passes an ACL that lists its key as active, with registry inclusion and a challenge audit', async () => {
    const acl = parseAcl({ schema: 'bef_acl_v1', policies: { capseal_default: [{ pubkey: key.public_key, status: 'active' }] } });
    const policyHash = sha256Hex(signed.dir.get('policy.json')!);
    const reg = buildRegistry([{ policy_id: 'x', policy_version: '1', policy_hash: 'b'.repeat(64) }, { policy_id: 'capseal_default', policy_version: '1.0.0', policy_hash: policyHash }]);
    const r = await run(signed, { acl, registry: { root: reg.root, inclusionProof: proveInclusion(reg, policyHash) }, challengeNonce: '00ff' });
    expect(r.status, r.message).toBe('accepted');
    expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['policy_registry', 'authorship', 'acl', 'da_audit']));
    expect(r.message).toMatch(/challenge-audit/);
  });

  it('the DA audit samples k = ceil(ln(1/ε)/δ) distinct chunks, all when fewer, reproducibly, and the nonce changes them', () => {
    expect(daSampleCount(0.1, 1e-6, 64)).toBe(139);
    expect(daSampleCount(0.5, 0.5, 64)).toBe(64);
    const seed = auditSeed({ capsuleHash: 'c'.repeat(64), anchors: {}, policyId: 'p', policyVersion: '1' });
    const s = sampleChunks(seed, 1000, 139);
    expect(new Set(s).size).toBe(139);
    expect(s).toEqual([...s].sort((a, b) => a - b));
    expect(sampleChunks(seed, 1000, 139)).toEqual(s);
    expect(sampleChunks(seed, 8, 139)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const challenged = sampleChunks(auditSeed({ capsuleHash: 'c'.repeat(64), anchors: {}, policyId: 'p', policyVersion: '1', challengeNonce: '01' }), 1000, 139);
    expect(challenged).not.toEqual(s);
  });
});

describe('every error code', () => {
  it('E001_MALFORMED_CAPSULE: not JSON, not an object, duplicate keys, unknown field, bad public inputs', async () => {
    for (const bytes of ['{', '[]', 'null', '{"schema":"bef_capsule_v1","schema":"bef_capsule_v1"}'].map((s) => new TextEncoder().encode(s)))
      await expectCode({ dir: new Map([['capsule.json', bytes]]) }, 'E001_MALFORMED_CAPSULE');
    await expectCode(variant(geom, (c) => (c['extra'] = 1)), 'E001_MALFORMED_CAPSULE');
    await expectCode(variant(geom, (c) => (at(c, 'statement.public_inputs')['steps'] = 63)), 'E001_MALFORMED_CAPSULE');
    await expectCode(variant(geom, (c) => at(c, 'policy')['policy_path'] = '../policy.json'), 'E001_MALFORMED_CAPSULE');
  });

  it('E002_UNSUPPORTED_SCHEMA: another schema, an unknown trace format', async () => {
    await expectCode(variant(geom, (c) => (c['schema'] = 'bef_capsule_v2')), 'E002_UNSUPPORTED_SCHEMA');
    await expectCode(variant(geom, (c) => (at(c, 'trace_spec')['trace_format_id'] = 'OTHER_AIR_V1')), 'E002_UNSUPPORTED_SCHEMA');
  });

  it('E010_CAPSULE_HASH_MISSING and E011_CAPSULE_HASH_MISMATCH', async () => {
    await expectCode(variant(geom, (c) => delete c['capsule_hash'], 'none'), 'E010_CAPSULE_HASH_MISSING');
    await expectCode(variant(geom, (c) => (at(c, 'anchors')['run'] = 'ci-2'), 'none'), 'E011_CAPSULE_HASH_MISMATCH');
  });

  it('E030_POLICY_HASH_MISMATCH: another policy file, a missing one, an edited one', async () => {
    await expectCode(geom, 'E030_POLICY_HASH_MISMATCH', { policyBytes: new TextEncoder().encode(`${DEFAULT_POLICY_TEXT} `) });
    await expectCode(variant(geom, (_c, dir) => dir.delete('policy.json')), 'E030_POLICY_HASH_MISMATCH');
    await expectCode(variant(geom, (_c, dir) => dir.set('policy.json', new TextEncoder().encode(DEFAULT_POLICY_TEXT.replace('1.0.0', '1.0.1')))), 'E030_POLICY_HASH_MISMATCH');
  });

  it('E031_POLICY_NOT_IN_REGISTRY: a registry without the policy, a proof against another root', async () => {
    const policyHash = sha256Hex(geom.dir.get('policy.json')!);
    const other = buildRegistry([{ policy_id: 'x', policy_version: '1', policy_hash: 'b'.repeat(64) }]);
    const withIt = buildRegistry([{ policy_id: 'capseal_default', policy_version: '1.0.0', policy_hash: policyHash }]);
    await expectCode(geom, 'E031_POLICY_NOT_IN_REGISTRY', { registry: { root: other.root, inclusionProof: proveInclusion(withIt, policyHash) } });
    await expectCode(geom, 'E031_POLICY_NOT_IN_REGISTRY', { registry: { root: withIt.root, inclusionProof: proveInclusion(other, 'b'.repeat(64)) } });
  });

  it('E040_ARTIFACT_MISSING, E041_ARTIFACT_HASH_MISMATCH, E042_PROOF_DECODE_ERROR', async () => {
    await expectCode(variant(geom, (_c, dir) => dir.delete('proofs/geom.proof.json')), 'E040_ARTIFACT_MISSING');
    await expectCode(variant(geom, (_c, dir) => dir.set('proofs/geom.proof.bin', fib.dir.get('proofs/fib.proof.bin')!)), 'E041_ARTIFACT_HASH_MISMATCH');
    const bin = geom.dir.get('proofs/geom.proof.bin')!;
    await expectCode(variant(geom, (c, dir) => replaceArtifact(c, dir, 'proofs/geom.proof.bin', bin.subarray(0, bin.length - 1))), 'E042_PROOF_DECODE_ERROR');
    // Binary and JSON forms of different proofs.
    await expectCode(variant(geom, (c, dir) => replaceArtifact(c, dir, 'proofs/geom.proof.json', fib.dir.get('proofs/fib.proof.json')!)), 'E042_PROOF_DECODE_ERROR');
  });

  it('E050_STATEMENT_HASH_MISMATCH', async () => {
    await expectCode(variant(geom, (c) => (at(c, 'statement.anchors')['run'] = 'ci-2'), 'capsule'), 'E050_STATEMENT_HASH_MISMATCH');
  });

  it('E053_PROOF_STATEMENT_MISMATCH: trace spec hash, proof of another run, statement cross-binding', async () => {
    await expectCode(variant(geom, (c) => (c['trace_spec_hash'] = 'd'.repeat(64)), 'capsule'), 'E053_PROOF_STATEMENT_MISMATCH');
    // Both proof files of another run (same trace, other anchors: another statement, another root? no — same root) …
    const otherRoot = await makeCapsule(k, 'geom', { steps: 64, initial: [['2', '0'], ['0', '1']] }, { chunkLen: 32 });
    await expectCode(variant(geom, (c, dir) => {
      for (const ext of ['bin', 'json']) replaceArtifact(c, dir, `proofs/geom.proof.${ext}`, otherRoot.dir.get(`proofs/geom.proof.${ext}`)!);
    }), 'E053_PROOF_STATEMENT_MISMATCH');
    await expectCode(variant(geom, (c) => (at(c, 'anchors')['run'] = 'ci-2')), 'E053_PROOF_STATEMENT_MISMATCH');
    await expectCode(variant(geom, (c) => (at(c, 'statement')['policy_hash'] = 'e'.repeat(64))), 'E053_PROOF_STATEMENT_MISMATCH');
  });

  it('E054_PROOF_INVALID: the proof of statement A under statement B (public inputs, anchors)', async () => {
    await expectCode(variant(geom, (c) => (at(c, 'statement.public_inputs')['final_acc'] = '1')), 'E054_PROOF_INVALID');
    await expectCode(variant(geom, (c) => {
      at(c, 'statement.anchors')['run'] = 'ci-2';
      at(c, 'anchors')['run'] = 'ci-2';
    }), 'E054_PROOF_INVALID');
  });

  it('E055_NOVA_STATE_MISMATCH and E057_RECURSION_UNSUPPORTED', async () => {
    await expectCode(variant(geom, (c) => Object.assign(c, { nova_stats: { nova_state: 'f'.repeat(64) }, trace_commitment: 'e'.repeat(64) })), 'E055_NOVA_STATE_MISMATCH');
    await expectCode(variant(geom, (c) => Object.assign(c, { nova_stats: { nova_state: 'f'.repeat(64) }, trace_commitment: 'f'.repeat(64) })), 'E057_RECURSION_UNSUPPORTED');
  });

  it("E056_SECURITY_BELOW_MINIMUM: the caller's minimum and the policy's", async () => {
    await expectCode(geom, 'E056_SECURITY_BELOW_MINIMUM', { minSecurityBits: 101 });
    // sealCapsule refuses to seal below the policy's floor; a capsule made elsewhere is caught here.
    const strict = new TextEncoder().encode(DEFAULT_POLICY_TEXT.replace('"min_security_bits": 100', '"min_security_bits": 120'));
    await expectCode(variant(geom, (c, dir) => {
      dir.set('policy.json', strict);
      at(c, 'policy')['policy_hash'] = at(c, 'statement')['policy_hash'] = sha256Hex(strict);
    }), 'E056_SECURITY_BELOW_MINIMUM');
  });

  it('E056_SECURITY_BELOW_MINIMUM: a floor of 100 bits even when the capsule\'s own policy sets none', async () => {
    const lax = jsonBytes({ schema: 'capseal_policy_v1', policy_id: 'lab', policy_version: '1' });
    const weak = await makeCapsule(k, 'geom', GEOM_INPUT, { policyBytes: lax, options: TEST_OPTIONS_INSECURE });
    const r = await expectCode(weak, 'E056_SECURITY_BELOW_MINIMUM');
    expect(r.message).toMatch(/28 bits of conjectured security is below the required 100/);
    // Only the caller lowers the floor.
    expect((await run(weak, { minSecurityBits: 28 })).status).toBe('accepted');
    await expectCode(weak, 'E056_SECURITY_BELOW_MINIMUM', { minSecurityBits: 29 });
  });

  it('E060_ROW_INDEX_MISMATCH and E061_CHUNK_ROOTS_DIGEST_MISMATCH', async () => {
    const roots = geom.dir.get('row_archive/chunk_roots.bin')!;
    const swapped = new Uint8Array(roots);
    swapped.set(roots.subarray(0, 32), 32);
    swapped.set(roots.subarray(32, 64), 0);
    const rootsJson = (b: Uint8Array) => jsonBytes({ schema: 'capseal_chunk_roots_v1', chunk_roots: Array.from({ length: b.length / 32 }, (_, i) => bytesToHex(b.subarray(32 * i, 32 * i + 32))) });
    await expectCode(variant(geom, (c, dir) => {
      dir.set('row_archive/chunk_roots.bin', swapped);
      dir.set('row_archive/chunk_roots.json', rootsJson(swapped));
      at(c, 'row_index_ref')['chunk_roots_digest'] = sha256Hex(swapped);
    }), 'E060_ROW_INDEX_MISMATCH');
    await expectCode(variant(geom, (_c, dir) => dir.delete('row_archive/chunk_roots.bin')), 'E060_ROW_INDEX_MISMATCH');
    await expectCode(variant(geom, (_c, dir) => dir.set('row_archive/chunk_roots.bin', swapped)), 'E061_CHUNK_ROOTS_DIGEST_MISMATCH');
    await expectCode(variant(geom, (_c, dir) => dir.set('row_archive/chunk_roots.json', rootsJson(swapped))), 'E061_CHUNK_ROOTS_DIGEST_MISMATCH');
  });

  it('E070_AUTHORSHIP_REQUIRED, E071_SIGNATURE_INVALID, E072_SIGNER_NOT_AUTHORIZED', async () => {
    const acl = (pubkey: string, status: 'active' | 'revoked') => parseAcl({ schema: 'bef_acl_v1', policies: { capseal_default: [{ pubkey, status }] } });
    await expectCode(geom, 'E070_AUTHORSHIP_REQUIRED', { acl: acl(key.public_key, 'active') });
    // A signature over another capsule hash, and a valid signature by another key.
    await expectCode(variant(signed, (c) => (c['authorship'] = signCapsuleHash('0'.repeat(64), key))), 'E071_SIGNATURE_INVALID');
    const intruder = generateKeyFile();
    const resigned = variant(signed, (c) => (c['authorship'] = signCapsuleHash(c['capsule_hash'] as string, intruder)));
    expect((await run(resigned)).status).toBe('accepted'); // a signature says who, not whether to trust them
    await expectCode(resigned, 'E072_SIGNER_NOT_AUTHORIZED', { acl: acl(key.public_key, 'active') });
    await expectCode(signed, 'E072_SIGNER_NOT_AUTHORIZED', { acl: acl(key.public_key, 'revoked') });
  });

  it('E080_DA_CHUNK_UNAVAILABLE, E081_DA_CHUNK_MISMATCH, E082_DA_POLICY_INVALID', async () => {
    await expectCode(variant(geom, (_c, dir) => dir.delete('row_archive/chunks/5.bin')), 'E080_DA_CHUNK_UNAVAILABLE');
    const chunk = geom.dir.get('row_archive/chunks/3.bin')!;
    const flipped = chunk.slice();
    flipped[17]! ^= 1;
    await expectCode(variant(geom, (_c, dir) => dir.set('row_archive/chunks/3.bin', flipped)), 'E081_DA_CHUNK_MISMATCH');
    await expectCode(variant(geom, (_c, dir) => dir.set('row_archive/chunks/3.bin', chunk.subarray(8))), 'E081_DA_CHUNK_MISMATCH');
    const nonCanonical = chunk.slice();
    nonCanonical.fill(0xff, 0, 8);
    await expectCode(variant(geom, (_c, dir) => dir.set('row_archive/chunks/3.bin', nonCanonical)), 'E081_DA_CHUNK_MISMATCH');
    await expectCode(variant(geom, (c) => (at(c, 'da_policy')['k_samples'] = 138)), 'E082_DA_POLICY_INVALID');
    await expectCode(variant(geom, (c) => (at(c, 'da_policy')['delta'] = 0.5)), 'E082_DA_POLICY_INVALID');
    await expectCode(variant(geom, (c) => (at(c, 'da_policy')['verification_level'] = 'none')), 'E082_DA_POLICY_INVALID');
  });

  it('the tests above trigger every code in the registry', () => {
    expect([...used].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("README.md's code table is the registry, row for row", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| `E0\d{2}_/.test(l));
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([c, i]) => `| \`${c}\` | ${i.layer} | ${i.meaning} | ${i.action} |`));
  });
});

/** Every leaf of a JSON value with its path. */
function leaves(v: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  if (v !== null && typeof v === 'object')
    return Object.entries(v as Json).flatMap(([key, x]) => leaves(x, [...path, Array.isArray(v) ? Number(key) : key]));
  return [{ path, value: v }];
}

const tweak = (v: unknown): unknown =>
  typeof v === 'string' ? (/^[0-9a-f]+$/.test(v) ? `${v.slice(0, -1)}${v.endsWith('0') ? '1' : '0'}` : `${v}x`)
  : typeof v === 'number' ? v + 1
  : typeof v === 'boolean' ? !v
  : 0;

function setAt(c: unknown, path: (string | number)[], value: unknown): void {
  const parent = path.slice(0, -1).reduce((o: any, key) => o[key], c); // eslint-disable-line @typescript-eslint/no-explicit-any
  parent[path.at(-1)!] = value;
}

/** Fields the prover declares (times, stages, its backend) and a stronger-than-required k: bound by signature only. */
const declared = (path: (string | number)[]): boolean =>
  (path[0] === 'proofs' && ((path[2] === 'stats' && ['prove_ms', 'verify_ms', 'stages'].includes(String(path[3]))) || path[2] === 'backend'))
  || (path[0] === 'da_policy' && path[1] === 'k_samples');

describe('tampering with every capsule field', () => {
  const acl = () => parseAcl({ schema: 'bef_acl_v1', policies: { capseal_default: [{ pubkey: key.public_key, status: 'active' }] } });

  it('as is: rejected (capsule hash, or the signature for authorship fields)', async () => {
    const fields = leaves(signed.capsule);
    expect(fields.length).toBeGreaterThan(60);
    for (const { path, value } of fields) {
      const r = await run(variant(signed, (c) => setAt(c, path, tweak(value)), 'none'), { acl: acl() });
      expect(r.status, `${path.join('.')}: ${r.message}`).toBe('rejected');
      const expected = path[0] === 'authorship' ? ['E001_MALFORMED_CAPSULE', 'E071_SIGNATURE_INVALID'] : path[0] === 'schema' ? ['E002_UNSUPPORTED_SCHEMA'] : ['E011_CAPSULE_HASH_MISMATCH'];
      expect(expected, path.join('.')).toContain(r.code);
    }
  });

  it('with every recomputable hash recomputed: rejected by a deeper layer; declared fields only by the signature', async () => {
    const codes = new Map<string, ErrorCode>();
    for (const { path, value } of leaves(geom.capsule)) {
      if (path[0] === 'capsule_hash') continue;
      const m = variant(geom, (c) => setAt(c, path, tweak(value)), 'all', path.join('.'));
      const r = await run(m);
      if (declared(path)) {
        // Accepted when the value stays well-typed (nothing recomputes a measurement), else a schema error.
        expect([null, 'E001_MALFORMED_CAPSULE'], `${path.join('.')}: ${r.message}`).toContain(r.code);
        continue;
      }
      expect(r.status, `${path.join('.')}: ${r.message}`).toBe('rejected');
      expect(r.code).not.toBe('E011_CAPSULE_HASH_MISMATCH');
      codes.set(path.join('.'), r.code!);
    }
    // Deeper layers were reached: the statement by the STARK, the archive by the index and DA layers.
    expect(codes.get('statement.public_inputs.final_acc')).toBe('E054_PROOF_INVALID');
    expect(codes.get('row_index_ref.chunk_roots_digest')).toBe('E061_CHUNK_ROOTS_DIGEST_MISMATCH');
    expect(codes.get('chunk_meta.chunk_len')).toBe('E053_PROOF_STATEMENT_MISMATCH');
    // Declared fields of a signed capsule: re-sealing changes the capsule hash, so the signature fails.
    for (const { path, value } of leaves(signed.capsule).filter((f) => declared(f.path))) {
      const r = await run(variant(signed, (c) => setAt(c, path, tweak(value))), { acl: acl() });
      expect(['E071_SIGNATURE_INVALID', 'E001_MALFORMED_CAPSULE'], path.join('.')).toContain(r.code);
    }
  });

  it('every artifact and archive file, byte flipped with its recorded hash recomputed: rejected', async () => {
    for (const path of [...geom.dir.keys()].filter((p) => p !== 'capsule.json')) {
      const bytes = geom.dir.get(path)!;
      for (const at of [0, bytes.length >> 1, bytes.length - 1]) {
        const m = variant(geom, (c, dir) => {
          const b = bytes.slice();
          b[at]! ^= 0x01;
          replaceArtifact(c, dir, path, b);
          if (path === 'policy.json') at_(c, 'policy')['policy_hash'] = at_(c, 'statement')['policy_hash'] = sha256Hex(b);
          if (path === 'row_archive/chunk_roots.bin') at_(c, 'row_index_ref')['chunk_roots_digest'] = sha256Hex(b);
        });
        const r = await run(m);
        expect(r.status, `${path}@${at}: ${r.message}`).toBe('rejected');
      }
    }
  });
});
const at_ = at;

describe('sealing', () => {
  it('chosen options reach a default verifier\'s floor even under a policy that sets none', async () => {
    const lax = jsonBytes({ schema: 'capseal_policy_v1', policy_id: 'lab', policy_version: '1' });
    const tiny = await makeCapsule(k, 'geom', { steps: 8 }, { policyBytes: lax });
    const stats = (Object.values(tiny.capsule['proofs'] as object)[0] as Json)['stats'] as Json;
    expect(stats).toMatchObject({ options: { blowup: 16 }, security_bits: securityBits(3, { ...DEFAULT_OPTIONS, blowup: 16 }) });
    expect(stats['security_bits']).toBeGreaterThanOrEqual(DEFAULT_SECURITY_BITS);
    expect((await run(tiny)).status).toBe('accepted');
  });

  it('short traces get blowup 16 so the policy floor holds; explicit options below it are refused', async () => {
    const tiny = await makeCapsule(k, 'geom', { steps: 8 });
    const stats = (Object.values(tiny.capsule['proofs'] as object)[0] as Json)['stats'] as Json;
    expect(stats['options']).toMatchObject({ blowup: 16 });
    expect(stats['security_bits']).toBeGreaterThanOrEqual(100);
    expect((await run(tiny)).status).toBe('accepted');
    const backend = await createNodeCpuBackend({ threads: 1 });
    try {
      await expect(sealCapsule(k, { adapter: GEOM_ADAPTER, input: { steps: 8 }, backend, backendChoice: 'cpu', options: TEST_OPTIONS_INSECURE }))
        .rejects.toThrow(/reaches 20 bits with these options, below the policy.s min_security_bits 100/);
      await expect(sealCapsule(k, { adapter: AGENT_ADAPTER, input: agentLog(2), backend, backendChoice: 'cpu', anchors: { action_log_hash: '0'.repeat(64) } }))
        .rejects.toThrow(/anchor action_log_hash is derived from the input/);
      // 64 anchors are allowed in all: the derived one counts (the capsule would not verify otherwise).
      const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
      await expect(sealCapsule(k, { adapter: AGENT_ADAPTER, input: agentLog(2), backend, backendChoice: 'cpu', anchors: many }))
        .rejects.toThrow('65 anchors with the 1 AGENT_AIR_V2 derives from its input: at most 64');
    } finally {
      await backend.destroy();
    }
  });

  it('an agent capsule whose anchored action_log_hash is not the given log is rejected (E053)', async () => {
    const log = agentLog(3);
    const backend = await createNodeCpuBackend({ threads: 1 });
    const forged = { ...AGENT_ADAPTER, anchors: () => ({ action_log_hash: 'f'.repeat(64) }) };
    const sealed = await sealCapsule(k, { adapter: forged, input: log, backend, backendChoice: 'cpu' }).finally(() => backend.destroy());
    const dir: Dir = new Map(sealed.files);
    const agentBytes = jsonBytes(agentCapsule(sealed));
    expect((await verifyAgentCapsule(k, agentBytes, memFiles(dir))).status).toBe('accepted');
    const r = await verifyAgentCapsule(k, agentBytes, memFiles(dir), { actions: log });
    expect(r.code).toBe('E053_PROOF_STATEMENT_MISMATCH');
    expect(r.message).toMatch(/not the anchored action_log_hash/);
  });
});

describe('agent capsules: AGENT_AIR_V2, and AGENT_AIR_V1 ones made before it', () => {
  const log5 = AGENT_ADAPTER.input.parse(agentLog(3).slice(0, 5));
  const final5 = AGENT_ADAPTER.buildTrace(log5).publicInputs['final_receipt_hash'] as string;
  const flip = (hex: string, at: number) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
  /** `adapter` with its public inputs replaced by `claim`: a prover claiming something else of the same trace. */
  const claiming = (adapter: AnyTraceAdapter, claim: object): AnyTraceAdapter =>
    ({ ...adapter, buildTrace: (input: unknown) => ({ ...adapter.buildTrace(input), publicInputs: { ...claim } }) });
  const sealed = async (adapter: AnyTraceAdapter, input: unknown): Promise<Sealed> => {
    const backend = await createNodeCpuBackend({ threads: 1 });
    return sealCapsule(k, { adapter, input, backend, backendChoice: 'cpu' }).finally(() => backend.destroy());
  };
  const made = (s: Sealed): MadeCapsule => ({ dir: new Map(s.files), capsule: s.capsule as unknown as Json });

  it.each([
    ...[1, 4, 6, 7, 8].map((count): [string, object] => [`${count} actions`, { action_count: count, final_receipt_hash: final5 }]),
    ...[16, 31].map((byte): [string, object] => [`a final receipt changed in byte ${byte}`, { action_count: 5, final_receipt_hash: flip(final5, 2 * byte) }]),
  ])('a 5-action log claimed as %s: a V1 capsule of it verifies without the log; V2 will not seal it, and a cheated one is rejected (E054)', async (_, claim) => {
    expect((await run(made(await sealed(claiming(AGENT_V1_ADAPTER, claim), log5)))).status).toBe('accepted');
    await expect(sealed(claiming(AGENT_ADAPTER, claim), log5)).rejects.toThrow(/^trace violates boundary constraint \d+ \((last_receipt_\d|last_action_real|first_padding_row)\) at row \d+$/);
    const cheated = await makeCheatedCapsule(k, claiming(AGENT_ADAPTER, claim), log5);
    expect((await expectCode(cheated, 'E054_PROOF_INVALID')).message).toMatch(/^STARK proof rejected/);
  });

  it('V1 capsules still verify, and their agent capsule with constraint_check (14 columns, 7 constraints)', async () => {
    const v1 = await sealed(AGENT_V1_ADAPTER, log5);
    expect(v1.capsule.trace_spec.trace_format_id).toBe('AGENT_AIR_V1');
    expect((await run(made(v1))).status).toBe('accepted');
    const a = agentCapsule(v1);
    expect(a).toMatchObject({ air_id: 'agent_air_v1', trace_length: 5, row_width: 14, verification: { num_transition_constraints: 3, num_boundary_constraints: 4 } });
    const r = await verifyAgentCapsule(k, jsonBytes(a), memFiles(made(v1).dir), { actions: log5 });
    expect(r.status, r.message).toBe('accepted');
    expect(r.message).toMatch(/constraint_check of 5 actions: all 7 constraints hold$/);
  });

  it('a V2 agent capsule: 27 columns and the proven AIR\'s constraint counts, each checked (E053)', async () => {
    const sealedAgent = { capsule: agent.capsule as unknown as Capsule, files: [], timing: { trace_ms: 1, prove_ms: 2, verify_ms: 3, commit_ms: 4 } };
    const a = agentCapsule(sealedAgent);
    // agentLog(5): 32 actions fill 2^5 rows, so no padding row and no first_padding_row boundary.
    expect(a).toMatchObject({ air_id: 'agent_air_v2', trace_length: 32, row_width: 27, verification: { num_transition_constraints: 11, num_boundary_constraints: 18 } });
    const ok = await verifyAgentCapsule(k, jsonBytes(a), memFiles(agent.dir), { actions: agentLog(5) });
    expect(ok.status, ok.message).toBe('accepted');
    expect(ok.message).toMatch(/constraint_check of 32 actions: all 29 constraints hold$/);
    for (const [edit, message] of [
      [{ air_id: 'agent_air_v1' }, 'the capsule proves AGENT_AIR_V2, not AGENT_AIR_V1 (air_id agent_air_v1)'],
      [{ row_width: 14 }, "row_width 14 with 11 transition and 18 boundary constraints is not the proven agent_air_v2's 27 with 11 and 18"],
      [{ verification: { ...a.verification, num_boundary_constraints: 19 } }, 'row_width 27 with 11 transition and 19 boundary constraints'],
    ] as const) {
      const r = await verifyAgentCapsule(k, jsonBytes({ ...a, ...edit }), memFiles(agent.dir));
      expect(r.code, r.message).toBe('E053_PROOF_STATEMENT_MISMATCH');
      expect(r.message).toContain(message);
    }
  });
});
