/**
 * Comparing a run with a saved baseline of the same workload, size and track on the same hardware
 * (`capseal bench run --baseline NAME`). A metric has improved or regressed only when every new
 * sample lies beyond every baseline sample and the medians differ by more than 1 %; anything else
 * is within noise. Deterministic metrics (proof bytes) compare exactly.
 *
 * @module
 */
import { z } from 'zod';
import { HashHexSchema } from '../capsule/spec.js';
import { summarize, type Measurements } from './measurements.js';

export const BASELINE_SCHEMA = 'capsulebench_baseline_v1';
export const BaselineNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 characters of A–Z a–z 0–9 _ . -, starting with a letter or digit');

const Samples = z.array(z.number().int().min(0)).min(1).max(10_000);

export const BaselineSchema = z.strictObject({
  schema: z.literal(BASELINE_SCHEMA),
  name: BaselineNameSchema,
  saved_ts_ms: z.number().int().min(0),
  run_id: z.string().max(64),
  workload_id: z.string().max(64),
  log2_rows: z.number().int().min(0).max(64),
  track_id: z.string().max(64),
  hardware_manifest_hash: HashHexSchema,
  /** The settings a comparison must share: they change the proof (the knobs are bound) and the times. */
  settings: z.strictObject({ backend: z.string().max(16), cpu_threads: z.number().int().min(1), gpu_adapter: z.string().max(1024).nullable() }),
  samples: z.strictObject({ prover_time_us: Samples, verify_time_us: Samples, peak_rss_bytes: Samples, proof_size_bytes: Samples }),
});
export type Baseline = z.output<typeof BaselineSchema>;

export type Verdict = 'improved' | 'regressed' | 'within noise';

export interface MetricComparison {
  metric: keyof Baseline['samples'];
  verdict: Verdict;
  baseline_median: number;
  median: number;
  /** median / baseline median. */
  ratio: number;
}

/** Lower is better for every metric here. */
export function compareSamples(baseline: readonly number[], now: readonly number[]): Omit<MetricComparison, 'metric'> {
  const b = summarize(baseline), n = summarize(now);
  const ratio = b.median === 0 ? (n.median === 0 ? 1 : Infinity) : n.median / b.median;
  const verdict: Verdict = n.min > b.max && ratio > 1.01 ? 'regressed' : n.max < b.min && ratio < 0.99 ? 'improved' : 'within noise';
  return { verdict, baseline_median: b.median, median: n.median, ratio: Number(ratio.toPrecision(4)) };
}

export type BaselineSettings = Baseline['settings'];

/** The samples a run leaves for a later comparison. */
export function baselineOf(name: string, m: Measurements, hardwareHash: string, settings: BaselineSettings, savedMs: number): Baseline {
  return {
    schema: BASELINE_SCHEMA, name, saved_ts_ms: Math.floor(savedMs), run_id: m.run_id, workload_id: m.workload_id, log2_rows: m.log2_rows,
    track_id: m.track_id, hardware_manifest_hash: hardwareHash, settings,
    samples: {
      prover_time_us: m.runs.map((r) => r.prove_us), verify_time_us: m.verify.runs_us, peak_rss_bytes: m.runs.map((r) => r.peak_rss_bytes),
      proof_size_bytes: [m.public_outputs.proof_size_bytes ?? 0],
    },
  };
}

/** Why `baseline` cannot be compared with a run of these parameters, or undefined. */
export function baselineMismatch(baseline: Baseline, run: { workload_id: string; log2_rows: number; track_id: string }): string | undefined {
  if (baseline.workload_id !== run.workload_id || baseline.log2_rows !== run.log2_rows || baseline.track_id !== run.track_id)
    return `baseline ${baseline.name} is ${baseline.workload_id} at 2^${baseline.log2_rows} on ${baseline.track_id}, not ${run.workload_id} at 2^${run.log2_rows} on ${run.track_id}`;
  return undefined;
}

/** Why `baseline` was not saved on this hardware (its manifest's hash) with these settings, or undefined. */
export function otherMachine(baseline: Baseline, hardwareHash: string, settings: BaselineSettings): string | undefined {
  if (baseline.hardware_manifest_hash !== hardwareHash)
    return `baseline ${baseline.name} was saved on other hardware (hardware manifest ${baseline.hardware_manifest_hash.slice(0, 12)}…, this machine ${hardwareHash.slice(0, 12)}…)`;
  const b = baseline.settings, show = (x: BaselineSettings) => `--backend ${x.backend} --threads ${x.cpu_threads}${x.gpu_adapter ? ` on ${x.gpu_adapter}` : ''}`;
  if (b.backend !== settings.backend || b.cpu_threads !== settings.cpu_threads || b.gpu_adapter !== settings.gpu_adapter)
    return `baseline ${baseline.name} was saved with ${show(b)}; this run uses ${show(settings)}`;
  return undefined;
}

export function compareWithBaseline(baseline: Baseline, now: Baseline): MetricComparison[] {
  return (Object.keys(baseline.samples) as MetricComparison['metric'][]).map((metric) => ({ metric, ...compareSamples(baseline.samples[metric], now.samples[metric]) }));
}
