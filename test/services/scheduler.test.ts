import { afterEach, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { listDevSms } from '../../src/db/repositories/outbox.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { advisoryKey, exclusively, startReminderSchedule } from '../../src/services/scheduler.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';

afterEach(() => {
  vi.useRealTimers();
});

describeEachDialect('reminder schedule', (get) => {
  it('runs a cycle every N minutes, queueing and sending, and never twice for the same day', async () => {
    const connection = get().connection;
    await seedDemo(connection.db, new Date('2026-11-24T01:00:00Z'));
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const results: Array<{ queued: number | undefined; sent: number | undefined; error: unknown }> = [];
    const stop = startReminderSchedule(
      connection,
      createDevOutboxProvider(connection.db),
      5,
      (r) => results.push({ queued: r.cycle?.queued, sent: r.dispatch?.sent, error: r.error }),
      () => new Date('2026-11-24T10:00:00+08:00'),
    );
    /**
     * Moves the clock one interval at a time until `count` cycles have reported. A cycle reports
     * before it has released its lock and connection, and a tick that comes before then is skipped
     * (never two at once): on a loaded machine the tick after a report can be one of those, so one
     * interval is not always enough. The count is checked before each move, so no extra cycle runs.
     */
    const untilReported = async (count: number) => {
      const deadline = Date.now() + 20_000;
      while (results.length < count && Date.now() < deadline) {
        await vi.advanceTimersByTimeAsync(5 * 60_000);
        const moved = Date.now();
        while (results.length < count && Date.now() - moved < 500) await new Promise((r) => setTimeout(r, 10));
      }
      expect(results).toHaveLength(count);
    };
    expect(results).toHaveLength(0);
    await untilReported(1);
    await untilReported(2);
    stop();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(results).toEqual([
      { queued: 11, sent: 11, error: undefined },
      { queued: 0, sent: 0, error: undefined },
    ]);
    expect(await listDevSms(connection.db)).toHaveLength(11);
  });
});

describeEachDialect('one instance at a time (exclusively)', (get) => {
  it('runs a task in one instance; on PostgreSQL another instance skips its turn while it runs', async () => {
    const { connection, dialect, url } = get();
    // A second instance: its own pool on the same database.
    const other = dialect === 'postgres' ? openDatabase(url) : connection;
    try {
      let release: () => void = () => {};
      const holding = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered: () => void = () => {};
      const started = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const first = exclusively(connection, 'test-task', async () => {
        entered();
        await holding;
      });
      await started;
      let secondRan = false;
      const second = await exclusively(other, 'test-task', async () => {
        secondRan = true;
      });
      // SQLite serves one machine, where one process runs the schedule: nothing to elect.
      expect(second).toBe(dialect === 'sqlite');
      expect(secondRan).toBe(dialect === 'sqlite');
      // A task of another name is not held up.
      expect(await exclusively(other, 'another-task', async () => {})).toBe(true);
      release();
      expect(await first).toBe(true);
      // Released: the other instance takes the next turn.
      expect(await exclusively(other, 'test-task', async () => {})).toBe(true);
      // A failing task releases the lock too.
      await expect(
        exclusively(connection, 'test-task', async () => {
          throw new Error('cycle failed');
        }),
      ).rejects.toThrow('cycle failed');
      expect(await exclusively(other, 'test-task', async () => {})).toBe(true);
    } finally {
      if (other !== connection) await other.close();
    }
  });

  it('derives a stable 64-bit key per task name', () => {
    expect(advisoryKey('reminder-cycle')).toBe(advisoryKey('reminder-cycle'));
    expect(advisoryKey('reminder-cycle')).not.toBe(advisoryKey('purge'));
    const key = BigInt(advisoryKey('purge'));
    expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
  });
});
