import { expect, it } from 'vitest';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { getBalance, postRepayment, putBorrower } from '../../src/services/lender-api.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { verify } from '../../src/services/verification.ts';
import { type OutgoingSms, ProviderTimeoutError, type SmsProvider } from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';

// A reminder that waits (a retry after a provider error, a backlog, a timeout reconciled later)
// is decided again before it goes out: what happened meanwhile — a repayment, an opt-out, a
// dispute, quiet hours, a new day, a new number — stops it.

const QUEUED = new Date('2026-11-24T03:00:00Z'); // 11:00 in Shanghai
const minutes = (n: number) => new Date(QUEUED.getTime() + n * 60_000);

/**
 * Answers "try again later" (or times out, with `timeouts`) until `healthy` is set, then sends;
 * records every text it sent. A lookup never finds anything: nothing went out before.
 */
function flakyProvider(options: { timeouts?: boolean } = {}) {
  const sent: OutgoingSms[] = [];
  const state = { healthy: false, calls: 0 };
  const provider: SmsProvider = {
    name: 'flaky',
    async send(message) {
      state.calls++;
      if (!state.healthy && options.timeouts) throw new ProviderTimeoutError('flaky', 10);
      if (!state.healthy) return { outcome: 'retry', error: 'HTTP 503' };
      sent.push(message);
      return { outcome: 'sent', providerMessageId: `P-${message.messageId}` };
    },
    async lookup() {
      return { found: false };
    },
  };
  return { provider, sent, state };
}

describeEachDialect('late reminders', (get) => {
  const db = () => get().connection.db;
  /** Runs a cycle as of `now`, its outbox rows written at that instant too (as on a live server). */
  const cycleAt = async (now: Date) => {
    const cycle = await runReminderCycle(db(), { now, send: true });
    const ids = cycle.decisions.flatMap((d) => (d.messageId ? [d.messageId] : []));
    if (ids.length > 0) {
      await db()
        .updateTable('outbox')
        .set({ created_at: now.toISOString(), next_attempt_at: now.toISOString() })
        .where('message_id', 'in', ids)
        .execute();
    }
    return cycle;
  };
  const reminderOf = async (externalId: string) =>
    db()
      .selectFrom('messages')
      .innerJoin('borrowers', 'borrowers.id', 'messages.borrower_id')
      .select(['messages.id', 'messages.status', 'messages.error', 'messages.body', 'messages.phone_e164'])
      .where('borrowers.external_id', '=', externalId)
      .where('messages.kind', '=', 'reminder')
      .executeTakeFirstOrThrow();

  const reminderQueuedAt = async (externalId: string, at: Date) =>
    db()
      .selectFrom('messages')
      .innerJoin('borrowers', 'borrowers.id', 'messages.borrower_id')
      .select(['messages.id', 'messages.status', 'messages.error', 'messages.phone_e164'])
      .where('borrowers.external_id', '=', externalId)
      .where('messages.created_at', '=', at.toISOString())
      .executeTakeFirstOrThrow();

  it('cancels a retried reminder the borrower no longer should get, and sends the others', async () => {
    const connection = get().connection;
    await seedDemo(db(), QUEUED);
    const cycle = await cycleAt(QUEUED);
    expect(cycle.queued).toBe(11);
    const { provider, sent, state } = flakyProvider();
    const first = await dispatchOutbox(connection, provider, { clock: () => QUEUED });
    expect(first).toMatchObject({ claimed: 11, retried: 11, sent: 0, cancelled: 0 });

    // meanwhile: B005 opts out, B006 disputes the debt, B007 repays everything
    await db()
      .updateTable('borrowers')
      .set({ opted_out_at: minutes(0).toISOString() })
      .where('external_id', '=', 'B005')
      .execute();
    await db()
      .updateTable('borrowers')
      .set({ disputed_at: minutes(0).toISOString() })
      .where('external_id', '=', 'B006')
      .execute();
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('no demo lender');
    const owed = await getBalance(db(), lender, 'L007', { asOf: '2026-11-24' }, QUEUED);
    await postRepayment(
      db(),
      lender,
      'L007',
      { amount: owed.total, paidOn: '2026-11-24', idempotencyKey: 'all' },
      QUEUED,
    );

    state.healthy = true;
    const callsBefore = state.calls;
    const retry = await dispatchOutbox(connection, provider, { clock: () => minutes(1) });
    expect(retry).toMatchObject({ claimed: 11, sent: 8, cancelled: 3, retried: 0 });
    expect(state.calls - callsBefore).toBe(8);
    expect(await reminderOf('B005')).toMatchObject({ status: 'cancelled', error: 'not sent: opted_out' });
    expect(await reminderOf('B006')).toMatchObject({ status: 'cancelled', error: 'not sent: dispute' });
    expect((await reminderOf('B007')).error).toMatch(/^not sent: .*(settled|not_overdue)/);
    expect(sent.map((m) => m.to)).not.toContain('+8613800138005');
    // a text never sent is never "genuine"
    const cancelled = await reminderOf('B005');
    expect((await verify(db(), { text: cancelled.body }, 'zh-CN', minutes(2))).answer.verdict).toBe('not_sent');
    const delivered = await reminderOf('B004');
    expect(delivered.status).toBe('sent');
    expect((await verify(db(), { text: delivered.body }, 'zh-CN', minutes(2))).answer.verdict).toBe('genuine');
  });

  it('does not send a retry that would arrive in quiet hours, or one queued on another day', async () => {
    const connection = get().connection;
    const evening = new Date('2026-11-25T12:50:00Z'); // 20:50 in Shanghai
    const cycle = await cycleAt(evening);
    expect(cycle.queued).toBeGreaterThan(0);
    const { provider, state } = flakyProvider();
    expect((await dispatchOutbox(connection, provider, { clock: () => evening })).retried).toBe(cycle.queued);
    state.healthy = true;
    const night = new Date('2026-11-25T13:05:00Z'); // 21:05
    const retry = await dispatchOutbox(connection, provider, { clock: () => night });
    expect(retry).toMatchObject({ sent: 0, cancelled: cycle.queued });
    const errors = await db()
      .selectFrom('messages')
      .select('error')
      .where('created_at', '=', evening.toISOString())
      .execute();
    expect(errors).toHaveLength(cycle.queued);
    for (const { error } of errors) expect(error).toContain('quiet_hours');
    expect(state.calls).toBe(cycle.queued); // only the first, failed tries reached the provider

    // a reminder queued in the morning and still waiting the next day is another day's text
    const morning = new Date('2026-11-26T02:00:00Z'); // 10:00
    const next = await cycleAt(morning);
    const stale = await dispatchOutbox(connection, flakyProvider().provider, { clock: () => morning });
    expect(stale.retried).toBe(next.queued);
    const nextDay = new Date('2026-11-27T02:30:00Z');
    const late = await dispatchOutbox(connection, provider, { clock: () => nextDay });
    expect(late).toMatchObject({ sent: 0, cancelled: next.queued });
  });
  it('sends one text a borrower the morning after a night with the dispatcher down: today’s, not yesterday’s', async () => {
    const connection = get().connection;
    const evening = new Date('2026-11-27T12:50:00Z'); // 20:50 in Shanghai
    const yesterday = await cycleAt(evening);
    expect(yesterday.queued).toBeGreaterThan(0);
    const { provider, sent, state } = flakyProvider();
    await dispatchOutbox(connection, provider, { clock: () => evening }); // every send fails
    const morning = new Date('2026-11-28T00:00:00Z'); // 08:00: today's reminders are queued
    const today = await cycleAt(morning);
    expect(today.queued).toBeGreaterThan(0);
    state.healthy = true;
    const run = await dispatchOutbox(connection, provider, { clock: () => new Date('2026-11-28T00:10:00Z') });
    expect(run).toMatchObject({ sent: today.queued, cancelled: yesterday.queued });
    // one text per number, each with today's figures
    const perNumber = new Map<string, number>();
    for (const m of sent) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber.values()].every((n) => n === 1)).toBe(true);
    const stale = await db()
      .selectFrom('messages')
      .select('error')
      .where('created_at', '=', evening.toISOString())
      .execute();
    expect(stale).toHaveLength(yesterday.queued);
    for (const { error } of stale) expect(error).toContain('stale');
  });

  it('re-decides a timed-out send found never to have gone out, and a text to a number since replaced', async () => {
    const connection = get().connection;
    const late = new Date('2026-11-30T12:58:00Z'); // 20:58
    const cycle = await cycleAt(late);
    expect(cycle.queued).toBeGreaterThan(0);
    const { provider, state } = flakyProvider({ timeouts: true });
    expect((await dispatchOutbox(connection, provider, { clock: () => late })).unknown).toBe(cycle.queued);
    state.healthy = true;
    // looked up at 21:02 (not found: it never went out), then decided again: quiet hours
    const reconcile = await dispatchOutbox(connection, provider, {
      clock: () => new Date('2026-11-30T13:02:00Z'),
      reconcileAfterMs: 0,
    });
    expect(reconcile).toMatchObject({ sent: 0, cancelled: cycle.queued });
    expect(state.calls).toBe(cycle.queued); // only the timed-out tries

    // a lender's correction of a wrong number: the waiting text is not sent to the old one
    const morning = new Date('2026-12-01T02:00:00Z'); // 10:00
    const next = await cycleAt(morning);
    const b004 = await reminderQueuedAt('B004', morning);
    const failing = flakyProvider();
    await dispatchOutbox(connection, failing.provider, { clock: () => morning });
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('no demo lender');
    const { name } = await db()
      .selectFrom('borrowers')
      .select('name')
      .where('external_id', '=', 'B004')
      .executeTakeFirstOrThrow();
    await putBorrower(db(), lender, { keyId: 'k', ip: null }, 'B004', { name, phone: '+8613900139004' }, morning);
    failing.state.healthy = true;
    const retry = await dispatchOutbox(connection, failing.provider, { clock: () => new Date('2026-12-01T02:05:00Z') });
    expect(retry).toMatchObject({ sent: next.queued - 1, cancelled: 1 });
    expect(await reminderQueuedAt('B004', morning)).toMatchObject({
      id: b004.id,
      status: 'cancelled',
      error: 'not sent: phone_changed',
    });
    expect(failing.sent.map((m) => m.to)).not.toContain(b004.phone_e164);
  });
});
