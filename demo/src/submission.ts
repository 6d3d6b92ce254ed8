// Submitting a capsulepack to this server and following it to its verdict (POST /api/submissions,
// GET /api/submissions/:id), shared by the Submit and Prove pages.
import type { PackCheck } from '../../src/capsulebench/contract.js';
import { ApiError, getJson } from './api.js';

export interface Submission {
  id: string;
  status: 'queued' | 'verifying' | 'accepted' | 'rejected';
  verdict: {
    status: 'accepted' | 'rejected'; tier: string | null; code: string | null; message: string; checks: PackCheck[];
    certified_refusal: string | null; da_audit: { kind: string; nonce: string }; verifier: { version: string; build_hash: string }; verify_ms: number;
  } | null;
  links: { self: string; run: string | null };
  run_id?: string | null;
}

/**
 * Uploads a pack. Resolves with the submission (queued, or already rejected when the archive cannot
 * be opened: HTTP 422); throws ApiError for a refusal at intake (too large, duplicate, busy …).
 */
export async function submitPack(bytes: Uint8Array): Promise<Submission> {
  let r: Response;
  try {
    r = await fetch('/api/submissions', { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/gzip', accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the server cannot be reached (${e instanceof Error ? e.message : String(e)})`);
  }
  const body = (await r.json().catch(() => null)) as (Submission & { error?: { code?: string; message?: string; first?: { id: string } } }) | null;
  if (r.status === 202 || (r.status === 422 && body?.id)) return body!.status ? body! : { ...body!, status: 'queued', verdict: null };
  const first = body?.error?.first?.id;
  throw new ApiError(r.status, body?.error?.code ?? `http_${r.status}`, `${body?.error?.message ?? r.statusText}${first ? ` (see ${first})` : ''}`);
}

/** Polls a submission until its verdict (backing off to 2 s), telling each state; stops when `signal` aborts. */
export async function followSubmission(id: string, onUpdate: (s: Submission) => void, signal: AbortSignal): Promise<Submission | null> {
  for (let wait = 250; !signal.aborted; wait = Math.min(2000, wait * 1.5)) {
    const s = await getJson<Submission>(`/api/submissions/${encodeURIComponent(id)}`, { signal }).catch((e: unknown) => {
      if (signal.aborted) return null;
      throw e;
    });
    if (!s) return null;
    onUpdate(s);
    if (s.status === 'accepted' || s.status === 'rejected') return s;
    await new Promise((r) => setTimeout(r, wait));
  }
  return null;
}
