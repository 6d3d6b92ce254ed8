/**
 * The DEEP composition on the GPU (shaders/deep.wgsl), equal byte for byte to the pointwise formula
 * of src/stark/deep.ts (deepAt) at xs = domainPoints(k, 7, logN + logBlowup), the trace LDE columns and the
 * composition segments (comp columns 2j, 2j + 1 = segment j's c0, c1).
 *
 * The host folds the OOD values into two constants (Σγ·T(z) + Σγ''·C(z), Σγ'·T(zω)) and turns every
 * column into a base column with F_p2 coefficients (composition column 2j + 1 gets γ''_j·u). One
 * dispatch per segment pair d (trace segment d, composition segment d), accumulating in a 2N F_p2
 * scratch buffer when there is more than one; the last dispatch divides by x − z and x − zω.
 *
 * @module
 */
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import { deepConstants, type DeepParams } from '../../stark/deep.js';
import { COSET_SHIFT } from '../../stark/domain.js';
import type { GpuContext } from '../../gpu/context.js';
import { type Dispatch, fp2Words, grid, runDispatches, WORKGROUP_SIZE } from '../../gpu/dispatch.js';
import { uniformStruct } from '../../gpu/uniforms.js';
import { powerTable } from '../../gpu/power-table.js';
import { allocMatrix, releaseMatrix, segmentsOf, type GpuMatrix } from '../../gpu/matrix.js';
import type { GpuResult } from '../../gpu/ntt.js';

/** Rows per invocation: one fp_inv per ROWS rows. */
const ROWS = 4;

/** One dispatch: trace segment d and composition segment d. */
const DeepParams = uniformStruct('DeepParams', {
  n: 'u32',
  log_n: 'u32',
  lo_bits: 'u32',
  /** T = ceil(n / ROWS). */
  threads: 'u32',
  trace_cols: 'u32',
  /** Index in `coefs` of this trace segment's first (γ, γ') pair. */
  trace_coef: 'u32',
  comp_cols: 'u32',
  /** Index in `coefs` of this composition segment's first coefficient. */
  comp_coef: 'u32',
  /** 1 on the first dispatch (start from zero), 0 after (continue from `acc`). */
  first: 'u32',
  /** 1 on the last dispatch (divide, store to `deep_out`), 0 before (store to `acc`). */
  last: 'u32',
  groups_x: 'u32',
  z: 'Fp2',
  zw: 'Fp2',
  /** Σγ·T(z) + Σγ''·C(z) and Σγ'·T(zω). */
  cz: 'Fp2',
  czw: 'Fp2',
  /** (7·z1², 7·zω1²): two Fp read as .xy and .zw, an Fp2 in layout only. */
  norm_c: 'Fp2',
});

/** The OOD parameters (src/stark/deep.ts) and the domain: trace length 2^logN, blowup 2^logBlowup. */
export type DeepGpuParams = DeepParams & { logN: number; logBlowup: number };

/** As the CPU: an F_p point ζ on the LDE domain 7·⟨ω_N⟩ makes x − ζ vanish. */
function checkZeta(zeta: Fp2.Fp2, logNN: number): void {
  if (zeta[1] !== 0n || zeta[0] === 0n) return;
  if (Fp.pow(Fp.mul(zeta[0], Fp.inv(COSET_SHIFT)), 2n ** BigInt(logNN)) === 1n)
    throw new Error('DEEP: x − ζ vanished on the LDE domain (ζ ∈ F_p)');
}

/**
 * D on the LDE domain (N = 2^(logN + logBlowup) rows, bit-reversed) as a new 2-column matrix
 * (c0, c1) in one segment. `trace` holds the w trace LDE columns, `comp` the 2·S composition LDE
 * columns; both may be split across segments.
 */
export async function deepGpu(ctx: GpuContext, trace: GpuMatrix, comp: GpuMatrix, p: DeepGpuParams): Promise<GpuResult<GpuMatrix>> {
  const logNN = p.logN + p.logBlowup, N = 2 ** logNN;
  if (!Number.isInteger(logNN) || p.logN < 0 || p.logBlowup < 0 || logNN > 31) throw new RangeError(`deepGpu: bad sizes logN = ${p.logN}, logBlowup = ${p.logBlowup}`);
  if (trace.height !== N || comp.height !== N)
    throw new RangeError(`deepGpu: the LDE has 2^${logNN} rows, the trace matrix ${trace.height} and the composition matrix ${comp.height}`);
  const w = trace.width, S = comp.width / 2;
  if (w < 1) throw new RangeError('deepGpu: the trace has no columns');
  if (!Number.isInteger(S)) throw new RangeError(`deepGpu: the composition matrix needs an even number of columns (c0, c1 per segment), got ${comp.width}`);
  if (p.oodTrace.length !== w || p.oodTraceNext.length !== w || p.oodComposition.length !== S || p.gammas.length !== 2 * w + S)
    throw new RangeError(
      `deepGpu: w = ${w}, S = ${S} need ${w}, ${w}, ${S} OOD values and ${2 * w + S} gammas; got ${p.oodTrace.length}, ${p.oodTraceNext.length}, ` +
        `${p.oodComposition.length} and ${p.gammas.length}`,
    );
  for (const v of [p.z, p.zw, ...p.oodTrace, ...p.oodTraceNext, ...p.oodComposition, ...p.gammas])
    if (!Fp2.isCanonical(v)) throw new RangeError('deepGpu: every challenge and OOD value must be a canonical F_p2 element');
  checkZeta(p.z, logNN);
  checkZeta(p.zw, logNN);
  const traceSegs = segmentsOf(trace), compSegs = segmentsOf(comp);

  const { gz, gzw, gc, cz, czw } = deepConstants(p, w);
  // (γ_i, γ'_i) per trace column, then per composition column γ''_j (c0) and γ''_j·u = 7·g1 + g0·u (c1).
  const coefs: number[] = [];
  for (let i = 0; i < w; i++) coefs.push(...fp2Words(gz[i]!), ...fp2Words(gzw[i]!));
  for (const g of gc) coefs.push(...fp2Words(g), ...fp2Words([Fp.mul(Fp2.W, g[1]), g[0]]));
  const normC = (zeta: Fp2.Fp2) => Fp.mul(Fp2.W, Fp.square(zeta[1]));

  const points = powerTable(ctx, COSET_SHIFT, Fp.rootOfUnity(logNN), logNN);
  const pipeline = await ctx.pipeline(['goldilocks', 'ext2', 'deep'], { WORKGROUP_SIZE, ROWS }, 'deep', DeepParams.wgsl);
  const passes = Math.max(traceSegs.length, compSegs.length);
  const threads = Math.ceil(N / ROWS);
  const groups = grid(ctx, threads, WORKGROUP_SIZE);
  const coefBuffer = ctx.upload(Uint32Array.from(coefs), 'deep coefficients');
  let acc: GPUBuffer | undefined, out: GpuMatrix | undefined;
  try {
    acc = passes > 1 ? ctx.storage(2 * N * 2 * Fp.ELEMENT_BYTES, 'deep accumulators') : undefined;
    out = allocMatrix(ctx, N, 2, 'deep', 2);
    const outBuffer = out.segments![0]!.buffer;
    const dispatches: Dispatch[] = [];
    for (let d = 0; d < passes; d++) {
      // A pass without a segment of one matrix binds trace segment 0 and reads none of it.
      const t = traceSegs[d], c = compSegs[d];
      const params = DeepParams.pack({
        n: N, log_n: logNN, lo_bits: points.loBits, threads,
        trace_cols: t?.columns ?? 0, trace_coef: 2 * (t?.firstColumn ?? 0), comp_cols: c?.columns ?? 0, comp_coef: 2 * w + (c?.firstColumn ?? 0),
        first: d === 0 ? 1 : 0, last: d === passes - 1 ? 1 : 0, groups_x: groups[0],
        z: p.z, zw: p.zw, cz, czw, norm_c: [normC(p.z), normC(p.zw)],
      });
      const resources = [
        (t ?? traceSegs[0]!).buffer, (c ?? traceSegs[0]!).buffer, coefBuffer, points.buffer, acc ?? ctx.placeholder, outBuffer, 'params',
      ] as const;
      dispatches.push({ pipeline, resources, params, groups });
    }
    const kernelMs = await runDispatches(ctx, 'deep', dispatches);
    return { value: out, kernelMs };
  } catch (e) {
    if (out) releaseMatrix(out);
    throw e;
  } finally {
    coefBuffer.destroy();
    acc?.destroy();
  }
}
