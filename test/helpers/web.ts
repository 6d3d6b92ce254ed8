// The web app end to end (test/web.test.ts): the app built with Vite as `npm run build` builds it,
// `capseal serve` started from source on a free loopback port, Debian's Chromium driven by
// Playwright (SwiftShader for WebGPU), a watch on each page for script errors and CSP violations,
// screenshots at a desktop and a phone size, and the library's own proof of a pack's statement, made
// again in Node on the CPU backend, to compare with the proof a browser made.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { planSeal, statementFor, withAnchors } from '../../src/capsule/seal.js';
import { jcsHash } from '../../src/capsule/spec.js';
import { manifestPath, MANIFESTS, type ManifestKind } from '../../src/capsulebench/manifests.js';
import { readPackArchive, writePackArchive } from '../../src/capsulebench/pack-archive.js';
import { parseBenchmarkPolicy } from '../../src/capsulebench/policy.js';
import { policyOptions, RUN_ANCHORS } from '../../src/capsulebench/runner.js';
import { WORKLOADS } from '../../src/capsulebench/workloads.js';
import { sha256Hex } from '../../src/hash/digest.js';
import { encodeProof } from '../../src/stark/codec.js';
import { prove } from '../../src/prover/prover.js';
import { Kernels } from '../../src/wasm/kernels.js';
import { startCli, waitFor, type CliProcess } from './cli.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Debian's chromium, never a browser Playwright would download. */
export const CHROMIUM = '/usr/bin/chromium';
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader', '--no-sandbox'];
/** No WebGPU flags: navigator.gpu finds no adapter in headless Chromium. */
export const PLAIN_ARGS = ['--no-sandbox'];
export const gpuRequired = process.env['CAPSEAL_REQUIRE_GPU'] === '1';
export const SHOTS = join(REPO, 'test-results', 'web');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Builds demo/ into `outDir` (served with `capseal serve --web`), so the pages tested are the current sources whatever dist/demo holds. */
export async function buildWebApp(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(REPO, 'demo', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

/** A port free on 127.0.0.1 now (the server is restarted on it, so it is chosen here, not by the server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Serve {
  proc: CliProcess;
  url: string;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `capseal serve --port <port> --data <dir> --web <webDir>` from source; resolves once it prints its URL. */
export async function startServe(port: number, dataDir: string, webDir: string): Promise<Serve> {
  const proc = startCli(['serve', '--port', String(port), '--data', dataDir, '--workers', '1', '--web', webDir]);
  const url = await waitFor(proc, () => proc.stdout().includes('\n'), 120_000).then(() => proc.stdout().trim(), (e: unknown) => {
    proc.child.kill('SIGKILL');
    throw e;
  });
  if (url !== `http://127.0.0.1:${port}`) {
    proc.child.kill('SIGKILL');
    throw new Error(`serve printed ${JSON.stringify(url)}; stderr: ${proc.stderr()}`);
  }
  return {
    proc, url,
    async stop() {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.child.exitCode;
      proc.child.kill('SIGTERM');
      const killer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
      try {
        return await proc.exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/**
 * What went wrong in a page: uncaught errors, console errors (those a test expects, such as a
 * WebSocket that cannot connect while the server restarts, are allowed by pattern) and CSP violations
 * (never allowed).
 */
export class PageWatch {
  readonly problems: string[] = [];
  readonly allowed: string[] = [];
  #allow: RegExp[] = [];

  constructor(page: Page) {
    page.on('pageerror', (e) => this.problems.push(`page error: ${e.stack ?? e.message}`));
    page.on('console', (m) => this.#console(m));
    page.on('crash', () => this.problems.push('the page crashed'));
  }

  /** Console errors matching `re` are expected from now on (they are recorded, not failures). */
  allow(re: RegExp): void {
    this.#allow.push(re);
  }

  #console(m: ConsoleMessage): void {
    const text = m.text();
    const csp = /Content[ -]Security[ -]Policy|securitypolicyviolation|Refused to (load|execute|connect|create|apply|compile|evaluate|frame)/i.test(text);
    if (csp) this.problems.push(`CSP violation: ${text}`);
    else if (m.type() === 'error') (this.#allow.some((re) => re.test(text)) ? this.allowed : this.problems).push(`console error: ${text} (${m.location().url})`);
  }
}

/** A fresh context (desktop viewport) and page with a PageWatch; CSP violations are logged as console errors by the page itself too. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return { context, page, watch: new PageWatch(page) };
}

/** Saves `<name>-desktop.png` (1280×900, full page) and `<name>-phone.png` (390×844, full page); the page is left at the desktop size. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** The text of `selector` now ('' when absent): no waiting. */
export const textOf = (page: Page, selector: string): Promise<string> => page.evaluate((sel) => document.querySelector(sel)?.textContent ?? '', selector);

/** Waits until `selector`'s text matches `re`; on timeout the error says what the element held. Returns the text. */
export async function waitText(page: Page, selector: string, re: RegExp, timeout = 60_000): Promise<string> {
  try {
    await page.waitForFunction(([sel, src, flags]) => new RegExp(src, flags).test(document.querySelector(sel)?.textContent ?? ''), [selector, re.source, re.flags] as const, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`${selector} never matched ${re} within ${timeout / 1000} s; it holds: ${JSON.stringify((await textOf(page, selector)).slice(0, 2000))} (${e instanceof Error ? e.message.split('\n')[0] : e})`);
  }
  return textOf(page, selector);
}

const utf8 = new TextDecoder();

/** A pack's files, from its .tgz bytes, as a path → bytes map (every file below capsulepack/). */
export async function packFiles(tgz: Uint8Array): Promise<Map<string, Uint8Array>> {
  const files = await readPackArchive(tgz);
  const out = new Map<string, Uint8Array>();
  for (const e of await files.list()) if (e.kind === 'file') out.set(e.path, (await files.read(e.path, 256 << 20))!);
  return out;
}

export const packJson = (files: Map<string, Uint8Array>, path: string): any => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const b = files.get(path);
  if (!b) throw new Error(`the pack holds no ${path}`);
  return JSON.parse(utf8.decode(b));
};

/** The pack with one decimal digit of a measured prove time changed: a one-byte edit that keeps the JSON well formed. */
export async function tamperMeasuredTime(tgz: Uint8Array): Promise<{ tgz: Uint8Array; before: string; after: string }> {
  const files = await packFiles(tgz);
  const path = 'measurements/measurements.json';
  const text = utf8.decode(files.get(path)!);
  const m = /"prove_us":\s*(\d+)/.exec(text.slice(text.indexOf('"runs"')));
  if (!m) throw new Error(`${path} has no measured prove_us`);
  const at = text.indexOf('"runs"') + m.index + m[0].length - 1; // the last digit of the first measured run's time
  const digit = text[at]!;
  const edited = text.slice(0, at) + String((Number(digit) + 1) % 10) + text.slice(at + 1);
  files.set(path, new TextEncoder().encode(edited));
  return { tgz: await writePackArchive(files), before: m[0], after: edited.slice(at - m[0].length + 1, at + 1) };
}

export interface Reproved {
  /** The proof file of the pack. */
  packProof: Uint8Array;
  /** The library's proof of the same statement, made here on the CPU backend. */
  nodeProof: Uint8Array;
  /** The statement hash the Node proof was bound to (computed from the rebuilt plan and its trace root). */
  statementHash: string;
  /** What the pack's capsule says. */
  capsuleStatementHash: string;
  /** Anchors recomputed here (not copied from the capsule), with the capsule's values. */
  recomputed: Record<string, [here: string, capsule: string]>;
  proofPath: string;
  backendDescription: string;
}

/**
 * Proves a pack's statement again in Node, as src/capsulebench/runner.ts does: the workload's input
 * from the policy's suite seed, the plan (trace, AIR, options) from planSeal with the policy's proof
 * options, the anchors (those a browser cannot be asked again — its git commit, runner and build
 * hash — from the capsule, the rest recomputed from the pack's files), and the statement hash made
 * from that plan and the trace root inside the prover, on a fresh CPU backend.
 */
export async function reproveInNode(tgz: Uint8Array): Promise<Reproved> {
  const files = await packFiles(tgz);
  const capsule = packJson(files, 'capsule.json');
  const meta = packJson(files, 'pack_meta.json');
  const policyBytes = files.get('policy.json')!;
  const policy = parseBenchmarkPolicy(policyBytes);
  const workload = WORKLOADS.get(meta.workload_id);
  if (!workload) throw new Error(`unknown workload ${meta.workload_id}`);
  const seed = { suiteSeedHex: policy.suite.suite_seed_hex, workloadId: workload.id, log2Rows: meta.log2_rows as number };
  const bare = planSeal({ adapter: workload.adapter, input: workload.input(seed), policyBytes, options: policyOptions(policy) });
  const fromCapsule = capsule.statement.anchors as Record<string, string>;
  const recomputedHere: Record<string, string> = {
    workload_id: meta.workload_id, track_id: meta.track_id, workload_input_hash: workload.inputHash(seed),
    ...Object.fromEntries((Object.keys(MANIFESTS) as ManifestKind[]).map((k) => [MANIFESTS[k].anchor, sha256Hex(files.get(manifestPath(k))!)])),
  };
  const given = Object.fromEntries(RUN_ANCHORS.map((k) => [k, recomputedHere[k] ?? fromCapsule[k]!]));
  const plan = withAnchors(bare, given);
  const entry = Object.values(capsule.proofs as Record<string, { formats: { bin: { path: string } }; backend: { description: string } }>)[0]!;
  const k = await Kernels.load();
  const cpu = await CpuBackend.create();
  let statementHash = '';
  try {
    const proved = await prove(k, cpu, {
      air: plan.air, trace: plan.trace, publicInputs: plan.publicInputBytes, options: plan.options,
      statementHash: (root) => hexToBytes((statementHash = jcsHash(statementFor(plan, root)))),
    });
    return {
      packProof: files.get(entry.formats.bin.path)!, nodeProof: encodeProof(proved.proof), statementHash, capsuleStatementHash: capsule.statement_hash,
      recomputed: Object.fromEntries(Object.entries(recomputedHere).map(([key, v]) => [key, [v, fromCapsule[key]!]])),
      proofPath: entry.formats.bin.path, backendDescription: entry.backend.description,
    };
  } finally {
    await cpu.destroy();
  }
}

/** The seqs an event list shows (`#12` each), in page order. */
export async function listedSeqs(page: Page, listSelector: string): Promise<number[]> {
  return page.locator(`${listSelector} li code.seq`).evaluateAll((els) => els.map((e) => Number((e.textContent ?? '').replace('#', ''))));
}
