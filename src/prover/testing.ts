/**
 * A dishonest prover for soundness tests, outside the production interface (capseal/prover does not
 * export it; the dependency rules keep src/ from importing it): it skips the trace check and the OOD
 * self-check and, where an honest prover stops because the composition or the last FRI layer is not
 * low-degree, cuts the polynomial to its bound and goes on. Its proofs of a bad trace must not verify.
 *
 * @module
 */
import type { Backend } from '../backend/backend.js';
import type { Kernels } from '../wasm/kernels.js';
import { proveAs, type ProveInput, type ProveResult } from './prover.js';

export function proveDishonestly(k: Kernels, backend: Backend, input: ProveInput): Promise<ProveResult> {
  return proveAs(k, backend, input, { refuseInvalid: false });
}
