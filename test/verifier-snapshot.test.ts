// verifyProof judges one fixed proof: it reads the caller's objects once, into plain data, so a getter
// or a Proxy that answers differently on each read cannot show the transcript one value and the
// checks another. The forgery below is the attack this closes: a cheating prover's proof of a false
// claim at the default options, whose OOD composition reads as the committed values everywhere but in
// the OOD equation, where it reads as values solved to satisfy it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIRS, geomTrace } from '../src/airs/index.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import * as Fp from '../src/field/goldilocks.js';
import * as Fp2 from '../src/field/ext2.js';
import { DEFAULT_OPTIONS } from '../src/stark/options.js';
import { compositionAt, segmentsAt } from '../src/stark/ood.js';
import type { StarkProof } from '../src/stark/proof.js';
import { prove, type ProveInput } from '../src/prover/prover.js';
import { proveDishonestly } from '../src/prover/testing.js';
import { replayToPow, verifyProof } from '../src/stark/verifier.js';
import { Kernels } from '../src/wasm/kernels.js';

const STATEMENT = new Uint8Array(32).fill(0x5c);
const MIN_BITS = { minSecurityBits: 100 };

/** GEOM over 2^8 rows at the default options; with `lie`, the claimed final accumulator is off by one. */
function geomInput(lie: boolean): ProveInput & { statementHash: Uint8Array } {
  const { trace, publicInputs } = geomTrace(8);
  const claim = lie ? { ...publicInputs, final_acc: String(Fp.add(BigInt(publicInputs.final_acc), 1n)) } : publicInputs;
  const entry = AIRS.geom_air_v1;
  return { air: entry.air(claim), trace, statementHash: STATEMENT, publicInputs: entry.encode(claim), options: DEFAULT_OPTIONS };
}

let k: Kernels;
let backend: CpuBackend;
let honest: StarkProof;
let cheat: StarkProof;
const honestInput = geomInput(false), falseInput = geomInput(true);

beforeAll(async () => {
  k = await Kernels.load();
  backend = await CpuBackend.create();
  honest = (await prove(k, backend, honestInput)).proof;
  cheat = (await proveDishonestly(k, backend, falseInput)).proof;
});
afterAll(() => backend.destroy());

const verify = (input: ProveInput & { statementHash: Uint8Array }, p: StarkProof) =>
  verifyProof(k, input.air, p, input.statementHash, input.publicInputs, MIN_BITS);

/** OOD composition segments that satisfy the OOD equation for the committed trace values: C_0 takes the difference. */
function solvedSegments(p: StarkProof): Fp2.Fp2[] {
  const { alphas, z } = replayToPow(falseInput.air, p.options, p, falseInput.statementHash, falseInput.publicInputs);
  const want = compositionAt(k, falseInput.air, z, p.oodTrace, p.oodTraceNext, alphas);
  const gap = Fp2.sub(want, segmentsAt(falseInput.air.logN, z, p.oodComposition));
  return p.oodComposition.map((c, j) => (j === 0 ? Fp2.add(c, gap) : c));
}

/** `target` behind a Proxy, recursively (objects and arrays; typed arrays as they are), counting reads of each property path. */
function counted<T>(target: T, reads: Map<string, number>, path = 'proof'): T {
  if (typeof target !== 'object' || target === null || ArrayBuffer.isView(target)) return target;
  return new Proxy(target as object, {
    get(t, key, receiver) {
      const at = `${path}.${String(key)}`;
      reads.set(at, (reads.get(at) ?? 0) + 1);
      return counted(Reflect.get(t, key, receiver) as unknown, reads, at);
    },
  }) as T;
}

/** A Proxy that answers every read from `target` (its getters run on the target, so they work). */
const forward = <T extends object>(target: T): T => new Proxy(target, { get: (t, key) => Reflect.get(t, key) as unknown });

describe('verifyProof reads the proof once', () => {
  it('the cheating proof of a false claim fails the OOD check alone', () => {
    expect(verify(falseInput, cheat)).toMatchObject({ ok: false, code: 'ood' });
    expect(verify(falseInput, { ...cheat, oodComposition: solvedSegments(cheat) })).toMatchObject({ ok: false }); // the transcript binds the committed values
  });

  it('forgery: an OOD composition getter that answers solved values only to the OOD equation is rejected', () => {
    const solved = solvedSegments(cheat);
    let reads = 0;
    // Reads of oodComposition in the unguarded verifier: the shape check, the transcript, the OOD equation, DEEP.
    const forged = Object.defineProperty({ ...cheat }, 'oodComposition', { enumerable: true, get: () => (++reads === 3 ? solved : cheat.oodComposition) });
    expect(verify(falseInput, forged)).toMatchObject({ ok: false, code: 'ood' });
    expect(reads).toBe(1);
  });

  it('every property of the proof, at every depth (openings, rows, proof.siblings, …), is read at most once', () => {
    const reads = new Map<string, number>();
    expect(verify(honestInput, counted(honest, reads))).toEqual({ ok: true, securityBits: 100 });
    for (const path of ['proof.oodComposition', 'proof.traceOpening.rows', 'proof.traceOpening.proof.siblings', 'proof.friOpenings.0.proof.siblings.0'])
      expect(reads.get(path), path).toBe(1);
    const twice = [...reads].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
  });

  it('a Proxy standing in for the statement hash or the public inputs is malformed: it has no bytes of its own to copy', () => {
    const { air, statementHash, publicInputs } = honestInput;
    expect(verifyProof(k, air, honest, forward(statementHash), publicInputs, MIN_BITS)).toMatchObject({ ok: false, code: 'malformed' });
    expect(verifyProof(k, air, honest, statementHash, forward(publicInputs), MIN_BITS)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('a Proxy where a typed array belongs, or a non-plain object, is malformed; a typed-array subclass with lying accessors is read through its slots', () => {
    const rows = honest.traceOpening.rows;
    const proxied = { ...honest, traceOpening: { ...honest.traceOpening, rows: forward(rows) } };
    expect(verify(honestInput, proxied)).toMatchObject({ ok: false, code: 'malformed' });
    class Lying extends BigUint64Array {
      override get length(): number {
        return 0;
      }
      override [Symbol.iterator](): ArrayIterator<bigint> {
        return new BigUint64Array(rows.length)[Symbol.iterator]();
      }
    }
    const lying = { ...honest, traceOpening: { ...honest.traceOpening, rows: new Lying(rows) } };
    expect(verify(honestInput, lying)).toEqual({ ok: true, securityBits: 100 });
    class Dated extends Date {}
    expect(verify(honestInput, { ...honest, options: new Dated() as never })).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('a hostile object graph is refused within a bounded budget, not copied without end', () => {
    // 8,192 references to one 32 KiB opening: 256 MiB if copied; refused as malformed once the budget is spent.
    const opening = { rows: new BigUint64Array(4096), proof: honest.traceOpening.proof };
    const fanOut = { ...honest, friOpenings: new Array(8192).fill(opening) };
    const t0 = performance.now();
    expect(verify(honestInput, fanOut)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringMatching(/holds more than a proof can/) });
    // Nested arrays of 64 references, five deep: 2^30 items if copied; refused after the budget.
    let nest: unknown = [0n, 0n];
    for (let d = 0; d < 5; d++) nest = new Array(64).fill(nest);
    expect(verify(honestInput, { ...honest, finalPoly: nest as never })).toMatchObject({ ok: false, code: 'malformed' });
    // Not a timing assertion: the budget bounds the work; this only reports it.
    console.log(`two hostile graphs refused in ${(performance.now() - t0).toFixed(0)} ms`);
  });
});
