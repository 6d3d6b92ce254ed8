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
import { type Column } from '../../field/columns.js';
import * as Fp from '../../field/goldilocks.js';
import * as Fp2 from '../../field/ext2.js';
import { hashPairs, hashRows } from '../../hash/leaves.js';
import { buildMerkleTree, type MerkleTree } from '../../merkle/tree.js';
import { openBatch } from '../../merkle/proof.js';
import type { Kernels } from '../../wasm/kernels.js';
import { compositionOnLde, type BlockRunner } from './composition.js';
import { compositionModule } from './composition-kernel.js';
import { deepCoefficients } from './deep.js';
import { pairOf } from '../../field/ext-columns.js';
import { COSET_SHIFT } from '../../stark/domain.js';
import type { ExtColumn } from '../../field/ext-columns.js';
import { foldLayer, layerRows } from './fri.js';
import { splitSegments } from './split.js';
import { PROVER_JOB_OPS } from './jobs.js';
import type { Commitment, Held, StarkSteps } from '../../stark/steps.js';
import { oodAnswers } from './ood.js';

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
 * item, passing every input column through `own` (a fresh copy moved to the worker, where there is one).
 */
async function extJobs<T>(cpu: CpuJobs, items: readonly T[], job: (item: T, own: (c: Column) => Column) => Job): Promise<ExtColumn[]> {
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
    return pairOf(r.columns);
  });
}

/** The composition's coset blocks as jobs on a CPU backend's threads. */
const blocksOn = (cpu: CpuJobs): BlockRunner => (_, air, blocks, alphas) =>
  extJobs(cpu, blocks, (b, own) => ({ op: 'compositionBlock', air, block: { ...b, cur: b.cur.map(own), periodic: b.periodic.map(own) }, alphas }));

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

export function cpuSteps(k: Kernels, backend: Backend): StarkSteps<ExtColumn, Matrix> {
  const cpu = jobsOf(backend);
  let kept: { trace: readonly Column[]; segments: readonly Column[] } | undefined;
  const host = (h: Held<Matrix>): readonly Column[] => {
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
    compositionKernel: (air, alphas) => compositionModule(air, alphas).id,
    async composition(air, lde, alphas, logBlowup) {
      return compositionOnLde(k, air, { cur: host(lde), logN: air.logN, logBlowup }, alphas, cpu ? blocksOn(cpu) : undefined);
    },
    async split(comp, logN, S, blowup) {
      // The composition holds only the blocks that determine it (compositionOnLde): its degree is not checked here.
      const { segments } = splitSegments(k, comp, logN, S);
      const coeffs = segments.flatMap((c) => [c.c0, c.c1]);
      // The segments' LDE on the backend (columns spread over its threads), with a host copy.
      const m = await backend.upload(coeffs);
      try {
        const lde = await backend.lde(m, { blowup, shift: COSET_SHIFT, order: 'bit-reversed', from: 'coefficients' });
        return { coeffs: hostHeld(coeffs), lde: { matrix: lde, host: await backend.read(lde) }, lowDegree: undefined };
      } finally {
        backend.release(m);
      }
    },
    async ood(trace, coeffs, z) {
      const m = await backend.intt(trace);
      const traceCoeffs = await backend.read(m);
      backend.release(m);
      // Kept for deep(), which works on the coefficients.
      kept = { trace: traceCoeffs, segments: host(coeffs) };
      return oodAnswers(k, traceCoeffs, kept.segments, z);
    },
    async deep(_lde, _comp, logN, logBlowup, d) {
      if (!kept) throw new Error('CPU steps: deep() needs the coefficients ood() keeps');
      const segments = Array.from({ length: kept.segments.length / 2 }, (_, j) => pairOf(kept!.segments.slice(2 * j)));
      const D = deepCoefficients(k, kept.trace, segments, d);
      kept = undefined;
      // Its LDE on the backend: layer 0 of FRI.
      const m = await backend.upload([D.c0, D.c1]);
      try {
        const lde = await backend.lde(m, { blowup: 2 ** logBlowup, shift: COSET_SHIFT, order: 'bit-reversed', from: 'coefficients' });
        const [c0, c1] = await backend.read(lde);
        backend.release(lde);
        if (c0!.length !== 2 ** (logN + logBlowup)) throw new Error('CPU steps: the DEEP layer has the wrong length');
        return { c0: c0!, c1: c1! };
      } finally {
        backend.release(m);
      }
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
      return hostCommitment(await (backend.commitRows ? backend.commitRows(m) : backend.merkleTree(await backend.hashRows(m))));
    },
    async commitLayer(layer, f) {
      const cols = layerRows(layer, f);
      // Over the backend's threads where it builds trees by ranges (commitRows), else here.
      let tree: MerkleTree;
      if (backend.commitRows) {
        const m = await backend.upload(cols);
        tree = await backend.commitRows(m).finally(() => backend.release(m));
      } else tree = buildMerkleTree(hashRows(k, cols), (c) => hashPairs(k, c), { keepLeaves: true });
      return { commitment: hostCommitment(tree), rows: hostHeld(cols) };
    },
    async values(layer) {
      return layer;
    },
    release() {},
    drop() {},
  };
}
