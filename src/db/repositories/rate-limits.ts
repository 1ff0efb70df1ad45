import type { Db } from './lenders.ts';

/** Deletes budgets whose window has passed (rows of rate-limiter-flexible's PostgreSQL store). */
export async function purgeExpiredRateLimits(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('expire', '<', now.getTime()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
