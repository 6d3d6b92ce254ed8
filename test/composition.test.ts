// Periodic columns on the LDE domain (src/prover/cpu/composition.ts periodicOnLde) against the BigInt
// model: m values repeating down the trace are the polynomial Q(x) = P(x^(n/m)), P interpolating
// them on ⟨ω_m⟩ (here by the model's own inverse DFT), evaluated by Horner at every point of the
// bit-reversed LDE domain, for every period, blowup and edge value.
import { describe, expect, it } from 'vitest';
import { periodicOnLde } from '../src/prover/cpu/composition.js';
import { Kernels } from '../src/wasm/kernels.js';
import { minv, mmul, mpow, mroot, md, onLde, rng, EDGE } from './reference/model.js';

const k = await Kernels.load();

/** Coefficients of Q(x) = P(x^(n/m)) for P(ω_m^i) = values[i]: p_j = (1/m)·Σ_i values[i]·ω_m^(−ij). */
function periodicPoly(values: readonly bigint[], n: number): bigint[] {
  const m = values.length, w = minv(mroot(Math.log2(m))), q = new Array<bigint>(n).fill(0n);
  for (let j = 0; j < m; j++)
    q[j * (n / m)] = mmul(minv(BigInt(m)), values.reduce((acc, v, i) => md(acc + mmul(v, mpow(w, BigInt(i * j)))), 0n));
  return q;
}

describe('periodicOnLde', () => {
  const r = rng(31n);
  it.each([
    [4, 1, 4], [4, 2, 8], [5, 4, 4], [5, 8, 16], [6, 16, 8], [6, 64, 4],
  ])('2^%i rows, period %i, blowup %i', (logN, m, blowup) => {
    const values = Array.from({ length: m }, (_, i) => (i < EDGE.length ? EDGE[(i + logN) % EDGE.length]! : r.element()));
    const got = periodicOnLde(k, BigUint64Array.from(values), logN, blowup);
    expect(got).toEqual(onLde(periodicPoly(values, 2 ** logN), logN, Math.log2(blowup)));
  });
});
