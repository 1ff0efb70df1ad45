import { spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { cliConfig } from '../src/cli/config.ts';
import { openDatabase, shareConnection } from '../src/db/connection.ts';
import { superviseWorkers, webConcurrency } from '../src/server/workers.ts';
import { startHousekeeping } from '../src/services/housekeeping.ts';
import { startReminderSchedule } from '../src/services/scheduler.ts';
import { createProvider } from '../src/sms/select.ts';

/**
 * `npm start`: build if there is no build yet, apply migrations, then serve (no demo data) with
 * WEB_CONCURRENCY workers (default: one per core). The primary process serves nothing itself:
 * it replaces a worker that dies, keeps the per-client budgets every worker spends from (on
 * SQLite; PostgreSQL keeps them in the database), deletes spent one-time codes and ended sessions
 * every hour and — when REMINDER_SCHEDULE_MINUTES is set — runs the reminder cycle, once for all
 * workers. With WEB_CONCURRENCY=1 everything runs in this one process.
 * SIGTERM (or SIGINT) drains: no new connections, in-flight requests finish, then exit.
 */
const config = cliConfig();

if (cluster.isWorker) {
  // One connection per process for the site (see shareConnection), then the server.
  shareConnection(openDatabase(config.databaseUrl));
  await import('./serve.ts');
} else {
  const run = (args: string[]) => {
    const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  };
  if (!existsSync('dist/server/entry.mjs')) run(['node_modules/astro/bin/astro.mjs', 'build']);
  run(['src/cli/main.ts', 'migrate']);

  const workers = webConcurrency(process.env.WEB_CONCURRENCY);
  // JSON lines like the request log's, at or above LOG_LEVEL (the demo keeps its terminal quiet).
  const levels = ['debug', 'info', 'warn', 'error', 'fatal'];
  const threshold = levels.indexOf(process.env.LOG_LEVEL ?? 'info');
  const log = (line: Record<string, unknown>) => {
    const level = typeof line.level === 'string' ? line.level : 'info';
    if (process.env.LOG_LEVEL === 'silent' || levels.indexOf(level) < threshold) return;
    console.log(JSON.stringify({ time: new Date().toISOString(), level, ...line }));
  };
  // The schedule and the purge run here; with one worker, so does the site, on the same
  // connection (two SQLite connections in one process can stall each other: see shareConnection).
  const connection = openDatabase(config.databaseUrl);
  if (workers === 1) {
    shareConnection(connection);
    await import('./serve.ts');
  } else {
    superviseWorkers(workers, { onStopped: () => void connection.close(), log });
  }

  startHousekeeping(connection, 60, (result) =>
    log(
      result.skipped
        ? { level: 'info', msg: 'purge left to another instance' }
        : result.error
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
        const line = result.skipped
          ? { level: 'info', msg: 'reminder cycle left to another instance' }
          : result.error
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
    log({ msg: `reminder cycle every ${config.reminderScheduleMinutes} min (REMINDER_SCHEDULE_MINUTES)` });
  }
}
