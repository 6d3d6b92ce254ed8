/**
 * Browser: the same WGSL sources, bundled by Vite as raw strings.
 *
 * @module
 */
import { checkLibrary, type ShaderLibrary } from './shaders.js';

const files = import.meta.glob<string>('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });

export const browserShaderLibrary: ShaderLibrary = checkLibrary(
  Object.fromEntries(Object.entries(files).map(([path, text]) => [path.replace(/^.*\/(.+)\.wgsl$/, '$1'), text])),
);
