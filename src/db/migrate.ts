import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import * as initial from './migrations/2026-11-24-0001-initial.ts';
import * as reminders from './migrations/2026-11-24-0002-reminders.ts';
import * as loanPages from './migrations/2026-11-24-0003-loan-pages.ts';
import * as outboxByMessage from './migrations/2026-11-24-0004-outbox-by-message.ts';
import * as scamReports from './migrations/2026-11-24-0005-scam-reports.ts';
import * as codeBudgets from './migrations/2026-11-24-0006-code-budgets.ts';
import * as relief from './migrations/2026-11-24-0007-relief.ts';
import * as codeLocks from './migrations/2026-11-24-0008-code-locks.ts';
import * as phoneReplacedBy from './migrations/2026-11-24-0009-phone-replaced-by.ts';
import * as rateLimits from './migrations/2026-11-24-0010-rate-limits.ts';
import * as sessionCredential from './migrations/2026-11-24-0011-session-credential.ts';
import * as scamItemWithdrawals from './migrations/2026-12-05-0001-scam-item-withdrawals.ts';
import type { Database } from './schema.ts';

/**
 * Every migration, listed by hand so the bundled server and the CLI see the same set.
 * Names are date-prefixed and sort in the order they apply.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-24-0001-initial': initial,
  '2026-11-24-0002-reminders': reminders,
  '2026-11-24-0003-loan-pages': loanPages,
  '2026-11-24-0004-outbox-by-message': outboxByMessage,
  '2026-11-24-0005-scam-reports': scamReports,
  '2026-11-24-0006-code-budgets': codeBudgets,
  '2026-11-24-0007-relief': relief,
  '2026-11-24-0008-code-locks': codeLocks,
  '2026-11-24-0009-phone-replaced-by': phoneReplacedBy,
  '2026-11-24-0010-rate-limits': rateLimits,
  '2026-11-24-0011-session-credential': sessionCredential,
  '2026-12-05-0001-scam-item-withdrawals': scamItemWithdrawals,
};

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(await migrationTableSchema(db)),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/**
 * On PostgreSQL, the schema the connection works in (its search path). Without it the migrator
 * takes a migration table in any schema of the database for its own: with two schemas migrating
 * at once (a `?schema=` deployment beside another, or parallel test runs), one skips creating its
 * lock table and then fails to find it.
 */
async function migrationTableSchema(db: Kysely<Database>): Promise<{ migrationTableSchema?: string }> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return {};
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  return schema ? { migrationTableSchema: schema } : {};
}
