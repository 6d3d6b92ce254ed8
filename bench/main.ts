// Benchmarks: `npm run bench -- <name> [--log-n N] [--backend cpu|gpu|auto] [--json]`.
// Each prints one result per line (JSON with --json): median and spread over timed runs; on the GPU
// also the kernel time from timestamp queries. gpu-vs-cpu runs both backends on the same inputs in
// one process run, checks that their outputs are identical (for prove: the proof bytes), and prints
// the speedup.
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { Backend, Matrix } from '../src/backend/backend.js';
import { BACKEND_CHOICES } from '../src/backend/scheduler.js';
import { GpuUnavailableError } from '../src/gpu/errors.js';
import { NO_GPU_HINT } from '../src/cli/io.js';
import { forwardNtt } from '../src/ntt/ntt.js';
import { Kernels } from '../src/wasm/kernels.js';
import { openBackend, type Measured } from './backends.js';
import { encodeProof } from '../src/stark/codec.js';
import { benchProve, proveJob, PROVE_AIRS, PROVE_WARMUP, type ProveAir } from './prove.js';
import { fingerprint, patternColumns, splitmixColumn } from './inputs.js';
import { stats, time, report, progress, type Stats } from './measure.js';
import { buildNative, runNative, NATIVE_FLAGS } from './native.js';

const BENCHES = ['ntt', 'lde', 'leaves', 'merkle', 'prove', 'ntt-native', 'gpu-vs-cpu'] as const;
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
  json: z.boolean(),
});
type Options = z.infer<typeof Options>;

const integer = (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
};

/** Timed runs when --runs is not given: 7, or 3 of a whole proof. */
const runsOf = (o: Options, op: Op | 'prove' = 'ntt'): number => o.runs ?? (op === 'prove' ? 3 : 7);

const device = `${process.platform}-${process.arch}, node ${process.versions.node}`;

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
        const r = (x: number) => Number(x.toPrecision(3)); // 3 significant digits: SwiftShader gives 0.001
        report(o.json, {
          bench: 'gpu-vs-cpu', op, ...pc.fields, adapter: gpu.fields['adapter']!, cpu_threads: cpu.fields['threads']!,
          cpu_median_ms: c.median_ms, gpu_median_ms: g.median_ms, ...(g['kernel_median_ms'] !== undefined ? { gpu_kernel_median_ms: g['kernel_median_ms'] } : {}),
          speedup: r(c.median_ms / g.median_ms),
          ...(g['kernel_median_ms'] ? { kernel_speedup: r(c.median_ms / g['kernel_median_ms']) } : {}),
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
  const rounds = 3, perRound = Math.max(1, Math.ceil(runsOf(o) / rounds));
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
  ntt: benchOp('ntt'), lde: benchOp('lde'), leaves: benchOp('leaves'), merkle: benchOp('merkle'), prove: benchProveCmd,
  'ntt-native': benchNttNative, 'gpu-vs-cpu': benchGpuVsCpu,
};

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .description('benchmarks: median and spread over timed runs (GPU: also kernel time)')
    .argument('<name>', `one of: ${BENCHES.join(', ')}`)
    .option('--log-n <N>', 'log2 of the size (rows, elements or leaves)', integer)
    .option('--backend <kind>', 'backend to measure: cpu, gpu or auto (the scheduler)', 'cpu')
    .option('--op <name>', 'gpu-vs-cpu: ntt, lde, leaves, merkle, prove or all', 'all')
    .option('--air <name>', 'prove (and gpu-vs-cpu --op prove): geom, fib or agent', 'geom')
    .option('--cols <N>', 'matrix width (ntt: 1, lde: 64, leaves: 8)', integer)
    .option('--blowup <N>', 'LDE blowup factor', integer, 8)
    .option('--threads <N>', 'worker threads (default: one per core)', integer)
    .option('--runs <N>', 'timed runs after warm-up (default 7; a proof: 3, after one warm-up)', integer)
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
  const proves = name === 'prove' || (name === 'gpu-vs-cpu' && ['prove', 'all'].includes(parsed.data.op));
  if (proves && parsed.data.logN !== undefined && parsed.data.logN < 3) {
    process.stderr.write('error: --log-n: must be at least 3 for a proof\n');
    return 2;
  }
  try {
    return (await RUNNERS[name as (typeof BENCHES)[number]](parsed.data)) ?? 0;
  } catch (e) {
    // No GPU for --backend gpu is the user's environment, not a failed measurement.
    if (!(e instanceof GpuUnavailableError)) throw e;
    process.stderr.write(`error: ${e.message} (${NO_GPU_HINT})\n`);
    return 2;
  }
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
