/**
 * Node worker-thread entry of the CPU backend serving the Backend operations only.
 *
 * @module
 */
import { BACKEND_JOBS } from './jobs.js';
import { serveNodeJobs } from './serve-node.js';

serveNodeJobs(BACKEND_JOBS);
