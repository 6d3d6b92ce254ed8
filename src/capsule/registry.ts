/**
 * The policy registry: the approved policies as a binary SHA-256 Merkle tree (README.md "Capsules",
 * verifier layer 4, E031_POLICY_NOT_IN_REGISTRY). The tree is the Merkle Tree Hash of RFC 6962 §2.1,
 * with the domain separation RFC 9162 §2.1.1 keeps:
 *   MTH({})     = SHA-256()                                  (the empty string)
 *   MTH({d0})   = SHA-256(0x00 ‖ d0)                         (leaf hash)
 *   MTH(D[n])   = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))  (node hash), k the largest power of two < n
 * The 0x00/0x01 prefixes keep a leaf from ever hashing like an inner node (second-preimage attacks on
 * the tree). Audit paths are PATH(m, D[n]) of RFC 6962 §2.1.1 and are checked with the algorithm of
 * RFC 9162 §2.1.3.2, which needs only the leaf index and tree size, not the tree's shape.
 * Registry leaves are policy hashes: the 32-byte SHA-256 of a policy file's exact bytes, in file order.
 * The Merkle functions take any leaf bytes, so the published RFC 6962 test vectors apply to them
 * unchanged (test/vectors/rfc6962).
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { parseInput } from '../airs/public-inputs.js';
import { HashHexSchema } from './spec.js';

export const REGISTRY_SCHEMA = 'capseal_policy_registry_v1';
export const INCLUSION_SCHEMA = 'capseal_policy_inclusion_v1';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const HASH_BYTES = 32;

const leafHash = (data: Uint8Array): Uint8Array => sha256(concatBytes(LEAF_PREFIX, data));
const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(concatBytes(NODE_PREFIX, left, right));

/** The largest power of two below n (n ≥ 2): where RFC 6962 splits D[n]. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) for hi > lo. Recursion depth is the tree height, at most 53 for a safe-integer size. */
function mth(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leafHash(leaves[lo]!);
  const k = split(hi - lo);
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

/** RFC 6962 §2.1 Merkle Tree Hash of the leaf data, in order. MTH({}) is SHA-256 of the empty string. */
export function merkleTreeHash(leaves: readonly Uint8Array[]): Uint8Array {
  return leaves.length === 0 ? sha256(new Uint8Array(0)) : mth(leaves, 0, leaves.length);
}

/**
 * RFC 6962 §2.1.1 audit path PATH(m, D[n]) for leaf m: the sibling subtree hashes from the leaf's
 * level up to the root's children, nearest first. Empty for a one-leaf tree.
 */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError(`inclusionProof: leaf index ${index} is not an integer in [0, ${leaves.length})`);
  const path: Uint8Array[] = [];
  // Walk down from the root, collecting the other side at each split; the path lists them bottom-up.
  let lo = 0;
  let hi = leaves.length;
  while (hi - lo > 1) {
    const mid = lo + split(hi - lo);
    if (index < mid) {
      path.push(mth(leaves, mid, hi));
      hi = mid;
    } else {
      path.push(mth(leaves, lo, mid));
      lo = mid;
    }
  }
  return path.reverse();
}

const isHash = (x: unknown): x is Uint8Array => x instanceof Uint8Array && x.length === HASH_BYTES;

/**
 * RFC 9162 §2.1.3.2: does `path` lead from leaf data `leaf` at `index` of a `treeSize`-leaf tree to
 * `root`? False, never an exception, for any malformed input (non-bytes, wrong hash lengths, index
 * outside [0, treeSize), non-integer or unsafe sizes, a path too long or too short).
 * The size is bound only through the path's shape: another size giving `index` a path of the same
 * length and left/right pattern also verifies. That still proves the leaf is under `root` (the 0x00 and
 * 0x01 prefixes keep a node from passing as a leaf); nothing here relies on the size being exact.
 */
export function verifyInclusion(root: Uint8Array, leaf: Uint8Array, index: number, treeSize: number, path: readonly Uint8Array[]): boolean {
  try {
    if (!isHash(root) || !(leaf instanceof Uint8Array) || !Array.isArray(path)) return false;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
    // Sizes may exceed 2^32, where JavaScript's bitwise operators wrap, so halve with arithmetic.
    const half = (x: number): number => Math.floor(x / 2);
    let fn = index;
    let sn = treeSize - 1;
    let r = leafHash(leaf);
    for (const p of path as readonly unknown[]) {
      if (!isHash(p)) return false;
      if (sn === 0) return false; // the path is longer than the tree is high
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        // fn is the last node of its level with no right sibling: it moves up unchanged until it is a right child.
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else r = nodeHash(r, p);
      fn = half(fn);
      sn = half(sn);
    }
    // sn > 0 means the path stopped short of the root.
    return sn === 0 && bytesToHex(r) === bytesToHex(root);
  } catch {
    return false; // a hostile input (a throwing getter or proxy) reads as "does not verify"
  }
}

export const PolicyEntrySchema = z.strictObject({
  policy_id: z.string().min(1, 'must be a non-empty string'),
  policy_version: z.string().min(1, 'must be a non-empty string'),
  policy_hash: HashHexSchema,
});
export type PolicyEntry = z.output<typeof PolicyEntrySchema>;

/** A policy may be listed once: the leaf index is how a proof names it, so a second copy would be ambiguous. */
const PoliciesSchema = z
  .array(PolicyEntrySchema)
  .min(1, 'must list at least one policy (an empty registry approves nothing)')
  .superRefine((policies, ctx) => {
    const first = new Map<string, number>();
    policies.forEach((p, i) => {
      const j = first.get(p.policy_hash);
      if (j === undefined) first.set(p.policy_hash, i);
      else ctx.addIssue({ code: 'custom', path: [i, 'policy_hash'], message: `duplicates policies[${j}].policy_hash ${p.policy_hash}` });
    });
  });

export const RegistrySchema = z.strictObject({
  schema: z.literal(REGISTRY_SCHEMA),
  policies: PoliciesSchema,
  root: HashHexSchema,
});
export type PolicyRegistry = z.output<typeof RegistrySchema>;

export const InclusionProofSchema = z
  .strictObject({
    schema: z.literal(INCLUSION_SCHEMA),
    policy_hash: HashHexSchema,
    leaf_index: z.number().int().min(0),
    tree_size: z.number().int().min(1),
    audit_path: z.array(HashHexSchema),
    root: HashHexSchema,
  })
  .refine((p) => p.leaf_index < p.tree_size, { path: ['leaf_index'], error: 'must be below tree_size' });
export type InclusionProofFile = z.output<typeof InclusionProofSchema>;

const registryLeaves = (policies: readonly PolicyEntry[]): Uint8Array[] => policies.map((p) => hexToBytes(p.policy_hash));

/** The root of a registry's policies: MTH over their policy hashes (32 bytes each), in list order. */
export const registryRoot = (policies: readonly PolicyEntry[]): string => bytesToHex(merkleTreeHash(registryLeaves(policies)));

/**
 * A registry file's contents, validated; throws a RangeError naming every bad field, a repeated
 * policy_hash, or a root that is not the Merkle root of the listed policy hashes.
 */
export function parseRegistry(json: unknown): PolicyRegistry {
  const registry = parseInput(RegistrySchema, json, 'policy registry');
  const root = registryRoot(registry.policies);
  if (root !== registry.root)
    throw new RangeError(`invalid policy registry: root ${registry.root} is not the Merkle root of its ${registry.policies.length} policy hashes, which is ${root}`);
  return registry;
}

/** The registry file listing `entries` in the given order (leaf i is entries[i]). */
export function buildRegistry(entries: readonly PolicyEntry[]): PolicyRegistry {
  const policies = parseInput(PoliciesSchema, entries, 'policy registry entries');
  return { schema: REGISTRY_SCHEMA, policies, root: registryRoot(policies) };
}

/** The inclusion-proof file for the policy with hash `policyHashHex` in `registry`. */
export function proveInclusion(registry: PolicyRegistry, policyHashHex: string): InclusionProofFile {
  const reg = parseRegistry(registry); // proofs against a registry whose root does not check out would never verify
  if (!HashHexSchema.safeParse(policyHashHex).success)
    throw new RangeError(`policy hash ${JSON.stringify(policyHashHex)} must be 64 lowercase hex characters (a SHA-256 digest)`);
  const index = reg.policies.findIndex((p) => p.policy_hash === policyHashHex);
  if (index < 0) throw new RangeError(`policy ${policyHashHex} is not in the registry (root ${reg.root})`);
  return {
    schema: INCLUSION_SCHEMA,
    policy_hash: policyHashHex,
    leaf_index: index,
    tree_size: reg.policies.length,
    audit_path: inclusionProof(registryLeaves(reg.policies), index).map(bytesToHex),
    root: reg.root,
  };
}

export type InclusionCheck = { ok: true } | { ok: false; message: string };

/**
 * Does the inclusion-proof file place `policyHashHex` under `trustedRootHex`? The proof's own root
 * and policy_hash are only claims: both must equal what the caller trusts, and the audit path must
 * lead from that policy hash to that root. Never throws; a failure says which check failed.
 */
export function checkInclusion(proofFile: unknown, trustedRootHex: string, policyHashHex: string): InclusionCheck {
  try {
    if (!HashHexSchema.safeParse(trustedRootHex).success)
      return { ok: false, message: `trusted registry root ${JSON.stringify(trustedRootHex)} must be 64 lowercase hex characters` };
    if (!HashHexSchema.safeParse(policyHashHex).success)
      return { ok: false, message: `policy hash ${JSON.stringify(policyHashHex)} must be 64 lowercase hex characters` };
    let proof: InclusionProofFile;
    try {
      proof = parseInput(InclusionProofSchema, proofFile, 'inclusion proof');
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    if (proof.policy_hash !== policyHashHex)
      return { ok: false, message: `inclusion proof is for policy ${proof.policy_hash}, not policy ${policyHashHex}` };
    if (proof.root !== trustedRootHex)
      return { ok: false, message: `inclusion proof is against registry root ${proof.root}, not the trusted root ${trustedRootHex}` };
    const path = proof.audit_path.map((h) => hexToBytes(h));
    if (!verifyInclusion(hexToBytes(trustedRootHex), hexToBytes(policyHashHex), proof.leaf_index, proof.tree_size, path))
      return {
        ok: false,
        message: `audit path (${path.length} hashes) does not lead from policy ${policyHashHex} at leaf ${proof.leaf_index} of ${proof.tree_size} to root ${trustedRootHex}`,
      };
    return { ok: true };
  } catch (e) {
    return { ok: false, message: `inclusion proof could not be checked: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * checkInclusion against a registry whose policy list the caller holds: a registry only grows by
 * appending leaves, so a proof made when it had m ≤ n leaves is checked against the root of its
 * first m policies (a pack made before a later policy was registered keeps verifying).
 */
export function checkInclusionIn(proofFile: unknown, registry: PolicyRegistry, policyHashHex: string): InclusionCheck {
  let root = registry.root;
  try {
    const size = InclusionProofSchema.safeParse(proofFile).data?.tree_size;
    if (size !== undefined && size < registry.policies.length) root = registryRoot(registry.policies.slice(0, size));
  } catch {
    // a hostile input (a throwing getter or proxy): checkInclusion reports it against the whole registry's root
  }
  return checkInclusion(proofFile, root, policyHashHex);
}
