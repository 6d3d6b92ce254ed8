// AIRs that stress a composition evaluator (the CPU's compiled kernel, the GPU's WGSL): periodic
// columns of lengths 1, 4 and n, fp_pow, constants near p and 2^63, boundary rows out of order
// (MIX_AIR); shared subexpressions nested and reused across constraints (SHARED_AIR).
import * as F from '../../src/field/goldilocks.js';
import type { Air } from '../../src/stark/air.js';
import { defineAir } from '../../src/stark/define.js';
import { add, cur, eq, mul, neg, next, periodic, pow, share, sub, sum } from '../../src/stark/expr.js';
import { rng } from './model.js';

/** Width 3, logN 5: periodic columns of lengths 1, 4 and n, powers through fp_pow, boundary rows out of order. */
export const MIX_AIR: Air = {
  id: 'mix_air_test',
  width: 3,
  logN: 5,
  periodic: [BigUint64Array.of(F.P - 2n), BigUint64Array.of(3n, F.P - 1n, 0n, 2n ** 63n), rng(11n).column(32)],
  transitions: [
    sub(next(0), mul(cur(1), periodic(1))),
    pow(add(cur(2), periodic(0)), 5),
    sum(neg(next(2)), mul(periodic(2), cur(0)), 2n ** 63n + 5n),
    mul(pow(sub(cur(0), next(1)), 3), periodic(1)),
    pow(next(1), 2),
  ],
  boundaries: [
    { col: 0, row: 31, value: F.P - 1n },
    { col: 1, row: 7, value: 12345n },
    { col: 0, row: 0, value: 0n },
    { col: 2, row: 31, value: 2n ** 32n },
    { col: 2, row: 0, value: 1n },
  ],
  parameters: new Uint8Array(0),
};

/** Named columns and shared subexpressions (a share inside a share, as a pow operand, across constraints). */
export const SHARED_AIR: Air = defineAir({
  id: 'shared_air_test',
  logN: 5,
  columns: ['a', 'b', 'c'],
  periodic: { k: BigUint64Array.of(5n, F.P - 7n) },
  transitions: ({ cur, next, periodic }) => {
    const ab = share(mul(cur.a, cur.b), 'ab');
    const abk = share(add(ab, periodic.k), 'abk');
    return { next_a: eq(next.a, add(ab, cur.c)), next_b: eq(next.b, pow(abk, 3)), next_c: eq(next.c, mul(mul(abk, ab), abk)) };
  },
  boundaries: { first_a: { column: 'a', row: 0, value: 1n }, last_c: { column: 'c', row: 31, value: 2n } },
});

