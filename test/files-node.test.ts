// The verifier's view of a capsule directory on disk (src/capsule/files-node.ts): only regular files
// below the directory are read; links that leave it, `..` paths, directories and FIFOs read as absent
// (a FIFO without blocking on it), and a file over the caller's bound is refused before it is read.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryFiles } from '../src/capsule/files-node.js';
import { FileTooLargeError } from '../src/capsule/verify.js';

const TMP = mkdtempSync(join(tmpdir(), 'capseal-files-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const dir = join(TMP, 'capsule');
mkdirSync(join(dir, 'sub'), { recursive: true });
writeFileSync(join(dir, 'sub', 'a.bin'), new Uint8Array([1, 2, 3, 4]));
writeFileSync(join(TMP, 'outside.bin'), new Uint8Array([9]));
symlinkSync(join(TMP, 'outside.bin'), join(dir, 'escape.bin'));
symlinkSync(join(dir, 'sub', 'a.bin'), join(dir, 'inside.bin'));
execFileSync('mkfifo', [join(dir, 'fifo.bin')]);
const files = directoryFiles(dir);

describe('directoryFiles', () => {
  it('reads a regular file below the directory, also through a link that stays inside', async () => {
    expect(await files.read('sub/a.bin', 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(await files.read('inside.bin', 100)).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it.each(['missing.bin', 'sub', 'escape.bin', '../outside.bin', '/etc/hostname', 'fifo.bin'])('%s reads as absent', async (path) => {
    expect(await files.read(path, 1 << 20)).toBeNull();
  });

  it('a socket reads as absent', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(dir, 'socket.bin'), done));
    try {
      expect(await files.read('socket.bin', 1 << 20)).toBeNull();
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('refuses a file longer than the bound with FileTooLargeError', async () => {
    await expect(files.read('sub/a.bin', 3)).rejects.toThrow(FileTooLargeError);
    await expect(files.read('sub/a.bin', 3)).rejects.toThrow('sub/a.bin is 4 bytes, more than the 3 the capsule allows for it');
  });
});
