// A verified run's receipt (/runs/:id, from GET /api/runs/:id): what was proved, on what, how fast, and
// the server's verification check by check; the pack can be downloaded and verified again in this browser.
import type { Capsule } from '../../../src/capsule/capsule.js';
import type { PackReport } from '../../../src/capsulebench/contract.js';
import { MANIFESTS, type ManifestKind, type Manifests } from '../../../src/capsulebench/manifests.js';
import type { Measurements } from '../../../src/capsulebench/measurements.js';
import { ApiError, getBytes, getJson } from '../api.js';
import { facts, fmtBytes, fmtCount, fmtDate, fmtUs, h, hashEl, notice, replace, section } from '../dom.js';
import type { Cleanup, PageContext } from '../main.js';
import { stageBars, type Stage } from '../stages.js';
import { checkItem, checkList, type Verdict } from '../submission.js';

/** What this page reads of GET /api/runs/:id (src/server/api.ts). */
interface RunReceipt {
  run: {
    rank: number; run_id: string; workload_id: string; log2_rows: number; track_id: string; tier: string; runs: number;
    prove_median_us: number; prove_min_us: number; prove_max_us: number; prove_stddev_us: number; throughput_cells_per_s: number;
    trace_cells: number; proof_bytes: number; verify_median_us: number; peak_rss_bytes: number; hardware_summary: string;
    live_status: 'consistent' | 'incomplete' | 'inconsistent' | null; accepted_at: string;
    cost: { hardware_class: string; usd_per_hour: number; usd_per_proof: number } | null;
  };
  submission_id: string;
  capsule_hash: string;
  statement_hash: string;
  policy: { policy_id: string; policy_version: string; policy_hash: string };
  anchors: Record<string, string>;
  capsule: Capsule;
  manifests: Manifests;
  measurements: Measurements;
  verification: Verdict | null;
}


/** How a run read its peak memory (measurements' rss_method), in words. */
const RSS_METHOD: Record<string, string> = {
  linux_vmhwm_reset: 'per run (VmHWM)',
  sampled: 'sampled RSS',
  wasm_memory: 'in a browser: the prover\'s WebAssembly memory, a lower bound',
};

const LIVE_STATUS: Record<string, string> = {
  consistent: 'the events streamed live are the pack\'s, line for line',
  incomplete: 'the live stream was cut off before the end of the pack\'s events',
  inconsistent: 'the live stream differs from the pack\'s events',
};

function table(caption: string, head: string[], rows: (Node | string)[][], numeric: number[] = [], cls = 'tight'): HTMLElement {
  return h('div', { class: 'table-wrap' },
    h('table', { class: cls },
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((c, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { class: numeric.includes(i) ? 'num' : null }, c)))))));
}

function rawJson(label: string, value: unknown): HTMLElement {
  return h('details', { class: 'raw' }, h('summary', {}, label), h('pre', { tabindex: 0 }, JSON.stringify(value, null, 2)));
}

/** A section whose content cannot take the page down: a field it did not expect becomes a note in place. */
function safeSection(title: string, build: () => (Node | string | null)[]): HTMLElement {
  try {
    return section(title, ...build());
  } catch (e) {
    return section(title, notice('warn', `This part of the receipt could not be shown: ${e instanceof Error ? e.message : String(e)}`));
  }
}

/** "accepted (community): …" or "rejected E…: …"; the contract's messages already start with the verdict when accepted. */
function verdictText(status: string, tier: string | null, code: string | null | undefined, message: string): string {
  const head = `${status}${tier ? ` (${tier})` : ''}${code ? ` ${code}` : ''}`;
  return message.startsWith(status) ? message : message ? `${head}: ${message}` : head;
}

function stat(label: string, value: string, sub?: string): HTMLElement {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), sub ? h('div', { class: 'stat-sub muted' }, sub) : null);
}

function manifestSummary(kind: ManifestKind, m: Manifests): [string, Node | string][] {
  if (kind === 'hardware') {
    const hw = m.hardware, g = hw.gpu;
    return [
      ['CPU', `${hw.cpu.model} (${hw.cpu.arch})`], ['Cores', `${hw.cpu.logical_cores} logical, ${hw.cpu.available_parallelism} available`],
      ['Memory', fmtBytes(hw.memory.total_bytes)], ['GPU', g ? [g.vendor, g.architecture, g.device, g.description].filter(Boolean).join(' · ') || 'unnamed adapter' : 'none'],
    ];
  }
  if (kind === 'os') {
    const os = m.os;
    return [
      ['Platform', os.platform], ['Distribution', os.distribution?.pretty_name ?? '—'], ['Kernel', `${os.kernel.release} ${os.kernel.version}`],
      ['libc', os.libc ? `${os.libc.family} ${os.libc.version}` : '—'],
    ];
  }
  if (kind === 'toolchain') {
    const t = m.toolchain;
    return [
      ['Runtime', `${t.runtime.name} ${t.runtime.version} (${t.runtime.engine})`], ['CapSeal', `${t.capseal.version} from ${t.capseal.runner_repo}`],
      ['Git commit', h('code', { class: 'hash' }, t.capseal.git_commit)], ['Build hash', hashEl(t.build.build_hash, 'build hash')],
      ['Build files', `${t.build.files.length} files`],
      ['Dependencies', Object.entries(t.dependencies).map(([k, v]) => `${k} ${v}`).join(', ') || '—'],
    ];
  }
  const k = m.knobs, o = k.proof_options;
  const env = Object.entries(k.environment).filter(([, v]) => v !== null);
  return [
    ['Backend', `${k.backend_description} (track backend: ${k.backend})`], ['CPU threads', String(k.cpu_threads)],
    ['GPU', k.gpu ? `${k.gpu.adapter}, bindings up to ${fmtBytes(k.gpu.max_binding_bytes)}` : 'none'],
    ['Proof options', `blowup ${o.blowup}, ${o.queries} queries, ${o.grinding_bits} grinding bits, folding ${o.folding_factor}`],
    ['Chunk length', `${k.chunk_len} rows`],
    ['Runs', `${k.warmup_runs} warm-up, ${k.measured_runs} measured; verify ${k.verify_warmup_runs} untimed + ${k.verify_runs} timed`],
    ['Environment', env.length ? env.map(([n, v]) => `${n}=${v}`).join(' ') : 'nothing set'],
  ];
}

const MANIFEST_TITLES: Record<ManifestKind, string> = { hardware: 'Hardware', os: 'Operating system', toolchain: 'Toolchain', knobs: 'Knobs' };

export default async function page({ root, params }: PageContext): Promise<Cleanup> {
  const id = params['id'] ?? '';
  let r: RunReceipt;
  try {
    r = await getJson<RunReceipt>(`/api/runs/${encodeURIComponent(id)}`);
  } catch (e) {
    replace(root, h('h1', {}, 'Run receipt'),
      e instanceof ApiError && e.status === 404
        ? notice('error', `There is no verified run ${id}. `, 'If it is still running, ', h('a', { href: `/live/${encodeURIComponent(id)}` }, 'watch it live'), '; or go ', h('a', { href: '/' }, 'back to the leaderboard'), '.')
        : notice('error', `The receipt could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
    return;
  }
  const run = r.run, m = r.measurements, v = r.verification;
  /** Aborted when the page is left: a verification in the browser stops. */
  const left = new AbortController();
  const entry = Object.values(r.capsule.proofs ?? {})[0];
  const rid = encodeURIComponent(run.run_id);
  const board = new URLSearchParams({ workload: run.workload_id, size: String(run.log2_rows), track: run.track_id });

  root.append(
    h('h1', {}, 'Run receipt'),
    h('p', { class: 'receipt-title' },
      h('strong', {}, `${run.workload_id} at 2`, h('sup', {}, run.log2_rows), ' rows'), ' on ', h('strong', {}, run.track_id), ' · ',
      h('span', { class: `badge ${v?.status === 'accepted' ? 'ok' : 'bad'}` }, v?.status ?? 'verified'), ' ',
      h('span', { class: `badge ${run.tier === 'certified' ? 'info' : ''}`, title: 'tier' }, run.tier), ' ',
      h('a', { href: `/?${board}` }, `rank #${run.rank}`), ' in its class'),
    h('p', { class: 'muted' }, h('code', { class: 'hash' }, run.run_id), ` · accepted ${fmtDate(run.accepted_at)} · ${run.hardware_summary}`),
    h('div', { class: 'stats' },
      stat('Prove (median)', fmtUs(run.prove_median_us), `${fmtUs(run.prove_min_us)} … ${fmtUs(run.prove_max_us)}, σ ${fmtUs(run.prove_stddev_us)}, ${run.runs} runs`),
      stat('Verify (median)', fmtUs(run.verify_median_us), `${m.verify?.runs_us?.length ?? '?'} runs in a fresh worker`),
      stat('Peak memory', fmtBytes(run.peak_rss_bytes), RSS_METHOD[m.procedure?.rss_method ?? ''] ?? m.procedure?.rss_method ?? ''),
      stat('Proof size', fmtBytes(run.proof_bytes), `${run.proof_bytes.toLocaleString('en-US')} bytes`),
      stat('Security', entry ? `${entry.stats.security_bits} bits` : '—', entry ? `${entry.stats.options.queries} queries, blowup ${entry.stats.options.blowup}` : undefined),
      stat('Throughput (cells/s)', fmtCount(run.throughput_cells_per_s), `${fmtCount(run.trace_cells)} trace cells`),
      run.cost ? stat('Cost per proof', `$${run.cost.usd_per_proof.toPrecision(3)}`, `${run.cost.hardware_class} at $${run.cost.usd_per_hour}/h`) : null),
    h('nav', { class: 'actions', 'aria-label': 'This run' },
      h('a', { class: 'button', href: `/api/runs/${rid}/pack`, download: `${run.run_id}.capsulepack.tgz` }, 'Download the pack'),
      h('a', { class: 'button secondary', href: `/replay?run=${rid}` }, 'Replay its events'),
      h('a', { class: 'button secondary', href: `/compare?a=${rid}` }, 'Compare with another run'),
      run.live_status ? h('a', { class: 'button secondary', href: `/live/${rid}` }, 'Live stream') : null),
  );

  root.append(
    safeSection('Identity', () => [facts([
      ['Capsule hash', hashEl(r.capsule_hash, 'capsule hash')],
      ['Statement hash', hashEl(r.statement_hash, 'statement hash')],
      ['Trace spec hash', hashEl(r.capsule.trace_spec_hash, 'trace spec hash')],
      ['Policy', [h('span', {}, `${r.policy.policy_id} ${r.policy.policy_version} `), h('span', { class: `badge ${run.tier === 'certified' ? 'info' : ''}` }, run.tier), ' ', hashEl(r.policy.policy_hash, 'policy hash')]],
      ['Trace root', hashEl(r.capsule.row_index_ref?.commitment, 'trace root')],
      ['Events chain head', hashEl(r.capsule.benchmark?.events_chain_head, 'events chain head')],
      ['Public inputs', h('code', { class: 'hash' }, JSON.stringify(r.capsule.statement?.public_inputs ?? {}))],
      ['Result digest', hashEl(m.public_outputs?.result_digest_hex, 'result digest')],
      ['Live stream', run.live_status ? `${run.live_status}: ${LIVE_STATUS[run.live_status] ?? ''}` : 'not streamed live'],
      ['Submission', h('a', { href: `/api/submissions/${encodeURIComponent(r.submission_id)}` }, r.submission_id)],
    ])]),
    safeSection('Anchors', () => [
      h('p', { class: 'muted' }, 'Bound into the statement, so the STARK transcript commits to each.'),
      table('Anchors', ['Anchor', 'Value'], Object.entries(r.anchors).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, val]) => [h('code', {}, k), hashEl(String(val), k)])),
    ]),
    safeSection('Measurements', () => measurementsView(r, entry?.stats.stages ?? [])),
    safeSection('Proof', () => entry ? [facts([
      ['Proof size', `${fmtBytes(entry.stats.proof_bytes)} (${entry.stats.proof_bytes.toLocaleString('en-US')} bytes, ${entry.formats.bin.path})`],
      ['Security', `${entry.stats.security_bits} bits`],
      ['Options', `blowup ${entry.stats.options.blowup}, ${entry.stats.options.queries} queries, ${entry.stats.options.grinding_bits} grinding bits, folding factor ${entry.stats.options.folding_factor}`],
      ['AIR', `${entry.air_id} (${entry.trace_format_id})`],
      ['Backend', `${entry.backend.description} (requested: ${entry.backend.requested})`],
      ['Proof SHA-256', hashEl(entry.formats.bin.sha256_payload_hash, 'proof SHA-256')],
      ['Row archive', `${(r.capsule.chunk_meta?.total_rows ?? 0).toLocaleString('en-US')} committed rows (the trace extended by the blowup) × ${r.capsule.chunk_meta?.row_width} columns, in ${r.capsule.chunk_meta?.num_chunks} chunks of ${r.capsule.chunk_meta?.chunk_len} rows`],
    ])] : [h('p', { class: 'muted' }, 'The capsule holds no proof entry.')]),
    section('Machine and settings', h('div', { class: 'manifests' }, (Object.keys(MANIFESTS) as ManifestKind[]).map((kind) => {
      let body: (Node | string)[];
      try {
        body = [facts(manifestSummary(kind, r.manifests))];
      } catch (e) {
        body = [notice('warn', `The ${kind} manifest could not be summarized: ${e instanceof Error ? e.message : String(e)}`)];
      }
      const anchor = r.anchors[MANIFESTS[kind].anchor];
      return h('div', { class: 'manifest' }, h('h3', {}, MANIFEST_TITLES[kind]), ...body,
        anchor ? h('p', { class: 'muted small' }, 'Anchor ', hashEl(anchor, MANIFESTS[kind].anchor)) : null,
        rawJson(`Raw ${MANIFESTS[kind].file}`, r.manifests[kind]));
    }))),
    safeSection('Server verification', () => verificationView(r)),
    browserVerify(r, left.signal),
  );
  return () => left.abort();
}

function measurementsView(r: RunReceipt, sealed: readonly { stage: string; ms: number; backend: string; note?: string }[]): (Node | string)[] {
  const m = r.measurements, p = m.procedure, s = m.summary;
  const median = m.summary.prover_time_us.median;
  const sha = Object.values(r.capsule.proofs)[0]?.formats.bin.sha256_payload_hash;
  const runs = m.runs.map((x, i) => ({ ...x, i }));
  const summaryRow = (name: string, x: typeof s.prover_time_us, fmt: (n: number) => string) =>
    [name, fmt(x.median), fmt(x.min), fmt(x.max), fmt(x.stddev), String(x.count)];

  const stagesOf = (key: string): Stage[] => key === 'sealed'
    ? sealed.map((x) => ({ stage: x.stage, us: Math.round(x.ms * 1000), backend: x.backend, ...(x.note ? { note: x.note } : {}) }))
    : (m.runs[Number(key)]?.stages ?? []);
  const bars = h('div', {});
  const select = h('select', { id: 'stage-run' },
    sealed.length ? h('option', { value: 'sealed' }, 'The run sealed in the capsule (median)') : null,
    runs.map((x) => h('option', { value: String(x.i) }, `Measured run ${x.i + 1}: ${fmtUs(x.prove_us)}`)));
  const show = () => replace(bars, stageBars(stagesOf(select.value)));
  select.addEventListener('change', show);
  show();

  return [
    h('p', { class: 'muted' },
      `${p.warmup_runs} warm-up and ${p.measured_runs} measured proofs; the ${p.aggregation} is reported; ${p.clock_source} clock; peak memory by ${p.rss_method === 'linux_vmhwm_reset' ? 'the kernel\'s high-water mark, reset before each run' : 'sampling'}. Declared by the runner and bound by the capsule hash.`),
    table('Summary', ['Quantity', 'Median', 'Min', 'Max', 'σ', 'Count'], [
      summaryRow('Prove time', s.prover_time_us, fmtUs), summaryRow('Verify time', s.verify_time_us, fmtUs), summaryRow('Peak memory', s.peak_rss_bytes, fmtBytes),
    ], [1, 2, 3, 4, 5]),
    h('h3', {}, 'Each proof'),
    table('Each proof', ['Run', 'Prove time', 'vs median', 'Peak memory', 'Proof bytes vs the pack\'s'], [
      ...m.warmups.map((w, i) => [`warm-up ${i + 1}`, fmtUs(w.prove_us), '—', '—', w.proof_sha256 === sha ? 'identical' : h('span', { class: 'badge bad' }, 'differs')]),
      ...runs.map((x) => [`measured ${x.i + 1}`, fmtUs(x.prove_us), median > 0 ? `${x.prove_us >= median ? '+' : ''}${(((x.prove_us - median) / median) * 100).toFixed(1)}%` : '—',
        fmtBytes(x.peak_rss_bytes), x.proof_sha256 === sha ? 'identical' : h('span', { class: 'badge bad' }, 'differs')]),
    ], [1, 2, 3]),
    h('p', { class: 'muted' }, `Verification: cold ${fmtUs(m.verify.cold_us)}, then ${m.verify.runs_us.length} timed runs in a fresh worker (verifier ${m.verify.verifier_version}).`),
    h('h3', {}, 'Stages'),
    h('div', { class: 'controls' }, h('label', { for: 'stage-run' }, 'Stages of', select),
      h('span', { class: 'legend muted' }, h('span', { class: 'swatch' }), ' CPU ', h('span', { class: 'swatch gpu' }), ' GPU')),
    bars,
  ];
}

function verificationView(r: RunReceipt): (Node | string | null)[] {
  const v = r.verification;
  if (!v) return [h('p', { class: 'muted' }, 'The server holds no verdict for this run.')];
  const c = r.capsule, k = Math.min(c.da_policy?.k_samples ?? 0, c.chunk_meta?.num_chunks ?? 0);
  return [
    notice(v.status === 'accepted' ? 'ok' : 'error', verdictText(v.status, v.tier, v.code, v.message)),
    v.certified_refusal ? notice('warn', `Not certified: ${v.certified_refusal.code}: ${v.certified_refusal.message}`) : null,
    facts([
      ['Verifier', [`capseal ${v.verifier.version}, build `, hashEl(v.verifier.build_hash, 'server verifier build hash')]],
      ['Time', `${v.verify_ms.toFixed(0)} ms, ${fmtDate(v.verified_at)}`],
      ['DA audit', [`${v.da_audit.kind}: ${k} of ${c.chunk_meta?.num_chunks ?? '?'} row chunks drawn from the server's nonce `, hashEl(v.da_audit.nonce, 'DA audit nonce'),
        ` (δ ${c.da_policy?.delta}, ε ${c.da_policy?.epsilon})`]],
    ]),
    h('h3', {}, `Checks (${v.checks.filter((x) => x.ok).length} of ${v.checks.length} passed)`),
    checkList(v.checks, { class: 'checks cols', id: 'server-checks', 'aria-label': 'Server verification checks' }),
  ];
}

/** Downloads the pack and runs the same contract here; the two verifiers' builds are shown side by side. */
function browserVerify(r: RunReceipt, signal: AbortSignal): HTMLElement {
  const server = r.verification;
  const button = h('button', { type: 'button', id: 'verify-in-browser' }, 'Verify in your browser');
  const progress = h('p', { class: 'muted', 'aria-live': 'polite' });
  const list = h('ul', { class: 'checks cols', 'aria-label': 'Checks run in this browser' });
  const result = h('div', { id: 'browser-verify-result', 'aria-live': 'polite' });
  const compare = h('div', {});

  button.addEventListener('click', () => void (async () => {
    button.disabled = true;
    list.replaceChildren();
    replace(result);
    replace(compare);
    try {
      progress.textContent = 'Downloading the pack…';
      const bytes = await getBytes(`/api/runs/${encodeURIComponent(r.run.run_id)}/pack`);
      progress.textContent = `Verifying ${fmtBytes(bytes.length)} in this browser…`;
      const { verifyInBrowser } = await import('../verify-client.js');
      const out = await verifyInBrowser(bytes, (c) => list.append(checkItem(c)), signal);
      progress.textContent = '';
      showResult(out.report, out.ms, out.build);
    } catch (e) {
      progress.textContent = '';
      replace(result, notice('error', `Could not verify in this browser: ${e instanceof Error ? e.message : String(e)}`));
    } finally {
      button.disabled = false;
    }
  })());

  const showResult = (report: PackReport, ms: number, build: { version: string; build_hash: string }) => {
    const ok = report.status === 'accepted';
    replace(result, notice(ok ? 'ok' : 'error', verdictText(report.status, report.tier, report.code, report.message), ` — ${ms.toFixed(0)} ms in this browser`));
    const agree = server && server.status === report.status && (server.code ?? null) === (report.code ?? null);
    const same = server?.verifier.build_hash === build.build_hash;
    replace(compare,
      table('Server and browser verifiers', ['', 'This server', 'Your browser'], [
        ['Verdict', server ? `${server.status}${server.code ? ` ${server.code}` : ''}` : '—', `${report.status}${report.code ? ` ${report.code}` : ''}`],
        ['Verifier version', server?.verifier.version ?? '—', build.version],
        ['Build hash', hashEl(server?.verifier.build_hash, 'server build hash'), hashEl(build.build_hash, 'browser build hash')],
        ['Time', server ? `${server.verify_ms.toFixed(0)} ms` : '—', `${ms.toFixed(0)} ms`],
        ['DA audit', server ? `challenge nonce ${server.da_audit.nonce.slice(0, 16)}…` : '—', 'self-audit (the pack\'s own seed)'],
      ], [], 'fixed'),
      h('p', { class: 'muted' }, agree ? 'Both verifiers reach the same verdict.' : 'The verdicts differ.', ' ',
        same ? 'They are the same build.' : 'They are different builds (the server runs the Node verifier, your browser this page\'s bundle).'));
  };

  return section('Verify it yourself',
    h('p', {}, 'Your browser downloads this run\'s pack and runs the same submission contract on it, check by check, with no help from the server.'),
    h('div', { class: 'controls' }, button),
    progress, list, result, compare);
}
