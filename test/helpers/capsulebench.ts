// CapsuleBench packs for the tests: make one with the real runner and Node host (CPU, one thread,
// small sizes), copy it, and forge variants the way a dishonest runner could: edit a file and
// reseal the capsule (new hashes, the capsule hash, optionally a new signature), re-chain the event
// log after an edit, or prove again honestly under other anchors, policy or input so that every
// capsule check passes and only the benchmark rules can catch the change (./pack-forge.ts, on the
// folder's files).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { afterAll } from 'vitest';
import type { Capsule } from '../../src/capsule/capsule.js';
import { EVENTS_PATH, type StreamEvent } from '../../src/capsulebench/events.js';
import { openNodeHost } from '../../src/capsulebench/host-node.js';
import { packFolderFiles } from '../../src/capsulebench/pack-node.js';
import { runBenchmark, type RunRequest } from '../../src/capsulebench/runner.js';
import { verifyPack, type PackReport, type VerifyPackOptions } from '../../src/capsulebench/contract.js';
import { sha256Hex } from '../../src/hash/digest.js';
import { jsonFileBytes } from '../../src/json/file-json.js';
import { Kernels } from '../../src/wasm/kernels.js';
import { eventsOf, headOf, rechain, reprovePack, resealPack, type PackMap, type Reprove, type ResealOptions } from './pack-forge.js';

export type { Reprove } from './pack-forge.js';

/** Every folder tempDir made in this test file, removed after its last test (a server's data folder is tens of MB). */
const made: string[] = [];
// Registered when a test file imports this module, before the file's own hooks, so it runs after them
// (after* hooks run as a stack): the file's servers and hosts are closed by then.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export const tempDir = (prefix = 'capsulebench-test-'): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** A pack made by the runner on the CPU (one thread) into `outDir`; returns its capsulepack/ folder. */
export async function makePack(outDir: string, req: Partial<RunRequest> = {}, policyBytes?: Uint8Array): Promise<string> {
  const { host, close } = await openNodeHost({ backend: req.backend ?? 'cpu', threads: 1, outDir, notice: () => {}, progress: () => {} });
  try {
    const full: RunRequest = { workloadId: 'geom_walk_v1', log2Rows: 10, trackId: 'baseline_no_accel', backend: 'cpu', ...req };
    await (policyBytes ? runBenchmark(host, full, policyBytes) : runBenchmark(host, full));
  } finally {
    await close();
  }
  return join(outDir, 'capsulepack');
}

/** A fresh copy of a pack folder. */
export function copyPack(src: string): string {
  const dir = join(tempDir(), 'capsulepack');
  cpSync(src, dir, { recursive: true });
  return dir;
}

export const readText = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');
export const readJson = (dir: string, path: string): Record<string, any> => JSON.parse(readText(dir, path)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export const writeJson = (dir: string, path: string, v: unknown): void => writeFileSync(join(dir, path), jsonFileBytes(v));
export const fileHash = (dir: string, path: string): string => sha256Hex(readFileSync(join(dir, path)));

export async function verifyDir(dir: string, opts: VerifyPackOptions = {}): Promise<PackReport> {
  return verifyPack(await Kernels.load(), packFolderFiles(dir), opts);
}

/** A pack folder's files as a map (./pack-forge.ts), then what `edit` changed written back: new and changed files, removed ones deleted. */
function onDisk<T>(dir: string, edit: (d: PackMap) => T): T;
function onDisk<T>(dir: string, edit: (d: PackMap) => Promise<T>): Promise<T>;
function onDisk<T>(dir: string, edit: (d: PackMap) => T | Promise<T>): T | Promise<T> {
  const before: PackMap = new Map();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = name.split(sep).join('/');
    if (statSync(join(dir, name)).isFile()) before.set(path, new Uint8Array(readFileSync(join(dir, name))));
  }
  const d: PackMap = new Map(before);
  const save = (v: T): T => {
    for (const path of before.keys()) if (!d.has(path)) rmSync(join(dir, path));
    for (const [path, bytes] of d) {
      if (before.get(path) === bytes) continue;
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    return v;
  };
  const out = edit(d);
  return out instanceof Promise ? out.then(save) : save(out);
}

/** A pack folder's event log alone, as the map ./pack-forge.ts reads it from. */
const eventLog = (dir: string): PackMap => new Map([[EVENTS_PATH, new Uint8Array(readFileSync(join(dir, EVENTS_PATH)))]]);

/** The events of a pack folder, parsed. */
export const readEvents = (dir: string): StreamEvent[] => eventsOf(eventLog(dir));

/** Writes the events back, re-chaining every prev_event_hash (an edit left in place, the chain made whole). */
export function writeEvents(dir: string, events: StreamEvent[]): void {
  const d: PackMap = new Map();
  rechain(d, events);
  for (const [path, bytes] of d) writeFileSync(join(dir, path), bytes);
}

/** The chain head at the proof_artifact event of the log on disk. */
export const chainHead = (dir: string): string => headOf(eventLog(dir));

/** Reseals a pack folder's capsule after edits (./pack-forge.ts resealPack). */
export const reseal = (dir: string, opts: ResealOptions = {}): Capsule => onDisk(dir, (d) => resealPack(d, opts));

/** Proves a pack folder's workload again, honestly, under edited anchors, policy, options or input (./pack-forge.ts reprovePack). */
export const reprove = async (dir: string, r: Reprove): Promise<Capsule> => {
  const k = await Kernels.load();
  return onDisk(dir, (d) => reprovePack(k, d, r));
};
