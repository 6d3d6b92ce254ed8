/**
 * What the server takes from any one client or run before it refuses (README.md "Leaderboard server": hostile
 * traffic gets a clear error and changes nothing but a record). GET /api/health shows them.
 *
 * @module
 */
import { MAX_EVENTS } from '../capsulebench/events.js';

export interface Limits {
  /** The largest pack accepted, in bytes. */
  maxPackBytes: number;
  /** Uploads received at once, in all and from one address. */
  maxConcurrentUploads: number;
  maxUploadsPerAddress: number;
  /** A sender idle this long is cut (408); an upload taking longer than uploadMaxMs in all, too. */
  uploadIdleMs: number;
  uploadMaxMs: number;
  /** Submissions waiting for a verifier before new ones get 503. */
  maxQueued: number;
  live: {
    maxEventBytes: number;
    /** Per run: this many events per second, after a burst of five seconds' worth. */
    maxEventsPerSecond: number;
    /** Per run: events, and their bytes in all (a stream can never match a pack past these). */
    maxEvents: number;
    maxStreamBytes: number;
    maxViewers: number;
    /** Runs registered for a live stream in the last day and not yet on the board. */
    maxPendingRuns: number;
  };
}

export const DEFAULT_LIMITS: Limits = {
  // A full row archive (the shipped policy's cap: 64 MiB of chunks, which do not compress) with its proofs, manifests and logs.
  maxPackBytes: 96 * 2 ** 20,
  maxConcurrentUploads: 8,
  maxUploadsPerAddress: 2,
  uploadIdleMs: 30_000,
  uploadMaxMs: 10 * 60_000,
  maxQueued: 1000,
  live: { maxEventBytes: 256 * 1024, maxEventsPerSecond: 200, maxEvents: MAX_EVENTS, maxStreamBytes: 64 * 2 ** 20, maxViewers: 100, maxPendingRuns: 1000 },
};
