// exprToWgsl compiled and run: one kernel evaluates several AIR expression trees on every row of a
// small trace (next row = row + 1 mod n) over shaders/goldilocks.wgsl, and each output row must equal
// the CPU's evalColumns bit for bit. Covers constants with high words, every op, inlined power chains
// and fp_pow. Skips without an adapter unless CAPSEAL_REQUIRE_GPU=1.
import { describe, expect, it } from 'vitest';
import { evalColumns } from '../src/prover/cpu/constraints.js';
import { exprToWgsl } from '../src/prover/gpu/constraints.js';
import { add, cur, mul, neg, next, periodic, pow, sub, sum, type Expr } from '../src/stark/expr.js';
import { adapterName } from '../src/gpu/context.js';
import { composeShader } from '../src/gpu/shaders.js';
import { runDispatches } from '../src/gpu/dispatch.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, P, rng } from '../test/reference/model.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const ROWS = 1024;
const WIDTH = 3;
const WORKGROUP_SIZE = 64;

const TREES: readonly Expr[] = [
  sum(mul(cur(0), next(1)), pow(sub(cur(1), periodic(0)), 5), neg(add(mul(7, next(0)), P - 2n))),
  sub(2n ** 63n + 12345n, pow(cur(2), 2)),
  mul(pow(add(cur(0), next(2)), 3), periodic(1)),
  pow(neg(periodic(1)), 255),
  mul(pow(cur(1), 0), add(cur(2), P - 1n)),
  pow(mul(cur(0), cur(1)), 8),
  add(pow(next(1), 5), pow(periodic(0), 254)),
  pow(3, 200),
];

/** The kernel: out[t·ROWS + i] = tree t at row i; trace and periodic columns are column-major. */
function kernel(): string {
  const names = {
    cur: (c: number) => `trace[${c}u * ROWS + i]`,
    next: (c: number) => `trace[${c}u * ROWS + (i + 1u) % ROWS]`,
    periodic: (j: number) => `per[${j}u * ROWS + i]`,
  };
  return `
@group(0) @binding(0) var<storage, read> trace: array<Fp>;
@group(0) @binding(1) var<storage, read> per: array<Fp>;
@group(0) @binding(2) var<storage, read_write> out: array<Fp>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn eval_exprs(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= ROWS) { return; }
${TREES.map((t, j) => `  out[${j}u * ROWS + i] = ${exprToWgsl(t, names)};`).join('\n')}
}
`;
}

function columns(count: number, seed: bigint): BigUint64Array[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, c) => {
    const col = r.column(ROWS);
    EDGE.forEach((x, i) => (col[(i * (c + 1)) % ROWS] = x));
    return col;
  });
}

const concat = (cols: readonly BigUint64Array[]): BigUint64Array => {
  const out = new BigUint64Array(cols.length * ROWS);
  cols.forEach((c, i) => out.set(c, i * ROWS));
  return out;
};

describe('exprToWgsl on a GPU (dawn.node)', () => {
  it('evaluates like evalColumns, bit for bit', async (t) => {
    const backend = requireGpu(await nodeGpuBackend(), t);
    const ctx = backend.ctx;
    console.log(`gpu-tests (node, dawn.node) expr: adapter ${adapterName(ctx.adapter)}`);
    try {
      const trace = columns(WIDTH, 5n);
      const per = columns(2, 6n);
      const code = composeShader(ctx.shaders, ['goldilocks'], { ROWS, WORKGROUP_SIZE }) + kernel();
      ctx.device.pushErrorScope('validation');
      const module = ctx.device.createShaderModule({ code, label: 'eval_exprs' });
      const pipeline = ctx.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'eval_exprs' } });
      const error = await ctx.device.popErrorScope();
      const messages = (await module.getCompilationInfo()).messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
      expect({ error: error?.message, messages }).toEqual({ error: undefined, messages: [] });

      const buffers = [ctx.upload(concat(trace), 'trace'), ctx.upload(concat(per), 'periodic'), ctx.storage(TREES.length * ROWS * 8, 'out')] as const;
      try {
        await runDispatches(ctx, 'eval_exprs', [{ pipeline, resources: buffers, params: new Uint32Array([ROWS]), groups: [ROWS / WORKGROUP_SIZE] }]);
        const got = new BigUint64Array(await ctx.read(buffers[2], 0, TREES.length * ROWS * 8));
        const k = await Kernels.load();
        const shifted = trace.map((c) => {
          const s = new BigUint64Array(ROWS);
          s.set(c.subarray(1));
          s[ROWS - 1] = c[0]!;
          return s;
        });
        TREES.forEach((tree, j) => {
          const want = evalColumns(k, tree, { cur: trace, next: shifted, periodic: per }, ROWS);
          const mismatch = want.findIndex((w, i) => got[j * ROWS + i] !== w);
          expect({ tree: j, mismatch }).toEqual({ tree: j, mismatch: -1 });
        });
      } finally {
        buffers.forEach((b) => b.destroy());
      }
    } finally {
      await backend.destroy();
    }
  });
});
