/**
 * Node: this package's own package.json and root folder, found by walking up from this file (the
 * layout differs between running from source and from dist/). A leaf module: the backend's cache
 * key, the CLI's --version and CapsuleBench's toolchain manifest all read it.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageInfo {
  root: string;
  version: string;
  dependencies: Record<string, string>;
}

let found: PackageInfo | null | undefined;

function find(): PackageInfo | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string; dependencies?: Record<string, string> };
      if (pkg.name === 'capseal' && pkg.version) return { root: dir, version: pkg.version, dependencies: pkg.dependencies ?? {} };
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** capseal's package.json facts, or null when this file is not inside the package (a bundle). */
export function packageInfo(): PackageInfo | null {
  if (found === undefined) found = find();
  return found;
}

export const packageVersion = (): string => packageInfo()?.version ?? 'unknown';
