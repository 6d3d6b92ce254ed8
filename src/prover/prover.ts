/**
 * The capseal-stark-v1 prover (ethSTARK documentation, ePrint 2021/582; docs/architecture.md "A proof, stage by stage"): commit to the trace LDE, draw the
 * auxiliary segment's challenges and commit its LDE (an AIR with one), compose the
 * constraints with F_p2 coefficients, split the composition into degree-< n segments and commit,
 * answer at an OOD point z ∉ F_p, form the DEEP composition, run FRI, grind, open the queries.
 * The heavy steps run on the given Backend (./steps.ts: resident on a GPU backend, else the CPU
 * kernels with the LDEs, hashing and the trace interpolation on the backend); grinding on the CPU.
 *
 * @module
 */
import type { Backend, CpuJobs, Matrix } from '../backend/backend.js';
import { toWorker, type Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import type { Kernels } from '../wasm/kernels.js';
import { type Air, brokenRowConstraint, checkAir, checkTrace, compositionSegments, periodicOnTrace } from '../stark/air.js';
import { auxBaseColumns, checkAuxTrace, lowerAir } from '../stark/aux.js';
import { COSET_SHIFT } from '../stark/domain.js';
import { friCommit, type FriProverState } from './fri.js';
import { friPlan } from '../stark/fri.js';
import { checkOptions, DEFAULT_OPTIONS, securityBits, type ProofOptions } from '../stark/options.js';
import type { Opening, StarkProof } from '../stark/proof.js';
import { drawOodPoint, drawQueries, nonceBytes, startTranscript } from '../stark/protocol.js';
import { NotLowDegreeError, UnsatisfiedConstraintError } from './errors.js';
import { type Commitment, type GeneratedKernel, type Held, type Split, type StarkSteps } from '../stark/steps.js';
import type { Transcript } from '../stark/transcript.js';
import { transitionsHold } from './cpu/constraints.js';
import { PARALLEL_MIN_ELEMENTS, ranges } from '../backend/cpu/cpu-backend.js';
import { cpuSteps } from './cpu/steps.js';
import { gpuSteps } from './gpu/steps.js';
import { compositionCoefficientCount } from '../stark/composition.js';
import { compositionAt, segmentsAt } from '../stark/ood.js';

export interface StageTiming {
  stage: string;
  ms: number;
  backend: string;
  /** Why this stage's work was abandoned and redone elsewhere (a GPU fallback). */
  note?: string;
  /** The WebAssembly module generated for this stage (the CPU's compiled composition), by SHA-256 and size. */
  kernel?: GeneratedKernel;
}

/** Where a proof stands: `done` of `total` stages finished, `stage` the one now running (or 'done'). */
export interface ProveProgress {
  stage: string;
  done: number;
  total: number;
}

/** The stages of a proof, in order; a resident GPU proof has no host 'trace check'. */
export const PROVE_STAGES = [
  'trace check', 'trace lde', 'trace commit', 'trace hold', 'constraints', 'composition split', 'composition commit',
  'ood', 'deep composition', 'fri', 'grinding', 'openings',
] as const;

/** The stages an AIR with an auxiliary segment adds after 'trace hold' (its 'trace check' checks both segments, in 'aux trace'). */
export const AUX_STAGES = ['aux trace', 'aux lde', 'aux commit'] as const;

export interface ProveInput {
  air: Air;
  /** Columns of the execution trace, natural row order. */
  trace: readonly Column[];
  /**
   * The caller's 32-byte statement hash, bound into the transcript before anything else is proved;
   * or a function that makes it from the trace root (a capsule's statement binds the root), called
   * once the trace is committed and before any challenge is drawn; with `keepTrace` it also gets
   * that layer of the trace tree.
   */
  statementHash: Uint8Array | ((traceRoot: Uint8Array, layer: Uint8Array | undefined) => Uint8Array);
  /** The AIR's canonical public-input bytes. */
  publicInputs: Uint8Array;
  options?: ProofOptions;
  /**
   * Also return the committed trace LDE and layer `layer` of its Merkle tree (a capsule's row archive
   * stores the rows, in chunks whose roots are that layer).
   */
  keepTrace?: { layer: number; lde?: boolean };
  /** Told when each stage starts and when the proof is done (real stage counts, not estimates). */
  progress?: (p: ProveProgress) => void;
}

export interface ProveResult {
  proof: StarkProof;
  stages: StageTiming[];
  /** The description of the backend the proof was made on. */
  backend: string;
  /**
   * When `keepTrace` was given: the layer, and unless `keepTrace.lde` is false the trace LDE columns
   * in committed (bit-reversed) row order (on a CPU backend with threads, in a SharedArrayBuffer:
   * copy one before putting its buffer in a transfer list).
   */
  trace?: { lde: Column[] | undefined; layer: Uint8Array };
}

async function opening(steps: StarkSteps<unknown, Matrix>, rows: Held<Matrix>, commitment: Commitment, positions: readonly number[]): Promise<Opening> {
  return { rows: await steps.rows(rows, positions), proof: await commitment.open(positions) };
}

/**
 * Proves `input` on `backend`. On a Scheduler (--backend gpu|auto) the whole proof runs resident on
 * its GPU when the trace LDE reaches the measured LDE threshold; if the GPU is lost or too small
 * for it, the proof is made again through the scheduler (CPU steps), with a notice and a record of
 * the abandoned attempt. Proofs are deterministic, so the bytes do not depend on where they ran.
 *
 * A trace that violates the AIR is refused with the constraint and row it breaks. The CPU path
 * checks the trace first; a resident GPU proof skips that host pass and lets the device's degree
 * check of the composition catch a violation, then names it the same way.
 */
export function prove(k: Kernels, backend: Backend, input: ProveInput): Promise<ProveResult> {
  return proveAs(k, backend, input, HONEST);
}

/**
 * How a prover behaves where the trace breaks the AIR. The honest one checks the trace and stops
 * when the composition or the last FRI layer is not low-degree, or the OOD answers do not satisfy the
 * verifier's equation; ./testing.ts's dishonest one (for soundness tests) skips all of that and goes
 * on with the polynomials cut to their bounds (on the CPU, the composition interpolated from the
 * blocks that determine an honest one), making a proof that must not verify.
 */
export interface Conduct {
  readonly refuseInvalid: boolean;
}

const HONEST: Conduct = { refuseInvalid: true };

/** prove() with the given conduct. */
export async function proveAs(k: Kernels, backend: Backend, input: ProveInput, conduct: Conduct): Promise<ProveResult> {
  const { air } = input;
  const o = checkOptions(input.options ?? DEFAULT_OPTIONS);
  checkAir(air);
  // The composition (degree < S·n) is interpolated from the LDE domain, so it must fit there.
  if (compositionSegments(air) > o.blowup)
    throw new RangeError(`${air.id}: its constraints' degrees need ${compositionSegments(air)} composition segments, hence a blowup of at least ${compositionSegments(air)}; the options give ${o.blowup}`);
  if (input.trace.length !== air.width || input.trace.some((c) => c.length !== 2 ** air.logN))
    throw new RangeError(`trace must be ${air.width} columns of 2^${air.logN} rows`);
  const size = 2 ** air.logN * o.blowup * air.width;
  // Where the whole proof runs is the backend's call (a scheduler: resident on its GPU from its LDE
  // threshold on, and again on the CPU if the GPU fails); the trace is checked on the host first only
  // when the first attempt runs there. The CPU rerun checks nothing first: its stage count is the
  // resident one's.
  const attempt = async (on: Backend, { resident, rerun }: { resident: boolean; rerun: boolean }): Promise<ProveResult> => {
    const stages: StageTiming[] = [];
    // A CPU backend's own kernels where it has some on this thread: one wasm memory then holds the
    // scratch of both (a wasm memory never shrinks), not two.
    const kernels = on.cpuJobs?.kernels ?? k;
    // An auxiliary segment's constraints need its challenges: proveChecked checks both segments once it has them.
    const hostCheck = on.kind !== 'gpu' && !resident && !rerun && conduct.refuseInvalid && air.aux === undefined;
    const total = PROVE_STAGES.length - (hostCheck ? 0 : 1) + (air.aux ? AUX_STAGES.length : 0);
    if (hostCheck) {
      input.progress?.({ stage: 'trace check', done: 0, total });
      const t0 = performance.now();
      if (!(await satisfies(kernels, air, input.trace, on.cpuJobs))) throw violation(air, input.trace);
      stages.push({ stage: 'trace check', ms: performance.now() - t0, backend: 'cpu' });
    }
    const r = await proveChecked(kernels, on, o, input, conduct, { done: hostCheck ? 1 : 0, total });
    return { ...r, stages: [...stages, ...r.stages] };
  };
  try {
    if (!backend.place) return await attempt(backend, { resident: backend.kind === 'gpu', rerun: false });
    const { value, abandoned } = await backend.place(size, 'prove', attempt);
    return abandoned ? { ...value, stages: [{ stage: 'gpu attempt', ms: abandoned.ms, backend: 'gpu', note: abandoned.note }, ...value.stages] } : value;
  } catch (e) {
    throw e instanceof NotLowDegreeError ? violation(air, input.trace, e) : e;
  }
}

/**
 * The error for a trace that violates the AIR, naming the first violation (the debugging view). An
 * AIR with an auxiliary segment is checked with its challenges where the prover drew them (its 'aux
 * trace' stage), so here only the cause remains.
 */
function violation(air: Air, trace: readonly Column[], cause?: Error): Error {
  if (air.aux !== undefined) return cause ?? new RangeError('trace violates the AIR');
  const r = checkTrace(air, trace);
  if (r.ok) return cause ?? new RangeError('trace violates the AIR');
  return new UnsatisfiedConstraintError(r.kind, r.index, r.row, r.name);
}

/**
 * The proof of a checked trace and options, with the heavy steps on `backend`; `count` holds the
 * stages done before it (the host's trace check) and the total, for progress.
 */
async function proveChecked(
  k: Kernels, backend: Backend, o: ProofOptions, input: ProveInput, conduct: Conduct, count: { done: number; total: number },
): Promise<ProveResult> {
  const { air } = input;
  const stages: StageTiming[] = [];
  // On a scheduler, a stage is labelled with where its operations ran (it records each one).
  const placement = backend.stages;
  const timed = async <T>(stage: string, where: string, fn: () => T | Promise<T>, kernel?: GeneratedKernel): Promise<T> => {
    input.progress?.({ stage, done: count.done, total: count.total });
    const mark = placement?.length ?? 0, t0 = performance.now();
    const v = await fn();
    const ran = [...new Set(placement?.slice(mark).map((r) => r.backend))];
    stages.push({ stage, ms: performance.now() - t0, backend: ran.length ? ran.join('+') : where, ...(kernel && { kernel }) });
    count.done++;
    return v;
  };
  const logN = air.logN, logBlowup = Math.log2(o.blowup), logNN = logN + logBlowup;
  const S = compositionSegments(air);

  const steps = stepsFor(k, backend);
  const held: Matrix[] = [];
  const commitments: Commitment[] = [];
  try {
    // 1. Trace: LDE (bit-reversed) and commitment; the LDE stays on the backend for the steps below.
    const traceM = await backend.upload(input.trace);
    held.push(traceM); // kept for the OOD answers
    const ldeM = await timed('trace lde', backend.kind, () => backend.lde(traceM, { blowup: o.blowup, order: 'bit-reversed' }));
    held.push(ldeM);
    const traceTree = await timed('trace commit', steps.where, () => steps.commitMatrix(ldeM));
    commitments.push(traceTree);
    const lde = await timed('trace hold', steps.where, () => steps.hold(ldeM));
    // The CPU steps' host copy serves as the kept LDE (the steps only read it).
    const keep = input.keepTrace;
    const kept = keep
      ? { lde: keep.lde === false ? undefined : lde.host ? [...lde.host] : await backend.download(ldeM), layer: await traceTree.layer(keep.layer) }
      : undefined;
    // Nothing is drawn before this point, so committing first changes no byte of the transcript.
    const statementHash = typeof input.statementHash === 'function' ? input.statementHash(traceTree.root, kept?.layer) : input.statementHash;
    const t = startTranscript(air, o, statementHash, input.publicInputs);
    t.absorb('trace-root', traceTree.root);

    // 1b. The auxiliary segment: challenges, its columns, their LDE and commitment. Everything after
    // works on the lowered AIR (../stark/aux.ts) over both segments' columns.
    const challenges = Array.from({ length: air.aux?.challenges ?? 0 }, () => t.challengeExt('aux-challenge'));
    const lowered = lowerAir(air, challenges);
    let both = lde, traceOnH: Matrix = traceM;
    let aux: { tree: Commitment; held: Held<Matrix> } | undefined;
    if (air.aux) {
      const columns = await timed('aux trace', 'cpu', () => auxTrace(k, air, input.trace, challenges, lowered.air, conduct, backend.cpuJobs));
      const auxM = await backend.upload(columns);
      held.push(auxM);
      const auxLdeM = await timed('aux lde', backend.kind, () => backend.lde(auxM, { blowup: o.blowup, order: 'bit-reversed' }));
      held.push(auxLdeM);
      const tree = await timed('aux commit', steps.where, () => steps.commitMatrix(auxLdeM));
      commitments.push(tree);
      aux = { tree, held: await steps.hold(auxLdeM) };
      t.absorb('aux-root', tree.root);
      both = steps.join(lde, aux.held);
      // The OOD answers interpolate both segments' columns on H, as one matrix.
      traceOnH = await backend.upload([...input.trace, ...columns]);
      held.push(traceOnH);
    }
    const base = lowered.air;

    // 2. Composition: constraints over the LDE domain, split into S segments of degree < n, committed.
    const declaredAlphas = Array.from({ length: compositionCoefficientCount(air) }, () => t.challengeExt('composition-coefficient'));
    const alphas = lowered.coefficients(declaredAlphas);
    // Large intermediates are dropped (set undefined) once consumed: the stage closures below capture
    // this scope, so a const would hold its columns until the proof is done.
    let comp: unknown = await timed('constraints', steps.where, () => steps.composition(base, both, alphas, logBlowup, S), steps.compositionKernel?.(base, alphas));
    let split: Split<Matrix> | undefined = await timed('composition split', steps.where, () => steps.split(comp, logN, S, o.blowup));
    comp = undefined;
    const compLde = split.lde, lowDegree = split.lowDegree;
    let segmentCoeffs: Held<Matrix> | undefined = split.coeffs;
    split = undefined;
    const compM = compLde.matrix;
    held.push(compM);
    if (lowDegree === false && conduct.refuseInvalid) {
      steps.drop(segmentCoeffs!);
      throw new NotLowDegreeError(`composition has degree ≥ ${S}·n`);
    }
    const compTree = await timed('composition commit', steps.where, () => steps.commitMatrix(compM));
    commitments.push(compTree);
    t.absorb('composition-root', compTree.root);

    // 3. Out-of-domain answers at z and z·ω.
    const z = drawOodPoint(t);
    const zw = Fp2.mulBase(z, Fp.rootOfUnity(logN));
    const { oodTrace, oodTraceNext, oodComposition } = await timed('ood', steps.where, () => steps.ood(traceOnH, segmentCoeffs!, z, zw));
    segmentCoeffs = undefined;
    // The verifier's OOD equation, checked before anything is sent: a composition interpolated from a
    // trace that breaks the AIR (the CPU steps' B blocks cannot show it) fails it but with negligible odds.
    if (conduct.refuseInvalid && !Fp2.eq(compositionAt(k, base, z, oodTrace, oodTraceNext, alphas), segmentsAt(logN, z, oodComposition)))
      throw new NotLowDegreeError('the composition does not match the constraints at the OOD point');
    t.absorbExt('ood-trace', oodTrace);
    t.absorbExt('ood-trace-next', oodTraceNext);
    t.absorbExt('ood-composition', oodComposition);

    // 4. DEEP composition and FRI.
    const gammas = Array.from({ length: 2 * base.width + S }, () => t.challengeExt('deep-coefficient'));
    let deep: unknown = await timed('deep composition', steps.where, () =>
      steps.deep(both, compLde, logN, logBlowup, { z, zw, oodTrace, oodTraceNext, oodComposition, gammas }));
    const plan = friPlan(logN, o);
    const fri = await timed('fri', steps.where, () => {
      const layer0 = deep;
      deep = undefined;
      return friCommit(k, steps, layer0, logNN, COSET_SHIFT, o, plan, () => t.challengeExt('fri-alpha'), (root) => t.absorb('fri-root', root));
    });
    commitments.push(...fri.layers.map((l) => l.commitment));
    if (!fri.lowDegree && conduct.refuseInvalid) throw new NotLowDegreeError(`FRI's last layer has degree ≥ ${plan.finalDegree}`);
    t.absorbExt('fri-final', fri.finalPoly);
    const result = await finish(t, air, o, steps, { traceTree, aux, compTree, lde, comp: compLde, segments: S, oodTrace, oodTraceNext, oodComposition, fri, stages, backend: backend.description, timed });
    input.progress?.({ stage: 'done', done: count.done, total: count.total });
    return kept ? { ...result, trace: kept } : result;
  } finally {
    held.forEach((m) => backend.release(m));
    commitments.forEach((c) => c.release());
  }
}

interface Committed {
  traceTree: Commitment;
  /** The auxiliary segment's commitment and LDE, where the AIR has one. */
  aux: { tree: Commitment; held: Held<Matrix> } | undefined;
  compTree: Commitment;
  lde: Held<Matrix>;
  comp: Held<Matrix>;
  segments: number;
  oodTrace: Fp2.Fp2[];
  oodTraceNext: Fp2.Fp2[];
  oodComposition: Fp2.Fp2[];
  fri: FriProverState<Matrix>;
  stages: StageTiming[];
  backend: string;
  timed: <T>(stage: string, where: string, fn: () => T | Promise<T>) => Promise<T>;
}

/** Grinding, query sampling and the openings: the proof from everything committed. */
async function finish(t: Transcript, air: Air, o: ProofOptions, steps: StarkSteps<unknown, Matrix>, c: Committed): Promise<ProveResult> {
  const { fri } = c;
  // 5. Grinding, then queries.
  const nonce = await c.timed('grinding', 'cpu', () => t.grind(o.grindingBits));
  t.absorb('pow-nonce', nonceBytes(nonce));
  const logN = air.logN;
  const queries = drawQueries(t, logN, o);
  const f = o.foldingFactor, logF = Math.log2(f);
  const positions = queries.flatMap((g) => Array.from({ length: f }, (_, j) => g * f + j));
  const { friOpenings, traceOpening, auxOpening, compositionOpening } = await c.timed('openings', steps.where, async () => ({
    friOpenings: await Promise.all(fri.layers.map((layer, i) => {
      const leaves = [...new Set(queries.map((g) => g >> (logF * (i + 1))))].sort((a, b) => a - b);
      return opening(steps, layer.rows, layer.commitment, leaves);
    })),
    traceOpening: await opening(steps, c.lde, c.traceTree, positions),
    auxOpening: c.aux && await opening(steps, c.aux.held, c.aux.tree, positions),
    compositionOpening: await opening(steps, c.comp, c.compTree, positions),
  }));
  const proof: StarkProof = {
    options: o, airId: air.id, logN, width: air.width, segments: c.segments,
    traceRoot: c.traceTree.root, ...(c.aux && { auxRoot: c.aux.tree.root }), compositionRoot: c.compTree.root,
    oodTrace: c.oodTrace, oodTraceNext: c.oodTraceNext, oodComposition: c.oodComposition,
    friRoots: fri.layers.map((l) => l.commitment.root), finalPoly: fri.finalPoly, nonce,
    traceOpening, ...(auxOpening && { auxOpening }), compositionOpening, friOpenings,
    securityBits: securityBits(logN, o),
  };
  return { proof, stages: c.stages, backend: c.backend };
}

/**
 * The auxiliary segment's columns (c0, c1 of each) built from the trace under `challenges`; an honest
 * prover checks both segments against the lowered AIR here and names the first broken constraint.
 */
async function auxTrace(
  k: Kernels, air: Air, trace: readonly Column[], challenges: readonly Fp2.Fp2[], lowered: Air, conduct: Conduct, jobs: CpuJobs | undefined,
): Promise<Column[]> {
  const built = air.aux!.build(trace, challenges);
  const columns = auxBaseColumns(air, built);
  if (conduct.refuseInvalid && !(await satisfies(k, lowered, [...trace, ...columns], jobs))) {
    const r = checkAuxTrace(air, trace, built, challenges);
    throw r.ok ? new RangeError('trace violates the AIR') : new UnsatisfiedConstraintError(r.kind, r.index, r.row, r.name);
  }
  return columns;
}

/**
 * Whether the trace satisfies every constraint of a base-field AIR: the boundaries, the row
 * constraints, then the transitions compiled over the columns.
 */
async function satisfies(k: Kernels, air: Air, trace: readonly Column[], jobs: CpuJobs | undefined): Promise<boolean> {
  const n = 2 ** air.logN;
  if (!air.boundaries.every((b) => trace[b.col]![b.row] === b.value)) return false;
  if (brokenRowConstraint(air, trace) >= 0) return false;
  // Rows 0 … n−2 against rows 1 … n−1 (views, no copies), in a range of rows per thread.
  const periodic = air.periodic.map((v) => periodicOnTrace(v, n));
  const at = (lo: number, hi: number) => ({
    cur: trace.map((c) => c.subarray(lo, hi)), next: trace.map((c) => c.subarray(lo + 1, hi + 1)), periodic: periodic.map((c) => c.subarray(lo, hi)),
  });
  if (!jobs || jobs.threads === 1 || !jobs.handles('transitionsHold') || n * air.width < PARALLEL_MIN_ELEMENTS)
    return transitionsHold(k, air.transitions, at(0, n - 1));
  const shares = ranges(n - 1, jobs.threads);
  const results = await jobs.runJobs(shares, ([lo, hi], copy) => {
    const moved: ArrayBuffer[] = [];
    const own = (c: Column) => (copy ? toWorker(c, moved) : c);
    const frame = at(lo, hi);
    return { job: { op: 'transitionsHold', transitions: air.transitions, cur: frame.cur.map(own), next: frame.next.map(own), periodic: frame.periodic.map(own) }, transfer: moved };
  });
  return results.every((r) => 'columns' in r && r.columns[0]?.[0] === 1n);
}


/** The steps for a backend: resident on the GPU it keeps matrices on, else on the CPU kernels. */
function stepsFor(k: Kernels, backend: Backend): StarkSteps<unknown, Matrix> {
  return (backend.resident ? gpuSteps(k, backend.resident) : cpuSteps(k, backend)) as StarkSteps<unknown, Matrix>;
}
