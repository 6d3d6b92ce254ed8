/**
 * `capseal doctor [--json]`: what GPU this machine offers (adapter, driver, limits, timestamp queries)
 * and whether every kernel gives the CPU's bytes on small inputs. Exit 0 when all pass, 1 when any
 * fails or no adapter exists. Progress goes to stderr, the report to stdout.
 *
 * @module
 */
import { CpuBackend } from '../backend/cpu/cpu-backend.js';
import type { GpuBackend } from '../backend/gpu/gpu-backend.js';
import { createNodeGpuBackend } from '../backend/gpu/node.js';
import { selfCheck, type CheckResult } from '../backend/gpu/self-check.js';
import { starkSelfChecks } from './stark-self-check.js';

export interface DoctorReport {
  ok: boolean;
  /** Why there is no GPU, when there is none. */
  error?: string;
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  adapter_selection: { CAPSEAL_GPU_ADAPTER: string | null; VK_ICD_FILENAMES: string | null };
  limits: Record<string, number> | null;
  timestamp_queries: boolean | null;
  checks: CheckResult[];
}

const env = (k: string): string | null => process.env[k] ?? null;

export async function doctor(opts: { json: boolean }): Promise<number> {
  const selection = { CAPSEAL_GPU_ADAPTER: env('CAPSEAL_GPU_ADAPTER'), VK_ICD_FILENAMES: env('VK_ICD_FILENAMES') };
  let gpu: GpuBackend;
  try {
    gpu = await createNodeGpuBackend();
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const report: DoctorReport = { ok: false, error, adapter: null, adapter_selection: selection, limits: null, timestamp_queries: null, checks: [] };
    if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else
      process.stdout.write(
        `no GPU: ${error}\n` +
          'The CPU backend still works (--backend cpu). Without a hardware GPU, Debian\'s chromium package ships\n' +
          'SwiftShader: CAPSEAL_GPU_ADAPTER=swiftshader capseal doctor (correctness only; it is slow).\n',
      );
    return 1;
  }
  const cpu = await CpuBackend.create();
  try {
    const a = gpu.adapter;
    if (!opts.json) {
      process.stdout.write(`adapter:    ${[a.vendor, a.architecture].filter(Boolean).join(' / ') || '(vendor not reported)'}\n`);
      process.stdout.write(`device:     ${a.device || '(not reported)'}\n`);
      process.stdout.write(`driver:     ${a.description || '(not reported)'}\n`);
      process.stdout.write(`timestamps: ${gpu.ctx.timestamps ? 'yes (kernel times available)' : 'no'}\n`);
      process.stdout.write('limits:\n');
      for (const [k, v] of Object.entries(gpu.ctx.limits)) process.stdout.write(`  ${k.padEnd(36)} ${v}\n`);
      process.stdout.write('self-check (GPU vs CPU, byte for byte):\n');
    }
    process.stderr.write('doctor: checking every kernel against the CPU (the first use of each compiles it)\n');
    const checks = await selfCheck(gpu, cpu, (r) => {
      if (!opts.json) process.stdout.write(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(52)} ${r.ms.toFixed(0).padStart(6)} ms${r.error ? `  ${r.error}` : ''}\n`);
    }, starkSelfChecks(gpu, cpu));
    const ok = checks.every((c) => c.ok);
    if (opts.json) {
      const report: DoctorReport = { ok, adapter: a, adapter_selection: selection, limits: gpu.ctx.limits, timestamp_queries: gpu.ctx.timestamps, checks };
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else process.stdout.write(ok ? 'all kernels agree with the CPU\n' : `${checks.filter((c) => !c.ok).length} kernel check(s) FAILED\n`);
    return ok ? 0 : 1;
  } finally {
    await Promise.all([gpu.destroy(), cpu.destroy()]);
  }
}
