import { PUBLIC_CHECKS_PER_MINUTE } from 'astro:env/server';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { errorResponse } from './api.ts';

/**
 * Per-client budgets for the public, unauthenticated surfaces. In memory, per process: behind
 * a load balancer each process keeps its own count (so the effective budget is per process).
 */
const checksPerMinute = PUBLIC_CHECKS_PER_MINUTE ?? 30;

const limiters = {
  verify: new RateLimiterMemory({ keyPrefix: 'verify', points: checksPerMinute, duration: 60 }),
  shortLink: new RateLimiterMemory({ keyPrefix: 'r', points: checksPerMinute, duration: 60 }),
  // Password guessing: per address and, separately, per e-mail (a botnet spreads addresses).
  staffSignInByIp: new RateLimiterMemory({ keyPrefix: 'staff-ip', points: 20, duration: 15 * 60 }),
  staffSignInByEmail: new RateLimiterMemory({ keyPrefix: 'staff-email', points: 10, duration: 15 * 60 }),
  // Guessing codes across many numbers from one address (each code also allows only 5 tries).
  codeCheck: new RateLimiterMemory({ keyPrefix: 'code', points: 30, duration: 10 * 60 }),
  // An agent with a queue checks many messages, but not thousands a minute.
  staffCheck: new RateLimiterMemory({ keyPrefix: 'staff-check', points: 300, duration: 60 }),
} as const;

export type Budget = keyof typeof limiters;

/** Spends one point; the seconds to wait when the key is over budget, else null. */
export async function secondsUntilAllowed(budget: Budget, key: string): Promise<number | null> {
  try {
    await limiters[budget].consume(key);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
  }
}

/** Forgets a key's spent points (a successful sign-in clears the e-mail's failures). */
export async function resetBudget(budget: Budget, key: string): Promise<void> {
  await limiters[budget].delete(key);
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
