// Small AIRs with a LogUp argument, shared by test/lookup.test.ts and gpu-tests/stark.test.ts: a
// range check (a lookup with multiplicities) and a multiset equality, with their traces.
import type { Air } from '../../src/stark/air.js';
import { add, cur, next, sub } from '../../src/stark/expr.js';
import { lookup, permutation, withInteractions } from '../../src/stark/lookup.js';

export const LOG_N = 5, N = 2 ** LOG_N;

/**
 * Range check: column 0 counts 0 … n−1 (the table), column 1 holds values to check, column 2 how many
 * times each table row is looked up. Constraint degree 3 (a lookup chunk of two).
 */
export function rangeAir(): Air {
  const base: Air = {
    id: 'range_check_test', width: 3, logN: LOG_N, periodic: [], parameters: new Uint8Array(),
    transitions: [sub(next(0), add(cur(0), 1))],
    boundaries: [{ col: 0, row: 0, value: 0n }],
  };
  return withInteractions(base, lookup(0, { keys: [cur(1)], table: [cur(0)], multiplicity: cur(2) }));
}

export function rangeTrace(values: readonly number[], mult?: readonly number[]): BigUint64Array[] {
  const counts = mult ?? Array.from({ length: N }, (_, j) => values.filter((v) => v === j).length);
  return [BigUint64Array.from({ length: N }, (_, i) => BigInt(i)), BigUint64Array.from(values, BigInt), BigUint64Array.from(counts, BigInt)];
}

/** Multiset equality between columns 0 and 1 (any transition on column 2 keeps the AIR non-trivial). */
export function permAir(): Air {
  const base: Air = {
    id: 'permutation_test', width: 3, logN: LOG_N, periodic: [], parameters: new Uint8Array(),
    transitions: [sub(next(2), add(cur(2), 1))],
    boundaries: [{ col: 2, row: 0, value: 0n }],
  };
  return withInteractions(base, permutation(3, { left: [cur(0)], right: [cur(1)] }));
}

export const VALUES = Array.from({ length: N }, (_, i) => (i * 7 + 3) % 13);
export const SHUFFLED = Array.from({ length: N }, (_, i) => BigInt((i * 5 + 1) % N));
export const permTrace = (right: readonly bigint[]): BigUint64Array[] => [
  BigUint64Array.from({ length: N }, (_, i) => BigInt(i)), BigUint64Array.from(right), BigUint64Array.from({ length: N }, (_, i) => BigInt(i)),
];
