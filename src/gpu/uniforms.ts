/**
 * Uniform structs declared once: a kernel's parameter block is named and typed here in TypeScript,
 * and both its WGSL declaration (injected into the kernel's module) and its bytes come from that one
 * declaration, so the host packs values by field name instead of by a position that must silently
 * match a struct written elsewhere.
 *
 * The layout is WGSL's (https://www.w3.org/TR/WGSL/#memory-layouts): "Alignment and Size" gives
 * u32 4/4, vec2<u32> 8/8, vec4<u32> 16/16 (align/size in bytes); "Structure Member Layout" places
 * each member at roundUp(align, end of the previous one); "Address Space Layout Constraints" add
 * nothing for members of these types in the uniform address space (its 16-byte rules concern
 * nested structs and arrays, which these types exclude). The gaps are declared as u32 pad
 * members, and the struct is padded to a multiple of 16 bytes as GpuContext.uniforms sizes its
 * bindings, so the WGSL struct, the packed words and the bound block are the same bytes.
 *
 * @module
 */
import * as Fp from '../field/goldilocks.js';
import * as Fp2 from '../field/ext2.js';
import { fp2Words, words } from './dispatch.js';

/**
 * Member types: Fp and Fp2 are the aliases vec2<u32> and vec4<u32> of shaders/goldilocks.wgsl and
 * shaders/ext2.wgsl; vec4<u32> holds four plain u32s (RowParams' segment ends).
 */
export type UniformType = 'u32' | 'Fp' | 'Fp2' | 'vec4<u32>';

/** Alignment and size in bytes (WGSL's AlignOf = SizeOf for these types). */
const BYTES: Readonly<Record<UniformType, number>> = { u32: 4, Fp: 8, Fp2: 16, 'vec4<u32>': 16 };

/** The host value of each type: Fp a canonical bigint, Fp2 a (c0, c1) pair of them, vec4<u32> four u32s. */
export type UniformValue<T extends UniformType> = T extends 'u32' ? number
  : T extends 'Fp' ? bigint
  : T extends 'Fp2' ? Fp2.Fp2
  : readonly number[];

export type UniformFields = Readonly<Record<string, UniformType>>;

export type UniformValues<F extends UniformFields> = { readonly [K in keyof F]: UniformValue<F[K]> };

export interface UniformMember {
  readonly name: string;
  readonly type: UniformType;
  /** Byte offset in the struct. */
  readonly offset: number;
  readonly pad: boolean;
}

export interface UniformStruct<F extends UniformFields> {
  readonly name: string;
  /** Every member in order, pads included. */
  readonly members: readonly UniformMember[];
  /** Bytes, a multiple of 16. */
  readonly size: number;
  /** The WGSL declaration, for a pipeline's `generated` source. */
  readonly wgsl: string;
  /** The struct's bytes: every declared field by name, pads zero. */
  pack(values: UniformValues<F>): Uint32Array;
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Names of the generated pad members, so no declared field may take one. */
const PAD = /^pad\d+$/;

const roundUp = (k: number, n: number): number => Math.ceil(n / k) * k;

/** The layout of `fields` in declaration order (see the header for the rules). */
function layout(name: string, fields: UniformFields): { members: UniformMember[]; size: number } {
  const members: UniformMember[] = [];
  let end = 0, pads = 0;
  const padTo = (offset: number) => {
    for (; end < offset; end += 4) members.push({ name: `pad${pads++}`, type: 'u32', offset: end, pad: true });
  };
  for (const [field, type] of Object.entries(fields)) {
    if (!IDENTIFIER.test(field) || PAD.test(field)) throw new Error(`${name}: ${field} is not a field name (an identifier, not pad<n>)`);
    if (!Object.hasOwn(BYTES, type)) throw new Error(`${name}.${field}: unknown type ${String(type)}`);
    padTo(roundUp(BYTES[type], end));
    members.push({ name: field, type, offset: end, pad: false });
    end += BYTES[type];
  }
  if (members.length === 0) throw new Error(`${name}: a struct needs a field`);
  padTo(roundUp(16, end));
  return { members, size: end };
}

const isU32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** 32;

/** A value as the message shows it: bigints with their n, so 1n and 1 are told apart. */
const show = (x: unknown): string =>
  typeof x === 'bigint' ? `${x}n` : Array.isArray(x) ? `[${x.map(show).join(', ')}]` : typeof x === 'string' ? JSON.stringify(x) : String(x);

/** The words of one member's value, or a RangeError saying what `field` needed. */
function encode(field: string, type: UniformType, value: unknown): number[] {
  switch (type) {
    case 'u32':
      if (isU32(value)) return [value];
      throw new RangeError(`${field} must be a u32 (an integer in [0, 2^32)), got ${show(value)}`);
    case 'Fp':
      if (Fp.isCanonical(value)) return words(value);
      throw new RangeError(`${field} must be a canonical Fp element (a bigint in [0, p)), got ${show(value)}`);
    case 'Fp2':
      if (Fp2.isCanonical(value)) return fp2Words(value);
      throw new RangeError(`${field} must be a canonical F_p2 element (two bigints in [0, p)), got ${show(value)}`);
    case 'vec4<u32>':
      if (Array.isArray(value) && value.length === 4 && value.every(isU32)) return value;
      throw new RangeError(`${field} must be four u32s (integers in [0, 2^32)), got ${show(value)}`);
  }
}

/**
 * Declares the uniform struct `name` with `fields` in order (an object literal: its key order is the
 * member order). Throws on a bad name or type; the result generates its WGSL and packs its values.
 */
export function uniformStruct<const F extends UniformFields>(name: string, fields: F): UniformStruct<F> {
  if (!IDENTIFIER.test(name)) throw new Error(`uniform struct name must be an identifier, got ${name}`);
  const { members, size } = layout(name, fields);
  const wgsl = [
    `// ${name}: generated by src/gpu/uniforms.ts; byte offsets in the comments`,
    `struct ${name} {`,
    ...members.map((m) => `  ${m.name}: ${m.type}, // ${m.offset}`),
    '}',
    '',
  ].join('\n');
  const pack = (values: UniformValues<F>): Uint32Array => {
    const unknown = Object.keys(values).filter((k) => !Object.hasOwn(fields, k));
    if (unknown.length) throw new RangeError(`${name}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    const missing = Object.keys(fields).filter((k) => !Object.hasOwn(values, k));
    if (missing.length) throw new RangeError(`${name}: missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const out = new Uint32Array(size / 4);
    for (const m of members)
      if (!m.pad) out.set(encode(`${name}.${m.name}`, m.type, (values as Record<string, unknown>)[m.name]), m.offset / 4);
    return out;
  };
  return { name, members, size, wgsl, pack };
}
