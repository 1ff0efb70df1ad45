import type { Kysely } from 'kysely';

// Frozen once shipped. Indexes the effect report reads through:
// - inbound_messages by the reminder they answer (replies and opt-outs per message);
// - messages by loan (the comparison group leaves out a held-back loan reminded later that day,
//   and repayments are attributed to a loan's latest delivered reminder).

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('inbound_messages_message').on('inbound_messages').column('message_id').execute();
  await db.schema.createIndex('messages_loan_created').on('messages').columns(['loan_id', 'created_at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_loan_created').execute();
  await db.schema.dropIndex('inbound_messages_message').execute();
}
