// The web app in a real browser against `capseal serve`, as a user meets it: the app is built
// (demo/ → a temporary folder served with --web), the server started from source on a fresh PGlite, and Debian's Chromium
// drives the pages. Proving in the browser on WebGPU (SwiftShader) and on WebAssembly (a browser
// without an adapter): verified in the page, submitted, listed, its receipt verified again in the
// browser — and the browser's proof is the library's, byte for byte (proved again in Node on the CPU);
// a CLI run watched live through a server restart (the viewer resumes with no gap or repeat) up to its
// verdict; a tampered pack's rejection code on /submit; a replay from a local pack and from the board.
// Every page is watched for script errors and CSP violations; screenshots (desktop and phone) go to
// test-results/web/. Without /usr/bin/chromium the suite skips, unless CAPSEAL_REQUIRE_GPU=1.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jcsHash } from '../src/capsule/spec.js';
import { readEventLog } from '../src/capsulebench/events.js';
import { sha256Hex } from '../src/hash/digest.js';
import { runCli, startCli, waitFor } from './helpers/cli.js';
import { makePack, tempDir } from './helpers/capsulebench.js';
import {
  buildWebApp, CHROMIUM, freePort, gpuRequired, listedSeqs, openPage, packFiles, packJson, PLAIN_ARGS, reproveInNode, shoot, SHOTS,
  startServe, tamperMeasuredTime, textOf, waitText, WEBGPU_ARGS, type PageWatch, type Serve,
} from './helpers/web.js';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`web tests: ${CHROMIUM} is missing (apt install chromium)${gpuRequired ? ', and CAPSEAL_REQUIRE_GPU=1 makes that a failure' : ': skipped'}`);

interface BoardRun {
  runId: string;
  track: string;
}

describe.skipIf(!haveChromium && !gpuRequired)('the web app in Chromium', () => {
  let TMP = '';
  let dataDir = '';
  let port = 0;
  let serve: Serve | undefined;
  let url = '';
  let browser: Browser | undefined;
  /** Runs the tests put on the board, for later tests. */
  const board: BoardRun[] = [];
  /** The folder of test 3's CLI run (its capsulepack.tgz), for the replay test. */
  let streamedOut: string | undefined;
  /** The build hash of the bundle built here (the JCS hash of build-info.json's files). */
  let builtHash = '';
  /** The app built for this run (served with --web). */
  let webDir = '';

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CAPSEAL_REQUIRE_GPU=1 but ${CHROMIUM} is missing (apt install chromium)`);
    rmSync(SHOTS, { recursive: true, force: true }); // the screenshots of this run only
    TMP = tempDir('capseal-web-');
    dataDir = join(TMP, 'data');
    port = await freePort();
    webDir = join(TMP, 'web');
    await buildWebApp(webDir);
    serve = await startServe(port, dataDir, webDir);
    builtHash = jcsHash((JSON.parse(readFileSync(join(webDir, 'build-info.json'), 'utf8')) as { files: unknown }).files);
    url = serve!.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: WEBGPU_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    const code = await serve?.stop();
    if (TMP) rmSync(TMP, { recursive: true, force: true });
    if (serve && code !== 0) throw new Error(`capseal serve exited ${code} on SIGTERM: ${serve.proc.stderr()}`);
  }, 60_000);

  /** Opens a watched page and runs `body` (a failure leaves a `<name>-failed` screenshot); then fails on any problem the page reported. */
  async function withPage(name: string, body: (page: Page, watch: PageWatch) => Promise<void>, on: Browser = browser!): Promise<void> {
    const { context, page, watch } = await openPage(on);
    try {
      await body(page, watch);
    } catch (e) {
      await shoot(page, `${name}-failed`).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
    expect(watch.problems, `${name}: the page reported problems`).toEqual([]);
  }

  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${url}${path}`);
    if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };

  /**
   * /prove for fib_v1 2^10 on `engine`: proves, verifies in the page, submits; returns the run id.
   * Checks the engine the page says it used and that the server accepted the pack.
   */
  async function proveInPage(page: Page, engine: 'webgpu' | 'wasm', name: string): Promise<string> {
    await page.goto(`${url}/prove?workload=fib_v1&size=10&engine=${engine}`);
    await page.locator('#prove-button').waitFor();
    expect(await page.evaluate(() => crossOriginIsolated), 'the page is cross-origin isolated (COOP/COEP)').toBe(true);
    await shoot(page, `${name}-before`);
    await page.locator('#prove-button').click();
    // SwiftShader compiles the WebGPU pipelines slowly (about 45 s here); WebAssembly takes seconds.
    await page.waitForFunction(() => /accepted|rejected|\bfailed\b|error/i.test(document.querySelector('#browser-verify-result')?.textContent ?? '')
      || document.querySelector('#prove-status .notice.error') !== null, null, { timeout: 240_000, polling: 250 });
    const failed = await textOf(page, '#prove-status .notice.error');
    expect(failed, 'the run failed in the page').toBe('');
    const verified = await waitText(page, '#browser-verify-result', /accepted/, 5_000);
    expect(verified).toMatch(/^accepted in \d+ ms/);
    expect(await page.locator('#browser-verify-checks li .mark.bad').count(), 'no check failed in the page').toBe(0);
    expect(await page.locator('#browser-verify-checks li .mark.ok').count()).toBeGreaterThan(10);
    const runId = (await textOf(page, '#prove-run-id')).trim();
    expect(runId).toMatch(/^run_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}Z_[0-9a-f]{8}$/);
    await shoot(page, `${name}-proved`);

    const submit = page.locator('#submit-button');
    await expect.poll(() => submit.isEnabled(), { timeout: 5_000 }).toBe(true);
    await submit.click();
    await page.waitForFunction(() => /accepted|rejected|error|refused/i.test(document.querySelector('#submit-status')?.textContent ?? ''), null, { timeout: 120_000, polling: 250 });
    const code = await textOf(page, '#submit-code');
    expect(code, 'the server rejected the pack the page verified').toBe('');
    expect(await textOf(page, '#submit-status')).toMatch(/^accepted: its receipt on the leaderboard \(submission sub_[0-9a-f]{24}\)$/);
    expect(await page.locator('#submit-status a').first().getAttribute('href')).toBe(`/runs/${runId}`);
    await shoot(page, `${name}-submitted`);
    return runId;
  }

  /** The leaderboard lists `runId` on `track`, and its receipt shows the server's checks and verifies again in the browser. */
  async function boardAndReceipt(page: Page, runId: string, track: string, name: string): Promise<void> {
    await page.goto(`${url}/`);
    const row = page.locator(`table#board tbody tr[data-run-id="${runId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells).toContain(track);
    expect(cells).toContain('fib_v1');
    expect(cells).toContain('2¹⁰');
    await shoot(page, `${name}-leaderboard`);

    const receipt = await api<{ run: { track_id: string }; verification: { status: string; checks: { id: string; name: string; ok: boolean; code: string | null }[] } }>(`/api/runs/${runId}`);
    expect(receipt.run.track_id).toBe(track);
    const checks = receipt.verification.checks;
    expect(checks.length).toBeGreaterThan(10);
    await row.locator(`a[href="/runs/${runId}"]`).click();
    await page.waitForURL(`${url}/runs/${runId}`);
    const server = page.locator('section[aria-labelledby="server-verification"]');
    await server.locator('#server-checks').waitFor();
    expect(await server.locator('.notice.ok').first().textContent()).toMatch(/^accepted \(community\)/);
    expect(await server.locator('h3').first().textContent()).toBe(`Checks (${checks.length} of ${checks.length} passed)`);
    const items = server.locator('#server-checks li');
    const shown = await items.evaluateAll((lis) => lis.map((li) => ({ id: li.querySelector('code')?.textContent ?? '', mark: li.querySelector('.mark')?.textContent ?? '', text: li.textContent ?? '' })));
    expect(shown.map((s) => s.id)).toEqual(checks.map((c) => c.id));
    for (const [i, s] of shown.entries()) {
      expect(s.mark, `check ${s.id}`).toBe('✓');
      expect(s.text).toContain(checks[i]!.name);
    }
    await page.locator('#verify-in-browser').click();
    const again = await waitText(page, '#browser-verify-result', /accepted|rejected|Could not verify/, 120_000);
    expect(again).toMatch(/^accepted \(community\)/);
    expect(await page.locator('ul[aria-label="Checks run in this browser"] li .mark.ok').count()).toBe(checks.length);
    expect(await page.locator('ul[aria-label="Checks run in this browser"] li .mark.bad').count()).toBe(0);
    await expect.poll(() => textOf(page, 'main')).toContain('Both verifiers reach the same verdict.');
    await shoot(page, `${name}-receipt`);
  }

  it('proves on WebGPU in the browser, verifies, submits; listed on optimized_declared; the proof is the library\'s, byte for byte', async (t) => {
    // Without an adapter (SwiftShader missing) this test skips, unless CAPSEAL_REQUIRE_GPU=1.
    const probe = await browser!.newPage();
    await probe.goto(`${url}/api/health`);
    const adapter = await probe.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? ((await gpu.requestAdapter()) ? 'ok' : 'navigator.gpu.requestAdapter() gave no adapter') : 'no navigator.gpu';
    });
    await probe.close();
    if (adapter !== 'ok') {
      if (gpuRequired) throw new Error(`CAPSEAL_REQUIRE_GPU=1 but Chromium has no WebGPU adapter: ${adapter}`);
      console.log(`web tests: no WebGPU adapter in Chromium (${adapter}): the WebGPU test is skipped`);
      t.skip();
    }
    let runId = '';
    await withPage('1-webgpu', async (page) => {
      await page.goto(`${url}/prove?workload=fib_v1&size=10&engine=webgpu`);
      expect(await waitText(page, '#engine-default', /^(WebGPU|WebAssembly):/)).toBe('WebGPU: an adapter is available (WebAssembly can be chosen below)');
      expect(await page.locator('#adapter-limits dt').count()).toBe(6);
      const vendor = (await page.locator('dt:text-is("vendor") + dd').first().textContent())!;
      expect(vendor).toMatch(/^\S/);
      runId = await proveInPage(page, 'webgpu', '1-webgpu');
      const info = await textOf(page, '#engine-info');
      // "Proving on <backend> — WebGPU: the adapter above; N CPU threads. Adapter: vendor / architecture / description."
      expect(info).toMatch(/^Proving on .*— WebGPU: the adapter above; \d+ CPU threads?\. Adapter: \S.*\.$/);
      expect(info).toContain(`Adapter: ${vendor}`);
      const result = await textOf(page, '#prove-result');
      expect(result).toContain('optimized_declared');
      expect(result).toMatch(/shader compile\d+ ms for \d+ pipelines/);
      await boardAndReceipt(page, runId, 'optimized_declared', '1-webgpu');
    });
    board.push({ runId, track: 'optimized_declared' });

    // The pack as the server holds it, proved again by the library in Node on the CPU backend.
    const r = await fetch(`${url}/api/runs/${runId}/pack`);
    expect(r.status).toBe(200);
    const tgz = new Uint8Array(await r.arrayBuffer());
    const again = await reproveInNode(tgz);
    for (const [anchor, [here, inCapsule]] of Object.entries(again.recomputed)) expect(inCapsule, `anchor ${anchor}`).toBe(here);
    expect(again.statementHash, 'the statement rebuilt in Node').toBe(again.capsuleStatementHash);
    expect(again.backendDescription).toMatch(/gpu/i);
    expect(again.nodeProof.length, `${again.proofPath}: length`).toBe(again.packProof.length);
    expect(sha256Hex(again.nodeProof), `${again.proofPath}: the browser's WebGPU proof and Node's CPU proof`).toBe(sha256Hex(again.packProof));
    expect(Buffer.compare(Buffer.from(again.nodeProof), Buffer.from(again.packProof))).toBe(0);
    // The proof came from the bundle built for this test: the pack's build_hash is that bundle's.
    expect(packJson(await packFiles(tgz), 'capsule.json').statement.anchors.build_hash, 'the bundle built in beforeAll').toBe(builtHash);
  }, 420_000);

  it('without WebGPU the page says why, proves on WebAssembly, verifies, submits; listed on baseline_no_accel', async () => {
    const plain = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: PLAIN_ARGS });
    try {
      await withPage('2-wasm', async (page) => {
        await page.goto(`${url}/prove?workload=fib_v1&size=10&engine=webgpu`);
        const why = await waitText(page, '#engine-default', /^(WebGPU|WebAssembly):/);
        expect(why).toMatch(/^WebAssembly: navigator\.gpu(\.requestAdapter\(\) found no adapter| is absent)/);
        expect(await page.locator('#engine option[value="webgpu"]').isDisabled()).toBe(true);
        expect(await page.locator('#engine').inputValue()).toBe('wasm');
        // The URL asked for WebGPU; the page rewrote it to what it will use.
        expect(new URL(page.url()).searchParams.get('engine')).toBe('wasm');
        const runId = await proveInPage(page, 'wasm', '2-wasm');
        const info = await textOf(page, '#engine-info');
        expect(info).toMatch(/^Proving on .*— WebAssembly: navigator\.gpu/);
        expect(info).not.toContain('Adapter:');
        const result = await textOf(page, '#prove-result');
        expect(result).toContain('baseline_no_accel');
        expect(result).toContain('shader compilenone (WebAssembly)');
        await boardAndReceipt(page, runId, 'baseline_no_accel', '2-wasm');
        board.push({ runId, track: 'baseline_no_accel' });
      }, plain);
    } finally {
      await plain.close();
    }
  }, 300_000);

  it('watches a CLI run live through a server restart: resumes with no gap or repeat, then shows the verdict', async () => {
    const out = join(TMP, 'streamed');
    // About 10–20 s on two cores: long enough to restart the server while it streams.
    const run = startCli(['bench', 'run', '--workload', 'fib_v1', '--size', '14', '--track', 'baseline_no_accel', '--threads', '1', '--runs', '30', '--out', out, '--stream', url]);
    try {
      await withPage('3-live', async (page, watch) => {
        // The run registers its stream before its first event is sent: then its page can connect.
        await waitFor(run, () => /streaming to ws:\/\/127\.0\.0\.1:\d+\/api\/live\/run_\w+/.test(run.stderr()), 120_000);
        const runId = /streaming to ws:\/\/\S+\/api\/live\/(run_\w+)/.exec(run.stderr())![1]!;
        await page.goto(`${url}/live/${runId}`);
        await waitText(page, '#live-status', /^in progress/, 30_000);
        await page.waitForFunction(() => document.querySelectorAll('#live-events li').length >= 10, null, { timeout: 60_000 });
        expect(run.child.exitCode, 'the run is still going when the server stops').toBe(null);
        await shoot(page, '3-live-before-restart');

        // The server goes away under the viewer (and the runner), and comes back on the same port and data.
        watch.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/api\/live\/.*' failed|ERR_CONNECTION_REFUSED/);
        const before = await listedSeqs(page, '#live-events');
        expect(await serve!.stop()).toBe(0);
        const dropped = await waitText(page, '#live-conn', /reconnecting in \d+ s from seq \d+/, 30_000);
        serve = await startServe(port, dataDir, webDir);
        const resumed = await waitText(page, '#live-conn', /reconnected, resumed at seq \d+/, 60_000);
        const from = Number(/resumed at seq (\d+)/.exec(resumed)![1]);
        expect(from).toBeGreaterThanOrEqual(before.length);
        expect(dropped).toContain(`from seq ${from}`);

        expect(await run.exited, run.stderr()).toBe(0);
        const lines = readFileSync(join(out, 'capsulepack', 'events', 'events.jsonl'));
        const events = readEventLog(lines);
        const n = events.length;
        expect(run.stderr()).toContain(`live stream: the server has all ${n} events`);
        expect(from, 'the viewer resumed mid-run').toBeLessThan(n);
        const chain = await waitText(page, '#live-chain', new RegExp(`${n} events checked as they arrived: the chain is intact`), 60_000);
        expect(chain).toContain(`${events.at(-1)!.hash} at seq ${n}`);
        const seqs = await listedSeqs(page, '#live-events');
        expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        expect(await page.locator('#live-events li.bad, #live-events li.unchecked').count()).toBe(0);
        await waitText(page, '#live-status', /^in progress the run has finished; waiting for its pack/, 10_000);
        await shoot(page, '3-live-finished');

        const sub = runCli(['bench', 'submit', join(out, 'capsulepack.tgz'), '--server', url, '--wait']);
        expect(sub.code, sub.stderr + sub.stdout).toBe(0);
        expect(sub.stdout.trim().split('\n').at(-1)).toBe(`accepted (community): ${url}/api/runs/${runId}`);
        const status = await waitText(page, '#live-status', /accepted|rejected/, 60_000);
        expect(status).toBe('accepted (community) — the server verified this run\'s pack');
        expect(await textOf(page, 'main')).toContain('(live stream consistent with the pack\'s events)');
        await shoot(page, '3-live-accepted');
        board.push({ runId, track: 'baseline_no_accel' });
        streamedOut = out;
      });
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 300_000);

  it('a pack with one byte of a measured time changed is rejected on /submit with the CLI verifier\'s code', async () => {
    const made = join(TMP, 'to-tamper');
    await makePack(made, { workloadId: 'fib_v1', log2Rows: 10 });
    const { tgz, before, after } = await tamperMeasuredTime(readFileSync(join(made, 'capsulepack.tgz')));
    expect(after).not.toBe(before);
    const path = join(TMP, 'tampered.capsulepack.tgz');
    writeFileSync(path, tgz);
    const cli = runCli(['bench', 'verify', path, '--json']);
    expect(cli.code, cli.stderr).toBe(1);
    const report = JSON.parse(cli.stdout) as { status: string; code: string };
    expect(report).toMatchObject({ status: 'rejected', code: 'E152_MEASUREMENTS_HASH_MISMATCH' });

    await withPage('4-tampered', async (page) => {
      await page.goto(`${url}/submit`);
      await page.locator('#submit-file').setInputFiles(path);
      await waitText(page, 'form[aria-label="Submit a capsulepack"]', /tampered\.capsulepack\.tgz, \d/, 5_000);
      await shoot(page, '4-tampered-chosen');
      await page.locator('form[aria-label="Submit a capsulepack"] button[type="submit"]').click();
      const code = await waitText(page, '#submit-code', /^E\d{3}_/, 120_000);
      expect(code.split(' ')[0]).toBe(report.code);
      expect(await page.locator('#submit-code strong.code').textContent()).toBe(report.code);
      expect(await textOf(page, '#submit-status')).toMatch(/^Status: rejected — the pack failed verification$/);
      const failed = await page.locator('#submit-checks li:has(.mark.bad)').allTextContents();
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.join('\n')).toContain(report.code);
      expect(new URL(page.url()).searchParams.get('id')).toMatch(/^sub_[0-9a-f]{24}$/);
      await shoot(page, '4-tampered-rejected');
    });
  }, 240_000);

  it('replays a local pack (chain intact, head matches the capsule, scrubbable) and a run on the board', async () => {
    expect(board.length, 'earlier tests put runs on the board').toBeGreaterThan(0);
    const local = streamedOut ? join(streamedOut, 'capsulepack.tgz') : undefined;
    expect(local && existsSync(local), 'test 3 left its pack').toBeTruthy();
    const files = await packFiles(readFileSync(local!));
    const events = readEventLog(files.get('events/events.jsonl')!);
    const head = packJson(files, 'capsule.json').benchmark.events_chain_head as string;
    const n = events.length;
    const artifact = events.find((e) => e.event.type === 'proof_artifact')!;

    await withPage('5-replay', async (page) => {
      await page.goto(`${url}/replay`);
      await page.locator('#replay-file').setInputFiles(local!);
      const result = await waitText(page, '#chain-result', /chain intact|E\d{3}_/, 30_000);
      expect(result).toBe(`chain intact, head matches the capsule: ${n} events, head ${head} at proof_artifact (seq ${artifact.event.seq})`);
      expect(await page.locator('#chain-result').getAttribute('class')).toContain('ok');
      const scrub = page.locator('input[type="range"]#scrub');
      expect(await scrub.getAttribute('max')).toBe(String(n));
      expect(await textOf(page, 'label[for="scrub"]')).toBe(`Event 1 of ${n}: run_started`);
      await shoot(page, '5-replay-file');
      // Moving the scrubber steps the run's state to that event.
      const k = artifact.event.seq;
      await scrub.fill(String(k));
      expect(await textOf(page, 'label[for="scrub"]')).toBe(`Event ${k} of ${n}: proof_artifact`);
      expect(JSON.parse(await textOf(page, 'main pre'))).toMatchObject({ seq: k, type: 'proof_artifact' });
      expect(await textOf(page, 'main')).toContain('the head the capsule sealed');
      await scrub.focus();
      await page.keyboard.press('ArrowRight');
      expect(await textOf(page, 'label[for="scrub"]')).toBe(`Event ${k + 1} of ${n}: ${events[k]!.event.type}`);
      expect(JSON.parse(await textOf(page, 'main pre'))).toMatchObject({ seq: k + 1 });
      await shoot(page, '5-replay-scrubbed');

      // A run on the board, from the URL.
      const { runId } = board[0]!;
      const receipt = await api<{ capsule: { benchmark: { events_chain_head: string } } }>(`/api/runs/${runId}`);
      const bytes = new Uint8Array(await (await fetch(`${url}/api/runs/${runId}/events`)).arrayBuffer());
      const boardEvents = readEventLog(bytes);
      await page.goto(`${url}/replay?run=${runId}`);
      const fromRun = await waitText(page, '#chain-result', /chain intact|E\d{3}_/, 30_000);
      expect(fromRun).toContain(`chain intact, head matches the capsule: ${boardEvents.length} events, head ${receipt.capsule.benchmark.events_chain_head}`);
      expect(await page.locator('#replay-run').inputValue()).toBe(runId);
      await page.locator('#scrub').fill(String(boardEvents.length));
      expect(await textOf(page, 'label[for="scrub"]')).toBe(`Event ${boardEvents.length} of ${boardEvents.length}: ${boardEvents.at(-1)!.event.type}`);
      expect(new URL(page.url()).searchParams.get('at')).toBe(String(boardEvents.length));
      await shoot(page, '5-replay-run');
    });
  }, 120_000);

  it('every control on every page is labelled, the skip link moves the focus, and a size that will not fit is refused before it starts', async () => {
    await withPage('6-keyboard', async (page) => {
      const { runId } = board[0]!;
      for (const path of ['/', '/prove', '/replay', `/replay?run=${runId}`, '/compare', `/compare?a=${runId}&b=${board[1]!.runId}`, '/submit', `/runs/${runId}`]) {
        await page.goto(`${url}${path}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        // A control is named by a <label>, aria-label(ledby), or (a button) its text.
        const unnamed = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('main input, main select, main textarea, main button')]
          .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent?.trim())))
          .map((el) => el.outerHTML.slice(0, 120)));
        expect(unnamed, `${path}: controls without a name`).toEqual([]);
      }
      await page.goto(`${url}/`);
      await page.locator('main h1').waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id), 'Enter on the skip link focuses the page content').toBe('app');
      // Following a link moves the focus to the new page's content.
      await page.locator('header nav a', { hasText: 'Replay' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('main h1', { hasText: 'Replay' }).waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'app');

      // 2^22 rows of the 14-column agent workload cannot fit a page: refused before anything starts.
      await page.goto(`${url}/prove?workload=agent_log_v1&size=22&engine=wasm`);
      const note = await waitText(page, '#fit-note', /need about [\d.]+ GiB while proving; this page can hold about [\d.]+ GiB/, 30_000);
      expect(note).toContain('2^22 rows of agent_log_v1 (14 columns)');
      expect(await page.locator('#prove-button').isDisabled()).toBe(true);
      await page.locator('#size').selectOption('10');
      expect(await page.locator('#prove-button').isDisabled()).toBe(false);
      expect(await textOf(page, '#fit-note')).toBe('');
      await shoot(page, '6-keyboard-fit');
    });
  }, 120_000);
});
