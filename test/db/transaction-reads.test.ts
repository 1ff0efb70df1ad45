import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, openDatabase } from '../../src/db/connection.ts';
import { loadLoanContext } from '../../src/db/repositories/reminders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, type TestDatabase } from '../support/databases.ts';

// Services and repositories read several tables with Promise.all, and some of them are handed a
// transaction (the reminder cycle's loadLoanContext, the lender API's loadLoan, relief requests).
// A transaction is one PostgreSQL connection, which runs one query at a time: pg 8 queues a query
// sent while another runs and warns, pg 9 will refuse it. Those reads are safe because Kysely
// queues a transaction's queries itself (its SingleConnectionProvider), so pg never sees two at
// once. This pins that: should an upgrade of Kysely stop doing so, this fails before pg 9 does.
// (node:sqlite runs each statement to its end synchronously: nothing can overlap there.)

announcePostgresSkip();
const postgres = Boolean(process.env.TEST_DATABASE_URL);

/** Counts, per client of the pool, queries sent while an earlier one had not finished. */
function watchOverlaps(pool: pg.Pool): { overlaps: string[] } {
  const seen = { overlaps: [] as string[] };
  pool.on('connect', (client) => {
    const query = client.query as (...args: unknown[]) => unknown;
    let running = 0;
    const done = () => {
      running -= 1;
    };
    client.query = function (this: pg.PoolClient, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: unknown })?.text);
      if (running > 0) seen.overlaps.push(text.replace(/\s+/g, ' ').slice(0, 80));
      const result = query.apply(this, args);
      if (result instanceof Promise) {
        running += 1;
        result.then(done, done);
      }
      return result;
    } as typeof client.query;
  });
  return seen;
}

describe.runIf(postgres)('parallel reads inside a PostgreSQL transaction', () => {
  let database: TestDatabase;
  let app: Connection;
  let watch: { overlaps: string[] };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await seedDemo(database.connection.db, new Date('2027-03-10T02:00:00Z'));
    // a connection of its own, watched from its first client on
    app = openDatabase(database.url);
    watch = watchOverlaps(app.pool as pg.Pool);
  });
  afterAll(async () => {
    await app?.close();
    await database?.connection.close();
  });

  it('the watch sees two queries sent at once on one client (so the next test can fail)', async () => {
    const client = await (app.pool as pg.Pool).connect();
    try {
      await Promise.all([client.query('select pg_sleep(0.05)'), client.query("select 'second' as overlapping")]);
    } finally {
      client.release();
    }
    expect(watch.overlaps).toEqual(["select 'second' as overlapping"]);
  });

  it('reach PostgreSQL one at a time: the reminder context, read in a transaction, overlaps nothing', async () => {
    const earlier = watch.overlaps.length; // the control's, if it ran first
    const loans = await app.db.selectFrom('loans').select(['id', 'borrower_id']).execute();
    expect(loans.length).toBeGreaterThan(1);
    const context = await app.db.transaction().execute((trx) =>
      loadLoanContext(
        trx,
        loans.map((l) => l.id),
        [...new Set(loans.map((l) => l.borrower_id))],
        '2027-01-01T00:00:00.000Z',
      ),
    );
    // six tables read with Promise.all, every one answered
    expect(context.instalments.size).toBeGreaterThan(0);
    expect(context.borrowers.size).toBeGreaterThan(0);
    expect(context.phones.size).toBeGreaterThan(0);
    expect(watch.overlaps.slice(earlier)).toEqual([]);
  });
});
