// Regenerates docs/conformance/ (all but its README.md): `npx tsx test/conformance/make.ts`.
// Run it only for a deliberate change of a format or of the protocol: test/conformance.test.ts
// fails while the committed vectors differ from what the code makes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernels } from '../../src/wasm/kernels.js';
import { generateConformance } from './generate.js';

const root = fileURLToPath(new URL('../../docs/conformance/', import.meta.url));
const files = await generateConformance(await Kernels.load());
mkdirSync(root, { recursive: true });
for (const entry of readdirSync(root)) if (entry !== 'README.md') rmSync(join(root, entry), { recursive: true });
for (const [path, bytes] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
}
console.log(`docs/conformance: ${files.size} files`);
