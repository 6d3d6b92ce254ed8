// Compare (/compare?a=RUN&b=RUN): two verified runs side by side — every metric with B ÷ A from
// GET /api/compare, then the machines, systems and toolchains and the per-stage times from each receipt.
import type { PageContext } from '../main.js';
import { ApiError, getJson } from '../api.js';
import { append, fmtBytes, fmtCount, fmtDate, fmtUs, h, hashEl, notice, pow2, replace, section } from '../dom.js';

type BoardRow = Record<string, string | number | null> & { cost: { hardware_class: string; usd_per_hour: number; usd_per_proof: number } | null };

interface Compared {
  a: BoardRow;
  b: BoardRow;
  ratio_b_over_a: Record<string, number | null>;
}

interface Receipt {
  manifests: Record<string, unknown>;
  measurements: Record<string, unknown>;
}

// The server's RunIdSchema: a malformed id is answered by the form, not by a request.
const RUN_ID = /^run_[0-9]{4}_[0-9]{2}_[0-9]{2}T[0-9]{2}_[0-9]{2}_[0-9]{2}Z_[0-9a-f]{8}$/;

interface Metric {
  key: string;
  label: string;
  fmt(v: number): string;
  /** Which way is better: smaller times and sizes, larger throughput. */
  better: 'lower' | 'higher';
  /** What the better side is: "B faster". */
  word: string;
}

const METRICS: Metric[] = [
  { key: 'prove_median_us', label: 'Median prove time', fmt: fmtUs, better: 'lower', word: 'faster' },
  { key: 'prove_min_us', label: 'Fastest prove', fmt: fmtUs, better: 'lower', word: 'faster' },
  { key: 'prove_max_us', label: 'Slowest prove', fmt: fmtUs, better: 'lower', word: 'faster' },
  { key: 'prove_stddev_us', label: 'Prove time σ', fmt: fmtUs, better: 'lower', word: 'steadier' },
  { key: 'throughput_cells_per_s', label: 'Throughput', fmt: (v) => `${fmtCount(v)} cells/s`, better: 'higher', word: 'higher' },
  { key: 'proof_bytes', label: 'Proof size', fmt: fmtBytes, better: 'lower', word: 'smaller' },
  { key: 'verify_median_us', label: 'Median verify time', fmt: fmtUs, better: 'lower', word: 'faster' },
  { key: 'peak_rss_bytes', label: 'Peak memory (RSS)', fmt: fmtBytes, better: 'lower', word: 'smaller' },
];

const fmtRatio = (r: number | null | undefined): string => (r === null || r === undefined || !Number.isFinite(r) ? '—' : `${r.toPrecision(3)}×`);

/** Which side is better by a metric, within 0.5 % called even. */
function verdict(m: Metric, a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b || Math.abs(b - a) / Math.max(Math.abs(a), Math.abs(b)) < 0.005) return 'even';
  return (b < a) === (m.better === 'lower') ? 'B' : 'A';
}

/** A field of a manifest as text, or null where the run does not say. */
function at(obj: unknown, path: string[]): string | null {
  let v: unknown = obj;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined || v === null || v === '') return null;
  // An object (the proof options) as "blowup 8, queries 28, …".
  return typeof v === 'object' ? Object.entries(v).map(([k, x]) => `${k.replace(/_/g, ' ')} ${String(x)}`).join(', ') : String(v);
}

const SETUP: [string, string, ((v: string) => Node | string)?][] = [
  ['CPU', 'hardware.cpu.model'],
  ['CPU threads', 'hardware.cpu.logical_cores'],
  ['Architecture', 'hardware.cpu.arch'],
  ['Memory', 'hardware.memory.total_bytes', (v) => fmtBytes(Number(v))],
  ['GPU', 'hardware.gpu.vendor'],
  ['GPU architecture', 'hardware.gpu.architecture'],
  ['GPU description', 'hardware.gpu.description'],
  ['Backend', 'knobs.backend_description'],
  ['Prover threads', 'knobs.cpu_threads'],
  ['Proof options', 'knobs.proof_options'],
  ['Measured runs', 'knobs.measured_runs'],
  ['Operating system', 'os.distribution.pretty_name'],
  ['Kernel', 'os.kernel.release'],
  ['libc', 'os.libc.version'],
  ['Runtime', 'toolchain.runtime.version'],
  ['JS engine', 'toolchain.runtime.engine'],
  ['capseal', 'toolchain.capseal.version'],
  ['capseal commit', 'toolchain.capseal.git_commit', (v) => hashEl(v, 'commit')],
  ['Build hash', 'toolchain.build.build_hash', (v) => hashEl(v, 'build hash')],
];

/** Per stage, the median of its time over the measured runs, in the order the prover ran them. */
function stageMedians(measurements: Record<string, unknown>): Map<string, { us: number; backend: string }> {
  const times = new Map<string, { us: number[]; backend: string }>();
  const runs = Array.isArray(measurements['runs']) ? (measurements['runs'] as { stages?: { stage: string; us: number; backend: string }[] }[]) : [];
  for (const run of runs)
    for (const s of run.stages ?? []) {
      const t = times.get(s.stage) ?? { us: [], backend: s.backend };
      t.us.push(s.us);
      times.set(s.stage, t);
    }
  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y), m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  return new Map([...times].map(([k, t]) => [k, { us: median(t.us), backend: t.backend }]));
}

export default function page(ctx: PageContext): () => void {
  const { root } = ctx;
  const abort = new AbortController();
  const a = ctx.query.get('a')?.trim() ?? '';
  const b = ctx.query.get('b')?.trim() ?? '';

  const input = (name: string, label: string, value: string) =>
    h('label', { for: `compare-${name}` }, label, h('input', { type: 'text', id: `compare-${name}`, name, value, required: true, pattern: RUN_ID.source, spellcheck: 'false', autocomplete: 'off', placeholder: 'run_2026_01_31T12_00_00Z_0123abcd', class: 'run-id' }));
  const form = h('form', {
    class: 'filters', 'aria-label': 'Pick two runs',
    onsubmit: (e: Event) => {
      e.preventDefault();
      const f = new FormData(e.target as HTMLFormElement);
      ctx.navigate(`/compare?${new URLSearchParams({ a: String(f.get('a')).trim(), b: String(f.get('b')).trim() })}`);
    },
  }, input('a', 'Run A', a), input('b', 'Run B', b), h('button', { type: 'submit' }, 'Compare'));

  replace(root, h('h1', {}, 'Compare two runs'));
  const bad = [['a', a], ['b', b]].filter(([, v]) => v && !RUN_ID.test(v!));
  if (!a || !b || bad.length) {
    append(
      root,
      bad.length ? notice('error', bad.map(([k, v]) => `Run ${k!.toUpperCase()}: “${v}” is not a run id. `), 'A run id looks like run_2026_01_31T12_00_00Z_0123abcd.') : null,
      h('p', {}, 'Enter two run ids, or tick two rows on the ', h('a', { href: '/' }, 'leaderboard'), ' and choose “Compare selected”.'),
      form,
    );
  } else void show(ctx, a, b, form, abort.signal);
  return () => abort.abort();
}

/** Fetches both runs and shows them; nothing is written once the page is left (the signal aborted). */
async function show({ root }: PageContext, a: string, b: string, form: HTMLFormElement, signal: AbortSignal): Promise<void> {
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading both runs…');
  root.append(status);
  const q = new URLSearchParams({ a, b });
  let cmp: Compared, ra: Receipt, rb: Receipt;
  try {
    [cmp, ra, rb] = await Promise.all([
      getJson<Compared>(`/api/compare?${q}`, { signal }),
      getJson<Receipt>(`/api/runs/${encodeURIComponent(a)}`, { signal }),
      getJson<Receipt>(`/api/runs/${encodeURIComponent(b)}`, { signal }),
    ]);
  } catch (e) {
    if (signal.aborted) return;
    status.remove();
    root.append(
      notice('error', e instanceof ApiError ? `${e.status === 404 ? 'Not on the board' : 'Could not compare'}: ${e.message} (${e.code}).` : String(e)),
      h('p', {}, 'Only verified runs can be compared. Pick others:'),
      form,
    );
    return;
  }
  if (signal.aborted) return;
  status.remove();

  const A = cmp.a, B = cmp.b;
  const runLink = (id: string) => h('a', { href: `/runs/${encodeURIComponent(id)}` }, id);
  const sideHead = (side: 'A' | 'B', row: BoardRow) =>
    h('th', { scope: 'col' }, side, h('div', { class: 'small' }, runLink(String(row['run_id']))), h('div', { class: 'small muted' }, String(row['hardware_summary'])));

  const proveA = Number(A['prove_median_us']), proveB = Number(B['prove_median_us']);
  const faster = verdict(METRICS[0]!, proveA, proveB);
  const headline = faster === 'even'
    ? `A and B prove in the same median time (${fmtUs(proveA)}).`
    : `${faster} proves ${fmtRatio(faster === 'B' ? proveA / proveB : proveB / proveA)} faster: median ${fmtUs(faster === 'B' ? proveB : proveA)} against ${fmtUs(faster === 'B' ? proveA : proveB)}.`;
  const same = (k: string) => A[k] === B[k];
  const unlike = Object.entries({ workload_id: 'workload', log2_rows: 'size', track_id: 'track' }).filter(([k]) => !same(k)).map(([, name]) => name);

  const label = (k: string, v: string | number | null) => (k === 'log2_rows' && typeof v === 'number' ? pow2(v) : k === 'accepted_at' ? fmtDate(v) : v === null ? '—' : String(v));
  // When each run was accepted is told, never flagged: two runs always differ there.
  const statementRows = ([['Workload', 'workload_id'], ['Size (rows)', 'log2_rows'], ['Track', 'track_id'], ['Tier', 'tier'], ['Measured runs', 'runs'], ['Accepted', 'accepted_at']] as const).map(([name, k]) => {
    const flag = k !== 'accepted_at';
    return h('tr', { class: flag && !same(k) ? 'differs' : false }, h('th', { scope: 'row' }, name), h('td', {}, label(k, A[k] ?? null)), h('td', {}, label(k, B[k] ?? null)),
      h('td', { colspan: 2 }, !flag ? null : same(k) ? h('span', { class: 'muted' }, 'same') : h('span', { class: 'badge warn' }, 'differs')));
  });
  // Peak memory read two ways (a process's RSS, a browser's WebAssembly memory) is not one quantity.
  const rssMethods = [at(ra.measurements, ['procedure', 'rss_method']), at(rb.measurements, ['procedure', 'rss_method'])];
  const unlikeMemory = (key: string) => key === 'peak_rss_bytes' && rssMethods[0] !== rssMethods[1];
  const metricRows = METRICS.map((m) => {
    const x = Number(A[m.key]), y = Number(B[m.key]);
    const who = verdict(m, x, y);
    return h('tr', { 'data-metric': m.key },
      h('th', { scope: 'row' }, m.label),
      h('td', { class: 'tnum' }, m.fmt(x)), h('td', { class: 'tnum' }, m.fmt(y)),
      h('td', { class: 'num' }, unlikeMemory(m.key) ? '—' : fmtRatio(cmp.ratio_b_over_a[m.key])),
      h('td', {}, unlikeMemory(m.key) ? h('span', { class: 'muted', title: `measured as ${rssMethods.join(' and ')}` }, 'not comparable') : who === 'even' ? h('span', { class: 'muted' }, 'even') : h('span', { class: 'badge ok' }, `${who} ${m.word}`)));
  });
  const costRow = A.cost || B.cost
    ? h('tr', {}, h('th', { scope: 'row' }, 'Cost per proof'),
      h('td', { class: 'tnum' }, A.cost ? `$${A.cost.usd_per_proof.toPrecision(3)}` : '—'), h('td', { class: 'tnum' }, B.cost ? `$${B.cost.usd_per_proof.toPrecision(3)}` : '—'),
      h('td', { class: 'num' }, A.cost && B.cost ? fmtRatio(B.cost.usd_per_proof / A.cost.usd_per_proof) : '—'), h('td', {}))
    : null;

  const metricsTable = h('table', { id: 'compare' },
    h('caption', { class: 'sr-only' }, 'Run A and run B: every metric, B ÷ A, and which is better'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), sideHead('A', A), sideHead('B', B), h('th', { scope: 'col', class: 'num' }, 'B ÷ A'), h('th', { scope: 'col' }, 'Better'))),
    h('tbody', {}, statementRows, metricRows, costRow));

  const setupRows = SETUP.map(([name, path, fmt]) => {
    const x = at(ra.manifests, path.split('.')), y = at(rb.manifests, path.split('.'));
    const show = (v: string | null) => (v === null ? h('span', { class: 'muted' }, '—') : fmt ? fmt(v) : v);
    return h('tr', { class: x === y ? false : 'differs' }, h('th', { scope: 'row' }, name), h('td', {}, show(x)), h('td', {}, show(y)), h('td', {}, x === y ? h('span', { class: 'muted' }, 'same') : h('span', { class: 'badge warn' }, 'differs')));
  });
  const depsOf = (r: Receipt): Record<string, unknown> => {
    const d = (r.manifests['toolchain'] as { dependencies?: unknown } | undefined)?.dependencies;
    return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  };
  const deps = [...new Set([...Object.keys(depsOf(ra)), ...Object.keys(depsOf(rb))])].sort();
  const depDiffs = deps.map((d) => [d, at(depsOf(ra), [d]), at(depsOf(rb), [d])] as const).filter(([, x, y]) => x !== y);
  const depRow = h('tr', { class: depDiffs.length ? 'differs' : false }, h('th', { scope: 'row' }, 'Dependencies'),
    h('td', { colspan: 2 }, depDiffs.length ? depDiffs.map(([d, x, y]) => h('div', {}, `${d}: ${x ?? '—'} → ${y ?? '—'}`)) : `${deps.length} packages, the same versions`),
    h('td', {}, depDiffs.length ? h('span', { class: 'badge warn' }, 'differs') : h('span', { class: 'muted' }, 'same')));

  const sa = stageMedians(ra.measurements), sb = stageMedians(rb.measurements);
  const stages = [...new Set([...sa.keys(), ...sb.keys()])];
  const stageRows = stages.map((s) => {
    const x = sa.get(s), y = sb.get(s);
    const backend = (v?: { backend: string }) => (v && x?.backend !== y?.backend ? ` (${v.backend})` : '');
    return h('tr', {}, h('th', { scope: 'row' }, s),
      h('td', { class: 'num' }, x ? fmtUs(x.us) + backend(x) : '—'), h('td', { class: 'num' }, y ? fmtUs(y.us) + backend(y) : '—'),
      h('td', { class: 'num' }, x && y && x.us > 0 ? fmtRatio(y.us / x.us) : '—'));
  });

  append(
    root,
    notice(faster === 'even' ? 'info' : 'ok', headline),
    unlike.length ? notice('warn', `These runs differ in ${unlike.join(' and ')}: they prove different statements, so the ratios compare unlike work.`) : null,
    h('p', { class: 'exports' }, h('span', { class: 'muted' }, 'Export:'),
      h('a', { class: 'button secondary', href: `/api/compare?${q}` }, 'JSON'),
      h('a', { class: 'button secondary', href: `/api/compare?${q}&format=csv`, download: 'compare.csv' }, 'CSV')),
    h('div', { class: 'table-wrap' }, metricsTable),
    section('Machines, systems and toolchains',
      h('div', { class: 'table-wrap' }, h('table', { id: 'compare-setup' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'A'), h('th', { scope: 'col' }, 'B'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Same or different')))),
        h('tbody', {}, setupRows, depRow)))),
    stages.length
      ? section('Prove stages',
        h('p', { class: 'muted' }, 'Median time of each stage over the measured runs.'),
        h('div', { class: 'table-wrap' }, h('table', { id: 'compare-stages' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Stage'), h('th', { scope: 'col', class: 'num' }, 'A'), h('th', { scope: 'col', class: 'num' }, 'B'), h('th', { scope: 'col', class: 'num' }, 'B ÷ A'))),
          h('tbody', {}, stageRows))))
      : null,
    section('Compare other runs', form),
  );
}
