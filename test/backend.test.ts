import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blake3 } from '@noble/hashes/blake3.js';
import { CpuBackend, type Backend } from '../src/backend/index.js';
import { createNodeCpuBackend } from '../src/backend/cpu/node.js';
import { encodeColumn } from '../src/field/columns.js';
import { buildMerkleTree, nobleLayerHasher } from '../src/merkle/index.js';
import { cosetLde, evaluateOnCoset } from '../src/ntt/lde.js';
import { forwardNtt, inverseNtt } from '../src/ntt/ntt.js';
import { Kernels } from '../src/wasm/kernels.js';
import { P, rng } from './reference/model.js';

const r = rng(99n);
let k: Kernels;
let inline: Backend;
let pooled: Backend;
beforeAll(async () => {
  k = await Kernels.load();
  inline = await CpuBackend.create();
  pooled = await createNodeCpuBackend({ threads: 2 });
});
afterAll(async () => {
  await inline.destroy();
  await pooled.destroy();
});

/** Leaf r = BLAKE3 of row r's canonical bytes, computed with noble from the encoded columns. */
function nobleLeaves(cols: BigUint64Array[]): Uint8Array {
  const n = cols[0]!.length;
  const enc = cols.map(encodeColumn);
  const out = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) {
    const row = new Uint8Array(8 * cols.length);
    enc.forEach((e, c) => row.set(e.subarray(8 * i, 8 * i + 8), 8 * c));
    out.set(blake3(row), 32 * i);
  }
  return out;
}

describe.each([
  ['inline', () => inline],
  ['worker pool', () => pooled],
])('CpuBackend (%s)', (_, backend) => {
  // Sizes above the parallel threshold so the pool really splits the work.
  const cols = Array.from({ length: 5 }, () => r.column(2 ** 15));

  it('ntt / intt / lde equal the direct kernels, column order kept', async () => {
    const b = backend();
    const m = await b.upload(cols);
    expect(await b.download(await b.ntt(m))).toEqual(forwardNtt(k, cols));
    expect(await b.download(await b.intt(m))).toEqual(inverseNtt(k, cols));
    const lde = await b.download(await b.lde(m, { blowup: 4 }));
    expect(lde).toEqual(cosetLde(k, cols, { blowup: 4 }));
    expect(lde[0]!.length).toBe(4 * 2 ** 15);
    // Bit-reversed, five columns: on two threads every (column, coset) is a unit placed by the backend.
    expect(await b.download(await b.lde(m, { blowup: 8, order: 'bit-reversed' }))).toEqual(cosetLde(k, cols, { blowup: 8, order: 'bit-reversed' }));
    expect(await b.download(await b.intt(m))).toEqual(inverseNtt(k, cols)); // the interpolation the LDE kept
    for (const order of ['natural', 'bit-reversed'] as const) {
      const opts = { blowup: 8, order, shift: 3n };
      expect(await b.download(await b.lde(m, { ...opts, from: 'coefficients' })), order).toEqual(evaluateOnCoset(k, cols, opts));
    }
  });

  it('hashRows equals BLAKE3 of each row (noble), and merkleTree the reference tree', async () => {
    const b = backend();
    const m = await b.upload(cols);
    const leaves = await b.hashRows(m);
    expect(leaves).toEqual(nobleLeaves(cols));
    const tree = await b.merkleTree(leaves);
    expect(tree.root).toEqual(buildMerkleTree(leaves, nobleLayerHasher).root);
  });

  it('commitRows is the reference tree over hashRows: every layer, and single nodes across the threads\' subtrees', async () => {
    const b = backend();
    const m = await b.upload(cols);
    const want = buildMerkleTree(nobleLeaves(cols), nobleLayerHasher);
    const got = await b.commitRows!(m);
    expect(got.depth).toBe(want.depth);
    for (let level = 0; level <= want.depth; level++) expect(got.layer(level), `level ${level}`).toEqual(want.layer(level));
    const half = 2 ** 14;
    for (const i of [0, half - 1, half, 2 * half - 1]) expect(got.leaf(i)).toEqual(want.leaf(i));
    expect(got.node(1, half / 2)).toEqual(want.node(1, half / 2));
    expect(got.root).toEqual(want.root);
  });

  it('read gives the columns without a copy, and later operations leave them as they were', async () => {
    const b = backend();
    const m = await b.upload(cols);
    const seen = await b.read(m);
    expect(seen).toEqual(cols);
    expect((await b.read(m))[0]).toBe(seen[0]); // the backend's storage, each time
    const before = seen.map((c) => c.slice());
    await b.download(await b.lde(m, { blowup: 4 }));
    await b.hashRows(m);
    expect(seen).toEqual(before);
    const mine = await b.download(m);
    expect(mine[0]).not.toBe(seen[0]); // download copies
    b.release(m);
    expect(seen).toEqual(before); // released: the backend drops them, never reuses them
    await expect(b.read(m)).rejects.toThrow(/released/);
  });

  it('validates uploads and refuses released matrices', async () => {
    const b = backend();
    await expect(b.upload([])).rejects.toThrow(/at least one column/);
    await expect(b.upload([new BigUint64Array(6)])).rejects.toThrow(/power of two/);
    await expect(b.upload([BigUint64Array.of(1n, P)])).rejects.toThrow(/column 0: element 1 is not canonical/);
    const m = await b.upload([BigUint64Array.of(1n, 2n)]);
    b.release(m);
    await expect(b.ntt(m)).rejects.toThrow(/released/);
  });
});

it('the pool reports worker errors as rejections and describes itself', async () => {
  expect(pooled.description).toBe('cpu: wasm × 2 threads');
  expect(inline.description).toBe('cpu: wasm × 1 thread');
  const m = await pooled.upload(Array.from({ length: 4 }, () => r.column(2 ** 14)));
  await expect(pooled.lde(m, { blowup: 3 })).rejects.toThrow(/power of two/);
  await expect(pooled.lde(m, { blowup: 4, from: 'values' as 'evaluations' })).rejects.toThrow("lde input must be 'evaluations' or 'coefficients', got values");
  await expect(createNodeCpuBackend({ threads: 0 })).rejects.toThrow(/threads/);
});

it('a pool whose workers are gone fails fast instead of hanging', async () => {
  const { nodeWorkerPool, BACKEND_NODE_JOBS } = await import('../src/backend/cpu/node.js');
  const pool = nodeWorkerPool(1, BACKEND_NODE_JOBS.worker);
  await pool.destroy();
  await expect(pool.run({ op: 'ntt', columns: [BigUint64Array.of(1n, 2n)] })).rejects.toThrow(/unusable: pool destroyed/);
});

it('a pool whose third worker cannot start ends the two that did, and throws', async () => {
  const { WorkerPool } = await import('../src/backend/cpu/pool.js');
  const ended: number[] = [];
  let started = 0;
  expect(() => new WorkerPool(4, () => {
    const n = started++;
    if (n === 2) throw new Error('no more workers');
    return { post: () => {}, terminate: () => void ended.push(n) };
  })).toThrow('no more workers');
  expect(ended).toEqual([0, 1]);
});
