import { PUBLIC_CHECKS_PER_MINUTE } from 'astro:env/server';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { errorResponse } from './api.ts';
import { connection } from './context.ts';
import { type Budget, createLimiters, type Limiters } from './rate-limiters.ts';

export type { Budget };

/**
 * The server's budgets (see rate-limiters.ts): shared by every process through the database on
 * PostgreSQL, in this process's memory on SQLite. Made once, on first use.
 */
let ready: Promise<Limiters> | undefined;

function limiters(): Promise<Limiters> {
  ready ??= connection()
    .then((c) => createLimiters({ checksPerMinute: checksPerMinute(), pool: c.pool }))
    .catch((error: unknown) => {
      ready = undefined; // the next request tries again
      throw error;
    });
  return ready;
}

/** Public checks allowed per client address per minute (POST /api/v1/verify, /verify, /r/<token>). */
export function checksPerMinute(): number {
  return PUBLIC_CHECKS_PER_MINUTE ?? 30;
}

/** Spends one point; the seconds to wait when the key is over budget, else null. */
export async function secondsUntilAllowed(budget: Budget, key: string): Promise<number | null> {
  try {
    await (await limiters())[budget].consume(key);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
  }
}

/** Forgets a key's spent points (a successful sign-in clears the e-mail's failures). */
export async function resetBudget(budget: Budget, key: string): Promise<void> {
  await (await limiters())[budget].delete(key);
}

/** Spends one point; returns a 429 answer when the client is over budget, else null. */
export async function overBudget(budget: Budget, client: string | null, json: boolean): Promise<Response | null> {
  const wait = await secondsUntilAllowed(budget, client ?? 'unknown');
  if (wait === null) return null;
  const retryAfter = String(wait);
  if (json) {
    return errorResponse(
      429,
      'rate_limited',
      `Too many checks from this address; try again in ${retryAfter} s.`,
      {},
      { 'retry-after': retryAfter },
    );
  }
  return new Response(null, { status: 429, headers: { 'retry-after': retryAfter } });
}
