// The public conformance vectors (docs/conformance/): regenerating them from the code gives the
// committed bytes, file for file (a format change must be deliberate: regenerate with
// `npx tsx test/conformance/make.ts` and say so), and the project's verifiers give every case of the
// manifest the verdict and code it records. Each capsule error code has a negative case; so has each
// STARK rejection code reachable from the binary form.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/capsule/codes.js';
import { Kernels } from '../src/wasm/kernels.js';
import { generateConformance, runCapsuleCase, runStarkCase, type Case, type Files } from './conformance/generate.js';
import { runPackCase, SERVER_ONLY_CODES } from './conformance/packs.js';
import { BENCH_ERROR_CODES } from '../src/capsulebench/codes.js';
import { verifyPack } from '../src/capsulebench/contract.js';
import { archiveRejection, openPack, PackArchiveError } from '../src/capsulebench/pack-node.js';

const root = fileURLToPath(new URL('../docs/conformance/', import.meta.url));

function committed(dir = root, out: Files = new Map()): Files {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) committed(path, out);
    else if (relative(root, path) !== 'README.md') out.set(relative(root, path).split('\\').join('/'), new Uint8Array(readFileSync(path)));
  }
  return out;
}

let k: Kernels;
let files: Files;
let cases: Case[];

beforeAll(async () => {
  k = await Kernels.load();
  files = committed();
  cases = (JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as { cases: Case[] }).cases;
}, 60_000);

describe('docs/conformance', () => {
  it('regenerating the vectors changes no byte and no file', async () => {
    const fresh = await generateConformance(k);
    expect([...fresh.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [path, bytes] of fresh) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(files.get(path)!)), path).toBe(0);
  }, 120_000);

  it('every case gets the verdict and code its manifest entry records', async () => {
    for (const c of cases) {
      const got = c.kind === 'stark' ? runStarkCase(k, c, files) : c.kind === 'capsule' ? await runCapsuleCase(k, c, files) : await runPackCase(k, c, files);
      expect({ id: c.id, status: got.status, code: 'code' in got ? got.code : null }).toEqual({ id: c.id, status: c.expect.status, code: 'code' in c.expect ? c.expect.code : null });
    }
  }, 120_000);

  it("every archive case gets the same verdict and code from capseal bench verify's reader (openPack, on disk)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-archive-'));
    try {
      for (const c of cases) {
        if (c.kind !== 'pack' || !c.archive) continue;
        const path = join(dir, 'pack.tgz');
        writeFileSync(path, files.get(c.archive)!);
        let got: { status: string; code: string | null };
        try {
          const pack = await openPack(path, { tempParent: dir });
          try {
            got = await verifyPack(k, pack.files);
          } finally {
            await pack.close();
          }
        } catch (e) {
          if (!(e instanceof PackArchiveError)) throw e;
          got = archiveRejection(e);
        }
        expect({ id: c.id, status: got.status, code: got.code }).toEqual({ id: c.id, status: c.expect.status, code: 'code' in c.expect ? c.expect.code : null });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('every capsule and pack error code and every STARK code reachable from proof bytes has a negative case', () => {
    const codes = new Set(cases.map((c) => ('code' in c.expect ? c.expect.code : 'accepted')));
    expect(Object.keys(ERROR_CODES).filter((code) => !codes.has(code as never))).toEqual([]);
    // A pack's codes but the server's own (its failures, a duplicate submission).
    expect(Object.keys(BENCH_ERROR_CODES).filter((code) => !codes.has(code as never) && !SERVER_ONLY_CODES.includes(code))).toEqual([]);
    // 'fri-folding' needs a dishonest FRI prover: test/verifier-queries.test.ts covers it.
    const stark = ['malformed', 'options', 'security', 'shape', 'ood', 'pow', 'trace-opening', 'aux-opening', 'composition-opening', 'fri-opening', 'final-polynomial'];
    expect(stark.filter((code) => !codes.has(code as never))).toEqual([]);
  });
});
