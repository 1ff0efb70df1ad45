import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliConfig } from '../src/cli/config.ts';
import { openDatabase, shareConnection } from '../src/db/connection.ts';
import { startHousekeeping } from '../src/services/housekeeping.ts';
import { startReminderSchedule } from '../src/services/scheduler.ts';
import { createProvider } from '../src/sms/select.ts';

/**
 * `npm start`: build if there is no build yet, apply migrations, serve (no demo data), delete
 * spent one-time codes and ended sessions every hour, and — when REMINDER_SCHEDULE_MINUTES is
 * set — run the reminder cycle on that schedule.
 */
const config = cliConfig();
const run = (args: string[]) => {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('dist/server/entry.mjs')) run(['node_modules/astro/bin/astro.mjs', 'build']);
run(['src/cli/main.ts', 'migrate']);
// One connection for the site, the schedule and the purge (see shareConnection).
const connection = openDatabase(config.databaseUrl);
shareConnection(connection);
await import('./serve.ts');

const log = (line: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), ...line }));
startHousekeeping(connection.db, 60, (result) =>
  log(
    result.error
      ? { level: 'error', msg: 'purge failed', error: String(result.error) }
      : { level: 'info', msg: 'purged', ...result.purged },
  ),
);

if (config.reminderScheduleMinutes > 0) {
  startReminderSchedule(
    connection,
    createProvider(config.sms, connection.db),
    config.reminderScheduleMinutes,
    (result) => {
      const line = result.error
        ? { level: 'error', msg: 'scheduled reminder cycle failed', error: String(result.error) }
        : {
            level: 'info',
            msg: 'reminder cycle',
            loans: result.cycle?.loans,
            queued: result.cycle?.queued,
            dispatch: result.dispatch,
          };
      log(line);
    },
  );
  console.log(`reminder cycle every ${config.reminderScheduleMinutes} min (REMINDER_SCHEDULE_MINUTES)`);
}
