/**
 * `capseal registry build` and `capseal registry prove`: the policy registry (src/capsule/registry.ts)
 * from policy files, and a policy's inclusion proof against it.
 *   build --policy FILE… --out REGISTRY [--json]: each policy file is a JSON object with string
 *     policy_id and policy_version; its policy hash is SHA-256 of the file's exact bytes, so any edit,
 *     whitespace included, makes another policy. Leaves follow the order the files are given. Prints the
 *     root (with --json, the registry as one JSON line).
 *   prove --registry REGISTRY --policy FILE [--out PROOF] [--json]: the inclusion proof of the policy
 *     file's hash. With --out, prints a one-line summary (with --json, the proof as one JSON line);
 *     without, prints the proof itself (2-space JSON, or one line with --json).
 * Files are written as 2-space JSON with a trailing newline. Exit 0 ok, 2 for bad input or I/O, with
 * one line "capseal registry <command>: <reason>" on stderr.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { sha256Hex } from '../hash/digest.js';
import { parsePolicy } from '../capsule/policy.js';
import { buildRegistry, parseRegistry, proveInclusion, type PolicyEntry, type PolicyRegistry } from '../capsule/registry.js';
import { command, parseJsonBytes, readBytes, reason, UsageError } from './io.js';

async function writeText(path: string, text: string, what: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${what} ${path}: ${reason(e)}`);
  }
}

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

async function policyEntry(path: string): Promise<PolicyEntry> {
  const bytes = await readBytes(path, 'policy file');
  let policy;
  try {
    policy = parsePolicy(bytes);
  } catch (e) {
    throw new UsageError(`policy file ${path}: ${reason(e)}`);
  }
  return { policy_id: policy.policy_id, policy_version: policy.policy_version, policy_hash: sha256Hex(bytes) };
}

export function registryBuild(opts: { policies: string[]; out: string; json: boolean }): Promise<number> {
  return command('registry build', async () => {
    if (opts.policies.length === 0) throw new UsageError('no policy files given (--policy FILE, once per policy)');
    const entries: PolicyEntry[] = [];
    const seen = new Map<string, string>();
    for (const path of opts.policies) {
      const entry = await policyEntry(path);
      // Caught here rather than by buildRegistry so the message names files, not list positions.
      const earlier = seen.get(entry.policy_hash);
      if (earlier !== undefined) throw new UsageError(`policy file ${path} has the same bytes (SHA-256 ${entry.policy_hash}) as ${earlier}; list each policy once`);
      seen.set(entry.policy_hash, path);
      entries.push(entry);
    }
    const registry = buildRegistry(entries);
    await writeText(opts.out, pretty(registry), 'registry');
    process.stdout.write(opts.json ? `${JSON.stringify(registry)}\n` : `${registry.root}\n`);
    return 0;
  });
}

export function registryProve(opts: { registry: string; policy: string; out: string | undefined; json: boolean }): Promise<number> {
  return command('registry prove', async () => {
    const json = parseJsonBytes(await readBytes(opts.registry, 'registry'), opts.registry, 'registry');
    let registry: PolicyRegistry;
    try {
      registry = parseRegistry(json);
    } catch (e) {
      throw new UsageError(`${opts.registry}: ${reason(e)}`);
    }
    const policyHash = sha256Hex(await readBytes(opts.policy, 'policy file'));
    if (!registry.policies.some((p) => p.policy_hash === policyHash))
      throw new UsageError(`policy file ${opts.policy} (SHA-256 ${policyHash}) is not in the registry ${opts.registry} (root ${registry.root})`);
    const proof = proveInclusion(registry, policyHash);
    if (opts.out === undefined) {
      process.stdout.write(opts.json ? `${JSON.stringify(proof)}\n` : pretty(proof));
      return 0;
    }
    await writeText(opts.out, pretty(proof), 'inclusion proof');
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(proof)}\n`
        : `policy ${policyHash} is leaf ${proof.leaf_index} of ${proof.tree_size} under root ${proof.root}; proof written to ${opts.out}\n`,
    );
    return 0;
  });
}
