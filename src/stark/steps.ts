// The prover's heavy steps after the trace LDE — constraint composition, the OOD answers, DEEP
// composition, FRI folding and layer commitments — on the CPU kernels, or resident on the GPU
// (src/gpu/composition.ts, poly-eval.ts, deep.ts, fri.ts). Both give the same bytes, so a proof does
// not depend on where it was made.
// A layer `L` is wherever the implementation keeps FRI layers: host columns or a GPU matrix.
import type { Backend, Matrix } from '../backend/backend.js';
import { CpuBackend } from '../backend/cpu/cpu-backend.js';
import type { Job } from '../backend/cpu/jobs.js';
import { Scheduler } from '../backend/scheduler.js';
import type { GpuBackend } from '../backend/gpu/gpu-backend.js';
import { powersColumn, type Column } from '../field/columns.js';
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { hashPairs, hashRows } from '../hash/leaves.js';
import { buildMerkleTree, type MerkleTree } from '../merkle/tree.js';
import { compositionGpu } from '../gpu/composition.js';
import { deepGpu } from '../gpu/deep.js';
import { evaluateColumnsGpu } from '../gpu/poly-eval.js';
import { isZeroFromGpu } from '../gpu/zero-check.js';
import { friFoldGpu, layerRowsGpu } from '../gpu/fri.js';
import { hashRowsGpu, merkleCommitGpu } from '../gpu/blake3.js';
import { openBatch, type MultiProof } from '../merkle/proof.js';
import { allocMatrix, copyRows, downloadColumns, gatherRows, releaseMatrix, type GpuMatrix } from '../gpu/matrix.js';
import type { Kernels } from '../wasm/kernels.js';
import type { Air } from './air.js';
import { compositionOnLde, type BlockRunner } from './composition.js';
import { deepComposition, type DeepInput, type DeepParams } from './deep.js';
import { concatExt, evaluateBaseAt, extPowers, joinCoordinates, mulExtByBase } from './ext-columns.js';
import { COSET_SHIFT, domainPoints } from './domain.js';
import type { ExtColumn } from './ext-columns.js';
import { foldLayer, layerRows } from './fri.js';
import { NotLowDegreeError, splitSegments } from './split.js';

/** A matrix on the backend, with a host copy where the steps compute on the host (the CPU steps). */
export interface Held {
  matrix: Matrix;
  host: readonly Column[] | undefined;
}

/** A committed matrix: its root, batch openings of leaf indices, a whole layer, and the storage to free. */
export interface Commitment {
  readonly root: Uint8Array;
  open(indices: readonly number[]): Promise<MultiProof>;
  /** Every node of `level` of the tree (0 = leaves), concatenated. */
  layer(level: number): Promise<Uint8Array>;
  release(): void;
}

export interface Split {
  /** Coefficients of the S segments C_j (degree < n), 2S columns (c0, c1 of each); ood() consumes them. */
  coeffs: Held;
  /** Their LDEs, 2S columns (c0, c1 of each segment), on the backend and on the host. */
  lde: Held;
}

/** The out-of-domain answers: every trace column at z and z·ω, every composition segment at z. */
export interface OodAnswers {
  oodTrace: Fp2.Fp2[];
  oodTraceNext: Fp2.Fp2[];
  oodComposition: Fp2.Fp2[];
}

export interface StarkSteps<L> {
  readonly where: 'cpu' | 'gpu';
  /** Wraps a backend matrix for the steps below (the CPU steps take a host copy). */
  hold(m: Matrix): Promise<Held>;
  /** Rows at `positions`, row-major: the opened values of a committed matrix. */
  rows(h: Held, positions: readonly number[]): Promise<BigUint64Array>;
  /** The composition on the LDE domain (bit-reversed), as a layer (two columns). */
  composition(air: Air, lde: Held, alphas: readonly Fp2.Fp2[], logBlowup: number): Promise<L>;
  /**
   * Cuts the composition (degree < S·n) into S segments, C(x) = Σ_j x^(j·n)·C_j(x), and extends each
   * to the LDE domain; consumes `comp`. Throws NotLowDegreeError if anything lies above S·n (a
   * cheat skips the check).
   */
  split(comp: L, logN: number, segments: number, blowup: number, cheat: boolean): Promise<Split>;
  /**
   * The OOD answers at z and zw = z·ω (ω the generator of the trace domain H: the CPU steps get
   * zw's powers by scaling z's with ω's) from the trace (evaluations on H, natural order, as
   * uploaded) and the segment coefficients; consumes `coeffs`, leaves `trace` to the caller.
   */
  ood(trace: Matrix, coeffs: Held, z: Fp2.Fp2, zw: Fp2.Fp2): Promise<OodAnswers>;
  /** The DEEP composition: FRI layer 0. `comp` holds the 2S composition-segment columns. */
  deep(lde: Held, comp: Held, logN: number, logBlowup: number, d: DeepParams): Promise<L>;
  /** One fold by f (log2 f binary folds with α, α², …) of a layer of 2^logSize on shift·⟨ω⟩. */
  fold(layer: L, shift: bigint, logSize: number, alpha: Fp2.Fp2, f: 2 | 4): Promise<L>;
  /** Commits a matrix (one leaf per row): the root, and openings that fetch only what they send. */
  commitMatrix(m: Matrix): Promise<Commitment>;
  /**
   * Commits a FRI layer (one leaf per fold group of f values): the commitment and the leaf rows to
   * open; the commitment's release() frees both.
   */
  commitLayer(layer: L, f: number): Promise<{ commitment: Commitment; rows: Held }>;
  values(layer: L): Promise<ExtColumn>;
  release(layer: L): void;
}

const pair = (cols: readonly Column[]): ExtColumn => ({ c0: cols[0]!, c1: cols[1]! });

/** Columns the CPU steps keep on the host only (the matrix is a descriptor, nothing to release). */
const hostHeld = (cols: readonly Column[]): Held => ({ matrix: { backend: 'cpu', height: cols[0]!.length, width: cols.length }, host: cols });

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
 * item, passing every input column through `own` (a fresh copy moved to the worker, where there is one).
 */
async function extJobs<T>(cpu: CpuBackend, items: readonly T[], job: (item: T, own: (c: Column) => Column) => Job): Promise<ExtColumn[]> {
  const results = await cpu.runJobs(items, (item, copy) => {
    const moved: ArrayBuffer[] = [];
    const own = (c: Column): Column => {
      if (!copy) return c;
      const fresh = c.slice();
      moved.push(fresh.buffer as ArrayBuffer);
      return fresh;
    };
    return { job: job(item, own), transfer: moved };
  });
  return results.map((r) => {
    if (!('columns' in r) || r.columns.length !== 2) throw new Error('a CPU job returned no (c0, c1) columns');
    return pair(r.columns);
  });
}

/** The composition's coset blocks as jobs on a CPU backend's threads. */
const blocksOn = (cpu: CpuBackend): BlockRunner => (_, air, blocks, alphas) =>
  extJobs(cpu, blocks, (b, own) => ({ op: 'compositionBlock', air, block: { ...b, cur: b.cur.map(own), periodic: b.periodic.map(own) }, alphas }));

/** The DEEP composition (pointwise) in β blocks of n points, as jobs on a CPU backend's threads. */
async function deepOn(cpu: CpuBackend, d: DeepInput, n: number): Promise<ExtColumn> {
  const starts = Array.from({ length: d.xs.length / n }, (_, b) => b * n);
  return concatExt(await extJobs(cpu, starts, (lo, own) => {
    const part = (c: Column) => own(c.subarray(lo, lo + n));
    return { op: 'deep', input: { ...d, xs: part(d.xs), trace: d.trace.map(part), segments: d.segments.map((s) => ({ c0: part(s.c0), c1: part(s.c1) })) } };
  }));
}

/** The CPU backend behind `backend` (itself, or a scheduler's CPU side), whose threads run CPU jobs. */
const cpuOf = (backend: Backend): CpuBackend | undefined =>
  backend instanceof CpuBackend ? backend : backend instanceof Scheduler && backend.cpu instanceof CpuBackend ? backend.cpu : undefined;

export function cpuSteps(k: Kernels, backend: Backend): StarkSteps<ExtColumn> {
  const cpu = cpuOf(backend);
  let xs: { logSize: number; points: Column } | undefined;
  const points = (logSize: number): Column => {
    if (xs?.logSize !== logSize) xs = { logSize, points: domainPoints(k, COSET_SHIFT, logSize) };
    return xs.points;
  };
  const host = (h: Held): readonly Column[] => {
    if (!h.host) throw new Error('CPU steps need the host copy of a matrix (hold() makes it)');
    return h.host;
  };
  return {
    where: 'cpu',
    async hold(matrix) {
      return { matrix, host: await backend.read(matrix) };
    },
    async rows(h, positions) {
      return rowsAt(host(h), positions);
    },
    async composition(air, lde, alphas, logBlowup) {
      return compositionOnLde(k, air, { cur: host(lde), logN: air.logN, logBlowup }, alphas, cpu ? blocksOn(cpu) : undefined);
    },
    async split(comp, logN, segments, blowup, cheat) {
      const coeffs = splitSegments(k, comp, logN, segments, cheat).flatMap((c) => [c.c0, c.c1]);
      // The segments' LDE on the backend (columns spread over its threads), with a host copy.
      const m = await backend.upload(coeffs);
      try {
        const lde = await backend.lde(m, { blowup, shift: COSET_SHIFT, order: 'bit-reversed', from: 'coefficients' });
        return { coeffs: hostHeld(coeffs), lde: { matrix: lde, host: await backend.read(lde) } };
      } finally {
        backend.release(m);
      }
    },
    async ood(trace, coeffs, z, zw) {
      const m = await backend.intt(trace);
      const traceCoeffs = await backend.read(m);
      backend.release(m);
      const n = traceCoeffs[0]!.length;
      // (z·ω)^i = z^i·ω^i: a base-field scaling, cheaper than a second F_p2 power table.
      const zPowers = extPowers(k, z, n), zwPowers = mulExtByBase(k, zPowers, powersColumn(k, 1n, Fp.rootOfUnity(Math.log2(n)), n));
      return {
        oodTrace: evaluateBaseAt(k, traceCoeffs, zPowers),
        oodTraceNext: evaluateBaseAt(k, traceCoeffs, zwPowers),
        oodComposition: joinCoordinates(evaluateBaseAt(k, host(coeffs), zPowers)),
      };
    },
    async deep(lde, comp, logN, logBlowup, d) {
      const c = host(comp);
      const segments = Array.from({ length: c.length / 2 }, (_, j) => pair(c.slice(2 * j)));
      const input = { ...d, xs: points(logN + logBlowup), trace: host(lde), segments };
      return cpu ? deepOn(cpu, input, 2 ** logN) : deepComposition(k, input);
    },
    async fold(layer, shift, logSize, alpha, f) {
      let v = layer, s = shift, a = alpha;
      for (let r = 0; r < Math.log2(f); r++) {
        v = foldLayer(k, v, s, logSize - r, a);
        s = Fp.square(s);
        a = Fp2.square(a);
      }
      return v;
    },
    async commitMatrix(m) {
      return hostCommitment(await backend.merkleTree(await backend.hashRows(m)));
    },
    async commitLayer(layer, f) {
      const cols = layerRows(layer, f);
      const tree = buildMerkleTree(hashRows(k, cols), (c) => hashPairs(k, c), { keepLeaves: true });
      return { commitment: hostCommitment(tree), rows: hostHeld(cols) };
    },
    async values(layer) {
      return layer;
    },
    release() {},
  };
}

export function gpuSteps(k: Kernels, backend: GpuBackend): StarkSteps<GpuMatrix> {
  const ctx = backend.ctx;
  /** Leaves hashed and the tree built on the device, kept there. */
  const residentCommitment = async (m: GpuMatrix): Promise<Commitment> => {
    const { digests } = await hashRowsGpu(ctx, m);
    const { tree } = await merkleCommitGpu(ctx, digests, m.height);
    return { root: tree.root, open: (indices) => tree.open(indices), layer: (level) => tree.layer(level), release: () => tree.destroy() };
  };
  return {
    where: 'gpu',
    async hold(matrix) {
      return { matrix, host: undefined };
    },
    async rows(h, positions) {
      return gatherRows(ctx, h.matrix as GpuMatrix, positions);
    },
    async composition(air, lde, alphas, logBlowup) {
      return (await compositionGpu(ctx, backend.transforms, lde.matrix as GpuMatrix, air, alphas, logBlowup)).value;
    },
    async split(comp, logN, segments, blowup, cheat) {
      const n = 2 ** logN;
      const coeffs = (await backend.transforms.interpolateBitReversed(comp, COSET_SHIFT)).value;
      releaseMatrix(comp);
      const cut = allocMatrix(ctx, n, 2 * segments, 'composition segments');
      try {
        if (!cheat && !(await isZeroFromGpu(ctx, coeffs, segments * n))) throw new NotLowDegreeError(segments);
        await copyRows(ctx, Array.from({ length: 2 * segments }, (_, c) =>
          ({ from: coeffs, fromColumn: c % 2, fromRow: (c >> 1) * n, to: cut, toColumn: c, toRow: 0, rows: n })));
        const lde = (await backend.transforms.evaluateOnCoset(cut, { blowup, shift: COSET_SHIFT, order: 'bit-reversed' })).value;
        return { coeffs: { matrix: cut, host: undefined }, lde: { matrix: lde, host: undefined } };
      } catch (e) {
        releaseMatrix(cut);
        throw e;
      } finally {
        releaseMatrix(coeffs);
      }
    },
    async ood(trace, coeffs, z, zw) {
      const cut = coeffs.matrix as GpuMatrix;
      try {
        const traceCoeffs = (await backend.transforms.ntt(trace as GpuMatrix, true)).value;
        let atZ: Fp2.Fp2[], atZw: Fp2.Fp2[];
        try {
          [atZ, atZw] = (await evaluateColumnsGpu(ctx, k, traceCoeffs, [z, zw])) as [Fp2.Fp2[], Fp2.Fp2[]];
        } finally {
          releaseMatrix(traceCoeffs);
        }
        // C_j(z) = c0_j(z) + u·c1_j(z), with c0_j(z), c1_j(z) ∈ F_p2.
        const [halves] = (await evaluateColumnsGpu(ctx, k, cut, [z])) as [Fp2.Fp2[]];
        return { oodTrace: atZ, oodTraceNext: atZw, oodComposition: joinCoordinates(halves) };
      } finally {
        releaseMatrix(cut);
      }
    },
    async deep(lde, comp, logN, logBlowup, d) {
      return (await deepGpu(ctx, lde.matrix as GpuMatrix, comp.matrix as GpuMatrix, { ...d, logN, logBlowup })).value;
    },
    async fold(layer, shift, logSize, alpha, f) {
      return (await friFoldGpu(ctx, layer, shift, logSize, alpha, f)).value;
    },
    commitMatrix: (m) => residentCommitment(m as GpuMatrix),
    async commitLayer(layer, f) {
      const rows = await layerRowsGpu(ctx, layer, f);
      try {
        const c = await residentCommitment(rows);
        const release = () => {
          c.release();
          releaseMatrix(rows);
        };
        return { commitment: { ...c, release }, rows: { matrix: rows, host: undefined } };
      } catch (e) {
        releaseMatrix(rows);
        throw e;
      }
    },
    async values(layer) {
      return pair(await downloadColumns(ctx, layer));
    },
    release: releaseMatrix,
  };
}

/** The steps for a backend: resident on a GpuBackend, on the CPU kernels for everything else. */
export function stepsFor(k: Kernels, backend: Backend): StarkSteps<unknown> {
  return (backend.kind === 'gpu' ? gpuSteps(k, backend as GpuBackend) : cpuSteps(k, backend)) as StarkSteps<unknown>;
}
