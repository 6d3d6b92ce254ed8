/**
 * AIR constraints as a register-machine program for one fixed WGSL interpreter
 * (shaders/composition_program.wgsl): the composition kernel's mode for wide AIRs (./composition.ts).
 * Generated WGSL costs the shader compiler time in proportion to the constraints (SwiftShader: seconds
 * per few hundred nodes; Keccak's 3,361 constraints took 980 s), while the interpreter is one pipeline
 * whatever the AIR; the program travels in the kernel's `consts` buffer.
 *
 * The compiler walks the trees through src/stark/expr.ts's one evaluator, so a shared subexpression
 * (LetExpr) is computed once per section, as everywhere else. Each operation node becomes one
 * instruction; leaves are not loaded into registers but named by the operands that read them:
 *   operand (u32) = kind << OPERAND_SHIFT | index, kind one of OPERAND: a register, a cell of the
 *   current or the next row (column), a periodic value, an entry of the constant table (u64), or a
 *   coefficient coordinate (index 2k + j: coordinate c_j of the section's k-th α, read from the
 *   proof's constants).
 *   instruction = INSTRUCTION_WORDS u32 words: opcode, destination register, operand a, operand b.
 *   ADD, SUB, MUL: dst ← a op b; MAC: dst ← dst + a·b.
 * A negation is 0 − a; a power, square-and-multiply MULs (exponents are at most 255); an operation on
 * constants is folded on the host. Constraint k is accumulated by two MACs into the accumulator
 * registers: r0 += c0(α_k)·c_k, r1 += c1(α_k)·c_k (fp2_mul_base's two products). All of it is exact
 * in the field, so the values are the CPU's bit for bit.
 *
 * Why so few opcodes, and MAC rather than an F_p2 accumulate: SwiftShader runs every case of the
 * interpreter's switch under a lane mask (it cannot know the opcode is uniform), so an instruction
 * costs the sum of all case bodies there; with one multiplication among them it costs about a third
 * of what three did (an F_p2 accumulate is two). A real GPU branches uniformly and runs one case.
 *
 * Registers are allocated by liveness over the straight-line code: a value's register is freed after
 * its last read (a shared subexpression's last use, possibly constraints later) and may be the
 * destination of the instruction reading it (operands are read before the destination is written).
 * Registers 0 and 1 are the accumulator, zero when a section starts; the register file is those two
 * and the high-water mark of values live at once.
 *
 * A program has sections, one per list of constraints compiled (the composition: the transitions,
 * then each boundary row's row constraints); each starts with no live value and numbers its α's from
 * 0, so the kernel points a section at its own run of coefficients.
 *
 * @module
 */
import * as F from '../../field/goldilocks.js';
import { baseLeaf, checkShape, evaluate, type Expr, type Leaf, type LetExpr, type Ops } from '../../stark/expr.js';

export const OPCODE = { add: 0, sub: 1, mul: 2, mac: 3 } as const;
export const OPERAND = { register: 0, cur: 1, next: 2, periodic: 3, constant: 4, alpha: 5 } as const;
/** An operand's kind sits above its 29-bit index. */
export const OPERAND_SHIFT = 29;
const INDEX_LIMIT = 2 ** OPERAND_SHIFT;
export const INSTRUCTION_WORDS = 4;
/** The accumulator's registers (c0, c1 of Σ α_k·c_k); values are allocated above them. */
export const ACCUMULATOR = [0, 1] as const;

export interface Program {
  /** INSTRUCTION_WORDS words per instruction (module comment). */
  readonly code: Uint32Array;
  /** The constant table the CONSTANT operands index (canonical, distinct). */
  readonly constants: readonly bigint[];
  /** Instruction ranges [start, end), one per list of constraints compiled, in order. */
  readonly sections: readonly { readonly start: number; readonly end: number }[];
  /** Registers the program uses (indices 0 … registers − 1), the accumulator's included. */
  readonly registers: number;
}

/** A value while compiling: a constant (folded), an operand naming a leaf or an α, or a virtual register. */
type Value = { readonly c: bigint } | { readonly leaf: number } | { readonly v: number };

interface Instruction {
  readonly op: number;
  /** Virtual register written, or (MAC) the accumulator register. */
  readonly dst: number;
  readonly a: Value;
  readonly b: Value;
}

const operandOf = (kind: number, index: number, what: string): number => {
  if (index >= INDEX_LIMIT) throw new RangeError(`compileProgram: ${what} index ${index} does not fit an operand (2^${OPERAND_SHIFT})`);
  return ((kind << OPERAND_SHIFT) | index) >>> 0;
};

const leaf = (l: Leaf): Value => {
  const b = baseLeaf(l);
  return { leaf: operandOf(OPERAND[b.op], b.op === 'periodic' ? b.index : b.col, b.op) };
};

/**
 * `sections`' constraints as one program: section s accumulates Σ_k α_k·sections[s][k] (the α's are
 * the kernel's). Shared subexpressions are evaluated once per section.
 */
export function compileProgram(sections: readonly (readonly Expr[])[]): Program {
  sections.forEach((es, s) => es.forEach((e, k) => checkShape(e, `compileProgram: sections[${s}][${k}]`)));
  const ir: Instruction[] = [];
  let vregs = 0;
  const binary = (op: number, fold: (x: bigint, y: bigint) => bigint) => (a: Value, b: Value): Value => {
    if ('c' in a && 'c' in b) return { c: fold(a.c, b.c) };
    const v = vregs++;
    ir.push({ op, dst: v, a, b });
    return { v };
  };
  const mul = binary(OPCODE.mul, F.mul);
  const sub = binary(OPCODE.sub, F.sub);
  const ops: Ops<Value> = {
    constant: (c) => ({ c }),
    add: binary(OPCODE.add, F.add),
    sub,
    mul,
    neg: (a) => sub({ c: 0n }, a),
    pow: (a, exp) => {
      if ('c' in a) return { c: F.pow(a.c, BigInt(exp)) };
      if (exp === 0) return { c: 1n };
      let r: Value = a;
      for (let bit = 31 - Math.clz32(exp) - 1; bit >= 0; bit--) {
        r = mul(r, r);
        if ((exp >> bit) & 1) r = mul(r, a);
      }
      return r;
    },
  };
  const ranges = sections.map((es) => {
    const start = ir.length;
    // One memo per section; each constraint accumulated as soon as it is evaluated, so its value's
    // register is free for the next.
    const memo = new Map<LetExpr, Value>();
    es.forEach((e, k) => {
      const value = evaluate(e, leaf, ops, memo);
      ACCUMULATOR.forEach((r, j) => ir.push({ op: OPCODE.mac, dst: r, a: value, b: { leaf: operandOf(OPERAND.alpha, 2 * k + j, 'coefficient') } }));
    });
    return { start, end: ir.length };
  });
  return { ...assemble(ir, vregs), sections: ranges };
}

/** Registers allocated by liveness, constants tabled, instructions encoded. */
function assemble(ir: readonly Instruction[], vregs: number): { code: Uint32Array; constants: bigint[]; registers: number } {
  const readsOf = (ins: Instruction): number[] => {
    const vs = [ins.a, ins.b].flatMap((x) => ('v' in x ? [x.v] : []));
    return vs.length === 2 && vs[0] === vs[1] ? [vs[0]!] : vs;
  };
  const lastRead = new Int32Array(vregs).fill(-1);
  ir.forEach((ins, i) => readsOf(ins).forEach((v) => (lastRead[v] = i)));

  const constants: bigint[] = [];
  const constantIndex = new Map<bigint, number>();
  const physical = new Int32Array(vregs);
  const free: number[] = [];
  let registers = ACCUMULATOR.length;
  const operand = (x: Value): number => {
    if ('leaf' in x) return x.leaf;
    if ('v' in x) return operandOf(OPERAND.register, physical[x.v]!, 'register');
    let j = constantIndex.get(x.c);
    if (j === undefined) {
      j = constants.length;
      constants.push(x.c);
      constantIndex.set(x.c, j);
    }
    return operandOf(OPERAND.constant, j, 'constant');
  };

  const code = new Uint32Array(INSTRUCTION_WORDS * ir.length);
  ir.forEach((ins, i) => {
    const a = operand(ins.a), b = operand(ins.b);
    // The operands are read before the destination is written: a register read for the last time
    // here may take the result.
    for (const v of readsOf(ins)) if (lastRead[v] === i) free.push(physical[v]!);
    let dst = ins.dst;
    if (ins.op !== OPCODE.mac) {
      dst = physical[ins.dst] = free.pop() ?? registers++;
      if (lastRead[ins.dst]! < 0) free.push(dst);
    }
    code.set([ins.op, dst, a, b], INSTRUCTION_WORDS * i);
  });
  return { code, constants, registers };
}
