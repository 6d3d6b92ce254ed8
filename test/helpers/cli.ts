// Runs the capseal CLI from source (tsx), as a user would run the built one, capturing its streams.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';

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

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts the CLI in the background (capseal serve, capseal worker); its streams are collected. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until `cond` holds of a background CLI (its output so far), or it exits, or `ms` pass. */
export async function waitFor(p: CliProcess, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (p.child.exitCode !== null) throw new Error(`the command exited (${p.child.exitCode}): ${p.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out; stderr so far: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a command's function in this process, capturing its streams. */
export async function inProcess(fn: () => Promise<number>): Promise<CliRun> {
  const out: string[] = [], err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await fn();
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The error a read gets from a file the system will not let it read (root reads any file, so tests make it). */
export const permissionDenied = (path: string): Error => Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
