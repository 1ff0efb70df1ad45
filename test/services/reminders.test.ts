import { expect, it } from 'vitest';
import { canonicalText, textFingerprint } from '../../src/core/message-text.ts';
import { hashToken, parseReferenceCode } from '../../src/core/tokens.ts';
import { findLenderBySlug, upsertLender } from '../../src/db/repositories/lenders.ts';
import { listDevSms } from '../../src/db/repositories/outbox.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';

// The demo anchored on 2026-11-24 (Asia/Shanghai). Expected decisions come from each demo
// borrower's description in src/services/demo-data.ts, worked out by hand.
const SEEDED_AT = new Date('2026-11-24T01:00:00Z');
const AT_10 = new Date('2026-11-24T10:00:00+08:00');
const AT_2330 = new Date('2026-11-24T23:30:00+08:00');

const EXPECTED_AT_10: Record<string, { eligible: boolean; stage: string | null; reasons: string[] }> = {
  L001: { eligible: false, stage: null, reasons: ['not_overdue'] },
  L002: { eligible: false, stage: null, reasons: ['not_overdue'] },
  L003: { eligible: false, stage: null, reasons: ['in_grace'] },
  L004: { eligible: true, stage: 'gentle', reasons: [] },
  L005: { eligible: true, stage: 'firm', reasons: [] },
  L006: { eligible: true, stage: 'final', reasons: [] },
  L007: { eligible: true, stage: 'final', reasons: [] },
  L008: { eligible: true, stage: 'firm', reasons: [] },
  L009: { eligible: false, stage: null, reasons: ['settled'] },
  L010: { eligible: false, stage: 'firm', reasons: ['phone_unverified'] },
  L011: { eligible: false, stage: 'firm', reasons: ['phone_unreachable'] },
  L012: { eligible: false, stage: 'firm', reasons: ['opted_out'] },
  L013: { eligible: false, stage: 'gentle', reasons: ['request_pending'] },
  L014: { eligible: false, stage: null, reasons: ['not_overdue', 'plan_active'] },
  L015: { eligible: false, stage: 'firm', reasons: ['dispute'] },
  L016: { eligible: true, stage: 'final', reasons: [] },
  L017: { eligible: true, stage: 'firm', reasons: [] },
  L018: { eligible: true, stage: 'gentle', reasons: [] },
  // two earlier instalments paid late → 1 grace day → 2 days overdue is already gentle
  L019: { eligible: true, stage: 'gentle', reasons: [] },
  L020: { eligible: true, stage: 'final', reasons: [] },
  L021A: { eligible: false, stage: null, reasons: ['in_grace'] },
  L021B: { eligible: false, stage: null, reasons: ['not_overdue'] },
  L022: { eligible: true, stage: 'final', reasons: [] },
};

describeEachDialect('reminder cycle on the demo', (get) => {
  const byLoan = <T extends { loan: string }>(decisions: T[]): Record<string, T> =>
    Object.fromEntries(decisions.map((d) => [d.loan, d]));

  it('explains every demo loan at 10:00 local time', async () => {
    const { db } = get().connection;
    await seedDemo(db, SEEDED_AT);
    const report = await runReminderCycle(db, { now: AT_10, send: false });
    const decisions = byLoan(report.decisions);
    expect(Object.keys(decisions).sort()).toEqual(Object.keys(EXPECTED_AT_10).sort());
    for (const [loan, expected] of Object.entries(EXPECTED_AT_10)) {
      expect({ loan, ...decisions[loan] }).toMatchObject({ loan, ...expected });
    }
    expect(decisions.L018).toMatchObject({ timeZone: 'Asia/Hong_Kong' });
    // planning sent nothing
    expect(await db.selectFrom('messages').select('id').execute()).toHaveLength(0);
  });

  it('sends nothing at 23:30: every loan gets quiet_hours among its reasons', async () => {
    const { db } = get().connection;
    const report = await runReminderCycle(db, { now: AT_2330, send: true });
    expect(report.queued).toBe(0);
    for (const decision of report.decisions) {
      expect(decision.eligible).toBe(false);
      expect(decision.reasons).toContain('quiet_hours');
    }
  });

  it('queues and sends one reminder per eligible loan, and nothing more the same day', async () => {
    const connection = get().connection;
    const { db } = connection;
    const first = await runReminderCycle(db, { now: AT_10, send: true });
    const eligible = Object.entries(EXPECTED_AT_10)
      .filter(([, d]) => d.eligible)
      .map(([loan]) => loan);
    expect(first.queued).toBe(eligible.length);
    const report = await dispatchOutbox(connection, createDevOutboxProvider(db));
    expect(report).toMatchObject({ claimed: eligible.length, sent: eligible.length, failed: 0 });

    const second = await runReminderCycle(db, { now: new Date('2026-11-24T15:00:00+08:00'), send: true });
    expect(second.queued).toBe(0);
    for (const loan of eligible) expect(byLoan(second.decisions)[loan]?.reasons).toContain('daily_cap');
    expect(await dispatchOutbox(connection, createDevOutboxProvider(db))).toMatchObject({ claimed: 0 });

    const outbox = await listDevSms(db);
    expect(outbox).toHaveLength(eligible.length);
    expect(new Set(outbox.map((m) => m.messageId)).size).toBe(eligible.length);
    // B007 gets the final-notice text with its own amount: 1,000,000 + 15,000 + 1,000,000 × 100 × 0.0005
    const b007 = outbox.find((m) => m.to === '+8613800138007');
    expect(b007?.text).toContain('【青禾消费金融】');
    expect(b007?.text).toContain('¥10,650.00');
    expect(b007?.text).toContain('¥500.00');
    expect(b007?.text).toContain('逾期100天');
    expect(b007?.text).toMatch(/https:\/\/qhxf\.cn\/r\/[A-Za-z0-9_-]{24} /);
    // the English-speaking borrower gets English
    expect(outbox.find((m) => m.to === '+8613800138017')?.text).toMatch(/days overdue/);
  });

  it('records each message so it can be proved genuine later', async () => {
    const { db } = get().connection;
    const messages = await db.selectFrom('messages').selectAll().where('kind', '=', 'reminder').execute();
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      const token = /\/r\/([A-Za-z0-9_-]+)/.exec(message.body)?.[1] ?? '';
      expect(token.length).toBeGreaterThanOrEqual(22);
      expect(message.token_hash).toBe(hashToken(token));
      expect(message.body).not.toContain(message.token_hash ?? '-');
      expect(message.reference_code && parseReferenceCode(message.reference_code)).toBe(message.reference_code);
      expect(message.body).toContain(message.reference_code);
      expect(message.fingerprint).toBe(textFingerprint(message.body));
      expect(canonicalText(message.body)).not.toBe('');
      expect(message.status).toBe('sent');
      // links expire after the policy's 30 days
      expect(Date.parse(message.expires_at ?? '') - Date.parse(message.created_at)).toBe(30 * 86_400_000);
    }
  });

  it('sends again the next day, and stops at the weekly cap', async () => {
    const { db } = get().connection;
    const queuedLoans = (report: { decisions: Array<{ loan: string; messageId?: string }> }) =>
      report.decisions
        .filter((d) => d.messageId)
        .map((d) => d.loan)
        .sort();
    const eligibleOn24th = Object.keys(EXPECTED_AT_10).filter((loan) => EXPECTED_AT_10[loan]?.eligible);
    // 25th: the same eleven again, plus L021A (now 4 days overdue, past its 3 grace days)
    const day2 = await runReminderCycle(db, { now: new Date('2026-11-25T10:00:00+08:00'), send: true });
    expect(queuedLoans(day2)).toEqual([...eligibleOn24th, 'L021A'].sort());
    // 26th: plus L003 (due 11-22, now 4 days overdue)
    const day3 = await runReminderCycle(db, { now: new Date('2026-11-26T10:00:00+08:00'), send: true });
    expect(queuedLoans(day3)).toEqual([...eligibleOn24th, 'L003', 'L021A'].sort());
    // 27th: the first eleven have had 3 reminders in 7 days; only L003 and L021A may hear from us
    const day4 = await runReminderCycle(db, { now: new Date('2026-11-27T10:00:00+08:00'), send: true });
    expect(queuedLoans(day4)).toEqual(['L003', 'L021A']);
    expect(byLoan(day4.decisions).L007?.reasons).toEqual(['weekly_cap']);
  });

  it('never queues the same (loan, stage, day) twice, even when the caps would allow it', async () => {
    const { db } = get().connection;
    const lender = await findLenderBySlug(db, 'demo');
    if (!lender) throw new Error('demo lender missing');
    await upsertLender(
      db,
      { ...lender, reminders: { ...lender.reminders, dailyCap: 5, weeklyCap: 20 } },
      new Date().toISOString(),
    );
    const at = new Date('2026-11-28T10:00:00+08:00');
    const first = await runReminderCycle(db, { now: at, send: true });
    const again = await runReminderCycle(db, { now: new Date('2026-11-28T11:00:00+08:00'), send: true });
    expect(first.queued).toBeGreaterThan(0);
    expect(again.eligible).toBe(first.eligible);
    expect(again.queued).toBe(0);
  });
});
