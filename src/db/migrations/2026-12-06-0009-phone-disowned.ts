import type { Kysely } from 'kysely';

// Frozen once shipped. `phone_numbers.disowned_at`: when the borrower, changing their number,
// said this one is no longer theirs while a lender they did not give the new number to still
// holds it. Such a number stays that lender's current number (the lender learns nothing new), but
// nobody signs in with it for that record and no reminder goes to it.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('phone_numbers').addColumn('disowned_at', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('phone_numbers').dropColumn('disowned_at').execute();
}
