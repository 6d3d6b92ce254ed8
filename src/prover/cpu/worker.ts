/**
 * Node worker-thread entry of a CPU backend that runs the prover's jobs besides the Backend operations.
 *
 * @module
 */
import { serveNodeJobs } from '../../backend/cpu/serve-node.js';
import { PROVER_JOBS } from './jobs.js';

serveNodeJobs(PROVER_JOBS);
