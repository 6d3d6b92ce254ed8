/**
 * Worker-thread entry (Node): times verification of one proof in a fresh worker (./verify-timing.ts).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kernels } from '../wasm/kernels.js';
import type { VerifyJob } from './runner.js';
import { timeVerification } from './verify-timing.js';

parentPort!.postMessage(timeVerification(await Kernels.load(), workerData as VerifyJob));
