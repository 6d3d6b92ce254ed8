/**
 * Web Worker entry of a CPU backend that runs the prover's jobs besides the Backend operations (the
 * page starts it: `new Worker(new URL('…/prover/cpu/worker-browser.ts', import.meta.url), { type: 'module' })`).
 *
 * @module
 */
import { serveBrowserJobs } from '../../backend/cpu/serve-browser.js';
import { PROVER_JOBS } from './jobs.js';

serveBrowserJobs(PROVER_JOBS);
