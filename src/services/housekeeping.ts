import type { Kysely } from 'kysely';
import { purgeOldCodes } from '../auth/one-time-codes.ts';
import { purgeEndedSessions } from '../auth/sessions.ts';
import type { Connection } from '../db/connection.ts';
import { purgeExpiredRateLimits } from '../db/repositories/rate-limits.ts';
import type { Database } from '../db/schema.ts';
import { every, exclusively } from './scheduler.ts';

export interface PurgeReport {
  /** One-time codes deleted: older than the longest send budget needs (two days). */
  codes: number;
  /** Sessions deleted: idle for 30 minutes or past their 12 hours. */
  sessions: number;
  /** Per-client budgets whose window has passed (PostgreSQL keeps them in the database). */
  rateLimits: number;
}

/**
 * Deletes what can no longer be used and is not needed as evidence: spent and expired one-time
 * codes once no send budget counts them, ended sessions and spent rate-limit windows. The audit
 * log is never purged here.
 * Run by `npm start` every hour and by `cli purge`.
 */
export async function purgeExpired(db: Kysely<Database>, now = new Date()): Promise<PurgeReport> {
  const codes = await purgeOldCodes(db, now);
  const sessions = await purgeEndedSessions(db, now);
  const rateLimits = await purgeExpiredRateLimits(db, now);
  return { codes, sessions, rateLimits };
}

/**
 * Runs purgeExpired every `minutes` (first run after one interval), by one instance at a time
 * when several share a PostgreSQL database; returns a stop function.
 */
export function startHousekeeping(
  connection: Connection,
  minutes: number,
  report: (result: { purged?: PurgeReport; error?: unknown; skipped?: true }) => void,
): () => void {
  return every(minutes, async () => {
    try {
      const ran = await exclusively(connection, 'purge', async () => {
        report({ purged: await purgeExpired(connection.db) });
      });
      if (!ran) report({ skipped: true });
    } catch (error) {
      report({ error });
    }
  });
}
