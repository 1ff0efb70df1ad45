import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';

/**
 * Pages decide at the server's real now, so a test of a reminder sent by hand must not depend on
 * the hour it runs. The borrower's own time zone is data: giving a borrower a zone where it is
 * now `hour` o'clock (a whole-hour `Etc/GMT` zone) makes the contact window open (12) or closed
 * (3) whenever the test runs, and moving their earlier reminders in time decides the caps.
 */
export function zoneWhereItIs(hour: number, now = new Date()): string {
  let offset = (((hour - now.getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  // Etc/GMT zones are named with the sign reversed: Etc/GMT-8 is UTC+8.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/**
 * Puts a demo borrower at `hour` o'clock local time now, and their reminders so far either a
 * minute ago (today's reminder already sent: the daily cap applies) or eight days ago (no cap).
 */
export async function setCaseClock(
  db: Kysely<Database>,
  lenderSlug: string,
  borrower: string,
  options: { hour: number; remindedToday: boolean; now?: Date },
): Promise<void> {
  const now = options.now ?? new Date();
  const row = await db
    .selectFrom('borrowers')
    .innerJoin('lenders', 'lenders.id', 'borrowers.lender_id')
    .select('borrowers.id')
    .where('lenders.slug', '=', lenderSlug)
    .where('borrowers.external_id', '=', borrower)
    .executeTakeFirstOrThrow();
  await db
    .updateTable('borrowers')
    .set({ time_zone: zoneWhereItIs(options.hour, now) })
    .where('id', '=', row.id)
    .execute();
  const at = new Date(now.getTime() - (options.remindedToday ? 60_000 : 8 * 86_400_000)).toISOString();
  await db.updateTable('messages').set({ created_at: at }).where('borrower_id', '=', row.id).execute();
}
