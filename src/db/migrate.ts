import { type DatabaseIntrospector, type Kysely, PostgresAdapter, sql } from 'kysely';
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
import * as lenderConsole from './migrations/2026-12-06-0001-lender-console.ts';
import * as auditBySubject from './migrations/2026-12-06-0002-audit-by-subject.ts';
import * as importFiles from './migrations/2026-12-06-0005-import-files.ts';
import * as inboundByBorrower from './migrations/2026-12-06-0006-inbound-by-borrower.ts';
import * as effectReport from './migrations/2026-12-06-0007-effect-report.ts';
import * as reportItemTags from './migrations/2026-12-06-0008-report-item-tags.ts';
import * as phoneDisowned from './migrations/2026-12-06-0009-phone-disowned.ts';
import * as signInDefences from './migrations/2026-12-06-0030-sign-in-defences.ts';
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
  '2026-12-06-0001-lender-console': lenderConsole,
  '2026-12-06-0002-audit-by-subject': auditBySubject,
  '2026-12-06-0005-import-files': importFiles,
  '2026-12-06-0006-inbound-by-borrower': inboundByBorrower,
  '2026-12-06-0007-effect-report': effectReport,
  '2026-12-06-0008-report-item-tags': reportItemTags,
  '2026-12-06-0009-phone-disowned': phoneDisowned,
  '2026-12-06-0030-sign-in-defences': signInDefences,
};

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const schema = await postgresSchema(db);
  const migrator = new Migrator({
    db: schema ? withScopedIntrospection(db, schema) : db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/**
 * On PostgreSQL, the schema the connection works in (its search path). Several schemas may share
 * one server (a `?schema=` deployment beside another, every test run's own): the migrator's
 * tables are kept in this one, named explicitly, or Kysely takes another schema's for its own,
 * skips creating its lock table and then fails to find it.
 */
async function postgresSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * The migrator asks whether its schema and tables exist through Kysely's introspection, which on
 * PostgreSQL reads every schema on the server and calls functions that resolve each one by name:
 * a schema another process drops meanwhile made the whole migration fail ('schema "…" does not
 * exist'). Here it looks at its own schema only, by catalog ids.
 */
function withScopedIntrospection(db: Kysely<Database>, schema: string): Kysely<Database> {
  const introspection: DatabaseIntrospector = {
    async getSchemas() {
      const { rows } = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows;
    },
    async getTables() {
      const { rows } = await sql<{ name: string; isView: boolean }>`
        select c.relname as name, c.relkind = 'v' as "isView"
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v')`.execute(db);
      return rows.map((row) => ({ ...row, schema, isForeign: false, columns: [] }));
    },
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property, target);
      // Kysely keeps its state in private fields: methods must run on the real instance.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
