import { type Kysely, sql } from 'kysely';

// Frozen once shipped. `code_locks`: one row per number range, locked (a no-op upsert) while a
// code is issued, so parallel requests cannot each see the budget unspent. And a borrower has at
// most one current number, whatever races (a lender's update against a borrower's change).

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  // The step existing data can refuse comes first: SQLite does not roll DDL back.
  await db.schema
    .createIndex('phone_numbers_one_current')
    .on('phone_numbers')
    .column('borrower_id')
    .unique()
    .where(sql<boolean>`is_current = 1`)
    .execute();
  await db.schema
    .createTable('code_locks')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('phone_numbers_one_current').execute();
  await db.schema.dropTable('code_locks').execute();
}
