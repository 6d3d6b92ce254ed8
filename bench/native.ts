// The native yardstick: builds bench/native/ntt_radix2.c with the system C compiler
// (`cc -O3 -march=native`, cached by source hash under bench/native/build/) and runs it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

// bench/native/ beside this file when run from source (tsx), or ../../bench/native/ from dist/bench/.
const NATIVE_DIR = ['./native/', '../../bench/native/']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((dir) => existsSync(`${dir}ntt_radix2.c`));

export const NATIVE_FLAGS = ['-O3', '-march=native'];

export function buildNative(): string {
  if (!NATIVE_DIR) throw new Error('bench/native/ntt_radix2.c not found (run from a CapSeal checkout)');
  const source = `${NATIVE_DIR}ntt_radix2.c`;
  const buildDir = `${NATIVE_DIR}build/`;
  const src = readFileSync(source);
  const tag = createHash('sha256').update(src).update(NATIVE_FLAGS.join(' ')).digest('hex').slice(0, 12);
  const bin = `${buildDir}ntt_radix2-${tag}`;
  if (!existsSync(bin)) {
    mkdirSync(buildDir, { recursive: true });
    try {
      execFileSync(process.env.CC ?? 'cc', [...NATIVE_FLAGS, '-o', bin, source], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch {
      throw new Error('could not build the native yardstick: a C compiler (cc, or $CC) is required');
    }
  }
  return bin;
}

const NativeOutput = z.object({ times_ms: z.array(z.number()).min(1), fingerprint: z.string().regex(/^\d+$/) });

export function runNative(bin: string, logN: number, runs: number): z.infer<typeof NativeOutput> {
  const out = execFileSync(bin, [String(logN), String(runs)], { encoding: 'utf8' });
  return NativeOutput.parse(JSON.parse(out));
}
