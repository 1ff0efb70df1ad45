import { expect, it } from 'vitest';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { backoffMs, dispatchOutbox } from '../../src/services/dispatcher.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import {
  type LookupResult,
  type OutgoingSms,
  ProviderTimeoutError,
  type SendResult,
  type SmsProvider,
} from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';

// The SMS provider failing (503s) or hanging (every call ends in the adapter's timeout) for five
// minutes while the schedule keeps dispatching every 10 seconds: each message is tried again only
// on its own backoff (no retry storm), nothing is sent twice, and everything goes out once the
// provider is back. Time moves only through the dispatcher's clock.

const START = new Date('2026-11-24T10:00:00+08:00');
const OUTAGE_MS = 5 * 60_000;
const TICK_MS = 10_000;

function failingProvider(mode: 'error' | 'hang', clock: () => Date) {
  const attempts = new Map<string, number[]>();
  const delivered = new Set<string>();
  const calls = { send: 0, lookup: 0 };
  const down = () => clock().getTime() - START.getTime() < OUTAGE_MS;
  const provider: SmsProvider = {
    name: 'dev',
    async send(message: OutgoingSms): Promise<SendResult> {
      calls.send++;
      attempts.set(message.messageId, [...(attempts.get(message.messageId) ?? []), clock().getTime()]);
      if (down()) {
        if (mode === 'hang') throw new ProviderTimeoutError('failing', 10_000);
        return { outcome: 'retry', error: 'HTTP 503' };
      }
      delivered.add(message.messageId);
      return { outcome: 'sent', providerMessageId: `P-${message.messageId}` };
    },
    async lookup(message: OutgoingSms): Promise<LookupResult> {
      calls.lookup++;
      if (down()) throw new ProviderTimeoutError('failing', 10_000);
      return delivered.has(message.messageId)
        ? { found: true, providerMessageId: `P-${message.messageId}`, status: 'sent' }
        : { found: false };
    },
  };
  return { provider, attempts, delivered, calls };
}

for (const mode of ['error', 'hang'] as const) {
  describeEachDialect(`the SMS provider ${mode === 'error' ? 'failing' : 'hanging'} for five minutes`, (get) => {
    it('retries each message on its own backoff, sends each once, and recovers', async () => {
      const { connection } = get();
      await seedDemo(connection.db, new Date('2026-11-24T01:00:00Z'));
      const cycle = await runReminderCycle(connection.db, {
        now: START,
        queuedAt: START,
        send: true,
        onDecisions: () => {},
      });
      expect(cycle.queued).toBeGreaterThan(5);

      let now = START;
      const clock = () => now;
      const { provider, attempts, delivered, calls } = failingProvider(mode, clock);
      const ticks = (20 * 60_000) / TICK_MS; // twenty minutes of the schedule every 10 s
      for (let tick = 0; tick < ticks; tick++) {
        now = new Date(START.getTime() + tick * TICK_MS);
        await dispatchOutbox(connection, provider, { clock });
      }

      const rows = await connection.db.selectFrom('messages').select(['id', 'status']).execute();
      const reminders = rows.filter((r) => attempts.has(r.id));
      expect(reminders).toHaveLength(cycle.queued);
      expect(reminders.every((r) => r.status === 'sent')).toBe(true);
      expect(delivered.size).toBe(cycle.queued);
      // No storm: a handful of attempts per message over the outage, never one per tick.
      for (const [id, times] of attempts) {
        expect(times.length, id).toBeLessThanOrEqual(6);
        if (mode === 'error') {
          // each retry waited at least its backoff
          for (let i = 1; i < times.length; i++) {
            expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(backoffMs(i));
          }
        }
      }
      expect(calls.send + calls.lookup).toBeLessThan(cycle.queued * 12);
    });
  });
}
