import { type Kysely, sql } from 'kysely';

// Frozen once shipped. An approved extension or plan replaces a loan's schedule: repayments up to
// `schedule_after_seq` were settled against the old one and no longer count against the new one.
// At most one request per loan may be pending (a partial unique index, so two submits cannot race).

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  // The step existing data can refuse comes first: SQLite does not roll DDL back, so a failure
  // must leave nothing half-applied.
  await db.schema
    .createIndex('requests_one_pending')
    .on('requests')
    .column('loan_id')
    .unique()
    .where(sql<boolean>`status = 'pending'`)
    .execute();
  await db.schema.alterTable('loans').addColumn('schedule_after_seq', 'integer').execute();
  await db.schema.alterTable('requests').addColumn('quote', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('requests_one_pending').execute();
  await db.schema.alterTable('requests').dropColumn('quote').execute();
  await db.schema.alterTable('loans').dropColumn('schedule_after_seq').execute();
}
