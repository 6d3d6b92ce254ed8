// Runs the capseal CLI from source (tsx), as a user would run the built one, capturing its streams.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; after `timeoutMs` it is sent `killSignal` (a test of Ctrl-C sends SIGINT). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 300_000, killSignal: NodeJS.Signals = 'SIGTERM'): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    killSignal,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
