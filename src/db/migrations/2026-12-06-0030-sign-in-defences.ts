import type { Kysely } from 'kysely';

// Frozen once shipped. What keeps a stranger from locking someone out of signing in:
// - `recognised_devices`: a browser that signed in before (the hash of its long-lived cookie,
//   bound to the borrower's number or the staff account), so its owner keeps a budget of its own;
// - `one_time_codes.device_hash`: the recognised device a code was asked from (null: anyone else),
//   so strangers' codes and failures stay apart from the owner's;
// - `staff_sign_in_failures`: failed passwords per e-mail and source (an address or a device), so
//   failures from one address do not lock the account for everyone;
// - an index to list the sign-in lockouts of the last day for operators.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('one_time_codes').addColumn('device_hash', 'text').execute();
  await db.schema
    .createTable('recognised_devices')
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recognised_devices_pk', ['token_hash', 'subject_kind', 'subject_id'])
    .execute();
  await db.schema.createIndex('recognised_devices_seen').on('recognised_devices').column('last_seen_at').execute();
  await db.schema
    .createTable('staff_sign_in_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('staff_sign_in_failures_email_at')
    .on('staff_sign_in_failures')
    .columns(['email', 'at'])
    .execute();
  await db.schema.createIndex('audit_log_action_at').on('audit_log').columns(['action', 'at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_action_at').ifExists().execute();
  await db.schema.dropTable('staff_sign_in_failures').execute();
  await db.schema.dropTable('recognised_devices').execute();
  await db.schema.alterTable('one_time_codes').dropColumn('device_hash').execute();
}
