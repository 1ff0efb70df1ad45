import { expect, it } from 'vitest';
import type { LenderProfile } from '../../src/core/lender.ts';
import { DEFAULT_TEMPLATES } from '../../src/core/templates.ts';
import { nowIso } from '../../src/db/ids.ts';
import { insertBorrower } from '../../src/db/repositories/borrowers.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { insertLoan, replaceInstalments } from '../../src/db/repositories/loans.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import {
  ManualSendRefused,
  manualSendPreview,
  OverrideReasonNeeded,
  sendManualReminder,
} from '../../src/services/manual-send.ts';
import { runReminderCycle, stopsForLateReminders } from '../../src/services/reminders.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { activateTemplateVersion, saveTemplateVersion } from '../../src/services/template-versions.ts';
import { verify } from '../../src/services/verification.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

// One reminder sent by hand from a case: the engine's decision first, caps set aside only with a
// written reason (audited), hard rules never; one message however often it is submitted; it goes
// out through the outbox and checks as genuine. The demo is anchored on 2026-11-24 (Shanghai).

const SEEDED_AT = new Date('2026-11-24T01:00:00Z');
const AT_10 = new Date('2026-11-24T10:00:00+08:00');
const AT_11 = new Date('2026-11-24T11:00:00+08:00');
const AT_2330 = new Date('2026-11-24T23:30:00+08:00');
const REASON = '借款人来电，要求今天把还款信息再发一次';

interface Staff {
  id: string;
  role: string;
  lenderId: string | null;
}

describeEachDialect('manual send of one reminder', (get) => {
  let demo: LenderProfile;
  let other: LenderProfile;
  let admin: Staff;
  let otherAdmin: Staff;
  let operator: Staff;
  const db = () => get().connection.db;
  const target = (borrower: string, loan: string, staff: Staff = admin, lender: LenderProfile = demo) => ({
    lender,
    staff,
    borrower,
    loan,
  });
  const messagesOf = (loan: string) =>
    db()
      .selectFrom('messages')
      .innerJoin('loans', 'loans.id', 'messages.loan_id')
      .selectAll('messages')
      .where('loans.external_id', '=', loan)
      .where('loans.lender_id', '=', demo.id)
      .execute();
  const staffOf = async (email: string, lender: string | undefined, role: string): Promise<Staff> => {
    const made = await createStaffUser(db(), email, 'staff password 2026', SEEDED_AT, lender, role);
    return { id: made.id, role, lenderId: lender ? ((await findLenderBySlug(db(), lender))?.id ?? null) : null };
  };

  it('sets up the demo lender, another lender and their staff', async () => {
    await seedDemo(db(), SEEDED_AT);
    demo = (await findLenderBySlug(db(), 'demo')) as LenderProfile;
    other = (await lenderWithKey(db(), 'other')).lender;
    admin = await staffOf('admin@demo.cn', 'demo', 'lender_admin');
    otherAdmin = await staffOf('admin@other.cn', 'other', 'lender_admin');
    operator = await staffOf('ops@zhenxin.cn', undefined, 'operator');
    expect(admin.lenderId).toBe(demo.id);
  });

  it('shows the decision and the text it would send, sending nothing', async () => {
    const state = await manualSendPreview(db(), target('B005', 'L005'), AT_10);
    expect(state).toMatchObject({
      borrower: 'B005',
      loan: 'L005',
      stage: 'firm',
      daysOverdue: 15,
      reasons: [],
      verdict: { kind: 'send' },
      alreadySent: null,
      maskedPhone: '138****8005',
      localTime: '2026-11-24T10:00',
      timeZone: 'Asia/Shanghai',
    });
    // 500,000 + 7,500 + 15 days × 500,000 × 0.05% = ¥5,112.50
    expect(state.preview?.text).toContain('【青禾消费金融】');
    expect(state.preview?.text).toContain('¥5,112.50');
    expect(state.preview?.text).toContain('https://qhxf.cn/r/••••••');
    expect(state.preview?.text).toContain('••••-••••');
    expect(state.preview?.segments.encoding).toBe('UCS-2');
    expect(state.preview?.length).toBeGreaterThan(60);
    expect(await messagesOf('L005')).toHaveLength(0);
  });

  it('queues one message for an eligible loan through the outbox, sent by that staff member, audited', async () => {
    const result = await sendManualReminder(db(), { ...target('B005', 'L005'), ip: '203.0.113.9' }, AT_10);
    expect(result).toMatchObject({ outcome: 'queued', stage: 'firm', overridden: [] });
    const [message, ...more] = await messagesOf('L005');
    expect(more).toHaveLength(0);
    expect(message).toMatchObject({
      id: result.outcome === 'queued' ? result.messageId : '-',
      kind: 'reminder',
      stage: 'firm',
      status: 'queued',
      sent_by: admin.id,
      phone_e164: '+8613800138005',
    });
    expect(message?.idempotency_key).toMatch(/^2026-11-24:[\w-]+:firm:manual$/);
    const outbox = await db()
      .selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', message?.id ?? '')
      .execute();
    expect(outbox).toHaveLength(1);
    const audit = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'staff.manual_reminder')
      .where('subject', '=', `message:${message?.id}`)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_kind: 'staff', actor_id: admin.id, ip: '203.0.113.9' });
    expect(JSON.parse(audit.details)).toEqual({
      lender: 'demo',
      borrower: 'B005',
      loan: 'L005',
      stage: 'firm',
      to: '138****8005',
      overridden: [],
      overrideReason: null,
    });
    expect(audit.details).not.toContain('13800138005');
  });

  it('sends it when that message is dispatched, and it checks as genuine by link, code and text', async () => {
    const connection = get().connection;
    const [message] = await messagesOf('L005');
    const report = await dispatchOutbox(connection, createDevOutboxProvider(db()), {
      messageIds: [message?.id ?? ''],
    });
    expect(report).toMatchObject({ claimed: 1, sent: 1, cancelled: 0 });
    const sms = await db()
      .selectFrom('dev_sms_outbox')
      .selectAll()
      .where('message_id', '=', message?.id ?? '')
      .execute();
    expect(sms).toHaveLength(1);
    const text = sms[0]?.text ?? '';
    expect(text).toBe(message?.body);
    const token = /\/r\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
    const code = /查询码([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text)?.[1] ?? '';
    expect(token).toHaveLength(24);
    const checked = new Date(AT_10.getTime() + 3_600_000);
    for (const request of [
      { link: `https://qhxf.cn/r/${token}` },
      { code, phoneLast4: '8005' },
      { text },
      { lender: 'demo', text: `${text}\n` },
    ]) {
      const { answer } = await verify(db(), request, 'zh-CN', checked);
      expect(answer, JSON.stringify(request)).toMatchObject({ verdict: 'genuine', risk: 'none' });
      expect(answer.message).toMatchObject({ lender: 'demo', maskedPhone: '138****8005' });
    }
  });

  it('answers a second submit with "already sent today", queueing nothing', async () => {
    const [first] = await messagesOf('L005');
    const again = await sendManualReminder(db(), { ...target('B005', 'L005'), ip: null }, AT_11);
    expect(again).toEqual({ outcome: 'already_sent', messageId: first?.id });
    const preview = await manualSendPreview(db(), target('B005', 'L005'), AT_11);
    expect(preview.alreadySent).toBe(first?.id);
    expect(await messagesOf('L005')).toHaveLength(1);
  });

  it('queues one message when two people send the same loan at once', async () => {
    const results = await Promise.all([
      sendManualReminder(db(), { ...target('B008', 'L008'), ip: null }, AT_10),
      sendManualReminder(db(), { ...target('B008', 'L008', operator), ip: null }, AT_10),
      sendManualReminder(db(), { ...target('B008', 'L008'), ip: null }, AT_10),
    ]);
    expect(results.filter((r) => r.outcome === 'queued')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already_sent')).toHaveLength(2);
    expect(await messagesOf('L008')).toHaveLength(1);
  });

  it('refuses a loan held back by a cap without a written reason, and sends it with one (audited)', async () => {
    // The schedule reminds everyone eligible at 10:00; B006 already has today's reminder.
    await runReminderCycle(db(), { now: AT_10, send: true, lender: 'demo' });
    expect(await messagesOf('L006')).toHaveLength(1);
    const state = await manualSendPreview(db(), target('B006', 'L006'), AT_11);
    expect(state).toMatchObject({ reasons: ['daily_cap'], verdict: { kind: 'needs_override', soft: ['daily_cap'] } });

    for (const [reason, problem] of [
      [null, 'missing'],
      ['', 'missing'],
      ['太短了', 'too_short'],
      ['理'.repeat(501), 'too_long'],
    ] as const) {
      const attempt = sendManualReminder(db(), { ...target('B006', 'L006'), overrideReason: reason, ip: null }, AT_11);
      await expect(attempt).rejects.toBeInstanceOf(OverrideReasonNeeded);
      await expect(attempt).rejects.toMatchObject({ problem, field: 'overrideReason', status: 400 });
    }
    expect(await messagesOf('L006')).toHaveLength(1);

    const sent = await sendManualReminder(
      db(),
      { ...target('B006', 'L006'), overrideReason: `  ${REASON} `, ip: null },
      AT_11,
    );
    expect(sent).toMatchObject({ outcome: 'queued', stage: 'final', overridden: ['daily_cap'] });
    const messages = await messagesOf('L006');
    expect(messages).toHaveLength(2);
    expect(messages.find((m) => m.sent_by === admin.id)?.idempotency_key).toMatch(/:final:manual$/);
    const audit = await db()
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('subject', '=', `message:${sent.messageId}`)
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(admin.id);
    expect(JSON.parse(audit.details)).toMatchObject({
      loan: 'L006',
      overridden: ['daily_cap'],
      overrideReason: REASON,
    });

    // Dispatched on its own: the schedule's texts still waiting in the outbox are left for later.
    const waiting = async () =>
      (await db().selectFrom('outbox').select('message_id').where('status', '=', 'queued').execute()).length;
    const before = await waiting();
    expect(before).toBeGreaterThan(5);
    const report = await dispatchOutbox(get().connection, createDevOutboxProvider(db()), {
      messageIds: [sent.outcome === 'queued' ? sent.messageId : ''],
    });
    expect(report).toMatchObject({ claimed: 1, sent: 1 });
    expect(await waiting()).toBe(before - 1);

    // Once sent by hand today, another try is "already sent", reason or not.
    const again = await sendManualReminder(
      db(),
      { ...target('B006', 'L006'), overrideReason: REASON, ip: null },
      AT_11,
    );
    expect(again).toEqual({ outcome: 'already_sent', messageId: sent.outcome === 'queued' ? sent.messageId : '' });
  });

  it('keeps a cap a person set aside when the message is decided again late, but not a hard rule', async () => {
    const [manual] = (await messagesOf('L006')).filter((m) => m.sent_by !== null);
    const late = {
      messageId: manual?.id ?? '',
      loanId: manual?.loan_id ?? '',
      lenderId: demo.id,
      borrowerId: manual?.borrower_id ?? '',
      to: manual?.phone_e164 ?? '',
      idempotencyKey: manual?.idempotency_key ?? '',
    };
    const at = new Date('2026-11-24T12:00:00+08:00');
    expect((await stopsForLateReminders(db(), [late], at)).get(late.messageId)).toBeUndefined();
    // The same message, had the schedule queued it, would stop at the cap.
    const scheduled = { ...late, idempotencyKey: late.idempotencyKey.replace(/:manual$/, '') };
    expect((await stopsForLateReminders(db(), [scheduled], at)).get(late.messageId)).toEqual(['daily_cap']);
    expect((await stopsForLateReminders(db(), [late], AT_2330)).get(late.messageId)).toEqual(['quiet_hours']);
  });

  const HARD_CASES: Array<[borrower: string, loan: string, reason: string, at?: Date]> = [
    ['B007', 'L007', 'quiet_hours', AT_2330],
    ['B012', 'L012', 'opted_out'],
    ['B015', 'L015', 'dispute'],
    ['B013', 'L013', 'request_pending'],
    ['B014', 'L014', 'plan_active'],
    ['B010', 'L010', 'phone_unverified'],
    ['B011', 'L011', 'phone_unreachable'],
    ['B009', 'L009', 'settled'],
    ['B001', 'L001', 'not_overdue'],
    ['B003', 'L003', 'in_grace'],
  ];

  for (const [borrower, loan, reason, at = AT_11] of HARD_CASES) {
    it(`never sends past ${reason}, even with a written reason`, async () => {
      const state = await manualSendPreview(db(), target(borrower, loan), at);
      expect(state.reasons).toContain(reason);
      expect(state.verdict.kind).toBe('refused');
      const before = (await messagesOf(loan)).length;
      const attempt = sendManualReminder(db(), { ...target(borrower, loan), overrideReason: REASON, ip: null }, at);
      await expect(attempt).rejects.toBeInstanceOf(ManualSendRefused);
      await expect(attempt).rejects.toMatchObject({ code: 'reminder_not_allowed', status: 422 });
      await expect(attempt).rejects.toMatchObject({ reasons: expect.arrayContaining([reason]) });
      expect(await messagesOf(loan)).toHaveLength(before);
    });
  }

  it('never sends to a borrower with no number at all', async () => {
    const at = nowIso(SEEDED_AT);
    const borrower = await insertBorrower(
      db(),
      { lenderId: demo.id, externalId: 'B900', name: '无号码', locale: 'zh-CN' },
      at,
    );
    const loan = await insertLoan(
      db(),
      { lenderId: demo.id, borrowerId: borrower.id, externalId: 'L900', currency: 'CNY', policy: null },
      at,
    );
    await replaceInstalments(db(), loan.id, [{ dueDate: '2026-11-09', principal: 100_000, interest: 1_000 }]);
    const state = await manualSendPreview(db(), target('B900', 'L900'), AT_11);
    expect(state.reasons).toContain('no_phone');
    expect(state).toMatchObject({ stage: 'firm', maskedPhone: null, preview: null, verdict: { kind: 'refused' } });
    await expect(
      sendManualReminder(db(), { ...target('B900', 'L900'), overrideReason: REASON, ip: null }, AT_11),
    ).rejects.toBeInstanceOf(ManualSendRefused);
    expect(await messagesOf('L900')).toHaveLength(0);
  });

  it("finds nothing of another lender's: the lender comes from the console gate and the loan must be its own", async () => {
    // An admin of another lender, handed the demo lender by a caller that skipped the gate.
    await expect(manualSendPreview(db(), target('B004', 'L004', otherAdmin), AT_10)).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      sendManualReminder(db(), { ...target('B004', 'L004', otherAdmin), ip: null }, AT_10),
    ).rejects.toMatchObject({ status: 404 });
    // Their own console does not hold the demo's borrower or loan.
    await expect(
      sendManualReminder(db(), { ...target('B004', 'L004', otherAdmin, other), ip: null }, AT_10),
    ).rejects.toMatchObject({ status: 404 });
    // A loan of another borrower, an unknown loan, a malformed id.
    for (const [borrower, loan] of [
      ['B004', 'L005'],
      ['B004', 'L999'],
      ['B004', '../L004'],
      ['../B004', 'L004'],
    ] as const) {
      await expect(sendManualReminder(db(), { ...target(borrower, loan), ip: null }, AT_10)).rejects.toMatchObject({
        status: 404,
      });
    }
    expect((await messagesOf('L004')).filter((m) => m.sent_by !== null)).toHaveLength(0);
    // An operator may send for any lender.
    const byOperator = await sendManualReminder(
      db(),
      { ...target('B004', 'L004', operator), overrideReason: REASON, ip: null },
      new Date('2026-11-25T10:00:00+08:00'),
    );
    expect(byOperator).toMatchObject({ outcome: 'queued', overridden: [] });
  });

  it('sends the wording the schedule would use: the stage’s active version, recorded on the message', async () => {
    const ctx = { staff: { ...admin, email: 'admin@demo.cn' }, ip: null, now: AT_11 };
    const body = DEFAULT_TEMPLATES['final.zh-CN'].replace('{signature}', '{signature}您好，');
    const saved = await saveTemplateVersion(db(), demo, { stage: 'final', locale: 'zh-CN', body }, ctx);
    await activateTemplateVersion(db(), demo, { stage: 'final', locale: 'zh-CN', version: saved.id }, ctx);
    const sent = await sendManualReminder(db(), { ...target('B007', 'L007'), overrideReason: REASON, ip: null }, AT_11);
    expect(sent).toMatchObject({ outcome: 'queued', stage: 'final' });
    const message = (await messagesOf('L007')).find((m) => m.sent_by === admin.id);
    expect(message?.template_version_id).toBe(saved.id);
    expect(message?.variant).toBeNull();
    expect(message?.body).toMatch(/^【青禾消费金融】您好，/);
  });
});
