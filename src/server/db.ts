/**
 * The server's database (README.md "Leaderboard server"): PostgreSQL through `pg`, or PGlite embedded in this
 * process (the default: one command, nothing installed). Both sit behind one small interface, so the
 * schema, the queries and pg-boss run unchanged on either. PGlite is one connection in this process:
 * it serializes statements itself, and a transaction holds it until done.
 *
 * @module
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Rows<T> {
  rows: T[];
  /** Rows a statement changed (INSERT, UPDATE, DELETE). */
  count: number;
}

/** What runs a statement: the database, or a transaction on it. */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Rows<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `body` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(body: (q: Queryable) => Promise<T>): Promise<T>;
  /** pg-boss' view of the database: statements with parameters, or scripts of several without. */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
}

/** int8 (bigint) columns as numbers when exact, else as decimal strings: the same on both databases. */
const INT8_OID = 20;
const parseInt8 = (v: string): number | string => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
};

const rowsOf = <T>(r: { rows: unknown[]; affectedRows?: number; rowCount?: number | null }): Rows<T> =>
  ({ rows: r.rows as T[], count: r.affectedRows ?? r.rowCount ?? 0 });

/** An embedded database in `dir` (created if needed), or in memory when `dir` is undefined. */
export async function openPglite(dir?: string): Promise<Db> {
  const options = { parsers: { [INT8_OID]: parseInt8 } };
  const db = dir === undefined ? new PGlite(options) : new PGlite(dir, options);
  await db.waitReady;
  return {
    kind: 'pglite',
    query: async (text, params) => rowsOf(await db.query(text, params as unknown[] | undefined)),
    transaction: (body) => db.transaction((tx) => body({ query: async (text, params) => rowsOf(await tx.query(text, params as unknown[] | undefined)) })),
    async executeSql(text, values) {
      if (values?.length) return db.query(text, values);
      const results = await db.exec(text);
      return results[results.length - 1] ?? { rows: [] };
    },
    close: () => db.close(),
  };
}

/** PostgreSQL at `url` (postgres://…), through a pool of `max` connections. */
export async function openPostgres(url: string, max = 10): Promise<Db> {
  const types = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser };
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'capseal', types });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  await pool.query('SELECT 1'); // fail now, with the reason, if the database cannot be reached
  return {
    kind: 'postgres',
    query: async (text, params) => rowsOf(await pool.query(text, params as unknown[] | undefined)),
    async transaction(body) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await body({ query: async (text, params) => rowsOf(await client.query(text, params as unknown[] | undefined)) });
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    executeSql: (text, values) => pool.query(text, values),
    close: () => pool.end(),
  };
}

/** `postgres://…` or `postgresql://…`: what --db accepts. */
export const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\/./.test(s);
