// AIR constraints as WGSL (shaders/goldilocks.wgsl's fp_* functions): the expression tree of
// src/stark/expr.ts as one WGSL expression, for the generated composition kernel (./composition.ts).
import { checkShape, type Expr } from '../../stark/expr.js';

// ---------------------------------------------------------------- WGSL

/** WGSL expressions (of type Fp) that read a trace cell or a periodic value in the generated kernel. */
export interface WgslNames {
  cur(col: number): string;
  next(col: number): string;
  periodic(index: number): string;
}

const wgslConstant = (v: bigint): string => `Fp(${v & 0xffffffffn}u, ${v >> 32n}u)`;

/**
 * The tree as one WGSL expression of type Fp over shaders/goldilocks.wgsl (fp_add, fp_sub, fp_mul,
 * fp_neg, fp_square, fp_pow). A power is inlined as square-and-multiply when that repeats no
 * computation (a leaf operand, or an exponent with one set bit); otherwise it calls fp_pow, which
 * evaluates its operand once.
 */
export function exprToWgsl(e: Expr, names: WgslNames): string {
  checkShape(e, 'exprToWgsl: expr');
  const go = (n: Expr): string => {
    switch (n.op) {
      case 'const':
        return wgslConstant(n.value);
      case 'cur':
        return names.cur(n.col);
      case 'next':
        return names.next(n.col);
      case 'periodic':
        return names.periodic(n.index);
      case 'add':
      case 'sub':
      case 'mul':
        return `fp_${n.op}(${go(n.a)}, ${go(n.b)})`;
      case 'neg':
        return `fp_neg(${go(n.a)})`;
      case 'pow':
        return wgslPow(go(n.a), n.exp, isLeaf(n.a));
    }
  };
  return go(e);
}

const isLeaf = (e: Expr): boolean => e.op === 'const' || e.op === 'cur' || e.op === 'next' || e.op === 'periodic';

function wgslPow(x: string, exp: number, leaf: boolean): string {
  if (exp === 0) return 'FP_ONE';
  if (!leaf && (exp & (exp - 1)) !== 0) return `fp_pow(${x}, vec2<u32>(${exp}u, 0u))`;
  let r = x;
  for (let bit = 31 - Math.clz32(exp) - 1; bit >= 0; bit--) {
    r = `fp_square(${r})`;
    if ((exp >> bit) & 1) r = `fp_mul(${r}, ${x})`;
  }
  return r;
}
