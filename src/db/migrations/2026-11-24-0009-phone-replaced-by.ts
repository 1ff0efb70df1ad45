import { type Kysely, sql } from 'kysely';

// Frozen once shipped. `phone_numbers.replaced_by`: who replaced a number ('lender', 'borrower',
// 'staff'). A number the borrower replaced themselves is never put back by a lender's update.
// Earlier replacements are filled in from the row that took the number's place (same borrower,
// created at the instant the old one was replaced).

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('phone_numbers').addColumn('replaced_by', 'text').execute();
  await sql`
    update phone_numbers set replaced_by = (
      select n.source from phone_numbers n
      where n.borrower_id = phone_numbers.borrower_id and n.created_at = phone_numbers.replaced_at
      order by n.is_current desc limit 1
    )
    where replaced_at is not null
  `.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('phone_numbers').dropColumn('replaced_by').execute();
}
