/**
 * Receiving an upload (README.md "Leaderboard server": a pack is hostile input): the body is streamed to a file
 * in the upload's sandbox folder, counted by us as it arrives (a declared Content-Length is only a
 * first check), and hashed on the way. Refusals: a declared length over the limit at once (413,
 * nothing read); a stream that passes it is cut and its file deleted (413); a sender idle for longer
 * than the idle limit, or slower in all than the upload deadline allows, is cut (408); a client that
 * goes away leaves nothing behind. After a refusal the rest of the body is read and dropped for a
 * moment, so the client can read the answer, and the connection is closed.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export interface UploadLimits {
  maxBytes: number;
  idleMs: number;
  maxMs: number;
}

export interface Received {
  bytes: number;
  sha256: string;
}

/** After a refusal mid-body, the rest is read and dropped for this long, so the client can read our answer. */
const DRAIN_MS = 2000;

function drainThenClose(incoming: IncomingMessage): void {
  incoming.resume();
  setTimeout(() => incoming.socket?.destroy(), DRAIN_MS).unref();
}

export function receiveBody(incoming: IncomingMessage, dest: string, limits: UploadLimits): Promise<Received> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && !/^[0-9]{1,15}$/.test(declared)) return Promise.reject(new HttpError(400, 'bad_request', 'Content-Length is not a number'));
  if (declared === undefined && !/chunked/i.test(incoming.headers['transfer-encoding'] ?? ''))
    return Promise.reject(new HttpError(411, 'length_required', 'send the pack with a Content-Length or chunked'));
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    drainThenClose(incoming);
    return Promise.reject(new HttpError(413, 'too_large', `the pack is ${declared} bytes, more than the server's limit of ${limits.maxBytes}`, { connection: 'close' }));
  }
  return new Promise((resolve, reject) => {
    const out = createWriteStream(dest, { flags: 'wx' });
    const hash = createHash('sha256');
    let n = 0, settled = false;
    const cut = (why: string) => () => fail(new HttpError(408, 'timeout', `${why}: the upload was cut`, { connection: 'close' }));
    const idleCut = cut(`no data for ${limits.idleMs / 1000} s`);
    let idle = setTimeout(idleCut, limits.idleMs);
    const deadline = setTimeout(cut(`the upload took longer than ${limits.maxMs / 1000} s`), limits.maxMs);
    const cleanup = () => {
      clearTimeout(idle);
      clearTimeout(deadline);
      incoming.off('data', onData).off('end', onEnd).off('aborted', onAborted).off('error', onError);
    };
    function fail(e: Error) {
      if (settled) return;
      settled = true;
      cleanup();
      out.destroy();
      void rm(dest, { force: true }).finally(() => reject(e));
      drainThenClose(incoming);
    }
    const onData = (chunk: Buffer) => {
      n += chunk.length;
      if (n > limits.maxBytes) return fail(new HttpError(413, 'too_large', `the pack passed the server's limit of ${limits.maxBytes} bytes: the upload was cut`, { connection: 'close' }));
      hash.update(chunk);
      clearTimeout(idle);
      idle = setTimeout(idleCut, limits.idleMs);
      if (!out.write(chunk)) {
        incoming.pause();
        out.once('drain', () => incoming.resume());
      }
    };
    const onEnd = () => {
      if (settled) return;
      cleanup();
      // A write that failed (a full disk) is a server error, never a damaged pack.
      out.end((e?: Error | null) => {
        settled = true;
        if (e) void rm(dest, { force: true }).finally(() => reject(e));
        else resolve({ bytes: n, sha256: hash.digest('hex') });
      });
    };
    const onAborted = () => fail(new HttpError(400, 'bad_request', 'the client went away before the end of the pack'));
    const onError = (e: Error) => fail(new HttpError(400, 'bad_request', `the upload failed: ${e.message}`));
    out.on('error', (e) => fail(e));
    incoming.on('data', onData).on('end', onEnd).on('aborted', onAborted).on('error', onError);
  });
}
