import type { Kysely } from 'kysely';

// Frozen once shipped. A bulk import's uploaded file is kept between its preview and the
// confirmed run, in the database so any app process can run it (several processes may serve
// one PostgreSQL database): base64 pieces in order, deleted once the import is done. And the
// last time a running import recorded progress, so one whose process stopped can be told apart
// from one still running (and resumed: an import is idempotent).

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_files')
    .addColumn('import_id', 'text', (c) => c.notNull().references('imports.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_files_pk', ['import_id', 'seq'])
    .execute();
  await db.schema.alterTable('imports').addColumn('progress_at', 'text').execute();
  await db.schema.createIndex('imports_lender_created').on('imports').columns(['lender_id', 'created_at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('imports_lender_created').execute();
  await db.schema.alterTable('imports').dropColumn('progress_at').execute();
  await db.schema.dropTable('import_files').execute();
}
