import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { nodeSqliteDatabase, openSqliteFile } from './sqlite-adapter.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  db: Kysely<Database>;
  dialect: Dialect;
  /** A description safe to print (no password). */
  describe: string;
  /** PostgreSQL only: the pool under `db`, for libraries that speak to pg directly (rate limits). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export const DEFAULT_DATABASE_URL = 'file:./data/app.db';

/**
 * One connection per process: `npm start` opens it, shares it here, and the site (a separate
 * bundle, hence a process-wide symbol), the reminder schedule and the hourly purge all use it.
 * With SQLite this matters: node:sqlite is synchronous, so a second connection waiting for the
 * write lock blocks the event loop that the lock holder needs to finish (a stall, then
 * SQLITE_BUSY). One connection queues transactions instead.
 */
const SHARED = Symbol.for('zhenxin.connection');

export function shareConnection(connection: Connection): void {
  (globalThis as Record<symbol, unknown>)[SHARED] = connection;
}

export function sharedConnection(): Connection | undefined {
  return (globalThis as Record<symbol, unknown>)[SHARED] as Connection | undefined;
}

export class DatabaseUrlError extends Error {}

/**
 * `DATABASE_URL` selects storage: unset or `file:<path>` is SQLite (`file::memory:` for a
 * throwaway one), `postgres://…` is PostgreSQL. A `schema` query parameter on a PostgreSQL URL
 * sets the search path, which is how tests keep to their own schema.
 */
export function openDatabase(url: string | undefined = DEFAULT_DATABASE_URL): Connection {
  const value = url?.trim() || DEFAULT_DATABASE_URL;
  if (value.startsWith('file:')) return openSqlite(value.slice('file:'.length));
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) return openPostgres(value);
  throw new DatabaseUrlError(
    `DATABASE_URL must be "file:<path>" (SQLite) or "postgres://…" (PostgreSQL); got "${value.split(':')[0]}:…"`,
  );
}

function openSqlite(path: string): Connection {
  const memory = path === ':memory:' || path === '';
  const file = memory ? ':memory:' : resolve(path);
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const database = openSqliteFile(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: nodeSqliteDatabase(database) }) });
  return { db, dialect: 'sqlite', describe: `SQLite ${file}`, close: () => db.destroy() };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function openPostgres(value: string): Connection {
  const url = new URL(value);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new DatabaseUrlError('the schema parameter must be a plain lower-case identifier');
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      // Money columns are bigint; every amount we store fits a double exactly (< 2^53).
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (text: string) => Number(text)
          : oid === NUMERIC_OID
            ? (text: string) => text
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection the server ends (a restart, a fail-over, an idle timeout) emits an error event;
  // without a listener Node would end the whole process. Idle in the pool, the pool reports it
  // here and drops it; checked out (a transaction between two queries), the client reports it to
  // its own listener, and its next query fails and discards it. The next query opens a new one.
  const lost = (error: Error) =>
    console.error(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'warn',
        msg: 'database connection lost',
        error: error.message,
      }),
    );
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}${schema ? ` (schema ${schema})` : ''}`;
  return { db, dialect: 'postgres', describe: `PostgreSQL ${where}`, pool, close: () => db.destroy() };
}
