// The layer rule's check (.dependency-cruiser.cjs, `npm run deps`) catches what it is for: run on a
// small tree laid out like src/, an upward import, an import between the prover's CPU and GPU
// implementations, an import of the dishonest prover and a cycle each fail with their rule's name,
// and a tree that follows the rules passes. (The real src/ is checked by `npm test` itself.)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the project's rules over a tree of files (path → imports). */
function cruise(files: Record<string, string[]>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'capseal-deps-'));
  dirs.push(dir);
  copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, imports] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), [...imports.map((i) => `import '${i}';`), 'export const x = 1;', ''].join('\n'));
  }
  const r = spawnSync(depcruise, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('the dependency rules', () => {
  it('pass a tree that imports only downward', () => {
    const r = cruise({
      'src/field/a.ts': [],
      'src/stark/b.ts': ['../field/a.js'],
      'src/prover/c.ts': ['../stark/b.js', './cpu/d.js', './gpu/e.js'],
      'src/prover/cpu/d.ts': ['../../stark/b.js'],
      'src/prover/gpu/e.ts': ['../../gpu/f.js'],
      'src/gpu/f.ts': ['../field/a.js'],
      'src/cli/g.ts': ['../prover/c.js', '../server/h.js'],
      'src/server/h.ts': [],
    });
    expect(r.out).toMatch(/no dependency violations/);
    expect(r.status).toBe(0);
  });

  it.each([
    ['an upward import', { 'src/field/a.ts': ['../stark/b.js'], 'src/stark/b.ts': [] }, 'layer-field'],
    ['the protocol importing a backend', { 'src/stark/a.ts': ['../backend/b.js'], 'src/backend/b.ts': [] }, 'layer-stark'],
    ['the protocol importing the GPU runtime', { 'src/stark/a.ts': ['../gpu/b.js'], 'src/gpu/b.ts': [] }, 'layer-stark'],
    ['anything importing cli', { 'src/server/a.ts': ['../cli/b.js'], 'src/cli/b.ts': [] }, 'layer-server'],
    ['the CPU steps importing the GPU steps', { 'src/prover/cpu/a.ts': ['../gpu/b.js'], 'src/prover/gpu/b.ts': [] }, 'prover-cpu-not-gpu'],
    ['the GPU steps importing the CPU steps', { 'src/prover/gpu/a.ts': ['../cpu/b.js'], 'src/prover/cpu/b.ts': [] }, 'prover-gpu-not-cpu'],
    ['production code importing the dishonest prover', { 'src/prover/a.ts': ['./testing.js'], 'src/prover/testing.ts': [] }, 'no-dishonest-prover'],
    ['a cycle within a layer', { 'src/capsule/a.ts': ['./b.js'], 'src/capsule/b.ts': ['./a.js'] }, 'no-cycles'],
  ])('fail %s', (_, files, rule) => {
    const r = cruise(files);
    expect(r.out).toContain(rule);
    expect(r.status).not.toBe(0);
  });
});
