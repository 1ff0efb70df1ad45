import type { Kysely } from 'kysely';

// Frozen once shipped. The reminder planner pages through a lender's loans in id order;
// without this index each page re-sorted the lender's loans (quadratic in their number).

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('loans_lender_id_page').on('loans').columns(['lender_id', 'id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('loans_lender_id_page').ifExists().execute();
}
