/**
 * Web Worker entry of the CPU backend serving the Backend operations only (./browser.ts).
 *
 * @module
 */
import { BACKEND_JOBS } from './jobs.js';
import { serveBrowserJobs } from './serve-browser.js';

serveBrowserJobs(BACKEND_JOBS);
