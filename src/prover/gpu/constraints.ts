/**
 * AIR constraints as WGSL (shaders/goldilocks.wgsl's fp_* functions): expression trees of
 * src/stark/expr.ts through its one evaluator, for the generated composition kernel (./composition.ts).
 * A shared subexpression becomes a `let` statement evaluated once; everything else is inlined.
 *
 * @module
 */
import { baseLeaf, checkShape, evaluateAll, type Expr, type Leaf, type Ops } from '../../stark/expr.js';

/** WGSL expressions (of type Fp) that read a trace cell or a periodic value in the generated kernel. */
export interface WgslNames {
  cur(col: number): string;
  next(col: number): string;
  periodic(index: number): string;
}

/** Generated code, and whether it is cheap to repeat (a constant, a cell, a bound name). */
interface Code {
  readonly text: string;
  readonly simple: boolean;
}

const wgslConstant = (v: bigint): string => `Fp(${v & 0xffffffffn}u, ${v >> 32n}u)`;

/**
 * The trees as WGSL expressions of type Fp over shaders/goldilocks.wgsl (fp_add, fp_sub, fp_mul,
 * fp_neg, fp_square, fp_pow), after `statements` binding their shared subexpressions in order of
 * first use (`let s<k>_<name>: Fp = …;`). A power is inlined as square-and-multiply when that
 * repeats no computation (a simple operand, or an exponent with one set bit); otherwise it calls
 * fp_pow, which evaluates its operand once.
 */
export function constraintsToWgsl(es: readonly Expr[], names: WgslNames): { statements: string[]; values: string[] } {
  es.forEach((e, i) => checkShape(e, `constraintsToWgsl: exprs[${i}]`));
  const statements: string[] = [];
  const code = (text: string): Code => ({ text, simple: false });
  const ops: Ops<Code> = {
    constant: (v) => ({ text: wgslConstant(v), simple: true }),
    add: (a, b) => code(`fp_add(${a.text}, ${b.text})`),
    sub: (a, b) => code(`fp_sub(${a.text}, ${b.text})`),
    mul: (a, b) => code(`fp_mul(${a.text}, ${b.text})`),
    neg: (a) => code(`fp_neg(${a.text})`),
    pow: (a, exp) => code(wgslPow(a.text, exp, a.simple)),
    share: (v, node) => {
      const bound: Code = { text: `s${statements.length}_${node.name}`, simple: true };
      statements.push(`let ${bound.text}: Fp = ${v.text};`);
      return { first: bound, later: bound };
    },
  };
  const leaf = (any: Leaf): Code => {
    const l = baseLeaf(any);
    return { text: l.op === 'periodic' ? names.periodic(l.index) : names[l.op](l.col), simple: true };
  };
  return { statements, values: evaluateAll(es, leaf, ops).map((c) => c.text) };
}

/** One tree as one WGSL expression (shared subexpressions inlined into it are not allowed here). */
export function exprToWgsl(e: Expr, names: WgslNames): string {
  checkShape(e, 'exprToWgsl: expr');
  const { statements, values } = constraintsToWgsl([e], names);
  if (statements.length) throw new RangeError('exprToWgsl: the tree has shared subexpressions; use constraintsToWgsl');
  return values[0]!;
}

function wgslPow(x: string, exp: number, simple: boolean): string {
  if (exp === 0) return 'FP_ONE';
  if (!simple && (exp & (exp - 1)) !== 0) return `fp_pow(${x}, vec2<u32>(${exp}u, 0u))`;
  let r = x;
  for (let bit = 31 - Math.clz32(exp) - 1; bit >= 0; bit--) {
    r = `fp_square(${r})`;
    if ((exp >> bit) & 1) r = `fp_mul(${r}, ${x})`;
  }
  return r;
}
