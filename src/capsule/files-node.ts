// Node: the files of a capsule directory for the verifier (./verify.ts CapsuleFiles). A path must
// resolve, after following links, to a file below the directory; anything else reads as absent,
// so a hostile capsule cannot make the verifier read outside its directory.
import { readFile, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { RelPathSchema } from './capsule.js';
import type { CapsuleFiles } from './verify.js';

const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP']);

export function directoryFiles(dir: string): CapsuleFiles {
  const base = realpath(dir);
  return {
    async read(path: string): Promise<Uint8Array | null> {
      if (!RelPathSchema.safeParse(path).success) return null;
      try {
        const root = await base;
        const real = await realpath(resolve(root, path));
        if (!real.startsWith(root + sep)) return null;
        return new Uint8Array(await readFile(real));
      } catch (e) {
        if (ABSENT.has((e as NodeJS.ErrnoException).code ?? '')) return null;
        throw e;
      }
    },
  };
}
