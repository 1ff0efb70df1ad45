import type { Kysely } from 'kysely';

// Frozen once shipped. Support staff may withdraw a mistaken confirmation of one reported domain or
// number: the withdrawal is kept (who, when, why, for which lender's reports), and the report items
// it withdrew point at it, so a later report of the same item counts afresh and nothing is deleted.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scam_item_withdrawals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    // The lender whose reports it withdrew (staff limited to one lender); null: every lender's.
    .addColumn('lender_id', 'text', (c) => c.references('lenders.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff_users.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reports', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('scam_item_withdrawals_created')
    .on('scam_item_withdrawals')
    .column('created_at')
    .execute();
  await db.schema
    .alterTable('scam_report_items')
    .addColumn('withdrawal_id', 'text', (c) => c.references('scam_item_withdrawals.id'))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scam_report_items').dropColumn('withdrawal_id').execute();
  await db.schema.dropTable('scam_item_withdrawals').execute();
}
