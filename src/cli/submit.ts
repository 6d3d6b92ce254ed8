/**
 * `capseal bench submit PACK --server URL [--wait]`: uploads a capsulepack to a leaderboard server
 * and, with --wait, follows it to its verdict, printed check by check as `bench verify` prints them.
 * Exit 0 queued (without --wait) or accepted, 1 rejected or refused (a duplicate, too large), 2 usage
 * or I/O error (no server, a server error).
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACK_FILE } from '../capsulebench/pack.js';
import { checkLine, command, readBytes, serverUrl, unreachable, UsageError } from './io.js';

const say = (m: string) => process.stderr.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SubmitOptions {
  server: string;
  wait: boolean;
  timeout?: string;
  json: boolean;
}

interface ErrorBody {
  error?: { code?: string; message?: string; first?: { id: string; url: string } };
}

interface Verdict {
  status: 'accepted' | 'rejected';
  tier: string | null;
  code: string | null;
  message: string;
  checks: { id?: string; name: string; ok: boolean; code: string | null }[];
  certified_refusal: { code: string; message: string } | null;
  da_audit: { nonce: string };
  verifier: { version: string; build_hash: string };
  verify_ms: number;
}

interface Submission {
  id: string;
  status: string;
  verdict: Verdict | null;
  links: { self: string; run: string | null };
}

async function request(url: URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new UsageError(unreachable(url.origin, e));
  }
}

const errorText = async (r: Response): Promise<ErrorBody> => {
  try {
    return (await r.json()) as ErrorBody;
  } catch {
    return {};
  }
};

function printVerdict(s: Submission, base: URL, json: boolean): number {
  const v = s.verdict!;
  if (json) process.stdout.write(`${JSON.stringify(s)}\n`);
  else {
    for (const c of v.checks) process.stdout.write(checkLine(c));
    if (v.status === 'accepted') {
      process.stdout.write(`accepted (${v.tier}): ${new URL(s.links.run!, base).href}\n`);
      if (v.certified_refusal) process.stdout.write(`  not certified: ${v.certified_refusal.code}: ${v.certified_refusal.message}\n`);
    } else process.stdout.write(`rejected ${v.code}: ${v.message}\n`);
    say(`bench submit: ${s.id} verified in ${Math.round(v.verify_ms)} ms by capseal ${v.verifier.version} (build ${v.verifier.build_hash.slice(0, 16)}…), DA challenge nonce ${v.da_audit.nonce.slice(0, 16)}…`);
  }
  return v.status === 'accepted' ? 0 : 1;
}

export const benchSubmit = (path: string, o: SubmitOptions): Promise<number> =>
  command('bench submit', async () => {
    const base = serverUrl(o.server, '--server');
    if (o.timeout !== undefined && !o.wait) throw new UsageError('--timeout goes with --wait');
    const timeoutS = o.timeout === undefined ? 600 : Number(o.timeout);
    if (!/^[0-9]{1,6}$/.test(o.timeout ?? '600') || timeoutS < 1) throw new UsageError('--timeout must be whole seconds, at least 1');
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, PACK_FILE) : path;
    const body = await readBytes(file, 'pack');
    let r: Response | undefined;
    for (let attempt = 0; ; attempt++) {
      r = await request(new URL('/api/submissions', base), { method: 'POST', body: body as unknown as BodyInit, headers: { 'content-type': 'application/gzip' } });
      if (r.status !== 503 || attempt === 5) break;
      const wait = Math.min(30, Number(r.headers.get('retry-after')) || 2);
      say(`bench submit: the server is busy; trying again in ${wait} s`);
      await sleep(wait * 1000);
    }
    if (r.status === 422) return printVerdict((await r.json()) as Submission, base, o.json);
    if (r.status !== 202) {
      const e = await errorText(r);
      const msg = `the server refused the pack (${r.status}${e.error?.code ? ` ${e.error.code}` : ''}): ${e.error?.message ?? r.statusText}`;
      if (o.json) process.stdout.write(`${JSON.stringify({ status: 'refused', http_status: r.status, ...e })}\n`);
      else process.stdout.write(`${msg}${e.error?.first ? ` — the first: ${new URL(e.error.first.url, base).href}` : ''}\n`);
      return r.status === 409 || r.status === 413 ? 1 : 2;
    }
    const created = (await r.json()) as { id: string; links: { self: string } };
    const self = new URL(created.links.self, base);
    say(`bench submit: ${created.id} queued (${self.href})`);
    if (!o.wait) {
      process.stdout.write(o.json ? `${JSON.stringify(created)}\n` : `${created.id}\n`);
      return 0;
    }
    const deadline = Date.now() + timeoutS * 1000;
    let last = '';
    for (let delay = 200; ; delay = Math.min(2000, delay * 1.5)) {
      const g = await request(self);
      if (!g.ok) throw new UsageError(`the server answered ${g.status} for ${self.href}: ${(await errorText(g)).error?.message ?? g.statusText}`);
      const s = (await g.json()) as Submission;
      if (s.verdict) return printVerdict(s, base, o.json);
      if (s.status !== last) say(`bench submit: ${s.status}`), (last = s.status);
      if (Date.now() > deadline) throw new UsageError(`no verdict after ${timeoutS} s (still ${s.status}); see ${self.href}`);
      await sleep(delay);
    }
  });
