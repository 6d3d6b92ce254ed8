// The data folder, shared safely. PGlite is a single-process database, and two processes on the same
// folder would each write their own copy over the other's: one `capseal serve` on PGlite per folder,
// held by a lock file with its pid, made exclusively (one left by a process that is gone is taken
// over). Sandboxes are per process (sandbox/<pid>/), so servers on one PostgreSQL may share a folder:
// at start a process removes only the sandboxes of processes that are gone.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Takes the folder's lock or throws with who holds it; returns its release. */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid))
        throw new Error(`another capseal serve (pid ${pid}) is using ${dir}; stop it or choose another --data`);
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
}

/** This process's sandbox folder under `dir`, after removing those of processes that are gone. */
export function sandboxOf(dir: string): string {
  const root = join(dir, 'sandbox');
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    // no sandboxes yet
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!/^[0-9]{1,10}$/.test(name) || (pid !== process.pid && !alive(pid))) rmSync(join(root, name), { recursive: true, force: true });
  }
  return join(root, String(process.pid));
}
