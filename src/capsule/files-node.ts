/**
 * Node: the files of a capsule directory for the verifier (./verify.ts CapsuleFiles). A path must
 * resolve, after following links, to a regular file below the directory; anything else reads as
 * absent, so a hostile capsule cannot make the verifier read outside its directory, nor block it
 * on a FIFO or a device. The size comes from the open file itself, so a file over the verifier's
 * bound is refused before any of it is read.
 *
 * @module
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { concatBytes } from '@noble/hashes/utils.js';
import { resolve, sep } from 'node:path';
import { RelPathSchema } from './capsule.js';
import { FileTooLargeError, type CapsuleFiles } from './verify.js';

// ENXIO: a socket (open(2) cannot open one).
// ENAMETOOLONG: a path segment may be longer than the file system allows a name, so no such file exists.
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP', 'ENXIO', 'ENAMETOOLONG']);

/**
 * An open file's bytes from where it stands until it ends (a pipe too), but never more than
 * maxBytes + 1: a longer result says the file holds more than maxBytes, without reading it all.
 */
export async function readAtMost(file: FileHandle, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let total = 0; total <= maxBytes; ) {
    const chunk = new Uint8Array(Math.min(1 << 20, maxBytes + 1 - total));
    const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return concatBytes(...chunks);
}

export function directoryFiles(dir: string): CapsuleFiles {
  const base = realpath(dir);
  return {
    async read(path: string, maxBytes: number): Promise<Uint8Array | null> {
      if (!RelPathSchema.safeParse(path).success) return null;
      try {
        const root = await base;
        const real = await realpath(resolve(root, path));
        if (!real.startsWith(root + sep)) return null;
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
        const file = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
        try {
          const st = await file.stat();
          if (!st.isFile()) return null;
          if (st.size > maxBytes) throw new FileTooLargeError(path, st.size, maxBytes);
          const bytes = await readAtMost(file, maxBytes); // it may have grown since
          if (bytes.length > maxBytes) throw new FileTooLargeError(path, bytes.length, maxBytes);
          return bytes;
        } finally {
          await file.close();
        }
      } catch (e) {
        if (ABSENT.has((e as NodeJS.ErrnoException).code ?? '')) return null;
        throw e;
      }
    },
  };
}
