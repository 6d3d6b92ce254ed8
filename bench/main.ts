// Performance benchmarks: `npm run perf -- <name> [options]` (or `capseal perf`); `--help` lists the options
// each benchmark takes, and an option it does not take is a usage error. Each prints one result per
// line (JSON with --json): median and spread over timed runs; on the GPU also the kernel time from
// timestamp queries. gpu-vs-cpu runs both backends on the same inputs in one process run, checks
// that their outputs are identical (for prove: the proof bytes), and prints the speedup. server is a
// load test of the leaderboard server (bench/server-load.ts): one record of counts, throughput and
// latency percentiles.
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { Backend, Matrix } from '../src/backend/backend.js';
import { BACKEND_CHOICES } from '../src/backend/scheduler.js';
import { GpuUnavailableError } from '../src/gpu/errors.js';
import { NO_GPU_HINT } from '../src/cli/io.js';
import { forwardNtt } from '../src/ntt/ntt.js';
import { DEFAULT_SECURITY_BITS } from '../src/stark/options.js';
import { Kernels } from '../src/wasm/kernels.js';
import { openBackend, type Measured } from './backends.js';
import { encodeProof } from '../src/stark/codec.js';
import { benchProve, MIN_PROVE_LOG_N, minProveLogN, proveJob, PROVE_AIRS, PROVE_WARMUP, type ProveAir } from './prove.js';
import { fingerprint, patternColumns, splitmixColumn } from './inputs.js';
import { CheckFailed, device, median, sig3, stats, time, report, progress, type Stats } from './measure.js';
import { buildNative, runNative, NATIVE_FLAGS } from './native.js';

const BENCHES = ['ntt', 'lde', 'leaves', 'merkle', 'prove', 'ntt-native', 'gpu-vs-cpu', 'server'] as const;
type Bench = (typeof BENCHES)[number];
const OPS = ['ntt', 'lde', 'leaves', 'merkle', 'prove'] as const;
type Op = (typeof OPS)[number];

const Options = z.object({
  logN: z.number().int().min(0).max(26).optional(),
  backend: z.enum(BACKEND_CHOICES, { message: `must be one of ${BACKEND_CHOICES.join(', ')}` }),
  op: z.enum([...OPS, 'all'], { message: `must be one of ${[...OPS, 'all'].join(', ')}` }),
  air: z.enum(Object.keys(PROVE_AIRS) as [ProveAir, ...ProveAir[]], { message: `must be one of ${Object.keys(PROVE_AIRS).join(', ')}` }),
  cols: z.number().int().min(1).max(1024).optional(),
  blowup: z.number().refine((v) => [2, 4, 8, 16].includes(v), 'must be 2, 4, 8 or 16'),
  threads: z.number().int().min(1).max(256).optional(),
  runs: z.number().int().min(1).max(1000).optional(),
  // server: its own checks (bench/server-load.ts) say which sizes and databases it takes.
  submissions: z.number().int().min(1).max(10_000).optional(),
  size: z.number().int().optional(),
  workers: z.number().int().min(1).max(256).optional(),
  db: z.string().optional(),
  json: z.boolean(),
});
type Options = z.infer<typeof Options>;
type Key = keyof Options;

/** Each option as a usage line shows it, in the order usage lines list them. */
const USAGE: Record<Key, string> = {
  op: `--op ${[...OPS, 'all'].join('|')}`, air: `--air ${Object.keys(PROVE_AIRS).join('|')}`, backend: `--backend ${BACKEND_CHOICES.join('|')}`,
  logN: '--log-n N', cols: '--cols N', blowup: '--blowup 2|4|8|16', threads: '--threads N', runs: '--runs N',
  submissions: '--submissions N', size: '--size LOG2_ROWS', workers: '--workers N', db: '--db postgres://…', json: '--json',
};

/** The options each operation uses (--json: all); any other is refused rather than ignored. */
const OP_TAKES: Record<Op, readonly Key[]> = {
  ntt: ['backend', 'logN', 'cols', 'threads', 'runs'],
  lde: ['backend', 'logN', 'cols', 'blowup', 'threads', 'runs'],
  leaves: ['backend', 'logN', 'cols', 'threads', 'runs'],
  merkle: ['backend', 'logN', 'runs'], // the CPU tree is built on the calling thread
  prove: ['air', 'backend', 'logN', 'threads', 'runs'],
};

/** The options `name` takes; gpu-vs-cpu: those of its --op (every one for all), less --backend. */
function takes(name: Bench, op: Options['op']): Set<Key> {
  const keys: Key[] = name === 'ntt-native' ? ['logN', 'runs']
    : name === 'server' ? ['submissions', 'size', 'workers', 'db']
    : name === 'gpu-vs-cpu' ? ['op', ...(op === 'all' ? OPS : [op]).flatMap((x) => OP_TAKES[x]).filter((k) => k !== 'backend')]
    : [...OP_TAKES[name]];
  return new Set([...keys, 'json']);
}

const usageLine = (name: Bench): string =>
  `perf ${name} ${(Object.keys(USAGE) as Key[]).filter((k) => takes(name, 'all').has(k)).map((k) => `[${USAGE[k]}]`).join(' ')}`;

/** The smallest --log-n a benchmark runs at, where it has one. */
const minLogN = (name: Bench, o: Options): { min: number; why: string } | undefined =>
  name === 'prove' || (name === 'gpu-vs-cpu' && takes(name, o.op).has('air'))
    ? { min: minProveLogN(o.air), why: `for a proof of ${o.air} (its options reach ${DEFAULT_SECURITY_BITS} bits from 2^${minProveLogN(o.air)} rows)` }
    : name === 'ntt-native' ? { min: 1, why: 'for ntt-native' } : undefined;

const integer = (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
};

/** Timed runs when --runs is not given: 7, or 3 of a whole proof. */
const runsOf = (o: Options, op: Op | 'prove' = 'ntt'): number => o.runs ?? (op === 'prove' ? 3 : 7);

/** One operation with its inputs prepared on a backend. */
interface Prepared {
  label: string;
  fields: Record<string, string | number>;
  /** Untimed runs first. */
  warmup: number;
  /** Whether the run is one GPU operation, whose kernel time the backend reports (a proof is many). */
  kernelTimed: boolean;
  /** The timed operation. */
  run(): Promise<unknown>;
  /** The last run's output as bytes, to compare backends (untimed). */
  result(): Promise<Uint8Array>;
  dispose(): void;
}

const bytesOf = (cols: BigUint64Array[]): Uint8Array => {
  const out = new Uint8Array(cols.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of cols) out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at), (at += c.byteLength);
  return out;
};

async function prepare(b: Backend, op: Op, o: Options): Promise<Prepared> {
  const columnOp = async (logN: number, cols: number, apply: (m: Matrix) => Promise<Matrix>, label: string, fields: Prepared['fields']): Promise<Prepared> => {
    const m = await b.upload(cols === 1 ? [splitmixColumn(2 ** logN)] : patternColumns(cols, 2 ** logN));
    let last: Matrix | undefined;
    return {
      label, fields, warmup: 2, kernelTimed: true,
      async run() {
        if (last) b.release(last);
        last = await apply(m);
      },
      result: async () => bytesOf(await b.download(last!)),
      dispose() {
        if (last) b.release(last);
        b.release(m);
      },
    };
  };
  switch (op) {
    case 'ntt': {
      const logN = o.logN ?? 20, cols = o.cols ?? 1;
      return columnOp(logN, cols, (m) => b.ntt(m), `ntt: 2^${logN} × ${cols}`, { log_n: logN, cols });
    }
    case 'lde': {
      const logN = o.logN ?? 16, cols = o.cols ?? 64;
      return columnOp(logN, cols, (m) => b.lde(m, { blowup: o.blowup, order: 'bit-reversed' }),
        `lde: 2^${logN} × ${cols}, blowup ${o.blowup}, bit-reversed`, { log_n: logN, cols, blowup: o.blowup });
    }
    case 'leaves': {
      const logN = o.logN ?? 20, cols = o.cols ?? 8;
      const m = await b.upload(patternColumns(cols, 2 ** logN));
      const run = () => b.hashRows(m);
      return { label: `leaves: BLAKE3 of 2^${logN} rows × ${cols}`, fields: { log_n: logN, cols }, warmup: 2, kernelTimed: true, run, result: run, dispose: () => b.release(m) };
    }
    case 'merkle': {
      const logN = o.logN ?? 20;
      const leaves = new Uint8Array(patternColumns(1, 2 ** logN * 4)[0]!.buffer);
      const run = async () => (await b.merkleTree(leaves)).root;
      return { label: `merkle: tree over 2^${logN} leaves`, fields: { log_n: logN }, warmup: 2, kernelTimed: true, run, result: run, dispose: () => {} };
    }
    case 'prove': {
      const logN = o.logN ?? 16, job = await proveJob(o.air, logN);
      let last: Uint8Array | undefined;
      return {
        label: job.label, fields: { air: o.air, log_n: logN }, warmup: PROVE_WARMUP, kernelTimed: false,
        run: async () => (last = encodeProof((await job.run(b)).proof)),
        result: async () => last!,
        dispose: () => {},
      };
    }
  }
}

/** Wall-time stats of `p`, plus kernel-time stats when the backend reports them. */
async function measure(mb: Measured, p: Prepared, runs: number): Promise<Stats & Record<string, number>> {
  const kernel: number[] = [];
  const s = await time(async () => {
    await p.run();
    const k = p.kernelTimed ? mb.lastKernelMs() : undefined;
    if (k !== undefined) kernel.push(k);
  }, runs, p.warmup);
  const k = kernel.length ? stats(kernel.slice(-runs)) : undefined;
  return { ...s, ...(k ? { kernel_median_ms: k.median_ms, kernel_min_ms: k.min_ms, kernel_max_ms: k.max_ms } : {}) };
}

async function withBackend<T>(choice: Options['backend'], o: Options, fn: (mb: Measured) => Promise<T>): Promise<T> {
  const mb = await openBackend(choice, o.threads);
  try {
    return await fn(mb);
  } finally {
    await mb.backend.destroy();
  }
}

/** ntt | lde | leaves | merkle on the chosen backend. */
const benchOp = (op: Exclude<Op, 'prove'>) => async (o: Options): Promise<void> =>
  withBackend(o.backend, o, async (mb) => {
    const p = await prepare(mb.backend, op, o);
    try {
      progress(`${p.label}, ${mb.backend.description}`);
      const s = await measure(mb, p, runsOf(o));
      const where = mb.scheduler ? { ran_on: [...new Set(mb.scheduler.stages.map((r) => r.backend))].join('+') } : {};
      report(o.json, { bench: op, ...p.fields, ...mb.fields, ...where, ...s, device });
    } finally {
      p.dispose();
    }
  });

/** A whole proof and its verification (bench/prove.ts); default 3 proving runs. */
async function benchProveCmd(o: Options): Promise<number | void> {
  const logN = o.logN ?? 16;
  await withBackend(o.backend, o, async (mb) => {
    const r = await benchProve(mb, o.air, logN, runsOf(o, 'prove'));
    report(o.json, { bench: 'prove', air: o.air, log_n: logN, ...mb.fields, ...r, device });
  });
}

/** Both backends on the same inputs, one process run: identical outputs, then the speedup. */
async function benchGpuVsCpu(o: Options): Promise<number> {
  const ops = o.op === 'all' ? OPS : [o.op];
  let failed = 0;
  await withBackend('cpu', o, (cpu) => withBackend('gpu', o, async (gpu) => {
    for (const op of ops) {
      const [pc, pg] = [await prepare(cpu.backend, op, o), await prepare(gpu.backend, op, o)];
      try {
        progress(`${pc.label}: ${cpu.backend.description} vs ${gpu.backend.description}`);
        const c = await measure(cpu, pc, runsOf(o, op));
        const g = await measure(gpu, pg, runsOf(o, op));
        const equal = Buffer.from(await pc.result()).equals(Buffer.from(await pg.result()));
        if (!equal) {
          failed++;
          process.stderr.write(`error: ${op}: GPU and CPU outputs differ\n`);
        }
        report(o.json, {
          bench: 'gpu-vs-cpu', op, ...pc.fields, adapter: gpu.fields['adapter']!, cpu_threads: cpu.fields['threads']!,
          cpu_median_ms: c.median_ms, gpu_median_ms: g.median_ms, ...(g['kernel_median_ms'] !== undefined ? { gpu_kernel_median_ms: g['kernel_median_ms'] } : {}),
          speedup: sig3(c.median_ms / g.median_ms),
          ...(g['kernel_median_ms'] ? { kernel_speedup: sig3(c.median_ms / g['kernel_median_ms']) } : {}),
          outputs_equal: equal, runs: runsOf(o, op), device,
        });
      } finally {
        pc.dispose();
        pg.dispose();
      }
    }
  }));
  return failed ? 1 : 0;
}

/**
 * Ours vs the native C radix-2 NTT on the same column, in one process run: the --runs timed runs of
 * each are split over up to three rounds that alternate between the two, so drift hits both alike.
 */
async function benchNttNative(o: Options): Promise<void> {
  const logN = o.logN ?? 20;
  const bin = buildNative();
  const k = await Kernels.load();
  const col = splitmixColumn(2 ** logN);
  progress(`ntt-native: 2^${logN}, one column, one thread; native = cc ${NATIVE_FLAGS.join(' ')}`);
  const ours: number[] = [];
  const native: number[] = [];
  let nativeFp = '';
  const runs = runsOf(o), rounds = Math.min(3, runs);
  forwardNtt(k, [col]); // warm up: JIT tiers, twiddle tables
  for (let r = 0; r < rounds; r++) {
    const perRound = Math.floor((runs + r) / rounds); // these add up to runs
    const n = runNative(bin, logN, perRound + 1); // its first run warms up
    native.push(...n.times_ms.slice(1));
    nativeFp = n.fingerprint;
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      forwardNtt(k, [col]);
      ours.push(performance.now() - t0);
    }
  }
  const ourFp = fingerprint(forwardNtt(k, [col])[0]!).toString();
  if (ourFp !== nativeFp) throw new CheckFailed(`outputs differ (fingerprints: ours ${ourFp}, native ${nativeFp})`);
  // The ratio of the unrounded medians: at small sizes the native one rounds to 0 ms.
  if (!(median(native) > 0)) throw new Error(`2^${logN} is too small to time the native NTT; use a larger --log-n`);
  const a = stats(ours), b = stats(native);
  report(o.json, { bench: 'ntt', log_n: logN, backend: 'cpu', threads: 1, ...a, device });
  report(o.json, { bench: 'ntt-native', log_n: logN, backend: 'native-c', threads: 1, ...b, device });
  report(o.json, { bench: 'ntt-ratio', log_n: logN, ratio: sig3(median(ours) / median(native)),
    ours_median_ms: a.median_ms, native_median_ms: b.median_ms, outputs_equal: true, device });
}

/** A runner resolves to an exit code (1: a check failed) or nothing (ok). */
const RUNNERS: Record<Bench, (o: Options) => Promise<number | void>> = {
  ntt: benchOp('ntt'), lde: benchOp('lde'), leaves: benchOp('leaves'), merkle: benchOp('merkle'), prove: benchProveCmd,
  'ntt-native': benchNttNative, 'gpu-vs-cpu': benchGpuVsCpu,
  // Loaded when it runs: the server, its databases and the runner would add ~0.5 s to every other benchmark's start.
  server: async (o) => (await import('./server-load.js')).benchServer(o),
};

/** The flag of an option key: logN → --log-n. */
const flag = (key: PropertyKey): string => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Why these options cannot run `name`, or undefined when they can. */
function usageError(name: Bench, o: Options, given: (k: Key) => boolean): string | undefined {
  const allowed = takes(name, o.op);
  const stray = (Object.keys(USAGE) as Key[]).find((k) => given(k) && !allowed.has(k));
  if (stray) return `${flag(stray)} does not apply to perf ${name}${name === 'gpu-vs-cpu' ? ` --op ${o.op}` : ''}`;
  if (given('threads') && o.backend === 'gpu' && allowed.has('backend')) return '--threads does not apply to --backend gpu';
  const floor = minLogN(name, o);
  if (floor && o.logN !== undefined && o.logN < floor.min) return `--log-n: must be at least ${floor.min} ${floor.why}`;
  return undefined;
}

/**
 * `npm run perf -- …` and `capseal perf …` both come here, so the same failure gives the same exit
 * code and message: 0 ok, 1 a failed check (outputs differ, a proof does not verify), 2 usage or
 * environment (no GPU, no C compiler) or any other error. Nothing is thrown.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('perf')
    .description('performance benchmarks: median and spread over timed runs (GPU: also kernel time)')
    .argument('<name>', `one of: ${BENCHES.join(', ')}`)
    .option('--log-n <N>', `log2 of the size (rows, elements or leaves); a proof: at least ${MIN_PROVE_LOG_N}`, integer)
    .option('--backend <kind>', 'backend to measure: cpu, gpu or auto (the scheduler)', 'cpu')
    .option('--op <name>', 'gpu-vs-cpu: the operation to compare, or all', 'all')
    .option('--air <name>', 'the AIR a proof is of', 'geom')
    .option('--cols <N>', 'matrix width (ntt: 1, lde: 64, leaves: 8)', integer)
    .option('--blowup <N>', 'LDE blowup factor', integer, 8)
    .option('--threads <N>', 'CPU worker threads (default: one per core)', integer)
    .option('--runs <N>', 'timed runs after warm-up (default 7; a proof: 3, after one warm-up; ntt-native: of each, in up to 3 alternating rounds)', integer)
    .option('--submissions <N>', 'server: distinct packs sent at once (default 200)', integer)
    .option('--size <LOG2_ROWS>', 'server: log2 of the rows each pack proves (default 10, the smallest the policy allows)', integer)
    .option('--workers <N>', "server: verification threads (default: capseal serve's, one per core less one, at most 4)", integer)
    .option('--db <url>', 'server: a fresh PostgreSQL database, postgres://… (default: PGlite in a temporary folder)')
    .option('--json', 'one JSON object per line on stdout', false)
    .addHelpText('after', `\nEach benchmark takes only these options (any other is a usage error):\n${BENCHES.map((b) => `  ${usageLine(b)}`).join('\n')}`)
    .showHelpAfterError('(see --help for the options each benchmark takes)')
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
    process.stderr.write(`error: ${parsed.error.issues.map((i) => `${flag(i.path[0]!)}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  const refused = usageError(name as Bench, parsed.data, (k) => program.getOptionValueSource(k) === 'cli');
  if (refused) {
    process.stderr.write(`error: ${refused}\n`);
    return 2;
  }
  try {
    return (await RUNNERS[name as Bench](parsed.data)) ?? 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // No GPU for --backend gpu is the user's environment, not a failed measurement.
    process.stderr.write(`error: ${message}${e instanceof GpuUnavailableError ? ` (${NO_GPU_HINT})` : ''}\n`);
    return e instanceof CheckFailed ? 1 : 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // main reports its own errors; this is a last resort, as in capseal's (src/cli/main.ts).
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
