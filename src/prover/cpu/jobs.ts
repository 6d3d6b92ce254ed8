/**
 * The prover's CPU jobs: the host's trace check by range of rows, the composition by coset block,
 * the composition's split by coordinate, a range's share of the OOD answers and a block's FRI fold,
 * run on a CPU backend's threads. A worker serves them when its entry module hands this table to the
 * backend's job server (./worker.ts in Node, ./worker-browser.ts in a browser); the backend's own
 * operations are part of the table, so one pool runs both.
 *
 * @module
 */
import { BACKEND_JOBS, handler, handles, type Job, type JobHandlers } from '../../backend/cpu/jobs.js';
import type { Fp2 } from '../../field/ext2.js';
import type { Air } from '../../stark/air.js';
import { compositionBlock, type CompositionBlock } from './composition.js';
import { segmentsOf } from './split.js';
import { oodAnswers, packOod } from './ood.js';
import { foldBy } from './fri.js';
import type { Column } from '../../field/columns.js';
import type { Expr } from '../../stark/expr.js';
import { transitionsHold } from './constraints.js';

export interface CompositionJob extends Job {
  op: 'compositionBlock';
  air: Air;
  block: CompositionBlock;
  alphas: readonly Fp2[];
}

export interface OodPartJob extends Job {
  op: 'oodPart';
  /** A range of the trace's coefficients, then of the segments' (c0, c1 pairs). */
  trace: Column[];
  segments: Column[];
  z: Fp2;
  /** The trace domain's generator. */
  omega: bigint;
}

export interface FoldBlockJob extends Job {
  op: 'foldBlock';
  /** An aligned block of a layer (c0, c1): a layer of its own on the coset `shift` names (./fri.ts blockShift). */
  c0: Column;
  c1: Column;
  shift: bigint;
  logSize: number;
  alpha: Fp2;
  f: number;
}

export interface TransitionsJob extends Job {
  op: 'transitionsHold';
  transitions: readonly Expr[];
  /** A range of rows, and the rows after them, of every column; the periodic columns' values there. */
  cur: Column[];
  next: Column[];
  periodic: Column[];
}

export interface SegmentsJob extends Job {
  op: 'segments';
  column: Column;
  logN: number;
  segments: number;
}

/** The backend's operations and the prover's: what a prover's CPU worker serves. */
export const PROVER_JOBS: JobHandlers = {
  ...BACKEND_JOBS,
  segments: handler((k, job: SegmentsJob) => ({ columns: segmentsOf(k, job.column, job.logN, job.segments).segments })),
  foldBlock: handler((k, job: FoldBlockJob) => {
    const folded = foldBy(k, { c0: job.c0, c1: job.c1 }, job.shift, job.logSize, job.alpha, job.f);
    return { columns: [folded.c0, folded.c1] };
  }),
  oodPart: handler((k, job: OodPartJob) => ({ columns: [packOod(oodAnswers(k, job.trace, job.segments, job.z, job.omega))] })),
  transitionsHold: handler((k, job: TransitionsJob) => ({ columns: [BigUint64Array.of(transitionsHold(k, job.transitions, job) ? 1n : 0n)] })),
  compositionBlock: handler((k, job: CompositionJob) => {
    const c = compositionBlock(k, job.air, job.block, job.alphas);
    return { columns: [c.c0, c.c1] };
  }),
};

/** The ops the prover adds to the backend's: what a CPU backend's workers must serve for the prover to use them. */
export const PROVER_JOB_OPS: readonly string[] = Object.keys(PROVER_JOBS).filter((op) => !handles(BACKEND_JOBS, op));
