/**
 * One submission's verification (README.md "Leaderboard server"): the submission contract — the same verifyPack
 * as `capseal bench verify` — on the uploaded pack, with a challenge DA audit drawn from the nonce the
 * server chose for this submission. The community tier first; a pack that carries a signature and an
 * inclusion proof is then held to the certified tier too when the server has an ACL (failing that
 * leaves it community, and says why). Everything the leaderboard stores about the run is taken from
 * the bytes the verifier read, never from a second read of the pack.
 *
 * @module
 */
import { CAPSULE_FILE } from '../capsule/seal.js';
import type { Acl } from '../capsule/acl.js';
import { CapsuleSchema, type Capsule } from '../capsule/capsule.js';
import { readOnce, verifyPack, type PackReport } from '../capsulebench/contract.js';
import { EVENTS_PATH } from '../capsulebench/events.js';
import { manifestPath, MANIFESTS, type ManifestKind } from '../capsulebench/manifests.js';
import { MEASUREMENTS_PATH, MeasurementsSchema, type Measurements } from '../capsulebench/measurements.js';
import { archiveRejection, openPack, PackArchiveError } from '../capsulebench/pack-node.js';
import { INCLUSION_PROOF_FILE, PACK_META, PackMetaSchema, type PackMeta } from '../capsulebench/pack.js';
import { parseCanonicalBytes } from '../json/canonical-json.js';
import type { Kernels } from '../wasm/kernels.js';

export interface VerifyTask {
  /** The uploaded .tgz. */
  packPath: string;
  /** Where the pack may be extracted (the submission's sandbox). */
  sandbox: string;
  challengeNonce: string;
  /** The certified tier's trust: the registry root and the ACL (absent: community only). */
  certified?: { registryRoot: string; acl: Acl };
}

/** What the leaderboard keeps of an accepted run: the verified documents. */
export interface RunDocuments {
  capsule: Capsule;
  measurements: Measurements;
  manifests: Record<ManifestKind, unknown>;
  packMeta: PackMeta;
  events: string;
}

export interface VerifyOutcome {
  report: PackReport;
  /** Why a pack that asked for the certified tier was not given it (it stays community). */
  certifiedRefusal: { code: string; message: string } | null;
  documents: RunDocuments | null;
  verifyMs: number;
}

/** The bytes the verifier read of `path` (an accepted pack's documents were all read). */
function verified(files: ReturnType<typeof readOnce>, path: string): Uint8Array {
  const b = files.seen(path);
  if (!b) throw new Error(`internal: the verifier did not read ${path}`);
  return b;
}

function documentsOf(files: ReturnType<typeof readOnce>): RunDocuments {
  const bytes = (path: string): Uint8Array => verified(files, path);
  const json = (path: string): unknown => parseCanonicalBytes(bytes(path));
  const manifests = Object.fromEntries((Object.keys(MANIFESTS) as ManifestKind[]).map((k) => [k, json(manifestPath(k))])) as Record<ManifestKind, unknown>;
  return {
    capsule: CapsuleSchema.parse(json(CAPSULE_FILE)),
    measurements: MeasurementsSchema.parse(json(MEASUREMENTS_PATH)),
    manifests,
    packMeta: PackMetaSchema.parse(json(PACK_META)),
    events: new TextDecoder().decode(bytes(EVENTS_PATH)),
  };
}

export async function verifySubmission(k: Kernels, task: VerifyTask): Promise<VerifyOutcome> {
  const t0 = performance.now();
  let opened;
  try {
    opened = await openPack(task.packPath, { tempParent: task.sandbox });
  } catch (e) {
    if (!(e instanceof PackArchiveError)) throw e;
    return { report: archiveRejection(e), certifiedRefusal: null, documents: null, verifyMs: performance.now() - t0 };
  }
  try {
    // One reading of the pack for both tiers and for what is stored.
    const files = readOnce(opened.files);
    const community = await verifyPack(k, files, { challengeNonce: task.challengeNonce });
    let report = community, certifiedRefusal: VerifyOutcome['certifiedRefusal'] = null;
    if (community.status === 'accepted' && task.certified) {
      const capsule = CapsuleSchema.parse(parseCanonicalBytes(verified(files, CAPSULE_FILE)));
      const asks = capsule.authorship !== undefined && (await files.list()).some((e) => e.path === INCLUSION_PROOF_FILE);
      if (asks) {
        const certified = await verifyPack(k, files, { challengeNonce: task.challengeNonce, certified: task.certified });
        if (certified.status === 'accepted') report = certified;
        else certifiedRefusal = { code: certified.code!, message: certified.message };
      }
    }
    const documents = report.status === 'accepted' ? documentsOf(files) : null;
    return { report, certifiedRefusal, documents, verifyMs: performance.now() - t0 };
  } finally {
    await opened.close();
  }
}
