// One `capseal serve` per data folder: PGlite is a single-process database, and two processes on the
// same folder would each write their own copy over the other's. The lock is a file holding the pid,
// made exclusively; one left by a process that is gone is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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
