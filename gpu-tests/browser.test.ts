// The kernel cases (./cases.ts) in headless Chromium on its own WebGPU (SwiftShader), driven by
// Playwright through the page in ./browser/, which a Vite dev server serves from the sources.
// Without Chromium or an adapter they skip, unless CAPSEAL_REQUIRE_GPU=1, where that is a failure.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { requireGpu } from './adapter.js';
import type { CapsealPage } from './browser/main.js';
import { CASES } from './cases.js';

// Debian's chromium, never a browser Playwright would download.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader', '--no-sandbox'];

let server: ViteDevServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let ready = false;
let unavailable = '';

/** Calls window.capseal[method] in the page. */
function call<K extends keyof CapsealPage>(p: Page, method: K, ...args: Parameters<CapsealPage[K]>): Promise<Awaited<ReturnType<CapsealPage[K]>>> {
  return p.evaluate(([m, a]) => (window.capseal[m] as (...x: unknown[]) => unknown)(...a), [method, args] as const) as never;
}

// The first load transforms every source module, and SwiftShader compiles pipelines slowly.
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    unavailable = `${CHROMIUM} is missing (apt install chromium)`;
    console.log(`gpu-tests (chromium): no browser (${unavailable})`);
    return;
  }
  server = await createServer({
    configFile: false, // the repo's vite.config.ts configures vitest, not this page
    root: fileURLToPath(new URL('./browser', import.meta.url)),
    logLevel: 'warn',
    // The page imports src/ and test/ from outside its root; @noble/hashes is ESM and needs no prebundling.
    server: { host: '127.0.0.1', port: 0, fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] }, watch: null },
    optimizeDeps: { noDiscovery: true },
  });
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.setDefaultTimeout(0);
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`chromium console: ${m.text()}`);
  });
  page.on('pageerror', (e) => console.error(`chromium page error: ${e.stack ?? e.message}`));
  // 127.0.0.1 is a secure context, which navigator.gpu requires.
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'capseal' in window);
  const init = await call(page, 'init');
  if ('error' in init) {
    unavailable = init.error;
    console.log(`gpu-tests (chromium): no GPU (${unavailable})`);
    return;
  }
  ready = true;
  console.log(`gpu-tests (chromium): adapter ${init.adapter}`);
}, 300_000);

afterAll(async () => {
  if (ready && page) await call(page, 'destroy');
  await browser?.close();
  await server?.close();
});

describe('GPU kernels match the CPU byte for byte (chromium)', () => {
  for (const c of CASES)
    it(c.name, async (t) => {
      const result = await call(requireGpu((ready && page) || unavailable, t), 'run', c.name);
      if (!result.ok) throw new Error(result.error);
    });
});
