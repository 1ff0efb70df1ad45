import type pg from 'pg';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';

/**
 * The per-client budgets of the public and sign-in surfaces. On PostgreSQL they live in the
 * `rate_limits` table, so every app process behind a load balancer spends from the same budget;
 * should the database not answer, each process falls back to its own memory (a check is never
 * refused, nor a page failed, because the limiter's store is down). Without a pool (SQLite, one
 * process) they are kept in memory.
 */
export interface BudgetSpec {
  points: number;
  /** Seconds. */
  duration: number;
}

/** Lender API requests a minute per key unless LENDER_API_REQUESTS_PER_MINUTE says otherwise. */
export const DEFAULT_LENDER_REQUESTS_PER_MINUTE = 1_200;

/** Requests with a key that is not valid (or none) allowed per client address in 15 minutes. */
export const LENDER_BAD_KEYS_PER_ADDRESS = 20;

export function budgetSpecs(checksPerMinute: number, lenderRequestsPerMinute = DEFAULT_LENDER_REQUESTS_PER_MINUTE) {
  return {
    verify: { points: checksPerMinute, duration: 60 },
    shortLink: { points: checksPerMinute, duration: 60 },
    // Password guessing: per address and, separately, per e-mail (a botnet spreads addresses).
    staffSignInByIp: { points: 20, duration: 15 * 60 },
    staffSignInByEmail: { points: 10, duration: 15 * 60 },
    // Guessing codes across many numbers from one address (each code also allows only 5 tries).
    codeCheck: { points: 30, duration: 10 * 60 },
    // An agent with a queue checks many messages, but not thousands a minute.
    staffCheck: { points: 300, duration: 60 },
    // A lender's system syncing borrowers and loans (20 a second; a whole book goes by bulk import).
    lenderApi: { points: lenderRequestsPerMinute, duration: 60 },
    // Guessing API keys: only failed requests spend from it, per client address.
    lenderApiBadKey: { points: LENDER_BAD_KEYS_PER_ADDRESS, duration: 15 * 60 },
  } satisfies Record<string, BudgetSpec>;
}

export type Budget = keyof ReturnType<typeof budgetSpecs>;
export type Limiters = Record<Budget, RateLimiterAbstract>;

export function createLimiters(options: {
  checksPerMinute: number;
  lenderRequestsPerMinute?: number | undefined;
  pool?: pg.Pool | undefined;
}): Limiters {
  const specs = budgetSpecs(options.checksPerMinute, options.lenderRequestsPerMinute);
  const entries = Object.entries(specs).map(([budget, spec]) => {
    const memory = new RateLimiterMemory({ keyPrefix: budget, ...spec });
    if (!options.pool) return [budget, memory] as const;
    const shared = new RateLimiterPostgres({
      storeClient: options.pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      // made by the migrations; expired rows are deleted by the hourly purge
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: budget,
      ...spec,
      insuranceLimiter: memory,
    });
    return [budget, shared] as const;
  });
  return Object.fromEntries(entries) as Limiters;
}
