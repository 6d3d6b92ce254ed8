// What rejecting a hostile capsule costs the capsule verifier: an honest GEOM capsule (2^10 rows)
// whose JSON proof file is replaced by one of ~57 MiB (under the 64 MiB a proof file may take) that
// holds the same proof with its composition opening padded by Merkle siblings, so it parses and
// decodes before it can be found to differ from the binary proof; the capsule is resealed around it.
// `npx tsx bench/hostile-capsule.ts [--runs N] [--json]`: median and spread of verifyCapsule over the
// runs (default 7, after one warm-up), each checked to be rejected with E042_PROOF_DECODE_ERROR.
// A script of its own rather than a `perf` benchmark: it measures the verifier's defence, not the prover.
import { parseArgs } from 'node:util';
import { createNodeCpuBackend } from '../src/backend/cpu/node.js';
import { ADAPTERS } from '../src/capsule/adapter.js';
import { capsuleHash } from '../src/capsule/capsule.js';
import { sealCapsule } from '../src/capsule/seal.js';
import { verifyCapsule } from '../src/capsule/verify.js';
import { sha256Hex } from '../src/hash/digest.js';
import { jsonFileBytes } from '../src/json/file-json.js';
import { Kernels } from '../src/wasm/kernels.js';
import { CheckFailed, device, progress, report, time } from './measure.js';

/** The hostile JSON proof file's size: under the verifier's 64 MiB bound on a proof file. */
const HOSTILE_BYTES = 57 * 2 ** 20;
/** One padding sibling as jsonFileBytes writes it, at depth 3: 8 spaces, 66 characters, a comma and a newline. */
const SIBLING_LINE = 76;

type Json = Record<string, unknown>;

/** An honest capsule's files, with the JSON proof replaced by the hostile one and the capsule resealed. */
async function hostileCapsule(k: Kernels): Promise<{ dir: Map<string, Uint8Array>; jsonBytes: number }> {
  const backend = await createNodeCpuBackend({ threads: 1 });
  let dir: Map<string, Uint8Array>;
  try {
    dir = new Map((await sealCapsule(k, { adapter: ADAPTERS['geom']!, input: { steps: 1024 }, backend, backendChoice: 'cpu' })).files);
  } finally {
    await backend.destroy();
  }
  const capsule = JSON.parse(new TextDecoder().decode(dir.get('capsule.json'))) as Json;
  const format = Object.values(capsule['proofs'] as Record<string, { formats: { json: Json } }>)[0]!.formats.json;
  const path = format['path'] as string;
  const proof = JSON.parse(new TextDecoder().decode(dir.get(path))) as { compositionOpening: { proof: { siblings: string[] } } };
  const opened = proof.compositionOpening.proof;
  opened.siblings = opened.siblings.concat(new Array<string>(Math.floor((HOSTILE_BYTES - dir.get(path)!.length) / SIBLING_LINE)).fill(opened.siblings[0]!));
  const hostile = jsonFileBytes(proof);
  dir.set(path, hostile);
  Object.assign(format, { sha256_payload_hash: sha256Hex(hostile), size_bytes: hostile.length });
  capsule['capsule_hash'] = capsuleHash(capsule);
  dir.set('capsule.json', jsonFileBytes(capsule));
  return { dir, jsonBytes: hostile.length };
}

async function main(o: { runs: number; json: boolean }): Promise<void> {
  const k = await Kernels.load();
  const { dir, jsonBytes } = await hostileCapsule(k);
  progress(`hostile-capsule: verifyCapsule of an honest binary proof beside a ${(jsonBytes / 2 ** 20).toFixed(1)} MiB JSON form`);
  const files = { read: async (p: string) => dir.get(p) ?? null };
  const s = await time(async () => {
    const r = await verifyCapsule(k, dir.get('capsule.json')!, files);
    if (r.code !== 'E042_PROOF_DECODE_ERROR') throw new CheckFailed(`the hostile capsule gave ${r.code ?? 'accepted'}: ${r.message}`);
  }, o.runs, 1);
  report(o.json, { bench: 'hostile-capsule', json_bytes: jsonBytes, ...s, device });
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('error: --runs must be a positive integer\n');
  process.exit(2);
}
main({ runs, json: values.json }).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof CheckFailed ? 1 : 2);
  },
);
