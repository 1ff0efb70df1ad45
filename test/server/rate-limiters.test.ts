import pg from 'pg';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetSpecs, createLimiters, type Limiters } from '../../src/server/rate-limiters.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

/** How many of `tries` consumptions, spread round-robin over the processes, were let through. */
async function allowed(processes: Limiters[], budget: keyof Limiters, key: string, tries: number): Promise<number> {
  let passed = 0;
  for (let i = 0; i < tries; i++) {
    try {
      await processes[i % processes.length]?.[budget].consume(key);
      passed++;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
    }
  }
  return passed;
}

describe('rate limits in one process (memory)', () => {
  it('refuses the 21st password try from an address in 15 minutes, other addresses unaffected', async () => {
    const limiters = createLimiters({ checksPerMinute: 30 });
    expect(budgetSpecs(30).staffSignInByIp).toEqual({ points: 20, duration: 900 });
    expect(await allowed([limiters], 'staffSignInByIp', '10.0.0.1', 21)).toBe(20);
    expect(await allowed([limiters], 'staffSignInByIp', '10.0.0.2', 1)).toBe(1);
  });
});

announcePostgresSkip();

describe.runIf(dialects.includes('postgres'))('rate limits shared by several processes on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await database?.connection.close();
  });

  it('makes three processes spend from one budget, and stores only the key and count', async () => {
    const { pool } = database.connection;
    if (!pool) throw new Error('no pool on a PostgreSQL connection');
    const processes = [1, 2, 3].map(() => createLimiters({ checksPerMinute: 30, pool }));
    // 20 tries per address in all, however the load balancer spreads them
    expect(await allowed(processes, 'staffSignInByIp', '10.0.0.6', 25)).toBe(20);
    // 30 checks a minute per client address, across the processes
    expect(await allowed(processes, 'verify', '10.0.0.7', 40)).toBe(30);
    const rows = await database.connection.db.selectFrom('rate_limits').selectAll().orderBy('key').execute();
    expect(rows.map((r) => [r.key, r.points])).toEqual([
      ['staffSignInByIp:10.0.0.6', 25],
      ['verify:10.0.0.7', 40],
    ]);
    expect(rows[0]?.expire).toBeGreaterThan(Date.now());
  });

  it('keeps answering from memory when the database does not (never a failed page)', async () => {
    const unreachable = new pg.Pool({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    try {
      const limiters = createLimiters({ checksPerMinute: 30, pool: unreachable });
      expect(await allowed([limiters], 'staffSignInByIp', '10.0.0.3', 22)).toBe(20);
    } finally {
      await unreachable.end();
    }
  });
});
