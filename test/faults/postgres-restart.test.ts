import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, openDatabase } from '../../src/db/connection.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import type { LookupResult, OutgoingSms, SendResult, SmsProvider } from '../../src/sms/provider.ts';
import { announcePostgresSkip, createTestDatabase, type TestDatabase } from '../support/databases.ts';

// PostgreSQL restarting during a reminder run: every connection of the app is cut at once (what a
// restart or a fail-over does to its clients). The app must survive it, reconnect, and neither
// lose a reminder nor send one twice. The server itself is shared with other test runs, so the
// restart is simulated by ending exactly this app's sessions (pg_terminate_backend), found by
// their application_name.

announcePostgresSkip();
const postgres = Boolean(process.env.TEST_DATABASE_URL);

/** An SMS gateway outside the database (it does not restart with it): counts sends per message. */
function gateway(onSend: (count: number) => Promise<void>): SmsProvider & { sends: Map<string, number> } {
  const sends = new Map<string, number>();
  let total = 0;
  return {
    name: 'dev',
    sends,
    async send(message: OutgoingSms): Promise<SendResult> {
      sends.set(message.messageId, (sends.get(message.messageId) ?? 0) + 1);
      total++;
      await onSend(total);
      return { outcome: 'sent', providerMessageId: `gw-${message.messageId}` };
    },
    async lookup(message: OutgoingSms): Promise<LookupResult> {
      return sends.has(message.messageId)
        ? { found: true, providerMessageId: `gw-${message.messageId}`, status: 'sent' }
        : { found: false };
    },
  };
}

describe.runIf(postgres)('PostgreSQL restarting during a reminder run', () => {
  let database: TestDatabase;
  let app: Connection;
  let admin: Connection;
  const name = `zx_fault_${randomBytes(4).toString('hex')}`;
  const restart = async (applicationName = name) => {
    await admin.db.executeQuery({
      // (with a timeout, it waits until each session has ended)
      sql: 'select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = $1',
      parameters: [applicationName],
    } as never);
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    app = openDatabase(`${database.url}&application_name=${name}`);
    admin = openDatabase(process.env.TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await app?.close();
    await admin?.close();
    await database?.connection.close();
  });

  it('survives its connections being cut while idle (the pool does not crash the process)', async () => {
    await app.db.selectFrom('lenders').select('id').execute(); // a pooled, now idle, connection
    await restart();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The next query gets a fresh connection.
    await expect(app.db.selectFrom('lenders').select('id').execute()).resolves.toBeInstanceOf(Array);
  });

  it('loses nothing and sends nothing twice when the connections are cut mid-dispatch', async () => {
    const seededAt = new Date('2026-11-24T01:00:00Z');
    await seedDemo(app.db, seededAt);
    const now = new Date('2026-11-24T10:00:00+08:00');
    const cycle = await runReminderCycle(app.db, { now, queuedAt: now, send: true, onDecisions: () => {} });
    expect(cycle.queued).toBeGreaterThan(5);

    // The connections are cut after the fifth send, while the dispatcher is between a send and
    // recording it, with other sends in flight.
    const provider = gateway(async (count) => {
      if (count === 5) await restart();
    });
    let clock = now;
    const first = await dispatchOutbox(app, provider, { clock: () => clock, concurrency: 4 }).catch((e: Error) => e);
    // Whatever the first run managed, later runs (after the leases and the look-up delay) finish.
    // As the schedule does: a run that meets a connection the restart ended fails, the next goes on.
    const failures: string[] = [];
    for (let round = 0; round < 6; round++) {
      clock = new Date(clock.getTime() + 5 * 60_000);
      await dispatchOutbox(app, provider, { clock: () => clock }).catch((e: Error) => failures.push(e.message));
    }
    expect(failures.length).toBeLessThan(3);
    const rows = await app.db
      .selectFrom('messages')
      .select(['id', 'status', 'error'])
      .where('kind', '=', 'reminder')
      .execute();
    expect(rows).toHaveLength(cycle.queued);
    // Every reminder ends accounted for. One that reached the gateway is recorded as sent (looked
    // up there when its record was lost with the connection), never sent again. One that did not is
    // sent later, or, found again after its minute, decided again and held back with the engine's
    // reason (a cap: another of the person's reminders went out first), never stuck or dropped.
    const delivered = new Set(provider.sends.keys());
    const context = `first run: ${first instanceof Error ? first.message : JSON.stringify(first)}`;
    for (const row of rows) {
      if (delivered.has(row.id)) expect(row.status, `${row.id} ${row.error} ${context}`).toBe('sent');
      else
        expect(`${row.status} ${row.error}`, `${row.id} ${context}`).toMatch(/^cancelled not sent: (daily|weekly)_cap/);
    }
    // [message, times sent] for any sent more than once
    expect(
      [...provider.sends].filter(([, times]) => times > 1),
      context,
    ).toEqual([]);
    expect(delivered.size).toBeGreaterThan(rows.length / 2);
  });

  it('queues each reminder once when the connections are cut mid-cycle and the cycle runs again', async () => {
    // A cycle writes page by page, each page in its own transaction, so a cut can leave any number
    // of pages written, and a cut during a commit leaves the client not knowing whether it was.
    // Whatever the cut did, the cycle run again must end with exactly what one uninterrupted cycle
    // queues on a twin database holding the same data: each reminder once, none lost.
    const now = new Date('2026-11-25T10:00:00+08:00');
    const seededAt = new Date('2026-11-24T01:00:00Z');
    const cutName = `${name}_cycle`;
    const cutDatabase = await createTestDatabase('postgres');
    const twin = await createTestDatabase('postgres');
    const cutApp = openDatabase(`${cutDatabase.url}&application_name=${cutName}`);
    try {
      await seedDemo(cutApp.db, seededAt);
      await seedDemo(twin.connection.db, seededAt);
      const queuedKeys = async (db: Connection['db']) => {
        const rows = await db
          .selectFrom('messages')
          .innerJoin('loans', 'loans.id', 'messages.loan_id')
          .innerJoin('lenders', 'lenders.id', 'loans.lender_id')
          .select(['lenders.slug', 'loans.external_id', 'messages.stage'])
          .where('messages.kind', '=', 'reminder')
          .execute();
        return rows.map((r) => `${r.slug}/${r.external_id}/${r.stage}`).sort();
      };
      const seeded = await queuedKeys(cutApp.db);
      expect(await queuedKeys(twin.connection.db)).toEqual(seeded);

      // Small pages, so the cycle is many transactions and the cut lands between two of them or
      // inside one, never after the end.
      const cycle = (db: Connection['db'], onProgress?: (loans: number) => void) =>
        runReminderCycle(db, {
          now,
          send: true,
          pageSize: 3,
          onDecisions: () => {},
          ...(onProgress && { onProgress }),
        });
      const clean = await cycle(twin.connection.db);
      expect(clean.queued).toBeGreaterThan(0);
      const expected = await queuedKeys(twin.connection.db);

      // Cut the connections once the cycle's first page is written, while it goes on to the next.
      let cut: Promise<void> | undefined;
      const interrupted = await cycle(cutApp.db, () => {
        cut ??= restart(cutName);
      }).catch((e: Error) => e);
      expect(cut).toBeDefined();
      await cut;
      await new Promise((resolve) => setTimeout(resolve, 100)); // the client sees its sockets close
      // The schedule's next turns.
      const again = await cycle(cutApp.db);
      const third = await cycle(cutApp.db);
      expect(third.queued).toBe(0);
      const context = `interrupted: ${interrupted instanceof Error ? interrupted.message : `${interrupted.queued} queued`}, again: ${again.queued}`;
      // Each key once (the list would show a second copy), and exactly the twin's.
      expect(await queuedKeys(cutApp.db), context).toEqual(expected);
    } finally {
      await cutApp.close();
      await cutDatabase.connection.close();
      await twin.connection.close();
    }
  });
});
