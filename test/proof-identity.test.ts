// Proof bytes are not unique (docs/proof-identity.md): any nonce with enough proof of work, with the
// openings its queries ask for, makes a valid proof of the same statement. Here a listed run is proved again with the next valid nonce
// after the prover's least one and its pack resealed around it, a malleated twin that passes the
// whole submission contract on its own, with a new capsule hash and the same statement and run id;
// the leaderboard keys rows by run id, not by anything derived from the proof, so the twin never
// makes a second row nor displaces the first, whether it comes after the first is listed or is
// verified beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CapsuleSchema, type Capsule } from '../src/capsule/capsule.js';
import type { StreamEvent } from '../src/capsulebench/events.js';
import { makePackArchive } from '../src/capsulebench/pack-node.js';
import { sha256Hex } from '../src/hash/digest.js';
import { decodeProof } from '../src/stark/codec.js';
import { Transcript } from '../src/stark/transcript.js';
import { copyPack, fileHash, makePack, readEvents, readJson, reprove, reseal, tempDir, verifyDir, writeEvents, writeJson } from './helpers/capsulebench.js';
import { DATABASES, getJson, packTgz, postPack, startTestServer, TEST_JOBS, waitVerdict, type TestServer } from './helpers/server.js';

const CAPSULE = 'capsule.json', MEASUREMENTS = 'measurements/measurements.json';
let victim: string;
let twin: { dir: string; tgz: string; capsule: Capsule };

const capsuleOf = (dir: string): Capsule => CapsuleSchema.parse(readJson(dir, CAPSULE));
const proofPathOf = (c: Capsule) => Object.values(c.proofs)[0]!.formats;

/**
 * A copy of the pack at `src` proved again with the second-least valid nonce, and everything that
 * names the proof's bytes made to match, as a dishonest runner could: the proof files and the
 * capsule's record of them (./helpers/capsulebench.ts reprove), the measurements' proof hashes
 * (identical_proofs) and size, the events, the capsule hash and pack_meta. A nonce cannot be
 * swapped in place: the queries, hence the openings, follow from it, so the twin is proved again
 * from the public workload input.
 */
async function malleatedTwin(src: string): Promise<{ dir: string; tgz: string; capsule: Capsule }> {
  const dir = copyPack(src);
  const least = Transcript.prototype.grind;
  const grind = vi.spyOn(Transcript.prototype, 'grind').mockImplementation(function (this: Transcript, bits: number) {
    let nonce = least.call(this, bits) + 1n;
    while (!this.checkPow(nonce, bits)) nonce++;
    return nonce;
  });
  try {
    await reprove(dir, {});
  } finally {
    grind.mockRestore();
  }
  const bin = readFileSync(join(dir, proofPathOf(capsuleOf(dir)).bin.path));
  const m = readJson(dir, MEASUREMENTS);
  for (const r of [...m['warmups'], ...m['runs']]) r.proof_sha256 = sha256Hex(bin);
  m['public_outputs'].proof_size_bytes = bin.length; // the openings of other queries share other siblings
  writeJson(dir, MEASUREMENTS, m);
  /** The events, saying the proof's new hashes and, once it is known, the new capsule hash. */
  const retold = (capsuleHash?: string): StreamEvent[] => readEvents(dir).map((e) => {
    const d = e.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const data = e.type === 'proof_artifact' ? { ...d, size_bytes: bin.length, sha256_payload_hash_hex: sha256Hex(bin), measurements_hash_hex: fileHash(dir, MEASUREMENTS) }
      : capsuleHash && e.type === 'capsule_sealed' ? { ...d, capsule_hash_hex: capsuleHash }
      : capsuleHash && e.type === 'state_snapshot' && d['locked'].capsule_hash_hex ? { ...d, locked: { ...d['locked'], capsule_hash_hex: capsuleHash } }
      : d;
    return { ...e, data } as StreamEvent;
  });
  writeEvents(dir, retold()); // the chain up to proof_artifact, whose head the capsule seals
  const sealed = reseal(dir);
  writeEvents(dir, retold(sealed.capsule_hash));
  return { dir, tgz: (await makePackArchive(join(dir, '..'))).path, capsule: sealed };
}

beforeAll(async () => {
  victim = await makePack(join(tempDir('proof-identity-'), 'victim'));
  twin = await malleatedTwin(victim);
}, 300_000);

describe('a re-ground twin of a listed run', () => {
  it('is a valid pack on its own: other proof bytes and capsule hash, the same statement and run id', async () => {
    const a = capsuleOf(victim), b = twin.capsule;
    const proofOf = (dir: string, c: Capsule) => decodeProof(new Uint8Array(readFileSync(join(dir, proofPathOf(c).bin.path))));
    const [pa, pb] = [proofOf(victim, a), proofOf(twin.dir, b)];
    expect(pb.nonce).toBeGreaterThan(pa.nonce);
    expect({ ...pb, nonce: 0n, traceOpening: null, compositionOpening: null, friOpenings: null })
      .toEqual({ ...pa, nonce: 0n, traceOpening: null, compositionOpening: null, friOpenings: null }); // the commitments, OOD answers and FRI are the same
    expect(b.capsule_hash).not.toBe(a.capsule_hash);
    expect(b.statement_hash).toBe(a.statement_hash);
    expect(b.benchmark!.run_id).toBe(a.benchmark!.run_id);
    const r = await verifyDir(twin.dir);
    expect(r.status, r.message).toBe('accepted');
  });

  describe.each(DATABASES)('on the server (%s)', (kind) => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer(kind);
    }, 60_000);
    afterAll(async () => s?.stop());

    const boardRows = async (url: string, runId: string) =>
      (await getJson<{ rows: { run_id: string }[] }>(`${url}/api/leaderboard`)).rows.filter((r) => r.run_id === runId);

    it('after the first is listed: refused as a duplicate of its run; the first row stays', async () => {
      const first = await postPack(s.url, packTgz(join(victim, '..')));
      expect(first.status).toBe(202);
      const listed = await waitVerdict(s.url, ((await first.json()) as { id: string }).id);
      expect(listed.verdict).toMatchObject({ status: 'accepted' });
      const again = await postPack(s.url, twin.tgz);
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('this run id is already on the board');
      const runId = twin.capsule.benchmark!.run_id;
      expect(await boardRows(s.url, runId)).toHaveLength(1);
      const row = await getJson<{ capsule_hash: string; submission_id: string }>(`${s.url}/api/runs/${runId}`);
      expect(row).toMatchObject({ capsule_hash: capsuleOf(victim).capsule_hash, submission_id: listed.id });
    });

    it('verified beside the first (both queued before either verdict): one row, the other E181', async () => {
      // Jobs that expire after 60 s give a verification 30 s (TEST_JOBS' 4 s give it 1 s, which a cold thread on a busy machine can miss).
      let q = await startTestServer(kind, { workers: 0, jobs: { ...TEST_JOBS, expireInSeconds: 60 } });
      try {
        const posted = [await postPack(q.url, packTgz(join(victim, '..'))), await postPack(q.url, twin.tgz)];
        expect(posted.map((r) => r.status)).toEqual([202, 202]);
        const ids = await Promise.all(posted.map(async (r) => ((await r.json()) as { id: string }).id));
        q = await q.restart({ workers: 1 });
        const verdicts = await Promise.all(ids.map((id) => waitVerdict(q.url, id)));
        expect(verdicts.map((v) => v.verdict!.code).sort()).toEqual(['E181_ALREADY_ON_BOARD', null]);
        expect(await boardRows(q.url, twin.capsule.benchmark!.run_id)).toHaveLength(1);
      } finally {
        await q.stop();
      }
    });
  });
});
