// The fused F_p2 column kernels (src/wasm/assembly/ext.ts) against the plain BigInt model.
import { describe, expect, it } from 'vitest';
import { evaluateBaseAt, extPowers, joinCoordinates } from '../src/field/ext-columns.js';
import { Kernels } from '../src/wasm/kernels.js';
import { EDGE, m2mul, madd, md, mmul, rng } from './reference/model.js';

const n = 300;
const gen = rng(99n);
const col = (): BigUint64Array => BigUint64Array.from({ length: n }, (_, i) => (i < EDGE.length ? EDGE[(i * 7) % EDGE.length]! : gen.element()));

function run(fn: (k: Kernels, ptrs: number[]) => void, inputs: BigUint64Array[], outputs: number): BigUint64Array[] {
  const k = Kernels.loadSync();
  return k.scoped(() => {
    const ptrs = inputs.map((c) => k.put(c));
    for (let i = 0; i < outputs; i++) ptrs.push(k.alloc(n * 8));
    fn(k, ptrs);
    return ptrs.map((p) => k.get(p, n));
  });
}

describe('F_p2 column kernels', () => {
  const [a0, a1, b0, b1, x] = [col(), col(), col(), col(), col()];
  const c: [bigint, bigint] = [gen.element(), gen.element()];

  it('vec_add_scalar', () => {
    const [, out] = run((k, [a, o]) => k.raw.vec_add_scalar(o!, a!, c[0], n), [a0], 1);
    expect(Array.from(out!)).toEqual(Array.from(a0, (v) => madd(v, c[0])));
  });

  it('ext_axpy_base: acc += c·x', () => {
    const [acc0, acc1] = run((k, [p0, p1, px]) => k.raw.ext_axpy_base(p0!, p1!, px!, c[0], c[1], n), [a0, a1, x], 0);
    expect(Array.from(acc0!)).toEqual(Array.from(a0, (v, i) => madd(v, mmul(c[0], x[i]!))));
    expect(Array.from(acc1!)).toEqual(Array.from(a1, (v, i) => madd(v, mmul(c[1], x[i]!))));
  });

  it('ext_axpy: acc += c·a', () => {
    const [acc0, acc1] = run((k, [q0, q1, p0, p1]) => k.raw.ext_axpy(q0!, q1!, p0!, p1!, c[0], c[1], n), [b0, b1, a0, a1], 0);
    expect(Array.from(acc0!)).toEqual(Array.from(b0, (v, i) => md(v + c[0] * a0[i]! + 7n * c[1] * a1[i]!)));
    expect(Array.from(acc1!)).toEqual(Array.from(b1, (v, i) => md(v + c[0] * a1[i]! + c[1] * a0[i]!)));
  });

  it('ext_div_linear: p = (x − z)·q + p(z), the remainder at rem and q[n − 1] = 0 (edge values, z with both coordinates)', () => {
    const k = Kernels.loadSync();
    for (const z of [c, [gen.element(), 0n] as [bigint, bigint], [0n, 1n] as [bigint, bigint]]) {
      const [q0, q1, rem] = k.scoped(() => {
        const p0 = k.put(a0), p1 = k.put(a1), o0 = k.alloc(n * 8), o1 = k.alloc(n * 8), r = k.alloc(16);
        k.raw.ext_div_linear(o0, o1, p0, p1, z[0], z[1], n, r);
        return [k.get(o0, n), k.get(o1, n), k.get(r, 2)];
      });
      // p(z) by Horner in the model.
      let at: [bigint, bigint] = [0n, 0n];
      for (let i = n - 1; i >= 0; i--) at = ((m) => [madd(m[0], a0[i]!), madd(m[1], a1[i]!)] as [bigint, bigint])(m2mul(at, z));
      expect([rem![0], rem![1]]).toEqual(at);
      // Coefficient by coefficient: p_k = q_(k−1) − z·q_k (q_(−1) = 0, plus the remainder at k = 0).
      expect([q0![n - 1], q1![n - 1]]).toEqual([0n, 0n]);
      for (let i = 0; i < n; i++) {
        const zq = m2mul(z, [q0![i]!, q1![i]!]);
        const prev: [bigint, bigint] = i === 0 ? [rem![0]!, rem![1]!] : [q0![i - 1]!, q1![i - 1]!];
        expect([md(prev[0] - zq[0]), md(prev[1] - zq[1])], `coefficient ${i}`).toEqual([a0[i], a1[i]]);
      }
    }
  });

  it('ext_dot_base: Σ x·(b0 + b1·u), over every prefix length that matters (0, 1, all)', () => {
    const k = Kernels.loadSync();
    for (const len of [0, 1, n]) {
      const got = k.scoped(() => {
        const out = k.alloc(16);
        k.raw.ext_dot_base(out, k.put(x), k.put(b0), k.put(b1), len);
        return [k.u64[out / 8], k.u64[out / 8 + 1]];
      });
      const sum = (b: BigUint64Array) => x.slice(0, len).reduce((acc, v, i) => md(acc + v * b[i]!), 0n);
      expect(got, `length ${len}`).toEqual([sum(b0), sum(b1)]);
    }
  });

  it('evaluateBaseAt (columns of several lengths, one power table) and joinCoordinates: Horner over F_p2 in the model', () => {
    const k = Kernels.loadSync();
    const horner2 = (cs: (c: number) => [bigint, bigint], z: [bigint, bigint], len = n): [bigint, bigint] => {
      let acc: [bigint, bigint] = [0n, 0n];
      for (let j = len - 1; j >= 0; j--) {
        const [m0, m1] = m2mul(acc, z), [c0, c1] = cs(j);
        acc = [madd(m0, c0), madd(m1, c1)];
      }
      return acc;
    };
    for (const z of [c, [0n, 1n], [EDGE.at(-1)!, EDGE.at(-2)!]] as [bigint, bigint][]) {
      const short = x.subarray(0, 37);
      const [atX, atShort, at0, at1] = evaluateBaseAt(k, [x, short, a0, a1], extPowers(k, z, n));
      expect(atX).toEqual(horner2((j) => [x[j]!, 0n], z));
      expect(atShort).toEqual(horner2((j) => [x[j]!, 0n], z, 37));
      expect(joinCoordinates([at0!, at1!])).toEqual([horner2((j) => [a0[j]!, a1[j]!], z)]);
    }
  });
});
