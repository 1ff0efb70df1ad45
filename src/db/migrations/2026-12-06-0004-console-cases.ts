import type { Kysely } from 'kysely';

// Frozen once shipped. The case page lists one borrower's replies, newest first: without this
// index that meant reading every reply of the lender.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('inbound_messages_borrower_received')
    .on('inbound_messages')
    .columns(['borrower_id', 'received_at'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('inbound_messages_borrower_received').execute();
}
