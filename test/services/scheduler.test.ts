import { afterEach, expect, it, vi } from 'vitest';
import { listDevSms } from '../../src/db/repositories/outbox.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { startReminderSchedule } from '../../src/services/scheduler.ts';
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
    expect(results).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await vi.waitFor(() => expect(results).toHaveLength(1), { timeout: 20_000 });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await vi.waitFor(() => expect(results).toHaveLength(2), { timeout: 20_000 });
    stop();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(results).toEqual([
      { queued: 11, sent: 11, error: undefined },
      { queued: 0, sent: 0, error: undefined },
    ]);
    expect(await listDevSms(connection.db)).toHaveLength(11);
  });
});
