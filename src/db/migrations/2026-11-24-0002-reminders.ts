import type { Kysely } from 'kysely';

// Frozen once shipped. The reminder engine: each reminder's once-only key, delivery receipts
// (idempotent by provider, message and status), and the development provider's outbox.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('idempotency_key', 'text').execute();
  await db.schema.alterTable('messages').addColumn('template_key', 'text').execute();
  await db.schema.alterTable('messages').addColumn('template_params', 'text').execute();
  await db.schema.alterTable('messages').addColumn('delivered_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('error', 'text').execute();
  await db.schema.createIndex('messages_idempotency_key').on('messages').column('idempotency_key').unique().execute();

  await db.schema
    .createTable('delivery_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('message_id', 'text', (c) => c.references('messages.id'))
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('delivery_receipts_once', ['provider', 'provider_message_id', 'status'])
    .execute();

  await db.schema
    .createTable('dev_sms_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Deliberately not unique: if the engine ever sent a message twice, this table would show it.
  await db.schema.createIndex('dev_sms_outbox_message').on('dev_sms_outbox').column('message_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dev_sms_outbox').ifExists().execute();
  await db.schema.dropTable('delivery_receipts').ifExists().execute();
  await db.schema.dropIndex('messages_idempotency_key').ifExists().execute();
  for (const column of ['error', 'delivered_at', 'template_params', 'template_key', 'idempotency_key']) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
}
