// Boots a CPU worker entry from TypeScript sources (tests, tsx): registers tsx's loader in this worker
// thread, then imports the entry named in workerData (./node.ts passes it). Built code (dist/) starts
// its .js entry directly and never loads this.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
