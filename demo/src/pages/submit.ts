// Submit a pack (/submit, /submit?id=sub_…): uploads a capsulepack .tgz to POST /api/submissions and
// follows the submission to its verdict; the id goes in the URL, so a reload or a link resumes following it.
import type { PageContext } from '../main.js';
import { ApiError, getJson } from '../api.js';
import { checkList, followSubmission, runOf, uploadPack, type Submission } from '../submission.js';
import { append, facts, fmtBytes, fmtDate, h, hashEl, notice, replace } from '../dom.js';

// The server's SubmissionIdSchema.
const SUBMISSION_ID = /^sub_[0-9a-f]{24}$/;

const STATUS_TEXT: Record<string, [kind: string, text: string]> = {
  uploading: ['info', 'sending the pack to the server'],
  queued: ['info', 'waiting for a verifier'],
  verifying: ['info', 'the server is verifying the pack'],
  accepted: ['ok', 'verified: the run is on the leaderboard'],
  rejected: ['bad', 'the pack failed verification'],
  refused: ['bad', 'the server did not take the pack'],
  unknown: ['bad', 'the submission could not be read'],
};

export default function page(ctx: PageContext): () => void {
  const { root } = ctx;
  /** The upload or poll in progress; a new one (or leaving the page) aborts it. */
  let current = new AbortController();
  let maxBytes: number | null = null;

  const fileInput = h('input', { type: 'file', id: 'submit-file', name: 'pack', accept: '.tgz,.gz,application/gzip', required: true, 'aria-describedby': 'submit-file-hint' });
  const hint = h('p', { id: 'submit-file-hint', class: 'muted small' }, 'A capsulepack.tgz as written by capseal bench run. You can also drop it here.');
  const chosen = h('p', { class: 'small', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Submit for verification');
  const drop = h('div', { class: 'dropzone' }, h('label', { for: 'submit-file' }, 'Capsulepack (.tgz)', fileInput), hint, chosen);
  const form = h('form', { 'aria-label': 'Submit a capsulepack', onsubmit: (e: Event) => (e.preventDefault(), void submit()) }, drop, button);
  const statusEl = h('p', { id: 'submit-status', role: 'status', 'aria-live': 'polite' });
  const result = h('div', {});
  replace(
    root,
    h('h1', {}, 'Submit a pack'),
    h('p', {}, 'The server verifies a capsulepack from its bytes alone, with a data-availability challenge of its own, before its run joins the leaderboard. ',
      'From a shell: ', h('code', {}, `capseal bench submit --server ${location.origin} --wait PACK`), '.'),
    form, statusEl, result,
  );

  const showChosen = () => {
    const f = fileInput.files?.[0];
    replace(chosen, f ? `${f.name}, ${fmtBytes(f.size)}` : '');
  };
  fileInput.addEventListener('change', showChosen);
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) {
      fileInput.files = e.dataTransfer.files;
      showChosen();
    }
  });

  function setStatus(status: string, detail?: string): void {
    const [kind, text] = STATUS_TEXT[status]!;
    replace(statusEl, 'Status: ', h('span', { class: `badge ${kind}` }, status), ` — ${detail ?? text}`);
  }

  /** A failure with the server's code: a refused upload, or (`unknown`) a submission that cannot be read. */
  function refused(code: string, message: string, first?: { id: string }, status: 'refused' | 'unknown' = 'refused'): void {
    setStatus(status);
    replace(result,
      h('div', { id: 'submit-code', class: 'notice error', role: 'alert' }, h('strong', { class: 'code' }, code), ` ${message}`),
      first ? h('p', {}, h('a', { href: `/submit?id=${encodeURIComponent(first.id)}` }, `Follow the first submission (${first.id})`)) : null);
  }

  function show(s: Submission): void {
    const v = s.verdict;
    setStatus(s.status, s.status === 'verifying' && s.attempts > 1 ? `the server is verifying the pack (attempt ${s.attempts})` : undefined);
    const runId = runOf(s);
    replace(result,
      v?.status === 'rejected' ? h('div', { id: 'submit-code', class: 'notice error', role: 'alert' }, h('strong', { class: 'code' }, v.code ?? 'rejected'), ` ${v.message}`) : null,
      v?.status === 'accepted'
        ? notice('ok', `Accepted (${v.tier ?? 'community'} tier). `, runId ? h('a', { href: `/runs/${encodeURIComponent(runId)}` }, `See the run’s receipt (${runId})`) : null)
        : null,
      v?.certified_refusal ? notice('warn', 'Not certified: ', h('strong', { class: 'code' }, v.certified_refusal.code), ` ${v.certified_refusal.message}`) : null,
      v?.checks.length
        ? h('section', { 'aria-labelledby': 'checks-title' },
          h('h2', { id: 'checks-title' }, `Checks (${v.checks.filter((c) => c.ok).length} of ${v.checks.length} passed)`),
          checkList(v.checks, { id: 'submit-checks' }))
        : null,
      h('section', { 'aria-labelledby': 'submission-title' },
        h('h2', { id: 'submission-title' }, 'Submission'),
        facts([
          ['Id', h('code', {}, s.id)],
          ['Received', fmtDate(s.received_at)],
          ['Pack', [hashEl(s.pack.sha256, 'SHA-256'), ` ${fmtBytes(s.pack.bytes)}`]],
          ...(v ? ([
            ['Verified', `${fmtDate(v.verified_at)} in ${Math.round(v.verify_ms).toLocaleString('en')} ms`],
            ['Verifier', [`capseal ${v.verifier.version}, build `, hashEl(v.verifier.build_hash, 'build hash')]],
            ['DA challenge nonce', hashEl(v.da_audit.nonce, 'nonce')],
          ] as [string, (Node | string)[] | string][]) : []),
        ]),
        h('p', { class: 'small' }, h('a', { href: `/api/submissions/${encodeURIComponent(s.id)}` }, 'This submission as JSON'))),
    );
  }

  async function follow(id: string, signal: AbortSignal): Promise<void> {
    try {
      await followSubmission(id, show, signal, (e) => replace(statusEl, 'Status: ', h('span', { class: 'badge warn' }, 'reconnecting'), ` — ${e.message}; trying again`));
    } catch (e) {
      if (!signal.aborted) refused(e instanceof ApiError ? e.code : 'error', e instanceof Error ? e.message : String(e), undefined, 'unknown');
    }
  }

  async function submit(): Promise<void> {
    const file = fileInput.files?.[0];
    if (!file) return;
    current.abort();
    const mine = (current = new AbortController()).signal;
    ctx.setQuery(new URLSearchParams()); // the submission followed before, if any, is no longer the page's
    if (maxBytes !== null && file.size > maxBytes) return refused('too_large', `${file.name} is ${fmtBytes(file.size)}; this server takes packs of at most ${fmtBytes(maxBytes)}.`);
    button.disabled = true;
    replace(result);
    try {
      setStatus('uploading', `sending ${file.name} (${fmtBytes(file.size)})`);
      const up = await uploadPack(new Uint8Array(await file.arrayBuffer()), mine, (wait) => setStatus('uploading', `the server is busy; trying again in ${wait} s`));
      if (mine.aborted) return;
      if ('refusal' in up) return refused(up.refusal.code, up.refusal.message, up.refusal.first);
      const sub = up.submission;
      ctx.setQuery(new URLSearchParams({ id: sub.id }));
      if (sub.verdict) show(sub);
      else {
        setStatus('queued');
        void follow(sub.id, mine);
      }
    } catch (e) {
      if (!mine.aborted) refused(e instanceof ApiError ? e.code : 'error', e instanceof Error ? e.message : String(e));
    } finally {
      if (!mine.aborted) button.disabled = false;
    }
  }

  getJson<{ limits: { max_pack_bytes: number } }>('/api/health').then((hl) => {
    maxBytes = hl.limits.max_pack_bytes;
    append(hint, ` At most ${fmtBytes(maxBytes)}.`);
  }, () => {});

  const id = ctx.query.get('id');
  if (id) {
    if (SUBMISSION_ID.test(id)) void follow(id, current.signal);
    else refused('bad_request', `“${id}” is not a submission id (sub_ followed by 24 hex digits).`, undefined, 'unknown');
  }
  return () => current.abort();
}
