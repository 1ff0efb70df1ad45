import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { type Connection, openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/**
 * Every database test runs once per dialect: SQLite always, PostgreSQL when TEST_DATABASE_URL
 * is set. Each PostgreSQL run gets a schema of its own, dropped afterwards, so runs never see
 * each other's data. A skipped dialect is announced, and REQUIRE_POSTGRES=1 (CI) turns the
 * skip into a failure.
 */

export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  /** A DATABASE_URL that reaches exactly this test database (for a server or CLI process). */
  url: string;
  connection: Connection;
}

const postgresUrl = process.env.TEST_DATABASE_URL?.trim();
let announced = false;

export function announcePostgresSkip(): void {
  if (postgresUrl || announced) return;
  announced = true;
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n!! PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set.\n!! Set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run every database test on PostgreSQL too.\n${line}\n`,
  );
  if (process.env.REQUIRE_POSTGRES === '1') throw new Error('REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set');
}

export const dialects: Array<'sqlite' | 'postgres'> = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** Opens a fresh, migrated database of the dialect. `file` makes SQLite use a file (for other processes). */
export async function createTestDatabase(
  dialect: 'sqlite' | 'postgres',
  options: { file?: string } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const url = options.file ? `file:${options.file}` : 'file::memory:';
    const connection = openDatabase(url);
    await migrateToLatest(connection.db);
    return { dialect, url, connection };
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `zx_test_${randomBytes(6).toString('hex')}`;
  const admin = openDatabase(postgresUrl);
  const { sql } = await import('kysely');
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const url = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const connection = openDatabase(url);
  const close = connection.close;
  connection.close = async () => {
    await close();
    const dropper = openDatabase(postgresUrl);
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(dropper.db);
    await dropper.close();
  };
  try {
    await migrateToLatest(connection.db);
  } catch (error) {
    // a run that fails here still leaves no schema behind
    await connection.close();
    throw error;
  }
  return { dialect, url, connection };
}

/** `describe` once per dialect, with a fresh database opened before and closed (dropped) after. */
export function describeEachDialect(name: string, body: (get: () => TestDatabase) => void): void {
  announcePostgresSkip();
  for (const dialect of dialects) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(dialect);
      });
      afterAll(async () => {
        await database?.connection.close();
      });
      body(() => {
        if (!database) throw new Error('database not ready');
        return database;
      });
    });
  }
}
