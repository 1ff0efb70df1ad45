import { expect, it } from 'vitest';
import { issueCode } from '../../src/auth/one-time-codes.ts';
import { COOKIE_NAMES, readSession, startSession } from '../../src/auth/sessions.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import { DEFAULT_REMINDER_POLICY } from '../../src/core/reminder-policy.ts';
import { findLenderBySlug, upsertLender } from '../../src/db/repositories/lenders.ts';
import {
  accountLoan,
  accountLoans,
  completePhoneChange,
  contactHistory,
  maskText,
  nextPhoneChangeAt,
  reminderDecisions,
  updatePreferences,
} from '../../src/services/borrower-account.ts';
import { confirmCode, requestCode, signInWithCode } from '../../src/services/borrower-auth.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { getBorrower, putBorrower, putLoan } from '../../src/services/lender-api.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';
import { jar, recordingSms } from '../support/doubles.ts';
import { lenderProfile } from '../support/factories.ts';

const NOW = new Date('2026-11-24T03:00:00Z'); // 11:00 in Shanghai
const B005 = '+8613800138005';

describeEachDialect('borrower account', (get) => {
  const db = () => get().connection.db;

  it('seeds the demo and sends today’s reminders', async () => {
    const connection = get().connection;
    await seedDemo(connection.db, NOW);
    await runReminderCycle(connection.db, { now: NOW, send: true });
    await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
  });

  it('answers "send me a code" the same for known and unknown numbers, texting only the known one', async () => {
    const sms = recordingSms();
    const known = await requestCode(
      db(),
      sms,
      { purpose: 'sign_in', phone: B005, ip: '10.9.0.1', locale: 'zh-CN' },
      NOW,
    );
    const unknown = await requestCode(
      db(),
      sms,
      { purpose: 'sign_in', phone: '+8613900000000', ip: '10.9.0.1', locale: 'zh-CN' },
      NOW,
    );
    expect(known.ok && unknown.ok).toBe(true);
    expect(known.ok && unknown.ok).toBe(true);
    if (!known.ok || !unknown.ok) return;
    expect(Object.keys(known).sort()).toEqual(Object.keys(unknown).sort());
    await known.send();
    await unknown.send();
    expect(sms.sent.map((m) => m.to)).toEqual([B005]);
    expect(sms.sent[0]?.text).toMatch(/^【真信】验证码 \d{6}，用于登录真信/);
    const audit = await db()
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'borrower.code_sent')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
    const code = /(\d{6})/.exec(sms.sent[0]?.text ?? '')?.[1] ?? '';
    for (const row of audit) expect(row.details).not.toMatch(/\d{6}[^*]/);
    for (const row of audit) expect(row.details).not.toContain(code);
  });

  it('signs in with the texted code, marks the number verified, and refuses the unknown number', async () => {
    const sms = recordingSms();
    const asked = await requestCode(
      db(),
      sms,
      { purpose: 'sign_in', phone: '+8613800138010', ip: null, locale: 'en' },
      NOW,
    );
    if (!asked.ok) throw new Error('refused');
    await asked.send();
    const code = /(\d{6})/.exec(sms.sent[0]?.text ?? '')?.[1] ?? '';
    expect(sms.sent[0]?.text).toMatch(/^\[Zhenxin\] \d{6} is your code/);
    expect(await signInWithCode(db(), { phone: '+8613800138010', code, ip: null }, NOW)).toEqual({ ok: true });
    const phone = await db()
      .selectFrom('phone_numbers')
      .select('verified_at')
      .where('e164', '=', '+8613800138010')
      .where('is_current', '=', 1)
      .executeTakeFirstOrThrow();
    expect(phone.verified_at).not.toBeNull();

    // an unknown number: a code row exists, but no text went out, so nothing signs in
    const issued = await issueCode(db(), { purpose: 'sign_in', phone: '+8613911112222', ip: null }, NOW);
    if (!issued.ok) throw new Error('refused');
    expect((await signInWithCode(db(), { phone: '+8613911112222', code: issued.code, ip: null }, NOW)).ok).toBe(false);
  });

  it('audits a confirmed re-authentication, and a failed one with its reason', async () => {
    const sms = recordingSms();
    const phone = '+8613800138010';
    const ask = () =>
      requestCode(db(), sms, { purpose: 'reauth', phone, ip: '10.0.0.4', locale: 'en', requestedBy: phone }, NOW);
    const first = await ask();
    if (!first.ok) throw new Error('refused');
    await first.send();
    const code = /(\d{6})/.exec(sms.sent.at(-1)?.text ?? '')?.[1] ?? '';
    const wrong = code === '000000' ? '000001' : '000000';
    expect(
      (await confirmCode(db(), { purpose: 'reauth', phone, code: wrong, requestedBy: phone, ip: '10.0.0.4' }, NOW))
        .result,
    ).toBe('wrong');
    expect(
      (await confirmCode(db(), { purpose: 'reauth', phone, code, requestedBy: phone, ip: '10.0.0.4' }, NOW)).result,
    ).toBe('ok');
    const audit = await db()
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', 'in', ['borrower.reauth', 'borrower.code_failed'])
      .where('ip', '=', '10.0.0.4')
      .orderBy('at')
      .execute();
    expect(audit.map((a) => [a.action, JSON.parse(a.details)])).toEqual([
      ['borrower.code_failed', { purpose: 'reauth', phone: '138****8010', reason: 'wrong' }],
      ['borrower.reauth', {}],
    ]);
  });

  it('shows a person every loan they hold, with any lender on the service, and nobody else’s', async () => {
    const other = await upsertLender(db(), lenderProfile('anxin'), NOW.toISOString());
    const actor = { keyId: 'test', ip: null };
    await putBorrower(db(), other, actor, 'AX-1', { name: '刘洋', phone: '138 0013 8005', locale: 'zh-CN' }, NOW);
    await putLoan(
      db(),
      other,
      'AX-L1',
      {
        borrower: 'AX-1',
        currency: 'CNY',
        instalments: [{ dueDate: '2026-12-20', principal: 100000, interest: 1000 }],
      },
      NOW,
    );
    const loans = await accountLoans(db(), B005, NOW);
    expect(loans.map((l) => `${l.lender.slug}/${l.externalId}`).sort()).toEqual(['anxin/AX-L1', 'demo/L005']);
    const l005 = loans.find((l) => l.externalId === 'L005');
    expect(l005?.balance).toMatchObject({ asOf: '2026-11-24', daysOverdue: 15 });
    expect(l005?.instalments[0]?.explanation).toMatchObject({
      kind: 'simple',
      principal: 500_000,
      days: 15,
      amount: 3750,
    });
    expect(l005?.projections.map((p) => p.days)).toEqual([0, 7, 30, 60]);

    // someone else's loan id in the URL, a made-up one, a malformed one: all "not found"
    const l007 = await db()
      .selectFrom('loans')
      .select('id')
      .where('external_id', '=', 'L007')
      .executeTakeFirstOrThrow();
    for (const id of [l007.id, 'nope', '../../etc/passwd', '']) {
      await expect(accountLoan(db(), B005, id, NOW)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await accountLoan(db(), B005, l005?.id ?? '', NOW)).externalId).toBe('L005');
    expect(await accountLoans(db(), '+8613999999999', NOW)).toEqual([]);
  });

  it('lists the texts sent with the link cut short, and explains the engine’s decision', async () => {
    const history = await contactHistory(db(), B005);
    expect(history).toHaveLength(1);
    expect(history[0]?.text).toMatch(/\/r\/[A-Za-z0-9_-]{4}…/);
    expect(history[0]?.referenceCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const decisions = await reminderDecisions(db(), B005, NOW);
    const l005 = decisions.find((d) => d.loan === 'L005');
    // already reminded today: the daily cap says why not again
    expect(l005).toMatchObject({ eligible: false, reasons: ['daily_cap'] });
    const quiet = await reminderDecisions(db(), B005, new Date('2026-11-24T14:00:00Z'));
    expect(quiet.find((d) => d.loan === 'L005')?.reasons).toContain('quiet_hours');
    expect(maskText('call 13800138005 or +8613800138005', '+8613800138005')).toBe('call 138****8005 or 138****8005');
  });

  it('saves language, payday and opt-out on every record, and refuses an opt-out a lender forbids', async () => {
    await updatePreferences(db(), B005, { locale: 'en', payday: 31, optOut: false }, null, NOW);
    const rows = await db()
      .selectFrom('borrowers')
      .innerJoin('phone_numbers', 'phone_numbers.borrower_id', 'borrowers.id')
      .select(['borrowers.locale', 'borrowers.payday', 'borrowers.opted_out_at'])
      .where('phone_numbers.e164', '=', B005)
      .where('phone_numbers.is_current', '=', 1)
      .execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatchObject({ locale: 'en', payday: 31, opted_out_at: null });

    const strict = await upsertLender(
      db(),
      lenderProfile('strict', { reminders: { ...DEFAULT_REMINDER_POLICY, allowOptOut: false } }),
      NOW.toISOString(),
    );
    await putBorrower(
      db(),
      strict,
      { keyId: 'test', ip: null },
      'S-1',
      { name: '刘洋', phone: B005, locale: 'zh-CN' },
      NOW,
    );
    await expect(
      updatePreferences(db(), B005, { locale: 'en', payday: null, optOut: true }, null, NOW),
    ).rejects.toMatchObject({
      field: 'optOut',
    });
    const after = await db()
      .selectFrom('borrowers')
      .innerJoin('phone_numbers', 'phone_numbers.borrower_id', 'borrowers.id')
      .select(['borrowers.opted_out_at', 'borrowers.locale'])
      .where('phone_numbers.e164', '=', B005)
      .execute();
    expect(after).toHaveLength(3);
    // nothing changed on any record, including the two that would have allowed it
    expect(after.map((r) => r.opted_out_at)).toEqual([null, null, null]);
    expect(after.filter((r) => r.locale === 'en')).toHaveLength(2);
  });

  it('changes the number: every record moves, the old number is history, sessions end, a cooldown starts', async () => {
    const sms = recordingSms();
    const oldJar = jar();
    await startSession(db(), 'borrower', '+8613800138004', oldJar);
    expect(await readSession(db(), 'borrower', oldJar)).not.toBeNull();
    // mark the old number unreachable: the new one must start clean
    await db()
      .updateTable('phone_numbers')
      .set({ unreachable_at: NOW.toISOString() })
      .where('e164', '=', '+8613800138004')
      .execute();

    // a reminder queued for tomorrow morning, not yet sent when the number changes
    const later = new Date('2026-11-25T03:00:00Z');
    await runReminderCycle(db(), { now: later, send: true });
    const changed = await completePhoneChange(
      db(),
      sms,
      '+8613800138004',
      '+8613700137004',
      { lenders: ['demo'], suggested: ['demo'] },
      null,
      NOW,
    );
    expect(changed.records).toBe(1);
    await changed.notifyOldNumber();
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]).toMatchObject({ to: '+8613800138004' });
    expect(sms.sent[0]?.text).toContain('137****7004');

    const numbers = await db()
      .selectFrom('phone_numbers')
      .innerJoin('borrowers', 'borrowers.id', 'phone_numbers.borrower_id')
      .select([
        'phone_numbers.e164',
        'phone_numbers.is_current',
        'phone_numbers.verified_at',
        'phone_numbers.unreachable_at',
        'phone_numbers.source',
      ])
      .where('borrowers.external_id', '=', 'B004')
      .orderBy('phone_numbers.created_at')
      .execute();
    expect(numbers.map((n) => [n.e164, n.is_current, n.source])).toEqual([
      ['+8613800138004', 0, 'lender'],
      ['+8613700137004', 1, 'borrower'],
    ]);
    expect(numbers[1]?.verified_at).not.toBeNull();
    expect(numbers[1]?.unreachable_at).toBeNull();
    expect(await readSession(db(), 'borrower', oldJar)).toBeNull();
    expect(oldJar.values.has(COOKIE_NAMES.borrower)).toBe(false);
    expect(await accountLoans(db(), '+8613800138004', NOW)).toEqual([]);
    expect((await accountLoans(db(), '+8613700137004', NOW)).map((l) => l.externalId)).toEqual(['L004']);
    expect(await nextPhoneChangeAt(db(), '+8613700137004', NOW)).toEqual(new Date(NOW.getTime() + 24 * 3_600_000));

    // the queued reminder now goes to the new number, and the next cycle queues nothing more
    await runReminderCycle(db(), { now: later, send: true });
    const queued = await db()
      .selectFrom('messages')
      .innerJoin('borrowers', 'borrowers.id', 'messages.borrower_id')
      .select('messages.phone_e164')
      .where('borrowers.external_id', '=', 'B004')
      .where('messages.created_at', '>=', later.toISOString())
      .execute();
    expect(queued.map((m) => m.phone_e164)).toEqual(['+8613700137004']);
  });

  it('keeps the number the borrower chose when a lender’s sync sends the old one; takes a new one', async () => {
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('no demo lender');
    const actor = { keyId: 'key-1', ip: '10.0.0.9' };
    const { name } = await db()
      .selectFrom('borrowers')
      .select('name')
      .where('external_id', '=', 'B004')
      .executeTakeFirstOrThrow();
    const later = new Date('2026-11-25T05:00:00Z');

    // the nightly sync still has the number the borrower left, in another written form
    const sync = await putBorrower(db(), lender, actor, 'B004', { name, phone: '138 0013 8004' }, later);
    expect(sync.borrower).toMatchObject({ phone: '+8613700137004', phoneVerified: true, phoneSource: 'borrower' });
    expect(sync.phoneNotApplied).toEqual({
      phone: '+8613800138004',
      reason: 'changed_by_borrower',
      changedAt: NOW.toISOString(),
    });
    expect(await getBorrower(db(), lender, 'B004')).toEqual(sync.borrower);
    const kept = await db().selectFrom('audit_log').selectAll().where('action', '=', 'phone.kept').execute();
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0]?.details ?? '{}')).toEqual({
      offered: '138****8004',
      kept: '137****7004',
      reason: 'changed_by_borrower',
    });
    // reminders still go to the borrower's number, never the old one
    expect((await accountLoans(db(), '+8613700137004', later)).map((l) => l.externalId)).toEqual(['L004']);
    expect(await accountLoans(db(), '+8613800138004', later)).toEqual([]);

    // a number the borrower never left is the lender's to give
    const fresh = await putBorrower(db(), lender, actor, 'B004', { name, phone: '+86 136 0013 6004' }, later);
    expect(fresh.phoneNotApplied).toBeUndefined();
    expect(fresh.borrower).toMatchObject({ phone: '+8613600136004', phoneSource: 'lender' });
    // …and the old number stays refused after that, too
    const again = await putBorrower(db(), lender, actor, 'B004', { name, phone: '13800138004' }, later);
    expect(again.borrower.phone).toBe('+8613600136004');
    expect(again.phoneNotApplied?.reason).toBe('changed_by_borrower');
    await expect(getBorrower(db(), lender, 'B999')).rejects.toBeInstanceOf(NotFoundError);
  });
});

it('reads the settings form: a language, a payday 1–31 or none, the opt-out box; names every bad field', async () => {
  const { fieldProblems } = await import('../../src/core/validation.ts');
  const { preferencesFormSchema, signedInRecently } = await import('../../src/services/borrower-account.ts');
  expect(preferencesFormSchema.parse({ language: 'en', payday: '31', optOut: 'yes' })).toEqual({
    locale: 'en',
    payday: 31,
    optOut: true,
  });
  expect(preferencesFormSchema.parse({ language: 'zh-CN', payday: '' })).toEqual({
    locale: 'zh-CN',
    payday: null,
    optOut: false,
  });
  expect(Object.keys(fieldProblems(preferencesFormSchema, { language: 'fr', payday: '45' })).sort()).toEqual([
    'language',
    'payday',
  ]);
  for (const payday of ['0', '32', '1.5', 'x', '1e308']) {
    expect(Object.keys(fieldProblems(preferencesFormSchema, { language: 'en', payday })), payday).toEqual(['payday']);
  }
  const now = new Date('2026-11-24T03:00:00Z');
  expect(signedInRecently(new Date(now.getTime() - 9 * 60_000), now)).toBe(true);
  expect(signedInRecently(new Date(now.getTime() - 11 * 60_000), now)).toBe(false);
});
