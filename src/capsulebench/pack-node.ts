// Node: capsulepack archives. makePackArchive writes capsulepack.tgz from a pack folder; openPack
// reads a .tgz or a folder for the pack verifier (./contract.ts). A pack is hostile input: a .tgz is
// checked block by block as it is decompressed, before `tar` (node-tar) writes anything, and only
// into a fresh temporary folder that is removed afterwards:
//   - entries are plain files and folders under capsulepack/ with paths of [A-Za-z0-9_.-] segments
//     (no absolute path, "..", link, device, FIFO, pax or GNU extension header, duplicate);
//   - entries, bytes per file and bytes in all are bounded (PACK_LIMITS), counted here while
//     decompressing, not taken from headers alone; the .tgz itself is bounded too;
//   - after the end-of-archive marker (two zero blocks) only zero padding may follow, and tar is
//     not fed past the marker (node-tar slows down quadratically on data after it); bytes after the
//     gzip stream are refused.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, createInflateRaw } from 'node:zlib';
import { create as tarCreate, Header, Unpack } from 'tar';
import { directoryFiles } from '../capsule/files-node.js';
import type { BenchErrorCode } from './codes.js';
import type { PackReport } from './contract.js';
import { PACK_FILE, PACK_LIMITS, PACK_ROOT, type PackEntry, type PackFiles } from './pack.js';

/** A pack that cannot be opened safely, with the code the verifier reports. */
export class PackArchiveError extends Error {
  constructor(readonly code: BenchErrorCode, message: string) {
    super(message);
  }
}

/** The verifier's report for a pack that cannot be opened: one failed check, the archive (P0). */
export const archiveRejection = (e: PackArchiveError): PackReport =>
  ({ status: 'rejected', tier: null, code: e.code, message: e.message, checks: [{ id: 'P0', name: 'archive', ok: false, code: e.code }], run: null });

const BLOCK = 512;
const withoutDotSlash = (path: string): string => path.replace(/^\.\//, '');
const ZEROS = Buffer.alloc(1 << 16);
const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

/** Why a path inside the archive is unsafe, or undefined; folders may end in '/'. */
function unsafePath(path: string): string | undefined {
  if (path.length === 0 || path.length > PACK_LIMITS.maxPathLength) return `a path of ${path.length} characters`;
  const parts = path.replace(/\/$/, '').split('/');
  if (parts[0] !== PACK_ROOT) return `${JSON.stringify(path)} is outside ${PACK_ROOT}/`;
  if (parts.length - 1 > PACK_LIMITS.maxDepth + 1) return `${JSON.stringify(path)} is nested too deep`;
  const bad = parts.find((s) => !SEGMENT.test(s) || s === '.' || s === '..');
  return bad === undefined ? undefined : `${JSON.stringify(path)} has the segment ${JSON.stringify(bad)}`;
}

/**
 * Checks the decompressed tar stream block by block and forwards what passes to `unpack`, up to and
 * including the end-of-archive marker; throws PackArchiveError on the first problem.
 */
class TarGate {
  /** The start of a block the last chunk ended in. */
  #carry = Buffer.alloc(0);
  /** Bytes of entry data (with padding) still to come. */
  #dataLeft = 0;
  #zeros = 0;
  #ended = false;
  #entries = 0;
  #content = 0;
  #streamBytes = 0;

  constructor(
    private readonly unpack: Unpack,
    /** Every path let through, without a trailing '/'. */
    readonly paths: Set<string>,
  ) {}

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Takes decompressed bytes, checks every whole block in order, and hands tar the checked ones in
   * one write; false when tar has buffered enough and wants a 'drain' first.
   */
  write(chunk: Buffer): boolean {
    this.#streamBytes += chunk.length;
    // Headers and padding on top of the content: a bomb of zeros ends here too.
    if (this.#streamBytes > PACK_LIMITS.maxTotalBytes + BLOCK * (2 * PACK_LIMITS.maxEntries + 24))
      throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack decompresses to more than ${PACK_LIMITS.maxTotalBytes} bytes`);
    if (this.#ended) {
      this.#afterEnd(chunk);
      return true;
    }
    const buf = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    let at = 0;
    for (; !this.#ended && at + BLOCK <= buf.length; at += BLOCK) this.#block(buf.subarray(at, at + BLOCK));
    const ready = at > 0 ? this.unpack.write(buf.subarray(0, at)) : true;
    if (this.#ended) {
      this.unpack.end(); // tar is never fed past the end-of-archive marker
      this.#afterEnd(buf.subarray(at));
      this.#carry = Buffer.alloc(0);
    } else this.#carry = Buffer.from(buf.subarray(at));
    return ready;
  }

  /** Checks the stream ended where a tar archive may. */
  finish(): void {
    if (!this.#ended) throw new PackArchiveError('E100_PACK_UNREADABLE', 'the archive is cut off: no end-of-archive marker');
  }

  #afterEnd(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; at += ZEROS.length) {
      const part = bytes.subarray(at, at + ZEROS.length);
      if (!part.equals(ZEROS.subarray(0, part.length))) throw new PackArchiveError('E103_PACK_TRAILING_DATA', 'data follows the end-of-archive marker');
    }
  }

  #block(b: Buffer): void {
    if (this.#dataLeft > 0) {
      this.#dataLeft -= BLOCK;
      return;
    }
    if (b.equals(ZEROS.subarray(0, BLOCK))) {
      if (++this.#zeros === 2) this.#ended = true;
      return;
    }
    if (this.#zeros) throw new PackArchiveError('E100_PACK_UNREADABLE', 'a lone zero block inside the archive');
    let h: Header;
    try {
      h = new Header(b);
    } catch (e) {
      throw new PackArchiveError('E100_PACK_UNREADABLE', `a tar header that does not decode (entry ${this.#entries + 1}): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!h.cksumValid) throw new PackArchiveError('E100_PACK_UNREADABLE', `a tar header with a bad checksum (entry ${this.#entries + 1})`);
    // "./capsulepack/…", as `tar czf x.tgz ./capsulepack` writes it, is the same path.
    const type = h.type, path = withoutDotSlash(h.path ?? ''), size = h.size ?? 0;
    if (type !== 'File' && type !== 'OldFile' && type !== 'Directory')
      throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${JSON.stringify(path)} is a ${type} entry; a pack holds only files and folders`);
    const why = unsafePath(path);
    if (why) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', why);
    const key = path.replace(/\/$/, '');
    if (this.paths.has(key)) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${JSON.stringify(path)} appears twice`);
    this.paths.add(key);
    if (++this.#entries > PACK_LIMITS.maxEntries) throw new PackArchiveError('E102_PACK_TOO_LARGE', `more than ${PACK_LIMITS.maxEntries} entries`);
    if (key === PACK_ROOT && type !== 'Directory') throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${PACK_ROOT} must be a folder`);
    // node-tar reads a folder's size as 0 whatever the field says; other tools would read data after it.
    if (type === 'Directory' && !/^[0 \0]*$/.test(b.toString('latin1', 124, 136)))
      throw new PackArchiveError('E100_PACK_UNREADABLE', `folder ${JSON.stringify(path)} claims a size`);
    if (!Number.isSafeInteger(size) || size < 0) throw new PackArchiveError('E100_PACK_UNREADABLE', `${JSON.stringify(path)} has a size of ${size}`);
    if (size > PACK_LIMITS.maxFileBytes) throw new PackArchiveError('E102_PACK_TOO_LARGE', `${JSON.stringify(path)} holds ${size} bytes, more than ${PACK_LIMITS.maxFileBytes}`);
    this.#content += size;
    if (this.#content > PACK_LIMITS.maxTotalBytes) throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack's files hold more than ${PACK_LIMITS.maxTotalBytes} bytes`);
    this.#dataLeft = Math.ceil(size / BLOCK) * BLOCK;
  }
}

/** A pack folder for the verifier: a bounded listing (links and other non-files reported as such) and bounded reads. */
export function packFolderFiles(dir: string): PackFiles {
  const files = directoryFiles(dir);
  return {
    read: (path, maxBytes) => files.read(path, maxBytes),
    async list(): Promise<PackEntry[]> {
      const out: PackEntry[] = [];
      const walk = async (rel: string, depth: number): Promise<void> => {
        for (const name of (await readdir(join(dir, rel))).sort()) {
          if (out.length > PACK_LIMITS.maxEntries) return;
          const path = rel ? `${rel}/${name}` : name;
          const st = await lstat(join(dir, path));
          const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
          out.push({ path, kind, size: kind === 'file' ? st.size : 0 });
          if (kind === 'dir' && depth < PACK_LIMITS.maxDepth) await walk(path, depth + 1);
        }
      };
      await walk('', 0);
      return out;
    },
  };
}

/** An opened pack: its files, and close() to remove what opening it made. */
export interface OpenedPack {
  files: PackFiles;
  close(): Promise<void>;
}

/**
 * Opens a pack for verification: a folder (a capsulepack/ folder, or one holding it) is read in place;
 * a .tgz file is checked and extracted into a fresh temporary folder (inside `tempParent` when given:
 * the server's sandbox for the submission). Throws PackArchiveError for an archive that cannot be
 * opened safely, and an ordinary Error for a path that cannot be read at all.
 */
export async function openPack(path: string, o: { tempParent?: string } = {}): Promise<OpenedPack> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const inner = join(path, PACK_ROOT);
    const dir = await stat(inner).then((s) => (s.isDirectory() ? inner : path), () => path);
    return { files: packFolderFiles(dir), close: async () => {} };
  }
  if (!st.isFile()) throw new Error(`${path} is neither a file nor a folder`);
  if (st.size > PACK_LIMITS.maxCompressedBytes)
    throw new PackArchiveError('E102_PACK_TOO_LARGE', `${path} is ${st.size} bytes, more than ${PACK_LIMITS.maxCompressedBytes}`);
  const sandbox = await mkdtemp(join(o.tempParent ?? tmpdir(), 'capsulepack-'));
  try {
    await extractInto(path, sandbox);
    return { files: packFolderFiles(join(sandbox, PACK_ROOT)), close: () => rm(sandbox, { recursive: true, force: true }) };
  } catch (e) {
    // tar may still be finishing a write it began before the refusal: retry until the folder is gone.
    await rm(sandbox, { recursive: true, force: true, maxRetries: 10 });
    throw e;
  }
}

/** The length of a gzip member header (RFC 1952 §2.3) at the start of `b`; E100 if it is not one. */
function gzipHeaderLength(b: Buffer): number {
  const bad = (why: string) => new PackArchiveError('E100_PACK_UNREADABLE', `not a gzip file: ${why}`);
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b) throw bad('no gzip magic bytes');
  if (b[2] !== 8) throw bad(`compression method ${b[2]}, not deflate`);
  const flags = b[3]!;
  if (flags & 0xe0) throw bad('reserved header flags are set');
  let at = 10;
  if (flags & 4) at += 2 + (at + 2 <= b.length ? b.readUInt16LE(at) : 0); // FEXTRA
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

/**
 * Extracts a .tgz into `sandbox`: the gzip header parsed here, the deflate stream inflated raw (so
 * where it ends is known exactly), the trailer's CRC-32 and length checked, and nothing allowed after
 * it (a second gzip member included); the tar stream goes through the gate, with backpressure.
 */
async function extractInto(file: string, sandbox: string): Promise<void> {
  const vetted = new Set<string>();
  const unpack = new Unpack({
    cwd: sandbox, strict: true, preservePaths: false, preserveOwner: false, noMtime: true, maxDepth: PACK_LIMITS.maxDepth + 2,
    // The gate has vetted every path first; the filter holds tar to exactly those, as plain files and
    // folders, and gives them ordinary modes (an archive's mode 000 would make a file unreadable to us).
    filter: (path, entry) => {
      if (!('type' in entry) || !(entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'Directory') || !vetted.has(withoutDotSlash(path).replace(/\/$/, ''))) return false;
      entry.mode = entry.type === 'Directory' ? 0o755 : 0o644;
      return true;
    },
  });
  const gate = new TarGate(unpack, vetted);
  const unpacked = new Promise<void>((resolve, reject) => {
    unpack.on('close', resolve);
    unpack.on('error', (e: Error) => reject(new PackArchiveError('E100_PACK_UNREADABLE', `tar: ${e.message}`)));
  });
  unpacked.catch(() => {}); // awaited below; an early tar error must not be an unhandled rejection meanwhile

  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(size, 1 << 16));
    await fh.read(head, 0, head.length, 0);
    const start = gzipHeaderLength(head);
    const inflate = createInflateRaw();
    let crc = 0, length = 0, waiting = false;
    const inflated = new Promise<void>((resolve, reject) => {
      const input = createReadStream(file, { start });
      const fail = (e: unknown) => {
        input.destroy();
        inflate.destroy();
        reject(e);
      };
      input.on('error', fail);
      inflate.on('error', (e) => fail(new PackArchiveError('E100_PACK_UNREADABLE', `a damaged or cut-off gzip stream: ${e.message}`)));
      inflate.on('data', (chunk: Buffer) => {
        try {
          crc = crc32(chunk, crc);
          length = (length + chunk.length) % 2 ** 32;
          if (!gate.write(chunk) && !waiting) {
            waiting = true;
            inflate.pause();
            unpack.once('drain', () => {
              waiting = false;
              inflate.resume();
            });
          }
        } catch (e) {
          fail(e);
        }
      });
      inflate.on('end', () => {
        input.destroy();
        resolve();
      });
      input.pipe(inflate);
    });
    await inflated;
    gate.finish();
    const trailerAt = start + inflate.bytesWritten;
    const trailer = Buffer.alloc(8);
    const { bytesRead } = await fh.read(trailer, 0, 8, trailerAt);
    if (bytesRead < 8) throw new PackArchiveError('E100_PACK_UNREADABLE', 'the gzip stream is cut off before its trailer');
    if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== length)
      throw new PackArchiveError('E100_PACK_UNREADABLE', "the gzip trailer's CRC-32 or length does not match the data");
    if (size > trailerAt + 8) throw new PackArchiveError('E103_PACK_TRAILING_DATA', `${size - trailerAt - 8} bytes follow the gzip stream`);
  } catch (e) {
    unpack.abort(e instanceof Error ? e : new Error(String(e)));
    await unpacked.catch(() => {});
    throw e;
  } finally {
    await fh.close();
  }
  await unpacked;
}

/** Writes `<outDir>/capsulepack.tgz` from `<outDir>/capsulepack/` (sorted entries, portable headers); returns its facts. */
export async function makePackArchive(outDir: string): Promise<{ path: string; sha256: string; bytes: number }> {
  const entries: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(outDir, rel))).sort()) {
      const path = `${rel}/${name}`;
      entries.push(path);
      if ((await lstat(join(outDir, path))).isDirectory()) await walk(path);
    }
  };
  entries.push(PACK_ROOT);
  await walk(PACK_ROOT);
  // Written under another name and renamed once complete: an interrupted run leaves no half pack.
  const path = join(outDir, PACK_FILE), partial = `${path}.partial`;
  await tarCreate({ gzip: true, cwd: outDir, file: partial, portable: true, noPax: true, noDirRecurse: true }, entries);
  await rename(partial, path);
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    for await (const chunk of fh.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return { path, sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}
