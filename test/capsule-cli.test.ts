// The capseal CLI end to end on disk (src/cli/main.ts run from source by tsx, test/helpers/cli.ts):
// prove writes a capsule directory, verify reads it back (also after a copy elsewhere: its paths are
// relative), tampered files are rejected with their stable code, and the options of prove and verify
// (anchors, policies and the policy registry, signing and ACLs, security floor, challenge audit,
// agent capsules and their action log) do what they say. The CLI contract: results on stdout,
// progress and errors on stderr; exit 0 accepted/ok, 1 rejected, 2 usage or I/O error.
//
// Each spawn costs about a second of tsx start-up, so one capsule serves many verifies, and the
// option checks that fail before any proving are run in-process through the commands' functions
// (src/cli/prove.ts, src/cli/verify.ts), which main.ts maps to the exit code unchanged.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRegistry, proveInclusion } from '../src/capsule/registry.js';
import { prove, type ProveCliOptions } from '../src/cli/prove.js';
import { verify, type VerifyCliOptions } from '../src/cli/verify.js';
import { readBytes } from '../src/cli/io.js';
import { sha256Hex } from '../src/hash/digest.js';
import { inProcess, permissionDenied, runCli, type CliRun } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'capseal-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SMALL = ['--steps', '64', '--chunk-len', '64', '--backend', 'cpu'];
/** GEOM, 64 steps × blowup 8 = 512 committed rows in chunks of 64. */
const CHUNKS = 8;
const CHECKS = ['parse', 'capsule_hash', 'schema', 'trace_spec', 'policy', 'artifacts', 'row_commitment', 'statement', 'stark', 'row_index', 'da_audit'];

interface Report {
  status: 'accepted' | 'rejected';
  code: string | null;
  message: string;
  checks: { name: string; ok: boolean; code: string | null }[];
}

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const writeJson = (path: string, v: unknown): string => (writeFileSync(path, `${JSON.stringify(v, null, 2)}\n`), path);
/** One JSON line on stdout, nothing else. */
function jsonLine<T>(r: CliRun): T {
  expect(r.stdout.endsWith('\n') && r.stdout.trim().split('\n').length === 1, `stdout is one line: ${r.stdout}`).toBe(true);
  return JSON.parse(r.stdout) as T;
}
/** A rejection: exit 1, "rejected CODE: message" on stdout. */
function expectRejected(r: CliRun, code: string): void {
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`^rejected ${code}: \\S`));
}
/** A usage or I/O error: exit 2, nothing on stdout, one "capseal <cmd>: …" line on stderr. */
function expectUsage(r: CliRun, command: string, message: RegExp): void {
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^capseal ${command}: `));
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

const proveIn = (o: Partial<ProveCliOptions>): Promise<CliRun> =>
  inProcess(() => prove({ air: 'geom', out: join(TMP, 'never'), backend: 'cpu', anchor: [], json: false, ...o }));
const verifyIn = (path: string, o: Partial<VerifyCliOptions>): Promise<CliRun> => inProcess(() => verify(path, { json: false, ...o }));

/** The files below `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listFiles(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]))
    .sort();
}

// ---- Shared inputs: policies, a signing key, the main (default-policy, unsigned) capsule ----

const CUSTOM = join(TMP, 'custom.json');
const OTHER = join(TMP, 'other.json');
writeJson(CUSTOM, { schema: 'capseal_policy_v1', policy_id: 'team_a', policy_version: '2', min_security_bits: 100 });
writeJson(OTHER, { schema: 'capseal_policy_v1', policy_id: 'team_b', policy_version: '1' });

const MAIN = join(TMP, 'main');
const MAIN_CAPSULE = join(MAIN, 'capsule.json');
let mainProve: CliRun;

beforeAll(() => {
  mainProve = runCli(['prove', '--air', 'geom', ...SMALL, '--out', MAIN, '--json']);
});

describe('capseal prove → verify (GEOM)', () => {
  it('writes the capsule directory, prints one JSON result on stdout and its progress on stderr', () => {
    expect(mainProve.code, mainProve.stderr).toBe(0);
    expect(listFiles(MAIN)).toEqual([
      'capsule.json', 'policy.json', 'proofs/geom.proof.bin', 'proofs/geom.proof.json',
      'row_archive/chunk_roots.bin', 'row_archive/chunk_roots.json',
      ...Array.from({ length: CHUNKS }, (_, i) => `row_archive/chunks/${i}.bin`).sort(),
    ]);
    const r = jsonLine<Record<string, unknown>>(mainProve);
    const capsule = readJson(MAIN_CAPSULE);
    expect(r).toMatchObject({
      capsule: MAIN_CAPSULE,
      capsule_hash: capsule['capsule_hash'],
      statement_hash: capsule['statement_hash'],
      trace_format_id: 'GEOM_AIR_V1',
      rows: 64,
      security_bits: 100,
      archive: { chunks: CHUNKS, chunk_len: 64 },
      signed_by: null,
    });
    expect(r['capsule_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(r['backend']).toMatch(/^cpu/);
    expect(r['proof_bytes']).toBe(statSync(join(MAIN, 'proofs/geom.proof.bin')).size);
    expect(r).not.toHaveProperty('agent_capsule');
    // Progress goes to stderr only.
    expect(mainProve.stderr).toMatch(/proving GEOM_AIR_V1: 2\^6 rows/);
    expect(mainProve.stderr).toMatch(/archiving 512 committed rows in chunks of 64/);
    expect(mainProve.stderr).toContain(`writing ${MAIN}/`);
    expect(mainProve.stdout).not.toMatch(/proving|archiving|writing/);
    // The capsule names its files by relative paths only.
    expect(readFileSync(MAIN_CAPSULE, 'utf8')).not.toContain(TMP);
    expect(capsule['chunk_meta']).toMatchObject({ num_chunks: CHUNKS, chunk_len: 64, total_rows: 512, chunks_path: 'row_archive/chunks' });
  });

  it('verify --json: accepted, every check in order, nothing on stderr', () => {
    const r = runCli(['verify', MAIN_CAPSULE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const report = jsonLine<Report>(r);
    expect(report.status).toBe('accepted');
    expect(report.code).toBeNull();
    expect(report.checks.map((c) => c.name)).toEqual(CHECKS);
    expect(report.checks.every((c) => c.ok && c.code === null)).toBe(true);
    expect(report.message).toContain(readJson(MAIN_CAPSULE)['capsule_hash'] as string);
    expect(report.message).toContain(`DA self-audit ${CHUNKS}/${CHUNKS} chunks`);
  });

  it('a copy of the directory elsewhere verifies there (text mode: "accepted: …")', () => {
    const copy = join(TMP, 'elsewhere', 'copied');
    cpSync(MAIN, copy, { recursive: true });
    const r = runCli(['verify', join(copy, 'capsule.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^accepted: GEOM_AIR_V1 capsule [0-9a-f]{64} \(geom, 100-bit proof; DA self-audit 8\/8 chunks\)\n$/);
  });

  describe('tampering on disk (each on its own copy) is rejected with its code', () => {
    const tampered = (name: string, edit: (dir: string) => void): string => {
      const dir = join(TMP, `tamper-${name}`);
      cpSync(MAIN, dir, { recursive: true });
      edit(dir);
      return join(dir, 'capsule.json');
    };

    it('a deleted chunk file: E080_DA_CHUNK_UNAVAILABLE', () => {
      // k_samples (139) exceeds the 8 chunks, so the audit reads every chunk.
      const r = runCli(['verify', tampered('chunk', (d) => unlinkSync(join(d, 'row_archive/chunks/3.bin')))]);
      expectRejected(r, 'E080_DA_CHUNK_UNAVAILABLE');
      expect(r.stdout).toContain('chunk 3');
    });

    it('an overwritten proof file (same size, one byte flipped): E041_ARTIFACT_HASH_MISMATCH', () => {
      const r = runCli(['verify', '--json', tampered('proof', (d) => {
        const p = join(d, 'proofs/geom.proof.bin');
        const b = readFileSync(p);
        b[b.length >> 1]! ^= 1;
        writeFileSync(p, b);
      })]);
      expect(r.code).toBe(1);
      const report = jsonLine<Report>(r);
      expect(report).toMatchObject({ status: 'rejected', code: 'E041_ARTIFACT_HASH_MISMATCH' });
      expect(report.message).toContain('proofs/geom.proof.bin');
      // The checks up to the failing one, which ends the run.
      expect(report.checks.map((c) => c.name)).toEqual(CHECKS.slice(0, CHECKS.indexOf('artifacts') + 1));
      expect(report.checks.at(-1)).toEqual({ name: 'artifacts', ok: false, code: 'E041_ARTIFACT_HASH_MISMATCH' });
    });

    it('a FIFO in place of a chunk reads as absent (E080), without waiting for a writer', async () => {
      const r = await verifyIn(tampered('fifo', (d) => {
        const p = join(d, 'row_archive/chunks/3.bin');
        unlinkSync(p);
        execFileSync('mkfifo', [p]);
      }), {});
      expectRejected(r, 'E080_DA_CHUNK_UNAVAILABLE');
      expect(r.stdout).toContain('chunk 3');
    });

    it('a capsule file the system will not let it read (EACCES) is an I/O error, exit 2, not a verdict', async () => {
      // Root reads any file, so the refusal is made by the file reader (src/capsule/files-node.ts) itself.
      vi.resetModules();
      vi.doMock('../src/capsule/files-node.js', async (original) => {
        const real = await original<typeof import('../src/capsule/files-node.js')>();
        return {
          ...real,
          directoryFiles(dir: string) {
            const files = real.directoryFiles(dir);
            return {
              read: (path: string, maxBytes: number) =>
                path.endsWith('.proof.bin') ? Promise.reject(permissionDenied(path)) : files.read(path, maxBytes),
            };
          },
        };
      });
      try {
        const fresh = (await import('../src/cli/verify.js')).verify;
        expectUsage(await inProcess(() => fresh(MAIN_CAPSULE, { json: false })), 'verify', /cannot read a file of the capsule: EACCES: permission denied, open 'proofs\/geom\.proof\.bin'/);
      } finally {
        vi.doUnmock('../src/capsule/files-node.js');
        vi.resetModules();
      }
    });

    it('a proof file longer than recorded is refused by its size: E041_ARTIFACT_HASH_MISMATCH', async () => {
      const r = await verifyIn(tampered('long-proof', (d) => appendFileSync(join(d, 'proofs/geom.proof.bin'), new Uint8Array(1))), {});
      expectRejected(r, 'E041_ARTIFACT_HASH_MISMATCH');
      expect(r.stdout).toMatch(/proofs\/geom\.proof\.bin is \d+ bytes, more than the \d+ the capsule allows for it/);
    });

    it('capsule.json anchors edited without rehashing: E011_CAPSULE_HASH_MISMATCH', () => {
      const r = runCli(['verify', tampered('anchors', (d) => {
        const c = readJson(join(d, 'capsule.json'));
        c['anchors'] = { dataset: 'forged' };
        writeJson(join(d, 'capsule.json'), c);
      })]);
      expectRejected(r, 'E011_CAPSULE_HASH_MISMATCH');
    });
  });

  it('--min-security 120 rejects the 100-bit proof: E056_SECURITY_BELOW_MINIMUM', () => {
    const r = runCli(['verify', MAIN_CAPSULE, '--min-security', '120']);
    expectRejected(r, 'E056_SECURITY_BELOW_MINIMUM');
    expect(r.stdout).toMatch(/100 bits .* below the required 120/);
  });
});

describe('prove options', () => {
  it('--help lists every option', () => {
    const r = runCli(['prove', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--air', '--steps', '--input', '--out', '--backend', '--policy', '--anchor', '--sign', '--chunk-len', '--json'])
      expect(r.stdout, opt).toContain(opt);
  });

  it('a missing --out is a usage error (exit 2) before anything is proved', () => {
    const r = runCli(['prove', '--air', 'geom', ...SMALL]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/required option '--out <dir>' not specified/);
  });

  it('bad values are exit 2 with a message naming the option, and write nothing', async () => {
    expectUsage(await proveIn({ air: 'nope' }), 'prove', /--air must be one of geom, fib, agent, keccak, keccak_chain, keccak_merkle, mem_stream, got "nope"/);
    // Not looked up on Object.prototype.
    for (const air of ['constructor', 'toString', '__proto__'])
      expectUsage(await proveIn({ air, steps: '64' }), 'prove', new RegExp(`--air must be one of geom, fib, agent, keccak, keccak_chain, keccak_merkle, mem_stream, got "${air}"`));
    expectUsage(await proveIn({ steps: '1099511627776' }), 'prove', /steps: must be a power of two .*got 1099511627776/);
    expectUsage(await proveIn({ steps: '64', out: '' }), 'prove', /--out must name a directory/);
    const big = join(TMP, 'big-policy.json');
    writeFileSync(big, new Uint8Array(2 ** 24 + 1));
    expectUsage(await proveIn({ steps: '64', policy: big }), 'prove', /policy .*big-policy\.json is larger than 16777216 bytes/);
    const bad = writeJson(join(TMP, 'bad-policy.json'), { schema: 'capseal_policy_v1' });
    expectUsage(await proveIn({ steps: '64', policy: bad }), 'prove', /--policy .*bad-policy\.json: .*policy_id/);
    expectUsage(await proveIn({ steps: '100' }), 'prove', /steps: must be a power of two .*got 100/);
    expectUsage(await proveIn({ steps: '64', anchor: ['bad'] }), 'prove', /--anchor "bad" is not key=value/);
    expectUsage(await proveIn({ steps: '64', anchor: ['=v'] }), 'prove', /--anchor "=v" is not key=value/);
    expectUsage(await proveIn({ steps: '64', anchor: ['a=1', 'a=2'] }), 'prove', /--anchor a is given twice/);
    expectUsage(await proveIn({ steps: '64', anchor: ['bad key=1'] }), 'prove', /--anchor bad key: anchor keys are 1–64 characters/);
    expectUsage(await proveIn({ steps: '64', anchor: ['__proto__=x'] }), 'prove', /__proto__ is not allowed/);
    expectUsage(await proveIn({ steps: '64', input: join(TMP, 'absent.json') }), 'prove', /give --steps or --input, not both/);
    expectUsage(await proveIn({ steps: '64', backend: 'tpu' }), 'prove', /--backend must be one of/);
    // --chunk-len 0 used to be taken as "no --chunk-len" (a falsy 0) and proved with the default.
    expectUsage(await proveIn({ steps: '64', chunkLen: '0' }), 'prove', /chunk length must be a power of two in \[1, 512\].*got 0/);
    expectUsage(await proveIn({ steps: '64', chunkLen: '48' }), 'prove', /chunk length must be a power of two/);
    expect(existsSync(join(TMP, 'never'))).toBe(false);
  });

  it('an --out that cannot be a directory is reported before proving (one stderr line, no progress)', async () => {
    const file = join(TMP, 'a-file');
    writeFileSync(file, 'x');
    expectUsage(await proveIn({ steps: '64', out: file }), 'prove', /cannot create capsule directory .*a-file: EEXIST/);
    expectUsage(await proveIn({ steps: '64', out: join(file, 'sub') }), 'prove', /cannot create capsule directory .*a-file\/sub: ENOTDIR/);
  });
});

describe('prove --backend gpu without a GPU', () => {
  it('is exit 2 with the reason and what to do, not a silent CPU run', () => {
    // An adapter choice that names no GPU: the same refusal as a machine without one.
    const r = runCli(['prove', '--air', 'geom', '--steps', '64', '--backend', 'gpu', '--out', join(TMP, 'no-gpu')], { CAPSEAL_GPU_ADAPTER: 'none' });
    expectUsage(r, 'prove', /CAPSEAL_GPU_ADAPTER must be "default" or "swiftshader", got "none" \(capseal doctor explains; --backend cpu or auto run without a GPU\)\n$/);
    expect(existsSync(join(TMP, 'no-gpu'))).toBe(false);
  });
});

describe('verify usage and I/O errors', () => {
  it('an input that never ends (/dev/zero) is refused at its bound, not read forever', async () => {
    await expect(readBytes('/dev/zero', 'policy', 1024)).rejects.toThrow('policy /dev/zero is larger than 1024 bytes');
  });

  it('a missing capsule file is exit 2; a non-JSON one is rejected E001_MALFORMED_CAPSULE', () => {
    expectUsage(runCli(['verify', join(TMP, 'absent', 'capsule.json')]), 'verify', /cannot read capsule .*absent\/capsule\.json: ENOENT/);
    const junk = join(TMP, 'junk.json');
    writeFileSync(junk, 'this is not JSON\n');
    expectRejected(runCli(['verify', junk]), 'E001_MALFORMED_CAPSULE');
  });

  it('bad option values are exit 2 with a message', async () => {
    expectUsage(await verifyIn(MAIN_CAPSULE, { challengeNonce: 'zz' }), 'verify', /invalid --challenge-nonce: must be 1–64 bytes of lowercase hex/);
    expectUsage(await verifyIn(MAIN_CAPSULE, { challengeNonce: '0' }), 'verify', /--challenge-nonce/);
    expectUsage(await verifyIn(MAIN_CAPSULE, { minSecurity: 'lots' }), 'verify', /--min-security/);
    expectUsage(await verifyIn(MAIN_CAPSULE, { minSecurity: '300' }), 'verify', /--min-security: must be at most 256/);
    expectUsage(await verifyIn(MAIN_CAPSULE, { minSecurity: '1000' }), 'verify', /--min-security: must be at most 256/);
    expect((await verifyIn(MAIN_CAPSULE, { minSecurity: '0100' })).code).toBe(0);
    expectUsage(await verifyIn(MAIN_CAPSULE, { registryRoot: 'ab'.repeat(32) }), 'verify', /--registry-root and --inclusion-proof go together/);
    expectUsage(await verifyIn(MAIN_CAPSULE, { inclusionProof: join(TMP, 'x.json') }), 'verify', /--registry-root and --inclusion-proof go together/);
    expectUsage(await verifyIn(MAIN_CAPSULE, { policy: join(TMP, 'absent-policy.json') }), 'verify', /cannot read policy/);
    // --actions is for agent capsules only.
    const log = writeJson(join(TMP, 'some-log.json'), []);
    expectUsage(await verifyIn(MAIN_CAPSULE, { actions: log }), 'verify', /--actions applies to an agent_capsule_v1 file/);
  });
});

describe('agent capsules (--air agent --input LOG)', () => {
  const h = (s: string) => sha256Hex(new TextEncoder().encode(s));
  const action = (i: number, type: string) => ({
    action_type: type, instruction_hash: h(`instruction ${i}`), input_hash: h(`input ${i}`), output_hash: h(`output ${i}`),
    success: i !== 1, gate_decision: i === 2 ? 'skip' : null, gate_score: i === 0 ? 0.5 : null, policy_verdict: null,
  });
  // 10 actions: 16 trace rows, the fewest that give the default options their 100 bits (8 rows give 64).
  const LOG = Array.from({ length: 10 }, (_, i) => action(i, ['tool_call', 'code_gen', 'llm_call'][i % 3]!));
  const DIR = join(TMP, 'agent');
  const AGENT = join(DIR, 'agent_capsule.json');
  const logFile = writeJson(join(TMP, 'actions.json'), LOG);
  let p: CliRun;
  beforeAll(() => {
    p = runCli(['prove', '--air', 'agent', '--input', logFile, '--chunk-len', '16', '--backend', 'cpu', '--out', DIR, '--json']);
  });

  it('writes agent_capsule.json beside the capsule; verify accepts it, with --actions runs constraint_check', () => {
    expect(p.code, p.stderr).toBe(0);
    const r = jsonLine<Record<string, unknown>>(p);
    expect(r).toMatchObject({ trace_format_id: 'AGENT_AIR_V2', agent_capsule: AGENT, rows: 16, security_bits: 100, archive: { chunks: 8, chunk_len: 16 } });
    expect(listFiles(DIR)).toEqual(expect.arrayContaining(['agent_capsule.json', 'capsule.json', 'policy.json', 'proofs/agent.proof.bin', 'proofs/agent.proof.json']));
    const a = readJson(AGENT), c = readJson(join(DIR, 'capsule.json'));
    expect(a).toMatchObject({ schema: 'agent_capsule_v1', air_id: 'agent_air_v2', trace_length: 10, row_width: 27, verification: { proof_type: 'stark', constraints_satisfied: true } });
    expect(a['capsule']).toEqual({ path: 'capsule.json', capsule_hash: c['capsule_hash'] });
    expect((c['anchors'] as Record<string, string>)['action_log_hash']).toMatch(/^[0-9a-f]{64}$/);

    const v = runCli(['verify', AGENT, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const report = jsonLine<Report>(v);
    expect(report.checks.map((x) => x.name)).toEqual(['agent_parse', ...CHECKS, 'agent_binding']);

    const withLog = runCli(['verify', AGENT, '--actions', logFile]);
    expect(withLog.code, withLog.stdout + withLog.stderr).toBe(0);
    expect(withLog.stdout).toMatch(/^accepted: AGENT_AIR_V2 .*constraint_check of 10 actions: all 30 constraints hold\n$/);
  });

  it('another action log is rejected: E053_PROOF_STATEMENT_MISMATCH', () => {
    const other = writeJson(join(TMP, 'actions-other.json'), [...LOG.slice(0, 9), { ...LOG[9]!, output_hash: h('another output') }]);
    const r = runCli(['verify', AGENT, '--actions', other]);
    expectRejected(r, 'E053_PROOF_STATEMENT_MISMATCH');
    expect(r.stdout).toContain('is not the proven one');
  });

  it('re-proving another trace into the directory removes the stale agent_capsule.json', async () => {
    const r = await proveIn({ steps: '64', chunkLen: '64', out: DIR, json: true });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(AGENT)).toBe(false);
    expect(existsSync(join(DIR, 'proofs/agent.proof.bin'))).toBe(false);
    expect(readJson(join(DIR, 'capsule.json'))['trace_spec']).toMatchObject({ trace_format_id: 'GEOM_AIR_V1' });
  });
});

describe('policies, the policy registry, signing and ACLs', () => {
  const KEY = join(TMP, 'k.json');
  const SIGNED = join(TMP, 'signed');
  const SIGNED_CAPSULE = join(SIGNED, 'capsule.json');
  let pub = '';
  let root = '';
  const INCL = join(TMP, 'incl.json');
  const REG = join(TMP, 'reg.json');
  const acl = (status: string, policy = 'team_a') =>
    writeJson(join(TMP, `acl-${policy}-${status}.json`), { schema: 'bef_acl_v1', policies: { [policy]: [{ pubkey: pub, status }] } });
  let k: CliRun, p: CliRun, b: CliRun, ip: CliRun;
  beforeAll(() => {
    k = runCli(['keygen', '--out', KEY, '--json']);
    pub = k.code === 0 ? (JSON.parse(k.stdout) as { public_key: string }).public_key : '';
    p = runCli(['prove', '--air', 'geom', ...SMALL, '--out', SIGNED, '--policy', CUSTOM, '--sign', KEY, '--anchor', 'a=b', '--anchor', 'c=d=e', '--json']);
    b = runCli(['registry', 'build', '--policy', CUSTOM, OTHER, '--out', REG]);
    root = b.stdout.trim();
    ip = runCli(['registry', 'prove', '--registry', REG, '--policy', CUSTOM, '--out', INCL]);
  });

  it('keygen writes a 0600 key file; prove --policy --sign --anchor binds them all', () => {
    expect(k.code, k.stderr).toBe(0);
    const key = jsonLine<{ public_key: string; path: string }>(k);
    expect(pub).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(key).toEqual({ public_key: pub, path: KEY });
    expect(statSync(KEY).mode & 0o777).toBe(0o600);

    expect(p.code, p.stderr).toBe(0);
    expect(jsonLine<Record<string, unknown>>(p)['signed_by']).toBe(pub);
    const c = readJson(SIGNED_CAPSULE) as {
      anchors: unknown; statement: { anchors: unknown; policy_hash: string }; policy: Record<string, string>; authorship: { pubkey: string };
    };
    expect(c.statement.anchors).toEqual({ a: 'b', c: 'd=e' });
    expect(c.anchors).toEqual({ a: 'b', c: 'd=e' });
    expect(c.policy).toMatchObject({ policy_id: 'team_a', policy_version: '2', policy_path: 'policy.json', policy_hash: sha256Hex(readFileSync(CUSTOM)) });
    expect(c.statement.policy_hash).toBe(c.policy['policy_hash']);
    // The policy file's exact bytes are kept beside the capsule.
    expect(readFileSync(join(SIGNED, 'policy.json'))).toEqual(readFileSync(CUSTOM));
    expect(c.authorship.pubkey).toBe(pub);
  });

  it('verify --policy with another policy file: E030_POLICY_HASH_MISMATCH', () => {
    expectRejected(runCli(['verify', SIGNED_CAPSULE, '--policy', OTHER]), 'E030_POLICY_HASH_MISMATCH');
  });

  it('registry build / prove, then verify with the root, the inclusion proof, an ACL and a challenge nonce: accepted', () => {
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(`${root}\n`);
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    expect(readJson(REG)['root']).toBe(root);
    expect(ip.code, ip.stderr).toBe(0);
    expect(readJson(INCL)).toMatchObject({ root, leaf_index: 0, tree_size: 2 });

    const v = runCli(['verify', SIGNED_CAPSULE, '--registry-root', root, '--inclusion-proof', INCL, '--acl', acl('active'), '--challenge-nonce', '00ff', '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const report = jsonLine<Report>(v);
    expect(report.status).toBe('accepted');
    expect(report.checks.map((c) => c.name)).toEqual([
      'parse', 'capsule_hash', 'schema', 'trace_spec', 'policy', 'policy_registry', 'artifacts', 'row_commitment',
      'statement', 'stark', 'row_index', 'authorship', 'acl', 'da_audit',
    ]);
    expect(report.message).toContain(`signed by ${pub}`);
    expect(report.message).toContain(`DA challenge-audit ${CHUNKS}/${CHUNKS} chunks`);
  });

  it('the other policy\'s inclusion proof, or another root: E031_POLICY_NOT_IN_REGISTRY', () => {
    const registry = parseRegistry(readJson(REG));
    const otherIncl = writeJson(join(TMP, 'incl-other.json'), proveInclusion(registry, sha256Hex(readFileSync(OTHER))));
    expectRejected(runCli(['verify', SIGNED_CAPSULE, '--registry-root', root, '--inclusion-proof', otherIncl]), 'E031_POLICY_NOT_IN_REGISTRY');
    const anotherRoot = (root[0] === '0' ? '1' : '0') + root.slice(1);
    expectRejected(runCli(['verify', SIGNED_CAPSULE, '--registry-root', anotherRoot, '--inclusion-proof', INCL]), 'E031_POLICY_NOT_IN_REGISTRY');
  });

  it('ACLs: a revoked signer is E072, an unsigned capsule under an ACL is E070, a malformed ACL is exit 2', async () => {
    const revoked = runCli(['verify', SIGNED_CAPSULE, '--acl', acl('revoked')]);
    expectRejected(revoked, 'E072_SIGNER_NOT_AUTHORIZED');
    expect(revoked.stdout).toContain('is revoked for policy team_a');
    // The main capsule is under capseal_default and unsigned.
    expectRejected(runCli(['verify', MAIN_CAPSULE, '--acl', acl('active', 'capseal_default')]), 'E070_AUTHORSHIP_REQUIRED');
    const bad = writeJson(join(TMP, 'acl-bad.json'), { schema: 'bef_acl_v1', policies: { capseal_default: [{ pubkey: 'nothex', status: 'active' }] } });
    expectUsage(await verifyIn(MAIN_CAPSULE, { acl: bad }), 'verify', /invalid ACL: .*pubkey/);
    const notJson = join(TMP, 'acl-not-json.json');
    writeFileSync(notJson, '{"schema": "bef_acl_v1",');
    expectUsage(await verifyIn(MAIN_CAPSULE, { acl: notJson }), 'verify', /ACL .*acl-not-json\.json is not valid JSON/);
  });
});
