/**
 * `capseal prove`: proves a trace made by a built-in trace adapter and writes its capsule directory:
 * capsule.json, policy.json (the policy's exact bytes), proofs/<name>.proof.bin|.json and the row
 * archive row_archive/ (chunk_roots.bin|.json, chunks/<i>.bin); for --air agent also
 * agent_capsule.json (seed 002). Re-proving into a capsule directory replaces what capseal wrote there.
 * Progress on stderr; the result on stdout (--json: one JSON line). Exit 0, or 2 for bad input/I/O.
 *
 * @module
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ADAPTERS, type AnyTraceAdapter } from '../capsule/adapter.js';
import { agentAirFor, agentCapsule, AGENT_CAPSULE_FILE } from '../capsule/agent-capsule.js';
import { MAX_JSON_FILE_BYTES } from '../capsule/verify.js';
import { parseKeyFile } from '../capsule/authorship.js';
import { parsePolicy } from '../capsule/policy.js';
import { ARCHIVE_DIR, CAPSULE_FILE, sealCapsule, type Sealed } from '../capsule/seal.js';
import { AnchorsSchema, type Anchors } from '../capsule/spec.js';
import { createNodeProverBackend } from '../prover/node.js';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/scheduler.js';
import { jsonFileBytes } from '../json/file-json.js';
import { Kernels } from '../wasm/kernels.js';
import { parseInput } from '../airs/public-inputs.js';
import { command, readBytes, readJson, reason, UsageError } from './io.js';

/** Rows proved when --steps and --input are both absent (adapters that take --steps). */
export const DEFAULT_STEPS = 4096;

export interface ProveCliOptions {
  air: string;
  steps?: string;
  input?: string;
  out: string;
  backend: string;
  policy?: string;
  anchor: string[];
  sign?: string;
  chunkLen?: string;
  json: boolean;
}

// Digits only; the value's range is the adapter's (--steps) or the archive's (--chunk-len) to judge.
const Integer = z.string().regex(/^[0-9]+$/, 'must be a decimal integer').transform(Number);

const say = (m: string) => process.stderr.write(`${m}\n`);

function parseAnchors(pairs: readonly string[]): Anchors {
  // A Map, not an object: `key in {}` is true for "constructor", "toString", … (Object.prototype).
  const anchors = new Map<string, string>();
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--anchor ${JSON.stringify(p)} is not key=value`);
    const key = p.slice(0, eq);
    if (anchors.has(key)) throw new UsageError(`--anchor ${key} is given twice`);
    // The schema's record would drop it silently (assigning __proto__ sets the prototype), leaving it unbound.
    if (key === '__proto__') throw new UsageError('--anchor key __proto__ is not allowed');
    anchors.set(key, p.slice(eq + 1));
  }
  const r = AnchorsSchema.safeParse(Object.fromEntries(anchors));
  if (!r.success) {
    // A bad key is reported by zod as "Invalid key in record", with the key schema's message nested.
    const issue = r.error.issues[0]!;
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new UsageError(`--anchor${issue.path.length ? ` ${String(issue.path[0])}` : ''}: ${message}`);
  }
  return r.data;
}

/** The --policy file's bytes, checked to be a policy before any proving. */
async function readPolicy(path: string): Promise<Uint8Array> {
  const bytes = await readBytes(path, 'policy', MAX_JSON_FILE_BYTES);
  try {
    parsePolicy(bytes);
  } catch (e) {
    throw new UsageError(`--policy ${path}: ${reason(e)}`);
  }
  return bytes;
}

async function adapterInput(adapter: AnyTraceAdapter, name: string, o: ProveCliOptions): Promise<unknown> {
  if (o.steps !== undefined && o.input !== undefined) throw new UsageError('give --steps or --input, not both');
  if (o.input !== undefined) return readJson(o.input, 'input');
  if (!adapter.fromSteps) throw new UsageError(`--air ${name} takes --input FILE`);
  const steps = o.steps === undefined ? DEFAULT_STEPS : parseInput(Integer, o.steps, '--steps');
  return adapter.fromSteps(steps);
}

/**
 * Makes the capsule directory before any proving, so a bad --out is reported at once; returns the
 * first directory it created (to remove if the proof fails), if any.
 */
async function makeOutDir(out: string): Promise<string | undefined> {
  if (out === '') throw new UsageError('--out must name a directory');
  try {
    return await mkdir(out, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create capsule directory ${out}: ${reason(e)}`);
  }
}

/** Writes the sealed files below `out`, replacing an earlier capsule's outputs there. */
async function writeCapsuleDir(out: string, sealed: Sealed, extra: [string, Uint8Array][]): Promise<void> {
  const isCapsuleDir = await stat(join(out, CAPSULE_FILE)).then(() => true, () => false);
  if (isCapsuleDir) for (const p of ['proofs', ARCHIVE_DIR, CAPSULE_FILE, AGENT_CAPSULE_FILE]) await rm(join(out, p), { recursive: true, force: true });
  const made = new Set<string>();
  for (const [path, bytes] of [...extra, ...sealed.files]) {
    const full = join(out, path), dir = dirname(full);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await writeFile(full, bytes);
  }
}

export const prove = (o: ProveCliOptions): Promise<number> =>
  command('prove', async () => {
    const adapter = Object.hasOwn(ADAPTERS, o.air) ? ADAPTERS[o.air] : undefined;
    if (!adapter) throw new UsageError(`--air must be one of ${Object.keys(ADAPTERS).join(', ')}, got ${JSON.stringify(o.air)}`);
    if (!BACKEND_CHOICES.includes(o.backend as BackendChoice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
    const input = await adapterInput(adapter, o.air, o);
    const anchors = parseAnchors(o.anchor);
    const policyBytes = o.policy === undefined ? undefined : await readPolicy(o.policy);
    const key = o.sign === undefined ? undefined : parseKeyFile(await readJson(o.sign, 'key file'));
    const chunkLen = o.chunkLen === undefined ? undefined : parseInput(Integer, o.chunkLen, '--chunk-len');

    const created = await makeOutDir(o.out);
    let sealed: Sealed, extra: [string, Uint8Array][];
    try {
      const k = await Kernels.load();
      const backend = await createNodeProverBackend(o.backend as BackendChoice, say);
      try {
        sealed = await sealCapsule(k, {
          adapter, input, backend, backendChoice: o.backend as BackendChoice, anchors, progress: say,
          ...(policyBytes ? { policyBytes } : {}), ...(key ? { key } : {}), ...(chunkLen !== undefined ? { chunkLen } : {}),
        });
      } finally {
        await backend.destroy();
      }
      extra = agentAirFor(adapter.traceFormatId) !== undefined
        ? [[AGENT_CAPSULE_FILE, jsonFileBytes(agentCapsule(sealed))]]
        : [];
      say(`writing ${join(o.out, '/')}`);
      await writeCapsuleDir(o.out, sealed, extra).catch((e: unknown) => {
        throw new UsageError(`cannot write capsule directory ${o.out}: ${reason(e)}`);
      });
    } catch (e) {
      if (created !== undefined) await rm(created, { recursive: true, force: true });
      throw e;
    }

    const c = sealed.capsule, entry = Object.values(c.proofs)[0]!;
    const result = {
      capsule: join(o.out, CAPSULE_FILE),
      capsule_hash: c.capsule_hash,
      statement_hash: c.statement_hash,
      trace_format_id: c.trace_spec.trace_format_id,
      rows: c.chunk_meta.total_rows / entry.stats.options.blowup,
      backend: entry.backend.description,
      prove_ms: Math.round(entry.stats.prove_ms),
      proof_bytes: entry.stats.proof_bytes,
      security_bits: entry.stats.security_bits,
      archive: { chunks: c.chunk_meta.num_chunks, chunk_len: c.chunk_meta.chunk_len },
      signed_by: c.authorship?.pubkey ?? null,
      ...(extra.length ? { agent_capsule: join(o.out, AGENT_CAPSULE_FILE) } : {}),
    };
    process.stdout.write(o.json ? `${JSON.stringify(result)}\n`
      : `${result.capsule}\ncapsule_hash ${result.capsule_hash}\n${result.trace_format_id}, ${result.rows} rows, ${result.security_bits}-bit proof of ${result.proof_bytes} bytes in ${result.prove_ms} ms on ${result.backend}\n`);
    return 0;
  });
