// Benchmarks of the CPU core: `npm run bench -- <name> [--log-n N] [--backend cpu] [--json]`.
// Each prints one result per line (JSON with --json): median and spread over timed runs.
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { createNodeCpuBackend } from '../src/backend/cpu/node.js';
import { forwardNtt } from '../src/ntt/ntt.js';
import { Kernels } from '../src/wasm/kernels.js';
import { hashPairs } from '../src/hash/leaves.js';
import { buildMerkleTree } from '../src/merkle/tree.js';
import { fingerprint, patternColumns, splitmixColumn } from './inputs.js';
import { stats, time, report, progress } from './measure.js';
import { buildNative, runNative, NATIVE_FLAGS } from './native.js';

const BENCHES = ['ntt', 'lde', 'leaves', 'merkle', 'ntt-native'] as const;

const Options = z.object({
  logN: z.number().int().min(1).max(26).optional(),
  backend: z.enum(['cpu'], { message: "only the 'cpu' backend exists so far" }),
  cols: z.number().int().min(1).max(1024).optional(),
  blowup: z.number().refine((v) => [2, 4, 8, 16].includes(v), 'must be 2, 4, 8 or 16'),
  threads: z.number().int().min(1).max(256).optional(),
  runs: z.number().int().min(1).max(1000),
  json: z.boolean(),
});
type Options = z.infer<typeof Options>;

const integer = (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
};

const device = `${process.platform}-${process.arch}, node ${process.versions.node}`;

async function benchNtt(o: Options) {
  const logN = o.logN ?? 20;
  const k = await Kernels.load();
  const col = splitmixColumn(2 ** logN);
  progress(`ntt: 2^${logN} elements, one column, one thread`);
  const s = await time(() => forwardNtt(k, [col]), o.runs);
  report(o.json, { bench: 'ntt', log_n: logN, backend: 'cpu', threads: 1, ...s, device });
}

async function withBackend(o: Options, fn: (b: Awaited<ReturnType<typeof createNodeCpuBackend>>) => Promise<void>) {
  const backend = await createNodeCpuBackend(o.threads === undefined ? {} : { threads: o.threads });
  try {
    await fn(backend);
  } finally {
    await backend.destroy();
  }
}

async function benchLde(o: Options) {
  const logN = o.logN ?? 16, cols = o.cols ?? 64;
  await withBackend(o, async (b) => {
    const m = await b.upload(patternColumns(cols, 2 ** logN));
    progress(`lde: 2^${logN} rows × ${cols} columns, blowup ${o.blowup}, ${b.description}`);
    const s = await time(async () => b.release(await b.lde(m, { blowup: o.blowup })), o.runs, 1);
    const elems = 2 ** logN * cols * o.blowup;
    report(o.json, { bench: 'lde', log_n: logN, backend: 'cpu', cols, blowup: o.blowup, threads: b.threads, ...s,
      out_melem_per_s: Math.round(elems / 1e3 / s.median_ms), device });
  });
}

async function benchLeaves(o: Options) {
  const logN = o.logN ?? 20, cols = o.cols ?? 8;
  await withBackend(o, async (b) => {
    const m = await b.upload(patternColumns(cols, 2 ** logN));
    progress(`leaves: BLAKE3 of 2^${logN} rows × ${cols} columns, ${b.description}`);
    const s = await time(() => b.hashRows(m), o.runs);
    report(o.json, { bench: 'leaves', log_n: logN, backend: 'cpu', cols, threads: b.threads, ...s,
      mb_per_s: Math.round((2 ** logN * cols * 8) / 1e3 / s.median_ms), device });
  });
}

async function benchMerkle(o: Options) {
  const logN = o.logN ?? 20;
  const k = await Kernels.load();
  const leaves = new Uint8Array(new BigUint64Array(patternColumns(1, 2 ** logN * 4)[0]!).buffer);
  progress(`merkle: tree over 2^${logN} leaf digests, one thread`);
  const s = await time(() => buildMerkleTree(leaves, (children) => hashPairs(k, children)), o.runs);
  report(o.json, { bench: 'merkle', log_n: logN, backend: 'cpu', threads: 1, ...s, device });
}

/** Ours vs the native C radix-2 NTT on the same column, alternating rounds in one process run. */
async function benchNttNative(o: Options): Promise<number> {
  const logN = o.logN ?? 20;
  const bin = buildNative();
  const k = await Kernels.load();
  const col = splitmixColumn(2 ** logN);
  progress(`ntt-native: 2^${logN}, one column, one thread; native = cc ${NATIVE_FLAGS.join(' ')}`);
  const ours: number[] = [];
  const native: number[] = [];
  let nativeFp = '';
  const rounds = 3, perRound = Math.max(1, Math.ceil(o.runs / rounds));
  forwardNtt(k, [col]); // warm up: JIT tiers, twiddle tables
  for (let r = 0; r < rounds; r++) {
    const n = runNative(bin, logN, perRound + 1);
    native.push(...n.times_ms.slice(1));
    nativeFp = n.fingerprint;
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      forwardNtt(k, [col]);
      ours.push(performance.now() - t0);
    }
  }
  const ourFp = fingerprint(forwardNtt(k, [col])[0]!).toString();
  if (ourFp !== nativeFp) {
    process.stderr.write(`error: outputs differ (fingerprints: ours ${ourFp}, native ${nativeFp})\n`);
    return 1;
  }
  const a = stats(ours), b = stats(native);
  report(o.json, { bench: 'ntt', log_n: logN, backend: 'cpu', threads: 1, ...a, device });
  report(o.json, { bench: 'ntt-native', log_n: logN, backend: 'native-c', threads: 1, ...b, device });
  report(o.json, { bench: 'ntt-ratio', log_n: logN, ratio: Math.round((a.median_ms / b.median_ms) * 1000) / 1000,
    ours_median_ms: a.median_ms, native_median_ms: b.median_ms, outputs_equal: true, device });
  return 0;
}

/** A runner resolves to an exit code (1: a check failed) or nothing (ok). */
const RUNNERS: Record<(typeof BENCHES)[number], (o: Options) => Promise<number | void>> = {
  ntt: benchNtt, lde: benchLde, leaves: benchLeaves, merkle: benchMerkle, 'ntt-native': benchNttNative,
};

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .description('CPU core benchmarks: median and spread over timed runs')
    .argument('<name>', `one of: ${BENCHES.join(', ')}`)
    .option('--log-n <N>', 'log2 of the size (rows, elements or leaves)', integer)
    .option('--backend <kind>', 'backend to measure', 'cpu')
    .option('--cols <N>', 'matrix width (lde: 64, leaves: 8)', integer)
    .option('--blowup <N>', 'LDE blowup factor', integer, 8)
    .option('--threads <N>', 'worker threads (default: one per core)', integer)
    .option('--runs <N>', 'timed runs after warm-up', integer, 7)
    .option('--json', 'one JSON object per line on stdout', false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    return (e as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const name = program.args[0]!;
  if (!(BENCHES as readonly string[]).includes(name)) {
    process.stderr.write(`error: unknown benchmark '${name}' (expected one of: ${BENCHES.join(', ')})\n`);
    return 2;
  }
  const parsed = Options.safeParse(program.opts());
  if (!parsed.success) {
    const flag = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    process.stderr.write(`error: ${parsed.error.issues.map((i) => `${flag(i.path[0]!)}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  return (await RUNNERS[name as (typeof BENCHES)[number]](parsed.data)) ?? 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
