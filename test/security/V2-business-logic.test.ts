import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { instantAt } from '../../src/core/dates.ts';
import { openDatabase } from '../../src/db/connection.ts';
import { claimOutbox } from '../../src/db/repositories/outbox.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { applyReceipts } from '../../src/services/receipts.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import type { OutgoingSms, SmsProvider } from '../../src/sms/provider.ts';
import { twilioSignature, verifyTwilioSignature } from '../../src/sms/twilio.ts';
import { describeEachDialect } from '../support/databases.ts';

// OWASP ASVS 5.0, V2 Validation and Business Logic (and V4.1.5 for the provider's signature):
// sending is crash-safe and never doubled, receipts are believed only when signed and count once.
// The process-level proofs (a dispatcher killed with SIGKILL, two processes) are in
// test/services/dispatcher.test.ts.

/** A provider that remembers every send, per message, as a real one would. */
function countingProvider() {
  const sends = new Map<string, number>();
  const provider: SmsProvider = {
    name: 'counting',
    async send(message: OutgoingSms) {
      sends.set(message.messageId, (sends.get(message.messageId) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { outcome: 'sent', providerMessageId: `P-${message.messageId}` };
    },
    async lookup(message: OutgoingSms) {
      return sends.has(message.messageId)
        ? { found: true, providerMessageId: `P-${message.messageId}`, status: 'sent' as const }
        : { found: false };
    },
  };
  return { provider, sends };
}

describeEachDialect('V2 Business Logic: sending and receipts', (get) => {
  const db = () => get().connection.db;
  let day = '';

  it('V2.3.4 one reminder per (loan, stage, day): cycles run again or at once queue nothing twice', async () => {
    ({ anchorDate: day } = await seedDemo(db()));
    const at = (time: string) => instantAt(day, time, 'Asia/Shanghai');
    // due in the outbox at the cycle's own instant, so the dispatch below can run at a known hour
    const first = await runReminderCycle(db(), { now: at('10:00'), queuedAt: at('10:00'), send: true });
    expect(first.queued).toBeGreaterThan(0);
    const again = await Promise.all([
      runReminderCycle(db(), { now: at('10:00'), send: true }),
      runReminderCycle(db(), { now: at('15:30'), send: true }),
    ]);
    expect(again.map((r) => r.queued)).toEqual([0, 0]);
    const messages = await db().selectFrom('messages').select(['loan_id', 'stage', 'idempotency_key']).execute();
    const perLoanStage = new Set(messages.map((m) => `${m.loan_id}:${m.stage}`));
    expect(perLoanStage.size).toBe(messages.length);
    expect(messages.every((m) => m.idempotency_key?.startsWith(day))).toBe(true);
    // The database itself refuses a second message with the same key.
    const one = await db()
      .selectFrom('messages')
      .selectAll()
      .where('idempotency_key', 'is not', null)
      .executeTakeFirstOrThrow();
    await expect(
      db()
        .insertInto('messages')
        .values({ ...one, id: `${one.id}x` })
        .execute(),
    ).rejects.toThrow();
  });

  it('V2.3.3 a worker that dies mid-send loses nothing and sends nothing twice', async () => {
    const { provider, sends } = countingProvider();
    const queued = await db().selectFrom('outbox').select('message_id').where('status', '=', 'queued').execute();
    expect(queued.length).toBeGreaterThan(1);
    // One minute after the 10:00 cycle on the demo's day, whatever the hour the test runs at (a
    // message found again later is decided again, and at night the contact window is shut).
    const now = new Date(instantAt(day, '10:01', 'Asia/Shanghai'));
    // A worker claims everything, hands half to the provider, and dies without recording it.
    const claimed = await claimOutbox(db(), get().dialect, {
      now: now.toISOString(),
      workerId: 'dead-worker',
      leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
      limit: 1_000,
    });
    expect(claimed).toHaveLength(queued.length);
    for (const message of claimed.slice(0, Math.ceil(claimed.length / 2))) {
      await provider.send({ messageId: message.messageId } as OutgoingSms);
    }
    // While its lease lasts nobody else touches them; after it, another worker finishes the job.
    const early = await dispatchOutbox(get().connection, provider, { clock: () => now });
    expect(early.claimed).toBe(0);
    const later = new Date(now.getTime() + 61_000);
    const report = await dispatchOutbox(get().connection, provider, { clock: () => later });
    expect(report.claimed).toBe(claimed.length);
    expect(sends.size).toBe(claimed.length);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
    const statuses = await db().selectFrom('outbox').select('status').execute();
    expect(statuses.every((s) => s.status === 'sent')).toBe(true);
  });

  it('V2.3.4 two workers at once never send the same message twice', async () => {
    // Queue tomorrow's reminders (a new day: new keys) and let two workers race for them.
    const next = instantAt(day, '10:00', 'Asia/Shanghai');
    next.setUTCDate(next.getUTCDate() + 1);
    await runReminderCycle(db(), { now: next, send: true });
    const queued = await db().selectFrom('outbox').select('message_id').where('status', '=', 'queued').execute();
    expect(queued.length).toBeGreaterThan(1);
    const { provider, sends } = countingProvider();
    // A second pool on the same database, as a second process would have.
    const other = openDatabase(get().url);
    try {
      const reports = await Promise.all([
        dispatchOutbox(get().connection, provider, { batchSize: 1, concurrency: 1 }),
        dispatchOutbox(get().dialect === 'postgres' ? other : get().connection, provider, {
          batchSize: 1,
          concurrency: 1,
        }),
      ]);
      expect(reports[0].sent + reports[1].sent).toBe(queued.length);
    } finally {
      await other.close();
    }
    expect(sends.size).toBe(queued.length);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
  });

  it('V2.3.4 receipts are idempotent: the same receipt again changes nothing', async () => {
    const sent = await db()
      .selectFrom('messages')
      .select(['id', 'provider_message_id'])
      .where('provider_message_id', 'is not', null)
      .executeTakeFirstOrThrow();
    const receipt = (status: 'delivered' | 'failed', minute: number) => ({
      provider: 'counting',
      providerMessageId: sent.provider_message_id as string,
      status,
      errorCode: status === 'failed' ? 'UNDELIV' : null,
      at: new Date(Date.UTC(2026, 10, 24, 2, minute)),
    });
    expect(await applyReceipts(db(), [receipt('delivered', 5)])).toMatchObject({ applied: 1, duplicates: 0 });
    const before = await db().selectFrom('messages').selectAll().where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(await applyReceipts(db(), [receipt('delivered', 5), receipt('delivered', 5)])).toMatchObject({
      applied: 0,
      duplicates: 2,
    });
    const after = await db().selectFrom('messages').selectAll().where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect(after.status).toBe('delivered');
  });
});

it('V4.1.5 receipts are believed only with a valid per-message signature (Twilio HMAC over URL and fields)', () => {
  const token = 'auth-token-for-the-test';
  const url = 'https://zhenxin.example/api/sms/twilio/status';
  const fields = { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+8613800138005' };
  const signature = twilioSignature(token, url, fields);
  // The published algorithm: HMAC-SHA1 over the URL and the sorted fields, base64.
  const expected = createHmac('sha1', token)
    .update(`${url}MessageSidSM1MessageStatusdeliveredTo+8613800138005`)
    .digest('base64');
  expect(signature).toBe(expected);
  expect(verifyTwilioSignature(token, url, fields, signature)).toBe(true);
  expect(verifyTwilioSignature(token, url, { ...fields, MessageStatus: 'failed' }, signature)).toBe(false);
  expect(verifyTwilioSignature(token, `${url}?x=1`, fields, signature)).toBe(false);
  expect(verifyTwilioSignature('another-token', url, fields, signature)).toBe(false);
  for (const forged of ['', 'x', signature.slice(1), `${signature} `]) {
    expect(verifyTwilioSignature(token, url, fields, forged)).toBe(false);
  }
});
