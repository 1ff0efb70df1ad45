import type { Kysely } from 'kysely';

// Frozen once shipped. `rate_limits`: the per-client budgets shared by every app process on one
// PostgreSQL database (rate-limiter-flexible's table layout: key, points, expire in epoch ms;
// the column order matters to its upsert). SQLite runs one process and keeps budgets in memory,
// so the table stays empty there.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
