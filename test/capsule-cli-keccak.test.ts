// `capseal prove --air keccak` end to end (src/cli/main.ts run by tsx): a message's Keccak-256 capsule
// whose statement's digest is @noble/hashes' keccak_256, accepted by `capseal verify`; a message that
// is not hex is a usage error before any proving. Apart from test/capsule-cli.test.ts, whose copy in
// the Node 20 smoke would prove the 2,796-column AIR twice.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'capseal-cli-keccak-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const writeJson = (path: string, v: unknown): string => (writeFileSync(path, JSON.stringify(v)), path);
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
describe('Keccak-256 capsules (--air keccak --input {message})', () => {
  it('proves keccak256("abc") as the statement\'s digest (noble), and verify accepts it', () => {
    const dir = join(TMP, 'keccak'), input = writeJson(join(TMP, 'keccak-input.json'), { message: bytesToHex(new TextEncoder().encode('abc')) });
    const p = runCli(['prove', '--air', 'keccak', '--input', input, '--backend', 'cpu', '--out', dir, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ trace_format_id: 'KECCAK_256_V1', rows: 32, security_bits: 100 });
    const c = readJson(join(dir, 'capsule.json')) as { statement: { public_inputs: Record<string, unknown> } };
    expect(c.statement.public_inputs).toMatchObject({ message: '616263', digest: bytesToHex(keccak_256(new TextEncoder().encode('abc'))) });
    const v = runCli(['verify', join(dir, 'capsule.json')]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^accepted: KECCAK_256_V1 capsule [0-9a-f]{64} \(keccak_256_v1, 100-bit proof/);
  }, 300_000);
  it('a message that is not hex is exit 2 naming the field, before any proving', () => {
    const input = writeJson(join(TMP, 'keccak-bad.json'), { message: 'xyz' });
    const r = runCli(['prove', '--air', 'keccak', '--input', input, '--out', join(TMP, 'keccak-bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/message: must be lowercase hex/);
  });
});
