import type { Kysely } from 'kysely';

// Frozen once shipped. The console shows the last changes to one lender's settings (and the keys
// page its keys' history): the audit log by subject, newest first, without reading the whole log.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_log_subject_at').on('audit_log').columns(['subject', 'at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_subject_at').ifExists().execute();
}
