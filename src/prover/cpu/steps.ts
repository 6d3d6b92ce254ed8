/**
 * The prover's steps (src/stark/steps.ts) on the CPU kernels: the LDEs (the trace's, the segments',
 * the DEEP polynomial's), hashing and trace interpolation on the backend; the composition by coset
 * block as jobs on its threads (./jobs.ts) where it has them; splitting, OOD answers, the DEEP
 * polynomial's coefficients (./deep.ts) and FRI folds in wasm memory here.
 * Byte for byte what the GPU steps (../gpu/steps.ts) make.
 *
 * @module
 */
import type { Backend, CpuJobs, Matrix } from '../../backend/backend.js';
import type { Job } from '../../backend/cpu/jobs.js';
import { toWorker, type Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import { hashPairs, hashRows } from '../../hash/leaves.js';
import { buildMerkleTree, type MerkleTree } from '../../merkle/tree.js';
import { openBatch } from '../../merkle/proof.js';
import type { Kernels } from '../../wasm/kernels.js';
import { blocksFor, compositionOnLde, type BlockRunner } from './composition.js';
import { compositionModule } from './composition-kernel.js';
import { deepCoefficients } from './deep.js';
import { concatExt, pairOf } from '../../field/ext-columns.js';
import { COSET_SHIFT } from '../../stark/domain.js';
import type { ExtColumn } from '../../field/ext-columns.js';
import { blockShift, foldBy, foldCoefficients, layerRows } from './fri.js';
import { splitSegments } from './split.js';
import { PROVER_JOB_OPS } from './jobs.js';
import type { Commitment, Held, StarkSteps } from '../../stark/steps.js';
import { joinOodShares, oodAnswers, unpackOod } from './ood.js';
import { PARALLEL_MIN_ELEMENTS, ranges } from '../../backend/cpu/cpu-backend.js';

/** Columns the CPU steps keep on the host only (the matrix is a descriptor, nothing to release). */
const hostHeld = (cols: readonly Column[]): Held<Matrix> => ({ matrix: { backend: 'cpu', height: cols[0]!.length, width: cols.length }, host: cols });

const hostCommitment = (tree: MerkleTree): Commitment => ({
  root: tree.root, open: async (indices) => openBatch(tree, indices), layer: async (level) => tree.layer(level), release() {},
});

/** Rows at `positions` of column-major `cols`, row-major. */
export function rowsAt(cols: readonly Column[], positions: readonly number[]): BigUint64Array {
  const out = new BigUint64Array(positions.length * cols.length);
  positions.forEach((p, r) => cols.forEach((c, j) => (out[r * cols.length + j] = c[p]!)));
  return out;
}

/**
 * Jobs that return (c0, c1), one per item, on a CPU backend's threads; `job` builds each from its
 * item, passing every input column through `own` (to a worker: shared memory as is, else a fresh copy moved there).
 */
async function extJobs<T>(cpu: CpuJobs, items: readonly T[], job: (item: T, own: (c: Column) => Column) => Job): Promise<ExtColumn[]> {
  const results = await cpu.runJobs(items, (item, copy) => {
    const moved: ArrayBuffer[] = [];
    const own = (c: Column): Column => (copy ? toWorker(c, moved) : c);
    return { job: job(item, own), transfer: moved };
  });
  return results.map((r) => {
    if (!('columns' in r) || r.columns.length !== 2) throw new Error('a CPU job returned no (c0, c1) columns');
    return pairOf(r.columns);
  });
}

/** The composition's coset blocks as jobs on a CPU backend's threads. */
const blocksOn = (cpu: CpuJobs): BlockRunner => (_, air, blocks, alphas) =>
  extJobs(cpu, blocks, (b, own) => ({ op: 'compositionBlock', air, block: { ...b, cur: b.cur.map(own), periodic: b.periodic.map(own) }, alphas }));

/** splitSegments with its two coordinates as jobs on a CPU backend's threads. */
async function segmentsOn(cpu: CpuJobs, comp: ExtColumn, logN: number, S: number): Promise<ExtColumn[]> {
  const [c0, c1] = (await cpu.runJobs([comp.c0, comp.c1], (column, copy) => {
    const moved: ArrayBuffer[] = [];
    return { job: { op: 'segments', column: copy ? toWorker(column, moved) : column, logN, segments: S }, transfer: moved };
  })).map((r) => {
    if (!('columns' in r) || r.columns.length !== S) throw new Error(`a CPU job returned no ${S} segment columns`);
    return r.columns;
  });
  return c0!.map((s, j) => ({ c0: s, c1: c1![j]! }));
}

/**
 * The CPU jobs host behind `backend` whose threads run the prover's jobs (./jobs.ts), or undefined to
 * run them on this thread. A backend with threads whose workers do not serve them is refused: it was
 * made without the prover's worker (capseal/prover/node's factories make it with it).
 */
function jobsOf(backend: Backend): CpuJobs | undefined {
  const cpu = backend.cpuJobs;
  if (!cpu || PROVER_JOB_OPS.every((op) => cpu.handles(op))) return cpu;
  if (cpu.threads === 1) return undefined;
  throw new Error(`the CPU backend's workers do not run the prover's jobs (${PROVER_JOB_OPS.join(', ')}): make it with capseal/prover/node (createNodeCpuBackend, createNodeBackend) or, in a browser, with PROVER_JOBS and the prover's worker`);
}

/** A CPU layer: evaluations, or (layer 0) a polynomial by its coefficients with the coset it lives on. */
export type CpuLayer = ExtColumn | { coefficients: ExtColumn; blowup: number; shift: bigint };

export function cpuSteps(k: Kernels, backend: Backend): StarkSteps<CpuLayer, Matrix> {
  const cpu = jobsOf(backend);
  let kept: { trace: readonly Column[]; segments: readonly Column[] } | undefined;
  /** Coefficient columns evaluated on shift·⟨ω⟩ with `blowup` (bit-reversed) on the backend's threads: the matrix, and its host copy. */
  const extend = async (coefficients: Column[], blowup: number, shift: bigint): Promise<Held<Matrix>> => {
    const m = await backend.upload(coefficients);
    try {
      const lde = await backend.lde(m, { blowup, shift, order: 'bit-reversed', from: 'coefficients' });
      return { matrix: lde, host: await backend.read(lde) };
    } finally {
      backend.release(m);
    }
  };
  /** extend() of an F_p2 pair, kept on the host only. */
  const extendPair = async (c: ExtColumn, blowup: number, shift: bigint): Promise<ExtColumn> => {
    const { matrix, host } = await extend([c.c0, c.c1], blowup, shift);
    backend.release(matrix);
    return pairOf(host!);
  };
  const evaluations = async (layer: CpuLayer): Promise<ExtColumn> =>
    'coefficients' in layer ? extendPair(layer.coefficients, layer.blowup, layer.shift) : layer;
  const host = (h: Held<Matrix>): readonly Column[] => {
    if (!h.host) throw new Error('CPU steps need the host copy of a matrix (hold() makes it)');
    return h.host;
  };
  return {
    where: 'cpu',
    async hold(matrix) {
      return { matrix, host: await backend.read(matrix) };
    },
    join: (a, b) => hostHeld([...host(a), ...host(b)]),
    async rows(h, positions) {
      return rowsAt(host(h), positions);
    },
    compositionKernel: (air, alphas) => compositionModule(air, alphas).id,
    async composition(air, lde, alphas, logBlowup, segments) {
      return compositionOnLde(k, air, { cur: host(lde), logN: air.logN, logBlowup }, alphas, cpu ? blocksOn(cpu) : undefined, blocksFor(segments));
    },
    async split(comp, logN, S, blowup) {
      // The composition holds only the blocks that determine it (compositionOnLde): its degree is not checked here.
      const c = await evaluations(comp);
      // The two coordinates split independently: one job each on the backend's threads.
      const segments = cpu ? await segmentsOn(cpu, c, logN, S) : splitSegments(k, c, logN, S).segments;
      const coeffs = segments.flatMap((seg) => [seg.c0, seg.c1]);
      // The segments' LDE on the backend (columns spread over its threads), with a host copy.
      return { coeffs: hostHeld(coeffs), lde: await extend(coeffs, blowup, COSET_SHIFT), lowDegree: undefined };
    },
    async ood(trace, coeffs, z, zw) {
      const m = await backend.intt(trace);
      const traceCoeffs = await backend.read(m);
      backend.release(m);
      // Kept for deep(), which works on the coefficients.
      const segments = host(coeffs);
      kept = { trace: traceCoeffs, segments };
      const n = traceCoeffs[0]!.length;
      if (!cpu || cpu.threads === 1 || n * (traceCoeffs.length + segments.length) < PARALLEL_MIN_ELEMENTS) return oodAnswers(k, traceCoeffs, segments, z);
      // One share of the coefficients per thread, joined here.
      const omega = Fp.rootOfUnity(Math.log2(n));
      const shares = ranges(n, cpu.threads).map(([lo, hi]) => ({ lo, hi }));
      const answers = await cpu.runJobs(shares, ({ lo, hi }, copy) => {
        const moved: ArrayBuffer[] = [];
        const part = (c: Column) => (copy ? toWorker(c, moved, lo, hi) : c.subarray(lo, hi));
        return { job: { op: 'oodPart', trace: traceCoeffs.map(part), segments: segments.map(part), z, omega }, transfer: moved };
      });
      return joinOodShares(shares, answers.map((r) => {
        if (!('columns' in r) || r.columns.length !== 1) throw new Error('a CPU job returned no OOD share');
        return unpackOod(r.columns[0]!, traceCoeffs.length, segments.length / 2);
      }), z, zw);
    },
    async deep(_lde, _comp, _logN, logBlowup, d) {
      if (!kept) throw new Error('CPU steps: deep() needs the coefficients ood() keeps');
      const segments = Array.from({ length: kept.segments.length / 2 }, (_, j) => pairOf(kept!.segments.slice(2 * j)));
      const coefficients = deepCoefficients(k, kept.trace, segments, d);
      kept = undefined;
      // Layer 0 stays in coefficient form: FRI's first fold needs no evaluation of it (fold below).
      return { coefficients, blowup: 2 ** logBlowup, shift: COSET_SHIFT };
    },
    async fold(layer, shift, logSize, alpha, f) {
      if ('coefficients' in layer) {
        // Fold the coefficients, then evaluate the folded polynomial on the folded domain (shift^f, same blowup).
        const folded = foldCoefficients(k, layer.coefficients, alpha, f);
        if (folded.c0.length * layer.blowup !== 2 ** (logSize - Math.log2(f))) throw new Error('CPU steps: a coefficient layer of the wrong size');
        return extendPair(folded, layer.blowup, Fp.pow(shift, BigInt(f)));
      }
      const logBlocks = cpu ? Math.min(Math.floor(Math.log2(cpu.threads)), logSize - Math.log2(f)) : 0;
      if (!cpu || logBlocks === 0 || 2 * layer.c0.length < PARALLEL_MIN_ELEMENTS) return foldBy(k, layer, shift, logSize, alpha, f);
      // One aligned block per thread, each folded as the layer of its own coset.
      const size = 2 ** (logSize - logBlocks);
      const blocks = Array.from({ length: 2 ** logBlocks }, (_, q) => q);
      const folded = await extJobs(cpu, blocks, (q, own) => ({
        op: 'foldBlock', c0: own(layer.c0.subarray(q * size, (q + 1) * size)), c1: own(layer.c1.subarray(q * size, (q + 1) * size)),
        shift: blockShift(shift, logSize, logBlocks, q), logSize: logSize - logBlocks, alpha, f,
      }));
      return concatExt(folded);
    },
    async commitMatrix(m) {
      return hostCommitment(await (backend.commitRows ? backend.commitRows(m) : backend.merkleTree(await backend.hashRows(m))));
    },
    async commitLayer(layer, f) {
      const cols = layerRows(await evaluations(layer), f);
      // On the CPU backend's threads as it commits its matrices (the rows are ours, never written), else here.
      const tree = backend.cpuJobs ? await backend.cpuJobs.commitColumns(cols) : buildMerkleTree(hashRows(k, cols), (c) => hashPairs(k, c), { keepLeaves: true });
      return { commitment: hostCommitment(tree), rows: hostHeld(cols) };
    },
    async values(layer) {
      return evaluations(layer);
    },
    release() {},
    drop() {},
  };
}
