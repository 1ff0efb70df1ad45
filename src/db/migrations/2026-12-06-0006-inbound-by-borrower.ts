import type { Kysely } from 'kysely';

// Frozen once shipped. A borrower's case page lists that borrower's replies: an index by borrower
// (newest first) so it does not scan every lender's inbound messages.

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
