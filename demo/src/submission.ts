// A submission as the server tells it (GET /api/submissions/:id), uploading a pack (POST
// /api/submissions, retried while the server is busy) and following it to its verdict; and the
// check lists every page shows a verdict with. Shared by the Submit, Prove and Receipt pages.
import { ApiError, getJson, send } from './api.js';
import { h } from './dom.js';

export interface Check {
  id?: string;
  name: string;
  ok: boolean;
  code?: string | null;
}

export interface Verdict {
  status: 'accepted' | 'rejected';
  tier: string | null;
  code: string | null;
  message: string;
  checks: Check[];
  certified_refusal: { code: string; message: string } | null;
  da_audit: { kind: string; nonce: string };
  verifier: { version: string; build_hash: string };
  verify_ms: number;
  verified_at: string;
}

export interface Submission {
  id: string;
  status: 'queued' | 'verifying' | 'accepted' | 'rejected';
  received_at: string;
  pack: { sha256: string; bytes: number };
  attempts: number;
  verdict: Verdict | null;
  links: { self: string; run: string | null };
}

/** A refusal at intake: the server's code and message, and the first submission of a duplicate. */
export interface Refusal {
  code: string;
  message: string;
  first?: { id: string };
}

const BUSY_RETRIES = 5;

/** Resolves after `ms`, or at once when the signal is aborted. */
export const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Uploads a pack: the submission (queued, or already rejected when its archive cannot be opened:
 * HTTP 422), or the server's refusal (too large, duplicate …). A busy server (503) is tried again
 * after its Retry-After, a few times, telling `onBusy`. Throws ApiError when the server is unreachable.
 */
export async function uploadPack(body: Uint8Array, signal: AbortSignal, onBusy: (seconds: number) => void = () => {}): Promise<{ submission: Submission } | { refusal: Refusal }> {
  let r: Response;
  for (let attempt = 0; ; attempt++) {
    r = await send('/api/submissions', { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/gzip', accept: 'application/json' }, signal });
    if (r.status !== 503 || attempt === BUSY_RETRIES) break;
    const wait = Math.min(30, Number(r.headers.get('retry-after')) || 2);
    onBusy(wait);
    await pause(wait * 1000, signal);
  }
  // 422: an archive that cannot be opened safely, recorded as rejected; its body is the submission.
  if (r.status === 202 || r.status === 422) {
    const s = (await r.json()) as Submission;
    return { submission: r.status === 202 ? { ...s, status: 'queued', verdict: null } : s };
  }
  const e = ((await r.json().catch(() => ({}))) as { error?: { code?: string; message?: string; first?: { id: string } } }).error;
  return { refusal: { code: e?.code ?? `http_${r.status}`, message: e?.message ?? `${r.status} ${r.statusText}`, ...(e?.first ? { first: e.first } : {}) } };
}

/**
 * Polls a submission until its verdict, backing off from 250 ms to 3 s, telling each state; a lost
 * connection is retried (told to `onRetry`), any other failure thrown. Stops when `signal` aborts.
 */
export async function followSubmission(id: string, onUpdate: (s: Submission) => void, signal: AbortSignal, onRetry: (e: ApiError) => void = () => {}): Promise<void> {
  for (let delay = 250; !signal.aborted; delay = Math.min(3000, delay * 1.5)) {
    try {
      const s = await getJson<Submission>(`/api/submissions/${encodeURIComponent(id)}`, { signal });
      if (signal.aborted) return;
      onUpdate(s);
      if (s.verdict) return;
    } catch (e) {
      if (signal.aborted) return;
      if (!(e instanceof ApiError) || e.status !== 0) throw e;
      onRetry(e);
    }
    await pause(delay, signal);
  }
}

/** The run a submission put on the board, from its link. */
export const runOf = (s: Submission): string | undefined => s.links.run?.split('/').pop();

export function checkItem(c: Check): HTMLLIElement {
  return h('li', {},
    h('span', { class: `mark ${c.ok ? 'ok' : 'bad'}`, role: 'img', 'aria-label': c.ok ? 'passed' : 'failed' }, c.ok ? '✓' : '✗'),
    h('code', {}, c.id ?? ''), h('span', {}, c.name), c.code ? h('code', { class: 'code' }, c.code) : h('span', {}));
}

/** A verdict's checks, one line each: mark, step id, name and code. */
export function checkList(checks: readonly Check[], attrs: Record<string, string>): HTMLUListElement {
  const ul = h('ul', { class: 'checks', ...attrs });
  for (const c of checks) ul.append(checkItem(c));
  return ul;
}
