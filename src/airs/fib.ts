/**
 * FIB_AIR_V1: the trace holds the Fibonacci sequence mod p (F_1 = F_2 = 1); it proves that
 * `result` = F_{steps+1} mod p.
 *   Columns: a, b; row i holds (F_{i+1}, F_{i+2}).
 *   Transitions (degree 1): next.a = cur.b; next.b = cur.a + cur.b.
 *   Boundaries: a[0] = 1 and b[0] = 1 (fixed, not public inputs); b[n−1] = result.
 *   Public inputs: steps = n, the number of trace rows (a power of two in [8, 2^30]); result (decimal string < p).
 *   Public-input bytes: u32 LE id length ‖ id ‖ u64 LE steps ‖ result (8 bytes LE).
 *
 * @module
 */
import { z } from 'zod';
import * as F from '../field/goldilocks.js';
import type { Air } from '../stark/air.js';
import { defineAir } from '../stark/define.js';
import { add, eq } from '../stark/expr.js';
import { checkLogN, FieldElementSchema, parseInput, publicInputBytes, StepsSchema } from './public-inputs.js';

export const FIB_AIR_ID = 'fib_air_v1';

export const FibPublicInputsSchema = z.strictObject({ steps: StepsSchema, result: FieldElementSchema });
export type FibPublicInputs = z.output<typeof FibPublicInputsSchema>;

export const FIB_COLUMNS = ['a', 'b'] as const;

export function fibAir(publicInputs: unknown): Air {
  const pi = parseInput(FibPublicInputsSchema, publicInputs, `${FIB_AIR_ID} public inputs`);
  return defineAir({
    id: FIB_AIR_ID,
    logN: Math.log2(pi.steps),
    columns: FIB_COLUMNS,
    transitions: ({ cur, next }) => ({ next_a: eq(next.a, cur.b), next_b: eq(next.b, add(cur.a, cur.b)) }),
    boundaries: {
      first_a: { column: 'a', row: 0, value: 1n },
      first_b: { column: 'b', row: 0, value: 1n },
      result: { column: 'b', row: pi.steps - 1, value: BigInt(pi.result) },
    },
  });
}

export function fibTrace(logN: number): { trace: BigUint64Array[]; publicInputs: FibPublicInputs } {
  checkLogN('fibTrace', logN);
  const n = 2 ** logN;
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  let x = 1n, y = 1n;
  for (let i = 0; i < n; i++) {
    a[i] = x;
    b[i] = y;
    [x, y] = [y, F.add(x, y)];
  }
  return { trace: [a, b], publicInputs: { steps: n, result: String(b[n - 1]) } };
}

export function encodeFibPublicInputs(publicInputs: unknown): Uint8Array {
  const pi = parseInput(FibPublicInputsSchema, publicInputs, `${FIB_AIR_ID} public inputs`);
  return publicInputBytes(FIB_AIR_ID, pi.steps, [BigInt(pi.result)]);
}
