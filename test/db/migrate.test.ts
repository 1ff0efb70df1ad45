import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest, migrations } from '../../src/db/migrate.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

// Several schemas on one PostgreSQL server (every test run has its own): migrating a fresh one
// must not be fooled by another schema's migration tables.

announcePostgresSkip();

describe.runIf(dialects.includes('postgres'))('migrations on a PostgreSQL server shared by schemas', () => {
  const admin = () => openDatabase(process.env.TEST_DATABASE_URL?.trim() ?? '');
  const fresh = `zx_test_${randomBytes(6).toString('hex')}`;
  let other: TestDatabase | undefined;

  afterAll(async () => {
    await other?.connection.close();
    const db = admin();
    await sql`drop schema if exists ${sql.id(fresh)} cascade`.execute(db.db);
    await db.close();
  });

  it('keeps its own migration tables in its own schema, whatever other schemas hold', async () => {
    other = await createTestDatabase('postgres'); // a schema already migrated, tables and all
    const db = admin();
    await sql`create schema ${sql.id(fresh)}`.execute(db.db);
    await db.close();
    const base = process.env.TEST_DATABASE_URL?.trim() ?? '';
    const connection = openDatabase(`${base}${base.includes('?') ? '&' : '?'}schema=${fresh}`);
    try {
      const result = await migrateToLatest(connection.db);
      expect(result.results?.map((r) => r.status)).toEqual(Object.keys(migrations).map(() => 'Success'));
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = ${fresh} and table_name in ('kysely_migration', 'kysely_migration_lock', 'lenders')
        order by table_name`.execute(connection.db);
      expect(tables.rows.map((r) => r.table_name)).toEqual(['kysely_migration', 'kysely_migration_lock', 'lenders']);
      // and a second run finds them there: nothing left to do
      expect((await migrateToLatest(connection.db)).results).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
