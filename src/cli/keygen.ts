/**
 * `capseal keygen --out <path> [--force] [--json]`: writes a new secp256k1 capsule-signing key file
 * (capseal_secp256k1_key_v1, src/capsule/authorship.ts) readable by its owner only (mode 0600), and
 * prints the public key: its hex on stdout, or with --json one line {"public_key":…,"path":…}.
 * An existing file is never overwritten without --force. Exit 0 ok, 2 on an existing file or I/O error.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { generateKeyFile } from '../capsule/authorship.js';

const KEY_MODE = 0o600;

/** Creates `path` (which must not exist: O_EXCL, so a symlink is not followed) with mode 0600 and writes `text`. */
async function writeNew(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx', KEY_MODE);
  try {
    await fh.chmod(KEY_MODE); // the create mode is masked by the umask; this is the mode we promise
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw e;
  }
  await fh.close();
}

export async function keygen(opts: { out: string; force: boolean; json: boolean }): Promise<number> {
  const key = generateKeyFile();
  const text = `${JSON.stringify(key, null, 2)}\n`;
  try {
    if (!opts.force) await writeNew(opts.out, text);
    else {
      // Replace through a fresh 0600 file and rename(2): the old file's mode and a symlink at `out`
      // never apply to the new key, and readers never see a half-written file.
      const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${randomBytes(6).toString('hex')}.tmp`);
      await writeNew(tmp, text);
      try {
        await rename(tmp, opts.out);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const isDirectory = await stat(opts.out).then((s) => s.isDirectory(), () => false);
    if (isDirectory) process.stderr.write(`capseal keygen: ${opts.out} is a directory; --out names the key file to write\n`);
    else if (code === 'EEXIST' && !opts.force) process.stderr.write(`capseal keygen: ${opts.out} exists (use --force to replace it)\n`);
    else process.stderr.write(`capseal keygen: cannot write ${opts.out}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  process.stdout.write(opts.json ? `${JSON.stringify({ public_key: key.public_key, path: opts.out })}\n` : `${key.public_key}\n`);
  return 0;
}
