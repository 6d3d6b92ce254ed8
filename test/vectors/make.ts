// Regenerates the golden proof vectors next to this file: `npx tsx test/vectors/make.ts`.
// Run it only for a deliberate change of the proof format or of the protocol (see README.md).
import { writeFileSync } from 'node:fs';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { encodeProof } from '../../src/stark/codec.js';
import { Kernels } from '../../src/wasm/kernels.js';
import { GOLDEN, jsonText, proveFib } from './fib-test.js';

const k = await Kernels.load();
const backend = await CpuBackend.create();
try {
  const proof = await proveFib(k, backend, GOLDEN.logN, GOLDEN.options);
  const bin = encodeProof(proof);
  const json = jsonText(proof);
  writeFileSync(new URL('./fib-test-proof.bin', import.meta.url), bin);
  writeFileSync(new URL('./fib-test-proof.json', import.meta.url), json);
  console.log(`fib-test-proof.bin: ${bin.length} bytes; fib-test-proof.json: ${json.length} bytes`);
} finally {
  await backend.destroy();
}
