import type { Kysely } from 'kysely';

// Frozen once shipped. One-time codes remember the address that asked and the number's prefix,
// so send budgets per address and per number range (SMS pumping) are counted in the database,
// shared by every app process.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('one_time_codes').addColumn('ip', 'text').execute();
  await db.schema.alterTable('one_time_codes').addColumn('number_prefix', 'text').execute();
  await db.schema.createIndex('one_time_codes_ip').on('one_time_codes').columns(['ip', 'created_at']).execute();
  await db.schema
    .createIndex('one_time_codes_prefix')
    .on('one_time_codes')
    .columns(['number_prefix', 'created_at'])
    .execute();
  await db.schema
    .createIndex('one_time_codes_created')
    .on('one_time_codes')
    .columns(['phone_e164', 'created_at'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['one_time_codes_created', 'one_time_codes_prefix', 'one_time_codes_ip']) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.alterTable('one_time_codes').dropColumn('number_prefix').execute();
  await db.schema.alterTable('one_time_codes').dropColumn('ip').execute();
}
