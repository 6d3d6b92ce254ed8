// openPack on a capsulepack.tgz (src/capsulebench/pack-node.ts), fed hostile archives built here byte
// by byte (ustar headers, padding, end marker, gzip), so that every byte is ours. Each refusal must
// carry its exact code (PackArchiveError), write nothing outside the temporary sandbox, leave no
// capsulepack-* sandbox behind and raise no unhandled rejection:
//   E100 unreadable: not gzip, a damaged or cut-off gzip stream, a header with a bad checksum or an
//        undecodable number, a cut-off tar (no end marker), a lone zero block, a folder claiming
//        a size, and what node-tar itself refuses (an empty archive, a file with a link target);
//   E101 unsafe entry: every entry type but File/OldFile/Directory (links, devices, FIFO, pax, GNU
//        long names, …), absolute, "..", ".", empty and oddly-charactered segments, paths outside
//        capsulepack/ (a file in its place included), too deep, duplicates, also after some files;
//   E102 too large: the .tgz itself (a sparse file), the entry count, one file (a size declared in
//        octal and in base-256, refused at its header), all files, a decompression bomb;
//   E103 trailing data: after the end marker, and after the gzip stream (zeros, other bytes, a
//        second gzip member).
// The hostile part comes first where it can (before tar has anything to write), so that each case
// meets its own check; a refusal after tar has begun to write has cases of its own (one more entry
// than allowed, too many bytes in all, a link after a few files).
// A path over PACK_LIMITS.maxPathLength (256) cannot be written in ustar (100-byte name, 155-byte
// prefix) and the long-name headers that could are refused as entry types, so the case tested there
// is the longest path, which opens. The count and total limits are tested at the real values where
// that is cheap, and at their boundary with PACK_LIMITS lowered for the test. The well-formed side:
// makePackArchive's output and a hand-built archive open, list and read, and close() removes the
// sandbox; packFolderFiles reports a link in a pack folder as 'other'. os.tmpdir() is pointed at a
// folder of this file's own, so the sandboxes counted are those of these tests only.
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchErrorCode } from '../src/capsulebench/codes.js';
import { readPackArchive, writePackArchive } from '../src/capsulebench/pack-archive.js';
import { makePackArchive, openPack, PackArchiveError, packFolderFiles } from '../src/capsulebench/pack-node.js';
import { PACK_LIMITS } from '../src/capsulebench/pack.js';
import { BLOCK, dir, END, file, gz, header, padded, paxRecord, ROOT, tgz } from './helpers/tar.js';

const TMP = mkdtempSync(join(tmpdir(), 'capseal-archive-'));
const SYSTEM_TMPDIR = process.env.TMPDIR;
/** Outside every sandbox: escapes aim here and must leave it as it is. */
const OUTSIDE = join(TMP, 'outside');
const SECRET = join(OUTSIDE, 'secret.txt');
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);

beforeAll(() => {
  process.env.TMPDIR = TMP;
  mkdirSync(OUTSIDE);
  writeFileSync(SECRET, 'secret');
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  if (SYSTEM_TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = SYSTEM_TMPDIR;
  rmSync(TMP, { recursive: true, force: true });
});

// --- building archives (./helpers/tar.ts) ---

const MiB = 2 ** 20;
/** The entries and the end marker, gzip'd. */
const pack = tgz;

// --- opening them ---

const sandboxes = (): string[] => readdirSync(TMP).filter((n) => n.startsWith('capsulepack-'));
let packs = 0;

/** Writes a .tgz into this file's folder. */
function packFile(bytes: Buffer): string {
  mkdirSync(join(TMP, 'packs'), { recursive: true });
  const path = join(TMP, 'packs', `${++packs}.tgz`);
  writeFileSync(path, bytes);
  return path;
}

interface Outcome {
  /** The PackArchiveError's code, 'opened', or the other error thrown. */
  result: string;
  /** Sandboxes that opening left in the temporary folder. */
  leftBehind: string[];
  unhandled: string[];
}

/** Every archive `outcome` opened, with the limits in force and its result: the browser's reader must agree on each. */
const opened: { path: string; limits: Record<string, number>; result: string }[] = [];

/** What opening a pack comes to; an opened pack is closed again. */
async function outcome(bytesOrPath: Buffer | string): Promise<Outcome> {
  const path = typeof bytesOrPath === 'string' ? bytesOrPath : packFile(bytesOrPath);
  const o = await outcomeOf(path);
  opened.push({ path, limits: { ...PACK_LIMITS }, result: o.result });
  return o;
}

async function outcomeOf(path: string): Promise<Outcome> {
  const before = sandboxes();
  const seen = unhandled.length;
  let result: string;
  try {
    await (await openPack(path)).close();
    result = 'opened';
  } catch (e) {
    result = e instanceof PackArchiveError ? e.code : `${(e as Error).name} ${(e as NodeJS.ErrnoException).code ?? ''}: ${(e as Error).message}`;
  }
  // Let unhandled rejections surface and anything tar still had under way land.
  await new Promise((done) => setTimeout(done, 10));
  return { result, leftBehind: sandboxes().filter((n) => !before.includes(n)), unhandled: unhandled.slice(seen).map(String) };
}

const refused = (code: BenchErrorCode): Outcome => ({ result: code, leftBehind: [], unhandled: [] });
const OPENED: Outcome = { result: 'opened', leftBehind: [], unhandled: [] };

/** Nothing outside the sandbox changed: OUTSIDE holds only the secret, unchanged and not linked to. */
function expectOutsideUntouched(): void {
  expect(readdirSync(OUTSIDE)).toEqual(['secret.txt']);
  expect(readFileSync(SECRET, 'utf8')).toBe('secret');
  expect(statSync(SECRET).nlink).toBe(1);
}

/** Runs `fn` with some PACK_LIMITS lowered (the object is read-only by its type only), restoring them after. */
async function withLimits<T>(patch: Partial<Record<keyof typeof PACK_LIMITS, number>>, fn: () => Promise<T>): Promise<T> {
  const limits = PACK_LIMITS as Record<keyof typeof PACK_LIMITS, number>;
  const saved = { ...limits };
  Object.assign(limits, patch);
  try {
    return await fn();
  } finally {
    Object.assign(limits, saved);
  }
}

describe('openPack: a well-formed archive', () => {
  it("opens makePackArchive's output: lists and reads its files, and close() removes the sandbox", async () => {
    const out = join(TMP, 'made');
    const files: Record<string, string> = { 'pack_meta.json': '{"v":1}\n', 'proofs/main.proof.bin': 'proof', 'row_archive/chunks/0.bin': 'chunk', 'logs/runner.log': '' };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(out, 'capsulepack', path, '..'), { recursive: true });
      writeFileSync(join(out, 'capsulepack', path), text);
    }
    const made = await makePackArchive(out);
    const before = sandboxes();
    const opened = await openPack(made.path);
    const sandbox = sandboxes().filter((n) => !before.includes(n));
    expect(sandbox).toHaveLength(1);
    expect(await opened.files.list()).toEqual([
      { path: 'logs', kind: 'dir', size: 0 },
      { path: 'logs/runner.log', kind: 'file', size: 0 },
      { path: 'pack_meta.json', kind: 'file', size: 8 },
      { path: 'proofs', kind: 'dir', size: 0 },
      { path: 'proofs/main.proof.bin', kind: 'file', size: 5 },
      { path: 'row_archive', kind: 'dir', size: 0 },
      { path: 'row_archive/chunks', kind: 'dir', size: 0 },
      { path: 'row_archive/chunks/0.bin', kind: 'file', size: 5 },
    ]);
    expect(Buffer.from((await opened.files.read('pack_meta.json', 100))!).toString()).toBe('{"v":1}\n');
    expect(await opened.files.read('missing.json', 100)).toBeNull();
    await opened.close();
    expect(existsSync(join(TMP, sandbox[0]!))).toBe(false);
  });

  it('opens a hand-built archive: old-style files, implied folders, the longest path and depth, zero padding after the end', async () => {
    const longest = `capsulepack/${'a'.repeat(128)}/${'c'.repeat(14)}/${'b'.repeat(100)}`;
    expect(longest).toHaveLength(PACK_LIMITS.maxPathLength);
    const bytes = gz(
      ROOT, file('capsulepack/a.txt', 'hello'), file('capsulepack/old.bin', 'old', '\0'), dir('capsulepack/proofs'),
      file(longest, 'long'), file('capsulepack/x/y/z/deep.txt', 'deep'), END, Buffer.alloc(20 * BLOCK));
    const before = sandboxes();
    const opened = await openPack(packFile(bytes));
    try {
      expect(await opened.files.list()).toEqual([
        { path: 'a.txt', kind: 'file', size: 5 },
        { path: 'a'.repeat(128), kind: 'dir', size: 0 },
        { path: `${'a'.repeat(128)}/${'c'.repeat(14)}`, kind: 'dir', size: 0 },
        { path: longest.slice('capsulepack/'.length), kind: 'file', size: 4 },
        { path: 'old.bin', kind: 'file', size: 3 },
        { path: 'proofs', kind: 'dir', size: 0 },
        { path: 'x', kind: 'dir', size: 0 },
        { path: 'x/y', kind: 'dir', size: 0 },
        { path: 'x/y/z', kind: 'dir', size: 0 },
        { path: 'x/y/z/deep.txt', kind: 'file', size: 4 },
      ]);
      expect(Buffer.from((await opened.files.read('x/y/z/deep.txt', 4))!).toString()).toBe('deep');
    } finally {
      await opened.close();
    }
    expect(sandboxes()).toEqual(before);
  });
});

describe('openPack: paths as `tar czf pack.tgz ./capsulepack` writes them', () => {
  it('a leading "./" names the same entry', async () => {
    const opened = await openPack(packFile(gz(dir('./capsulepack'), file('./capsulepack/a.txt', 'hello'), END)));
    try {
      expect(await opened.files.list()).toEqual([{ path: 'a.txt', kind: 'file', size: 5 }]);
    } finally {
      await opened.close();
    }
  });
});

describe('openPack: E100_PACK_UNREADABLE', () => {
  const valid = pack(ROOT);
  const damaged = (at: number): Buffer => {
    const b = Buffer.from(valid);
    b[at < 0 ? b.length + at : at]! ^= 0x55;
    return b;
  };

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a plain tar', Buffer.concat([ROOT, END])],
    ['text', Buffer.from('capsulepack, honest\n')],
    ['a flipped byte in the deflate data', damaged(20)],
    ['a wrong CRC-32', damaged(-6)],
    ['a wrong length', damaged(-2)],
    ['the stream cut in half', valid.subarray(0, valid.length >> 1)],
    ['the stream without its CRC and length', valid.subarray(0, valid.length - 8)],
    ['the stream without its length', valid.subarray(0, valid.length - 4)],
  ])('not gzip, or damaged gzip: %s', async (_, bytes) => {
    expect(await outcome(bytes)).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it('a tar header with a bad checksum', async () => {
    const h = header('capsulepack/b.txt', { size: 1 });
    h[0] = 'd'.charCodeAt(0);
    expect(await outcome(pack(h, padded(Buffer.from('b'))))).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it('a header whose size field is not a number node-tar can decode (a broken base-256 marker)', async () => {
    const size = Buffer.from([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(await outcome(pack(header('capsulepack/b.txt', { size }), padded(Buffer.from('b'))))).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it.each([
    ['no end marker', gz(ROOT)],
    ['one zero block of the two', gz(ROOT, Buffer.alloc(BLOCK))],
    ["a file's data cut off", gz(header('capsulepack/a.txt', { size: 2 * BLOCK }), Buffer.alloc(BLOCK, 'x'))],
    ['a header cut off', gz(header('capsulepack/a.txt').subarray(0, 300))],
  ])('a cut-off archive: %s', async (_, bytes) => {
    expect(await outcome(bytes)).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it('a lone zero block followed by a header', async () => {
    expect(await outcome(pack(Buffer.alloc(BLOCK), file('capsulepack/b.txt', 'b')))).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it.each([
    ['zero data, then a file', [header('capsulepack/d/', { type: '5', size: 2 * BLOCK }), Buffer.alloc(2 * BLOCK), file('capsulepack/b.txt', 'b')]],
    ['data that reads as a header', [header('capsulepack/d/', { type: '5', size: BLOCK }), header('capsulepack/e.txt')]],
  ])('a folder entry claiming a size: %s', async (_, entries) => {
    expect(await outcome(pack(...entries))).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it.each([
    ['an archive with no entries', gz(END)],
    ['a file entry with a link target', pack(header('capsulepack/b.txt', { linkpath: 'b.txt' }))],
  ])("what node-tar refuses comes back as E100, with no unhandled rejection: %s", async (_, bytes) => {
    expect(await outcome(bytes)).toEqual(refused('E100_PACK_UNREADABLE'));
  });
});

describe('openPack: E101_PACK_UNSAFE_ENTRY', () => {
  it.each([
    ['1', 'a hard link out of the sandbox', SECRET, ''],
    ['2', 'a symbolic link to /etc', '/etc', ''],
    ['3', 'a character device', '', ''],
    ['4', 'a block device', '', ''],
    ['6', 'a FIFO', '', ''],
    ['7', 'a contiguous file', '', 'data'],
    ['x', 'a pax header renaming the next entry out of the sandbox', '', paxRecord('path', '../outside/escape.txt')],
    ['g', 'a global pax header', '', paxRecord('uid', '0')],
    ['X', 'an old pax header', '', paxRecord('path', '../outside/escape.txt')],
    ['L', 'a GNU long name for the next entry', '', '../outside/escape.txt\0'],
    ['K', 'a GNU long link name', '', `${SECRET}\0`],
    ['N', 'an old GNU long name', '', '../outside/escape.txt\0'],
    ['D', 'a GNU dump folder', '', ''],
    ['S', 'a sparse file', '', 'data'],
    ['M', 'a continuation', '', 'data'],
    ['V', 'a tape volume header', '', ''],
    ['A', 'a Solaris ACL', '', 'data'],
    ['I', 'an inode', '', ''],
    ['Z', 'an unknown type', '', 'data'],
  ])("typeflag '%s', %s", async (type, _, linkpath, body) => {
    const entry = Buffer.concat([header('capsulepack/e', { type, linkpath, size: body.length }), padded(Buffer.from(body))]);
    expect(await outcome(pack(entry, file('capsulepack/b.txt', 'b')))).toEqual(refused('E101_PACK_UNSAFE_ENTRY'));
    expectOutsideUntouched();
  });

  it('a link out of the sandbox and a file written through it', async () => {
    expect(await outcome(pack(header('capsulepack/out', { type: '2', linkpath: OUTSIDE }), file('capsulepack/out/pwned.txt', 'pwned')))).toEqual(
      refused('E101_PACK_UNSAFE_ENTRY'));
    expectOutsideUntouched();
  });

  it.each([
    ['an absolute path', `${OUTSIDE}/absolute.txt`],
    ['".." out of the sandbox', 'capsulepack/../../outside/escape.txt'],
    ['".." first', '../outside/escape.txt'],
    ['".." last', 'capsulepack/..'],
    ['"./" twice', '././capsulepack/b.txt'],
    ['"./" then ".."', './../outside/escape.txt'],
    ['"." inside', 'capsulepack/./b.txt'],
    ['a backslash', 'capsulepack\\..\\..\\outside\\escape.txt'],
    ['a backslash in a segment', 'capsulepack/b\\c.txt'],
    ['an empty segment', 'capsulepack//b.txt'],
    ['a space', 'capsulepack/b c.txt'],
    ['a colon', 'capsulepack/b:c.txt'],
    ['a non-ASCII character', 'capsulepack/b\u00e9.txt'],
    // header() writes latin1, so these three characters are the bytes EF BB BF: a UTF-8 byte-order mark, which a decoder may drop.
    ['a leading byte-order mark in the name', '\u00ef\u00bb\u00bfcapsulepack/b.txt'],
    ['a leading byte-order mark in the prefix', `\u00ef\u00bb\u00bfcapsulepack/${'d'.repeat(60)}/${'f'.repeat(60)}.txt`],
    ['a control character', 'capsulepack/b\u0001.txt'],
    ['a segment over 128 characters', `capsulepack/${'s'.repeat(129)}/b.txt`],
    ['no folder', 'b.txt'],
    ['another top folder', 'other/b.txt'],
    ['a top folder that starts like it', 'capsulepackx/b.txt'],
    ['too deep', 'capsulepack/a/b/c/d/e.txt'],
  ])('%s: %s', async (_, path) => {
    expect(await outcome(pack(file(path, 'pwned')))).toEqual(refused('E101_PACK_UNSAFE_ENTRY'));
    expectOutsideUntouched();
  });

  it('an empty path', async () => {
    expect(await outcome(pack(file('', 'x')))).toEqual(refused('E101_PACK_UNSAFE_ENTRY'));
  });

  it('a file in the place of the capsulepack folder', async () => {
    expect(await outcome(gz(file('capsulepack', 'not a folder'), END))).toEqual(refused('E101_PACK_UNSAFE_ENTRY'));
  });

  it.each([
    ['a file twice', [file('capsulepack/a.txt', 'once'), file('capsulepack/a.txt', 'again')]],
    ['a folder twice, with and without its slash', [dir('capsulepack/d/'), dir('capsulepack/d')]],
    ['the top folder twice', [ROOT, dir('capsulepack')]],
    ['a folder and a file', [dir('capsulepack/d/'), file('capsulepack/d', 'x')]],
  ])('a path that appears twice: %s', async (_, entries) => {
    expect(await outcome(pack(...entries))).toEqual(refused('E101_PACK_UNSAFE_ENTRY'));
  });

  it('an unsafe entry after a few files that tar has begun to write', async () => {
    const files = Array.from({ length: 5 }, (_, i) => file(`capsulepack/f${i}.txt`, `file ${i}`));
    expect(await outcome(pack(ROOT, ...files, header('capsulepack/etc', { type: '2', linkpath: '/etc' })))).toEqual(refused('E101_PACK_UNSAFE_ENTRY'));
  });
});

describe('openPack: E102_PACK_TOO_LARGE', () => {
  it('a .tgz over maxCompressedBytes, refused before any sandbox is made', async () => {
    const path = packFile(pack(ROOT));
    truncateSync(path, PACK_LIMITS.maxCompressedBytes + 1); // sparse: nothing is allocated
    expect(await outcome(path)).toEqual(refused('E102_PACK_TOO_LARGE'));
    rmSync(path);
  });

  it('more than maxEntries entries', async () => {
    const files = Array.from({ length: PACK_LIMITS.maxEntries }, (_, i) => header(`capsulepack/f${i}`));
    expect(await outcome(pack(ROOT, ...files))).toEqual(refused('E102_PACK_TOO_LARGE'));
  });

  it('maxEntries entries open, one more is refused (maxEntries lowered to 8)', async () => {
    const files = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => file(`capsulepack/f${i}`, 'x'));
    await withLimits({ maxEntries: 8 }, async () => {
      expect(await outcome(pack(ROOT, ...files(7)))).toEqual(OPENED);
      expect(await outcome(pack(ROOT, ...files(8)))).toEqual(refused('E102_PACK_TOO_LARGE'));
    });
  });

  it.each([
    ['in octal', PACK_LIMITS.maxFileBytes + 1],
    ['in base-256 (2^40)', Buffer.from([0x80, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0])],
  ])('a file declared over maxFileBytes, %s, refused at its header', async (_, size) => {
    expect(await outcome(pack(header('capsulepack/big.bin', { size })))).toEqual(refused('E102_PACK_TOO_LARGE'));
  });

  it('maxFileBytes opens, one byte more is refused (maxFileBytes lowered to 64 KiB)', async () => {
    const sized = (n: number): Buffer => pack(header('capsulepack/big.bin', { size: n }), padded(Buffer.alloc(n, 'b')));
    await withLimits({ maxFileBytes: 64 * 1024 }, async () => {
      expect(await outcome(sized(64 * 1024))).toEqual(OPENED);
      expect(await outcome(sized(64 * 1024 + 1))).toEqual(refused('E102_PACK_TOO_LARGE'));
    });
  });

  it('files totalling maxTotalBytes open, one byte more is refused (maxTotalBytes lowered to 1 MiB)', async () => {
    const files = (last: number): Buffer[] => [
      header('capsulepack/f0.bin', { size: MiB }), Buffer.alloc(MiB, 'f'),
      header('capsulepack/f1.bin', { size: last }), padded(Buffer.alloc(last, 'g')),
    ];
    await withLimits({ maxTotalBytes: MiB }, async () => {
      expect(await outcome(pack(...files(0)))).toEqual(OPENED);
      expect(await outcome(pack(...files(1)))).toEqual(refused('E102_PACK_TOO_LARGE'));
    });
  });

  it('a decompression bomb: a .tgz of about 1 MB, zero padding after the end marker that inflates past every bound', async () => {
    const path = join(TMP, 'packs', 'bomb.tgz');
    const gzip = createGzip({ level: 1 });
    const written = finished(gzip.pipe(createWriteStream(path)));
    gzip.write(Buffer.concat([ROOT, END]));
    const zeros = Buffer.alloc(MiB);
    const bound = PACK_LIMITS.maxTotalBytes + BLOCK * (2 * PACK_LIMITS.maxEntries + 24);
    for (let n = 0; n < bound + 8 * MiB; n += MiB) if (!gzip.write(zeros)) await new Promise((go) => gzip.once('drain', go));
    gzip.end();
    await written;
    expect(statSync(path).size).toBeLessThan(2 * MiB);
    expect(await outcome(path)).toEqual(refused('E102_PACK_TOO_LARGE'));
  });
});

describe('openPack: E103_PACK_TRAILING_DATA', () => {
  it.each([
    ['data', [END, padded(Buffer.from('more'))]],
    ['a file after some zero padding', [END, Buffer.alloc(4 * BLOCK), file('capsulepack/b.txt', 'smuggled')]],
    ['one non-zero byte in the padding', [END, Buffer.alloc(BLOCK - 1), Buffer.from([1])]],
  ])('after the end-of-archive marker: %s', async (_, rest) => {
    expect(await outcome(gz(ROOT, ...rest))).toEqual(refused('E103_PACK_TRAILING_DATA'));
  });

  it.each([
    ['zeros', Buffer.alloc(10)],
    ['a zero, then text', Buffer.from('\0junk')],
    ['text', Buffer.from('junk')],
    ['a second gzip member of zeros', gzipSync(Buffer.alloc(BLOCK))],
  ])('after the gzip stream: %s', async (_, rest) => {
    expect(await outcome(Buffer.concat([pack(ROOT), rest]))).toEqual(refused('E103_PACK_TRAILING_DATA'));
  });

  // The inflater stops at the last deflate block, so what follows must be found by where the trailer is.
  it.each([
    ['junk ending with a copy of the trailer', (p: Buffer) => Buffer.concat([p, Buffer.from('junk'), p.subarray(p.length - 8)])],
    ['the same gzip member twice', (p: Buffer) => Buffer.concat([p, p])],
    ['junk between the deflate stream and its trailer, the trailer last', (p: Buffer) => Buffer.concat([p.subarray(0, p.length - 8), Buffer.from('junk'), p.subarray(p.length - 8)])],
  ])('after the gzip stream: %s', async (_, extend) => {
    expect(await outcome(extend(pack(ROOT)))).toEqual(refused('E103_PACK_TRAILING_DATA'));
  });
});

describe('packFolderFiles', () => {
  it("lists a link in a pack folder as 'other', without following it", async () => {
    const folder = join(TMP, 'folder', 'capsulepack');
    mkdirSync(join(folder, 'proofs'), { recursive: true });
    writeFileSync(join(folder, 'pack_meta.json'), '{}');
    symlinkSync('/etc', join(folder, 'etc'));
    symlinkSync(join(folder, 'pack_meta.json'), join(folder, 'proofs', 'meta-link.json'));
    const expected = [
      { path: 'etc', kind: 'other', size: 0 },
      { path: 'pack_meta.json', kind: 'file', size: 2 },
      { path: 'proofs', kind: 'dir', size: 0 },
      { path: 'proofs/meta-link.json', kind: 'other', size: 0 },
    ];
    expect(await packFolderFiles(folder).list()).toEqual(expected);
    const opened = await openPack(join(TMP, 'folder'));
    expect(await opened.files.list()).toEqual(expected);
    await opened.close();
  });
});

/** `h` with bytes at `at` replaced and its checksum made right again. */
function patched(h: Buffer, at: number, bytes: Buffer | string): Buffer {
  const b = Buffer.from(h);
  (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes).copy(b, at);
  b.fill(' ', 148, 156);
  b.write(`${b.reduce((x, y) => x + y, 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

// Headers that tar readers decode differently (node-tar, GNU tar, a reader of one's own): each is
// refused, so no two readers of one archive can see different files (one reader's checks must never
// vet what another extracts).
describe('openPack: E100 for a header that readers could read differently', () => {
  const a = (h: Buffer) => Buffer.concat([h, padded(Buffer.from('evil'))]);
  const fileHeader = header('capsulepack/a.txt', { size: 4 });
  it.each([
    ['a checksum of 8 digits with no end in its field', () => {
      const b = patched(fileHeader, 0, '');
      const sum = b.reduce((x, y, i) => x + (i >= 148 && i < 156 ? 0 : y), 0) + 8 * 0x30;
      b.write(sum.toString(8).padStart(8, '0'), 148, 'latin1'); // node-tar reads 12 bytes there
      return a(b);
    }],
    ['a name with bytes after its NUL', () => a(patched(fileHeader, 5 + 'capsulepack/'.length, '\0\nzz'))],
    ['the POSIX magic with another version, and a prefix', () => a(patched(patched(patched(header('capsulepack/x/a.txt', { size: 4 }), 0, 'a.txt\0\0\0\0\0\0\0\0\0\0\0\0\0\0'), 345, 'capsulepack/x'), 263, 'xx'))],
    ['an unknown magic', () => a(patched(fileHeader, 257, 'ustaR\0' + '00'))],
    ['byte 475 set with an empty prefix', () => a(patched(fileHeader, 475, 'x'))],
    ['access and change times set beside a short prefix', () => a(patched(fileHeader, 476, '00000000001\0'))],
    ['bytes after the last field', () => a(patched(fileHeader, 505, 'x'))],
    ['a mode field that does not decode', () => a(patched(fileHeader, 100, Buffer.from([0x81, 1, 2, 3, 4, 5, 6, 7])))],
    ['an mtime in base-256 past any safe integer', () => a(patched(fileHeader, 136, Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))],
    ['a link name with bytes after its NUL', () => a(patched(fileHeader, 157, '\0x'))],
  ])('%s', async (_, make) => {
    expect(await outcome(pack(ROOT, make()))).toEqual(refused('E100_PACK_UNREADABLE'));
  });

  it('an entry a reader of its own would read at another path than node-tar: refused, not extracted differently', async () => {
    // The version 'xx' makes a reader that joins the prefix anyway see q/capsulepack/a.txt, and node-tar a second a.txt.
    const smuggled = patched(patched(header('q/capsulepack/a.txt', { size: 4 }), 0, 'capsulepack/a.txt\0\0\0'), 263, 'xx');
    expect(await outcome(pack(ROOT, file('capsulepack/a.txt', 'good'), smuggled, padded(Buffer.from('evil'))))).toEqual(refused('E100_PACK_UNREADABLE'));
  });
});

// The browser's reader (readPackArchive: in memory, Compression Streams) runs the same TarCheck; given
// every archive above, it must come to the same result, with no unhandled rejection.
describe('readPackArchive agrees with openPack', () => {
  it('on every archive the cases above opened or refused', async () => {
    expect(opened.length).toBeGreaterThan(60);
    const disagree: string[] = [];
    for (const c of opened.filter((o) => existsSync(o.path))) {
      const result = await withLimits(c.limits, async () => {
        try {
          await readPackArchive(readFileSync(c.path));
          return 'opened';
        } catch (e) {
          return e instanceof PackArchiveError ? e.code : `${(e as Error).name}: ${(e as Error).message}`;
        }
      });
      if (result !== c.result) disagree.push(`${c.path}: openPack ${c.result}, readPackArchive ${result}`);
    }
    expect(disagree).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it("reads makePackArchive's output file by file; openPack reads writePackArchive's the same", async () => {
    const out = join(TMP, 'both');
    const files = new Map<string, Uint8Array>([
      ['pack_meta.json', Buffer.from('{"v":1}\n')], ['proofs/main.proof.bin', Buffer.from('proof')], ['row_archive/chunks/0.bin', Buffer.alloc(1500, 7)],
      ['row_archive/chunks/10.bin', Buffer.from('ten')], ['logs/runner.log', Buffer.alloc(0)],
    ]);
    for (const [path, bytes] of files) {
      mkdirSync(join(out, 'capsulepack', path, '..'), { recursive: true });
      writeFileSync(join(out, 'capsulepack', path), bytes);
    }
    const fromNode = await readPackArchive(readFileSync((await makePackArchive(out)).path));
    const written = await writePackArchive(files);
    const fromBrowser = await openPack(packFile(Buffer.from(written)));
    try {
      const listing = await fromNode.list();
      expect(await fromBrowser.files.list()).toEqual(listing);
      expect(await (await readPackArchive(written)).list()).toEqual(listing);
      for (const [path, bytes] of files) {
        expect(await fromNode.read(path, bytes.length)).toEqual(new Uint8Array(bytes));
        expect(await fromBrowser.files.read(path, bytes.length)).toEqual(new Uint8Array(bytes));
      }
      await expect(fromNode.read('row_archive/chunks/0.bin', 1499)).rejects.toThrow(/more than the 1499/);
      expect(await fromNode.read('missing.json', 10)).toBeNull();
    } finally {
      await fromBrowser.close();
    }
  });
});
