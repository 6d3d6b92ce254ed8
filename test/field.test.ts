import { describe, expect, it, beforeAll } from 'vitest';
import { Fp, Fp2, encodeColumn, decodeColumn, addColumns, subColumns, mulColumns, scaleColumn, powersColumn, batchInverseColumn, findNonCanonical } from '../src/field/index.js';
import { Kernels } from '../src/wasm/kernels.js';
import { P, EDGE, md, mmul, madd, msub, mpow, minv, mroot, m2mul, rng } from './reference/model.js';

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.load();
});

const r = rng(42n);
const randomPairs = Array.from({ length: 20_000 }, () => [r.element(), r.element()] as const);
const edgePairs = EDGE.flatMap((a) => EDGE.map((b) => [a, b] as const));
const allPairs = [...edgePairs, ...randomPairs];

describe('Goldilocks scalar (bigint) against the model', () => {
  it('constants', () => {
    expect(Fp.P).toBe(P);
    expect(Fp.TWO_ADICITY).toBe(32);
    expect(Fp.GENERATOR).toBe(7n);
  });
  it('add, sub, mul, neg, square on edge and random values', () => {
    for (const [a, b] of allPairs) {
      expect(Fp.add(a, b)).toBe(madd(a, b));
      expect(Fp.sub(a, b)).toBe(msub(a, b));
      expect(Fp.mul(a, b)).toBe(mmul(a, b));
    }
    for (const a of EDGE) {
      expect(Fp.neg(a)).toBe(md(-a));
      expect(Fp.square(a)).toBe(mmul(a, a));
    }
  });
  it('pow, inv, div, batch inverse', () => {
    for (const [a, e] of randomPairs.slice(0, 300)) {
      expect(Fp.pow(a, e)).toBe(mpow(a, e));
      if (a !== 0n) expect(Fp.mul(Fp.inv(a), a)).toBe(1n);
      if (e !== 0n) expect(Fp.div(a, e)).toBe(mmul(a, minv(e)));
    }
    expect(Fp.pow(5n, 0n)).toBe(1n);
    expect(() => Fp.inv(0n)).toThrow(/zero/);
    const xs = EDGE.filter((x) => x !== 0n);
    expect(Fp.batchInverse(xs)).toEqual(xs.map(minv));
    expect(() => Fp.batchInverse([1n, 0n])).toThrow(/element 1 is zero/);
  });
  it('roots of unity: generator 7, two-adicity 32, exact orders', () => {
    for (const logN of [0, 1, 2, 5, 16, 31, 32]) {
      const w = Fp.rootOfUnity(logN);
      expect(w).toBe(mroot(logN));
      expect(Fp.pow(w, 2n ** BigInt(logN))).toBe(1n);
      if (logN > 0) expect(Fp.pow(w, 2n ** BigInt(logN - 1))).toBe(P - 1n); // primitive
    }
    expect(() => Fp.rootOfUnity(33)).toThrow(/\[0, 32\]/);
    expect(() => Fp.rootOfUnity(1.5)).toThrow(RangeError);
    // 7 generates F_p^*: 7^((p−1)/q) ≠ 1 for every prime q | p − 1 = 2^32·3·5·17·257·65537.
    for (const q of [2n, 3n, 5n, 17n, 257n, 65537n]) expect(mpow(7n, (P - 1n) / q)).not.toBe(1n);
  });
  it('canonical 8-byte little-endian encoding, strict decoding', () => {
    expect([...Fp.encode(1n)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect([...Fp.encode(P - 1n)]).toEqual([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect([...Fp.encode(0x0102030405060708n)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    for (const a of EDGE) expect(Fp.decode(Fp.encode(a))).toBe(a);
    expect(() => Fp.encode(P)).toThrow(/canonical/);
    expect(() => Fp.encode(-1n)).toThrow(/canonical/);
    expect(() => Fp.decode(new Uint8Array([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))).toThrow(/≥ p/); // p
    expect(() => Fp.decode(new Uint8Array(8).fill(0xff))).toThrow(/≥ p/);
    expect(() => Fp.decode(new Uint8Array(7))).toThrow(/8 bytes/);
    expect(() => Fp.decode(new Uint8Array(9))).toThrow(/8 bytes/);
  });
});

describe('F_p2 = F_p[u]/(u² − 7)', () => {
  const pairs = randomPairs.slice(0, 2000).map(([a, b], i) => {
    const c = randomPairs[(i + 1) % randomPairs.length]!;
    return [[a, b], c] as const;
  });
  it('u² = 7 and multiplication against the model', () => {
    expect(Fp2.mul([0n, 1n], [0n, 1n])).toEqual([7n, 0n]);
    for (const [a, b] of pairs) expect(Fp2.mul(a, b)).toEqual(m2mul(a, b));
    for (const a of EDGE) for (const b of EDGE.slice(0, 8)) expect(Fp2.mul([a, b], [b, a])).toEqual(m2mul([a, b], [b, a]));
  });
  it('add, sub, neg, square, pow, inv, div, batch inverse', () => {
    for (const [a, b] of pairs.slice(0, 300)) {
      expect(Fp2.add(a, b)).toEqual([madd(a[0], b[0]), madd(a[1], b[1])]);
      expect(Fp2.sub(a, b)).toEqual([msub(a[0], b[0]), msub(a[1], b[1])]);
      expect(Fp2.add(a, Fp2.neg(a))).toEqual(Fp2.ZERO);
      expect(Fp2.square(a)).toEqual(m2mul(a, a));
      expect(Fp2.pow(a, 3n)).toEqual(m2mul(m2mul(a, a), a));
      if (!Fp2.isZero(a)) expect(Fp2.mul(a, Fp2.inv(a))).toEqual(Fp2.ONE);
      if (!Fp2.isZero(b)) expect(Fp2.mul(Fp2.div(a, b), b)).toEqual(a);
    }
    // Frobenius: a^p is the conjugate c0 − c1·u, since 7^((p−1)/2) = −1.
    const a: Fp2.Fp2 = [123n, 456n];
    expect(Fp2.pow(a, P)).toEqual([123n, P - 456n]);
    const xs = pairs.slice(0, 50).map(([x]) => x);
    expect(Fp2.batchInverse(xs)).toEqual(xs.map(Fp2.inv));
    expect(() => Fp2.inv(Fp2.ZERO)).toThrow(/zero/);
    expect(() => Fp2.batchInverse([Fp2.ONE, Fp2.ZERO])).toThrow(/element 1/);
  });
  it('16-byte encoding (c0 then c1), strict decoding', () => {
    const bytes = Fp2.encode([1n, 2n]);
    expect([...bytes]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    expect(Fp2.decode(bytes)).toEqual([1n, 2n]);
    expect(() => Fp2.decode(new Uint8Array(15))).toThrow(/16 bytes/);
    expect(() => Fp2.decode(new Uint8Array(16).fill(0xff))).toThrow(/≥ p/);
    expect(() => Fp2.encode([P, 0n])).toThrow(/canonical/);
  });
});

describe('WebAssembly field kernels against the model', () => {
  it('scalar exports on edge and random pairs (every reduction branch)', () => {
    for (const [a, b] of allPairs) {
      expect(k.raw.mul(a, b) & 0xffffffffffffffffn).toBe(mmul(a, b));
      expect(k.raw.add(a, b) & 0xffffffffffffffffn).toBe(madd(a, b));
      expect(k.raw.sub(a, b) & 0xffffffffffffffffn).toBe(msub(a, b));
    }
    for (const a of EDGE.filter((x) => x !== 0n)) expect(k.raw.inv(a) & 0xffffffffffffffffn).toBe(minv(a));
  });
  it('column add/sub/mul/scale/powers/batch inverse', () => {
    const a = BigUint64Array.from(allPairs.map(([x]) => x));
    const b = BigUint64Array.from(allPairs.map(([, y]) => y));
    const sum = addColumns(k, a, b), diff = subColumns(k, a, b), prod = mulColumns(k, a, b);
    const scaled = scaleColumn(k, a, P - 2n);
    allPairs.forEach(([x, y], i) => {
      expect(sum[i]).toBe(madd(x, y));
      expect(diff[i]).toBe(msub(x, y));
      expect(prod[i]).toBe(mmul(x, y));
      expect(scaled[i]).toBe(mmul(x, P - 2n));
    });
    expect([...powersColumn(k, 3n, 5n, 6)]).toEqual([0, 1, 2, 3, 4, 5].map((i) => mmul(3n, mpow(5n, BigInt(i)))));
    const nz = a.filter((x) => x !== 0n);
    const invs = batchInverseColumn(k, nz);
    nz.forEach((x, i) => expect(mmul(x, invs[i]!)).toBe(1n));
    expect(() => batchInverseColumn(k, BigUint64Array.of(1n, 2n, 0n))).toThrow(/element 2 is zero/);
    expect(() => addColumns(k, a, b.subarray(1))).toThrow(/lengths differ/);
  });
  it('column encoding is little-endian and decoding rejects non-canonical elements', () => {
    const col = BigUint64Array.of(1n, P - 1n, 2n ** 32n);
    const bytes = encodeColumn(col);
    expect([...bytes.subarray(0, 16)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeColumn(bytes)).toEqual(col);
    expect(findNonCanonical(BigUint64Array.of(0n, P - 1n, P, 2n ** 64n - 1n))).toBe(2);
    expect(findNonCanonical(BigUint64Array.of(0n, 0xffffffff_00000000n, 0xfffffffe_ffffffffn))).toBe(-1);
    const bad = new Uint8Array(16);
    bad.set([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], 8);
    expect(() => decodeColumn(bad)).toThrow(/element 1 is not canonical/);
    expect(() => decodeColumn(new Uint8Array(12))).toThrow(/multiple of 8/);
    expect(() => encodeColumn(BigUint64Array.of(P))).toThrow(/element 0/);
  });
});
