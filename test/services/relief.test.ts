import { expect, it } from 'vitest';
import { checkText } from '../../src/core/checker/check.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.ts';
import { quoteFingerprint } from '../../src/core/relief.ts';
import { decisionText } from '../../src/core/relief-messages.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { dispatchOutbox } from '../../src/services/dispatcher.ts';
import { getBalance, postRepayment, putLoan } from '../../src/services/lender-api.ts';
import {
  decideRequest,
  quoteFor,
  reliefState,
  reviewCase,
  reviewQueue,
  submitRelief,
  withdrawRelief,
} from '../../src/services/relief.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { findActiveStaff, type StaffMember } from '../../src/services/staff-workbench.ts';
import { officialContactsOf, verify } from '../../src/services/verification.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import { describeEachDialect } from '../support/databases.ts';

const NOW = new Date('2026-11-24T03:00:00Z');
const phoneOf = (n: string) => `+86138001380${n}`;

describeEachDialect('more time: requests and decisions', (get) => {
  const db = () => get().connection.db;
  let staff: StaffMember;
  const loanId = async (ref: string) =>
    (await db().selectFrom('loans').select('id').where('external_id', '=', ref).executeTakeFirstOrThrow()).id;
  let key = 0;
  const form = (extra: Record<string, unknown>) => ({
    reasonCategory: 'income_delayed',
    reasonText: '工资推迟发放',
    idempotencyKey: `form-key-${String(key++).padStart(8, '0')}`,
    ...extra,
  });

  it('seeds the demo and a reviewer', async () => {
    await seedDemo(db(), NOW);
    const { id } = await createStaffUser(db(), 'reviewer@qinghe-xf.cn', 'reviewer password 1');
    staff = (await findActiveStaff(db(), id)) as StaffMember;
  });

  it('says what each loan may ask for, and why not', async () => {
    const l005 = await reliefState(db(), phoneOf('05'), await loanId('L005'), NOW);
    expect(l005.options.extension.eligible).toBe(true);
    expect(l005.options.plan.eligible).toBe(true);
    const l001 = await reliefState(db(), phoneOf('01'), await loanId('L001'), NOW);
    expect(l001.options.extension.reasons).toEqual(['not_overdue']);
    // B013 already asked (demo: a pending 15-day extension)
    const l013 = await reliefState(db(), phoneOf('13'), await loanId('L013'), NOW);
    expect(l013.options.extension.reasons).toContain('request_pending');
    // someone else's loan is simply not there
    await expect(reliefState(db(), phoneOf('05'), await loanId('L006'), NOW)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('submits once: a double submit or a replayed form gives the same request', async () => {
    const id = await loanId('L005');
    const state = await reliefState(db(), phoneOf('05'), id, NOW);
    const quote = quoteFor(state, 'extension', 15);
    const body = form({ kind: 'extension', length: '15', fingerprint: quoteFingerprint(quote) });
    const [a, b] = await Promise.all([
      submitRelief(db(), phoneOf('05'), id, body, null, NOW),
      submitRelief(db(), phoneOf('05'), id, body, null, NOW),
    ]);
    expect(a.id).toBe(b.id);
    expect((await submitRelief(db(), phoneOf('05'), id, body, null, NOW)).replayed).toBe(true);
    const rows = await db().selectFrom('requests').selectAll().where('loan_id', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'extension', status: 'pending', reason_category: 'income_delayed' });
    expect(JSON.parse(rows[0]?.quote ?? '{}').schedule).toEqual(quote.schedule);
    // a second, different form while one is pending
    await expect(
      submitRelief(db(), phoneOf('05'), id, form({ kind: 'plan', length: 3, fingerprint: 'x' }), null, NOW),
    ).rejects.toMatchObject({ code: 'not_eligible' });
  });

  it('pauses reminders while pending (request_pending)', async () => {
    const report = await runReminderCycle(db(), { now: NOW, send: false });
    expect(report.decisions.find((d) => d.loan === 'L005')?.reasons).toContain('request_pending');
  });

  it('refuses tampered and stale forms, and other people’s loans, changing nothing', async () => {
    const id = await loanId('L006');
    const state = await reliefState(db(), phoneOf('06'), id, NOW);
    const fingerprint = quoteFingerprint(quoteFor(state, 'plan', 6));
    const before = await db().selectFrom('requests').select('id').execute();
    await expect(
      submitRelief(db(), phoneOf('06'), id, form({ kind: 'plan', length: 5, fingerprint }), null, NOW),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      submitRelief(db(), phoneOf('06'), id, form({ kind: 'loan', length: 6, fingerprint }), null, NOW),
    ).rejects.toMatchObject({
      field: 'kind',
    });
    await expect(
      submitRelief(db(), phoneOf('06'), id, form({ kind: 'extension', length: 99, fingerprint }), null, NOW),
    ).rejects.toBeInstanceOf(ValidationError);
    // the preview was made yesterday: the amounts have moved on
    const stale = form({ kind: 'plan', length: 6, fingerprint });
    await expect(
      submitRelief(db(), phoneOf('06'), id, stale, null, new Date('2026-11-25T03:00:00Z')),
    ).rejects.toMatchObject({
      code: 'stale_quote',
    });
    await expect(
      submitRelief(db(), phoneOf('05'), id, form({ kind: 'plan', length: 6, fingerprint }), null, NOW),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await db().selectFrom('requests').select('id').execute()).toHaveLength(before.length);
  });

  it('lets the borrower withdraw while pending, and only then', async () => {
    const id = await loanId('L004');
    const state = await reliefState(db(), phoneOf('04'), id, NOW);
    const { id: requestId } = await submitRelief(
      db(),
      phoneOf('04'),
      id,
      form({ kind: 'extension', length: 7, fingerprint: quoteFingerprint(quoteFor(state, 'extension', 7)) }),
      null,
      NOW,
    );
    await expect(withdrawRelief(db(), phoneOf('05'), requestId, null, NOW)).rejects.toBeInstanceOf(ConflictError);
    await withdrawRelief(db(), phoneOf('04'), requestId, null, NOW);
    await expect(withdrawRelief(db(), phoneOf('04'), requestId, null, NOW)).rejects.toMatchObject({
      code: 'not_pending',
    });
    await expect(decideRequest(db(), staff, requestId, { decision: 'approve' }, null, NOW)).rejects.toMatchObject({
      code: 'already_decided',
    });
  });

  it('shows the queue oldest first, and the case with its history and a fresh quote', async () => {
    const queue = await reviewQueue(db(), staff, { status: 'pending' }, NOW);
    expect(queue.map((q) => q.loanRef)).toEqual(['L013', 'L005']);
    expect(queue[0]?.borrowerName).toMatch(/^.\*+$/);
    expect(queue[0]?.ageMinutes).toBe(2 * 24 * 60); // the demo's request made two days before
    const onlyPlans = await reviewQueue(db(), staff, { status: 'pending', kind: 'plan' }, NOW);
    expect(onlyPlans).toEqual([]);
    const l005 = queue.find((q) => q.loanRef === 'L005');
    const review = await reviewCase(db(), staff, l005?.id ?? '', NOW);
    expect(review.length).toBe(15);
    expect(review.currentQuote?.schedule).toEqual(review.askedQuote?.schedule);
    expect(review.blocked).toBeNull();
  });

  it('approves: the schedule is replaced, penalty stops, reminders say plan_active, and a verifiable SMS goes out', async () => {
    const id = await loanId('L005');
    const [request] = await db().selectFrom('requests').selectAll().where('loan_id', '=', id).execute();
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender || !request) throw new Error('missing');
    const before = await getBalance(db(), lender, 'L005', {}, NOW);
    const decided = await decideRequest(db(), staff, request.id, { decision: 'approve', note: '' }, '10.0.0.5', NOW);
    expect(decided.status).toBe('approved');
    const after = await getBalance(db(), lender, 'L005', {}, NOW);
    // owed now: the same plus the fee, nothing overdue, due in 15 days
    expect(after.total).toBe(before.total + (decided.quote?.cost ?? 0));
    expect(after.daysOverdue).toBe(0);
    expect(after.instalments).toEqual([
      {
        dueDate: '2026-12-09',
        principal: 500_000,
        interest: expect.any(Number),
        penalty: 0,
        status: 'upcoming',
        daysOverdue: 0,
      },
    ]);
    // penalty does not grow while the extension runs
    expect((await getBalance(db(), lender, 'L005', { asOf: '2026-12-09' }, NOW)).penalty).toBe(0);
    const report = await runReminderCycle(db(), { now: NOW, send: false });
    expect(report.decisions.find((d) => d.loan === 'L005')?.reasons).toEqual(['not_overdue', 'plan_active']);
    // …until the new date passes unpaid
    const late = await runReminderCycle(db(), { now: new Date('2026-12-20T03:00:00Z'), send: false });
    expect(late.decisions.find((d) => d.loan === 'L005')?.stage).not.toBeNull();
    expect(late.decisions.find((d) => d.loan === 'L005')?.stage).toEqual(expect.any(String));

    // the decision SMS is sent through the outbox, and checks as genuine
    await dispatchOutbox(get().connection, createDevOutboxProvider(db()));
    const sms = await db().selectFrom('dev_sms_outbox').select('text').where('to', '=', phoneOf('05')).execute();
    const text = sms.map((s) => s.text).find((t) => t.includes('延期还款申请已通过')) ?? '';
    expect(text).toMatch(/首期应还¥[\d,.]+，还款日12月9日/);
    // a provider with registered templates (Aliyun) gets every variable part, not just the code
    const decision = await db()
      .selectFrom('messages')
      .select(['template_key', 'template_params', 'reference_code'])
      .where('kind', '=', 'decision')
      .where('body', '=', text)
      .executeTakeFirstOrThrow();
    expect(decision.template_key).toBe('decision.approved.zh-CN');
    expect(JSON.parse(decision.template_params ?? '{}')).toEqual({
      what: '延期还款',
      amount: expect.stringMatching(/^¥[\d,]+\.\d\d$/),
      date: '12月9日',
      link: expect.stringMatching(/^https:\/\/qhxf\.cn\/r\//),
      code: decision.reference_code,
      hotline: '400-186-5533',
    });
    expect((await verify(db(), { text }, 'zh-CN', NOW)).answer.verdict).toBe('genuine');
    const audit = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'staff.request_decided')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: staff.id, ip: '10.0.0.5' });
  });

  it('keeps an approved schedule: the lender may send it unchanged, not replace it', async () => {
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('missing');
    const current = await db()
      .selectFrom('instalments')
      .select(['due_date', 'principal', 'interest'])
      .where('loan_id', '=', await loanId('L005'))
      .orderBy('seq')
      .execute();
    const same = current.map((i) => ({ dueDate: i.due_date, principal: i.principal, interest: i.interest }));
    await expect(
      putLoan(
        db(),
        lender,
        'L005',
        {
          borrower: 'B005',
          currency: 'CNY',
          instalments: [{ dueDate: '2026-11-09', principal: 500_000, interest: 7_500 }],
        },
        NOW,
      ),
    ).rejects.toMatchObject({ code: 'restructured', field: 'instalments' });
    expect(
      (await putLoan(db(), lender, 'L005', { borrower: 'B005', currency: 'CNY', instalments: same }, NOW)).created,
    ).toBe(false);
  });

  it('rejects with a reason, and reminders resume', async () => {
    const [request] = await db()
      .selectFrom('requests')
      .selectAll()
      .where('loan_id', '=', await loanId('L013'))
      .execute();
    await expect(
      decideRequest(db(), staff, request?.id ?? '', { decision: 'reject' }, null, NOW),
    ).rejects.toMatchObject({
      field: 'note',
    });
    await decideRequest(db(), staff, request?.id ?? '', { decision: 'reject', note: '本月已展期过' }, null, NOW);
    const stored = await db()
      .selectFrom('requests')
      .select('status')
      .where('id', '=', request?.id ?? '')
      .executeTakeFirst();
    expect(stored?.status).toBe('rejected');
    const report = await runReminderCycle(db(), { now: NOW, send: false });
    expect(report.decisions.find((d) => d.loan === 'L013')?.reasons).not.toContain('request_pending');
    await expect(
      decideRequest(db(), staff, request?.id ?? '', { decision: 'approve' }, null, NOW),
    ).rejects.toMatchObject({
      code: 'already_decided',
    });
  });

  it('a plan re-spreads the overdue balance into monthly instalments that add up exactly', async () => {
    const id = await loanId('L007');
    const state = await reliefState(db(), phoneOf('07'), id, NOW);
    expect(state.options.plan.reasons).toEqual(['too_late']); // 100 days overdue, over the 90-day limit
    const l006 = await loanId('L006');
    const s6 = await reliefState(db(), phoneOf('06'), l006, NOW);
    const quote = quoteFor(s6, 'plan', 6);
    const { id: requestId } = await submitRelief(
      db(),
      phoneOf('06'),
      l006,
      form({ kind: 'plan', length: 6, fingerprint: quoteFingerprint(quote) }),
      null,
      NOW,
    );
    const decided = await decideRequest(db(), staff, requestId, { decision: 'approve' }, null, NOW);
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('missing');
    const balance = await getBalance(db(), lender, 'L006', {}, NOW);
    expect(balance.instalments.map((i) => i.dueDate)).toEqual([
      '2026-12-24',
      '2027-01-24',
      '2027-02-24',
      '2027-03-24',
      '2027-04-24',
      '2027-05-24',
    ]);
    // the overdue principal is amortized; overdue interest and penalty stay interest
    expect(balance.principal).toBe(s6.options.overdue.principal);
    expect(balance.total).toBe(s6.options.overdue.total + (decided.quote?.cost ?? 0));
  });

  it('a repayment racing an approval is counted exactly once, before or after', async () => {
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('missing');
    const id = await loanId('L016');
    const state = await reliefState(db(), phoneOf('16'), id, NOW);
    const { id: requestId } = await submitRelief(
      db(),
      phoneOf('16'),
      id,
      form({ kind: 'extension', length: 10, fingerprint: quoteFingerprint(quoteFor(state, 'extension', 10)) }),
      null,
      NOW,
    );
    const before = await getBalance(db(), lender, 'L016', {}, NOW);
    const [decided] = await Promise.all([
      // the reviewer has confirmed that the amounts may differ from the preview
      decideRequest(db(), staff, requestId, { decision: 'approve', acceptChanged: 'yes' }, null, NOW),
      postRepayment(db(), lender, 'L016', { amount: 100_000, paidOn: '2026-11-24', idempotencyKey: 'race-1' }, NOW),
    ]);
    const loan = await db().selectFrom('loans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const repayment = await db()
      .selectFrom('repayments')
      .selectAll()
      .where('idempotency_key', '=', 'race-1')
      .executeTakeFirstOrThrow();
    const after = await getBalance(db(), lender, 'L016', {}, NOW);
    const fee = decided.quote?.cost ?? 0;
    if (repayment.seq <= (loan.schedule_after_seq ?? -1)) {
      // the repayment got the lock first: the extension was worked out on the smaller balance
      expect(decided.quote?.financed).toBe(state.options.overdue.total - 100_000);
    } else {
      // the approval got it first: the repayment went to the new schedule
      expect(decided.quote?.financed).toBe(state.options.overdue.total);
    }
    // either way, what is owed is the old total plus the fee minus the repayment, once
    expect(after.total).toBe(before.total + fee - 100_000);
  });

  it('needs the reviewer to confirm when the amounts changed since the preview, and refuses future-dated repayments', async () => {
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('missing');
    const id = await loanId('L017');
    const state = await reliefState(db(), phoneOf('17'), id, NOW);
    const { id: requestId } = await submitRelief(
      db(),
      phoneOf('17'),
      id,
      form({ kind: 'extension', length: 7, fingerprint: quoteFingerprint(quoteFor(state, 'extension', 7)) }),
      null,
      NOW,
    );
    await postRepayment(db(), lender, 'L017', { amount: 50_000, paidOn: '2026-11-30', idempotencyKey: 'later-1' }, NOW);
    await expect(
      decideRequest(db(), staff, requestId, { decision: 'approve', acceptChanged: 'yes' }, null, NOW),
    ).rejects.toMatchObject({
      code: 'future_repayment',
    });
    // a day later the amounts differ from the preview
    await expect(
      decideRequest(db(), staff, requestId, { decision: 'approve' }, null, new Date('2026-12-01T03:00:00Z')),
    ).rejects.toMatchObject({
      code: 'quote_changed',
    });
    expect((await reviewCase(db(), staff, requestId, new Date('2026-12-01T03:00:00Z'))).changed).toBe(true);
    const decided = await decideRequest(
      db(),
      staff,
      requestId,
      { decision: 'approve', acceptChanged: 'yes' },
      null,
      new Date('2026-12-01T03:00:00Z'),
    );
    expect(decided.status).toBe('approved');
    // and the repayments made before stay settled: a new one is recorded after them
    const answer = await postRepayment(
      db(),
      lender,
      'L017',
      { amount: 1_000, paidOn: '2026-12-01', idempotencyKey: 'after-1' },
      new Date('2026-12-01T03:00:00Z'),
    );
    expect(answer.status).toBe(201);
    const seqs = (
      await db().selectFrom('repayments').select('seq').where('loan_id', '=', id).orderBy('seq').execute()
    ).map((r) => r.seq);
    expect(seqs).toEqual([0, 1]);
  });

  it('decision texts carry no scam sign', () => {
    const lender = { smsSignature: '青禾消费金融', hotlines: [{ number: '400-186-5533', hours: '' }] };
    const officials = [
      officialContactsOf({
        id: 'x',
        slug: 'demo',
        name: '青禾消费金融',
        nameEn: 'Qinghe',
        smsSignature: '青禾消费金融',
        domains: ['qinghe-xf.cn'],
        shortLinkDomain: 'qhxf.cn',
        hotlines: lender.hotlines,
        repaymentChannels: [],
        widgetOrigins: [],
      } as never),
    ];
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const approved of [true, false]) {
        for (const kind of ['extension', 'plan'] as const) {
          const text = decisionText(lender, {
            kind,
            approved,
            locale,
            currency: 'CNY',
            firstDue: { date: '2026-12-09', amount: 512_345 },
            link: 'https://qhxf.cn/r/AbCdEfGhIjKlMnOpQrStUvWx',
            code: 'K7QX-92M8',
          });
          const result = checkText(text, officials);
          expect(
            result.indicators.map((i) => i.id),
            text,
          ).toEqual([]);
        }
      }
    }
  });
});
