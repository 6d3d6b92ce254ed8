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
import { lstat, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { create as tarCreate, Header, Unpack } from 'tar';
import { directoryFiles } from '../capsule/files-node.js';
import type { BenchErrorCode } from './codes.js';
import { PACK_FILE, PACK_LIMITS, PACK_ROOT, type PackEntry, type PackFiles } from './pack.js';

/** A pack that cannot be opened safely, with the code the verifier reports. */
export class PackArchiveError extends Error {
  constructor(readonly code: BenchErrorCode, message: string) {
    super(message);
  }
}

const BLOCK = 512;
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
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of entry data (with padding) still to forward. */
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

  write(chunk: Buffer): void {
    this.#streamBytes += chunk.length;
    // Headers and padding on top of the content: a bomb of zeros ends here too.
    if (this.#streamBytes > PACK_LIMITS.maxTotalBytes + BLOCK * (2 * PACK_LIMITS.maxEntries + 24))
      throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack decompresses to more than ${PACK_LIMITS.maxTotalBytes} bytes`);
    if (this.#ended) return this.#afterEnd(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    while (!this.#ended && this.#pendingBytes >= BLOCK) this.#block(this.#take(BLOCK));
    if (this.#ended && this.#pendingBytes) this.#afterEnd(this.#take(this.#pendingBytes));
  }

  /** Checks the stream ended where a tar archive may. */
  finish(): void {
    if (!this.#ended) throw new PackArchiveError('E100_PACK_UNREADABLE', 'the archive is cut off: no end-of-archive marker');
  }

  #take(n: number): Buffer {
    const all = Buffer.concat(this.#pending);
    this.#pending = n < all.length ? [all.subarray(n)] : [];
    this.#pendingBytes = all.length - n;
    return all.subarray(0, n);
  }

  #afterEnd(bytes: Buffer): void {
    if (bytes.some((b) => b !== 0)) throw new PackArchiveError('E103_PACK_TRAILING_DATA', 'data follows the end-of-archive marker');
  }

  #block(b: Buffer): void {
    if (this.#dataLeft > 0) {
      this.#dataLeft -= BLOCK;
      this.unpack.write(b);
      return;
    }
    if (b.every((x) => x === 0)) {
      this.#zeros++;
      this.unpack.write(b);
      if (this.#zeros === 2) {
        this.#ended = true;
        this.unpack.end();
      }
      return;
    }
    if (this.#zeros) throw new PackArchiveError('E100_PACK_UNREADABLE', 'a lone zero block inside the archive');
    const h = new Header(b);
    if (!h.cksumValid) throw new PackArchiveError('E100_PACK_UNREADABLE', `a tar header with a bad checksum (entry ${this.#entries + 1})`);
    const type = h.type, path = h.path ?? '', size = h.size ?? 0;
    if (type !== 'File' && type !== 'OldFile' && type !== 'Directory')
      throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${JSON.stringify(path)} is a ${type} entry; a pack holds only files and folders`);
    const why = unsafePath(path);
    if (why) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', why);
    const key = path.replace(/\/$/, '');
    if (this.paths.has(key)) throw new PackArchiveError('E101_PACK_UNSAFE_ENTRY', `${JSON.stringify(path)} appears twice`);
    this.paths.add(key);
    if (++this.#entries > PACK_LIMITS.maxEntries) throw new PackArchiveError('E102_PACK_TOO_LARGE', `more than ${PACK_LIMITS.maxEntries} entries`);
    if (type === 'Directory' && size !== 0) throw new PackArchiveError('E100_PACK_UNREADABLE', `folder ${JSON.stringify(path)} claims ${size} bytes`);
    if (size > PACK_LIMITS.maxFileBytes) throw new PackArchiveError('E102_PACK_TOO_LARGE', `${JSON.stringify(path)} holds ${size} bytes, more than ${PACK_LIMITS.maxFileBytes}`);
    this.#content += size;
    if (this.#content > PACK_LIMITS.maxTotalBytes) throw new PackArchiveError('E102_PACK_TOO_LARGE', `the pack's files hold more than ${PACK_LIMITS.maxTotalBytes} bytes`);
    this.#dataLeft = Math.ceil(size / BLOCK) * BLOCK;
    this.unpack.write(b);
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
 * a .tgz file is checked and extracted into a fresh temporary folder. Throws PackArchiveError for an
 * archive that cannot be opened safely, and an ordinary Error for a path that cannot be read at all.
 */
export async function openPack(path: string): Promise<OpenedPack> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const inner = join(path, PACK_ROOT);
    const dir = await stat(inner).then((s) => (s.isDirectory() ? inner : path), () => path);
    return { files: packFolderFiles(dir), close: async () => {} };
  }
  if (!st.isFile()) throw new Error(`${path} is neither a file nor a folder`);
  if (st.size > PACK_LIMITS.maxCompressedBytes)
    throw new PackArchiveError('E102_PACK_TOO_LARGE', `${path} is ${st.size} bytes, more than ${PACK_LIMITS.maxCompressedBytes}`);
  const sandbox = await mkdtemp(join(tmpdir(), 'capsulepack-'));
  try {
    await extractInto(path, sandbox);
    return { files: packFolderFiles(join(sandbox, PACK_ROOT)), close: () => rm(sandbox, { recursive: true, force: true }) };
  } catch (e) {
    await rm(sandbox, { recursive: true, force: true });
    throw e;
  }
}

async function extractInto(file: string, sandbox: string): Promise<void> {
  const vetted = new Set<string>();
  const unpack = new Unpack({
    cwd: sandbox, strict: true, preservePaths: false, preserveOwner: false, noMtime: true, maxDepth: PACK_LIMITS.maxDepth + 2,
    // The gate has vetted every path first; the filter holds tar to exactly those, as plain files and folders.
    filter: (path, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'Directory') && vetted.has(path.replace(/\/$/, '')),
  });
  const gate = new TarGate(unpack, vetted);
  const unpacked = new Promise<void>((resolve, reject) => {
    unpack.on('close', resolve);
    unpack.on('error', (e: Error) => reject(new PackArchiveError('E100_PACK_UNREADABLE', `tar: ${e.message}`)));
  });
  const gunzip = createGunzip();
  let read = 0;
  const input = createReadStream(file);
  const done = new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => {
      input.destroy();
      gunzip.destroy();
      reject(e);
    };
    input.on('data', (c) => (read += c.length));
    input.on('error', fail);
    gunzip.on('data', (chunk: Buffer) => {
      try {
        gate.write(chunk);
      } catch (e) {
        fail(e);
      }
    });
    gunzip.on('error', (e) =>
      fail(gate.ended ? new PackArchiveError('E103_PACK_TRAILING_DATA', 'data follows the gzip stream') : new PackArchiveError('E100_PACK_UNREADABLE', `not a gzip stream, or a damaged one: ${e.message}`)));
    gunzip.on('end', () => {
      try {
        gate.finish();
        if (gunzip.bytesWritten < read) throw new PackArchiveError('E103_PACK_TRAILING_DATA', `${read - gunzip.bytesWritten} bytes follow the gzip stream`);
        resolve();
      } catch (e) {
        fail(e);
      }
    });
    input.pipe(gunzip);
  });
  try {
    await done;
  } catch (e) {
    unpack.abort(e instanceof Error ? e : new Error(String(e)));
    await unpacked.catch(() => {});
    throw e;
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
  const path = join(outDir, PACK_FILE);
  await tarCreate({ gzip: true, cwd: outDir, file: path, portable: true, noPax: true, noDirRecurse: true }, entries);
  const hash = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    for await (const chunk of fh.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return { path, sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}
