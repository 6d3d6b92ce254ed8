/**
 * The check runner both verifiers share (the capsule's, ./verify.ts, and the pack contract's,
 * ../capsulebench/contract.ts): named checks run in order, each recorded with its verdict and code;
 * the first failure ends the run with one stable code. A check throws a Rejection to fail with a
 * code; anything else it throws (a hostile input tripping a parser) fails it with the check's
 * fallback code, so a verifier never throws.
 *
 * @module
 */
import { parseCanonicalBytes } from '../json/canonical-json.js';

export class Rejection<C extends string = string> extends Error {
  constructor(readonly code: C, message: string) {
    super(message);
  }
}

export function must<C extends string>(cond: unknown, code: C, message: string): asserts cond {
  if (!cond) throw new Rejection(code, message);
}

/** A check that ran: its name (and, for the pack contract, the contract step), verdict and code. */
export interface RecordedCheck<C extends string = string> {
  id?: string;
  name: string;
  ok: boolean;
  code: C | null;
}

export class Checks<C extends string> {
  readonly records: RecordedCheck<C>[] = [];

  /**
   * `describe` words the message of an unexpected error (the capsule verifier prefixes "malformed
   * capsule"); `onRecord` is told of each check as it is recorded (a page shows them as they run).
   */
  constructor(private readonly describe: (message: string) => string = (m) => m, private readonly onRecord?: (r: RecordedCheck<C>) => void) {}

  record(...rs: RecordedCheck<C>[]): void {
    for (const r of rs) {
      this.records.push(r);
      this.onRecord?.(r);
    }
  }

  async run<T>(check: { id?: string; name: string }, fallback: C, fn: () => T | Promise<T>): Promise<T> {
    try {
      const v = await fn();
      this.record({ ...check, ok: true, code: null });
      return v;
    } catch (e) {
      const r = e instanceof Rejection ? (e as Rejection<C>) : new Rejection(fallback, this.describe(e instanceof Error ? e.message : String(e)));
      this.record({ ...check, ok: false, code: r.code });
      throw r;
    }
  }
}

/** Strict JSON from bytes (UTF-8, no duplicate keys), or a rejection with `code` naming `what`. */
export function parseJsonOrReject<C extends string>(bytes: Uint8Array, what: string, code: C): unknown {
  try {
    return parseCanonicalBytes(bytes);
  } catch (e) {
    throw new Rejection(code, `${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** zod issues as one line: the first five, each "path: message". */
export const issuesText = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): string =>
  issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
