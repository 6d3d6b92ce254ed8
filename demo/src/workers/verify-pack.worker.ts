// Verifies a capsulepack in a Worker with the same code as `capseal bench verify` and the server:
// readPackArchive (the hostile-archive checks) then verifyPack, posting each check as it runs, then the
// report and the time it took.
import '../zod-csp.js';
import { verifyPack, type PackCheck, type PackReport } from '../../../src/capsulebench/contract.js';
import { archiveRejection, PackArchiveError, readPackArchive } from '../../../src/capsulebench/pack-archive.js';
import { Kernels } from '../../../src/wasm/kernels.js';

export type VerifyPackMessage = { kind: 'check'; check: PackCheck } | { kind: 'done'; report: PackReport; ms: number } | { kind: 'error'; message: string };

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<Uint8Array>) => void) | null; postMessage(m: VerifyPackMessage): void };
scope.onmessage = async (e) => {
  try {
    const k = await Kernels.load();
    const t0 = performance.now();
    let report: PackReport;
    try {
      const files = await readPackArchive(e.data);
      report = await verifyPack(k, files, { onCheck: (check) => scope.postMessage({ kind: 'check', check }) });
    } catch (err) {
      if (!(err instanceof PackArchiveError)) throw err;
      report = archiveRejection(err);
      scope.postMessage({ kind: 'check', check: report.checks[0]! });
    }
    scope.postMessage({ kind: 'done', report, ms: performance.now() - t0 });
  } catch (err) {
    scope.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
