// Boots the verification worker from TypeScript sources (tests, tsx): registers tsx's loader in this
// worker thread, then runs verify-worker-node.ts. Built code (dist/) starts the .js directly.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker-node.ts');
