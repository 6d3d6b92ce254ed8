/**
 * WGSL assembly (docs/architecture.md "Layers"): the sources in shaders/*.wgsl are shared by
 * Node (read from disk, ./shaders-node.ts) and the browser (bundled by Vite, ./shaders-browser.ts).
 * A module is a list of files concatenated in order after a header of `const` declarations computed
 * in TypeScript; the final text is the pipeline cache key (./context.ts).
 *
 * @module
 */

/** The WGSL sources by file stem ('goldilocks' for shaders/goldilocks.wgsl). */
export type ShaderLibrary = Readonly<Record<string, string>>;

export type ShaderConstant = number | boolean;

/** Every shader file this backend uses; a library missing one is rejected up front. */
export const SHADER_FILES = ['goldilocks', 'ext2', 'field_ops', 'ntt', 'blake3', 'composition', 'composition_program', 'deep', 'fri', 'poly_eval', 'zero_check'] as const;
export type ShaderFile = (typeof SHADER_FILES)[number];

export function checkLibrary(lib: ShaderLibrary): ShaderLibrary {
  const missing = SHADER_FILES.filter((f) => typeof lib[f] !== 'string');
  if (missing.length) throw new Error(`shader library lacks ${missing.map((f) => `shaders/${f}.wgsl`).join(', ')}`);
  return lib;
}

const IDENTIFIER = /^[A-Z][A-Z0-9_]*$/;

function constantLine(name: string, value: ShaderConstant): string {
  if (!IDENTIFIER.test(name)) throw new Error(`shader constant name must be UPPER_SNAKE_CASE, got ${name}`);
  if (typeof value === 'boolean') return `const ${name} = ${value};`;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`shader constant ${name} must be a u32, got ${value}`);
  return `const ${name} = ${value}u;`;
}

/**
 * The source of one module: injected constants, then the named files, then `generated` — code made
 * in TypeScript: the kernel's uniform structs (./uniforms.ts) and, for the composition's generated
 * mode, the AIR's constraint functions (src/prover/gpu/constraints.ts).
 */
export function composeShader(
  lib: ShaderLibrary, files: readonly ShaderFile[], constants: Readonly<Record<string, ShaderConstant>> = {}, generated = '',
): string {
  const header = Object.keys(constants).sort().map((k) => constantLine(k, constants[k]!));
  return [`// generated: ${files.join(' + ')}`, ...header, ...files.map((f) => lib[f]!), generated].join('\n');
}
