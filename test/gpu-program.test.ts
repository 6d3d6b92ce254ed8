// The GPU composition's interpreted mode, without a GPU: constraints compiled to a register-machine
// program (src/prover/gpu/program.ts) and run by a JavaScript model of the WGSL interpreter
// (shaders/composition_program.wgsl: the same decoding, the same register file) on random rows,
// against the expression trees evaluated directly (evalBaseAll) — every section's Σ α_k·c_k in F_p2.
// The register file is the program's (a register reused while its value is live gives another sum).
// Cases: MIX_AIR (powers, periodic columns, constants near p), SHARED_AIR (nested shares), edge
// cases (a share squared by one instruction, powers 0, 1 and 255, constant and leaf constraints,
// a share first used constraints later), a lowered LogUp AIR's row constraints as sections, and
// keccak_256_v1 (3,361 constraints: its register count and program size are printed).
import { describe, expect, it } from 'vitest';
import { keccak256Air, keccak256Sample } from '../src/airs/keccak-256.js';
import type { Fp2 } from '../src/field/ext2.js';
import { ACCUMULATOR, compileProgram, INSTRUCTION_WORDS, OPCODE, OPERAND, OPERAND_SHIFT, type Program } from '../src/prover/gpu/program.js';
import type { Air } from '../src/stark/air.js';
import { lowerAir } from '../src/stark/aux.js';
import { add, constant, cur, evalBaseAll, mul, neg, next, periodic, pow, share, sub, type Expr, type Frame } from '../src/stark/expr.js';
import { MIX_AIR, SHARED_AIR } from './reference/airs.js';
import { rangeAir } from './helpers/lookup-airs.js';
import { EDGE, madd, md, mmul, msub, P, rng } from './reference/model.js';

/** The interpreter of shaders/composition_program.wgsl over BigInt: section `s`'s Σ α_k·c_k at one frame. */
function run(p: Program, s: number, at: Frame<bigint>, alphas: readonly Fp2[]): Fp2 {
  const regs = new Array<bigint>(p.registers).fill(0n);
  const alpha = alphas.flat();
  const operand = (x: number): bigint => {
    const i = x & (2 ** OPERAND_SHIFT - 1);
    switch (x >>> OPERAND_SHIFT) {
      case OPERAND.register:
        if (i >= p.registers) throw new Error(`register ${i} of ${p.registers}`);
        return regs[i]!;
      case OPERAND.cur:
        return at.cur[i]!;
      case OPERAND.next:
        return at.next[i]!;
      case OPERAND.periodic:
        return at.periodic[i]!;
      case OPERAND.constant:
        return p.constants[i]!;
      case OPERAND.alpha:
        return alpha[i]!;
    }
    throw new Error(`operand kind ${x >>> OPERAND_SHIFT}`);
  };
  const { start, end } = p.sections[s]!;
  for (let pc = start; pc < end; pc++) {
    const [op, dst, a, b] = p.code.subarray(INSTRUCTION_WORDS * pc, INSTRUCTION_WORDS * (pc + 1)) as unknown as [number, number, number, number];
    const x = operand(a), y = operand(b);
    // (Plain checks: an expect per instruction would dominate the run.)
    if (dst >= p.registers) throw new Error(`register ${dst} of ${p.registers}`);
    // Only MAC writes the accumulator, and MAC nothing else.
    if (ACCUMULATOR.includes(dst as 0 | 1) !== (op === OPCODE.mac)) throw new Error(`instruction ${pc}: opcode ${op} writes register ${dst}`);
    switch (op) {
      case OPCODE.add:
        regs[dst] = madd(x, y);
        break;
      case OPCODE.sub:
        regs[dst] = msub(x, y);
        break;
      case OPCODE.mul:
        regs[dst] = mmul(x, y);
        break;
      case OPCODE.mac:
        regs[dst] = madd(regs[dst]!, mmul(x, y));
        break;
      default:
        throw new Error(`opcode ${op}`);
    }
  }
  return [regs[ACCUMULATOR[0]]!, regs[ACCUMULATOR[1]]!];
}

/** Σ α_k·e_k straight from the trees. */
function direct(es: readonly Expr[], at: Frame<bigint>, alphas: readonly Fp2[]): Fp2 {
  return evalBaseAll(es, at).reduce<Fp2>((acc, v, k) => [madd(acc[0], mmul(alphas[k]![0], v)), madd(acc[1], mmul(alphas[k]![1], v))], [0n, 0n]);
}

/** A random frame with edge values among its cells. */
function frame(width: number, periodicCount: number, seed: bigint): Frame<bigint> {
  const r = rng(seed);
  const row = () => Array.from({ length: width }, (_, c) => (c < EDGE.length && seed % 2n === 0n ? EDGE[c]! : r.element()));
  return { cur: row(), next: row(), periodic: Array.from({ length: periodicCount }, () => r.element()) };
}

/** Each section of `sections` compiled together agrees with its trees on `trials` random frames. */
function check(sections: readonly (readonly Expr[])[], width: number, periodicCount: number, trials = 4): Program {
  const p = compileProgram(sections);
  expect(p.sections.length).toBe(sections.length);
  expect(p.code.length % INSTRUCTION_WORDS).toBe(0);
  expect(new Set(p.constants).size).toBe(p.constants.length);
  p.constants.forEach((c) => expect(c >= 0n && c < P).toBe(true));
  for (let t = 0; t < trials; t++) {
    const at = frame(width, periodicCount, BigInt(100 + t));
    sections.forEach((es, s) => {
      const alphas = Array.from({ length: es.length }, (_, k) => [md(BigInt(k) * 0x9e3779b97f4a7c15n + BigInt(t)), md(BigInt(s + 3) ** 40n + BigInt(k))] as const);
      expect(run(p, s, at, alphas)).toEqual(direct(es, at, alphas));
    });
  }
  return p;
}

const airSections = (air: Air): Expr[][] => [air.transitions as Expr[], ...(air.rowConstraints ?? []).map((r) => [r.expr])];

describe('constraints compiled to a program for the GPU interpreter', () => {
  it('MIX_AIR (powers, periodic columns, constants near p) and SHARED_AIR (nested shares) evaluate as their trees', () => {
    check([MIX_AIR.transitions], MIX_AIR.width, MIX_AIR.periodic.length);
    check([SHARED_AIR.transitions], SHARED_AIR.width, SHARED_AIR.periodic.length);
  });

  it('edge cases: a share squared by one instruction, powers 0, 1 and 255, constant and leaf constraints, late uses of a share', () => {
    const s = share(add(cur(0), next(1)), 's');
    const inner = share(mul(s, periodic(0)), 'inner');
    const late = share(sub(cur(2), 5n), 'late');
    const es: Expr[] = [
      mul(s, s),
      pow(cur(1), 0),
      pow(cur(1), 1),
      pow(add(inner, 1n), 255),
      pow(constant(3n), 7),
      neg(constant(5n)),
      constant(P - 1n),
      cur(2),
      mul(late, cur(0)),
      sum3(inner, s, neg(next(0))),
      add(mul(constant(2n), constant(P - 1n)), cur(1)),
      mul(late, inner),
    ];
    const p = check([es, [mul(s, cur(1)), late]], 3, 1, 8);
    // Constants folded on the host: 3^7, −5, P − 1 and 2·(P − 1) are table entries, 3 and 2 are not
    // (0 is, as negations are 0 − a).
    expect(p.constants).not.toContain(3n);
    expect(p.constants).toContain(md(3n ** 7n));
  });

  it('a lowered LogUp AIR: its row constraints as sections of their own', () => {
    const air = lowerAir(rangeAir(), [[3n, 5n], [P - 7n, 11n]]).air;
    expect(air.rowConstraints?.length).toBeGreaterThan(0);
    check(airSections(air), air.width, air.periodic.length);
  });

  it('keccak_256_v1: 3,361 constraints over 2,796 columns in a register file of a few hundred', () => {
    const air = keccak256Air(keccak256Sample(5).publicInputs);
    const t0 = performance.now();
    const p = check([air.transitions], air.width, air.periodic.length, 2);
    console.log(
      `keccak_256_v1 program: ${p.code.length / INSTRUCTION_WORDS} instructions (${p.code.byteLength} bytes), ${p.registers} registers, ` +
        `${p.constants.length} constants; compiled and checked twice in ${(performance.now() - t0).toFixed(0)} ms`,
    );
    expect(p.registers).toBeLessThan(512);
  });
});

function sum3(a: Expr, b: Expr, c: Expr): Expr {
  return add(add(a, b), c);
}
