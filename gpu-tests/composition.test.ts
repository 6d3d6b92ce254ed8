// The DEEP-ALI composition polynomial on a GPU (src/prover/gpu/composition.ts, shaders/composition.wgsl)
// against the CPU's compositionOnLde on every coset block, byte for byte, in both modes (constraints
// as generated WGSL, and compiled to a program that shaders/composition_program.wgsl interprets): FIB,
// GEOM (a periodic column, degree 3) and AGENT (v1: 14 columns; v2: 27 columns, degree 2) with blowups
// 4 and 8, a synthetic AIR with periodic columns of lengths 1, 4 and n, fp_pow constraints and three
// boundary rows listed out of order, shared subexpressions, a lowered LogUp AIR (row constraints),
// and a width-1 AIR whose output is split over two bindings; changing one coefficient must change the
// GPU's output (the comparison can fail). Also a lowered LogUp AIR's trace LDE read from two bindings
// (main and auxiliary, joined as the prover joins them) in both modes, and keccak_256_v1 at 2^5 rows
// (2,796 columns, 3,361 constraints: interpreted by default, its compile and run times printed). A
// trace LDE split over more bindings is refused with a GpuLimitError (the scheduler's CPU fallback).
// Skips without an adapter unless CAPSEAL_REQUIRE_GPU=1.
import { afterAll, describe, expect, it } from 'vitest';
import { AIRS, agentTrace, agentTraceV2, fibTrace, geomTrace } from '../src/airs/index.js';
import type { GpuBackend } from '../src/backend/gpu/gpu-backend.js';
import type { Column } from '../src/field/columns.js';
import * as F from '../src/field/goldilocks.js';
import type { Fp2 } from '../src/field/ext2.js';
import {
  compositionGpu, compositionMode, constraintNodes, GENERATED_MAX_NODES, type CompositionMode, type CompositionOptions,
} from '../src/prover/gpu/composition.js';
import { adapterName } from '../src/gpu/context.js';
import { GpuLimitError } from '../src/gpu/errors.js';
import { downloadColumns, joinMatrices, releaseMatrix, uploadColumns, type GpuMatrix } from '../src/gpu/matrix.js';
import { GpuNtt } from '../src/gpu/ntt.js';
import { cosetLde } from '../src/ntt/lde.js';
import type { Air } from '../src/stark/air.js';
import { compositionOnLde } from '../src/prover/cpu/composition.js';
import { cur, mul, next, sub } from '../src/stark/expr.js';
import type { ExtColumn } from '../src/field/ext-columns.js';
import { Kernels } from '../src/wasm/kernels.js';
import { rng } from '../test/reference/model.js';
import { MIX_AIR, SHARED_AIR } from '../test/reference/airs.js';
import { rangeAir } from '../test/helpers/lookup-airs.js';
import { lowerAir } from '../src/stark/aux.js';
import { compositionCoefficientCount } from '../src/stark/composition.js';
import { keccak256Air, keccak256Sample } from '../src/airs/keccak-256.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const hex = (i: number) => i.toString(16).padStart(64, '0');
const actions = Array.from({ length: 11 }, (_, i) => ({
  action_type: i % 2 ? 'tool_call' : 'code_gen', instruction_hash: hex(3 * i + 1), input_hash: hex(3 * i + 2), output_hash: hex(3 * i + 3),
  success: true, gate_decision: 'allow', gate_score: 0.9, policy_verdict: null,
}));

/** Width 1, no periodic column: its LDE fits a 2 KiB binding at N = 256, the 2-column output does not. */
const NARROW_AIR: Air = {
  id: 'narrow_air_test',
  width: 1,
  logN: 5,
  periodic: [],
  transitions: [sub(next(0), mul(cur(0), cur(0)))],
  boundaries: [{ col: 0, row: 0, value: 3n }, { col: 0, row: 5, value: 9n }],
  parameters: new Uint8Array(0),
};

interface Case {
  name: string;
  make(): { air: Air; trace: Column[] };
  /** Grid shape override: 3 workgroups a row gives a 2D grid with a partial last row. */
  opts?: CompositionOptions;
}

const fromEntry = <K extends keyof typeof AIRS>(id: K, make: () => { trace: BigUint64Array[]; publicInputs: unknown }) => () => {
  const { trace, publicInputs } = make();
  return { air: AIRS[id].air(publicInputs), trace };
};

const CASES: readonly Case[] = [
  { name: 'fib_air_v1 (logN 5)', make: fromEntry('fib_air_v1', () => fibTrace(5)) },
  { name: 'geom_air_v1 (logN 5, periodic, degree 3)', make: fromEntry('geom_air_v1', () => geomTrace(5)) },
  { name: 'agent_air_v1 (11 actions, 14 columns)', make: fromEntry('agent_air_v1', () => agentTrace(actions)) },
  { name: 'agent_air_v2 (11 actions, 27 columns, degree 2)', make: fromEntry('agent_air_v2', () => agentTraceV2(actions)) },
  {
    name: 'synthetic AIR (periodic 1, 4, n; random trace; 2D grid)',
    make: () => ({ air: MIX_AIR, trace: [1n, 2n, 3n].map((s) => rng(s).column(32)) }),
    opts: { maxWorkgroupsX: 3 },
  },
  { name: 'shared subexpressions (defineAir; random trace)', make: () => ({ air: SHARED_AIR, trace: [4n, 5n, 6n].map((s) => rng(s).column(32)) }) },
  { name: 'a LogUp range check lowered (row constraints, F_p2 challenges; random trace)', make: () => loweredRange() },
];

/** The range check's lowered AIR (main columns, then the auxiliary segment's c0, c1) and a random trace. */
function loweredRange(): { air: Air; trace: Column[]; mainWidth: number } {
  const base = rangeAir(), air = lowerAir(base, [[3n, 5n], [F.P - 7n, 11n]]).air;
  return { air, trace: Array.from({ length: air.width }, (_, c) => rng(BigInt(20 + c)).column(2 ** air.logN)), mainWidth: base.width };
}

const MODES: readonly CompositionMode[] = ['generated', 'interpreted'];

let shared: Promise<GpuBackend | string> | undefined;
const acquire = (): Promise<GpuBackend | string> => (shared ??= nodeGpuBackend().then((b) => {
  if (typeof b !== 'string') console.log(`gpu-tests (node, dawn.node) composition: adapter ${adapterName(b.ctx.adapter)}`);
  return b;
}));

afterAll(async () => {
  const b = await shared;
  if (b && typeof b !== 'string') await b.destroy();
});

const bytes = (c: Column) => Buffer.from(c.buffer, c.byteOffset, c.byteLength);
const sameColumns = (a: ExtColumn, b: readonly Column[]): boolean => b.length === 2 && bytes(a.c0).equals(bytes(b[0]!)) && bytes(a.c1).equals(bytes(b[1]!));

function randomAlphas(air: Air, seed: bigint): Fp2[] {
  const r = rng(seed);
  return Array.from({ length: compositionCoefficientCount(air) }, () => [r.element(), r.element()] as const);
}

/** alphas with entry i's c1 moved by one. */
const bump = (alphas: readonly Fp2[], i: number): Fp2[] => alphas.map((a, j) => (j === i ? [a[0], F.add(a[1], 1n)] : a));

async function gpuComposition(
  b: GpuBackend, ntt: GpuNtt, lde: GpuMatrix, air: Air, alphas: readonly Fp2[], logBlowup: number, opts: CompositionOptions = {},
) {
  const t0 = performance.now();
  const r = await compositionGpu(b.ctx, ntt, lde, air, alphas, logBlowup, opts);
  const wallMs = performance.now() - t0;
  try {
    return { columns: await downloadColumns(b.ctx, r.value), kernelMs: r.kernelMs, wallMs };
  } finally {
    releaseMatrix(r.value);
  }
}

/** Case `c`'s composition on the GPU in `mode` against compositionOnLde, then with one transition and one boundary coefficient changed. */
async function compareWithCpu(t: { skip(): void }, c: Case, blowup: number, mode: CompositionMode): Promise<void> {
  const b = requireGpu(await acquire(), t);
  const k = await Kernels.load();
  const { air, trace } = c.make();
  const logBlowup = Math.log2(blowup), n = 2 ** air.logN;
  const cpuLde = cosetLde(k, trace, { blowup, order: 'bit-reversed' });
  const cpu = (alphas: readonly Fp2[]) => compositionOnLde(k, air, { cur: cpuLde, logN: air.logN, logBlowup }, alphas, undefined, blowup);
  const alphas = randomAlphas(air, BigInt(blowup * 1000 + air.width));
  const expected = await cpu(alphas);

  const ntt = new GpuNtt(b.ctx, k);
  const traceM = uploadColumns(b.ctx, trace, n);
  const ldeM = (await ntt.lde(traceM, { blowup, order: 'bit-reversed' })).value;
  try {
    const ldeBack = await downloadColumns(b.ctx, ldeM);
    expect(ldeBack.every((col, i) => bytes(col).equals(bytes(cpuLde[i]!)))).toBe(true);

    const opts = { ...c.opts, mode };
    const got = await gpuComposition(b, ntt, ldeM, air, alphas, logBlowup, opts);
    console.log(`composition (${mode}) ${c.name} blowup ${blowup}: N = ${n * blowup}, wall ${got.wallMs.toFixed(0)} ms, kernels ${got.kernelMs?.toFixed(2) ?? 'n/a'} ms`);
    expect(sameColumns(expected, got.columns)).toBe(true);

    // One transition coefficient and one boundary coefficient changed: the GPU follows the CPU and
    // no longer matches the original.
    for (const i of [air.transitions.length - 1, alphas.length - 1]) {
      const changed = bump(alphas, i);
      const again = await gpuComposition(b, ntt, ldeM, air, changed, logBlowup, opts);
      expect(sameColumns(expected, again.columns)).toBe(false);
      expect(sameColumns(await cpu(changed), again.columns)).toBe(true);
    }
  } finally {
    releaseMatrix(ldeM);
    releaseMatrix(traceM);
    ntt.destroy();
  }
}

describe('composition polynomial on a GPU (dawn.node)', () => {
  for (const mode of MODES)
    for (const c of CASES)
      for (const blowup of [4, 8])
        it(`${mode}: ${c.name}, blowup ${blowup}: equals compositionOnLde byte for byte`, (t) => compareWithCpu(t, c, blowup, mode));

  it('picks generated WGSL for small AIRs and the interpreter for wide ones (keccak_256_v1)', () => {
    expect(compositionMode(AIRS.agent_air_v2.air(agentTraceV2(actions).publicInputs))).toBe('generated');
    expect(compositionMode(loweredRange().air)).toBe('generated');
    const keccak = keccak256Air(keccak256Sample(5).publicInputs);
    expect(constraintNodes(keccak)).toBeGreaterThan(GENERATED_MAX_NODES);
    expect(compositionMode(keccak)).toBe('interpreted');
  });

  it('keccak_256_v1 at 2^5 rows (2,796 columns, 3,361 constraints), interpreted by default: equals compositionOnLde byte for byte', async (t) => {
    const b = requireGpu(await acquire(), t);
    const k = await Kernels.load();
    const { trace, publicInputs } = keccak256Sample(5);
    const air = keccak256Air(publicInputs);
    const blowup = 4, logBlowup = 2, n = 2 ** air.logN;
    const cpuLde = cosetLde(k, trace, { blowup, order: 'bit-reversed' });
    const alphas = randomAlphas(air, 256n);
    const t0 = performance.now();
    const expected = await compositionOnLde(k, air, { cur: cpuLde, logN: air.logN, logBlowup }, alphas, undefined, blowup);
    const cpuMs = performance.now() - t0;
    const ntt = new GpuNtt(b.ctx, k);
    const ldeM = uploadColumns(b.ctx, cpuLde, n * blowup);
    try {
      const before = { ...b.ctx.compiled };
      const got = await gpuComposition(b, ntt, ldeM, air, alphas, logBlowup);
      const compiledMs = b.ctx.compiled.ms - before.ms;
      const again = await gpuComposition(b, ntt, ldeM, air, alphas, logBlowup);
      console.log(
        `composition keccak_256_v1 (interpreted) N = ${n * blowup}: first call ${got.wallMs.toFixed(0)} ms (${b.ctx.compiled.pipelines - before.pipelines} pipeline(s) ` +
          `compiled in ${compiledMs.toFixed(0)} ms), second ${again.wallMs.toFixed(0)} ms (kernels ${again.kernelMs?.toFixed(1) ?? 'n/a'} ms); CPU ${cpuMs.toFixed(0)} ms`,
      );
      expect(sameColumns(expected, got.columns)).toBe(true);
      expect(sameColumns(expected, again.columns)).toBe(true);
      // Not a vacuous match: the α-weighted sum is nonzero (the coefficients are read; the small AIRs'
      // cases above also move one coefficient and see the output follow).
      expect(expected.c0.some((v) => v !== 0n) && expected.c1.some((v) => v !== 0n)).toBe(true);
    } finally {
      releaseMatrix(ldeM);
      ntt.destroy();
    }
  });

  for (const mode of MODES)
    it(`${mode}: a lowered LogUp AIR's trace LDE in two bindings (main, auxiliary; row constraints) equals compositionOnLde byte for byte`, async (t) => {
      const b = requireGpu(await acquire(), t);
      const k = await Kernels.load();
      const { air, trace, mainWidth } = loweredRange();
      const blowup = 8, logBlowup = 3, N = 2 ** air.logN * blowup;
      const cpuLde = cosetLde(k, trace, { blowup, order: 'bit-reversed' });
      const alphas = randomAlphas(air, 77n);
      const expected = await compositionOnLde(k, air, { cur: cpuLde, logN: air.logN, logBlowup }, alphas, undefined, blowup);
      const ntt = new GpuNtt(b.ctx, k);
      // As the prover holds them: the main trace's LDE and the auxiliary one's, joined without a copy.
      const main = uploadColumns(b.ctx, cpuLde.slice(0, mainWidth), N), aux = uploadColumns(b.ctx, cpuLde.slice(mainWidth), N);
      try {
        const got = await gpuComposition(b, ntt, joinMatrices(main, aux), air, alphas, logBlowup, { mode });
        expect(sameColumns(expected, got.columns)).toBe(true);
      } finally {
        releaseMatrix(main);
        releaseMatrix(aux);
        ntt.destroy();
      }
    });

  it('splits the output over two bindings when they are small; reads a trace LDE from two bindings, refuses more', async (t) => {
    // 2 KiB bindings: one column of N = 256 elements fits, two do not.
    const b = requireGpu(await nodeGpuBackend({ maxBindingBytes: 2048 }), t);
    const k = await Kernels.load();
    const ntt = new GpuNtt(b.ctx, k);
    const blowup = 8, logBlowup = 3;
    try {
      const run = async (air: Air, trace: Column[], mode?: CompositionMode) => {
        const cpuLde = cosetLde(k, trace, { blowup, order: 'bit-reversed' });
        const alphas = randomAlphas(air, 99n);
        const expected = await compositionOnLde(k, air, { cur: cpuLde, logN: air.logN, logBlowup }, alphas, undefined, blowup);
        const ldeM = uploadColumns(b.ctx, cpuLde, cpuLde[0]!.length);
        try {
          return { expected, got: await gpuComposition(b, ntt, ldeM, air, alphas, logBlowup, { mode }) };
        } finally {
          releaseMatrix(ldeM);
        }
      };
      for (const mode of MODES) {
        const { expected, got } = await run(NARROW_AIR, [rng(5n).column(32)], mode);
        expect(sameColumns(expected, got.columns), mode).toBe(true);

        // A trace LDE in two bindings (the main trace's and an auxiliary segment's columns): read across both.
        const fib = fibTrace(5);
        const split = await run(AIRS.fib_air_v1.air(fib.publicInputs), fib.trace, mode);
        expect(sameColumns(split.expected, split.got.columns), mode).toBe(true);
      }
      // Three bindings are more than the kernel takes.
      const geom = geomTrace(5);
      await expect(run(AIRS.geom_air_v1.air(geom.publicInputs), geom.trace)).rejects.toThrow(GpuLimitError);
      await expect(run(AIRS.geom_air_v1.air(geom.publicInputs), geom.trace)).rejects.toThrow(/trace LDE \(5 columns of 256 elements\) is split over 5 GPU bindings/);
    } finally {
      ntt.destroy();
      await b.destroy();
    }
  });
});
