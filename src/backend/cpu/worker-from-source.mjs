// Boots the CPU worker from TypeScript sources (tests, tsx): registers tsx's loader in this worker
// thread, then runs worker.ts. Built code (dist/) starts worker.js directly and never loads this.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
