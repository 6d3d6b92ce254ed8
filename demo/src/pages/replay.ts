// Replaying a run's event log (/replay?run=<id>, or a local capsulepack.tgz): the hash chain is checked and
// its head compared with the capsule's benchmark.events_chain_head; a scrubber steps through the run's state.
import { EVENTS_PATH, EventChain, EventLogError, MAX_EVENTS, readEventLog, type ReadEvent } from '../../../src/capsulebench/events.js';
import { ApiError, getBytes, getJson } from '../api.js';
import { facts, fmtBytes, h, hashEl, notice, replace, section } from '../dom.js';
import type { PageContext } from '../main.js';
import { eventSummary, RunView } from './live.js';

/** The contract's bound on events.jsonl, and a generous one on capsule.json. */
const MAX_EVENTS_BYTES = 64 << 20;
const MAX_CAPSULE_BYTES = 16 << 20;
/** Events worth jumping to: where each hash locks and the run ends. */
const MILESTONES = ['run_started', 'spec_locked', 'chunk_roots_digest', 'row_root_finalized', 'statement_locked', 'proof_artifact', 'capsule_sealed', 'pack_ready'];

interface ChainResult {
  ok: boolean;
  code?: string;
  message: string;
}

interface Loaded {
  label: string;
  bytes: number;
  capsuleHash: string | null;
  sealedHead: string | null;
  events: ReadEvent[];
  result: ChainResult;
}

const hex64 = (v: unknown): string | null => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : null);

/** The events before the first bad line, so a broken log can still be stepped through up to its break. */
function salvage(bytes: Uint8Array): ReadEvent[] {
  const chain = new EventChain(), out: ReadEvent[] = [];
  const lines = new TextDecoder().decode(bytes).split('\n').slice(0, MAX_EVENTS);
  try {
    for (const [i, line] of lines.entries()) out.push(chain.next(line, `line ${i + 1}`));
  } catch {
    // out holds the events before the break
  }
  return out;
}

/** Checks the log as the pack verifier does (E160/E161), then that the capsule sealed its head at proof_artifact (E162/E163). */
function check(eventBytes: Uint8Array, capsule: unknown, label: string): Loaded {
  const c = (capsule && typeof capsule === 'object' ? capsule : {}) as { capsule_hash?: unknown; benchmark?: { events_chain_head?: unknown } };
  const base = { label, bytes: eventBytes.length, capsuleHash: hex64(c.capsule_hash), sealedHead: hex64(c.benchmark?.events_chain_head) };
  let events: ReadEvent[];
  try {
    events = readEventLog(eventBytes);
  } catch (e) {
    if (!(e instanceof EventLogError)) throw e;
    return { ...base, events: salvage(eventBytes), result: { ok: false, code: e.code, message: e.message } };
  }
  const fail = (code: string, message: string): Loaded => ({ ...base, events, result: { ok: false, code, message } });
  if (!base.sealedHead) return fail('E140_BENCHMARK_BLOCK_MISSING', 'the capsule has no benchmark.events_chain_head: it does not seal an event log');
  const at = events.filter((e) => e.event.type === 'proof_artifact');
  if (at.length !== 1) return fail('E163_EVENT_MISMATCH', `the log has ${at.length} proof_artifact events, not one`);
  if (at[0]!.hash !== base.sealedHead) return fail('E162_EVENTS_HEAD_MISMATCH', `the chain head at proof_artifact (seq ${at[0]!.event.seq}) is ${at[0]!.hash}; the capsule sealed ${base.sealedHead}`);
  return { ...base, events, result: { ok: true, message: `chain intact, head matches the capsule: ${events.length} events, head ${base.sealedHead} at proof_artifact (seq ${at[0]!.event.seq})` } };
}

async function fromRun(id: string): Promise<Loaded> {
  const rid = encodeURIComponent(id);
  const [events, run] = await Promise.all([getBytes(`/api/runs/${rid}/events`), getJson<{ capsule: unknown }>(`/api/runs/${rid}`)]);
  return check(events, run.capsule, `run ${id}`);
}

class LoadError extends Error {}

async function fromFile(file: File): Promise<Loaded> {
  const [{ readPackArchive }, { PACK_LIMITS }, { CAPSULE_FILE }] = await Promise.all([
    import('../../../src/capsulebench/pack-archive.js'), import('../../../src/capsulebench/pack.js'), import('../../../src/capsule/seal.js'),
  ]);
  if (file.size > PACK_LIMITS.maxCompressedBytes) throw new LoadError(`${file.name} is ${fmtBytes(file.size)}, more than a pack may be (${fmtBytes(PACK_LIMITS.maxCompressedBytes)})`);
  try {
    const files = await readPackArchive(new Uint8Array(await file.arrayBuffer()));
    const events = await files.read(EVENTS_PATH, MAX_EVENTS_BYTES);
    if (!events) throw new LoadError(`${file.name} holds no ${EVENTS_PATH}`);
    const capsuleBytes = await files.read(CAPSULE_FILE, MAX_CAPSULE_BYTES);
    let capsule: unknown = null;
    try {
      capsule = capsuleBytes ? JSON.parse(new TextDecoder().decode(capsuleBytes)) : null;
    } catch {
      // check() reports a capsule it cannot read as one that seals no log
    }
    return check(events, capsule, file.name);
  } catch (e) {
    // PackArchiveError and the reads' own errors: a code and a message
    const code = (e as { code?: unknown } | null)?.code;
    if (e instanceof Error && !(e instanceof LoadError)) throw new LoadError(`${file.name} is not a readable capsulepack: ${typeof code === 'string' ? `${code}: ` : ''}${e.message}`);
    throw e;
  }
}

export default function page({ root, query, setQuery }: PageContext): () => void {
  const runInput = h('input', { type: 'text', id: 'replay-run', name: 'run', value: query.get('run') ?? '', placeholder: 'run_2026_…', spellcheck: 'false', autocomplete: 'off' });
  const fileInput = h('input', { type: 'file', id: 'replay-file', accept: '.tgz,.gz,application/gzip' });
  const out = h('div', { 'aria-live': 'polite' });
  let stop = (): void => {};

  const form = h('form', { class: 'controls' },
    h('label', { for: 'replay-run' }, 'A verified run', runInput),
    h('button', { type: 'submit' }, 'Load'),
    h('span', { class: 'muted or' }, 'or'),
    h('label', { for: 'replay-file' }, 'A local capsulepack.tgz', fileInput));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = runInput.value.trim();
    if (!id) return;
    fileInput.value = '';
    setQuery(new URLSearchParams({ run: id }), true);
    void load(() => fromRun(id), true);
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    runInput.value = '';
    setQuery(new URLSearchParams(), true);
    void load(() => fromFile(file), false);
  });

  root.append(
    h('h1', {}, 'Replay'),
    h('p', {}, 'Step through a run as its events tell it. The hash chain is checked line by line, and its head at the proof compared with the one the capsule sealed.'),
    form, out);

  let generation = 0;
  const load = async (get: () => Promise<Loaded>, inUrl: boolean) => {
    const mine = ++generation;
    stop();
    replace(out, h('p', { class: 'muted' }, 'Loading…'));
    let loaded: Loaded;
    try {
      loaded = await get();
    } catch (e) {
      if (mine !== generation) return;
      const msg = e instanceof ApiError && e.status === 404 ? `There is no verified run ${runInput.value.trim()}.`
        : e instanceof LoadError || e instanceof ApiError ? e.message : `It could not be read: ${e instanceof Error ? e.message : String(e)}`;
      replace(out, notice('error', msg));
      return;
    }
    if (mine !== generation) return;
    stop = show(loaded, inUrl);
  };

  /** Draws a loaded log (at the URL's ?at= for a run); returns what stops its playback. */
  const show = (d: Loaded, inUrl: boolean): (() => void) => {
    const r = d.result;
    const chainResult = h('div', { id: 'chain-result', role: r.ok ? 'status' : 'alert', class: `notice ${r.ok ? 'ok' : 'error'}` },
      r.ok ? r.message : `${r.code}: ${r.message}`);
    const summary = facts([
      ['Source', d.label], ['Events', `${d.events.length.toLocaleString('en-US')}${r.ok ? '' : ' before the break'} (${fmtBytes(d.bytes)})`],
      ['Capsule', hashEl(d.capsuleHash, 'capsule hash')], ['Sealed chain head', hashEl(d.sealedHead, 'sealed chain head')],
    ]);
    if (!d.events.length) {
      replace(out, chainResult, summary);
      return () => {};
    }

    const n = d.events.length;
    const scrub = h('input', { type: 'range', id: 'scrub', min: 1, max: n, step: 1, value: 1 });
    const scrubLabel = h('label', { for: 'scrub', class: 'scrub-label' });
    const prev = h('button', { type: 'button', class: 'secondary', 'aria-label': 'Previous event' }, '◀ Previous');
    const next = h('button', { type: 'button', class: 'secondary', 'aria-label': 'Next event' }, 'Next ▶');
    const play = h('button', { type: 'button', id: 'replay-play' }, 'Play');
    const jump = h('select', { id: 'replay-jump' }, h('option', { value: '' }, 'a milestone…'),
      d.events.filter((e) => MILESTONES.includes(e.event.type)).map((e) => h('option', { value: String(e.event.seq) }, `#${e.event.seq} ${e.event.type}`)));
    const eventFacts = h('div', {});
    const json = h('pre', { tabindex: 0, 'aria-label': 'The event as JSON' });
    const t0 = d.events[0]!.event.ts_ms;
    const head = d.sealedHead;

    let view = new RunView(), applied = 0;
    const viewBox = h('div', {}, view.el);
    const goTo = (pos: number) => {
      pos = Math.min(Math.max(1, Math.round(pos) || 1), n);
      if (pos < applied) {
        view = new RunView();
        applied = 0;
        replace(viewBox, view.el);
      }
      while (applied < pos) view.apply(d.events[applied++]!.event);
      view.render();
      const { event: e, hash } = d.events[pos - 1]!;
      scrub.value = String(pos);
      scrubLabel.textContent = `Event ${pos} of ${n}: ${e.type}`;
      scrub.setAttribute('aria-valuetext', `event ${pos} of ${n}, ${e.type}`);
      prev.disabled = pos <= 1;
      next.disabled = pos >= n;
      let what = '';
      try {
        what = eventSummary(e);
      } catch {
        // the JSON below shows it
      }
      replace(eventFacts, facts([
        ['Event', `#${e.seq} ${e.type} at +${((e.ts_ms - t0) / 1000).toFixed(3)} s`], ['Says', what || '—'],
        ['Line hash', [hashEl(hash, 'line hash'), hash === head && e.type === 'proof_artifact' ? h('span', { class: 'badge ok' }, 'the head the capsule sealed') : null]],
        ['Previous hash', hashEl(e.prev_event_hash, 'previous event hash')],
      ]));
      json.textContent = JSON.stringify(e, null, 2);
      if (inUrl) {
        const q = new URLSearchParams(location.search);
        q.set('at', String(pos));
        setQuery(q);
      }
    };

    let timer: ReturnType<typeof setInterval> | undefined;
    const pause = () => {
      clearInterval(timer);
      timer = undefined;
      play.textContent = 'Play';
    };
    play.addEventListener('click', () => {
      if (timer) return pause();
      if (Number(scrub.value) >= n) goTo(1);
      play.textContent = 'Pause';
      // About ten seconds for the whole log, whatever its length.
      const step = Math.max(1, Math.ceil(n / 200));
      timer = setInterval(() => {
        const pos = Number(scrub.value) + step;
        goTo(pos);
        if (pos >= n) pause();
      }, 50);
    });
    scrub.addEventListener('input', () => goTo(Number(scrub.value)));
    prev.addEventListener('click', () => goTo(Number(scrub.value) - 1));
    next.addEventListener('click', () => goTo(Number(scrub.value) + 1));
    jump.addEventListener('change', () => {
      if (jump.value) goTo(Number(jump.value));
      jump.value = '';
    });

    replace(out, chainResult, summary,
      section('Timeline',
        h('div', { class: 'scrubber' }, scrubLabel, scrub),
        h('div', { class: 'controls' }, prev, next, play, h('label', { for: 'replay-jump' }, 'Jump to', jump)),
        eventFacts),
      viewBox,
      section('The event as JSON', json));
    goTo(inUrl ? Number(new URLSearchParams(location.search).get('at')) : 1);
    return pause;
  };

  if (query.get('run')) {
    const id = query.get('run')!.trim();
    void load(() => fromRun(id), true);
  } else out.append(h('p', { class: 'muted' }, 'Open a run from the leaderboard (its receipt links here), type its id, or choose a pack file.'));

  return () => {
    generation++;
    stop();
  };
}
