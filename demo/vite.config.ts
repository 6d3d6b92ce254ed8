// The web app (demo/): built into dist/demo/ by `npm run build`, served by `capseal serve` on the
// API's origin. It imports the library from ../src, the same prover, pack and verifier code as the CLI.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Emits build-files.json: every file of the bundle with its SHA-256, the browser's counterpart of the
 * toolchain manifest's build files (its JCS hash is the page's build_hash).
 */
function buildFiles(): Plugin {
  return {
    name: 'capseal-build-files',
    generateBundle(_options, bundle) {
      const files = Object.values(bundle)
        .filter((f) => f.fileName.endsWith('.js') || f.fileName.endsWith('.wasm'))
        .map((f) => ({ path: f.fileName, sha256: createHash('sha256').update(f.type === 'chunk' ? f.code : f.source).digest('hex') }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.emitFile({ type: 'asset', fileName: 'build-files.json', source: JSON.stringify(files) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  plugins: [buildFiles()],
  build: {
    outDir: fileURLToPath(new URL('../dist/demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
