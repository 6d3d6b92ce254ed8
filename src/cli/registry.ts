// `capseal registry build` and `capseal registry prove`: the policy registry (src/capsule/registry.ts)
// from policy files, and a policy's inclusion proof against it.
//   build --policy FILE… --out REGISTRY [--json]: each policy file is a JSON object with string
//     policy_id and policy_version; its policy hash is SHA-256 of the file's exact bytes, so any edit,
//     whitespace included, makes another policy. Leaves follow the order the files are given. Prints the
//     root (with --json, the registry as one JSON line).
//   prove --registry REGISTRY --policy FILE [--out PROOF] [--json]: the inclusion proof of the policy
//     file's hash. With --out, prints a one-line summary (with --json, the proof as one JSON line);
//     without, prints the proof itself (2-space JSON, or one line with --json).
// Files are written as 2-space JSON with a trailing newline. Exit 0 ok, 2 for bad input or I/O, with
// one line "capseal registry <command>: <reason>" on stderr.
import { readFile, writeFile } from 'node:fs/promises';
import { sha256Hex } from '../hash/digest.js';
import { buildRegistry, parseRegistry, proveInclusion, type PolicyEntry, type PolicyRegistry } from '../capsule/registry.js';
import { parseCanonicalInput } from '../json/canonical-json.js';

/** A failure the command reports as its one stderr line. */
class UsageError extends Error {}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${reason(e)}`);
  }
}

/** Strict JSON (duplicate member names rejected): a policy or registry that could be read two ways is refused. */
function parseJson(bytes: Uint8Array, path: string, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what} ${path} is not UTF-8 text`);
  }
  try {
    return parseCanonicalInput(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${reason(e)}`);
  }
}

async function writeText(path: string, text: string, what: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${what} ${path}: ${reason(e)}`);
  }
}

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Runs `body`; a UsageError, or a RangeError from validation, becomes exit 2 and one stderr line. */
async function command(name: string, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof RangeError)) throw e;
    process.stderr.write(`capseal registry ${name}: ${reason(e)}\n`);
    return 2;
  }
}

async function policyEntry(path: string): Promise<PolicyEntry> {
  const bytes = await readBytes(path, 'policy file');
  const json = parseJson(bytes, path, 'policy file');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`policy file ${path} is not a JSON object`);
  const fields = json as Record<string, unknown>;
  for (const k of ['policy_id', 'policy_version'] as const) {
    const v = fields[k];
    if (v === undefined) throw new UsageError(`policy file ${path} has no ${k}`);
    if (typeof v !== 'string' || v === '') throw new UsageError(`policy file ${path}: ${k} must be a non-empty string`);
  }
  return { policy_id: fields.policy_id as string, policy_version: fields.policy_version as string, policy_hash: sha256Hex(bytes) };
}

export function registryBuild(opts: { policies: string[]; out: string; json: boolean }): Promise<number> {
  return command('build', async () => {
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
  });
}

export function registryProve(opts: { registry: string; policy: string; out: string | undefined; json: boolean }): Promise<number> {
  return command('prove', async () => {
    const json = parseJson(await readBytes(opts.registry, 'registry'), opts.registry, 'registry');
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
      return;
    }
    await writeText(opts.out, pretty(proof), 'inclusion proof');
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(proof)}\n`
        : `policy ${policyHash} is leaf ${proof.leaf_index} of ${proof.tree_size} under root ${proof.root}; proof written to ${opts.out}\n`,
    );
  });
}
