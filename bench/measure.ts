// Timing harness shared by all benchmarks: warm-up runs, then `runs` timed runs; reports the median
// and the spread (min, max). Results print as one JSON object per line with --json, else as text.
export interface Stats {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  runs: number;
}

export function stats(times: number[]): Stats {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { median_ms: r(median), min_ms: r(s[0]!), max_ms: r(s[s.length - 1]!), runs: s.length };
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
