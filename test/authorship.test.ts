// Capsule authorship (src/capsule/authorship.ts), the bef_acl_v1 ACL (src/capsule/acl.ts) and
// `capseal keygen` (src/cli/keygen.ts): signatures round-trip, match published RFC 6979 secp256k1
// vectors, and every tampering (hash, r, s, recovery id, high-S twin, other key, encodings, garbage)
// is rejected with a message and without throwing; ACL statuses; the key file's mode and overwrite rules.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAcl, signerStatus, type Acl } from '../src/capsule/acl.js';
import {
  AUTHORSHIP_SCHEME, AuthorshipSchema, generateKeyFile, normalizePubkey, parseKeyFile, signCapsuleHash, verifyAuthorship,
  type Authorship, type KeyFile,
} from '../src/capsule/authorship.js';
import { keygen } from '../src/cli/keygen.js';

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (x: bigint): string => x.toString(16).padStart(64, '0');

function keyFrom(privateHex: string): KeyFile {
  return { schema: 'capseal_secp256k1_key_v1', private_key: privateHex, public_key: bytesToHex(secp256k1.getPublicKey(hexToBytes(privateHex), true)) };
}
const uncompressed = (k: KeyFile): string => bytesToHex(secp256k1.getPublicKey(hexToBytes(k.private_key), false));
const parts = (a: Authorship) => ({ r: a.signature.slice(0, 64), s: a.signature.slice(64, 128), v: a.signature.slice(128) });
/** Flips the low bit of byte `i` of a hex string. */
const flipByte = (hex: string, i: number): string => {
  const b = hexToBytes(hex);
  b[i] = b[i]! ^ 1;
  return bytesToHex(b);
};

const HASH = sha256Hex('capsule 1');
const KEY = generateKeyFile();
const OTHER = generateKeyFile();

describe('signCapsuleHash / verifyAuthorship', () => {
  it('round-trips, is deterministic, and has the documented shape', () => {
    const a = signCapsuleHash(HASH, KEY);
    expect(a.scheme).toBe(AUTHORSHIP_SCHEME);
    expect(a.pubkey).toBe(KEY.public_key);
    expect(a.signature).toMatch(/^[0-9a-f]{128}0[01]$/);
    expect(AuthorshipSchema.parse(a)).toEqual(a);
    expect(verifyAuthorship(HASH, a)).toEqual({ ok: true, pubkey: KEY.public_key });
    expect(signCapsuleHash(HASH, KEY)).toEqual(a);
    expect(BigInt(`0x${parts(a).s}`) <= N >> 1n).toBe(true);
  });

  it('round-trips for many keys and hashes (both recovery ids occur)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const k = generateKeyFile();
      const h = sha256Hex(`capsule ${i}`);
      const a = signCapsuleHash(h, k);
      ids.add(parts(a).v);
      expect(verifyAuthorship(h, a)).toEqual({ ok: true, pubkey: k.public_key });
    }
    expect([...ids].sort()).toEqual(['00', '01']);
  });

  // Published secp256k1 / SHA-256 RFC 6979 vectors (message = SHA-256 of the ASCII string; that digest
  // is what signCapsuleHash signs, unhashed). Source: oleganza/CoreBitcoin,
  // CoreBitcoinTestsOSX/BTCKeyTests.swift, testRFC6979 (commit a73fce664366dfa047f3250035fe433b1ddc2e92),
  // which gives each signature as DER; r and s below are its two INTEGERs. The same nonces k
  // (e.g. 8f8a276c…f15d15 for key 1 / "Satoshi Nakamoto") are in trezor-crypto tests/test_check.c
  // (test_rfc6979), which credits https://bitcointalk.org/index.php?topic=285142.msg3150733.
  // All six s values are already low (≤ n/2), so low-S normalization leaves them unchanged.
  const VECTORS = [
    {
      d: 'cca9fbcc1b41e5a95d369eaa6ddcff73b61a4efaa279cfc6567e8daa39cbaf50', m: 'sample',
      r: 'af340daf02cc15c8d5d08d7735dfe6b98a474ed373bdb5fbecf7571be52b3842', s: '5009fb27f37034a9b24b707b7c6b79ca23ddef9e25f7282e8a797efe53a8f124',
    },
    {
      d: '0000000000000000000000000000000000000000000000000000000000000001', m: 'Satoshi Nakamoto',
      r: '934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8', s: '2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5',
    },
    {
      d: 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140', m: 'Satoshi Nakamoto',
      r: 'fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0', s: '6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5',
    },
    {
      d: 'f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181', m: 'Alan Turing',
      r: '7063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c', s: '58dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea',
    },
    {
      d: '0000000000000000000000000000000000000000000000000000000000000001', m: 'All those moments will be lost in time, like tears in rain. Time to die...',
      r: '8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b', s: '547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21',
    },
    {
      d: 'e91671c46231f833a6406ccbea0e3e392c76c167bac1cb013f6f1013980455c2',
      m: "There is a computer disease that anybody who works with computers knows about. It's a very serious disease and it interferes completely with the work. The trouble with computers is that you 'play' with them!",
      r: 'b552edd27580141f3b2a5463048cb7cd3e047b97c9f98076c32dbdf85a68718b', s: '279fa72dd19bfae05577e06c7c0c1900c371fcd5893f7e1d56a37d30174671f6',
    },
  ];
  it.each(VECTORS)('matches the published RFC 6979 vector for $m (key $d)', ({ d, m, r, s }) => {
    const key = keyFrom(d);
    const h = sha256Hex(m);
    const a = signCapsuleHash(h, key);
    expect(parts(a).r).toBe(r);
    expect(parts(a).s).toBe(s);
    expect(verifyAuthorship(h, a)).toEqual({ ok: true, pubkey: key.public_key });
  });

  it('key 1 signs with the public key G (compressed 0279be66…)', () => {
    expect(keyFrom(VECTORS[1]!.d).public_key).toBe('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  });

  describe('rejects tampering, never throwing', () => {
    const good = signCapsuleHash(HASH, KEY);
    const reject = (hash: string, a: unknown, message: RegExp | string) => {
      let r: ReturnType<typeof verifyAuthorship> | undefined;
      expect(() => (r = verifyAuthorship(hash, a))).not.toThrow();
      expect(r?.ok).toBe(false);
      if (r && !r.ok) expect(r.message).toMatch(message);
    };

    it('another capsule hash', () => {
      reject(sha256Hex('capsule 2'), good, 'signature does not recover the declared pubkey');
      reject(flipByte(HASH, 31), good, 'signature does not recover the declared pubkey');
    });

    it('a flipped byte anywhere in r or in s', () => {
      for (const i of [0, 7, 31, 32, 50, 63]) reject(HASH, { ...good, signature: flipByte(good.signature, i) }, /does not recover the declared pubkey|not a valid signature/);
    });

    it('the other recovery id', () => {
      const { r, s, v } = parts(good);
      reject(HASH, { ...good, signature: r + s + (v === '00' ? '01' : '00') }, 'signature does not recover the declared pubkey');
    });

    it('the high-S twin (n − s with the recovery id flipped), which recovers the same key', () => {
      const { r, s, v } = parts(good);
      const twin = r + hex32(N - BigInt(`0x${s}`)) + (v === '00' ? '01' : '00');
      // The twin is a valid ECDSA signature in the lax (high-S allowed) sense and recovers KEY ...
      const noble = hexToBytes(twin.slice(128) + twin.slice(0, 128));
      expect(bytesToHex(secp256k1.recoverPublicKey(noble, hexToBytes(HASH), { prehash: false }))).toBe(KEY.public_key);
      expect(secp256k1.verify(noble, hexToBytes(HASH), hexToBytes(KEY.public_key), { prehash: false, lowS: false, format: 'recovered' })).toBe(true);
      // ... but authorship requires low S.
      reject(HASH, { ...good, signature: twin }, 'not a valid signature: s is in the upper half of the group order (low-S required)');
    });

    it('r or s out of [1, n−1]', () => {
      const { r, s, v } = parts(good);
      reject(HASH, { ...good, signature: '0'.repeat(64) + s + v }, 'not a valid signature: r and s must each be in [1, n−1]');
      reject(HASH, { ...good, signature: r + '0'.repeat(64) + v }, 'not a valid signature: r and s must each be in [1, n−1]');
      reject(HASH, { ...good, signature: hex32(N) + s + v }, 'not a valid signature: r and s must each be in [1, n−1]');
      reject(HASH, { ...good, signature: r + 'f'.repeat(64) + v }, 'not a valid signature: r and s must each be in [1, n−1]');
    });

    it('the pubkey of another key', () => {
      reject(HASH, { ...good, pubkey: OTHER.public_key }, 'signature does not recover the declared pubkey');
      reject(HASH, { ...signCapsuleHash(HASH, OTHER), pubkey: KEY.public_key }, 'signature does not recover the declared pubkey');
    });

    it('an uncompressed pubkey (the field carries the compressed form only)', () => {
      reject(HASH, { ...good, pubkey: uncompressed(KEY) }, 'invalid authorship: pubkey: must be 66 lowercase hex characters (a compressed SEC 1 public key), got 130');
    });

    it('a compressed-looking pubkey that is not a curve point', () => {
      reject(HASH, { ...good, pubkey: `05${KEY.public_key.slice(2)}` }, 'invalid authorship: pubkey: must start with 02 or 03 and be a point on secp256k1');
      // x = 5 is not the x-coordinate of any point (5³ + 7 = 132 is not a square mod p).
      reject(HASH, { ...good, pubkey: `02${hex32(5n)}` }, 'invalid authorship: pubkey: must start with 02 or 03 and be a point on secp256k1');
    });

    it('garbage', () => {
      const cases: [unknown, RegExp | string][] = [
        [null, /^invalid authorship: /],
        [undefined, /^invalid authorship: /],
        [42, /^invalid authorship: /],
        ['signature', /^invalid authorship: /],
        [[good], /^invalid authorship: /],
        [{}, 'invalid authorship: scheme: is required; pubkey: is required; signature: is required'],
        [{ pubkey: good.pubkey, signature: good.signature }, 'invalid authorship: scheme: is required'],
        [{ ...good, scheme: 'secp256k1_v0' }, 'invalid authorship: scheme: must be "secp256k1_recoverable_v1"'],
        [{ ...good, extra: 1 }, /^invalid authorship: .*extra/],
        [{ ...good, pubkey: 7 }, /^invalid authorship: pubkey: /],
        [{ ...good, signature: null }, /^invalid authorship: signature: /],
        [{ ...good, signature: good.signature.slice(0, 128) }, 'invalid authorship: signature: must be 130 lowercase hex characters (r ‖ s ‖ recovery id), got 128'],
        [{ ...good, signature: `${good.signature}00` }, 'invalid authorship: signature: must be 130 lowercase hex characters (r ‖ s ‖ recovery id), got 132'],
        [{ ...good, signature: good.signature.toUpperCase() }, 'invalid authorship: signature: must be 130 lowercase hex characters (r ‖ s ‖ recovery id)'],
        [{ ...good, pubkey: good.pubkey.toUpperCase() }, 'invalid authorship: pubkey: must be 66 lowercase hex characters (a compressed SEC 1 public key)'],
        [{ ...good, pubkey: good.pubkey.slice(0, 64) }, /^invalid authorship: pubkey: must be 66 lowercase hex characters .*got 64$/],
        [{ ...good, signature: `${good.signature.slice(0, 128)}02` }, 'invalid authorship: signature: recovery id (the last byte) must be 00 or 01'],
        [{ ...good, signature: `${good.signature.slice(0, 128)}1b` }, 'invalid authorship: signature: recovery id (the last byte) must be 00 or 01'],
        [{ ...good, signature: `${good.signature.slice(0, 128)}zz` }, /^invalid authorship: signature: must be 130 lowercase hex/],
      ];
      for (const [a, m] of cases) reject(HASH, a, m);
    });

    it('a malformed capsule hash', () => {
      for (const h of [HASH.toUpperCase(), HASH.slice(2), `${HASH}00`, '', 42 as unknown as string, null as unknown as string])
        reject(h, good, 'capsule hash must be 64 lowercase hex characters (a SHA-256 digest)');
    });

    it('an object whose getters throw', () => {
      const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } });
      reject(HASH, hostile, /^invalid authorship: .*boom/);
    });
  });

  it('signCapsuleHash refuses a malformed hash or key', () => {
    expect(() => signCapsuleHash(HASH.toUpperCase(), KEY)).toThrow(new RangeError('signCapsuleHash: capsule hash must be 64 lowercase hex characters (a SHA-256 digest)'));
    expect(() => signCapsuleHash(HASH, { ...KEY, public_key: OTHER.public_key })).toThrow(new RangeError('invalid key file: public_key does not match private_key'));
  });
});

describe('normalizePubkey', () => {
  const G_C = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
  const G_U = '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8';
  it('compresses and lowercases', () => {
    expect(normalizePubkey(G_C)).toBe(G_C);
    expect(normalizePubkey(G_C.toUpperCase())).toBe(G_C);
    expect(normalizePubkey(G_U)).toBe(G_C);
    expect(normalizePubkey(G_U.toUpperCase())).toBe(G_C);
    expect(normalizePubkey(uncompressed(KEY))).toBe(KEY.public_key);
  });
  it('rejects points off the curve and garbage', () => {
    expect(normalizePubkey(`${G_U.slice(0, -1)}9`)).toBeUndefined(); // y changed: off the curve
    expect(normalizePubkey(`02${hex32(5n)}`)).toBeUndefined(); // no point with x = 5
    expect(normalizePubkey(`06${G_U.slice(2)}`)).toBeUndefined(); // hybrid encoding
    expect(normalizePubkey(`05${G_C.slice(2)}`)).toBeUndefined();
    expect(normalizePubkey(`04${G_C.slice(2)}`)).toBeUndefined(); // 33 bytes with an uncompressed prefix
    expect(normalizePubkey(`02${'f'.repeat(64)}`)).toBeUndefined(); // x ≥ p
    expect(normalizePubkey(G_C.slice(0, 64))).toBeUndefined();
    expect(normalizePubkey(`${G_C}00`)).toBeUndefined();
    expect(normalizePubkey(`0x${G_C}`)).toBeUndefined();
    expect(normalizePubkey('00')).toBeUndefined();
    expect(normalizePubkey('')).toBeUndefined();
    expect(normalizePubkey(`02${'g'.repeat(64)}`)).toBeUndefined();
    expect(normalizePubkey(42 as unknown as string)).toBeUndefined();
    expect(normalizePubkey(null as unknown as string)).toBeUndefined();
  });
});

describe('key files', () => {
  it('generateKeyFile output parses and signs', () => {
    const k = generateKeyFile();
    expect(k.private_key).toMatch(/^[0-9a-f]{64}$/);
    expect(k.public_key).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(parseKeyFile(JSON.parse(JSON.stringify(k)))).toEqual(k);
    expect(generateKeyFile().private_key).not.toBe(k.private_key);
  });
  it('parseKeyFile rejects a mismatched public key without echoing the private key', () => {
    const bad = { ...KEY, public_key: OTHER.public_key };
    expect(() => parseKeyFile(bad)).toThrow(new RangeError('invalid key file: public_key does not match private_key'));
    const bad2 = { ...KEY, public_key: uncompressed(KEY) };
    const msgs: string[] = [];
    for (const b of [bad, bad2, { ...KEY, extra: 1 }, { ...KEY, private_key: KEY.private_key.toUpperCase() }, { ...KEY, private_key: `${KEY.private_key}00` }]) {
      try {
        parseKeyFile(b);
        msgs.push('(accepted)');
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        msgs.push((e as Error).message);
      }
    }
    expect(msgs).not.toContain('(accepted)');
    for (const m of msgs) {
      expect(m).toMatch(/^invalid key file: /);
      expect(m.toLowerCase()).not.toContain(KEY.private_key);
    }
  });
  it('parseKeyFile rejects a zero or out-of-range scalar and wrong schema names', () => {
    const pub = KEY.public_key;
    expect(() => parseKeyFile({ ...KEY, private_key: '0'.repeat(64), public_key: pub })).toThrow('invalid key file: private_key: must be a scalar in [1, n−1]');
    expect(() => parseKeyFile({ ...KEY, private_key: hex32(N), public_key: pub })).toThrow('invalid key file: private_key: must be a scalar in [1, n−1]');
    expect(() => parseKeyFile({ ...KEY, schema: 'bef_acl_v1' })).toThrow('invalid key file: schema: must be "capseal_secp256k1_key_v1"');
    expect(() => parseKeyFile(null)).toThrow(/^invalid key file: /);
    expect(() => parseKeyFile({})).toThrow('invalid key file: schema: is required; private_key: is required; public_key: is required');
  });
});

describe('bef_acl_v1', () => {
  const A = generateKeyFile();
  const B = generateKeyFile();
  const C = generateKeyFile();
  const acl: Acl = parseAcl({
    schema: 'bef_acl_v1',
    policies: {
      prod: [
        { pubkey: A.public_key, status: 'active' },
        { pubkey: B.public_key, status: 'revoked' },
        { pubkey: uncompressed(C).toUpperCase(), status: 'active' },
      ],
      mixed: [
        { pubkey: A.public_key, status: 'active' },
        { pubkey: uncompressed(A), status: 'revoked' },
        { pubkey: B.public_key, status: 'revoked' },
        { pubkey: B.public_key, status: 'active' },
      ],
      empty: [],
    },
  });

  it('active / revoked / absent', () => {
    expect(signerStatus(acl, 'prod', A.public_key)).toBe('active');
    expect(signerStatus(acl, 'prod', B.public_key)).toBe('revoked');
    expect(signerStatus(acl, 'prod', OTHER.public_key)).toBe('absent');
    expect(signerStatus(acl, 'empty', A.public_key)).toBe('absent');
    expect(signerStatus(acl, 'staging', A.public_key)).toBe('absent');
    expect(signerStatus(acl, 'prod', 'not a key')).toBe('absent');
  });

  it('matches keys in any encoding: an uncompressed ACL entry against the compressed signer, and vice versa', () => {
    expect(signerStatus(acl, 'prod', C.public_key)).toBe('active');
    const a = signCapsuleHash(HASH, C);
    const v = verifyAuthorship(HASH, a);
    expect(v.ok && signerStatus(acl, 'prod', v.pubkey)).toBe('active');
    expect(signerStatus(acl, 'prod', uncompressed(A))).toBe('active');
    expect(signerStatus(acl, 'prod', A.public_key.toUpperCase())).toBe('active');
  });

  it('revoked wins when one key is listed with both statuses (in either order)', () => {
    expect(signerStatus(acl, 'mixed', A.public_key)).toBe('revoked');
    expect(signerStatus(acl, 'mixed', B.public_key)).toBe('revoked');
  });

  it('policy ids are own keys only', () => {
    for (const id of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(signerStatus(acl, id, A.public_key)).toBe('absent');
    const withProto = parseAcl(JSON.parse(`{"schema":"bef_acl_v1","policies":{"__proto__":[{"pubkey":"${A.public_key}","status":"active"}]}}`));
    expect(signerStatus(withProto, 'prod', A.public_key)).toBe('absent');
  });

  it('parse errors name every bad field', () => {
    const err = (v: unknown): string => {
      try {
        parseAcl(v);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        return (e as Error).message;
      }
      return '(accepted)';
    };
    expect(err(null)).toMatch(/^invalid ACL: /);
    expect(err({})).toBe('invalid ACL: schema: is required; policies: is required');
    expect(err({ schema: 'bef_acl_v2', policies: {} })).toBe('invalid ACL: schema: must be "bef_acl_v1"');
    expect(err({ schema: 'bef_acl_v1', policies: [] })).toMatch(/^invalid ACL: policies: /);
    expect(err({ schema: 'bef_acl_v1', policies: {}, extra: true })).toMatch(/^invalid ACL: .*extra/);
    expect(err({ schema: 'bef_acl_v1', policies: { p: { pubkey: A.public_key, status: 'active' } } })).toMatch(/^invalid ACL: policies\.p: /);
    const keyMsg = 'must be a secp256k1 public key in hex: 66 characters (02/03 ‖ x) or 130 (04 ‖ x ‖ y), a point on the curve';
    expect(
      err({
        schema: 'bef_acl_v1',
        policies: {
          p: [
            { pubkey: `02${hex32(5n)}`, status: 'active' },
            { pubkey: A.public_key, status: 'suspended' },
            { pubkey: A.public_key },
            { pubkey: A.public_key, status: 'active', note: 'x' },
          ],
        },
      }),
    ).toBe(
      `invalid ACL: policies.p[0].pubkey: ${keyMsg}; policies.p[1].status: must be "active" or "revoked"; ` +
        'policies.p[2].status: is required; policies.p[3]: Unrecognized key: "note"',
    );
    expect(err({ schema: 'bef_acl_v1', policies: { '': [] } })).toBe('invalid ACL: policies: a policy id must not be the empty string');
    expect(err({ schema: 'bef_acl_v1', policies: { p: [{ pubkey: 12, status: 'active' }] } })).toMatch(/^invalid ACL: policies\.p\[0\]\.pubkey: /);
  });
});

describe('capseal keygen', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'capseal-keygen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    return { out, err };
  };
  const readKey = (p: string): KeyFile => parseKeyFile(JSON.parse(readFileSync(p, 'utf8')));

  it('writes a 0600 key file and prints its public key', async () => {
    const p = join(dir, 'a.key');
    const io = capture();
    expect(await keygen({ out: p, force: false, json: false })).toBe(0);
    const text = readFileSync(p, 'utf8');
    const key = readKey(p);
    expect(text).toBe(`${JSON.stringify(key, null, 2)}\n`);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(io.out.join('')).toBe(`${key.public_key}\n`);
    expect(io.err.join('')).toBe('');
  });

  it('--json prints one line {"public_key","path"}', async () => {
    const p = join(dir, 'b.key');
    const io = capture();
    expect(await keygen({ out: p, force: false, json: true })).toBe(0);
    const line = io.out.join('');
    expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
    expect(JSON.parse(line)).toEqual({ public_key: readKey(p).public_key, path: p });
  });

  it('refuses to overwrite without --force, leaving the file alone', async () => {
    const p = join(dir, 'c.key');
    writeFileSync(p, 'precious\n', { mode: 0o644 });
    const io = capture();
    expect(await keygen({ out: p, force: false, json: false })).toBe(2);
    expect(io.err.join('')).toBe(`capseal keygen: ${p} exists (use --force to replace it)\n`);
    expect(io.out.join('')).toBe('');
    expect(readFileSync(p, 'utf8')).toBe('precious\n');
  });

  it('a directory as --out is named as such, with or without --force', async () => {
    const d = join(dir, 'a-dir');
    mkdirSync(d);
    for (const force of [false, true]) {
      const io = capture();
      expect(await keygen({ out: d, force, json: false })).toBe(2);
      expect(io.err.join('')).toBe(`capseal keygen: ${d} is a directory; --out names the key file to write\n`);
    }
    expect(readdirSync(d)).toEqual([]);
  });

  it('does not write through a symlink without --force', async () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'target\n');
    const link = join(dir, 'link.key');
    symlinkSync(target, link);
    const io = capture();
    expect(await keygen({ out: link, force: false, json: false })).toBe(2);
    expect(io.err.join('')).toBe(`capseal keygen: ${link} exists (use --force to replace it)\n`);
    expect(readFileSync(target, 'utf8')).toBe('target\n');
  });

  it('--force replaces an existing file, and the new file is 0600 even if the old was not', async () => {
    const p = join(dir, 'd.key');
    writeFileSync(p, 'old\n', { mode: 0o644 });
    const first = readFileSync(p, 'utf8');
    const io = capture();
    expect(await keygen({ out: p, force: true, json: false })).toBe(0);
    expect(readFileSync(p, 'utf8')).not.toBe(first);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(io.out.join('')).toBe(`${readKey(p).public_key}\n`);
    const before = readKey(p);
    expect(await keygen({ out: p, force: true, json: false })).toBe(0);
    expect(readKey(p).private_key).not.toBe(before.private_key);
  });

  it('exits 2 with one line on I/O errors', async () => {
    for (const force of [false, true]) {
      const p = join(dir, 'no-such-dir', 'e.key');
      const io = capture();
      expect(await keygen({ out: p, force, json: false })).toBe(2);
      const e = io.err.join('');
      expect(e).toMatch(new RegExp(`^capseal keygen: cannot write ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*ENOENT.*\\n$`));
      expect(e.split('\n')).toHaveLength(2);
      expect(io.out.join('')).toBe('');
      vi.restoreAllMocks();
    }
  });
});
