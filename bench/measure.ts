// Timing harness shared by all benchmarks: warm-up runs, then `runs` timed runs; reports the median
// and the spread (min, max). Results print as one JSON object per line with --json, else as text.
export interface Stats {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  runs: number;
}

/** A measurement that ran but whose check failed (outputs differ, a proof does not verify): exit 1. */
export class CheckFailed extends Error {}

/** The unrounded median. */
export function median(times: readonly number[]): number {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Three significant digits, for ratios (SwiftShader's speedups are like 0.001). */
export const sig3 = (x: number): number => Number(x.toPrecision(3));

export function stats(times: number[]): Stats {
  const r = (x: number) => Number(x.toPrecision(6)); // significant digits: a 50 ns run is not 0 ms
  return { median_ms: r(median(times)), min_ms: r(Math.min(...times)), max_ms: r(Math.max(...times)), runs: times.length };
}

export async function time(fn: () => unknown, runs: number, warmup = 2): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return stats(times);
}

export function report(json: boolean, record: Record<string, unknown>): void {
  if (json) {
    process.stdout.write(JSON.stringify(record) + '\n');
    return;
  }
  const { bench, ...rest } = record;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(3) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  process.stdout.write(`${String(bench).padEnd(12)} ${fields.join('  ')}\n`);
}

export const progress = (msg: string): void => void process.stderr.write(`${msg}\n`);

/** What every record names as where it ran. */
export const device = `${process.platform}-${process.arch}, node ${process.versions.node}`;
