// The leaderboard (/): verified runs from GET /api/leaderboard, filtered and sorted through the URL,
// with a prove-time scaling chart, JSON/CSV exports and a pick-two-to-compare affordance.
import type { PageContext } from '../main.js';
import { ApiError, getJson } from '../api.js';
import { scalingChart, type ScalingChart } from '../chart.js';
import { fmtBytes, fmtCount, fmtDate, fmtUs, h, notice, pow2, replace } from '../dom.js';

interface Row {
  rank: number;
  run_id: string;
  workload_id: string;
  log2_rows: number;
  track_id: string;
  tier: string;
  runs: number;
  prove_median_us: number;
  prove_min_us: number;
  prove_max_us: number;
  prove_stddev_us: number;
  throughput_cells_per_s: number;
  trace_cells: number;
  proof_bytes: number;
  verify_median_us: number;
  hardware_summary: string;
  accepted_at: string;
  cost: { hardware_class: string; usd_per_hour: number; usd_per_proof: number } | null;
}

interface Board {
  prices: { version: string; sha256: string } | null;
  truncated: boolean;
  rows: Row[];
}

const FILTERS = ['workload', 'size', 'track', 'tier'] as const;
type Filter = (typeof FILTERS)[number];

interface Column {
  key: string;
  label: string;
  num?: boolean;
  /** Long text that may wrap (the table keeps every other cell on one line). */
  wrap?: boolean;
  /** Direction of the first click: descending where bigger is better or newer. */
  firstDir?: 'asc' | 'desc';
  value(r: Row): string | number | null;
  cell(r: Row): (Node | string)[];
}

const fmtUsd = (v: number): string => `$${v >= 0.01 ? v.toFixed(2) : v.toPrecision(2)}`;

const COLUMNS: Column[] = [
  { key: 'rank', label: 'Rank', num: true, value: (r) => r.rank, cell: (r) => [`#${r.rank}`] },
  {
    key: 'run', label: 'Run', value: (r) => r.run_id,
    cell: (r) => [h('a', { href: `/runs/${encodeURIComponent(r.run_id)}`, class: 'mono', title: r.run_id, 'aria-label': `receipt of ${r.run_id}` }, r.run_id.slice(-8))],
  },
  { key: 'workload', label: 'Workload', value: (r) => r.workload_id, cell: (r) => [r.workload_id] },
  { key: 'size', label: 'Size', num: true, value: (r) => r.log2_rows, cell: (r) => [h('span', { title: `${r.trace_cells.toLocaleString('en')} trace cells` }, pow2(r.log2_rows))] },
  { key: 'track', label: 'Track', value: (r) => r.track_id, cell: (r) => [r.track_id] },
  { key: 'tier', label: 'Tier', value: (r) => r.tier, cell: (r) => [h('span', { class: `badge ${r.tier === 'certified' ? 'ok' : 'info'}` }, r.tier)] },
  {
    key: 'prove', label: 'Median prove', num: true, value: (r) => r.prove_median_us,
    cell: (r) => [
      `${fmtUs(r.prove_median_us)} ± ${fmtUs(r.prove_stddev_us)}`,
      h('div', { class: 'muted small' }, `${fmtUs(r.prove_min_us)} – ${fmtUs(r.prove_max_us)}, ${r.runs} runs`),
    ],
  },
  { key: 'throughput', label: 'Throughput', num: true, firstDir: 'desc', value: (r) => r.throughput_cells_per_s, cell: (r) => [`${fmtCount(r.throughput_cells_per_s)} cells/s`] },
  { key: 'proof', label: 'Proof', num: true, value: (r) => r.proof_bytes, cell: (r) => [fmtBytes(r.proof_bytes)] },
  { key: 'verify', label: 'Verify', num: true, value: (r) => r.verify_median_us, cell: (r) => [fmtUs(r.verify_median_us)] },
  { key: 'hardware', label: 'Hardware', wrap: true, value: (r) => r.hardware_summary, cell: (r) => [r.hardware_summary] },
  {
    key: 'cost', label: 'Cost per proof', num: true, value: (r) => r.cost?.usd_per_proof ?? null,
    cell: (r) => (r.cost ? [h('span', { title: `${r.cost.hardware_class} at $${r.cost.usd_per_hour}/h` }, fmtUsd(r.cost.usd_per_proof))] : [h('span', { class: 'muted' }, '—')]),
  },
  { key: 'accepted', label: 'Accepted', firstDir: 'desc', value: (r) => r.accepted_at, cell: (r) => [h('time', { datetime: r.accepted_at, title: fmtDate(r.accepted_at) }, fmtDate(r.accepted_at).slice(0, 10))] },
];

const boardUrl = (q: URLSearchParams, format?: 'csv'): string => {
  const p = new URLSearchParams([...q].filter(([k, v]) => v !== '' && (FILTERS as readonly string[]).includes(k)));
  if (format) p.set('format', format);
  const s = p.toString();
  return `/api/leaderboard${s ? `?${s}` : ''}`;
};

/** Rows in the board's own order (by workload, size, track, rank) unless a column is chosen; ties keep that order. */
function sorted(rows: Row[], col: Column | undefined, dir: 'asc' | 'desc'): Row[] {
  if (!col) return rows;
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i, v: col.value(r) }))
    .sort((a, b) => {
      // Unknown values (no price) go last whichever way the column is sorted.
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((x) => x.r);
}

export default function page(ctx: PageContext): () => void {
  const { root } = ctx;
  const query = new URLSearchParams(ctx.query);
  if (query.get('tier') === 'community') query.delete('tier'); // the API's "community" is every verified run: the default
  const abort = new AbortController();
  const picked: string[] = [];
  let chart: ScalingChart | undefined;
  let generation = 0;
  let all: Board | undefined;
  let shown: Board | undefined;

  const selects = Object.fromEntries(FILTERS.map((f) => [f, h('select', { name: f, id: `filter-${f}` })])) as Record<Filter, HTMLSelectElement>;
  const filterLabels: Record<Filter, string> = { workload: 'Workload', size: 'Size (rows)', track: 'Track', tier: 'Tier' };
  const jsonLink = h('a', { class: 'button secondary', type: 'application/json' }, 'JSON');
  const csvLink = h('a', { class: 'button secondary', download: 'leaderboard.csv', type: 'text/csv' }, 'CSV');
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter the leaderboard', onsubmit: (e: Event) => e.preventDefault() },
    FILTERS.map((f) => h('label', { for: `filter-${f}` }, filterLabels[f], selects[f])),
    h('span', { class: 'exports' }, h('span', { class: 'muted' }, 'Export these rows:'), jsonLink, csvLink),
  );
  const status = h('p', { class: 'muted', role: 'status' });
  const compareBar = h('div', { class: 'compare-bar' });
  const results = h('div', {});
  const chartBox = h('div', {});
  replace(
    root,
    h('h1', {}, 'Leaderboard'),
    h('p', {}, 'Runs this server verified from their capsulepacks, ranked by median prove time within each workload, size and track.'),
    form, status, compareBar, results, chartBox,
  );

  const option = (value: string, label: string, current: string) => h('option', { value, selected: value === current }, label);

  function fillSelects(): void {
    const rows = all?.rows ?? [];
    const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
    const choices: Record<Filter, [string, string][]> = {
      workload: uniq(rows.map((r) => r.workload_id)).sort().map((w) => [w, w]),
      size: uniq(rows.map((r) => r.log2_rows)).sort((a, b) => a - b).map((n) => [String(n), `${pow2(n)} (${(2 ** n).toLocaleString('en')})`]),
      track: uniq(rows.map((r) => r.track_id)).sort().map((t) => [t, t]),
      tier: [['certified', 'certified only']],
    };
    for (const f of FILTERS) {
      const current = query.get(f) ?? '';
      const list = choices[f];
      // A linked value no run has (yet) stays selectable, so the page shows what the URL asks for.
      if (current && !list.some(([v]) => v === current)) list.push([current, current]);
      replace(selects[f], option('', f === 'tier' ? 'every verified run' : 'all', current), list.map(([v, l]) => option(v, l, current)));
    }
  }

  function renderCompareBar(): void {
    const [a, b] = picked;
    replace(
      compareBar,
      a && b
        ? h('a', { class: 'button', href: `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` }, 'Compare selected')
        : h('button', { type: 'button', disabled: true }, 'Compare selected'),
      h('span', { class: 'muted' }, ` ${picked.length} of 2 runs picked${picked.length < 2 ? ': tick two rows' : ''}`),
    );
  }

  function renderTable(): void {
    if (!shown) return;
    const sortKey = query.get('sort') ?? '';
    const priced = shown.rows.some((r) => r.cost);
    const columns = COLUMNS.filter((c) => c.key !== 'cost' || priced);
    const col = columns.find((c) => c.key === sortKey);
    const dir = query.get('dir') === 'desc' ? 'desc' : 'asc';
    const rows = sorted(shown.rows, col, dir);

    const header = (c: Column) => {
      const active = c === col;
      const next = active ? (dir === 'asc' ? 'desc' : 'asc') : (c.firstDir ?? 'asc');
      return h(
        'th',
        { scope: 'col', class: c.num ? 'num' : false, 'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : false },
        h('button', {
          type: 'button', class: 'sort',
          onclick: () => {
            query.set('sort', c.key);
            query.set('dir', next);
            ctx.setQuery(query);
            renderTable();
            results.querySelector<HTMLButtonElement>(`th button[data-key="${c.key}"]`)?.focus();
          },
          'data-key': c.key,
        }, c.label, active ? h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, dir === 'asc' ? ' ▲' : ' ▼') : null),
      );
    };

    const pickBox = (r: Row) => {
      const on = picked.includes(r.run_id);
      return h('input', {
        type: 'checkbox', checked: on, disabled: !on && picked.length >= 2, 'aria-label': `pick ${r.run_id} to compare`,
        onchange: (e: Event) => {
          const box = e.target as HTMLInputElement;
          if (box.checked) picked.push(r.run_id);
          else picked.splice(picked.indexOf(r.run_id), 1);
          renderCompareBar();
          for (const other of results.querySelectorAll<HTMLInputElement>('tbody input[type="checkbox"]')) other.disabled = !other.checked && picked.length >= 2;
        },
      });
    };

    const table = h(
      'table',
      { id: 'board' },
      h('caption', { class: 'sr-only' }, `Verified runs${col ? `, sorted by ${col.label.toLowerCase()} ${dir === 'asc' ? 'ascending' : 'descending'}` : ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Pick'), columns.map(header))),
      h('tbody', {}, rows.map((r) => h('tr', { 'data-run-id': r.run_id }, h('td', {}, pickBox(r)), columns.map((c) => h('td', { class: c.num ? 'num' : c.wrap ? 'wrap' : false }, c.cell(r)))))),
    );
    replace(
      results,
      shown.truncated ? notice('warn', 'More runs match than the board lists (the first 1,000 are shown): narrow the filters.') : null,
      h('div', { class: 'table-wrap' }, table),
      shown.prices ? h('p', { class: 'muted small' }, `Costs from price table ${shown.prices.version} (SHA-256 ${shown.prices.sha256.slice(0, 16)}…): price per hour × median prove time.`) : null,
    );
  }

  /** The chart: the rows these filters select at every size (the size filter narrows the table only), best median per series and size. */
  async function renderChart(mine: number): Promise<void> {
    clearChart();
    const q = new URLSearchParams(query);
    q.delete('size');
    const board = query.has('size') ? await getJson<Board>(boardUrl(q), { signal: abort.signal }) : shown!;
    if (mine !== generation) return;
    const workloads = new Set(board.rows.map((r) => r.workload_id)).size;
    const series = new Map<string, { dashed: boolean; best: Map<number, number> }>();
    for (const r of board.rows) {
      const label = `${r.hardware_summary} · ${r.track_id}${workloads > 1 ? ` · ${r.workload_id}` : ''}`;
      const s = series.get(label) ?? { dashed: r.track_id !== 'baseline_no_accel', best: new Map<number, number>() };
      s.best.set(r.log2_rows, Math.min(s.best.get(r.log2_rows) ?? Infinity, r.prove_median_us));
      series.set(label, s);
    }
    if (!series.size) return;
    chart = scalingChart('Median prove time by trace size', 'median prove time', [...series].sort(([a], [b]) => a.localeCompare(b)).map(([label, s]) => ({ label, dashed: s.dashed, points: [...s.best] })));
    replace(
      chartBox,
      h('section', { 'aria-labelledby': 'chart-title' },
        h('h2', { id: 'chart-title' }, 'Prove time by size'),
        h('p', { class: 'muted' }, `Best median per size, log scale; one line per machine and track${workloads > 1 ? ' and workload (pick a workload to compare machines on one)' : ''}. Dashed: a track other than the no-acceleration baseline.`),
        chart.el),
    );
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    const url = boardUrl(query);
    jsonLink.href = url;
    csvLink.href = boardUrl(query, 'csv');
    replace(status, 'Loading…');
    try {
      all = await getJson<Board>('/api/leaderboard', { signal: abort.signal });
      if (mine !== generation) return;
      fillSelects();
      shown = url === '/api/leaderboard' ? all : await getJson<Board>(url, { signal: abort.signal });
      if (mine !== generation) return;
      picked.splice(0, picked.length, ...picked.filter((id) => shown!.rows.some((r) => r.run_id === id)));
      renderCompareBar();
      form.hidden = !all.rows.length;
      if (!all.rows.length) {
        replace(status);
        compareBar.hidden = true;
        replace(results, emptyBoard());
        clearChart();
        return;
      }
      compareBar.hidden = !shown.rows.length;
      const n = shown.rows.length;
      replace(status, n ? `${n.toLocaleString('en')} verified run${n === 1 ? '' : 's'}${url === '/api/leaderboard' ? '' : ' match these filters'}.` : '');
      if (!n) {
        replace(results, notice('info', 'No verified run matches these filters. ', h('a', { href: '/' }, 'Show every run')));
        clearChart();
        return;
      }
      renderTable();
      await renderChart(mine);
    } catch (e) {
      if (abort.signal.aborted || mine !== generation) return;
      replace(status);
      compareBar.hidden = true;
      clearChart();
      replace(results, notice('error', `The leaderboard could not be loaded: ${e instanceof ApiError ? `${e.message} (${e.code})` : String(e)}. `, h('a', { href: '/' }, 'Show every run')));
    }
  }

  function clearChart(): void {
    chart?.destroy();
    chart = undefined;
    replace(chartBox);
  }

  function emptyBoard(): HTMLElement {
    const origin = location.origin;
    return h('section', { 'aria-labelledby': 'empty-title' },
      h('h2', { id: 'empty-title' }, 'Nothing verified is listed yet'),
      h('p', {}, 'A run appears here once this server has verified its capsulepack. Run a benchmark and submit its pack:'),
      h('pre', {}, h('code', {}, `capseal bench run --workload fib_v1 --size 12 --track baseline_no_accel --out run1\ncapseal bench submit --server ${origin} --wait run1/capsulepack.tgz`)),
      h('p', {}, 'Or ', h('a', { href: '/prove' }, 'prove in your browser'), ', or ', h('a', { href: '/submit' }, 'upload a pack'), ' you already have.'));
  }

  form.addEventListener('change', (e) => {
    const s = e.target as HTMLSelectElement;
    if (s.value) query.set(s.name, s.value);
    else query.delete(s.name);
    ctx.setQuery(query);
    void load();
  });

  void load();
  return () => {
    abort.abort();
    clearChart();
  };
}
