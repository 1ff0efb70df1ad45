import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SqliteDialect expects better-sqlite3's shape; node:sqlite differs in two ways:
 * StatementSync takes spread parameters, and it has no `reader` flag (a statement that
 * returns columns is a reading one).
 */
export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  // Kysely prepares every query anew; the same few SQL texts repeat, so prepared statements are
  // kept (least recently used dropped first). Safe: the driver runs one statement at a time.
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (text: string): SqliteStatement => {
      // Kysely opens transactions with a deferred BEGIN. With several processes on one file
      // (npm start's workers), a transaction that reads and then writes would fail at once with
      // SQLITE_BUSY when another process wrote in between (its snapshot is stale, and waiting
      // cannot help). BEGIN IMMEDIATE takes the write lock first, waiting up to busy_timeout.
      const sql = text === 'begin' ? 'begin immediate' : text;
      // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, …) roll the transaction back by
      // themselves; Kysely's ROLLBACK would then fail with "no transaction is active" and hide
      // the cause. With no transaction left, the ROLLBACK has nothing to do.
      if (sql === 'rollback' && !database.isTransaction) return NOTHING_TO_ROLL_BACK;
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = wrap(database.prepare(sql));
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

const STATEMENT_CACHE_SIZE = 256;

const NOTHING_TO_ROLL_BACK: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

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
  // An 8 MB page cache and checkpoints every ~40 MB of WAL: bulk reminder queueing touches many
  // index pages, and fewer, larger checkpoints mean fewer fsyncs (measured in bench/reminders.ts).
  database.exec('PRAGMA cache_size = -8000');
  database.exec('PRAGMA wal_autocheckpoint = 10000');
  return database;
}
