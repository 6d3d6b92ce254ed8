/**
 * Node: the WGSL sources read from the package's shaders/ directory (found from src/ or dist/src/).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHADER_FILES, checkLibrary, type ShaderLibrary } from './shaders.js';

function shaderDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'shaders', 'goldilocks.wgsl'))) return join(dir, 'shaders');
    dir = dirname(dir);
  }
  throw new Error('cannot find the shaders/ directory of the capseal package');
}

let cached: ShaderLibrary | undefined;

export function nodeShaderLibrary(): ShaderLibrary {
  if (!cached) {
    const dir = shaderDir();
    cached = checkLibrary(Object.fromEntries(SHADER_FILES.map((f) => [f, readFileSync(join(dir, `${f}.wgsl`), 'utf8')])));
  }
  return cached;
}
