import { expect, it } from 'vitest';
import type { LenderProfile } from '../../src/core/lender.ts';
import { listHoldersWithLender } from '../../src/db/repositories/inbound-messages.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { isCurrentNumber } from '../../src/db/repositories/people.ts';
import { accountLoans, changePhone, completePhoneChange } from '../../src/services/borrower-account.ts';
import { buildEffectReport } from '../../src/services/effect-report.ts';
import {
  getBalance,
  getBorrower,
  getRequests,
  postRepayment,
  putBorrower,
  putLoan,
} from '../../src/services/lender-api.ts';
import { phoneHolders } from '../../src/services/phone-recipients.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import type { SmsProvider } from '../../src/sms/provider.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';

// A person whose number four lenders hold: the new number reaches only the lenders they tick.
// Nothing any other lender's key can read — its borrower, balances, requests, report — carries
// the new number, and no reminder of theirs goes to it (nor to the number the person left).

const NOW = new Date('2026-11-24T03:00:00Z'); // 11:00 in Shanghai
const OLD = '+8613800138031';
const NEW = '+8613700137031';
/** Every form the new number could take in an answer. */
const TRACES = ['+8613700137031', '13700137031', '137****7031', '137 0013 7031'];
const actor = { keyId: 'test', ip: null };

const silentSms: SmsProvider = {
  name: 'silent',
  async send(message) {
    return { outcome: 'sent', providerMessageId: message.messageId };
  },
  async lookup() {
    return { found: false };
  },
};

describeEachDialect('a new number reaches only the lenders chosen', (get) => {
  const db = () => get().connection.db;
  const lenders: Record<string, LenderProfile> = {};

  async function borrowerWithLoan(slug: string, dueDate: string) {
    const lender = await upsertLender(db(), lenderProfile(slug), NOW.toISOString());
    lenders[slug] = lender;
    // a second apart: the person's records are listed oldest first
    const at = new Date(NOW.getTime() - 60_000 + Object.keys(lenders).length * 1000);
    await putBorrower(db(), lender, actor, `${slug}-B`, { name: '刘洋', phone: '138 0013 8031' }, at);
    await putLoan(
      db(),
      lender,
      `${slug}-L`,
      { borrower: `${slug}-B`, currency: 'CNY', instalments: [{ dueDate, principal: 100000, interest: 1000 }] },
      NOW,
    );
  }

  it('ticks by default only the lenders owed money on a loan not disputed, and says what each holds', async () => {
    await borrowerWithLoan('qinghe', '2026-11-12'); // 12 days overdue
    await borrowerWithLoan('anxin', '2026-11-04'); // 20 days overdue
    await borrowerWithLoan('yuan', '2026-10-01');
    await postRepayment(db(), lenders.yuan as LenderProfile, 'yuan-L', {
      amount: 101000,
      paidOn: '2026-10-01',
      idempotencyKey: 'yuan-paid',
    });
    await borrowerWithLoan('hexin', '2026-12-20');
    await db()
      .updateTable('borrowers')
      .set({ disputed_at: NOW.toISOString() })
      .where('external_id', '=', 'hexin-B')
      .execute();
    const holders = await phoneHolders(db(), OLD, NOW);
    expect(
      holders.map((h) => [h.lender.slug, h.loans, h.openLoans, h.daysOverdue, h.disputed, h.share, h.reason]),
    ).toEqual([
      ['qinghe', 1, 1, 12, false, true, null],
      ['anxin', 1, 1, 20, false, true, null],
      ['yuan', 1, 0, 0, false, false, 'no_open_loan'],
      ['hexin', 1, 1, 0, true, false, 'disputed'],
    ]);
  });

  it('V8.4.1 a new number reaches only the lender ticked; every other key sees the old state, audited masked', async () => {
    // today's reminders queued to the old number before the change
    await runReminderCycle(db(), { now: NOW, send: true });
    const anxin = lenders.anxin as LenderProfile;
    const before = await getBorrower(db(), anxin, 'anxin-B');
    expect(before.phone).toBe(OLD);

    // the person ticks only 青禾 (unticking 安心, which the screen ticked)
    const later = new Date(NOW.getTime() + 60_000);
    const change = await completePhoneChange(
      db(),
      silentSms,
      OLD,
      NEW,
      { lenders: ['qinghe'], suggested: ['qinghe', 'anxin'] },
      '10.0.0.7',
      later,
    );
    expect(change).toMatchObject({ records: 1, sharedWith: ['qinghe'], withheldFrom: ['anxin', 'yuan', 'hexin'] });

    expect(await getBorrower(db(), lenders.qinghe as LenderProfile, 'qinghe-B')).toMatchObject({
      phone: NEW,
      phoneSource: 'borrower',
      phoneVerified: true,
    });
    // the others: exactly what they saw before, whatever they ask
    for (const slug of ['anxin', 'yuan', 'hexin']) {
      const lender = lenders[slug] as LenderProfile;
      const answers = [
        await getBorrower(db(), lender, `${slug}-B`),
        await putBorrower(db(), lender, actor, `${slug}-B`, { name: '刘洋', phone: '138 0013 8031' }, later),
        await getBalance(db(), lender, `${slug}-L`, {}, later),
        await getRequests(db(), lender, {}),
        await buildEffectReport(db(), lender, { from: '2026-11-01', to: '2026-11-30' }),
      ];
      const text = JSON.stringify(answers);
      for (const trace of TRACES) expect(text, `${slug} learns ${trace}`).not.toContain(trace);
      expect(answers[0]).toMatchObject({ phone: OLD, phoneSource: 'lender' });
    }
    expect(await getBorrower(db(), anxin, 'anxin-B')).toEqual(before);

    // the person is now the new number with 青禾 only; the old number signs nobody in
    expect((await accountLoans(db(), NEW, later)).map((l) => l.externalId)).toEqual(['qinghe-L']);
    expect(await accountLoans(db(), OLD, later)).toEqual([]);
    expect(await phoneHolders(db(), OLD, later)).toEqual([]);
    expect(await isCurrentNumber(db(), OLD)).toBe(false); // no sign-in code goes to it
    expect(await listHoldersWithLender(db(), OLD)).toEqual([]); // what it texts is no one's word

    const audit = await db()
      .selectFrom('audit_log')
      .select(['action', 'subject', 'details', 'ip'])
      .where('action', 'like', 'borrower.phone_%')
      .orderBy('action')
      .orderBy('details')
      .execute();
    expect(audit.map((a) => [a.action, JSON.parse(a.details)])).toEqual([
      [
        'borrower.phone_changed',
        {
          from: '138****8031',
          to: '137****7031',
          records: 1,
          sharedWith: ['qinghe'],
          withheldFrom: ['anxin', 'yuan', 'hexin'],
        },
      ],
      ['borrower.phone_shared', { lender: 'qinghe', from: '138****8031', to: '137****7031', byDefault: true }],
      ['borrower.phone_withheld', { lender: 'anxin', kept: '138****8031', byDefault: false }],
      ['borrower.phone_withheld', { lender: 'hexin', kept: '138****8031', byDefault: true }],
      ['borrower.phone_withheld', { lender: 'yuan', kept: '138****8031', byDefault: true }],
    ]);
    expect(audit.every((a) => a.ip === '10.0.0.7')).toBe(true);
    expect(audit.filter((a) => a.subject?.startsWith('borrower:'))).toHaveLength(4);
    const all = JSON.stringify(await db().selectFrom('audit_log').selectAll().execute());
    for (const whole of [OLD, NEW, '13800138031', '13700137031']) expect(all).not.toContain(whole);
  });

  it('sends reminders to the new number only for the lender chosen; the other gets phone_unreachable', async () => {
    const messages = () =>
      db()
        .selectFrom('messages')
        .innerJoin('loans', 'loans.id', 'messages.loan_id')
        .select(['loans.external_id as loan', 'messages.phone_e164 as to', 'messages.status', 'messages.created_at'])
        .orderBy('messages.created_at')
        .orderBy('loans.external_id')
        .execute();
    // what was queued before the change: 青禾's now goes to the new number, 安心's never goes
    expect((await messages()).map((m) => [m.loan, m.to, m.status])).toEqual([
      ['anxin-L', OLD, 'cancelled'],
      ['qinghe-L', NEW, 'queued'],
    ]);
    const tomorrow = new Date('2026-11-25T03:00:00Z');
    const plan = await runReminderCycle(db(), { now: tomorrow, send: true });
    const decision = (loan: string) => plan.decisions.find((d) => d.loan === loan);
    expect(decision('qinghe-L')).toMatchObject({ eligible: true });
    expect(decision('anxin-L')).toMatchObject({ eligible: false, reasons: ['phone_unreachable'] });
    const sent = (await messages()).filter((m) => m.created_at >= tomorrow.toISOString());
    expect(sent.map((m) => [m.loan, m.to])).toEqual([['qinghe-L', NEW]]);
  });

  it('refuses a choice naming no lender that holds the number, and changes nothing', async () => {
    const choice = { lenders: ['nobody'], suggested: [] };
    await expect(changePhone(db(), NEW, '+8613600136031', choice, null, NOW)).rejects.toMatchObject({
      code: 'no_recipient',
      field: 'lenders',
    });
    expect((await accountLoans(db(), NEW, NOW)).map((l) => l.externalId)).toEqual(['qinghe-L']);
  });
});
