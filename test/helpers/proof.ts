// A small GEOM proof input at the test options, and its proof on the CPU backend as bytes: the
// reference the scheduler's fallback tests (test/ and gpu-tests/) compare every proof with.
import { AIRS, geomTrace } from '../../src/airs/index.js';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.js';
import { encodeProof } from '../../src/stark/codec.js';
import { TEST_OPTIONS_INSECURE } from '../../src/stark/options.js';
import { prove, type ProveInput } from '../../src/prover/prover.js';
import { Kernels } from '../../src/wasm/kernels.js';

/** GEOM_AIR_V1 over 2^logN rows, under a statement hash of 32 `fill` bytes, at TEST_OPTIONS_INSECURE. */
export function geomProofInput(logN: number, fill: number): ProveInput & { statementHash: Uint8Array } {
  const { trace, publicInputs } = geomTrace(logN);
  const entry = AIRS.geom_air_v1;
  return {
    air: entry.air(publicInputs), trace, statementHash: new Uint8Array(32).fill(fill), publicInputs: entry.encode(publicInputs), options: TEST_OPTIONS_INSECURE,
  };
}

/** The encoded proof of `input` on a fresh CPU backend. */
export async function cpuProofBytes(input: ProveInput): Promise<Buffer> {
  const cpu = await CpuBackend.create();
  try {
    return Buffer.from(encodeProof((await prove(await Kernels.load(), cpu, input)).proof));
  } finally {
    await cpu.destroy();
  }
}
