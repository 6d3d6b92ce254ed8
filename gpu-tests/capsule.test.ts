// Capsules made on the GPU backend: a GEOM and an AGENT capsule sealed on the GPU and on the CPU
// from the same input carry the same statement, proof bytes and row archive (only the measured
// stats and the backend record differ), and both verify; tampering the GPU capsule's statement is
// rejected like the CPU one's.
import { describe, expect, it } from 'vitest';
import { agentLog } from '../bench/prove.js';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.js';
import type { Backend } from '../src/backend/backend.js';
import { ADAPTERS } from '../src/capsule/adapter.js';
import { capsuleHash } from '../src/capsule/capsule.js';
import { sealCapsule } from '../src/capsule/seal.js';
import { verifyCapsule, type CapsuleFiles } from '../src/capsule/verify.js';
import { Kernels } from '../src/wasm/kernels.js';
import { nodeGpuBackend, requireGpu } from './adapter.js';

const cases = [
  { air: 'geom', input: { steps: 256 }, claim: 'final_acc' },
  { air: 'agent', input: agentLog(4), claim: 'final_receipt_hash' },
] as const;

async function seal(k: Kernels, backend: Backend, air: string, input: unknown) {
  const sealed = await sealCapsule(k, { adapter: ADAPTERS[air]!, input, backend, backendChoice: backend.kind === 'gpu' ? 'gpu' : 'cpu', chunkLen: 128 });
  return new Map(sealed.files);
}

const files = (dir: Map<string, Uint8Array>): CapsuleFiles => ({ read: async (p) => dir.get(p) ?? null });

describe('capsules sealed on the GPU backend', () => {
  for (const c of cases)
    it(`${c.air}: GPU and CPU capsules hold the same proof and archive, and both verify`, async (t) => {
      const gpu = requireGpu(await nodeGpuBackend(), t);
      const cpu = await CpuBackend.create();
      try {
        const k = await Kernels.load();
        const onGpu = await seal(k, gpu, c.air, c.input);
        const onCpu = await seal(k, cpu, c.air, c.input);
        expect([...onGpu.keys()].sort()).toEqual([...onCpu.keys()].sort());
        for (const [path, bytes] of onGpu)
          if (path !== 'capsule.json') expect(Buffer.from(bytes).equals(Buffer.from(onCpu.get(path)!)), path).toBe(true);
        const [g, cc] = [onGpu, onCpu].map((d) => JSON.parse(new TextDecoder().decode(d.get('capsule.json'))) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
        expect(g!['statement_hash']).toBe(cc!['statement_hash']);
        expect(Object.values(g!['proofs'] as object)[0].backend.requested).toBe('gpu');
        for (const dir of [onGpu, onCpu]) {
          const r = await verifyCapsule(k, dir.get('capsule.json')!, files(dir));
          expect(r.status, r.message).toBe('accepted');
        }
        // The GPU capsule under another statement (public input edited, every hash recomputed) is rejected.
        const pi = g!['statement']['public_inputs'];
        pi[c.claim] = `${pi[c.claim].slice(0, -1)}${pi[c.claim].endsWith('1') ? '2' : '1'}`;
        g!['statement_hash'] = (await import('../src/capsule/spec.js')).jcsHash(g!['statement']);
        g!['capsule_hash'] = capsuleHash(g!);
        const tampered = new Map(onGpu).set('capsule.json', new TextEncoder().encode(JSON.stringify(g)));
        const r = await verifyCapsule(k, tampered.get('capsule.json')!, files(tampered));
        expect(r.status).toBe('rejected');
        expect(r.code).toBe('E054_PROOF_INVALID');
      } finally {
        await Promise.all([gpu.destroy(), cpu.destroy()]);
      }
    }, 300_000);
});
