// The native yardstick: builds bench/native/ntt_radix2.c with the system C compiler
// (`cc -O3 -march=native`, cached by source hash under bench/native/build/) and runs it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const SOURCE = fileURLToPath(new URL('./native/ntt_radix2.c', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('./native/build/', import.meta.url));

export const NATIVE_FLAGS = ['-O3', '-march=native'];

export function buildNative(): string {
  const src = readFileSync(SOURCE);
  const tag = createHash('sha256').update(src).update(NATIVE_FLAGS.join(' ')).digest('hex').slice(0, 12);
  const bin = `${BUILD_DIR}ntt_radix2-${tag}`;
  if (!existsSync(bin)) {
    mkdirSync(BUILD_DIR, { recursive: true });
    try {
      execFileSync(process.env.CC ?? 'cc', [...NATIVE_FLAGS, '-o', bin, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
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
