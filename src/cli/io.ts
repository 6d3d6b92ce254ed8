/**
 * What every capseal command does with files and failures: read a file (an unreadable one is a
 * usage/I/O error, exit 2, with one line naming it), parse strict JSON (UTF-8, no duplicate keys),
 * and report a UsageError as "capseal <command>: <reason>" on stderr.
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { readAtMost } from '../capsule/files-node.js';
import { FileTooLargeError } from '../capsule/verify.js';
import { GpuUnavailableError } from '../gpu/errors.js';
import { CanonicalJsonError, parseCanonicalBytes } from '../json/canonical-json.js';

/** A failure the command reports as its one stderr line, exiting 2. */
export class UsageError extends Error {}

export const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

/** What to say after "no GPU" to someone who asked for one. */
export const NO_GPU_HINT = 'capseal doctor explains; --backend cpu or auto run without a GPU';

/** The most any input file may hold: far above real inputs, but /dev/zero must not be read forever. */
const MAX_INPUT_BYTES = 2 ** 30;

/** A file's bytes, up to `maxBytes`; also a pipe or FIFO (--input <(…)), read until it ends. */
export async function readBytes(path: string, what: string, maxBytes = MAX_INPUT_BYTES): Promise<Uint8Array> {
  const tooLarge = () => new UsageError(`${what} ${path} is larger than ${maxBytes} bytes`);
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${reason(e)}`);
  }
  try {
    const st = await file.stat();
    if (st.isFile() && st.size > maxBytes) throw tooLarge();
    const bytes = await readAtMost(file, maxBytes);
    if (bytes.length > maxBytes) throw tooLarge();
    return bytes;
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(`cannot read ${what} ${path}: ${reason(e)}`);
  } finally {
    await file.close();
  }
}

/** Strict JSON from bytes: a document that could be read two ways (duplicate keys) is refused. */
export function parseJsonBytes(bytes: Uint8Array, path: string, what: string): unknown {
  try {
    return parseCanonicalBytes(bytes);
  } catch (e) {
    if (!(e instanceof CanonicalJsonError)) throw new UsageError(`${what} ${path} is not UTF-8 text`);
    throw new UsageError(`${what} ${path} is not valid JSON: ${reason(e)}`);
  }
}

export const readJson = async (path: string, what: string): Promise<unknown> => parseJsonBytes(await readBytes(path, what), path, what);

/**
 * `files` with its reads (and its listing, if it has one) watched: the first failure that is not
 * the refusal of an oversized file (an I/O error: EACCES, EIO) is kept. The verifiers report any
 * failed read as a rejection of the capsule or pack; a command asks failure() afterwards and reports
 * an I/O error instead (exit 2), since the input was not judged. The readers given have these two
 * methods only (CapsuleFiles, PackFiles), which the view returned repeats.
 */
export function watchReads<F extends { read(path: string, maxBytes: number): Promise<Uint8Array | null>; list?(): Promise<unknown> }>(files: F): { files: F; failure(): Error | undefined } {
  let first: Error | undefined;
  const watched = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      if (!(e instanceof FileTooLargeError)) first ??= e instanceof Error ? e : new Error(String(e));
      throw e;
    });
  const list = files.list;
  const view = {
    read: (path: string, maxBytes: number) => watched(files.read(path, maxBytes)),
    ...(list ? { list: () => watched(list.call(files)) } : {}),
  } as unknown as F;
  return { files: view, failure: () => first };
}

/** Runs a command body: a UsageError (or any thrown error) becomes one stderr line and exit 2. */
export async function command(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    process.stderr.write(`capseal ${name}: ${reason(e)}${e instanceof GpuUnavailableError ? ` (${NO_GPU_HINT})` : ''}\n`);
    return 2;
  }
}

/** One check of a pack verdict, as bench verify and bench submit print it. */
export const checkLine = (c: { id?: string; name: string; ok: boolean; code: string | null }): string =>
  `${c.ok ? 'ok  ' : 'FAIL'}  ${(c.id ?? '').padEnd(4)} ${c.name}${c.code ? `  ${c.code}` : ''}\n`;

export { unreachable } from '../capsulebench/live-stream.js';

/** A whole-number option (digits only), at most `max`. */
export const wholeNumber = (max = 999_999_999) =>
  z.string().regex(/^[0-9]{1,9}$/, 'must be a whole number (digits only)').transform(Number).refine((n) => n <= max, `must be at most ${max}`);

/** A server's base URL (--server, --stream): http(s), no path, query or fragment. */
export function serverUrl(s: string, flag: string): URL {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new UsageError(`${flag} ${s} is not a URL (e.g. http://127.0.0.1:8787)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${flag} must be http:// or https://, not ${u.protocol}`);
  if (u.pathname !== '/' || u.search || u.hash) throw new UsageError(`${flag} is the server's address alone (e.g. http://127.0.0.1:8787), without a path`);
  return u;
}
