/**
 * `capseal verify CAPSULE`: the ordered capsule verifier (src/capsule/verify.ts) on a capsule file,
 * reading the files it names from the capsule's directory. An agent_capsule_v1 file is verified with
 * the bef_capsule_v1 it names (and, with --actions, the seed's constraint check). Prints
 * "accepted"/"rejected CODE" and the message, or with --json
 * {"status","code","message","checks":[{"name","ok","code"}]}. Exit 0 accepted, 1 rejected, 2 usage/I/O.
 *
 * @module
 */
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseInput } from '../airs/public-inputs.js';
import { parseAcl } from '../capsule/acl.js';
import { AGENT_CAPSULE_SCHEMA, verifyAgentCapsule } from '../capsule/agent-capsule.js';
import { ChallengeNonceSchema } from '../capsule/da.js';
import { directoryFiles } from '../capsule/files-node.js';
import { HashHexSchema } from '../capsule/spec.js';
import { MAX_JSON_FILE_BYTES, verifyCapsule, type VerifyCapsuleOptions, type VerifyReport } from '../capsule/verify.js';
import { Kernels } from '../wasm/kernels.js';
import { command, readBytes, readJson, reason, UsageError, watchReads } from './io.js';

export interface VerifyCliOptions {
  policy?: string;
  acl?: string;
  registryRoot?: string;
  inclusionProof?: string;
  challengeNonce?: string;
  minSecurity?: string;
  actions?: string;
  json: boolean;
}

const Bits = z.string().regex(/^[0-9]+$/, 'must be an integer number of bits').transform(Number).refine((b) => b <= 256, 'must be at most 256');

/** The schema a capsule file declares, if it is a JSON object with one (undefined otherwise: the verifier reports why). */
function declaredSchema(bytes: Uint8Array): unknown {
  try {
    const j: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof j === 'object' && j !== null ? (j as Record<string, unknown>)['schema'] : undefined;
  } catch {
    return undefined;
  }
}

export const verify = (path: string, o: VerifyCliOptions): Promise<number> =>
  command('verify', async () => {
    if ((o.registryRoot === undefined) !== (o.inclusionProof === undefined))
      throw new UsageError('--registry-root and --inclusion-proof go together');
    const opts: VerifyCapsuleOptions & { actions?: unknown } = {};
    if (o.policy !== undefined) opts.policyBytes = await readBytes(o.policy, 'policy', MAX_JSON_FILE_BYTES);
    if (o.acl !== undefined) opts.acl = parseAcl(await readJson(o.acl, 'ACL'));
    if (o.registryRoot !== undefined)
      opts.registry = { root: parseInput(HashHexSchema, o.registryRoot, '--registry-root'), inclusionProof: await readJson(o.inclusionProof!, 'inclusion proof') };
    if (o.challengeNonce !== undefined) opts.challengeNonce = parseInput(ChallengeNonceSchema, o.challengeNonce, '--challenge-nonce');
    if (o.minSecurity !== undefined) opts.minSecurityBits = parseInput(Bits, o.minSecurity, '--min-security');
    const bytes = await readBytes(path, 'capsule');
    const isAgent = declaredSchema(bytes) === AGENT_CAPSULE_SCHEMA;
    if (o.actions !== undefined) {
      if (!isAgent) throw new UsageError(`--actions applies to an ${AGENT_CAPSULE_SCHEMA} file`);
      opts.actions = await readJson(o.actions, 'action log');
    }

    const k = await Kernels.load();
    const { files, failure } = watchReads(directoryFiles(dirname(path)));
    const report: VerifyReport = isAgent ? await verifyAgentCapsule(k, bytes, files, opts) : await verifyCapsule(k, bytes, files, opts);
    const failed = failure();
    if (failed) throw new UsageError(`cannot read a file of the capsule: ${reason(failed)}`);
    process.stdout.write(o.json ? `${JSON.stringify(report)}\n`
      : report.status === 'accepted' ? `${report.message}\n` : `rejected ${report.code}: ${report.message}\n`);
    return report.status === 'accepted' ? 0 : 1;
  });
