// The inline Fibonacci AIR the codec tests and the golden proof use, and the golden proof's inputs.
// Shared by test/codec.test.ts and test/vectors/make.ts, so the checked-in vectors and the test that
// re-proves them cannot drift apart.
import type { Backend } from '../../src/backend/backend.js';
import * as Fp from '../../src/field/goldilocks.js';
import type { Air } from '../../src/stark/air.js';
import { proofToJson } from '../../src/stark/codec.js';
import { add, cur, next, sub } from '../../src/stark/expr.js';
import { TEST_OPTIONS_INSECURE, type ProofOptions } from '../../src/stark/options.js';
import type { StarkProof } from '../../src/stark/proof.js';
import { prove } from '../../src/prover/prover.js';
import type { Kernels } from '../../src/wasm/kernels.js';

export interface FibInstance {
  air: Air;
  trace: [BigUint64Array, BigUint64Array];
}

/** Columns (a, b) with a' = b, b' = a + b from (1, 1), 2^logN rows; the last b is a boundary value. */
export function fibInstance(logN: number): FibInstance {
  const n = 2 ** logN;
  const a = new BigUint64Array(n);
  const b = new BigUint64Array(n);
  a[0] = 1n;
  b[0] = 1n;
  for (let i = 1; i < n; i++) {
    a[i] = b[i - 1]!;
    b[i] = Fp.add(a[i - 1]!, b[i - 1]!);
  }
  const air: Air = {
    id: 'fib_test',
    width: 2,
    logN,
    periodic: [],
    transitions: [sub(next(0), cur(1)), sub(next(1), add(cur(0), cur(1)))],
    boundaries: [
      { col: 0, row: 0, value: 1n },
      { col: 1, row: 0, value: 1n },
      { col: 1, row: n - 1, value: b[n - 1]! },
    ],
    parameters: new Uint8Array(),
  };
  return { air, trace: [a, b] };
}

/** The golden proof's inputs: fib_test at 2^5 rows, the insecure test preset, statement hash 32 × 0x11, no public inputs. */
export const GOLDEN = {
  logN: 5,
  options: TEST_OPTIONS_INSECURE,
  statementHash: new Uint8Array(32).fill(0x11),
  publicInputs: new Uint8Array(),
} as const;

export async function proveFib(
  k: Kernels,
  backend: Backend,
  logN: number,
  options: ProofOptions,
  statementHash: Uint8Array = GOLDEN.statementHash,
): Promise<StarkProof> {
  const { air, trace } = fibInstance(logN);
  const { proof } = await prove(k, backend, { air, trace, statementHash, publicInputs: GOLDEN.publicInputs, options });
  return proof;
}

/** The text of fib-test-proof.json: the JSON form, two-space indented, one trailing newline. */
export const jsonText = (p: StarkProof): string => `${JSON.stringify(proofToJson(p), null, 2)}\n`;
