// The worked examples of the normative specification (docs/spec/*.md) are checked against the code:
// every fenced block whose info string is `example <name>` must hold exactly (trimmed) the text that
// the function `<name>` of some test/spec-examples/*.ts module's `examples` returns, and every such
// function must be quoted by some document, so no example goes stale and none is left unshown.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Examples = Record<string, () => string | Promise<string>>;

const specDir = new URL('../docs/spec/', import.meta.url);
const moduleDir = new URL('./spec-examples/', import.meta.url);

/** The `example <name>` blocks of a markdown text, in order. */
export function exampleBlocks(markdown: string): Array<{ name: string; text: string }> {
  const blocks: Array<{ name: string; text: string }> = [];
  const fence = /^```example ([a-z0-9][a-z0-9._-]*)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) blocks.push({ name: m[1]!, text: m[2]!.trim() });
  return blocks;
}

const listing = (dir: URL, ext: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).sort() : []);
const docs = listing(specDir, '.md');
const modules = listing(moduleDir, '.ts');

describe('docs/spec worked examples', async () => {
  const examples: Examples = {};
  for (const file of modules) {
    const mod = (await import(new URL(file, moduleDir).href)) as { examples: Examples };
    for (const [name, fn] of Object.entries(mod.examples)) {
      if (name in examples) throw new Error(`example ${name} is defined twice (${file})`);
      examples[name] = fn;
    }
  }
  const quoted = new Set<string>();
  for (const doc of docs) {
    const blocks = exampleBlocks(readFileSync(new URL(doc, specDir), 'utf8'));
    for (const { name, text } of blocks) {
      quoted.add(name);
      it(`${doc}: ${name}`, async () => {
        expect(examples[name], `no function computes example ${name}`).toBeTypeOf('function');
        expect(text).toBe((await examples[name]!()).trim());
      }, 60_000);
    }
  }
  it('every example function is quoted by a document', () => {
    expect(Object.keys(examples).filter((name) => !quoted.has(name))).toEqual([]);
  });
  it('the block syntax is what the documents use', () => {
    expect(exampleBlocks('x\n```example a.b-1\n  v 1\nv2\n```\n```ts\nno\n```\n')).toEqual([{ name: 'a.b-1', text: 'v 1\nv2' }]);
  });
});
