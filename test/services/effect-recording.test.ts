import { expect, it } from 'vitest';
import { addDays, instantAt } from '../../src/core/dates.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { buildEffectReport } from '../../src/services/effect-report.ts';
import { putBorrower, putLoan } from '../../src/services/lender-api.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { lookUpShortLink } from '../../src/services/short-links.ts';
import { verify } from '../../src/services/verification.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';

// What the effect report counts is recorded where it happens: the first visit of a link, the first
// genuine check, and the loans a real reminder cycle held back by a cap or the hour.

const DAY = '2026-06-15';
const TZ = 'Asia/Shanghai';
const AT_10 = instantAt(DAY, '10:00', TZ);
const actor = { keyId: 'test', ip: null };

describeEachDialect('recording what the effect report counts', (get) => {
  const db = () => get().connection.db;

  async function lenderWithOverdueLoans(slug: string, loans: string[]) {
    const lender = await upsertLender(db(), lenderProfile(slug), AT_10.toISOString());
    await putBorrower(db(), lender, actor, `${slug}-B`, { name: '王芳', phone: '138 0013 8123' }, AT_10);
    for (const loan of loans) {
      await putLoan(
        db(),
        lender,
        loan,
        {
          borrower: `${slug}-B`,
          currency: 'CNY',
          // 12 days overdue: the firm stage
          instalments: [{ dueDate: addDays(DAY, -12), principal: 100_000, interest: 2_000 }],
        },
        AT_10,
      );
    }
    return lender;
  }

  const holdbacksOf = (lenderId: string) =>
    db()
      .selectFrom('reminder_holdbacks')
      .select(['loan_id', 'local_date', 'stage', 'reasons'])
      .where('lender_id', '=', lenderId)
      .orderBy('loan_id')
      .execute();

  it('records the loans a cycle held back by a cap or the hour, once, and only when it sends', async () => {
    // One borrower, two overdue loans, a daily cap of 1: the second loan is held back by the cap.
    const lender = await lenderWithOverdueLoans('rec-cap', ['CAP-1', 'CAP-2']);
    expect(lender.reminders.dailyCap).toBe(1);

    await runReminderCycle(db(), { now: AT_10, lender: lender.slug, send: false });
    expect(await holdbacksOf(lender.id)).toEqual([]);

    const first = await runReminderCycle(db(), { now: AT_10, lender: lender.slug, send: true });
    expect(first.queued).toBe(1);
    const held = first.decisions.find((d) => !d.eligible);
    expect(held).toMatchObject({ stage: 'firm', reasons: ['daily_cap'] });
    const loanIds = await db()
      .selectFrom('loans')
      .select(['id', 'external_id'])
      .where('lender_id', '=', lender.id)
      .execute();
    const heldId = loanIds.find((l) => l.external_id === held?.loan)?.id;
    expect(await holdbacksOf(lender.id)).toEqual([
      { loan_id: heldId, local_date: DAY, stage: 'firm', reasons: '["daily_cap"]' },
    ]);

    // An hour later both loans are capped: the reminded one is recorded too, but the report leaves it
    // out of the comparison (it was reminded that day). A second run writes nothing twice.
    await runReminderCycle(db(), { now: instantAt(DAY, '11:00', TZ), lender: lender.slug, send: true });
    await runReminderCycle(db(), { now: instantAt(DAY, '11:00', TZ), lender: lender.slug, send: true });
    expect(await holdbacksOf(lender.id)).toHaveLength(2);
    await dispatchOutbox(get().connection, createDevOutboxProvider(db()));
    const report = await buildEffectReport(db(), lender, { from: DAY, to: DAY });
    expect(report.rows).toMatchObject([{ date: DAY, stage: 'firm', sent: 1 }]);
    expect(report.comparison).toMatchObject([{ date: DAY, stage: 'firm', heldBack: 1, heldBackRepaid7d: 0 }]);
  });

  it('records a loan that waits for the morning (quiet hours) on its borrower-local day', async () => {
    const lender = await lenderWithOverdueLoans('rec-night', ['NIGHT-1']);
    const cycle = await runReminderCycle(db(), { now: instantAt(DAY, '23:30', TZ), lender: lender.slug, send: true });
    expect(cycle.queued).toBe(0);
    expect(await holdbacksOf(lender.id)).toMatchObject([
      { local_date: DAY, stage: 'firm', reasons: '["quiet_hours"]' },
    ]);
  });

  it('does not record a loan held back for any other reason', async () => {
    const lender = await lenderWithOverdueLoans('rec-other', ['OTHER-1']);
    await db()
      .updateTable('borrowers')
      .set({ opted_out_at: AT_10.toISOString() })
      .where('lender_id', '=', lender.id)
      .execute();
    const cycle = await runReminderCycle(db(), { now: AT_10, lender: lender.slug, send: true });
    expect(cycle.decisions[0]?.reasons).toEqual(['opted_out']);
    expect(await holdbacksOf(lender.id)).toEqual([]);
  });

  it('marks the first open of a genuine link and the first genuine check, once each', async () => {
    const lender = await lenderWithOverdueLoans('rec-open', ['OPEN-1']);
    await runReminderCycle(db(), { now: AT_10, lender: lender.slug, send: true });
    await dispatchOutbox(get().connection, createDevOutboxProvider(db()));
    const message = await db()
      .selectFrom('messages')
      .select(['id', 'body', 'reference_code', 'phone_e164'])
      .where('lender_id', '=', lender.id)
      .executeTakeFirstOrThrow();
    const token = /\/r\/([A-Za-z0-9_-]+)/.exec(message.body)?.[1] ?? '';
    const marks = () =>
      db()
        .selectFrom('messages')
        .select(['opened_at', 'verified_at'])
        .where('id', '=', message.id)
        .executeTakeFirstOrThrow();

    // an unknown token and a scam text mark nothing
    await lookUpShortLink(db(), 'A'.repeat(24), 'rec-open.cn', AT_10);
    await verify(db(), { text: '【rec-open金融】请将欠款转入安全账户6222020200001234567' }, 'zh-CN', AT_10);
    expect(await marks()).toEqual({ opened_at: null, verified_at: null });

    const firstVisit = instantAt(DAY, '10:05', TZ);
    expect((await lookUpShortLink(db(), token, 'rec-open.cn', firstVisit)).state).toBe('genuine');
    await lookUpShortLink(db(), token, 'rec-open.cn', instantAt(DAY, '12:00', TZ));
    // following the link is an open, not a check
    expect(await marks()).toEqual({ opened_at: firstVisit.toISOString(), verified_at: null });

    const firstCheck = instantAt(DAY, '10:30', TZ);
    const byCode = await verify(
      db(),
      { code: message.reference_code ?? '', phoneLast4: message.phone_e164.slice(-4) },
      'zh-CN',
      firstCheck,
    );
    expect(byCode.answer.verdict).toBe('genuine');
    expect(
      (await verify(db(), { link: `https://rec-open.cn/r/${token}` }, 'zh-CN', instantAt(DAY, '11:00', TZ))).answer
        .verdict,
    ).toBe('genuine');
    expect((await verify(db(), { text: message.body }, 'zh-CN', instantAt(DAY, '11:30', TZ))).answer.verdict).toBe(
      'genuine',
    );
    expect(await marks()).toEqual({ opened_at: firstVisit.toISOString(), verified_at: firstCheck.toISOString() });

    const report = await buildEffectReport(db(), lender, { from: DAY, to: DAY });
    expect(report.totals).toMatchObject({ sent: 1, opened: 1, verified: 1 });
  });

  it('counts neither an open nor a check of an expired link', async () => {
    const lender = await lenderWithOverdueLoans('rec-expired', ['EXP-1']);
    await runReminderCycle(db(), { now: AT_10, lender: lender.slug, send: true });
    await dispatchOutbox(get().connection, createDevOutboxProvider(db()));
    const message = await db()
      .selectFrom('messages')
      .select(['id', 'body'])
      .where('lender_id', '=', lender.id)
      .executeTakeFirstOrThrow();
    const token = /\/r\/([A-Za-z0-9_-]+)/.exec(message.body)?.[1] ?? '';
    const muchLater = new Date(AT_10.getTime() + 60 * 86_400_000);
    expect((await lookUpShortLink(db(), token, 'rec-expired.cn', muchLater)).state).toBe('expired');
    expect((await verify(db(), { link: `https://rec-expired.cn/r/${token}` }, 'zh-CN', muchLater)).answer.verdict).toBe(
      'expired',
    );
    const marks = await db()
      .selectFrom('messages')
      .select(['opened_at', 'verified_at'])
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    expect(marks).toEqual({ opened_at: null, verified_at: null });
  });
});
