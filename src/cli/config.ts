import { DEFAULT_DATABASE_URL } from '../db/connection.ts';
import { smsSettingsFrom } from '../sms/config.ts';

/**
 * Configuration for the CLI and the scripts that run outside Astro (the server itself reads
 * the same names through astro:env). Mirrored in .env.example.
 */
export function cliConfig(env: NodeJS.ProcessEnv = process.env) {
  const port = Number(env.PORT ?? 4321);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`PORT must be a TCP port number; got "${env.PORT}"`);
  return {
    databaseUrl: env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL,
    port,
    host: env.HOST ?? '127.0.0.1',
    sms: smsSettingsFrom(env),
    /** Minutes between reminder cycles run by `npm start` itself; 0 leaves them to the CLI or cron. */
    reminderScheduleMinutes: scheduleMinutes(env.REMINDER_SCHEDULE_MINUTES),
  };
}

function scheduleMinutes(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > 1440) {
    throw new Error(`REMINDER_SCHEDULE_MINUTES must be a number of minutes from 0 (off) to 1440; got "${value}"`);
  }
  return minutes;
}
