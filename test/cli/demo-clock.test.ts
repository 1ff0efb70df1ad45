import { expect, it } from 'vitest';
import { cliConfig } from '../../src/cli/config.ts';
import { remindersCycle } from '../../src/cli/reminders.ts';
import { instantAt } from '../../src/core/dates.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { describeEachDialect } from '../support/databases.ts';

// The demo runs its cycle "as of 10:00" and stamps what it sends at that instant too: a text
// stamped with the real clock (05:42, say) would sit inside the quiet hours the demo promises.

describeEachDialect('the demo cycle sends at the instant it simulates', (get) => {
  it('stamps queued and sent reminders at 10:00 lender time, whatever the real clock says', async () => {
    const { db } = get().connection;
    const { anchorDate } = await seedDemo(db);
    const at = instantAt(anchorDate, '10:00', 'Asia/Shanghai');
    const started = Date.now();
    // No SMS_PROVIDER: the development outbox.
    const config = cliConfig({});
    const summary = await remindersCycle(get().connection, config, {
      now: at,
      lender: 'demo',
      send: true,
      dispatchClock: () => new Date(at.getTime() + (Date.now() - started)),
    });
    expect(summary.queued).toBeGreaterThan(0);
    expect(summary.dispatch?.sent).toBe(summary.queued);
    const sent = await db
      .selectFrom('messages')
      .select(['created_at', 'sent_at'])
      .where('kind', '=', 'reminder')
      .execute();
    expect(sent.length).toBe(summary.queued);
    for (const message of sent) {
      expect(message.created_at).toBe(at.toISOString());
      const sentAt = new Date(message.sent_at ?? 0).getTime();
      expect(sentAt).toBeGreaterThanOrEqual(at.getTime());
      // Within the minute after 10:00, not at the real time of the run.
      expect(sentAt - at.getTime()).toBeLessThan(60_000);
    }
  });
});
