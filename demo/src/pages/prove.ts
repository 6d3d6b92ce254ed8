// Prove in your browser (/prove?workload&size&engine): a CapsuleBench run made in a Worker with the
// CLI's code, on WebGPU when this browser has an adapter, else on the WebAssembly kernels; verified
// here, its events streamed live to this server, and submitted with one click.
import { browserMemoryBudget, wontFit } from '../../../src/capsulebench/host-browser.js';
import { parseBenchmarkPolicy, SHIPPED_POLICY_BYTES, sizesOf } from '../../../src/capsulebench/policy.js';
import { WORKLOADS } from '../../../src/capsulebench/workloads.js';
import { buildInfo } from '../build-info.js';
import { facts, fmtBytes, fmtUs, h, hashEl, notice, pow2, replace, section } from '../dom.js';
import type { Cleanup, PageContext } from '../main.js';
import { checkItem, followSubmission, runOf, uploadPack } from '../submission.js';
import { stageBars } from '../stages.js';
import { verifyInBrowser } from '../verify-client.js';
import type { ProveMessage, ProveRequest } from '../workers/prove.worker.js';

/** The adapter limits a proof's size depends on, shown beside the adapter. */
const SHOWN_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension'] as const;

interface Probe {
  adapter: GPUAdapter | null;
  info: { vendor: string; architecture: string; device: string; description: string } | null;
  /** Why there is no WebGPU here, when there is none. */
  why: string | null;
}

async function probeGpu(): Promise<Probe> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { adapter: null, info: null, why: 'navigator.gpu is absent: this browser (or its settings) does not offer WebGPU' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { adapter: null, info: null, why: 'navigator.gpu.requestAdapter() found no adapter (no usable GPU, or WebGPU is blocked for it)' };
    const i = adapter.info;
    return { adapter, info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description }, why: null };
  } catch (e) {
    return { adapter: null, info: null, why: `requesting a WebGPU adapter failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const policy = parseBenchmarkPolicy(SHIPPED_POLICY_BYTES);

/** Whether a run's pack will hold only a sample of its row archive: the committed rows (blowup × trace rows) over the policy's cap. */
const sampledArchive = (log2Rows: number, width: number): boolean =>
  2 ** log2Rows * policy.proof_options.blowup * width * 8 > policy.pack_policy.full_archive_max_bytes;

export default async function provePage({ root, query, setQuery }: PageContext): Promise<Cleanup> {
  const probe = await probeGpu();
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = navigator.hardwareConcurrency || 1;
  // The CPU workers pass columns by transfer, not shared memory: they need no cross-origin isolation.
  const threads = Math.max(1, Math.min(cores, 8));
  const budget = browserMemoryBudget();
  const workloads = policy.workloads.map((w) => w.workload_id);

  const pick = (name: string, allowed: readonly string[], fallback: string) => {
    const v = query.get(name);
    return v !== null && allowed.includes(v) ? v : fallback;
  };
  const workload = h('select', { id: 'workload', name: 'workload' }, workloads.map((w) => h('option', { value: w }, w)));
  workload.value = pick('workload', workloads, workloads.includes('fib_v1') ? 'fib_v1' : workloads[0]!);
  const size = h('select', { id: 'size', name: 'size' });
  const fillSizes = () => {
    const wanted = size.value || query.get('size') || '10';
    const sizes = (sizesOf(policy, workload.value) ?? []).map(String);
    replace(size, sizes.map((s) => h('option', { value: s }, `${pow2(Number(s))} rows`)));
    size.value = sizes.includes(wanted) ? wanted : sizes[0]!;
  };
  fillSizes();
  const engines = ['webgpu', 'wasm'];
  const engine = h('select', { id: 'engine', name: 'engine' },
    h('option', { value: 'webgpu', disabled: probe.adapter === null }, `WebGPU${probe.adapter ? '' : ' (not available here)'}`),
    h('option', { value: 'wasm' }, 'WebAssembly (CPU)'));
  engine.value = probe.adapter ? pick('engine', engines, 'webgpu') : 'wasm';
  const stream = h('input', { type: 'checkbox', id: 'stream', checked: true });
  const proveButton = h('button', { type: 'submit', id: 'prove-button' }, 'Prove');
  const fitNote = h('div', { id: 'fit-note' });
  const syncUrl = () => setQuery(new URLSearchParams({ workload: workload.value, size: size.value, engine: engine.value }));
  const checkFit = (): string | null => {
    const width = WORKLOADS.get(workload.value)?.adapter.columns.length ?? 1;
    const gpuLimits = engine.value === 'webgpu' && probe.adapter
      ? { maxBufferSize: Number(probe.adapter.limits.maxBufferSize), maxStorageBufferBindingSize: Number(probe.adapter.limits.maxStorageBufferBindingSize) } : undefined;
    const archiveNote = sampledArchive(Number(size.value), width)
      ? notice('info', `At this size the pack holds a sample of its row archive (the whole one is over the policy's ${fmtBytes(policy.pack_policy.full_archive_max_bytes)}): it proves and verifies here, but this server's challenge audit needs every row chunk, so it would reject the pack (E080) and Submit stays off.`)
      : null;
    const why = wontFit({ workloadId: workload.value, width, log2Rows: Number(size.value), blowup: policy.proof_options.blowup, memoryBudget: budget, ...(gpuLimits ? { gpu: gpuLimits } : {}) });
    replace(fitNote, why ? notice('warn', why) : archiveNote);
    proveButton.disabled = why !== null;
    return why;
  };
  workload.addEventListener('change', () => (fillSizes(), syncUrl(), checkFit()));
  size.addEventListener('change', () => (syncUrl(), checkFit()));
  engine.addEventListener('change', () => (syncUrl(), checkFit()));

  const engineWhy = probe.adapter
    ? 'WebGPU: an adapter is available (WebAssembly can be chosen below)'
    : `WebAssembly: ${probe.why}`;
  const adapterFacts = probe.info && probe.adapter
    ? [
      facts([['vendor', probe.info.vendor || '—'], ['architecture', probe.info.architecture || '—'], ['device', probe.info.device || '—'], ['description', probe.info.description || '—']]),
      h('h3', {}, 'Limits that decide what fits'),
      h('div', { id: 'adapter-limits' }, facts(SHOWN_LIMITS.map((l) => [l, Number(probe.adapter!.limits[l]).toLocaleString('en')]))),
    ]
    : [notice('info', `No WebGPU here: ${probe.why}. Proofs run on the WebAssembly kernels.`)];

  const status = h('div', { id: 'prove-status', 'aria-live': 'polite' });
  const output = h('div', { id: 'prove-output' });
  const form = h('form', { class: 'controls', id: 'prove-form' },
    h('label', { for: 'workload' }, 'Workload', workload),
    h('label', { for: 'size' }, 'Size', size),
    h('label', { for: 'engine' }, 'Engine', engine),
    h('label', { for: 'stream', class: 'inline' }, h('span', {}, stream, ' Stream events live to this server')),
    proveButton);

  root.append(
    h('h1', {}, 'Prove in your browser'),
    h('p', { class: 'muted' }, 'A CapsuleBench run made here with the same prover, capsule, pack and verifier code as the CLI: warm-up and measured proofs, verification timed in a fresh worker, a capsulepack built in this page, verified in this page, then one click submits it to this server.'),
    section('This browser',
      facts([
        ['engine', h('span', { id: 'engine-default' }, engineWhy)],
        ['CPU threads', `${threads} Web Worker${threads > 1 ? 's' : ''} (${cores} logical cores, at most 8 used)`],
        ['timers', isolated ? 'full resolution (the page is cross-origin isolated)' : 'coarse (the page is not cross-origin isolated): short stages are timed roughly'],
        ['memory budget', `${fmtBytes(budget)} (sizes needing more are refused before starting)`],
      ]),
      h('h3', {}, 'WebGPU adapter'), adapterFacts),
    section('Run', form, fitNote, status),
    output,
  );
  checkFit();
  syncUrl();

  let worker: Worker | undefined;
  /** A run is under way (set before anything is awaited, so a second click starts nothing). */
  let busy = false;
  let packUrl: string | undefined;
  let cancelRow: HTMLElement | undefined;
  const abort = new AbortController();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (checkFit() !== null || busy) return;
    busy = true;
    proveButton.disabled = true;
    [workload, size, engine, stream].forEach((c) => (c.disabled = true));
    run().catch((err: unknown) => {
      finish();
      replace(status, notice('error', `The run could not start: ${err instanceof Error ? err.message : String(err)}`));
    });
  });

  async function run(): Promise<void> {
    const req: ProveRequest = { workloadId: workload.value, log2Rows: Number(size.value), engine: engine.value as 'webgpu' | 'wasm', threads, build: await buildInfo(), stream: stream.checked ? location.origin : null };
    replace(output);
    const stage = h('p', { id: 'prove-stage' }, 'Starting…');
    const bar = h('progress', { id: 'prove-progress', max: 1, value: 0, 'aria-label': 'stage progress' });
    const log = h('ul', { id: 'prove-log', class: 'log' });
    const engineInfo = h('div', { id: 'engine-info' });
    const liveLink = h('p', {});
    const cancel = h('button', { type: 'button', class: 'secondary', id: 'cancel-button' }, 'Cancel');
    cancel.addEventListener('click', () => {
      finish();
      replace(stage, notice('warn', 'Cancelled: nothing was kept.'));
    });
    cancelRow = h('p', {}, cancel);
    replace(status, engineInfo, stage, bar, cancelRow, liveLink, h('details', {}, h('summary', {}, 'Runner log'), log));
    let events = 0;
    const t0 = performance.now();
    worker = new Worker(new URL('../workers/prove.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<ProveMessage>) => {
      const m = e.data;
      if (m.kind === 'engine') {
        const why = m.engine === 'webgpu' ? 'WebGPU: the adapter above' : probe.adapter ? 'WebAssembly: chosen here' : `WebAssembly: ${probe.why}`;
        replace(engineInfo, notice('info', h('strong', {}, `Proving on ${m.engine === 'webgpu' ? 'WebGPU' : 'WebAssembly'}`), ` (${m.backend}) — ${why}; ${m.threads} CPU thread${m.threads > 1 ? 's' : ''}.`,
          m.adapter ? ` Adapter: ${[m.adapter.vendor, m.adapter.architecture, m.adapter.description].filter(Boolean).join(' / ') || 'unnamed'}.` : ''));
      } else if (m.kind === 'progress') {
        if (m.progress.kind === 'stage') {
          const p = m.progress;
          // The first GPU proof compiles every shader once: on a software adapter that takes tens of seconds.
          const compiling = p.run.kind === 'warmup' && req.engine === 'webgpu' ? ' — compiling each GPU shader once, which can take a while' : '';
          stage.textContent = `${p.run.kind === 'warmup' ? 'Warm-up' : 'Measured run'} ${p.run.index} of ${p.run.of}: ${p.stage} (${p.done}/${p.total})${compiling}`;
          bar.max = p.total;
          bar.value = p.done;
        } else log.append(h('li', {}, m.progress.message));
      } else if (m.kind === 'event') {
        if (events++ === 0) {
          const runId = (JSON.parse(m.line) as { run_id: string }).run_id;
          if (req.stream) replace(liveLink, 'Watch it live: ', h('a', { href: `/live/${runId}`, target: '_blank', rel: 'noopener' }, `/live/${runId}`));
        }
      } else if (m.kind === 'stream') log.append(h('li', {}, `live stream: ${m.message}`));
      else if (m.kind === 'error') {
        finish();
        replace(stage, notice('error', m.failed ? 'The run failed its own checks: ' : 'The run could not be made: ', m.message));
      } else {
        finish();
        stage.textContent = `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s.`;
        bar.value = bar.max;
        showResult(m);
      }
    };
    worker.onerror = (e) => {
      finish();
      replace(stage, notice('error', `The prover worker failed: ${e.message || 'it did not start'}`));
    };
    worker.postMessage(req);
  }

  function finish(): void {
    // Ending the worker ends its GPU device and CPU workers with it (a cancelled run never reaches its own cleanup).
    worker?.terminate();
    worker = undefined;
    cancelRow?.remove();
    busy = false;
    [workload, size, engine, stream].forEach((c) => (c.disabled = false));
    checkFit();
  }

  function showResult(m: Extract<ProveMessage, { kind: 'done' }>): void {
    const { capsule, measurements: ms, packMeta } = m.result;
    const proof = Object.values(capsule.proofs)[0]!;
    const blob = new Blob([m.archive as Uint8Array<ArrayBuffer>], { type: 'application/gzip' });
    if (packUrl) URL.revokeObjectURL(packUrl);
    packUrl = URL.createObjectURL(blob);
    const download = h('a', { href: packUrl, download: `${packMeta.run_id}.capsulepack.tgz`, class: 'button secondary' }, 'Download capsulepack.tgz');
    const checks = h('ol', { class: 'checks', id: 'browser-verify-checks' });
    const verifyResult = h('div', { id: 'browser-verify-result', 'aria-live': 'polite' }, 'Verifying in this page…');
    const submitButton = h('button', { type: 'button', id: 'submit-button', disabled: true }, 'Submit to the leaderboard');
    const submitStatus = h('div', { id: 'submit-status', 'aria-live': 'polite' });
    replace(output,
      section('Result',
        h('div', { id: 'prove-result' }, facts([
          ['run', h('code', { id: 'prove-run-id' }, packMeta.run_id)],
          ['track', `${packMeta.track_id} (${proof.backend.description})`],
          ['capsule hash', hashEl(capsule.capsule_hash, 'capsule hash')],
          ['statement hash', hashEl(packMeta.statement_hash_hex, 'statement hash')],
          ['prove time', `${fmtUs(ms.summary.prover_time_us.median)} median of ${ms.runs.length} (min ${fmtUs(ms.summary.prover_time_us.min)}, max ${fmtUs(ms.summary.prover_time_us.max)})`],
          ['verify time', `${fmtUs(ms.summary.verify_time_us.median)} median in a fresh worker (cold ${fmtUs(ms.verify.cold_us)})`],
          ['shader compile', m.compile ? `${m.compile.ms.toFixed(0)} ms for ${m.compile.pipelines} pipelines (in the warm-up run; measured runs reuse them)` : 'none (WebAssembly)'],
          ['proof', `${fmtBytes(proof.stats.proof_bytes)} at ${proof.stats.security_bits} bits`],
          ['peak memory', `${fmtBytes(ms.summary.peak_rss_bytes.median)}: the prover's WebAssembly memory, a lower bound (a browser tells a page nothing of its process's memory)`],
          ['pack', `${fmtBytes(m.archive.length)} · ${packMeta.row_archive.mode} row archive`],
          ['live stream', m.stream ? (m.stream.error ? `stopped: ${m.stream.error}` : `${m.stream.acknowledged} of ${m.stream.sent} events acknowledged by the server`) : 'off'],
        ])),
        h('h3', {}, 'Stages of the first measured run'),
        stageBars(ms.runs[0]?.stages ?? []),
        h('p', {}, download)),
      section('Verified in your browser', verifyResult, checks),
      section('Submit', h('p', { class: 'muted' }, 'The server verifies the pack again and lists it on the community tier (optimized_declared when the GPU ran, baseline_no_accel otherwise).'), submitButton, submitStatus),
    );
    void (async () => {
      try {
        const v = await verifyInBrowser(m.archive, (c) => checks.append(checkItem(c)), abort.signal);
        const ok = v.report.status === 'accepted';
        replace(verifyResult, notice(ok ? 'ok' : 'error', `${v.report.status}${v.report.code ? ` ${v.report.code}` : ''} in ${v.ms.toFixed(0)} ms — ${v.report.message}`), h('p', { class: 'muted' }, `verifier ${v.build.version}, build ${v.build.build_hash.slice(0, 16)}…`));
        submitButton.disabled = !ok || packMeta.row_archive.mode === 'sample';
        if (ok && packMeta.row_archive.mode === 'sample')
          replace(submitStatus, notice('info', 'This pack holds a sample of its row archive; the server audits with a challenge of its own, which needs every chunk (E080). A CLI run of this size meets the same refusal.'));
      } catch (e) {
        replace(verifyResult, notice('error', e instanceof Error ? e.message : String(e)));
      }
    })();
    submitButton.addEventListener('click', () => {
      submitButton.disabled = true;
      void (async () => {
        try {
          replace(submitStatus, notice('info', 'Uploading…'));
          const up = await uploadPack(m.archive, abort.signal, (wait) => replace(submitStatus, notice('info', `The server is busy; trying again in ${wait} s`)));
          if ('refusal' in up) {
            replace(submitStatus, notice('error', h('strong', { id: 'submit-code' }, up.refusal.code), ` ${up.refusal.message}`));
            return;
          }
          const details = h('a', { href: `/submit?id=${up.submission.id}` }, `submission ${up.submission.id}`);
          await followSubmission(up.submission.id, (s) => {
            const run = runOf(s);
            if (s.status === 'accepted')
              replace(submitStatus, notice('ok', 'accepted: ', h('a', { href: `/runs/${run ?? packMeta.run_id}` }, 'its receipt on the leaderboard'), ' (', details, ')'));
            else if (s.status === 'rejected')
              replace(submitStatus, notice('error', h('strong', { id: 'submit-code' }, s.verdict?.code ?? 'rejected'), ` ${s.verdict?.message ?? ''} (`, details, ')'));
            else replace(submitStatus, notice('info', `${s.status}… (`, details, ')'));
          }, abort.signal);
        } catch (e) {
          replace(submitStatus, notice('error', e instanceof Error ? e.message : String(e)));
          submitButton.disabled = false;
        }
      })();
    });
  }

  return () => {
    abort.abort();
    worker?.terminate();
    if (packUrl) URL.revokeObjectURL(packUrl);
  };
}
