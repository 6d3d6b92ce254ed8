/**
 * The data folder, shared safely. PGlite is a single-process database, and two processes on the same
 * folder would each write their own copy over the other's: one `capseal serve` on PGlite per folder,
 * held by a lock file with its pid, made exclusively (one left by a process that is gone is taken
 * over). Sandboxes are per process (sandbox/<host>-<pid>/), so servers on one PostgreSQL may share a
 * folder: at start a process removes only the sandboxes of this host's processes that are gone.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const LOCK = 'serve.lock';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The locks this process holds, by the random tag written in them (a restarted container may reuse our pid). */
const held = new Set<string>();

/** Takes the folder's lock or throws with who holds it; returns its release. */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK);
  const tag = randomBytes(8).toString('hex');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid} ${tag}\n`, { flag: 'wx' });
      held.add(tag);
      return () => {
        held.delete(tag);
        rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const [pidText, other = ''] = readFileSync(path, 'utf8').trim().split(' ');
      const pid = Number(pidText);
      const live = pid === process.pid ? held.has(other) : Number.isInteger(pid) && pid > 0 && alive(pid);
      if (live) throw new Error(`another capseal serve (pid ${pid}) is using ${dir}; stop it or choose another --data`);
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
}

const hostName = (): string => hostname().replace(/[^A-Za-z0-9_.]/g, '_');

/** The name of this process's sandbox folder: <host>-<pid>. */
export const sandboxName = (): string => `${hostName()}-${process.pid}`;

/**
 * This process's sandbox folder under `dir` (<host>-<pid>), after removing those of this host's
 * processes that are gone; another host's (a folder shared over the network) are left alone.
 */
export function sandboxOf(dir: string): string {
  const host = hostName();
  const root = join(dir, 'sandbox');
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    // no sandboxes yet
  }
  for (const name of entries) {
    const m = /^(.+)-([0-9]{1,10})$/.exec(name);
    if (m?.[1] !== host) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !alive(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
  return join(root, sandboxName());
}
