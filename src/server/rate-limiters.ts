import cluster from 'node:cluster';
import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/**
 * The per-client budgets of the public and sign-in surfaces. On PostgreSQL they live in the
 * `rate_limits` table, so every app process behind a load balancer spends from the same budget;
 * should the database not answer, each process falls back to its own memory (a check is never
 * refused, nor a page failed, because the limiter's store is down). Without a pool (SQLite) they
 * are kept in memory: in a worker of `npm start`'s cluster, the primary's memory (a client gets
 * the same budget however many workers there are; see scripts/start.ts), else this process's.
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
    // Password guessing across accounts from one address (per account: staff-sign-in-guard.ts).
    staffSignInByIp: { points: 20, duration: 15 * 60 },
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
    if (!options.pool) {
      return [
        budget,
        cluster.isWorker ? new InsuredClusterLimiter({ keyPrefix: budget, ...spec }, memory) : memory,
      ] as const;
    }
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

/**
 * A budget kept by the cluster's primary, spent over IPC. Should the primary not answer within
 * its timeout (it is busy, or restarting), the worker spends from its own memory instead, like
 * the PostgreSQL store's insurance: a check is never refused because the store is away.
 */
class InsuredClusterLimiter extends RateLimiterCluster {
  readonly #insurance: RateLimiterMemory;

  constructor(spec: BudgetSpec & { keyPrefix: string }, insurance: RateLimiterMemory) {
    super({ ...spec, timeoutMs: 1_000 });
    this.#insurance = insurance;
  }

  async #insured<T>(attempt: Promise<T>, fallback: () => Promise<T>): Promise<T> {
    try {
      return await attempt;
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      return fallback();
    }
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    return this.#insured(super.consume(key, points, options), () => this.#insurance.consume(key, points, options));
  }

  override penalty(key: string | number, points?: number, options?: Record<string, unknown>) {
    return this.#insured(super.penalty(key, points, options), () => this.#insurance.penalty(key, points, options));
  }

  override reward(key: string | number, points?: number, options?: Record<string, unknown>) {
    return this.#insured(super.reward(key, points, options), () => this.#insurance.reward(key, points, options));
  }

  override get(key: string | number, options?: Record<string, unknown>) {
    return this.#insured(super.get(key, options), () => this.#insurance.get(key, options));
  }

  override block(key: string | number, seconds: number, options?: Record<string, unknown>) {
    return this.#insured(super.block(key, seconds, options), () => this.#insurance.block(key, seconds, options));
  }

  override delete(key: string | number, options?: Record<string, unknown>) {
    return this.#insured(super.delete(key, options), () => this.#insurance.delete(key, options));
  }
}
