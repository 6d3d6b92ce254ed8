/**
 * The DEEP-ALI composition polynomial (its terms: src/stark/composition.ts) on the GPU
 * (shaders/composition.wgsl), equal element for element to compositionOnLde in
 * src/prover/cpu/composition.ts, over the bit-reversed LDE domain 7·⟨ω_N⟩ (src/stark/domain.ts).
 *
 * Split of the work:
 * - The AIR's constraints, in one of two modes (CompositionMode), each giving the kernel the functions
 *   air_transitions(p, q) = Σ_t α_t·c_t and air_rows(p, r), that of the row constraints of row group r:
 *   · generated: WGSL from constraintsToWgsl over local copies of the trace cells and periodic values
 *     they read, appended to shaders/composition.wgsl (AIR-shaped only, so one pipeline per AIR shape,
 *     cached by source). Fastest to run, but the shader compiler's time grows with the constraints
 *     (SwiftShader: minutes for a few thousand nodes), so it serves AIRs of up to GENERATED_MAX_NODES.
 *   · interpreted: the constraints compiled on the host to a register-machine program (./program.ts),
 *     run by one fixed interpreter (shaders/composition_program.wgsl) from the `consts` buffer. One
 *     pipeline whatever the AIR (per register-file size, rounded up), for wide AIRs such as Keccak.
 *   No per-proof value is baked into either.
 * - The trace LDE in one binding, or two (an AIR with an auxiliary segment: the main trace's LDE and
 *   the auxiliary one's, joined without a copy).
 * - A `consts` storage buffer, rebuilt per call on the CPU: the α's, the boundary records
 *   (column, value, α) group by group, g^row per group, 1/(x^n − 1) per coset block (β values;
 *   x^n is constant on each block of n positions), g^(n−1), and two tables of 2^⌈…/2⌉ elements from
 *   which the kernel forms each LDE point: x_p = 7·ω_N^k with k = bitrev_N(p) as lo[k mod 2^h]·hi[k >> h]
 *   (one multiplication; no N-element point column is computed or uploaded); in interpreted mode also
 *   the program (compiled once per AIR and kept), its constants and its sections.
 * - Periodic columns: tiled to n rows (their trace-domain values: Q(x) = P(x^(n/m)) interpolates the
 *   tiling) and extended with GpuNtt.lde in bit-reversed order, which equals periodicOnLde.
 * Each position costs one inversion (the boundary quotients are folded into one fraction); one
 * invocation per position over a 2D grid.
 *
 * @module
 */
import { type Air, checkAir, periodicOnTrace } from '../../stark/air.js';
import { baseLeaf, evaluateAll, type Expr, type Ops } from '../../stark/expr.js';
import { constraintsToWgsl } from './constraints.js';
import { compileProgram, type Program } from './program.js';
import { COSET_SHIFT, reverseBits } from '../../stark/domain.js';
import * as Fp from '../../field/goldilocks.js';
import * as E from '../../field/ext2.js';
import type { Fp2 } from '../../field/ext2.js';
import { MAX_BLOWUP } from '../../ntt/lde.js';
import type { GpuContext } from '../../gpu/context.js';
import { runDispatches, WORKGROUP_SIZE } from '../../gpu/dispatch.js';
import { uniformStruct } from '../../gpu/uniforms.js';
import { GpuLimitError } from '../../gpu/errors.js';
import { allocMatrix, releaseMatrix, segmentsOf, uploadColumns, type GpuMatrix, type Segment } from '../../gpu/matrix.js';
import { splitPowers } from '../../gpu/power-table.js';
import type { GpuNtt, GpuResult } from '../../gpu/ntt.js';
import { compositionTerms, type BoundaryGroup, type CompositionTerms } from '../../stark/composition.js';

const CompParams = uniformStruct('CompParams', {
  /** log2 of the trace length n and of the LDE length N. */
  log_n: 'u32',
  log_big: 'u32',
  /** x = lo[k mod 2^log_lo] · hi[k >> log_lo] for k = bitrev_N(p): lo[j] = ω_N^j, hi[j] = 7·ω_N^(j·2^log_lo). */
  log_lo: 'u32',
  /** Distinct boundary rows. */
  groups: 'u32',
  // Offsets into `consts`, in elements:
  /** transition t: α_t at alpha_off + 2t (c0), + 1 (c1) */
  alpha_off: 'u32',
  /** boundary record j (sorted by row): column (low word), value, α c0, α c1 */
  bound_off: 'u32',
  /** row group r: g^row, one past its last boundary record (low word) */
  group_off: 'u32',
  /** coset block b: 1/(x^n − 1) */
  zinv_off: 'u32',
  lo_off: 'u32',
  hi_off: 'u32',
  /** g^(n−1) */
  g_last_off: 'u32',
  /** row constraint k (groups in order, then AIR order within a group): α_k at row_alpha_off + 2k (c0), + 1 (c1) */
  row_alpha_off: 'u32',
  /** The first column in the second binding (aux_lde); the width when the trace LDE is one binding. */
  aux_first: 'u32',
  // Interpreted mode only (shaders/composition_program.wgsl; 0 in generated mode):
  /** instruction i: (opcode, dst) at prog_off + 2i, (a, b) at + 1 */
  prog_off: 'u32',
  /** the program's constant table */
  prog_const_off: 'u32',
  /** section s: (start, end) at prog_sections_off + 2s, its first α's offset (low word) at + 1 */
  prog_sections_off: 'u32',
});

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
const names = { cur: (c: number) => `cur_${c}`, next: (c: number) => `next_${c}`, periodic: (j: number) => `per_${j}` };

/**
 * `constraints` as WGSL statements: the cells and periodic values they read, each loaded once (the
 * current row at position p, the next at q), their shared subexpressions, then `acc` accumulating
 * each value times its coefficient (alpha(k): the WGSL expression of the k-th one's).
 */
function accumulate(constraints: readonly Expr[], alpha: (k: number) => string, indent: string): string[] {
  const used = { cur: new Set<number>(), next: new Set<number>(), periodic: new Set<number>() };
  const noop = () => undefined;
  evaluateAll<undefined>(constraints, (leaf) => {
    const l = baseLeaf(leaf);
    used[l.op].add(l.op === 'periodic' ? l.index : l.col);
  }, { constant: noop, add: noop, sub: noop, mul: noop, neg: noop, pow: noop });
  const { statements, values } = constraintsToWgsl(constraints, names);
  return [
    ...sorted(used.cur).map((c) => `let cur_${c} = trace_at(${c}u, p);`),
    ...sorted(used.next).map((c) => `let next_${c} = trace_at(${c}u, q);`),
    ...sorted(used.periodic).map((j) => `let per_${j} = periodic_at(${j}u, p);`),
    ...statements,
    'var acc = fp2(FP_ZERO, FP_ZERO);',
    ...values.map((v, k) => `acc = fp2_add(acc, fp2_mul_base(${alpha(k)}, ${v}));`),
    'return acc;',
  ].map((line) => indent + line);
}

/**
 * Expression nodes (a shared subexpression counted once) above which compositionGpu interprets the
 * constraints instead of generating WGSL: SwiftShader's compiler runs for seconds per few hundred
 * nodes, minutes (or fails) on thousands, and a real GPU's is slower on them too, while the generated
 * code runs faster than the interpreter.
 */
export const GENERATED_MAX_NODES = 400;

const COUNT: Ops<number> = {
  constant: () => 1, add: (a, b) => a + b + 1, sub: (a, b) => a + b + 1, mul: (a, b) => a + b + 1, neg: (a) => a + 1, pow: (a) => a + 1,
  share: (v) => ({ first: v, later: 0 }),
};

/** The expression nodes of the AIR's transition and row constraints, each shared subexpression once. */
export function constraintNodes(air: Air): number {
  const count = (es: readonly Expr[]) => evaluateAll(es, () => 1, COUNT).reduce((a, b) => a + b, 0);
  return count(air.transitions) + count((air.rowConstraints ?? []).map((r) => r.expr));
}

/**
 * The generated mode's WGSL appended to shaders/composition.wgsl: air_transitions(p, q), the
 * transitions' α-weighted sum with the current row at position p and the next row at q, and
 * air_rows(p, r), that of row group r's row constraints. Depends only on the constraints (not on any
 * proof's values), so every proof of one AIR shares the pipeline.
 */
function compositionWgsl(transitions: readonly Expr[], groups: readonly BoundaryGroup[]): string {
  let first = 0;
  const rowCases = groups.flatMap((group, r) => {
    if (group.rowTerms.length === 0) return [];
    const base = first;
    first += group.rowTerms.length;
    return [`    case ${r}u: {`, ...accumulate(group.rowTerms.map((t) => t.expr), (k) => `row_alpha(${base + k}u)`, '      '), '    }'];
  });
  return [
    '// generated by src/prover/gpu/composition.ts: the AIR\'s transition and row constraints (constraintsToWgsl)',
    'fn air_transitions(p: u32, q: u32) -> Fp2 {',
    ...accumulate(transitions, (k) => `transition_alpha(${k}u)`, '  '),
    '}',
    '',
    'fn air_rows(p: u32, r: u32) -> Fp2 {',
    '  switch r {',
    ...rowCases,
    '    default: {',
    '      return fp2(FP_ZERO, FP_ZERO);',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * The per-proof constants and their offsets (in elements), as shaders/composition.wgsl reads them, and
 * in interpreted mode `program` (sections: the transitions, then each boundary group's row constraints)
 * as shaders/composition_program.wgsl reads it.
 */
function buildConsts(
  terms: CompositionTerms, logN: number, logBlowup: number, auxFirst: number, program: Program | undefined,
): { data: BigUint64Array; params: Uint32Array } {
  const n = 2 ** logN, blowup = 2 ** logBlowup, logBig = logN + logBlowup;
  // LDE points 7·ω_N^k as lo[k mod 2^loBits]·hi[k >> loBits] (src/gpu/power-table.ts splitPowers).
  const table = splitPowers(COSET_SHIFT, Fp.rootOfUnity(logBig), logBig);
  const values: bigint[] = [];
  const section = (xs: readonly bigint[]): number => {
    const at = values.length;
    values.push(...xs);
    return at;
  };
  const gLastOff = section([terms.lastRow]);
  const alphaOff = section(terms.transitions.flatMap(({ alpha }) => [alpha[0], alpha[1]]));
  // The boundary records group by group (rows ascending); each group's entry holds g^row and the
  // index one past its last record.
  const boundOff = section(terms.boundaryGroups.flatMap((grp) => grp.terms.flatMap((b) => [BigInt(b.col), b.value, b.alpha[0], b.alpha[1]])));
  let end = 0;
  const groupOff = section(terms.boundaryGroups.flatMap((grp) => [grp.point, BigInt((end += grp.terms.length))]));
  const rowAlphaOff = section(terms.boundaryGroups.flatMap((grp) => grp.rowTerms.flatMap(({ alpha }) => [alpha[0], alpha[1]])));
  // 1/(x^n − 1) on coset block b: x^n = 7^n · ω_β^bitrev_β(b) (compositionBlock's c_t^n on the CPU).
  const sn = Fp.pow(COSET_SHIFT, BigInt(n));
  const zinvOff = section(Array.from({ length: blowup }, (_, b) =>
    Fp.inv(Fp.sub(Fp.mul(sn, Fp.pow(Fp.rootOfUnity(logBlowup), BigInt(reverseBits(b, logBlowup)))), 1n))));
  let progConstOff = 0, progSectionsOff = 0;
  if (program) {
    progConstOff = section(program.constants);
    // Section 0's coefficients are the transitions', section 1 + r's row group r's.
    const alphaAt = [alphaOff];
    let rowTerms = 0;
    for (const grp of terms.boundaryGroups) {
      alphaAt.push(rowAlphaOff + 2 * rowTerms);
      rowTerms += grp.rowTerms.length;
    }
    progSectionsOff = section(program.sections.flatMap(({ start, end }, s) => [BigInt(start) | (BigInt(end) << 32n), BigInt(alphaAt[s]!)]));
  }
  // Two u32 words per element, little-endian like every buffer here: (opcode, dst), (a, b).
  const code = program ? new BigUint64Array(program.code.buffer, program.code.byteOffset, program.code.length / 2) : new BigUint64Array(0);
  const data = new BigUint64Array(values.length + table.data.length + code.length);
  data.set(values);
  const loOff = values.length, hiOff = loOff + 2 ** table.loBits, progOff = loOff + table.data.length;
  data.set(table.data, loOff);
  data.set(code, progOff);
  const params = CompParams.pack({
    log_n: logN, log_big: logBig, log_lo: table.loBits, groups: terms.boundaryGroups.length,
    alpha_off: alphaOff, bound_off: boundOff, group_off: groupOff, zinv_off: zinvOff, lo_off: loOff, hi_off: hiOff, g_last_off: gLastOff,
    row_alpha_off: rowAlphaOff, aux_first: auxFirst,
    prog_off: program ? progOff : 0, prog_const_off: progConstOff, prog_sections_off: progSectionsOff,
  });
  return { data, params };
}

/** The buffers of a matrix in at most `most` bindings, or a GpuLimitError naming what is split. */
function bindings(m: GpuMatrix, what: string, most: number): readonly Segment[] {
  const segs = segmentsOf(m);
  if (segs.length > most)
    throw new GpuLimitError(
      `compositionGpu: ${what} (${m.width} columns of ${m.height} elements) is split over ${segs.length} GPU bindings; ` +
        `the composition kernel takes it in ${most === 1 ? 'one binding' : `at most ${most}`}`,
    );
  return segs;
}

/** Periodic columns extended to the LDE domain (bit-reversed) on the GPU; undefined when there are none. */
async function periodicLde(ctx: GpuContext, ntt: GpuNtt, air: Air, logBlowup: number): Promise<GpuResult<GpuMatrix | undefined>> {
  if (air.periodic.length === 0) return { value: undefined, kernelMs: 0 };
  const n = 2 ** air.logN;
  const tiled = air.periodic.map((v) => periodicOnTrace(v, n));
  const m = uploadColumns(ctx, tiled, n);
  try {
    return await ntt.lde(m, { blowup: 2 ** logBlowup, order: 'bit-reversed' });
  } finally {
    releaseMatrix(m);
  }
}

/** How the kernel evaluates the AIR's constraints (module comment). */
export type CompositionMode = 'generated' | 'interpreted';

export interface CompositionOptions {
  /** Caps the grid's x dimension (default: the device limit); tests use it to exercise 2D grids. */
  maxWorkgroupsX?: number;
  /** Forces a mode (default: interpreted above GENERATED_MAX_NODES constraint nodes, generated otherwise). */
  mode?: CompositionMode;
}

/** The mode compositionGpu picks for `air` by default. */
export const compositionMode = (air: Air): CompositionMode => (constraintNodes(air) > GENERATED_MAX_NODES ? 'interpreted' : 'generated');

/**
 * The interpreted mode's program for `air`, compiled once per AIR (it depends only on the
 * constraints): the transitions, then each boundary group's row constraints, as buildConsts lays out.
 */
const programs = new WeakMap<Air, Program>();
function programOf(air: Air, groups: readonly BoundaryGroup[]): Program {
  let p = programs.get(air);
  if (!p) programs.set(air, (p = compileProgram([air.transitions, ...groups.map((grp) => grp.rowTerms.map((t) => t.expr))])));
  return p;
}

/**
 * The interpreter's register file is sized at compile time: rounded up so that AIRs of similar
 * register pressure share one pipeline.
 */
const REGISTER_QUANTUM = 64;

const addMs = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a + b);

/**
 * The composition polynomial over the LDE domain, as compositionOnLde: a 2-column matrix (c0, c1) of
 * N = 2^(logN + logBlowup) rows, bit-reversed like the trace LDE `lde` (width air.width, as
 * GpuNtt.lde(…, {order: 'bit-reversed'}) makes it, which must fit one binding). `alphas` holds one
 * coefficient per transition, then per boundary constraint, in AIR order. `ntt` (the caller's, so
 * twiddle tables are shared) extends the periodic columns. The caller owns and releases the result.
 */
export async function compositionGpu(
  ctx: GpuContext, ntt: GpuNtt, lde: GpuMatrix, air: Air, alphas: readonly Fp2[], logBlowup: number, opts: CompositionOptions = {},
): Promise<GpuResult<GpuMatrix>> {
  checkAir(air);
  alphas.forEach((a, i) => {
    if (!E.isCanonical(a)) throw new RangeError(`compositionGpu: alphas[${i}] is not a canonical F_p2 element`);
  });
  if (!Number.isInteger(logBlowup) || logBlowup < 1 || 2 ** logBlowup > MAX_BLOWUP)
    throw new RangeError(`compositionGpu: logBlowup ${logBlowup} is not an integer in [1, ${Math.log2(MAX_BLOWUP)}]`);
  const logBig = air.logN + logBlowup, N = 2 ** logBig;
  if (logBig > 31) throw new GpuLimitError(`compositionGpu: an LDE of 2^${logBig} positions exceeds the kernel's u32 indexing`);
  if (lde.width !== air.width || lde.height !== N)
    throw new RangeError(`compositionGpu: the trace LDE is ${lde.width}×${lde.height}, expected ${air.width} columns of ${N} rows`);
  // The main trace's columns, and an auxiliary segment's in a second binding (the prover's view of both LDEs).
  const [traceSeg, auxSeg] = bindings(lde, 'the trace LDE', 2);

  const terms = compositionTerms(air, alphas);
  const program = (opts.mode ?? compositionMode(air)) === 'interpreted' ? programOf(air, terms.boundaryGroups) : undefined;
  const { data, params } = buildConsts(terms, air.logN, logBlowup, auxSeg?.firstColumn ?? air.width, program);
  const per = await periodicLde(ctx, ntt, air, logBlowup);
  let out: GpuMatrix | undefined;
  let consts: GPUBuffer | undefined;
  try {
    const periodicBuffer = per.value ? bindings(per.value, 'the periodic columns\' LDE', 1)[0]!.buffer : undefined;
    consts = ctx.upload(data, 'composition constants');
    out = allocMatrix(ctx, N, 2, 'composition');
    const outSegs = segmentsOf(out);
    const split = outSegs.length === 2;
    const constants = { WORKGROUP_SIZE, OUT_SPLIT: split ? 1 : 0, TWO_BINDINGS: auxSeg ? 1 : 0 };
    const registers = program && Math.max(1, Math.ceil(program.registers / REGISTER_QUANTUM)) * REGISTER_QUANTUM;
    const pipeline = await (registers
      ? ctx.pipeline(['goldilocks', 'ext2', 'composition', 'composition_program'], { ...constants, REGISTERS: registers }, 'composition_main', CompParams.wgsl)
      : ctx.pipeline(['goldilocks', 'ext2', 'composition'], constants, 'composition_main', CompParams.wgsl + compositionWgsl(air.transitions, terms.boundaryGroups)));
    // One invocation per position over a 2D grid (the shader explains why not grid-stride).
    const needed = Math.ceil(N / WORKGROUP_SIZE);
    const groupsX = Math.min(needed, ctx.limits.maxComputeWorkgroupsPerDimension, opts.maxWorkgroupsX ?? Infinity);
    const kernelMs = await runDispatches(ctx, 'composition', [{
      pipeline,
      resources: [traceSeg!.buffer, periodicBuffer ?? consts, consts, outSegs[0]!.buffer, split ? outSegs[1]!.buffer : ctx.placeholder, 'params', auxSeg?.buffer ?? consts],
      params,
      groups: [groupsX, Math.ceil(needed / groupsX)],
    }]);
    const value = out;
    out = undefined;
    return { value, kernelMs: addMs(per.kernelMs, kernelMs) };
  } finally {
    if (out) releaseMatrix(out);
    consts?.destroy();
    if (per.value) releaseMatrix(per.value);
  }
}
