/**
 * capsulepack.tgz without a file system (seed 001 "Capsulepack layout"; POSIX.1-1988 ustar, RFC 1952
 * gzip): the checks every reader applies to a hostile archive, and the browser's reader and writer.
 * Browser-safe (Compression Streams, no Node modules); the Node reader (./pack-node.ts) runs the same
 * TarCheck before node-tar extracts anything.
 *   - entries are plain files and folders under capsulepack/ with paths of [A-Za-z0-9_.-] segments
 *     (no absolute path, "..", link, device, FIFO, pax or GNU extension header, duplicate);
 *   - entries, bytes per file and bytes in all are bounded (PACK_LIMITS), counted while
 *     decompressing, not taken from headers alone; the .tgz itself is bounded too;
 *   - after the end-of-archive marker (two zero blocks) only zero padding may follow; bytes after
 *     the gzip stream are refused.
 *
 * @module
 */
import type { BenchErrorCode } from './codes.js';
import type { PackReport } from './contract.js';
import { PACK_LIMITS, PACK_ROOT, type PackEntry, type PackFiles } from './pack.js';
import { FileTooLargeError } from '../capsule/verify.js';

/** A pack that cannot be opened safely, with the code the verifier reports. */
export class PackArchiveError extends Error {
  constructor(readonly code: BenchErrorCode, message: string) {
    super(message);
  }
}

/** The verifier's report for a pack that cannot be opened: one failed check, the archive (P0). */
export const archiveRejection = (e: PackArchiveError): PackReport =>
  ({ status: 'rejected', tier: null, code: e.code, message: e.message, checks: [{ id: 'P0', name: 'archive', ok: false, code: e.code }], run: null });

const TAR_BLOCK = 512;
const EMPTY = new Uint8Array(0);
const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;
const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

/** Why a path inside the archive is unsafe, or undefined; folders may end in '/'. */
function unsafePath(path: string): string | undefined {
  if (path.length === 0 || path.length > PACK_LIMITS.maxPathLength) return `a path of ${path.length} characters`;
  const parts = path.replace(/\/$/, '').split('/');
  if (parts[0] !== PACK_ROOT) return `${JSON.stringify(path)} is outside ${PACK_ROOT}/`;
  if (parts.length - 1 > PACK_LIMITS.maxDepth + 1) return `${JSON.stringify(path)} is nested too deep`;
  const bad = parts.find((s) => !SEGMENT.test(s) || s === '.' || s === '..');
  return bad === undefined ? undefined : `${JSON.stringify(path)} has the segment ${JSON.stringify(bad)}`;
}

/** Entry types by their ustar type flag, named as node-tar names them. */
const TYPES: Record<string, string> = {
  '0': 'File', '\0': 'OldFile', '1': 'Link', '2': 'SymbolicLink', '3': 'CharacterDevice', '4': 'BlockDevice', '5': 'Directory', '6': 'FIFO',
  '7': 'ContiguousFile', g: 'GlobalExtendedHeader', x: 'ExtendedHeader', A: 'SolarisACL', D: 'GNUDumpDir', I: 'Inode', K: 'NextFileHasLongLinkpath',
  L: 'NextFileHasLongPath', M: 'ContinuationFile', N: 'OldGnuLongPath', S: 'SparseFile', V: 'TapeVolumeHeader', X: 'OldExtendedHeader',
};

/**
 * A number field: octal digits ending in a NUL or space inside the field (leading spaces allowed), or
 * base-256 behind a 0x80 (positive) or 0xff (negative) byte; anything else does not decode.
 */
function numberField(b: Uint8Array, name: string): number {
  if (b[0] === 0x80 || b[0] === 0xff) {
    let v = 0;
    for (const x of b.subarray(1)) v = v * 256 + (b[0] === 0xff ? 255 - x : x);
    const n = b[0] === 0xff ? -(v + 1) : v;
    if (!Number.isSafeInteger(n)) throw new Error(`its ${name} field is out of range`);
    return n;
  }
  const text = latin1(b);
  if (/^[ \0]*$/.test(text)) return 0;
  const m = /^ *([0-7]+)[ \0]+$/.exec(text);
  if (!m) throw new Error(`its ${name} field is not an octal number ending inside the field`);
  return parseInt(m[1]!, 8);
}

/** Keeps a leading byte-order mark as U+FEFF (which no safe path holds), as tar readers do; the default decoder drops it. */
const FIELD_TEXT = new TextDecoder('utf-8', { ignoreBOM: true });

/** A string field: its bytes up to the first NUL, and nothing but NULs after it (a reader could see more). */
function stringField(b: Uint8Array, name: string): string {
  const end = b.indexOf(0);
  if (end >= 0 && !isZero(b.subarray(end))) throw new Error(`its ${name} field holds bytes after its end`);
  return FIELD_TEXT.decode(end < 0 ? b : b.subarray(0, end));
}

interface TarHeader {
  path: string;
  type: string;
  size: number;
  linkTarget: string;
  cksumValid: boolean;
}

const POSIX_MAGIC = 'ustar\u000000', GNU_MAGIC = 'ustar  \u0000', V7_MAGIC = '\u0000'.repeat(8);

/**
 * Decodes a header block as node-tar reads it, and refuses what readers could read differently: a
 * format other than POSIX ustar, GNU or v7; string fields with bytes after their NUL; numbers that do
 * not decode or do not end inside their field. The POSIX prefix is joined as node-tar joins it (130
 * bytes, or 155 when byte 475 is set); the rest of the block after it must be zero.
 */
function decodeHeader(b: Uint8Array): TarHeader {
  const cksum = numberField(b.subarray(148, 156), 'checksum');
  const sum = b.reduce((s, x, i) => s + (i >= 148 && i < 156 ? 32 : x), 0);
  const magic = latin1(b.subarray(257, 265));
  if (magic !== POSIX_MAGIC && magic !== GNU_MAGIC && magic !== V7_MAGIC) throw new Error(`an unknown format (magic ${JSON.stringify(magic)})`);
  for (const [at, len, name] of [[100, 8, 'mode'], [108, 8, 'uid'], [116, 8, 'gid'], [136, 12, 'mtime']] as const) numberField(b.subarray(at, at + len), name);
  const name = stringField(b.subarray(0, 100), 'name');
  const linkTarget = stringField(b.subarray(157, 257), 'link name');
  let prefix = '';
  if (magic === POSIX_MAGIC) {
    stringField(b.subarray(265, 297), 'user name');
    stringField(b.subarray(297, 329), 'group name');
    numberField(b.subarray(329, 337), 'device major');
    numberField(b.subarray(337, 345), 'device minor');
    const wide = b[475] !== 0;
    prefix = stringField(b.subarray(345, wide ? 500 : 475), 'prefix');
    if (!wide && !isZero(b.subarray(476, 500))) throw new Error('its access and change times are set');
  }
  if (!isZero(b.subarray(500, 512))) throw new Error('bytes after its last field');
  const flag = String.fromCharCode(b[156]!);
  return {
    path: prefix ? `${prefix}/${name}` : name, type: TYPES[flag] ?? `type ${JSON.stringify(flag)}`, size: numberField(b.subarray(124, 136), 'size'),
    linkTarget, cksumValid: cksum === sum,
  };
}

/** An entry's path as the checks key it: "./capsulepack/x" is "capsulepack/x", and a folder's trailing '/' goes. */
export const entryKey = (path: string): string => path.replace(/^\.\//, '').replace(/\/$/, '');

/** An entry that passed the checks: its path without "./" and a trailing '/'. */
export interface TarEntry {
  path: string;
  kind: 'file' | 'dir';
  size: number;
}

/**
 * Checks a decompressed tar stream block by block, in order, up to and including the end-of-archive
 * marker; throws PackArchiveError on the first problem. Tells `entry` of each header that passed and
 * `data` of each file's bytes (padding removed).
 */
export class TarCheck {
  /** The start of a block the last chunk ended in. */
  #carry = EMPTY;
  /** Bytes of entry data (with padding) still to come, and of them the file's own. */
  #dataLeft = 0;
  #realLeft = 0;
  #zeros = 0;
  #ended = false;
  #entries = 0;
  #content = 0;
  #streamBytes = 0;
  /** Every path let through, without a trailing '/'. */
  readonly paths = new Set<string>();

  constructor(private readonly on: { entry?(e: TarEntry): void; data?(bytes: Uint8Array): void } = {}) {}

  get ended(): boolean {
    return this.#ended;
  }

  /** Takes decompressed bytes; returns the whole blocks checked by this call (up to the end marker) for a tar reader. */
  write(chunk: Uint8Array): Uint8Array {
    this.#streamBytes += chunk.length;
    // Headers and padding on top of the content: a bomb of zeros ends here too.
    if (this.#streamBytes > PACK_LIMITS.maxTotalBytes + TAR_BLOCK * (2 * PACK_LIMITS.maxEntries + 24))
      throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack decompresses to more than ${PACK_LIMITS.maxTotalBytes} bytes`);
    if (this.#ended) {
      this.#afterEnd(chunk);
      return EMPTY;
    }
    let buf = chunk;
    if (this.#carry.length) {
      buf = new Uint8Array(this.#carry.length + chunk.length);
      buf.set(this.#carry);
      buf.set(chunk, this.#carry.length);
    }
    let at = 0;
    for (; !this.#ended && at + TAR_BLOCK <= buf.length; at += TAR_BLOCK) this.#block(buf.subarray(at, at + TAR_BLOCK));
    if (this.#ended) {
      this.#afterEnd(buf.subarray(at));
      this.#carry = EMPTY;
    } else this.#carry = buf.slice(at);
    return buf.subarray(0, at);
  }

  /** Checks the stream ended where a tar archive may. */
  finish(): void {
    if (!this.#ended) throw new PackArchiveError('E100_PACK_UNREADABLE', 'the archive is cut off: no end-of-archive marker');
    if (this.#entries === 0) throw new PackArchiveError('E100_PACK_UNREADABLE', 'an empty archive');
  }

  #afterEnd(bytes: Uint8Array): void {
    if (!isZero(bytes)) throw new PackArchiveError('E103_PACK_TRAILING_DATA', 'data follows the end-of-archive marker');
  }

  #block(b: Uint8Array): void {
    if (this.#dataLeft > 0) {
      this.#dataLeft -= TAR_BLOCK;
      const own = Math.min(TAR_BLOCK, this.#realLeft);
      this.#realLeft -= own;
      this.on.data?.(b.subarray(0, own));
      return;
    }
    if (isZero(b)) {
      if (++this.#zeros === 2) this.#ended = true;
      return;
    }
    if (this.#zeros) throw new PackArchiveError('E100_PACK_UNREADABLE', 'a lone zero block inside the archive');
    let h: TarHeader;
    try {
      h = decodeHeader(b);
    } catch (e) {
      throw new PackArchiveError('E100_PACK_UNREADABLE', `a tar header that does not decode (entry ${this.#entries + 1}): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!h.cksumValid) throw new PackArchiveError('E100_PACK_UNREADABLE', `a tar header with a bad checksum (entry ${this.#entries + 1})`);
    // "./capsulepack/…", as `tar czf x.tgz ./capsulepack` writes it, is the same path.
    const { type, size } = h, path = h.path.replace(/^\.\//, ''), key = entryKey(path);
    if (type !== 'File' && type !== 'OldFile' && type !== 'Directory')
      throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${JSON.stringify(path)} is a ${type} entry; a pack holds only files and folders`);
    const why = unsafePath(path);
    if (why) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', why);
    if (h.linkTarget !== '') throw new PackArchiveError('E100_PACK_UNREADABLE', `${JSON.stringify(path)} names a link target`);
    if (type !== 'Directory' && path.endsWith('/')) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `file ${JSON.stringify(path)} has a folder's name`);
    if (this.paths.has(key)) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${JSON.stringify(path)} appears twice`);
    this.paths.add(key);
    if (++this.#entries > PACK_LIMITS.maxEntries) throw new PackArchiveError('E102_PACK_TOO_LARGE', `more than ${PACK_LIMITS.maxEntries} entries`);
    if (key === PACK_ROOT && type !== 'Directory') throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${PACK_ROOT} must be a folder`);
    // node-tar reads a folder's size as 0 whatever the field says; other tools would read data after it.
    if (type === 'Directory' && size !== 0) throw new PackArchiveError('E100_PACK_UNREADABLE', `folder ${JSON.stringify(path)} claims a size`);
    if (!Number.isSafeInteger(size) || size < 0) throw new PackArchiveError('E100_PACK_UNREADABLE', `${JSON.stringify(path)} has a size of ${size}`);
    if (size > PACK_LIMITS.maxFileBytes) throw new PackArchiveError('E102_PACK_TOO_LARGE', `${JSON.stringify(path)} holds ${size} bytes, more than ${PACK_LIMITS.maxFileBytes}`);
    this.#content += size;
    if (this.#content > PACK_LIMITS.maxTotalBytes) throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack's files hold more than ${PACK_LIMITS.maxTotalBytes} bytes`);
    this.#dataLeft = Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    this.#realLeft = size;
    this.on.entry?.({ path: key, kind: type === 'Directory' ? 'dir' : 'file', size });
  }
}

/** The length of a gzip member header (RFC 1952 §2.3) at the start of `b`; E100 if it is not one. */
export function gzipHeaderLength(b: Uint8Array): number {
  const bad = (why: string) => new PackArchiveError('E100_PACK_UNREADABLE', `not a gzip file: ${why}`);
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b) throw bad('no gzip magic bytes');
  if (b[2] !== 8) throw bad(`compression method ${b[2]}, not deflate`);
  const flags = b[3]!;
  if (flags & 0xe0) throw bad('reserved header flags are set');
  let at = 10;
  if (flags & 4) at += 2 + (at + 2 <= b.length ? b[at]! | (b[at + 1]! << 8) : 0); // FEXTRA
  for (const bit of [8, 16]) // FNAME, FCOMMENT: zero-terminated
    if (flags & bit) {
      const end = b.indexOf(0, at);
      if (end < 0) throw bad('a header string without its end');
      at = end + 1;
    }
  if (flags & 2) at += 2; // FHCRC
  if (at > b.length) throw bad('a header longer than its first 64 KiB');
  return at;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (ISO-HDLC, as gzip uses it) continued from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/**
 * Reads a capsulepack.tgz held in memory: the gzip header parsed here, the deflate data inflated raw
 * (up to the 8-byte trailer, whose CRC-32 and length must match what came out), every block through
 * TarCheck. PackArchiveError for an archive that cannot be opened safely.
 */
export async function readPackArchive(bytes: Uint8Array): Promise<PackFiles> {
  if (bytes.length > PACK_LIMITS.maxCompressedBytes)
    throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack is ${bytes.length} bytes, more than ${PACK_LIMITS.maxCompressedBytes}`);
  const start = gzipHeaderLength(bytes.subarray(0, 1 << 16));
  if (bytes.length < start + 8) throw new PackArchiveError('E100_PACK_UNREADABLE', 'the gzip stream is cut off before its trailer');
  const entries = new Map<string, { kind: 'file' | 'dir'; parts: Uint8Array[]; size: number }>();
  let current: Uint8Array[] = [];
  const check = new TarCheck({
    entry(e) {
      current = [];
      entries.set(e.path, { kind: e.kind, parts: current, size: e.size });
    },
    data: (b) => void current.push(b.slice()),
  });
  let crc = 0, length = 0;
  // Where the deflate data ends is not told by the stream: bytes after a complete archive whose
  // gzip trailer appears before the end are trailing data (as the Node reader finds them).
  const trailing = (why: string): PackArchiveError => {
    const trailer = new Uint8Array(8);
    new DataView(trailer.buffer).setUint32(0, crc, true);
    new DataView(trailer.buffer).setUint32(4, length, true);
    for (let at = bytes.indexOf(trailer[0]!, start); check.ended && at >= 0 && at + 8 < bytes.length; at = bytes.indexOf(trailer[0]!, at + 1))
      if (trailer.every((x, i) => bytes[at + i] === x)) return new PackArchiveError('E103_PACK_TRAILING_DATA', `${bytes.length - at - 8} bytes follow the gzip stream`);
    return new PackArchiveError('E100_PACK_UNREADABLE', why);
  };
  const reader = new Blob([bytes.subarray(start, bytes.length - 8) as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw trailing(`a damaged or cut-off gzip stream: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (r.done) break;
      crc = crc32(r.value, crc);
      length = (length + r.value.length) % 2 ** 32;
      check.write(r.value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  check.finish();
  // The inflater stops at the deflate stream's last block and ignores what follows, so the stream may
  // have ended before the 8 bytes taken as the trailer (junk, a second gzip member): then one byte
  // fewer still inflates whole. Exactly the trailer must follow the stream, as the Node reader requires.
  if (await inflatesWhole(bytes.subarray(start, bytes.length - 9))) throw new PackArchiveError('E103_PACK_TRAILING_DATA', 'bytes follow the gzip stream');
  if (u32le(bytes, bytes.length - 8) !== crc || u32le(bytes, bytes.length - 4) !== length)
    throw trailing("the gzip trailer's CRC-32 or length does not match the data");
  return memoryPackFiles(entries);
}

/** Whether `data` is a whole deflate stream, or one with bytes after it (the inflater ends without error, its output dropped). */
async function inflatesWhole(data: Uint8Array): Promise<boolean> {
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  try {
    while (!(await reader.read()).done);
    return true;
  } catch {
    return false;
  }
}

/** A pack's files held in memory (below the pack root), read as the verifier reads files: bounded. */
function memoryPackFiles(entries: Map<string, { kind: 'file' | 'dir'; parts: Uint8Array[]; size: number }>): PackFiles {
  const prefix = `${PACK_ROOT}/`;
  const below = [...entries].filter(([p]) => p.startsWith(prefix)).map(([p, e]) => [p.slice(prefix.length), e] as const);
  const files = new Map(below.filter(([, e]) => e.kind === 'file'));
  // Folders a file's path implies are folders of the pack, as extraction would make them.
  const dirs = new Set(below.filter(([, e]) => e.kind === 'dir').map(([p]) => p));
  for (const p of files.keys()) for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
  return {
    async list(): Promise<PackEntry[]> {
      const out: PackEntry[] = [...dirs].map((path) => ({ path, kind: 'dir' as const, size: 0 }));
      for (const [path, e] of files) out.push({ path, kind: 'file', size: e.size });
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(path, maxBytes) {
      const e = files.get(path);
      if (!e) return null;
      if (e.size > maxBytes) throw new FileTooLargeError(path, e.size, maxBytes);
      const out = new Uint8Array(e.size);
      let at = 0;
      for (const p of e.parts) (out.set(p, at), (at += p.length));
      return out;
    },
  };
}

// --- writing ---

function field(out: Uint8Array, at: number, len: number, text: string): void {
  for (let i = 0; i < text.length && i < len; i++) out[at + i] = text.charCodeAt(i);
}
const octalField = (n: number, len: number): string => `${n.toString(8).padStart(len - 1, '0')}\0`;

/** A POSIX ustar header: a path of at most 100 characters, or split at a '/' into prefix and name. */
function header(path: string, kind: 'file' | 'dir', size: number): Uint8Array {
  const b = new Uint8Array(TAR_BLOCK);
  let name = path, prefix = '';
  if (name.length > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || path.length - cut - 1 > 100) throw new RangeError(`a path too long for a ustar header: ${path}`);
    (prefix = path.slice(0, cut)), (name = path.slice(cut + 1));
  }
  field(b, 0, 100, name);
  field(b, 100, 8, octalField(kind === 'dir' ? 0o755 : 0o644, 8));
  field(b, 108, 8, octalField(0, 8));
  field(b, 116, 8, octalField(0, 8));
  field(b, 124, 12, octalField(size, 12));
  field(b, 136, 12, octalField(0, 12));
  b[156] = kind === 'dir' ? 0x35 : 0x30;
  field(b, 257, 8, 'ustar\u000000');
  field(b, 345, 155, prefix);
  field(b, 148, 8, '        ');
  const sum = b.reduce((s, x) => s + x, 0);
  field(b, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}

/**
 * A capsulepack.tgz of `files` (paths below the pack root): the root folder, then each folder's
 * entries in sorted order with its subfolders' contents after them, as makePackArchive orders them;
 * deterministic headers (mode 644/755, owner 0, time 0); gzip'd.
 */
export async function writePackArchive(files: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
  for (const p of files.keys()) {
    const why = unsafePath(`${PACK_ROOT}/${p}`);
    if (why) throw new RangeError(`cannot archive ${p}: ${why}`);
  }
  const children = new Map<string, Set<string>>();
  for (const p of files.keys()) {
    const parts = p.split('/');
    for (let i = 0; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)!.add(parts.slice(0, i + 1).join('/'));
    }
  }
  const blocks: Uint8Array[] = [header(`${PACK_ROOT}/`, 'dir', 0)];
  const walk = (dir: string): void => {
    for (const p of [...(children.get(dir) ?? [])].sort()) {
      const bytes = files.get(p);
      if (bytes === undefined) {
        blocks.push(header(`${PACK_ROOT}/${p}/`, 'dir', 0));
        walk(p);
      } else {
        blocks.push(header(`${PACK_ROOT}/${p}`, 'file', bytes.length), bytes);
        if (bytes.length % TAR_BLOCK) blocks.push(new Uint8Array(TAR_BLOCK - (bytes.length % TAR_BLOCK)));
      }
    }
  };
  walk('');
  blocks.push(new Uint8Array(2 * TAR_BLOCK));
  const gz = new Blob(blocks as Uint8Array<ArrayBuffer>[]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}
