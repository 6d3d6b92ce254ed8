// Watching a run live (/live/:id) over /api/live/<run_id>: each event's hash chain is checked as it
// arrives, the socket resumes from the last seq after any drop, and the server's verdict ends the watch.
// RunView (phases, chunk commitments, locked hashes) and eventSummary are shared with the replay page.
import { RunIdSchema } from '../../../src/capsule/capsule.js';
import { EventChain, EventLogError, PHASES, RunState, type StreamEvent } from '../../../src/capsulebench/events.js';
import { ApiError, getJson, wsUrl } from '../api.js';
import { facts, fmtBytes, fmtUs, h, hashEl, notice, replace, section } from '../dom.js';
import type { PageContext } from '../main.js';

type Phase = (typeof PHASES)[number];
type Ev<T extends StreamEvent['type']> = StreamEvent<T>['data'];

const PHASE_NAMES: Record<Phase, string> = {
  init: 'Start', trace_generate: 'Trace', prove: 'Prove', verify_local: 'Verify', seal_capsule: 'Seal', pack: 'Pack', done: 'Done',
};

const short = (hex: string): string => `${hex.slice(0, 12)}…`;
const since = (t0: number | null, ts: number): string => (t0 === null ? '' : `+${((ts - t0) / 1000).toFixed(2)} s`);

/** One line saying what an event reports. */
export function eventSummary(e: StreamEvent): string {
  switch (e.type) {
    case 'run_started': {
      const x = e.data as Ev<'run_started'>;
      return `${x.workload_id} at 2^${x.log2_rows} rows on ${x.track_id} (${x.client.runner_name} ${x.client.runner_version}, ${x.client.backend_id})`;
    }
    case 'phase': {
      const x = e.data as Ev<'phase'>;
      return `${x.phase_id}: ${x.phase_label}${x.progress ? ` (${x.progress.done}/${x.progress.total} ${x.progress.unit})` : ''}`;
    }
    case 'spec_locked': return `trace spec ${short((e.data as Ev<'spec_locked'>).trace_spec_hash_hex)}, policy ${(e.data as Ev<'spec_locked'>).policy_id}`;
    case 'chunk_committed': {
      const x = e.data as Ev<'chunk_committed'>;
      return `chunks ${x.chunk_index}–${x.chunk_index + x.chunk_roots_hex.length - 1} of ${x.num_chunks}`;
    }
    case 'chunk_roots_digest': return `${(e.data as Ev<'chunk_roots_digest'>).num_chunks} chunk roots, digest ${short((e.data as Ev<'chunk_roots_digest'>).chunk_roots_digest_hex)}`;
    case 'row_root_finalized': return `row root ${short((e.data as Ev<'row_root_finalized'>).row_root_hex)}`;
    case 'statement_locked': return `statement ${short((e.data as Ev<'statement_locked'>).statement_hash_hex)}`;
    case 'prove_progress': {
      const x = e.data as Ev<'prove_progress'>;
      return `${x.run.kind} ${x.run.index}/${x.run.of}: ${x.stage} (${x.progress.done}/${x.progress.total} ${x.progress.unit}), RSS ${fmtBytes(x.metrics.rss_bytes)}`;
    }
    case 'proof_artifact': {
      const x = e.data as Ev<'proof_artifact'>;
      return `${x.path}: ${x.size_bytes.toLocaleString('en-US')} bytes, prove ${fmtUs(x.stats.prover_time_us)}, verify ${fmtUs(x.stats.verify_time_us)}`;
    }
    case 'capsule_sealed': return `capsule ${short((e.data as Ev<'capsule_sealed'>).capsule_hash_hex)}`;
    case 'signature_attached': return `${(e.data as Ev<'signature_attached'>).scheme} signature`;
    case 'pack_ready': return `${(e.data as Ev<'pack_ready'>).pack_path}, ${fmtBytes((e.data as Ev<'pack_ready'>).bytes)}`;
    case 'state_snapshot': return `snapshot after seq ${(e.data as Ev<'state_snapshot'>).last_event_seq}`;
    default: return ''; // a type the chain check refuses
  }
}

const LOCKS = [
  ['trace_spec_hash_hex', 'Trace spec'], ['policy_hash_hex', 'Policy'], ['chunk_roots_digest_hex', 'Chunk roots digest'],
  ['row_root_hex', 'Row root'], ['statement_hash_hex', 'Statement'], ['capsule_hash_hex', 'Capsule'],
] as const;
type LockKey = (typeof LOCKS)[number][0];
/** Cells in the chunk strip at most; a cell stands for several chunks beyond that. */
const MAX_CELLS = 256;

/**
 * A run's progress drawn from its events: the phases, the prove runs and stages, the row-chunk
 * commitments and each hash as it locks. apply() takes events; render() draws (once per batch).
 */
export class RunView {
  readonly el: HTMLElement;
  #state = new RunState();
  #seq = 0;
  #t0: number | null = null;
  #phase: Ev<'phase'> | null = null;
  #prove: Ev<'prove_progress'> | null = null;
  #proof: Ev<'proof_artifact'> | null = null;
  #started: Ev<'run_started'> | null = null;
  #lockedAt: Partial<Record<LockKey, { seq: number; ts: number }>> = {};
  readonly #phases = h('ol', { class: 'phases', 'aria-label': 'Phases' });
  readonly #phaseText = h('p', { class: 'phase-text' });
  readonly #runBar = h('progress', { max: 1, value: 0, 'aria-label': 'Runs proved' });
  readonly #stageBar = h('progress', { max: 1, value: 0, 'aria-label': 'Stages of the current proof' });
  readonly #proveText = h('p', { class: 'muted small' });
  readonly #chunkText = h('p', {});
  readonly #strip = h('div', { class: 'chunk-strip', role: 'img' });
  readonly #hashes = h('div', {});

  constructor() {
    this.el = h('div', { class: 'run-view' },
      section('Phases', this.#phases, this.#phaseText,
        h('div', { class: 'prove-bars' }, h('span', { class: 'muted small' }, 'Runs'), this.#runBar, h('span', { class: 'muted small' }, 'Stages'), this.#stageBar),
        this.#proveText),
      h('div', { class: 'grid2' },
        section('Row commitments', this.#chunkText, this.#strip),
        section('Locked hashes', this.#hashes)));
    this.render();
  }

  get seq(): number {
    return this.#seq;
  }

  apply(e: StreamEvent): void {
    this.#state.apply(e);
    this.#seq = e.seq;
    this.#t0 ??= e.ts_ms;
    const at = { seq: e.seq, ts: e.ts_ms };
    if (e.type === 'run_started') this.#started = e.data as Ev<'run_started'>;
    else if (e.type === 'phase') this.#phase = e.data as Ev<'phase'>;
    else if (e.type === 'prove_progress') this.#prove = e.data as Ev<'prove_progress'>;
    else if (e.type === 'proof_artifact') this.#proof = e.data as Ev<'proof_artifact'>;
    else if (e.type === 'spec_locked') (this.#lockedAt.trace_spec_hash_hex ??= at), (this.#lockedAt.policy_hash_hex ??= at);
    else if (e.type === 'chunk_roots_digest') this.#lockedAt.chunk_roots_digest_hex ??= at;
    else if (e.type === 'row_root_finalized') this.#lockedAt.row_root_hex ??= at;
    else if (e.type === 'statement_locked') this.#lockedAt.statement_hash_hex ??= at;
    else if (e.type === 'capsule_sealed') this.#lockedAt.capsule_hash_hex ??= at;
  }

  /** The current phase (null before the first phase event). */
  get phase(): Ev<'phase'> | null {
    return this.#phase;
  }

  render(): void {
    const snap = this.#state.snapshot(this.#seq);
    const current = snap.phase ? PHASES.indexOf(snap.phase) : -1;
    const finished = snap.phase === 'done';
    replace(this.#phases, PHASES.map((p, i) => {
      const state = finished || i < current ? 'done' : i === current ? 'current' : 'pending';
      return h('li', { class: state, 'aria-current': state === 'current' ? 'step' : null },
        h('span', { class: 'dot', 'aria-hidden': 'true' }, state === 'done' ? '✓' : String(i + 1)), ' ', PHASE_NAMES[p],
        h('span', { class: 'sr-only' }, ` (${state})`));
    }));
    const s = this.#started;
    this.#phaseText.textContent = this.#phase
      ? `${this.#phase.phase_label}${this.#phase.progress ? ` — ${this.#phase.progress.done} of ${this.#phase.progress.total} ${this.#phase.progress.unit}` : ''}`
      : s ? 'started' : 'waiting for the run to start';
    if (s) this.#phaseText.prepend(h('strong', {}, `${s.workload_id} at 2^${s.log2_rows} rows on ${s.track_id}: `));

    const runs = this.#phase?.phase_id === 'prove' ? this.#phase.progress : undefined;
    const pr = this.#prove;
    const runTotal = runs?.total ?? (pr ? pr.run.of : 0);
    const runsDone = current > PHASES.indexOf('prove') ? runTotal : runs?.done ?? 0;
    this.#runBar.max = Math.max(runTotal, 1);
    this.#runBar.value = runTotal ? runsDone : current > PHASES.indexOf('prove') ? 1 : 0;
    this.#stageBar.max = Math.max(pr?.progress.total ?? 1, 1);
    this.#stageBar.value = pr ? pr.progress.done : current > PHASES.indexOf('prove') ? 1 : 0;
    this.#proveText.textContent = pr
      ? `${pr.run.kind === 'warmup' ? 'Warm-up' : 'Measured run'} ${pr.run.index} of ${pr.run.of}: ${pr.stage} (${pr.progress.done}/${pr.progress.total} ${pr.progress.unit}), RSS ${fmtBytes(pr.metrics.rss_bytes)}; ${snap.runs_done} proofs done`
        + (this.#proof ? `. Proof: ${this.#proof.size_bytes.toLocaleString('en-US')} bytes, median prove ${fmtUs(this.#proof.stats.prover_time_us)}, verify ${fmtUs(this.#proof.stats.verify_time_us)}` : '')
      : 'No proof started yet.';

    const c = snap.commitment_state, n = c.num_chunks;
    this.#chunkText.textContent = n === null ? 'No row chunk committed yet.' : `${c.num_chunks_committed} of ${n} row chunks committed${c.chunk_roots_digest_hex ? '; the chunk roots are sealed by their digest' : ''}.`;
    this.#strip.setAttribute('aria-label', this.#chunkText.textContent);
    if (n !== null && n > 0) {
      const cells = Math.min(n, MAX_CELLS), per = Math.ceil(n / cells);
      if (this.#strip.childElementCount !== cells) replace(this.#strip, Array.from({ length: cells }, () => h('span', { class: 'cell' })));
      for (let i = 0; i < cells; i++) this.#strip.children[i]!.classList.toggle('on', c.num_chunks_committed >= Math.min((i + 1) * per, n));
      this.#strip.title = per > 1 ? `each cell: ${per} chunks` : 'each cell: one chunk';
    } else this.#strip.replaceChildren();

    const values: Record<LockKey, string | null> = { ...snap.locked, chunk_roots_digest_hex: c.chunk_roots_digest_hex };
    replace(this.#hashes, facts(LOCKS.map(([k, label]) => {
      const v = values[k], at = this.#lockedAt[k];
      return [label, v ? [h('span', { class: 'lock', 'aria-hidden': 'true' }, '✓ '), hashEl(v, label), h('span', { class: 'muted small' }, ` seq ${at?.seq ?? '?'} ${at ? since(this.#t0, at.ts) : ''}`)]
        : h('span', { class: 'muted' }, 'not locked yet')];
    })));
  }
}

interface ServerMessage {
  source: 'server';
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

/** Events kept in the list; older ones are dropped from the page (the chain is still checked). */
const MAX_LISTED = 5000;

/** Seconds without an event after which a run in progress is said to have gone quiet. */
const QUIET_S = 30;

export default function page({ root, params }: PageContext): () => void {
  const id = params['id'] ?? '';
  const rid = encodeURIComponent(id);
  if (!RunIdSchema.safeParse(id).success) {
    root.append(h('h1', {}, 'Live run'), notice('error', `${id} is not a run id: a run id is run_<UTC time>_<8 hex digits>, as capseal bench run prints it.`));
    return () => {};
  }
  const status = h('p', { id: 'live-status', role: 'status' });
  const conn = h('p', { id: 'live-conn', class: 'muted small', 'aria-live': 'polite' });
  const info = h('div', {});
  const chainEl = h('div', { id: 'live-chain' });
  const list = h('ol', { id: 'live-events', class: 'events', tabindex: 0, 'aria-label': 'Events as they arrive' });
  const listNote = h('p', { class: 'muted small' });
  const view = new RunView();
  root.append(
    h('h1', {}, 'Live run'),
    h('p', {}, h('code', { class: 'hash' }, id)),
    status, conn, info, view.el,
    section('Hash chain', chainEl),
    section('Events', listNote, list),
  );

  const chain = new EventChain();
  let broken: { seq: number; code: string; message: string } | null = null;
  let lastSeq = 0, checked = 0, head = '', t0: number | null = null, serverHas = 0;
  /** When the last event arrived: a run that says nothing for long has likely stopped (a killed runner sends no goodbye). */
  let lastEventAt = Date.now();
  let verdict: { ok: true; tier: string; live: string | null } | { ok: false; code: string; message: string; submission: string } | null = null;
  let connText = '';
  let ws: WebSocket | null = null, disposed = false, opens = 0, failures = 0, timer: ReturnType<typeof setTimeout> | undefined, frame = 0;
  const pending: HTMLLIElement[] = [];

  const showStatus = () => {
    status.className = `live-status ${verdict?.ok ? 'ok' : verdict ? 'bad' : ''}`;
    if (verdict?.ok) replace(status, h('span', { class: 'badge ok' }, 'accepted'), ` (${verdict.tier}) — the server verified this run's pack`);
    else if (verdict) replace(status, h('span', { class: 'badge bad' }, 'rejected'), ` ${verdict.code}: submission ${verdict.submission} of this run was rejected: ${verdict.message}`);
    else if (!opens && failures >= 2) replace(status, h('span', { class: 'badge warn' }, 'not connected'), ' no live stream of this run answers yet');
    else replace(status, h('span', { class: 'badge info' }, 'in progress'), ' ',
      view.phase?.phase_id === 'done' ? 'the run has finished; waiting for its pack to be submitted and verified' : view.phase ? `${view.phase.phase_id}: ${view.phase.phase_label}` : 'waiting for events');
  };
  const showChain = () => replace(chainEl, broken
    ? notice('error', `Chain broken at seq ${broken.seq}: ${broken.code}: ${broken.message}. The progress above stops before it; later events are listed unchecked.`)
    : checked
      ? notice('ok', `${checked} events checked as they arrived: the chain is intact. Head `, hashEl(head, 'chain head'), ` at seq ${lastSeq}.`)
      : h('p', { class: 'muted' }, 'No events yet.'));

  const render = () => {
    frame = 0;
    list.append(...pending.splice(0));
    while (list.childElementCount > MAX_LISTED) list.firstElementChild!.remove();
    listNote.textContent = lastSeq > MAX_LISTED ? `The latest ${MAX_LISTED} of ${lastSeq} events are listed.` : '';
    if (following) list.scrollTop = list.scrollHeight;
    view.render();
    showStatus();
    showChain();
    const quiet = Math.round((Date.now() - lastEventAt) / 1000);
    conn.textContent = connText + (serverHas > lastSeq && ws ? ` — catching up: seq ${lastSeq} of ${serverHas}` : '')
      + (!verdict && view.phase?.phase_id !== 'done' && quiet >= QUIET_S ? ` — no event for ${quiet} s: the runner may have stopped` : '');
  };
  const later = () => {
    frame ||= requestAnimationFrame(render);
  };
  // The list follows new events until the reader scrolls up, and again once they scroll back down
  // (decided on scrolling, so a resize that moves the bottom does not stop it).
  let following = true;
  list.addEventListener('scroll', () => (following = list.scrollTop + list.clientHeight >= list.scrollHeight - 40));

  const onEvent = (line: string) => {
    lastEventAt = Date.now();
    let raw: Record<string, unknown> = {};
    try {
      const j: unknown = JSON.parse(line);
      if (j && typeof j === 'object') raw = j as Record<string, unknown>;
    } catch {
      // the chain check says what is wrong with it
    }
    const seq = typeof raw['seq'] === 'number' ? raw['seq'] : lastSeq + 1;
    if (seq <= lastSeq) return; // a resend across a reconnect
    let mark: 'ok' | 'bad' | 'unchecked' = 'unchecked';
    if (!broken) {
      try {
        const r = chain.next(line, `event ${lastSeq + 1}`);
        view.apply(r.event);
        head = r.hash;
        checked++;
        mark = 'ok';
      } catch (err) {
        mark = 'bad';
        broken = { seq, code: err instanceof EventLogError ? err.code : 'E160_EVENTS_MALFORMED', message: err instanceof Error ? err.message : String(err) };
      }
    }
    lastSeq = seq;
    const ts = typeof raw['ts_ms'] === 'number' ? raw['ts_ms'] : null;
    t0 ??= ts;
    let text = '';
    try {
      text = eventSummary(raw as unknown as StreamEvent);
    } catch {
      // an event the chain refused may not have the fields its type promises
    }
    pending.push(h('li', { class: mark === 'ok' ? null : mark },
      h('code', { class: 'seq' }, `#${seq}`), ' ', h('span', { class: 'type' }, String(raw['type'] ?? '?')), ' ', h('span', { class: 'what' }, text),
      mark === 'bad' ? h('strong', {}, ` — chain break: ${broken!.code}`) : null,
      ts !== null ? h('span', { class: 'muted small when' }, ` ${since(t0, ts)}`) : null));
    later();
  };

  const onServer = (m: ServerMessage) => {
    if (m.type === 'state_snapshot') serverHas = Number(m.data['last_event_seq']) || 0;
    else if (m.type === 'server_verified') {
      verdict = { ok: true, tier: String(m.data['tier'] ?? 'community'), live: typeof m.data['live_status'] === 'string' ? m.data['live_status'] : null };
      replace(info, notice('ok', 'Verified and on the board: ', h('a', { href: `/runs/${rid}` }, 'see its receipt'),
        verdict.live ? ` (live stream ${verdict.live} with the pack's events)` : ''));
      connText = 'stream complete';
      close();
    } else if (m.type === 'submission_rejected' && !verdict?.ok) {
      verdict = { ok: false, code: String(m.data['code'] ?? 'rejected'), message: String(m.data['message'] ?? ''), submission: String(m.data['submission_id'] ?? '?') };
    }
    later();
  };

  const setConn = (text: string) => {
    connText = text;
    later();
  };

  const close = () => {
    const s = ws;
    ws = null;
    s?.close(1000, 'done watching');
  };

  const connect = () => {
    timer = undefined;
    const from = lastSeq;
    const s = new WebSocket(wsUrl(`/api/live/${rid}?from_seq=${from}`));
    ws = s;
    let opened = false;
    setConn(opens ? `reconnecting from seq ${from}…` : 'connecting…');
    s.onopen = () => {
      opened = true;
      failures = 0;
      setConn(opens++ ? `reconnected, resumed at seq ${from}` : 'connected');
    };
    s.onmessage = (m) => {
      if (typeof m.data !== 'string') return;
      let msg: { source?: unknown };
      try {
        msg = JSON.parse(m.data) as { source?: unknown };
      } catch {
        msg = {};
      }
      if (msg.source === 'server') onServer(msg as ServerMessage);
      else onEvent(m.data);
    };
    s.onclose = (ev) => {
      if (ws !== s || disposed) return;
      ws = null;
      if (!opened) failures++;
      const wait = ev.code === 1013 ? 0 : Math.min(1000 * 2 ** failures, 10_000);
      const why = ev.code === 1013 ? 'the server asked to reconnect' : opened ? `the connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})` : 'cannot connect';
      setConn(`${why}; reconnecting in ${Math.round(wait / 1000)} s from seq ${lastSeq}…`);
      if (!opened && opens === 0 && failures === 2) void explainRefusal();
      timer = setTimeout(connect, wait);
    };
  };

  // A refused upgrade looks like a network error to a browser: the run's record says which it is.
  const explainRefusal = async () => {
    try {
      const r = await getJson<{ run: { tier: string } }>(`/api/runs/${rid}`);
      if (disposed || opens) return;
      clearTimeout(timer);
      verdict = { ok: true, tier: r.run.tier, live: null };
      setConn('');
      replace(info, notice('info', 'This run was not streamed live to this server. It is verified: ', h('a', { href: `/runs/${rid}` }, 'see its receipt'), ' or ', h('a', { href: `/replay?run=${rid}` }, 'replay its events'), '.'));
    } catch (e) {
      if (disposed || opens) return;
      replace(info, notice('warn', e instanceof ApiError && e.status === 404
        ? `Run ${id} is not verified and the live stream does not answer: it may not be registered for streaming (capseal bench run --stream), or the server is unreachable. Still trying.`
        : `The server cannot be reached: ${e instanceof Error ? e.message : String(e)}. Still trying.`));
    }
  };

  showStatus();
  showChain();
  connect();

  const quietCheck = setInterval(later, 5000);
  return () => {
    disposed = true;
    clearInterval(quietCheck);
    clearTimeout(timer);
    if (frame) cancelAnimationFrame(frame);
    close();
  };
}
