// The composition kernel's interpreted mode: air_transitions and air_rows for composition.wgsl, in
// place of the generated ones, as one interpreter of the AIR's constraints compiled to a program on
// the host (src/prover/gpu/program.ts, which defines the encoding and says why these opcodes). One
// pipeline serves every AIR, however wide: the program is data, in `consts`.
// src/prover/gpu/composition.ts injects REGISTERS (at least the program's register count) and fills
// these CompParams fields:
//   prog_off           instruction i: consts[prog_off + 2i] = (opcode, dst), consts[prog_off + 2i + 1] = (a, b)
//   prog_const_off     the constant table
//   prog_sections_off  section s: consts[prog_sections_off + 2s] = (start, end) instruction range,
//                      consts[… + 1].x = where its coefficients α_0, α_1, … begin (c0, c1 each)
// Section 0 is the transitions, section 1 + r row group r's row constraints.
//
// Every invocation runs the same instructions in the same order (the program does not depend on
// the position), so the loop and the switch are uniform control flow. The registers are a
// function-scope array, indexed dynamically; registers 0 and 1 accumulate Σ α_k·c_k.

const PROG_ADD = 0u;
const PROG_SUB = 1u;
const PROG_MUL = 2u;
const PROG_MAC = 3u;

const PROG_REGISTER = 0u;
const PROG_CUR = 1u;
const PROG_NEXT = 2u;
const PROG_PERIODIC = 3u;
const PROG_ALPHA = 5u;
const PROG_INDEX_MASK = 0x1fffffffu;

// The value an operand names: a register, a cell of the current row (position p) or the next (q), a
// periodic value, a constant, or a coordinate of one of the section's α's (from alpha_at). Cases that
// read the same binding share one load (SwiftShader executes every case).
fn prog_operand(regs: ptr<function, array<Fp, REGISTERS>>, operand: u32, p: u32, q: u32, alpha_at: u32) -> Fp {
  let kind = operand >> 29u;
  let i = operand & PROG_INDEX_MASK;
  var v: Fp;
  switch kind {
    case PROG_REGISTER: {
      v = (*regs)[i];
    }
    case PROG_CUR, PROG_NEXT: {
      v = trace_at(i, select(p, q, kind == PROG_NEXT));
    }
    case PROG_PERIODIC: {
      v = periodic_at(i, p);
    }
    default: {
      v = consts[select(params.prog_const_off, alpha_at, kind == PROG_ALPHA) + i];
    }
  }
  return v;
}

// Σ_k α_k·c_k over section s's constraints.
fn prog_run(s: u32, p: u32, q: u32) -> Fp2 {
  let range = consts[params.prog_sections_off + 2u * s];
  // A row group without row constraints: no register file to clear.
  if (range.x == range.y) {
    return fp2(FP_ZERO, FP_ZERO);
  }
  let alpha_at = consts[params.prog_sections_off + 2u * s + 1u].x;
  // Zero-initialized: the accumulator starts at 0.
  var regs: array<Fp, REGISTERS>;
  for (var pc = range.x; pc < range.y; pc++) {
    let head = consts[params.prog_off + 2u * pc];
    let operands = consts[params.prog_off + 2u * pc + 1u];
    let a = prog_operand(&regs, operands.x, p, q, alpha_at);
    let b = prog_operand(&regs, operands.y, p, q, alpha_at);
    var r: Fp;
    switch head.x {
      case PROG_ADD: {
        r = fp_add(a, b);
      }
      case PROG_SUB: {
        r = fp_sub(a, b);
      }
      default: {
        // PROG_MUL, or PROG_MAC (dst + a·b): one multiplication in the switch.
        r = fp_mul(a, b);
        if (head.x == PROG_MAC) {
          r = fp_add(regs[head.y], r);
        }
      }
    }
    regs[head.y] = r;
  }
  return fp2(regs[0], regs[1]);
}

fn air_transitions(p: u32, q: u32) -> Fp2 {
  return prog_run(0u, p, q);
}

fn air_rows(p: u32, r: u32) -> Fp2 {
  return prog_run(1u + r, p, p);
}
