// The policy registry (src/capsule/registry.ts) and its CLI commands (src/cli/registry.ts):
// - the published RFC 6962 test data of Certificate Transparency (test/vectors/rfc6962, see its
//   SOURCE.md): the empty root, the roots of the trees of the first 1..8 leaves, every complete-subtree
//   hash and the published audit paths;
// - an independent recursive MTH and PATH written straight from RFC 6962 §2.1 / §2.1.1, against seeded
//   random leaf sets of 1..70 leaves;
// - every audit path of trees of 1..40 leaves verifies, and every tampering (a flipped byte of the
//   path, leaf or root; another index; a size whose path has another length; a truncated, extended or
//   shifted path) is refused; garbage never throws;
// - the registry and inclusion-proof files: validation, root recomputation, duplicates, messages;
// - `registryBuild` / `registryProve` on temporary files, with exit codes and captured streams.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from './reference/model.js';
import {
  buildRegistry,
  checkInclusion,
  checkInclusionIn,
  inclusionProof,
  InclusionProofSchema,
  merkleTreeHash,
  parseRegistry,
  proveInclusion,
  verifyInclusion,
  type PolicyEntry,
} from '../src/capsule/registry.js';
import { registryBuild, registryProve } from '../src/cli/registry.js';

interface Vectors {
  leaf_inputs: string[];
  empty_root: string;
  roots_by_size: { tree_size: number; root: string }[];
  node_hashes_by_level: string[][];
  inclusion_paths: { leaf_index: number; tree_size: number; path: string[] }[];
}
const V = JSON.parse(readFileSync(new URL('./vectors/rfc6962/vectors.json', import.meta.url), 'utf8')) as Vectors;
const LEAVES = V.leaf_inputs.map((h) => hexToBytes(h));
const hex = bytesToHex;

// ---- An independent reference, written from the RFC 6962 §2.1 text, slicing arrays as the RFC does ----

const refLeaf = (d: Uint8Array): Uint8Array => sha256(Uint8Array.from([0, ...d]));
const refNode = (a: Uint8Array, b: Uint8Array): Uint8Array => sha256(Uint8Array.from([1, ...a, ...b]));
/** "k is the largest power of two smaller than n (i.e., k < n <= 2k)". */
function refK(n: number): number {
  for (let k = 2 ** 30; k >= 1; k /= 2) if (k < n && n <= 2 * k) return k;
  throw new Error(`no split for ${n}`);
}
function refMTH(D: Uint8Array[]): Uint8Array {
  const n = D.length;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return refLeaf(D[0]!);
  const k = refK(n);
  return refNode(refMTH(D.slice(0, k)), refMTH(D.slice(k, n)));
}
/** PATH(m, D[n]) of §2.1.1. */
function refPATH(m: number, D: Uint8Array[]): Uint8Array[] {
  const n = D.length;
  if (n === 1) return [];
  const k = refK(n);
  return m < k ? [...refPATH(m, D.slice(0, k)), refMTH(D.slice(k, n))] : [...refPATH(m - k, D.slice(k, n)), refMTH(D.slice(0, k))];
}

/** The length of PATH(m, D[n]), by the same recursion without hashing. */
const refPathLength = (m: number, n: number): number => (n === 1 ? 0 : 1 + (m < refK(n) ? refPathLength(m, refK(n)) : refPathLength(m - refK(n), n - refK(n))));

function randomLeaves(rand: () => number, n: number, maxLen = 40): Uint8Array[] {
  return Array.from({ length: n }, () => Uint8Array.from({ length: Math.floor(rand() * (maxLen + 1)) }, () => Math.floor(rand() * 256)));
}
const flip = (b: Uint8Array, i: number, mask = 0x01): Uint8Array => {
  const c = b.slice();
  c[i]! ^= mask;
  return c;
};

describe('RFC 6962 published test vectors (transparency-dev/merkle, google/certificate-transparency)', () => {
  it('has the 8 published leaves', () => {
    expect(V.leaf_inputs).toEqual(['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f']);
  });

  it('MTH of the empty tree is SHA-256 of the empty string', () => {
    expect(hex(merkleTreeHash([]))).toBe(V.empty_root);
  });

  it('roots of the trees of the first 1..8 leaves', () => {
    expect(V.roots_by_size.map((r) => r.tree_size)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const { tree_size, root } of V.roots_by_size) expect(hex(merkleTreeHash(LEAVES.slice(0, tree_size))), `size ${tree_size}`).toBe(root);
  });

  it('every complete subtree hash (level 0: the leaf hashes)', () => {
    expect(V.node_hashes_by_level.map((l) => l.length)).toEqual([8, 4, 2, 1]);
    V.node_hashes_by_level.forEach((level, L) =>
      level.forEach((h, j) => expect(hex(merkleTreeHash(LEAVES.slice(j * 2 ** L, (j + 1) * 2 ** L))), `level ${L} node ${j}`).toBe(h)),
    );
  });

  it('published audit paths are generated and verify', () => {
    expect(V.inclusion_paths.length).toBe(7);
    for (const { leaf_index, tree_size, path } of V.inclusion_paths) {
      const leaves = LEAVES.slice(0, tree_size);
      expect(inclusionProof(leaves, leaf_index).map(hex), `${leaf_index} of ${tree_size}`).toEqual(path);
      const root = hexToBytes(V.roots_by_size[tree_size - 1]!.root);
      expect(verifyInclusion(root, LEAVES[leaf_index]!, leaf_index, tree_size, path.map((h) => hexToBytes(h)))).toBe(true);
    }
  });

  it('every leaf of every published tree verifies against the published root', () => {
    for (const { tree_size, root } of V.roots_by_size)
      for (let m = 0; m < tree_size; m++)
        expect(verifyInclusion(hexToBytes(root), LEAVES[m]!, m, tree_size, inclusionProof(LEAVES.slice(0, tree_size), m))).toBe(true);
  });
});

describe('against a recursive reference from the RFC text', () => {
  it('MTH and PATH agree on random leaf sets of 1..70 leaves', () => {
    const rand = mulberry32(0x6962);
    for (let n = 1; n <= 70; n++) {
      const leaves = randomLeaves(rand, n);
      const root = refMTH(leaves);
      expect(hex(merkleTreeHash(leaves)), `n=${n}`).toBe(hex(root));
      for (let m = 0; m < n; m++) expect(inclusionProof(leaves, m).map(hex), `m=${m} n=${n}`).toEqual(refPATH(m, leaves).map(hex));
    }
  });

  it('leaf order matters and leaves are not hashed like nodes', () => {
    const [a, b] = [Uint8Array.of(1), Uint8Array.of(2)];
    expect(hex(merkleTreeHash([a, b]))).not.toBe(hex(merkleTreeHash([b, a])));
    // The RFC's 0x00/0x01 prefixes: a one-leaf tree whose data is two child hashes is not their parent.
    const children = [refLeaf(a), refLeaf(b)];
    expect(hex(merkleTreeHash([Uint8Array.from([...children[0]!, ...children[1]!])]))).not.toBe(hex(merkleTreeHash([a, b])));
  });

  it('inclusionProof rejects a bad index with a RangeError', () => {
    const leaves = LEAVES.slice(0, 3);
    for (const bad of [-1, 3, 1.5, NaN, Infinity]) expect(() => inclusionProof(leaves, bad)).toThrow(/leaf index .* is not an integer in \[0, 3\)/);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
  });
});

describe('verifyInclusion', () => {
  const rand = mulberry32(40);
  const trees = Array.from({ length: 40 }, (_, i) => randomLeaves(rand, i + 1, 12).map((l, j) => Uint8Array.from([j, ...l]))); // distinct leaves

  it('accepts every audit path of trees of 1..40 leaves', () => {
    for (const leaves of trees) {
      const root = merkleTreeHash(leaves);
      leaves.forEach((leaf, m) => expect(verifyInclusion(root, leaf, m, leaves.length, inclusionProof(leaves, m))).toBe(true));
    }
  });

  it('refuses any flipped byte of the path, the leaf or the root', () => {
    for (const leaves of trees) {
      const n = leaves.length;
      const root = merkleTreeHash(leaves);
      leaves.forEach((leaf, m) => {
        const path = inclusionProof(leaves, m);
        for (let i = 0; i < path.length; i++)
          for (let b = 0; b < 32; b++) expect(verifyInclusion(root, leaf, m, n, path.map((p, j) => (j === i ? flip(p, b, 0x80 >> b % 8) : p)))).toBe(false);
        for (let b = 0; b < leaf.length; b++) expect(verifyInclusion(root, flip(leaf, b), m, n, path)).toBe(false);
        for (let b = 0; b < 32; b++) expect(verifyInclusion(flip(root, b), leaf, m, n, path)).toBe(false);
      });
    }
  });

  it('refuses another index, and a size whose path for the index has another length', () => {
    for (const leaves of trees) {
      const n = leaves.length;
      const root = merkleTreeHash(leaves);
      leaves.forEach((leaf, m) => {
        const path = inclusionProof(leaves, m);
        for (let m2 = 0; m2 < n; m2++) if (m2 !== m) expect(verifyInclusion(root, leaf, m2, n, path), `m ${m}→${m2} of ${n}`).toBe(false);
        for (const m2 of [n, n + 1, -1, 0.5, 2 ** 53]) expect(verifyInclusion(root, leaf, m2, n, path)).toBe(false);
        // RFC 9162 binds the size only through the path's shape: a size that gives m an audit path of
        // the same length and the same left/right pattern computes the same root (and still proves the
        // leaf is under it). Any size giving another path length must fail, n·2 and n/2 among them.
        for (let n2 = m + 1; n2 <= 2 * n + 1; n2++)
          if (refPathLength(m, n2) !== path.length) expect(verifyInclusion(root, leaf, m, n2, path), `size ${n}→${n2} for ${m}`).toBe(false);
        for (const n2 of [0, -1, n + 0.5, NaN, Infinity, 2 ** 53]) expect(verifyInclusion(root, leaf, m, n2, path)).toBe(false);
      });
    }
  });

  it('refuses a truncated, extended or shifted path', () => {
    const zero = new Uint8Array(32);
    for (const leaves of trees) {
      const n = leaves.length;
      const root = merkleTreeHash(leaves);
      leaves.forEach((leaf, m) => {
        const path = inclusionProof(leaves, m);
        const wrong: Uint8Array[][] = [
          [...path, zero],
          [...path, root],
          [zero, ...path],
          [root, ...path],
          ...path.map((_, i) => path.filter((__, j) => j !== i)), // each element removed
          ...path.map((_, i) => [...path.slice(0, i), path[i]!, ...path.slice(i)]), // each element doubled
          ...path.map((_, i) => path.map((p, j) => (j === i ? p.subarray(0, 31) : p))), // each element short
          ...path.map((_, i) => path.map((p, j) => (j === i ? Uint8Array.from([...p, 0]) : p))), // each element long
        ];
        if (path.length > 1) wrong.push([...path].reverse());
        for (const w of wrong) expect(verifyInclusion(root, leaf, m, n, w)).toBe(false);
      });
    }
  });

  it('handles sizes above 2^32 (no 32-bit wrap-around)', () => {
    // A perfect tree of 2^33 leaves: leaf m's path has 33 hashes, the one at level i on the left when
    // bit i of m is set. The root is computed here from that definition.
    const rand = mulberry32(33);
    const path = Array.from({ length: 33 }, () => Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)));
    const leaf = Uint8Array.of(7);
    for (const m of [2 ** 32, 2 ** 32 + 5, 2 ** 33 - 1, 5]) {
      let r = refLeaf(leaf);
      path.forEach((p, i) => (r = Math.floor(m / 2 ** i) % 2 === 1 ? refNode(p, r) : refNode(r, p)));
      expect(verifyInclusion(r, leaf, m, 2 ** 33, path), `m=${m}`).toBe(true);
      expect(verifyInclusion(r, leaf, m % 2 ** 32, 2 ** 33, path)).toBe(m < 2 ** 32);
      expect(verifyInclusion(r, leaf, m, 2 ** 32, path)).toBe(false);
    }
  });

  it('never throws on garbage', () => {
    const leaves = LEAVES.slice(0, 5);
    const root = merkleTreeHash(leaves);
    const path = inclusionProof(leaves, 1);
    const hostile = new Proxy([], {
      get() {
        throw new Error('boom');
      },
    });
    const getter = [path[0], path[1]];
    Object.defineProperty(getter, 2, {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    const garbage: unknown[] = [undefined, null, 0, 1, -1, NaN, '', 'abc', {}, [], [1, 2], new Uint8Array(31), new Uint8Array(33), new Uint16Array(16), hostile, getter, Symbol('x'), 10n];
    const args = (i: number, g: unknown): unknown[] => [root, leaves[1], 1, 5, path].map((a, j) => (j === i ? g : a));
    for (let i = 0; i < 5; i++)
      for (const g of garbage) {
        if (i === 2 && g === 1) continue; // 1 is the right index
        const a = args(i, g);
        expect(() => verifyInclusion(...(a as Parameters<typeof verifyInclusion>))).not.toThrow();
        expect(verifyInclusion(...(a as Parameters<typeof verifyInclusion>))).toBe(false);
      }
    expect(verifyInclusion(root, leaves[1]!, 1, 5, [path[0], 'x', path[2]] as never)).toBe(false);
    expect(verifyInclusion(root, leaves[1]!, 1, 5, getter as never)).toBe(false);
    expect(verifyInclusion(root, leaves[1]!, 1, 5, path)).toBe(true);
  });
});

// ---- Registry files ----

const policyHash = (s: string): string => hex(sha256(new TextEncoder().encode(s)));
const ENTRIES: PolicyEntry[] = ['a', 'b', 'c', 'd', 'e'].map((s, i) => ({ policy_id: `policy-${s}`, policy_version: `1.${i}`, policy_hash: policyHash(s) }));

function rangeError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    return (e as Error).message;
  }
  throw new Error('expected a RangeError');
}

describe('registry file', () => {
  it('buildRegistry: the root is MTH over the policy hash bytes, in order', () => {
    const reg = buildRegistry(ENTRIES);
    expect(reg.schema).toBe('capseal_policy_registry_v1');
    expect(reg.policies).toEqual(ENTRIES);
    expect(reg.root).toBe(hex(refMTH(ENTRIES.map((e) => hexToBytes(e.policy_hash)))));
    expect(parseRegistry(JSON.parse(JSON.stringify(reg)))).toEqual(reg);
    // One policy: the root is its leaf hash.
    expect(buildRegistry(ENTRIES.slice(0, 1)).root).toBe(hex(refLeaf(hexToBytes(ENTRIES[0]!.policy_hash))));
  });

  it('parseRegistry rejects a root that does not match', () => {
    const reg = buildRegistry(ENTRIES);
    const bad = { ...reg, root: policyHash('other') };
    expect(rangeError(() => parseRegistry(bad))).toBe(
      `invalid policy registry: root ${bad.root} is not the Merkle root of its 5 policy hashes, which is ${reg.root}`,
    );
    // Reordering the policies changes the root too.
    expect(rangeError(() => parseRegistry({ ...reg, policies: [...reg.policies].reverse() }))).toMatch(/is not the Merkle root of its 5 policy hashes/);
  });

  it('rejects duplicate policy hashes', () => {
    const dup = [...ENTRIES, { ...ENTRIES[1]!, policy_id: 'again' }];
    expect(rangeError(() => buildRegistry(dup))).toBe(
      `invalid policy registry entries: [5].policy_hash: duplicates policies[1].policy_hash ${ENTRIES[1]!.policy_hash}`,
    );
    const reg = { schema: 'capseal_policy_registry_v1', policies: dup, root: hex(merkleTreeHash(dup.map((e) => hexToBytes(e.policy_hash)))) };
    expect(rangeError(() => parseRegistry(reg))).toBe(
      `invalid policy registry: policies[5].policy_hash: duplicates policies[1].policy_hash ${ENTRIES[1]!.policy_hash}`,
    );
  });

  it('rejects malformed files, naming the field', () => {
    const reg = buildRegistry(ENTRIES);
    const cases: [unknown, RegExp][] = [
      [null, /^invalid policy registry: /],
      [{ ...reg, schema: 'capseal_policy_registry_v2' }, /schema: /],
      [{ ...reg, extra: 1 }, /extra/],
      [{ ...reg, root: reg.root.toUpperCase() }, /root: must be 64 lowercase hex characters/],
      [{ ...reg, root: reg.root.slice(2) }, /root: must be 64 lowercase hex characters/],
      [{ schema: reg.schema, policies: reg.policies }, /root: is required/],
      [{ ...reg, policies: [] }, /policies: must list at least one policy/],
      [{ ...reg, policies: [{ ...ENTRIES[0], policy_id: '' }] }, /policies\[0\]\.policy_id: must be a non-empty string/],
      [{ ...reg, policies: [{ ...ENTRIES[0], policy_version: 1 }] }, /policies\[0\]\.policy_version/],
      [{ ...reg, policies: [{ ...ENTRIES[0], note: 'x' }] }, /note/],
    ];
    for (const [input, msg] of cases) expect(rangeError(() => parseRegistry(input))).toMatch(msg);
  });

  it('proveInclusion gives a valid proof for every policy, and refuses an absent one', () => {
    const reg = buildRegistry(ENTRIES);
    ENTRIES.forEach((e, i) => {
      const proof = proveInclusion(reg, e.policy_hash);
      expect(InclusionProofSchema.parse(proof)).toEqual(proof);
      expect(proof).toMatchObject({ schema: 'capseal_policy_inclusion_v1', policy_hash: e.policy_hash, leaf_index: i, tree_size: 5, root: reg.root });
      expect(checkInclusion(JSON.parse(JSON.stringify(proof)), reg.root, e.policy_hash)).toEqual({ ok: true });
    });
    const absent = policyHash('z');
    expect(rangeError(() => proveInclusion(reg, absent))).toBe(`policy ${absent} is not in the registry (root ${reg.root})`);
    expect(rangeError(() => proveInclusion(reg, 'ABC'))).toMatch(/policy hash "ABC" must be 64 lowercase hex characters/);
    expect(rangeError(() => proveInclusion({ ...reg, root: absent }, ENTRIES[0]!.policy_hash))).toMatch(/is not the Merkle root/);
  });
});

describe('checkInclusion', () => {
  const reg = buildRegistry(ENTRIES);
  const target = ENTRIES[2]!.policy_hash;
  const proof = proveInclusion(reg, target);

  it('says which check failed', () => {
    const other = ENTRIES[3]!.policy_hash;
    expect(checkInclusion(proof, reg.root, other)).toEqual({ ok: false, message: `inclusion proof is for policy ${target}, not policy ${other}` });
    const otherRoot = buildRegistry(ENTRIES.slice(0, 4)).root;
    expect(checkInclusion(proof, otherRoot, target)).toEqual({
      ok: false,
      message: `inclusion proof is against registry root ${reg.root}, not the trusted root ${otherRoot}`,
    });
    // A proof relabelled for another policy or root carries the wrong path for it.
    expect(checkInclusion({ ...proof, policy_hash: other }, reg.root, other)).toEqual({
      ok: false,
      message: `audit path (3 hashes) does not lead from policy ${other} at leaf 2 of 5 to root ${reg.root}`,
    });
    expect(checkInclusion({ ...proof, root: otherRoot }, otherRoot, target)).toMatchObject({ ok: false, message: expect.stringMatching(/^audit path .* does not lead/) });
    expect(checkInclusion({ ...proof, leaf_index: 3 }, reg.root, target)).toMatchObject({ ok: false, message: expect.stringMatching(/at leaf 3 of 5/) });
    expect(checkInclusion({ ...proof, audit_path: proof.audit_path.slice(1) }, reg.root, target)).toMatchObject({ ok: false });
    expect(checkInclusion({ ...proof, audit_path: [...proof.audit_path, reg.root] }, reg.root, target)).toMatchObject({ ok: false });
  });

  it('validates the file and the trusted values', () => {
    expect(checkInclusion({ ...proof, leaf_index: 5 }, reg.root, target)).toEqual({ ok: false, message: 'invalid inclusion proof: leaf_index: must be below tree_size' });
    expect(checkInclusion({ ...proof, tree_size: 0 }, reg.root, target)).toMatchObject({ ok: false, message: expect.stringMatching(/^invalid inclusion proof: tree_size: /) });
    expect(checkInclusion({ ...proof, leaf_index: 1.5 }, reg.root, target)).toMatchObject({ ok: false, message: expect.stringMatching(/leaf_index: /) });
    expect(checkInclusion({ ...proof, audit_path: ['00'] }, reg.root, target)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/audit_path\[0\]: must be 64 lowercase hex characters/),
    });
    const { root: _root, ...noRoot } = proof;
    expect(checkInclusion(noRoot, reg.root, target)).toEqual({ ok: false, message: 'invalid inclusion proof: root: is required' });
    expect(checkInclusion({ ...proof, schema: 'x' }, reg.root, target)).toMatchObject({ ok: false, message: expect.stringMatching(/schema/) });
    expect(checkInclusion(proof, reg.root.toUpperCase(), target)).toMatchObject({ ok: false, message: expect.stringMatching(/^trusted registry root .* must be 64 lowercase hex/) });
    expect(checkInclusion(proof, reg.root, 'nope')).toMatchObject({ ok: false, message: expect.stringMatching(/^policy hash "nope" must be 64 lowercase hex/) });
  });

  it('never throws', () => {
    const hostile = new Proxy({}, {
      get() {
        throw new Error('boom');
      },
      ownKeys() {
        throw new Error('boom');
      },
    });
    for (const g of [undefined, null, 1, 'x', [], {}, hostile, Symbol('s'), 1n])
      for (const r of [checkInclusion(g, reg.root, target), checkInclusion(proof, g as never, target), checkInclusion(proof, reg.root, g as never)])
        expect(r.ok).toBe(false);
  });
});

describe('checkInclusionIn (a registry only grows: a proof of an earlier size checks against that prefix\'s root)', () => {
  const reg = buildRegistry(ENTRIES);
  it('accepts a proof made when the registry held its first m leaves, for each m, and the whole registry\'s', () => {
    for (let m = 1; m <= ENTRIES.length; m++)
      for (let i = 0; i < m; i++) {
        const proof = proveInclusion(buildRegistry(ENTRIES.slice(0, m)), ENTRIES[i]!.policy_hash);
        expect(checkInclusionIn(proof, reg, ENTRIES[i]!.policy_hash), `leaf ${i} of ${m}`).toEqual({ ok: true });
      }
  });
  it('refuses a proof of another tree, a policy outside the prefix, a size beyond the registry, and hostile input', () => {
    const other = buildRegistry([ENTRIES[1]!, ENTRIES[0]!]);
    expect(checkInclusionIn(proveInclusion(other, ENTRIES[1]!.policy_hash), reg, ENTRIES[1]!.policy_hash)).toMatchObject({ ok: false, message: expect.stringMatching(/not the trusted root/) });
    // Leaf 3's proof in the full tree relabelled as a 3-leaf tree's: the prefix holds leaves 0 … 2 only.
    const p3 = proveInclusion(reg, ENTRIES[3]!.policy_hash);
    expect(checkInclusionIn({ ...p3, tree_size: 3, root: buildRegistry(ENTRIES.slice(0, 3)).root }, reg, ENTRIES[3]!.policy_hash).ok).toBe(false);
    expect(checkInclusionIn({ ...p3, tree_size: 9 }, reg, ENTRIES[3]!.policy_hash).ok).toBe(false);
    const hostile = new Proxy({}, { get() { throw new Error('boom'); }, ownKeys() { throw new Error('boom'); } });
    expect(checkInclusionIn(hostile, reg, ENTRIES[0]!.policy_hash).ok).toBe(false);
  });
});

// ---- CLI ----

describe('registryBuild / registryProve', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'capseal-registry-'));
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => vi.restoreAllMocks());

  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const policies = (): string[] => [
    file('p1.json', '{"schema":"capseal_policy_v1","policy_id":"agent-safety","policy_version":"1.0","min_security_bits":100}\n'),
    file('p2.json', '{\n  "schema": "capseal_policy_v1",\n  "policy_id": "agent-safety",\n  "policy_version": "1.1"\n}\n'),
    file('p3.json', '{"policy_version":"0.1","policy_id":"geom","schema":"capseal_policy_v1"}'),
  ];
  /** The one stderr line of a failed command. */
  const failure = (cmd: string): string => {
    expect(out.join('')).toBe('');
    const text = err.join('');
    expect(text.endsWith('\n') && text.indexOf('\n') === text.length - 1).toBe(true);
    expect(text.startsWith(`capseal registry ${cmd}: `)).toBe(true);
    return text;
  };

  it('build writes the registry and prints its root', async () => {
    const paths = policies();
    const regPath = join(dir, 'registry.json');
    expect(await registryBuild({ policies: paths, out: regPath, json: false })).toBe(0);
    expect(err.join('')).toBe('');
    const text = readFileSync(regPath, 'utf8');
    const reg = parseRegistry(JSON.parse(text));
    expect(text).toBe(`${JSON.stringify(reg, null, 2)}\n`);
    expect(out.join('')).toBe(`${reg.root}\n`);
    expect(reg.policies).toEqual([
      { policy_id: 'agent-safety', policy_version: '1.0', policy_hash: hex(sha256(readFileSync(paths[0]!))) },
      { policy_id: 'agent-safety', policy_version: '1.1', policy_hash: hex(sha256(readFileSync(paths[1]!))) },
      { policy_id: 'geom', policy_version: '0.1', policy_hash: hex(sha256(readFileSync(paths[2]!))) },
    ]);
  });

  it('build --json prints the registry as one JSON line', async () => {
    const regPath = join(dir, 'registry.json');
    expect(await registryBuild({ policies: policies(), out: regPath, json: true })).toBe(0);
    const line = out.join('');
    expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
    expect(JSON.parse(line)).toEqual(JSON.parse(readFileSync(regPath, 'utf8')));
  });

  it('build fails with exit 2 and one line on bad input', async () => {
    const regPath = join(dir, 'registry.json');
    const cases: [() => string[], RegExp][] = [
      [() => [], /no policy files given/],
      [() => [join(dir, 'missing.json')], /cannot read policy file .*missing\.json: .*ENOENT/],
      [() => [file('bad.json', '{"policy_id": "x",')], /policy file .*bad\.json: policy is not valid JSON: /],
      [() => [file('dupkey.json', '{"policy_id":"x","policy_id":"y","policy_version":"1"}')], /dupkey\.json: policy is not valid JSON: .*duplicate/i],
      [() => [file('arr.json', '[1]')], /arr\.json: invalid policy/],
      [() => [file('noid.json', '{"schema":"s","policy_version":"1"}')], /noid\.json: invalid policy: policy_id: is required/],
      [() => [file('nover.json', '{"schema":"s","policy_id":"x"}')], /nover\.json: invalid policy: policy_version: is required/],
      [() => [file('numver.json', '{"schema":"s","policy_id":"x","policy_version":2}')], /numver\.json: invalid policy: policy_version: /],
      [() => [...policies(), file('again.json', readFileSync(join(dir, 'p1.json'), 'utf8'))], /again\.json has the same bytes \(SHA-256 [0-9a-f]{64}\) as .*p1\.json/],
    ];
    for (const [args, msg] of cases) {
      out.length = 0;
      err.length = 0;
      expect(await registryBuild({ policies: args(), out: regPath, json: false })).toBe(2);
      expect(failure('build')).toMatch(msg);
    }
    out.length = 0;
    err.length = 0;
    const nonUtf8 = join(dir, 'bin.json');
    writeFileSync(nonUtf8, Uint8Array.of(0x7b, 0xff, 0x7d));
    expect(await registryBuild({ policies: [nonUtf8], out: regPath, json: false })).toBe(2);
    expect(failure('build')).toMatch(/bin\.json: policy is not valid JSON: .*utf-8/i);
    out.length = 0;
    err.length = 0;
    expect(await registryBuild({ policies: policies(), out: join(dir, 'no', 'such', 'dir.json'), json: false })).toBe(2);
    expect(failure('build')).toMatch(/cannot write registry .*dir\.json: .*ENOENT/);
  });

  it('prove writes a proof that checks against the printed root', async () => {
    const paths = policies();
    const regPath = join(dir, 'registry.json');
    await registryBuild({ policies: paths, out: regPath, json: false });
    const root = out.join('').trim();
    out.length = 0;
    const proofPath = join(dir, 'proof.json');
    expect(await registryProve({ registry: regPath, policy: paths[1]!, out: proofPath, json: false })).toBe(0);
    expect(err.join('')).toBe('');
    const text = readFileSync(proofPath, 'utf8');
    const proof = JSON.parse(text) as unknown;
    expect(text).toBe(`${JSON.stringify(proof, null, 2)}\n`);
    const hash = hex(sha256(readFileSync(paths[1]!)));
    expect(checkInclusion(proof, root, hash)).toEqual({ ok: true });
    expect(proof).toMatchObject({ leaf_index: 1, tree_size: 3 });
    expect(out.join('')).toBe(`policy ${hash} is leaf 1 of 3 under root ${root}; proof written to ${proofPath}\n`);

    // Without --out the proof goes to stdout: 2-space JSON, or one line with --json.
    out.length = 0;
    expect(await registryProve({ registry: regPath, policy: paths[1]!, out: undefined, json: false })).toBe(0);
    expect(out.join('')).toBe(text);
    out.length = 0;
    expect(await registryProve({ registry: regPath, policy: paths[1]!, out: undefined, json: true })).toBe(0);
    expect(out.join('')).toBe(`${JSON.stringify(proof)}\n`);
  });

  it('prove fails with exit 2 and one line', async () => {
    const paths = policies();
    const regPath = join(dir, 'registry.json');
    await registryBuild({ policies: paths, out: regPath, json: false });
    const reg = JSON.parse(readFileSync(regPath, 'utf8')) as { root: string };
    const outsider = file('outsider.json', '{"schema":"capseal_policy_v1","policy_id":"x","policy_version":"9"}');
    const edited = file('edited.json', `${readFileSync(paths[0]!, 'utf8')} `);
    const tampered = file('tampered.json', JSON.stringify({ ...reg, root: 'f'.repeat(64) }));
    const cases: [{ registry: string; policy: string }, RegExp][] = [
      [{ registry: regPath, policy: outsider }, new RegExp(`policy file .*outsider\\.json \\(SHA-256 [0-9a-f]{64}\\) is not in the registry .*registry\\.json \\(root ${reg.root}\\)`)],
      [{ registry: regPath, policy: edited }, /edited\.json .* is not in the registry/],
      [{ registry: regPath, policy: join(dir, 'gone.json') }, /cannot read policy file .*gone\.json/],
      [{ registry: join(dir, 'none.json'), policy: paths[0]! }, /cannot read registry .*none\.json/],
      [{ registry: paths[0]!, policy: paths[0]! }, /p1\.json: invalid policy registry: /],
      [{ registry: file('junk.json', 'not json'), policy: paths[0]! }, /registry .*junk\.json is not valid JSON/],
      [{ registry: tampered, policy: paths[0]! }, /tampered\.json: invalid policy registry: root f{64} is not the Merkle root of its 3 policy hashes/],
    ];
    for (const [args, msg] of cases) {
      out.length = 0;
      err.length = 0;
      expect(await registryProve({ ...args, out: join(dir, 'proof.json'), json: false })).toBe(2);
      expect(failure('prove')).toMatch(msg);
    }
    out.length = 0;
    err.length = 0;
    expect(await registryProve({ registry: regPath, policy: paths[0]!, out: join(dir, 'no', 'proof.json'), json: false })).toBe(2);
    expect(failure('prove')).toMatch(/cannot write inclusion proof .*proof\.json/);
  });
});
