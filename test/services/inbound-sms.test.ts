import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { DEFAULT_REMINDER_POLICY } from '../../src/core/reminder-policy.ts';
import { newSortableId } from '../../src/db/ids.ts';
import { findBorrower, insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { listDevSms } from '../../src/db/repositories/outbox.ts';
import { listLoanPageRowsOfBorrowers } from '../../src/db/repositories/people.ts';
import type { Database } from '../../src/db/schema.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { receiveInboundSms } from '../../src/services/inbound-sms.ts';
import { decideForLoans, runReminderCycle } from '../../src/services/reminders.ts';
import { markReplyHandled, readInbox, repliesOfBorrower } from '../../src/services/replies.ts';
import { verify } from '../../src/services/verification.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { parseAliyunUpstream, parseTwilioIncoming } from '../../src/sms/inbound.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

// Borrowers' replies from both providers: stored once, attributed to the reminder they answer
// (and so to its lender and borrower), and an opt-out acted on at once — for the attributed
// lender only, confirmed once, honoured even where the lender's policy keeps self-service
// opt-out off. The demo's reminders go out at 10:00 on 2026-11-24 (Asia/Shanghai).

const SEEDED_AT = new Date('2026-11-24T01:00:00Z');
const AT_10 = new Date('2026-11-24T10:00:00+08:00');
const later = (minutes: number) => new Date(AT_10.getTime() + minutes * 60_000);
const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

const twilio = (n: number, from: string, body: string) =>
  parseTwilioIncoming({
    MessageSid: sid(n),
    AccountSid: 'AC00000000000000000000000000000000',
    From: from,
    To: '+15005550006',
    Body: body,
    NumMedia: '0',
  });
const aliyun = (sequence: number, phone: string, content: string) => {
  const [sms] = parseAliyunUpstream([
    {
      phone_number: phone,
      content,
      sign_name: '青禾消费金融',
      dest_code: '1234',
      sequence_id: sequence,
      send_time: '2026-11-24 12:00:00',
    },
  ]);
  if (!sms) throw new Error('no message parsed');
  return sms;
};

async function borrowerId(db: Kysely<Database>, lenderId: string, externalId: string): Promise<string> {
  const found = await findBorrower(db, lenderId, externalId);
  if (!found) throw new Error(`no borrower ${externalId}`);
  return found.borrower.id;
}

/** A borrower of `lenderId` on `phone`, and (optionally) a reminder sent to it at `sentAt`. */
async function borrowerOn(
  db: Kysely<Database>,
  lenderId: string,
  externalId: string,
  phone: string,
  reminder: { at: Date; status?: string } | null,
  locale = 'zh-CN',
) {
  const at = SEEDED_AT.toISOString();
  const borrower = await insertBorrower(db, { lenderId, externalId, name: `借款人${externalId}`, locale }, at);
  await replaceCurrentPhone(db, borrower.id, { e164: phone, source: 'lender', verifiedAt: at }, at);
  let messageId: string | null = null;
  if (reminder) {
    messageId = newSortableId(reminder.at.getTime());
    const status = reminder.status ?? 'sent';
    await db
      .insertInto('messages')
      .values({
        id: messageId,
        lender_id: lenderId,
        borrower_id: borrower.id,
        loan_id: null,
        phone_e164: phone,
        kind: 'reminder',
        stage: 'gentle',
        locale,
        body: `【${externalId}】您的借款已逾期，请及时还款。`,
        token_hash: null,
        reference_code: null,
        fingerprint: null,
        status,
        provider: null,
        provider_message_id: null,
        created_at: reminder.at.toISOString(),
        sent_at: status === 'queued' ? null : reminder.at.toISOString(),
        expires_at: null,
        idempotency_key: `test:${externalId}:${reminder.at.toISOString()}`,
        template_key: null,
        template_params: null,
        delivered_at: null,
        error: null,
      })
      .execute();
    if (status === 'queued') {
      const queuedAt = reminder.at.toISOString();
      await db
        .insertInto('outbox')
        .values({
          message_id: messageId,
          status: 'queued',
          next_attempt_at: queuedAt,
          lease_owner: null,
          lease_until: null,
          last_error: null,
          created_at: queuedAt,
          updated_at: queuedAt,
        })
        .execute();
    }
  }
  return { id: borrower.id, messageId };
}

describeEachDialect('borrowers’ replies by SMS', (get) => {
  let demoId = '';
  let betaId = '';
  let betaOnB005 = { id: '', messageId: null as string | null };
  let betaOnB001 = { id: '' };
  let betaAlone = { id: '' };
  const reminderOf = async (externalId: string) => {
    const { db } = get().connection;
    const row = await db
      .selectFrom('messages')
      .select('id')
      .where('borrower_id', '=', await borrowerId(db, demoId, externalId))
      .where('kind', '=', 'reminder')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const optedOutAt = async (id: string) =>
    (
      await get()
        .connection.db.selectFrom('borrowers')
        .select('opted_out_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).opted_out_at;
  const confirmations = () =>
    get()
      .connection.db.selectFrom('messages')
      .selectAll()
      .where('kind', '=', 'opt_out_confirmation')
      .orderBy('created_at')
      .execute();

  it('sets the scene: the demo reminded at 10:00, a second lender reminds B005’s number later', async () => {
    const connection = get().connection;
    const { db } = connection;
    await seedDemo(db, SEEDED_AT);
    await runReminderCycle(db, { now: AT_10, send: true });
    await dispatchOutbox(connection, createDevOutboxProvider(db));
    demoId = (await findLenderBySlug(db, 'demo'))?.id ?? '';
    betaId = (await lenderWithKey(db, 'beta')).lender.id;
    betaOnB005 = await borrowerOn(db, betaId, 'X1', '+8613800138005', { at: later(60) });
    betaOnB001 = await borrowerOn(db, betaId, 'X3', '+8613800138001', null);
    betaAlone = await borrowerOn(db, betaId, 'X2', '+8613800138099', null);
    expect(demoId).not.toBe('');
  });

  it('attributes a reply to the last reminder sent to that number, its lender and borrower (Twilio)', async () => {
    const { db } = get().connection;
    const outcome = await receiveInboundSms(db, twilio(1, '+8613800138004', '好的，我明天还'), later(30));
    expect(outcome).toMatchObject({
      duplicate: false,
      kind: 'reply',
      lenderId: demoId,
      borrowerId: await borrowerId(db, demoId, 'B004'),
      messageId: await reminderOf('B004'),
      optedOut: [],
      confirmationId: null,
    });
    const row = await db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('id', '=', outcome.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      provider: 'twilio',
      provider_message_id: sid(1),
      from_e164: '+8613800138004',
      to_number: '+15005550006',
      body: '好的，我明天还',
      kind: 'reply',
      handled_at: null,
    });
  });

  it('reads Aliyun’s national number form and attributes the same way', async () => {
    const { db } = get().connection;
    const outcome = await receiveInboundSms(db, aliyun(1001, '13800138006', '已经还了'), later(40));
    expect(outcome).toMatchObject({
      kind: 'reply',
      lenderId: demoId,
      borrowerId: await borrowerId(db, demoId, 'B006'),
      messageId: await reminderOf('B006'),
    });
    const row = await db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('id', '=', outcome.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ provider: 'aliyun', provider_message_id: '1001', from_e164: '+8613800138006' });
  });

  it('gives a number two lenders remind to the one whose reminder was most recent', async () => {
    const { db } = get().connection;
    const outcome = await receiveInboundSms(db, twilio(2, '+8613800138005', '你们是谁？'), later(90));
    expect(outcome).toMatchObject({ lenderId: betaId, borrowerId: betaOnB005.id, messageId: betaOnB005.messageId });
  });

  it('gives a number no one reminded to its only lender, and an unknown number to no lender', async () => {
    const { db } = get().connection;
    const alone = await receiveInboundSms(db, twilio(3, '+8613800138099', '请问怎么还款'), later(91));
    expect(alone).toMatchObject({ lenderId: betaId, borrowerId: betaAlone.id, messageId: null });
    const stranger = await receiveInboundSms(db, twilio(4, '+8613900000000', 'hello'), later(92));
    expect(stranger).toMatchObject({ kind: 'reply', lenderId: null, borrowerId: null, messageId: null });
    // A number two lenders hold but neither reminded belongs to no one lender either.
    const shared = await receiveInboundSms(db, twilio(5, '+8613800138001', '什么事'), later(93));
    expect(shared).toMatchObject({ lenderId: null, borrowerId: null, messageId: null });
  });

  it('opts out at once: opted_out_at set, the next plan says opted_out, one confirmation queued', async () => {
    const connection = get().connection;
    const { db } = connection;
    const b004 = await borrowerId(db, demoId, 'B004');
    expect(await optedOutAt(b004)).toBeNull();
    const outcome = await receiveInboundSms(db, twilio(10, '+8613800138004', '退订。'), later(120));
    expect(outcome).toMatchObject({ kind: 'opt_out', lenderId: demoId, borrowerId: b004, optedOut: [b004] });
    expect(await optedOutAt(b004)).toBe(later(120).toISOString());

    const demo = await findLenderBySlug(db, 'demo');
    if (!demo) throw new Error('no demo');
    const tomorrow = new Date('2026-11-25T10:00:00+08:00');
    const [decision] = await decideForLoans(db, demo, await listLoanPageRowsOfBorrowers(db, [b004]), tomorrow);
    expect(decision?.eligible).toBe(false);
    expect(decision?.reasons).toContain('opted_out');

    const [confirmation, ...more] = await confirmations();
    expect(more).toEqual([]);
    expect(confirmation).toMatchObject({
      id: outcome.confirmationId,
      lender_id: demoId,
      borrower_id: b004,
      phone_e164: '+8613800138004',
      status: 'queued',
      idempotency_key: `opt-out:${outcome.id}`,
      template_key: 'opt_out_confirmation.zh-CN',
    });
    expect(confirmation?.body).toMatch(/^【青禾消费金融】您已退订/);

    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'borrower.opt_out_sms')
      .where('subject', '=', b004)
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe('138****8004');
    expect(audit.details).not.toContain('13800138004');
    expect(JSON.parse(audit.details)).toMatchObject({ lender: 'demo', keyword: '退订', policyAllowsOptOut: true });
  });

  it('acts once on a retried webhook: no second row, no second confirmation', async () => {
    const { db } = get().connection;
    const again = await receiveInboundSms(db, twilio(10, '+8613800138004', '退订。'), later(121));
    expect(again).toMatchObject({ duplicate: true, kind: 'opt_out', lenderId: demoId, confirmationId: null });
    const rows = await db
      .selectFrom('inbound_messages')
      .select('id')
      .where('provider_message_id', '=', sid(10))
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toBe(again.id);
    expect(await confirmations()).toHaveLength(1);
    // Twice at the same moment (two deliveries racing): still one of each.
    const [x, y] = await Promise.all([
      receiveInboundSms(db, aliyun(2002, '13800138004', 'T'), later(122)),
      receiveInboundSms(db, aliyun(2002, '13800138004', 'T'), later(122)),
    ]);
    expect([x.duplicate, y.duplicate].sort()).toEqual([false, true]);
    expect(x.id).toBe(y.id);
    expect(
      await db.selectFrom('inbound_messages').select('id').where('provider_message_id', '=', '2002').execute(),
    ).toHaveLength(1);
  });

  it('does not confirm a second opt-out from the same number within a day (no loop with an auto-responder)', async () => {
    const { db } = get().connection;
    const second = await receiveInboundSms(db, twilio(11, '+8613800138004', 'STOP'), later(125));
    expect(second).toMatchObject({ kind: 'opt_out', optedOut: [], confirmationId: null });
    expect(await confirmations()).toHaveLength(1);
  });

  it('sends the confirmation although the borrower is now opted out', async () => {
    const connection = get().connection;
    const { db } = connection;
    const report = await dispatchOutbox(connection, createDevOutboxProvider(db));
    expect(report).toMatchObject({ sent: 1, cancelled: 0 });
    const [confirmation] = await confirmations();
    expect(confirmation?.status).toBe('sent');
    const sent = (await listDevSms(db)).filter((m) => m.messageId === confirmation?.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('+8613800138004');
    // Pasted back into the checker, it is recognised as ours.
    const checked = await verify(db, { text: sent[0]?.text ?? '' }, 'zh-CN', later(126));
    expect(checked.answer).toMatchObject({ verdict: 'genuine', risk: 'none', indicators: [] });
  });

  it('opts out of the lender it answers only: the other lender on the same number goes on', async () => {
    const { db } = get().connection;
    const b005 = await borrowerId(db, demoId, 'B005');
    const outcome = await receiveInboundSms(db, twilio(12, '+8613800138005', 'ＴＤ'), later(130));
    expect(outcome).toMatchObject({ kind: 'opt_out', lenderId: betaId, optedOut: [betaOnB005.id] });
    expect(await optedOutAt(betaOnB005.id)).not.toBeNull();
    expect(await optedOutAt(b005)).toBeNull();
    const confirmation = (await confirmations()).find((m) => m.id === outcome.confirmationId);
    expect(confirmation).toMatchObject({ lender_id: betaId, borrower_id: betaOnB005.id });
    expect(confirmation?.body).toMatch(/^【beta金融】/);
  });

  it('honours an opt-out no single lender can be named for, for every lender on that number, unconfirmed', async () => {
    const { db } = get().connection;
    const b001 = await borrowerId(db, demoId, 'B001');
    const before = (await confirmations()).length;
    const outcome = await receiveInboundSms(db, twilio(13, '+8613800138001', 'stop'), later(140));
    expect(outcome).toMatchObject({ kind: 'opt_out', lenderId: null, confirmationId: null });
    expect([...outcome.optedOut].sort()).toEqual([b001, betaOnB001.id].sort());
    expect(await optedOutAt(b001)).not.toBeNull();
    expect(await optedOutAt(betaOnB001.id)).not.toBeNull();
    expect(await confirmations()).toHaveLength(before);
  });

  it('cancels a reminder still waiting in the outbox for the number it opts out', async () => {
    const { db } = get().connection;
    const waiting = await borrowerOn(db, demoId, 'Q1', '+8613800138098', { at: later(150), status: 'queued' });
    const outcome = await receiveInboundSms(db, aliyun(3003, '13800138098', '退訂'), later(151));
    expect(outcome).toMatchObject({ kind: 'opt_out', messageId: null, lenderId: demoId, optedOut: [waiting.id] });
    const outbox = await db
      .selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', waiting.messageId ?? '')
      .executeTakeFirstOrThrow();
    expect(outbox.status).toBe('cancelled');
    const message = await db
      .selectFrom('messages')
      .select(['status', 'error'])
      .where('id', '=', waiting.messageId ?? '')
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ status: 'cancelled', error: 'not sent: opted_out' });
  });

  it('confirms in the borrower’s language (Aliyun: the registered template key)', async () => {
    const { db } = get().connection;
    const b017 = await borrowerId(db, demoId, 'B017');
    const outcome = await receiveInboundSms(db, aliyun(3004, '13800138017', 'Stop!'), later(160));
    expect(outcome).toMatchObject({ kind: 'opt_out', borrowerId: b017, messageId: await reminderOf('B017') });
    const confirmation = (await confirmations()).find((m) => m.id === outcome.confirmationId);
    expect(confirmation).toMatchObject({ locale: 'en', template_key: 'opt_out_confirmation.en' });
    expect(JSON.parse(confirmation?.template_params ?? '{}')).toEqual({ hotline: '400-186-5533' });
    expect(confirmation?.body).toContain('opted out');
  });

  it('honours an explicit opt-out where the lender’s policy keeps self-service opt-out off', async () => {
    const { db } = get().connection;
    const strict = await lenderWithKey(db, 'strict', { reminders: { ...DEFAULT_REMINDER_POLICY, allowOptOut: false } });
    const borrower = await borrowerOn(db, strict.lender.id, 'S1', '+8613800138097', { at: later(170) });
    const outcome = await receiveInboundSms(db, twilio(14, '+8613800138097', '退订'), later(171));
    expect(outcome).toMatchObject({ kind: 'opt_out', lenderId: strict.lender.id, optedOut: [borrower.id] });
    expect(outcome.confirmationId).not.toBeNull();
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'borrower.opt_out_sms')
      .where('subject', '=', borrower.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toMatchObject({ lender: 'strict', policyAllowsOptOut: false });
  });

  it('keeps a sentence that mentions a keyword as a reply: nobody is opted out', async () => {
    const { db } = get().connection;
    const b006 = await borrowerId(db, demoId, 'B006');
    const outcome = await receiveInboundSms(db, twilio(15, '+8613800138006', 'I will not STOP paying'), later(180));
    expect(outcome).toMatchObject({ kind: 'reply', optedOut: [], confirmationId: null });
    expect(await optedOutAt(b006)).toBeNull();
  });

  it('refuses a sender that is no phone number, naming the field, and stores nothing', async () => {
    const { db } = get().connection;
    const count = async () => (await db.selectFrom('inbound_messages').select('id').execute()).length;
    const before = await count();
    expect(() => twilio(16, 'TWILIO', 'hi')).toThrow(/^From: not a phone number/);
    expect(() => aliyun(4004, '12345', 'hi')).toThrow(/^\[0\]\.phone_number: not a phone number/);
    await expect(
      receiveInboundSms(db, { provider: 'twilio', providerMessageId: sid(17), from: 'x', to: null, body: 'hi' }),
    ).rejects.toMatchObject({ status: 400, field: 'from' });
    expect(await count()).toBe(before);
  });

  it('shows each lender its own replies only, unhandled first; unknown numbers to none', async () => {
    const { db } = get().connection;
    const demoAdmin = { id: 'x', role: 'lender_admin', lenderId: demoId };
    const betaAdmin = { id: 'y', role: 'lender_admin', lenderId: betaId };
    const demo = await readInbox(db, demoAdmin, demoId, 'all');
    const beta = await readInbox(db, betaAdmin, betaId, 'all');
    const bodies = (inbox: typeof demo) => inbox.rows.map((r) => r.body);
    expect(bodies(demo)).toContain('好的，我明天还');
    expect(bodies(demo)).not.toContain('你们是谁？');
    expect(bodies(beta)).toContain('你们是谁？');
    for (const inbox of [demo, beta]) {
      expect(bodies(inbox)).not.toContain('hello');
      expect(bodies(inbox)).not.toContain('什么事');
      for (const row of inbox.rows) expect(row.maskedPhone).toMatch(/\*{4}/);
    }
    const received = demo.rows.map((r) => r.receivedAt);
    expect(received).toEqual([...received].sort().reverse());
    expect(demo.counts.opt_out.total).toBe(demo.rows.filter((r) => r.kind === 'opt_out').length);
    const optOuts = await readInbox(db, demoAdmin, demoId, 'opt_out');
    expect(new Set(optOuts.rows.map((r) => r.kind))).toEqual(new Set(['opt_out']));
    // Another lender's admin, an agent: nothing.
    await expect(readInbox(db, betaAdmin, demoId, 'all')).rejects.toMatchObject({ status: 404 });
    await expect(readInbox(db, { role: 'agent', lenderId: demoId }, demoId, 'all')).rejects.toMatchObject({
      status: 404,
    });
  });

  it('marks a reply handled once, audited, and lists a borrower’s replies for the case page', async () => {
    const { db } = get().connection;
    const staff = await db
      .insertInto('staff_users')
      .values({
        id: 'staff-demo-admin',
        email: 'admin@demo.cn',
        password_hash: 'x',
        display_name: null,
        lender_id: demoId,
        role: 'lender_admin',
        created_at: SEEDED_AT.toISOString(),
        disabled_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const admin = { id: staff.id, role: 'lender_admin', lenderId: demoId };
    const b004 = await borrowerId(db, demoId, 'B004');
    const rows = await repliesOfBorrower(db, admin, demoId, b004);
    expect(rows.map((r) => r.body)).toEqual(['STOP', 'T', '退订。', '好的，我明天还']);
    expect(rows[3]?.reminder?.stage).toBe('gentle');
    expect(rows[3]?.reminder?.excerpt).toMatch(/^【青禾消费金融】.*…$/);
    const target = rows[3]?.id ?? '';
    expect(await markReplyHandled(db, admin, demoId, { reply: target }, '127.0.0.1', later(200))).toEqual({
      changed: true,
    });
    expect(await markReplyHandled(db, admin, demoId, { reply: target }, '127.0.0.1', later(201))).toEqual({
      changed: false,
    });
    const row = await db.selectFrom('inbound_messages').selectAll().where('id', '=', target).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ handled_by: staff.id, handled_at: later(200).toISOString() });
    const audits = await db.selectFrom('audit_log').selectAll().where('action', '=', 'reply.handled').execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_kind: 'staff', actor_id: staff.id, subject: target, ip: '127.0.0.1' });
    const inbox = await readInbox(db, admin, demoId, 'all');
    expect(inbox.rows.at(-1)?.id).toBe(target);
    expect(inbox.rows.at(-1)?.handledBy).toBe('admin@demo.cn');
    // Another lender's reply through this lender's console, or another lender's admin: 404.
    const betaReply = (await readInbox(db, { role: 'operator', lenderId: null }, betaId, 'all')).rows[0]?.id ?? '';
    await expect(markReplyHandled(db, admin, demoId, { reply: betaReply }, null)).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      markReplyHandled(db, { id: 'y', role: 'lender_admin', lenderId: betaId }, demoId, { reply: target }, null),
    ).rejects.toMatchObject({ status: 404 });
    await expect(markReplyHandled(db, admin, demoId, { reply: '../x' }, null)).rejects.toMatchObject({
      status: 400,
      field: 'reply',
    });
  });
});
