// The page's own build (build-info.json, written by demo/vite.config.ts): the toolchain of a run made
// here, and the verifier build hash shown beside the server's.
import type { BrowserBuild } from '../../src/capsulebench/host-browser.js';
import { jcsHash } from '../../src/capsule/spec.js';

let loaded: Promise<BrowserBuild> | undefined;

export function buildInfo(): Promise<BrowserBuild> {
  loaded ??= fetch('/build-info.json').then(async (r) => {
    if (!r.ok) throw new Error(`build-info.json: ${r.status} ${r.statusText} (is the app built? npm run build)`);
    return (await r.json()) as BrowserBuild;
  });
  // A failure is not kept: the next call asks again.
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/** This page's verifier: capseal's version and the build hash of the bundle. */
export async function pageVerifier(): Promise<{ version: string; build_hash: string }> {
  const b = await buildInfo();
  return { version: b.version, build_hash: jcsHash(b.files) };
}
