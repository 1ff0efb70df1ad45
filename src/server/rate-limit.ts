import { LENDER_API_REQUESTS_PER_MINUTE, PUBLIC_CHECKS_PER_MINUTE } from 'astro:env/server';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { connection } from './context.ts';
import {
  type Budget,
  budgetSpecs,
  createLimiters,
  DEFAULT_LENDER_REQUESTS_PER_MINUTE,
  type Limiters,
} from './rate-limiters.ts';

export type { Budget };

/**
 * The server's budgets (see rate-limiters.ts): shared by every process through the database on
 * PostgreSQL, in this process's memory on SQLite. Made once, on first use.
 *
 * Every 429 the site sends says when to come back: `Retry-After`, in whole seconds, is the
 * limiter's own time left on the key (msBeforeNext), rounded up, never a fixed guess.
 */
let ready: Promise<Limiters> | undefined;

function limiters(): Promise<Limiters> {
  ready ??= connection()
    .then((c) =>
      createLimiters({
        checksPerMinute: checksPerMinute(),
        lenderRequestsPerMinute: lenderRequestsPerMinute(),
        pool: c.pool,
      }),
    )
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

/** Lender API requests allowed per key per minute. */
export function lenderRequestsPerMinute(): number {
  return LENDER_API_REQUESTS_PER_MINUTE ?? DEFAULT_LENDER_REQUESTS_PER_MINUTE;
}

/** Whole seconds until a limiter lets the key through again (at least 1). */
export function secondsFrom(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/** The header every 429 carries. */
export function retryAfter(seconds: number): Record<string, string> {
  return { 'retry-after': String(seconds) };
}

/** Marks a page's answer as over budget: 429 and how long to wait. */
export function markLimited(response: { status?: number; readonly headers: Headers }, seconds: number): void {
  response.status = 429;
  response.headers.set('retry-after', String(seconds));
}

/** Spends one point; the seconds to wait when the key is over budget, else null. */
export async function secondsUntilAllowed(budget: Budget, key: string): Promise<number | null> {
  try {
    await (await limiters())[budget].consume(key);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return secondsFrom(error.msBeforeNext);
  }
}

/**
 * The seconds to wait when the key has spent its budget already, else null; spends nothing.
 * For budgets only failures spend from (a bad API key), checked before the attempt.
 */
export async function secondsBlocked(budget: Budget, key: string): Promise<number | null> {
  const spent = await (await limiters())[budget].get(key);
  const { points } = budgetSpecs(checksPerMinute(), lenderRequestsPerMinute())[budget];
  if (!spent || spent.consumedPoints < points) return null;
  return secondsFrom(spent.msBeforeNext);
}

/**
 * Spends one point; returns a 429 answer when the client is over budget, else null. The JSON
 * answer is the API's error shape with the wait in its message and in `retryAfter`.
 */
export async function overBudget(budget: Budget, client: string | null, json: boolean): Promise<Response | null> {
  const wait = await secondsUntilAllowed(budget, client ?? 'unknown');
  if (wait === null) return null;
  if (json) {
    const message = `Too many checks from this address; try again in ${wait} s.`;
    return new Response(JSON.stringify({ error: { code: 'rate_limited', message, retryAfter: wait } }), {
      status: 429,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...retryAfter(wait) },
    });
  }
  return new Response(null, { status: 429, headers: retryAfter(wait) });
}
