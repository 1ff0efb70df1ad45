import { type Kysely, sql } from 'kysely';

// Frozen once shipped. An outbox row belongs to exactly one message, so the message id is its
// key; the separate id and idempotency key (both always equal to the message's) cost two
// unique indexes on every queued reminder. Rebuilt rather than altered: SQLite cannot drop a
// unique constraint in place.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox_next')
    .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into outbox_next (message_id, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at)
    select message_id, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at from outbox`.execute(
    db,
  );
  await db.schema.dropIndex('outbox_due').ifExists().execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.alterTable('outbox_next').renameTo('outbox').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox_previous')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().unique().references('messages.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into outbox_previous (id, message_id, idempotency_key, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at)
    select message_id, message_id, message_id, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at from outbox`.execute(
    db,
  );
  await db.schema.dropIndex('outbox_due').ifExists().execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.alterTable('outbox_previous').renameTo('outbox').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
}
