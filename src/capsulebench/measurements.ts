/**
 * A run's measurements (measurements/measurements.json; seed 000 "Required public outputs",
 * "Measurement procedure"): every warm-up and measured proof with its time, peak memory, stages and
 * proof hash, the verification times from a fresh worker, their summaries, and the public outputs a
 * leaderboard shows. Times are integer microseconds and sizes integer bytes (no floats to format).
 * Measurements are declared, never proven: the capsule binds their hash (benchmark.measurements_hash),
 * so they cannot change after sealing, and the pack verifier checks what it can recompute (the
 * summaries from the runs, the proof size, the result digest, the size, identical proofs).
 *
 * @module
 */
import { z } from 'zod';
import { RunIdSchema } from '../capsule/capsule.js';
import { HashHexSchema } from '../capsule/spec.js';

export const MEASUREMENTS_PATH = 'measurements/measurements.json';

const Int = z.number().int().min(0).max(2 ** 53);

/** median (the mean of the middle two, rounded, for an even count), min, max, population σ (rounded). */
export const SummarySchema = z.strictObject({ median: Int, min: Int, max: Int, stddev: Int, count: Int });
export type Summary = z.output<typeof SummarySchema>;

const StageSchema = z.strictObject({ stage: z.string().max(64), us: Int, backend: z.string().max(64) });

/**
 * How peak memory was read: the kernel's high-water mark reset before each run (Linux), a sampler of
 * the process's RSS, or, in a browser, which tells a page nothing of its process's memory, the size
 * the prover's WebAssembly memories have grown to (a lower bound: JavaScript arrays are not in it).
 */
export const RSS_METHODS = ['linux_vmhwm_reset', 'sampled', 'wasm_memory'] as const;

export const MeasurementsSchema = z.strictObject({
  schema: z.literal('capsulebench_measurements_v1'),
  run_id: RunIdSchema,
  workload_id: z.string().max(64),
  track_id: z.string().max(64),
  log2_rows: z.number().int().min(0).max(64),
  procedure: z.strictObject({
    warmup_runs: Int,
    measured_runs: Int,
    verify_warmup_runs: Int,
    verify_runs: Int,
    aggregation: z.literal('median'),
    clock_source: z.literal('monotonic'),
    rss_method: z.enum(RSS_METHODS),
  }),
  warmups: z.array(z.strictObject({ prove_us: Int, proof_sha256: HashHexSchema })).max(1000),
  runs: z
    .array(z.strictObject({ prove_us: Int, peak_rss_bytes: Int, proof_sha256: HashHexSchema, stages: z.array(StageSchema).max(64) }))
    .min(1)
    .max(1000),
  verify: z.strictObject({
    where: z.literal('fresh_worker'),
    verifier_version: z.string().max(64),
    verifier_build_hash: HashHexSchema,
    cold_us: Int,
    runs_us: z.array(Int).min(1).max(10_000),
  }),
  summary: z.strictObject({ prover_time_us: SummarySchema, verify_time_us: SummarySchema, peak_rss_bytes: SummarySchema }),
  /** Each optional here; the policy says which are required (E151). */
  public_outputs: z.strictObject({
    prover_time_us: Int.optional(),
    peak_rss_bytes: Int.optional(),
    proof_size_bytes: Int.optional(),
    verify_time_us: Int.optional(),
    workload_size_params: z.strictObject({ log2_rows: z.number().int().min(0).max(64) }).optional(),
    result_digest_hex: HashHexSchema.optional(),
    /** trace_cells per second of the median proving time, rounded. */
    throughput_cells_per_s: Int.optional(),
    /** Rows × columns of the execution trace (before the LDE). */
    trace_cells: Int.optional(),
  }),
});
export type Measurements = z.output<typeof MeasurementsSchema>;

/** The summary of integer samples (see SummarySchema). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values');
  const s = [...values].sort((a, b) => a - b), n = s.length, mid = n >> 1;
  const median = n % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
  const mean = s.reduce((a, x) => a + x, 0) / n;
  const stddev = Math.round(Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / n));
  return { median, min: s[0]!, max: s[n - 1]!, stddev, count: n };
}

/** trace_cells per second at `us` microseconds, rounded. */
export const throughput = (cells: number, us: number): number => (us > 0 ? Math.round((cells * 1e6) / us) : 0);
