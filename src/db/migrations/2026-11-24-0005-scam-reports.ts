import type { Kysely } from 'kysely';

// Frozen once shipped. Support staff record scam messages as reports; each report's suspicious
// domains and numbers are kept as items, so takedown lists are one grouped query.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scam_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff_users.id'))
    .addColumn('lender_id', 'text', (c) => c.references('lenders.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('risk', 'text', (c) => c.notNull())
    .addColumn('signs', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scam_reports_created').on('scam_reports').column('created_at').execute();

  await db.schema
    .createTable('scam_report_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull().references('scam_reports.id'))
    .addColumn('lender_id', 'text', (c) => c.references('lenders.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scam_report_items_value').on('scam_report_items').columns(['kind', 'value']).execute();
  await db.schema.createIndex('scam_report_items_report').on('scam_report_items').column('report_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scam_report_items').execute();
  await db.schema.dropTable('scam_reports').execute();
}
