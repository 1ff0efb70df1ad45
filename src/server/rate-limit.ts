import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { errorResponse } from './api.ts';

/**
 * Per-client budgets for the public, unauthenticated surfaces. In memory, per process: behind
 * a load balancer each process keeps its own count (so the effective budget is per process).
 */
const limiters = {
  verify: new RateLimiterMemory({ keyPrefix: 'verify', points: 30, duration: 60 }),
  shortLink: new RateLimiterMemory({ keyPrefix: 'r', points: 30, duration: 60 }),
} as const;

export type Budget = keyof typeof limiters;

/** Spends one point; returns a 429 answer when the client is over budget, else null. */
export async function overBudget(budget: Budget, client: string | null, json: boolean): Promise<Response | null> {
  try {
    await limiters[budget].consume(client ?? 'unknown');
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const retryAfter = String(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
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
}
