/**
 * Node: capsulepack archives. makePackArchive writes capsulepack.tgz from a pack folder; openPack
 * reads a .tgz or a folder for the pack verifier (./contract.ts). A pack is hostile input: a .tgz is
 * checked block by block as it is decompressed (./pack-archive.ts TarCheck: entry types, paths,
 * sizes, the end marker, trailing bytes), before `tar` (node-tar) writes anything, and only into a
 * fresh temporary folder that is removed afterwards.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, createInflateRaw } from 'node:zlib';
import { create as tarCreate, Unpack } from 'tar';
import { directoryFiles } from '../capsule/files-node.js';
import { entryKey, gzipHeaderLength, PackArchiveError, TarCheck, type TarEntry } from './pack-archive.js';
import { PACK_FILE, PACK_LIMITS, PACK_ROOT, type PackEntry, type PackFiles } from './pack.js';

export { archiveRejection, PackArchiveError } from './pack-archive.js';

/**
 * Checks the decompressed tar stream with TarCheck and forwards what passes to `unpack`, up to and
 * including the end-of-archive marker (node-tar is never fed past it: it slows down quadratically
 * on data after the marker).
 */
class TarGate {
  /** The entries TarCheck let through, in order, not yet met by node-tar. */
  readonly #vetted: TarEntry[] = [];
  readonly #check = new TarCheck({ entry: (e) => void this.#vetted.push(e) });
  /** Set when node-tar read an entry other than the next one TarCheck let through. */
  mismatch: string | undefined;

  constructor(private readonly unpack: Unpack) {}

  /**
   * Whether node-tar's next entry is the next one TarCheck let through (path, type and size): so
   * what is extracted is exactly what was checked, and what the in-memory reader reads.
   */
  expected(path: string, type: string, size: number): boolean {
    const e = this.#vetted.shift(), key = entryKey(path);
    const ok = e !== undefined && e.path === key && (e.kind === 'dir') === (type === 'Directory') && (type === 'Directory' || e.size === size);
    if (!ok) this.mismatch ??= `tar read ${JSON.stringify(path)} where the checks read ${e ? JSON.stringify(e.path) : 'no more entries'}`;
    return ok;
  }

  /** Checks every whole block and hands tar the checked ones in one write; false when tar wants a 'drain' first. */
  write(chunk: Buffer): boolean {
    const wasEnded = this.#check.ended;
    const checked = this.#check.write(chunk);
    const ready = checked.length > 0 ? this.unpack.write(Buffer.from(checked.buffer, checked.byteOffset, checked.length)) : true;
    if (this.#check.ended && !wasEnded) this.unpack.end();
    return ready;
  }

  finish(): void {
    this.#check.finish();
  }

  /** After extraction: every entry checked was extracted, and nothing else. */
  agreed(): void {
    if (!this.mismatch && this.#vetted.length) this.mismatch = `tar did not read ${JSON.stringify(this.#vetted[0]!.path)}`;
    if (this.mismatch) throw new PackArchiveError('E100_PACK_UNREADABLE', `the archive reads differently to different readers: ${this.mismatch}`);
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

/**
 * Extracts a .tgz into `sandbox`: the gzip header parsed here, the deflate stream inflated raw (so
 * where it ends is known exactly), the trailer's CRC-32 and length checked, and nothing allowed after
 * it (a second gzip member included); the tar stream goes through the gate, with backpressure.
 */
async function extractInto(file: string, sandbox: string): Promise<void> {
  let gate: TarGate | undefined;
  const unpack = new Unpack({
    cwd: sandbox, strict: true, preservePaths: false, preserveOwner: false, noMtime: true, maxDepth: PACK_LIMITS.maxDepth + 2,
    // The gate has vetted every path first; the filter holds tar to exactly those, as plain files and
    // folders, and gives them ordinary modes (an archive's mode 000 would make a file unreadable to us).
    filter: (path, entry) => {
      if (!('type' in entry) || !(entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'Directory') || !gate!.expected(path, entry.type, entry.size ?? 0)) return false;
      entry.mode = entry.type === 'Directory' ? 0o755 : 0o644;
      return true;
    },
  });
  gate = new TarGate(unpack);
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
    // Exactly the 8 trailer bytes follow the deflate stream: more is trailing data whatever they hold,
    // a rule the in-memory reader (./pack-archive.ts), which cannot see where the stream ends, can apply too.
    if (size > trailerAt + 8) throw new PackArchiveError('E103_PACK_TRAILING_DATA', `${size - trailerAt - 8} bytes follow the gzip stream`);
    const trailer = Buffer.alloc(8);
    const { bytesRead } = await fh.read(trailer, 0, 8, trailerAt);
    if (bytesRead < 8) throw new PackArchiveError('E100_PACK_UNREADABLE', 'the gzip stream is cut off before its trailer');
    if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== length)
      throw new PackArchiveError('E100_PACK_UNREADABLE', "the gzip trailer's CRC-32 or length does not match the data");
  } catch (e) {
    unpack.abort(e instanceof Error ? e : new Error(String(e)));
    await unpacked.catch(() => {});
    throw e;
  } finally {
    await fh.close();
  }
  await unpacked;
  gate.agreed();
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
