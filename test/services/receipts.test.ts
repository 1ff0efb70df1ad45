import { expect, it } from 'vitest';
import { findBorrower } from '../../src/db/repositories/borrowers.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { applyReceipts } from '../../src/services/receipts.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import type { LookupResult, OutgoingSms, SendResult, SmsProvider } from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';

/** Hands out provider ids P1, P2, … and remembers which message got which. */
function numberingProvider(prefix: string) {
  const ids = new Map<string, string>();
  let sent = 0;
  const provider: SmsProvider = {
    name: 'fake',
    async send(message: OutgoingSms): Promise<SendResult> {
      const id = `${prefix}${++sent}`;
      ids.set(message.to, id);
      return { outcome: 'sent', providerMessageId: id };
    },
    async lookup(): Promise<LookupResult> {
      return { found: false };
    },
  };
  return { provider, ids };
}

const receipt = (
  providerMessageId: string,
  status: 'delivered' | 'failed' | 'undelivered' | 'sent',
  errorCode: string | null = null,
) => ({
  provider: 'fake',
  providerMessageId,
  status,
  errorCode,
  at: new Date('2026-11-24T02:05:00Z'),
});

describeEachDialect('delivery receipts', (get) => {
  it('marks a message delivered once, however often the receipt comes', async () => {
    const connection = get().connection;
    const { db } = connection;
    await seedDemo(db, new Date('2026-11-24T01:00:00Z'));
    await runReminderCycle(db, { now: new Date('2026-11-24T10:00:00+08:00'), send: true });
    const { provider, ids } = numberingProvider('A');
    await dispatchOutbox(connection, provider);
    const p = ids.get('+8613800138004') as string;
    expect(await applyReceipts(db, [receipt(p, 'sent'), receipt(p, 'delivered')])).toEqual({
      applied: 2,
      duplicates: 0,
      unmatched: 0,
    });
    expect(await applyReceipts(db, [receipt(p, 'delivered'), receipt(p, 'delivered')])).toEqual({
      applied: 0,
      duplicates: 2,
      unmatched: 0,
    });
    // a failure arriving after the delivery does not undo it
    await applyReceipts(db, [receipt(p, 'failed', 'late')]);
    const message = await db
      .selectFrom('messages')
      .selectAll()
      .where('provider_message_id', '=', p)
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({ status: 'delivered', delivered_at: '2026-11-24T02:05:00.000Z' });
    expect(await applyReceipts(db, [receipt('nobody', 'delivered')])).toEqual({
      applied: 0,
      duplicates: 0,
      unmatched: 1,
    });
  });

  it('marks a number unreachable after three failed deliveries in a row, and planning then skips it', async () => {
    const connection = get().connection;
    const { db } = connection;
    const lender = await findLenderBySlug(db, 'demo');
    if (!lender) throw new Error('no demo lender');
    const { provider, ids } = numberingProvider('B');
    const remindAndReport = async (day: string, status: 'delivered' | 'undelivered') => {
      await runReminderCycle(db, { now: new Date(`${day}T10:00:00+08:00`), send: true });
      await dispatchOutbox(connection, provider);
      const id = ids.get('+8613800138005') as string;
      await applyReceipts(db, [receipt(id, 'sent'), receipt(id, status, status === 'delivered' ? null : '30003')]);
    };
    const phoneOf = async () => (await findBorrower(db, lender.id, 'B005'))?.phone;
    await remindAndReport('2026-11-25', 'undelivered');
    await remindAndReport('2026-11-26', 'undelivered');
    expect(await phoneOf()).toMatchObject({ consecutive_failures: 2, unreachable_at: null });
    // a delivery in between resets the count (a week later, clear of the weekly cap)
    await remindAndReport('2026-12-03', 'delivered');
    expect((await phoneOf())?.consecutive_failures).toBe(0);
    await remindAndReport('2026-12-04', 'undelivered');
    await remindAndReport('2026-12-05', 'undelivered');
    expect((await phoneOf())?.unreachable_at).toBeNull();
    await remindAndReport('2026-12-12', 'undelivered');
    expect(await phoneOf()).toMatchObject({ consecutive_failures: 3 });
    expect((await phoneOf())?.unreachable_at).not.toBeNull();
    const plan = await runReminderCycle(db, { now: new Date('2026-12-13T10:00:00+08:00'), send: false });
    expect(plan.decisions.find((d) => d.loan === 'L005')?.reasons).toEqual(['phone_unreachable']);
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'phone.unreachable').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toContain('138****8005');
    expect(audit[0]?.details).not.toContain('13800138005');
  });
});
