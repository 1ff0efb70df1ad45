import type { Kysely } from 'kysely';

// Frozen once shipped. Each reported domain and number keeps its own tags (a number is a fake
// hotline, a domain a look-alike link), instead of inheriting every tag of the report that named
// it. Existing items get their report's tags that fit their kind.

const FITS: Record<string, readonly string[]> = {
  domain: ['lookalike_link', 'impersonation', 'app_download', 'transfer_request', 'code_request', 'other'],
  number: ['fake_hotline', 'impersonation', 'chat_app', 'transfer_request', 'other'],
};

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('scam_report_items')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  const rows = await db
    .selectFrom('scam_report_items')
    .innerJoin('scam_reports', 'scam_reports.id', 'scam_report_items.report_id')
    .select(['scam_report_items.id as id', 'scam_report_items.kind as kind', 'scam_reports.tags as tags'])
    .execute();
  for (const row of rows) {
    const fits = FITS[row.kind as string] ?? [];
    const tags = (JSON.parse(row.tags as string) as string[]).filter((t) => fits.includes(t));
    await db
      .updateTable('scam_report_items')
      .set({ tags: JSON.stringify(tags) })
      .where('id', '=', row.id)
      .execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scam_report_items').dropColumn('tags').execute();
}
