import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instantAt } from '../../src/core/dates.ts';
import type { Connection } from '../../src/db/connection.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { startServer } from './server.ts';

/**
 * The built site on a SQLite database with the demo lender, today's reminders sent through the
 * dev outbox (texts by number in `texts`), any staff accounts asked for, and the dev SMS provider.
 */
export interface DemoSite {
  url: string;
  database: TestDatabase;
  texts: Map<string, string>;
  stop(): Promise<void>;
}

export async function startDemoSite(
  options: {
    /** Accounts to create: an agent of every lender unless a role (and lender) is given. */
    staff?: Array<[email: string, password: string, role?: 'agent' | 'lender_admin' | 'operator', lender?: string]>;
  } = {},
): Promise<DemoSite> {
  const dir = mkdtempSync(join(tmpdir(), 'zx-site-'));
  const database = await createTestDatabase('sqlite', { file: join(dir, 'app.db') });
  const { connection } = database;
  await seedDemoAndSendReminders(connection);
  const texts = new Map<string, string>();
  for (const row of await connection.db.selectFrom('dev_sms_outbox').select(['to', 'text']).execute()) {
    texts.set(row.to, row.text);
  }
  for (const [email, password, role, lender] of options.staff ?? []) {
    await createStaffUser(connection.db, email, password, new Date(), lender, role);
  }
  const server = await startServer({ DATABASE_URL: database.url, SMS_PROVIDER: 'dev' });
  return {
    url: server.url,
    database,
    texts,
    async stop() {
      await server.stop();
      await connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Seeds the demo lender at the real now and sends its reminders at 10:00 on the day the seed
 * anchored its loans to (the lender's today when it seeded, even if midnight has passed since).
 * Returns that day.
 */
export async function seedDemoAndSendReminders(connection: Connection): Promise<string> {
  const { anchorDate } = await seedDemo(connection.db);
  await runReminderCycle(connection.db, { now: instantAt(anchorDate, '10:00', 'Asia/Shanghai'), send: true });
  await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
  return anchorDate;
}
