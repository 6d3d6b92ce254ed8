// Boots the verification thread from TypeScript sources (tests, tsx): registers tsx's loader in this
// worker thread, then runs verify-thread.ts. Built code (dist/) starts the .js directly.
import { register } from 'tsx/esm/api';

register();
await import('./verify-thread.ts');
