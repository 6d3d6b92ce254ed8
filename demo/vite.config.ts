// The web app (demo/): built into dist/demo/ by `npm run build`, served by `capseal serve` on the
// API's origin. It imports the library from ../src, the same prover, pack and verifier code as the CLI.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageJson = (dir: string): { version: string; dependencies?: Record<string, string> } => JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));

/** The code the page runs: the bundle's scripts (workers included), and no page markup or styles. */
const isCode = (name: string): boolean => name.endsWith('.js') || name.endsWith('.wasm');

/** The npm packages whose code is in the bundle (the page's and its workers'), gathered as each is built. */
const bundled = new Set<string>();

function collectPackages(): Plugin {
  return {
    name: 'capseal-bundled-packages',
    generateBundle(_options, bundle) {
      for (const f of Object.values(bundle))
        if (f.type === 'chunk') for (const id of f.moduleIds) {
          const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id.replace(/\\/g, '/'));
          if (m) bundled.add(m[1]!);
        }
    },
  };
}

/**
 * Emits build-info.json, the browser's counterpart of the toolchain manifest: capseal's version, the
 * installed versions of the packages bundled into the page, and every code file of the bundle with
 * its SHA-256 (their JCS hash is the page's build_hash). Workers are built before the page's bundle
 * is written, so their packages are in by then.
 */
function buildInfo(): Plugin {
  return {
    name: 'capseal-build-info',
    generateBundle(_options, bundle) {
      const pkg = packageJson(root);
      const dependencies = Object.fromEntries([...bundled].sort().map((d) => [d, packageJson(`${root}/node_modules/${d}`).version]));
      const files = Object.values(bundle)
        .filter((f) => isCode(f.fileName))
        .map((f) => ({ path: f.fileName, sha256: createHash('sha256').update(f.type === 'chunk' ? f.code : f.source).digest('hex') }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.emitFile({ type: 'asset', fileName: 'build-info.json', source: JSON.stringify({ version: pkg.version, dependencies, files }) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  plugins: [collectPackages(), buildInfo()],
  build: {
    outDir: fileURLToPath(new URL('../dist/demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
  },
  worker: { format: 'es', plugins: () => [collectPackages()] },
  server: { host: '127.0.0.1', fs: { allow: [root] } },
});
