import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SqliteDialect expects better-sqlite3's shape; node:sqlite differs in two ways:
 * StatementSync takes spread parameters, and it has no `reader` flag (a statement that
 * returns columns is a reading one).
 */
export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare: (sql: string): SqliteStatement => wrap(database.prepare(sql)),
  };
}

function wrap(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  return {
    reader,
    all: (parameters) => statement.all(...(parameters as SqlParameter[])),
    run: (parameters) => statement.run(...(parameters as SqlParameter[])),
    iterate: (parameters) => statement.iterate(...(parameters as SqlParameter[])),
  };
}

type SqlParameter = null | number | bigint | string | Uint8Array;

/** Opens the file with the settings every connection needs: WAL, foreign keys, a busy timeout. */
export function openSqliteFile(path: string): DatabaseSync {
  const database = new DatabaseSync(path);
  database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA foreign_keys = ON');
  database.exec('PRAGMA busy_timeout = 5000');
  database.exec('PRAGMA synchronous = NORMAL');
  return database;
}
