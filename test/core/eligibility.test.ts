import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBalance, type InstalmentTerms, type LoanBalance, type RepaymentEntry } from '../../src/core/balance.ts';
import {
  decideEligibility,
  type EligibilityInput,
  nextPayday,
  REASON_CODES,
  type ReasonCode,
} from '../../src/core/eligibility.ts';
import { DEFAULT_MONEY_POLICY, type MoneyPolicy } from '../../src/core/policy.ts';
import { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from '../../src/core/reminder-policy.ts';

// Expected values are worked out by hand from the rules (DESIGN.md §5, CONTRACT.md reason codes,
// the defaults in reminder-policy.ts); the date arithmetic is written beside each case.

const SHANGHAI = 'Asia/Shanghai';
const money = (overrides: Partial<MoneyPolicy> = {}): MoneyPolicy => ({ ...DEFAULT_MONEY_POLICY, ...overrides });
const reminders = (overrides: Partial<ReminderPolicy> = {}): ReminderPolicy => ({
  ...DEFAULT_REMINDER_POLICY,
  ...overrides,
});

/** ¥3,000 principal + ¥82.50 interest, due 2026-11-10: day N overdue is 2026-11-(10 + N). */
const DUE = '2026-11-10';
const ONE: InstalmentTerms[] = [{ dueDate: DUE, principal: 300_000, interest: 8_250 }];

const balanceOn = (
  asOf: string,
  terms: readonly InstalmentTerms[] = ONE,
  repayments: readonly RepaymentEntry[] = [],
  policy: MoneyPolicy = money(),
): LoanBalance => computeBalance(terms, repayments, policy, asOf);

const calm = (overrides: Partial<EligibilityInput['borrower']> = {}): EligibilityInput['borrower'] => ({
  optedOut: false,
  disputed: false,
  payday: null,
  ...overrides,
});

/** A borrower in Shanghai who may be reminded at 10:00 local time on `asOf`, unless overridden. */
function input(asOf: string, overrides: Partial<EligibilityInput> = {}): EligibilityInput {
  return {
    now: new Date(`${asOf}T10:00:00+08:00`),
    balance: balanceOn(asOf),
    graceDays: 3,
    policy: DEFAULT_REMINDER_POLICY,
    borrower: calm(),
    phone: { verified: true, unreachable: false },
    timeZone: SHANGHAI,
    requests: { pending: false, planActive: false },
    contacts: [],
    ...overrides,
  };
}

const decide = (asOf: string, overrides: Partial<EligibilityInput> = {}) => decideEligibility(input(asOf, overrides));

describe('reason codes', () => {
  it('are the contract codes plus awaiting_payday, in a fixed order', () => {
    expect(REASON_CODES).toEqual([
      'settled',
      'not_overdue',
      'in_grace',
      'awaiting_payday',
      'opted_out',
      'dispute',
      'request_pending',
      'plan_active',
      'phone_unverified',
      'phone_unreachable',
      'quiet_hours',
      'daily_cap',
      'weekly_cap',
    ]);
  });
});

describe('settled', () => {
  it('a loan paid in full on its due date is settled, whatever the date', () => {
    const d = decide('2026-11-20', { balance: balanceOn('2026-11-20', ONE, [{ amount: 308_250, paidOn: DUE }]) });
    expect(d).toMatchObject({ eligible: false, stage: null, reasons: ['settled'], daysOverdue: 0 });
  });

  it('a loan paid late with its penalty (300000 × 0.0005 × 10 = 1500) is settled', () => {
    // Paid on 2026-11-20, 10 days after the due date: 300000 + 8250 + 1500 = 309750.
    const balance = balanceOn('2026-11-25', ONE, [{ amount: 309_750, paidOn: '2026-11-20' }]);
    expect(balance.total).toBe(0);
    expect(decide('2026-11-25', { balance }).reasons).toEqual(['settled']);
  });

  it('a settled loan with an active plan is only settled (plan_active is for open loans)', () => {
    const balance = balanceOn('2026-11-20', ONE, [{ amount: 308_250, paidOn: DUE }]);
    expect(decide('2026-11-20', { balance, requests: { pending: false, planActive: true } }).reasons).toEqual([
      'settled',
    ]);
  });
});

describe('not overdue', () => {
  it('on the due date itself', () => {
    const d = decide(DUE);
    expect(d).toMatchObject({ eligible: false, stage: null, reasons: ['not_overdue'], daysOverdue: 0 });
  });

  it('before the due date (upcoming)', () => {
    expect(decide('2026-11-01').reasons).toEqual(['not_overdue']);
  });

  it('when the past instalment was paid and the next one is still to come', () => {
    const terms = [
      { dueDate: '2026-10-10', principal: 100_000, interest: 2_750 },
      { dueDate: DUE, principal: 100_000, interest: 2_750 },
    ];
    const balance = balanceOn('2026-10-20', terms, [{ amount: 102_750, paidOn: '2026-10-09' }]);
    expect(decide('2026-10-20', { balance }).reasons).toEqual(['not_overdue']);
  });
});

describe('grace (3 days by default)', () => {
  it.each([
    ['2026-11-11', 1],
    ['2026-11-12', 2],
    ['2026-11-13', 3],
  ])('%s is day %i: in grace, no stage', (asOf, days) => {
    const d = decide(asOf);
    expect(d).toMatchObject({ eligible: false, stage: null, reasons: ['in_grace'], daysOverdue: days, graceDays: 3 });
  });

  it('day 4 (2026-11-14) is past grace: gentle, eligible', () => {
    expect(decide('2026-11-14')).toMatchObject({ eligible: true, stage: 'gentle', reasons: [], daysOverdue: 4 });
  });

  it('with no grace at all, day 1 is gentle', () => {
    const balance = balanceOn('2026-11-11', ONE, [], money({ graceDays: 0 }));
    const d = decide('2026-11-11', { balance, graceDays: 0 });
    expect(d).toMatchObject({ eligible: true, stage: 'gentle', daysOverdue: 1, graceDays: 0 });
  });

  it('with 5 days of grace, day 5 is in grace and day 6 gentle', () => {
    const p = money({ graceDays: 5 });
    expect(decide('2026-11-15', { balance: balanceOn('2026-11-15', ONE, [], p), graceDays: 5 }).reasons).toEqual([
      'in_grace',
    ]);
    expect(decide('2026-11-16', { balance: balanceOn('2026-11-16', ONE, [], p), graceDays: 5 }).stage).toBe('gentle');
  });

  it('a partly paid instalment is still overdue (¥3,000 paid of ¥3,082.50, day 4)', () => {
    const balance = balanceOn('2026-11-14', ONE, [{ amount: 300_000, paidOn: DUE }]);
    expect(decide('2026-11-14', { balance })).toMatchObject({ eligible: true, stage: 'gentle', daysOverdue: 4 });
  });
});

describe('stages: gentle from day 4, firm from day 8, final from day 31', () => {
  it.each([
    ['2026-11-14', 4, 'gentle'],
    ['2026-11-17', 7, 'gentle'],
    ['2026-11-18', 8, 'firm'],
    ['2026-11-30', 20, 'firm'],
    ['2026-12-10', 30, 'firm'], // 20 days in November + 10 in December
    ['2026-12-11', 31, 'final'],
    ['2027-02-18', 100, 'final'], // 20 + 31 + 31 + 18
  ])('%s is day %i: %s', (asOf, days, stage) => {
    expect(decide(asOf)).toMatchObject({ eligible: true, stage, reasons: [], daysOverdue: days });
  });

  it('follow the lender policy (firm from day 5, final from day 10)', () => {
    const policy = reminders({ firmFromDay: 5, finalFromDay: 10 });
    expect(decide('2026-11-14', { policy }).stage).toBe('gentle');
    expect(decide('2026-11-15', { policy }).stage).toBe('firm');
    expect(decide('2026-11-19', { policy }).stage).toBe('firm');
    expect(decide('2026-11-20', { policy }).stage).toBe('final');
  });

  it('the oldest overdue instalment sets the stage (2026-10-10 unpaid on 2026-11-14: day 35, final)', () => {
    const terms = [
      { dueDate: '2026-10-10', principal: 100_000, interest: 2_750 },
      { dueDate: DUE, principal: 100_000, interest: 2_750 },
    ];
    const d = decide('2026-11-14', { balance: balanceOn('2026-11-14', terms) });
    expect(d).toMatchObject({ stage: 'final', daysOverdue: 35 });
  });
});

describe('repeat late payers get 1 day of grace', () => {
  // Three monthly instalments of ¥1,000 + ¥27.50; the one due 2026-11-10 is unpaid.
  const terms: InstalmentTerms[] = [
    { dueDate: '2026-09-10', principal: 100_000, interest: 2_750 },
    { dueDate: '2026-10-10', principal: 100_000, interest: 2_750 },
    { dueDate: DUE, principal: 100_000, interest: 2_750 },
  ];
  // September paid 2 days late, inside grace: no penalty.
  const septemberLate = { amount: 102_750, paidOn: '2026-09-12' };
  // October paid 10 days late: penalty 100000 × 0.0005 × 10 = 500.
  const octoberLate = { amount: 103_250, paidOn: '2026-10-20' };
  const octoberOnTime = { amount: 102_750, paidOn: '2026-10-10' };

  it('two earlier instalments settled after their due date: day 2 is gentle', () => {
    const balance = balanceOn('2026-11-12', terms, [septemberLate, octoberLate]);
    expect(balance.instalments.map((i) => i.settledOn)).toEqual(['2026-09-12', '2026-10-20', null]);
    const d = decide('2026-11-12', { balance });
    expect(d).toMatchObject({ eligible: true, stage: 'gentle', reasons: [], daysOverdue: 2, graceDays: 1 });
  });

  it('…and day 1 is still their grace', () => {
    const balance = balanceOn('2026-11-11', terms, [septemberLate, octoberLate]);
    expect(decide('2026-11-11', { balance })).toMatchObject({ reasons: ['in_grace'], graceDays: 1 });
  });

  it('one earlier late instalment keeps the normal grace: day 2 in grace, day 4 gentle', () => {
    const repayments = [septemberLate, octoberOnTime];
    expect(decide('2026-11-12', { balance: balanceOn('2026-11-12', terms, repayments) })).toMatchObject({
      reasons: ['in_grace'],
      graceDays: 3,
    });
    expect(decide('2026-11-14', { balance: balanceOn('2026-11-14', terms, repayments) }).stage).toBe('gentle');
  });

  it('instalments paid early are not late', () => {
    const early = [
      { amount: 102_750, paidOn: '2026-09-09' },
      { amount: 102_750, paidOn: '2026-10-08' },
    ];
    expect(decide('2026-11-12', { balance: balanceOn('2026-11-12', terms, early) })).toMatchObject({
      reasons: ['in_grace'],
      graceDays: 3,
    });
  });

  it('the episode count and reduced grace come from the policy', () => {
    const policy = reminders({ repeatLate: { episodes: 1, graceDays: 0 } });
    const balance = balanceOn('2026-11-11', terms, [septemberLate, octoberOnTime]);
    expect(decide('2026-11-11', { balance, policy })).toMatchObject({ stage: 'gentle', graceDays: 0 });
  });

  it('never lengthens a shorter grace (loan grace 0, repeat grace 1 → 0)', () => {
    // With no grace, lateness is charged from day 1: 100000 × 0.0005 × 2 = 100, × 10 = 500.
    const p = money({ graceDays: 0 });
    const repayments = [
      { amount: 102_850, paidOn: '2026-09-12' },
      { amount: 103_250, paidOn: '2026-10-20' },
    ];
    const balance = balanceOn('2026-11-11', terms, repayments, p);
    expect(balance.instalments.map((i) => i.settledOn)).toEqual(['2026-09-12', '2026-10-20', null]);
    expect(decide('2026-11-11', { balance, graceDays: 0 })).toMatchObject({ stage: 'gentle', graceDays: 0 });
  });
});

describe('awaiting payday (lead 3 days; firm stage from day 8 = 2026-11-18)', () => {
  const withPayday = (asOf: string, payday: number, overrides: Partial<EligibilityInput> = {}) =>
    decide(asOf, { borrower: calm({ payday }), ...overrides });

  it('payday 20: the window 11-17…11-19 starts before the firm stage, so the gentle stage waits', () => {
    expect(withPayday('2026-11-14', 20)).toMatchObject({
      eligible: false,
      stage: 'gentle',
      reasons: ['awaiting_payday'],
    });
    expect(withPayday('2026-11-16', 20).reasons).toEqual(['awaiting_payday']);
  });

  it('payday 20: eligible inside the window (11-17, day 7)', () => {
    expect(withPayday('2026-11-17', 20)).toMatchObject({ eligible: true, stage: 'gentle', reasons: [] });
  });

  it('the firm stage never waits (payday 28 on 11-18, window from 11-25)', () => {
    expect(withPayday('2026-11-18', 28)).toMatchObject({ eligible: true, stage: 'firm', reasons: [] });
  });

  it('payday 21: the window would start on 11-18, the first firm day, so no waiting', () => {
    expect(withPayday('2026-11-14', 21)).toMatchObject({ eligible: true, stage: 'gentle', reasons: [] });
  });

  it('payday 28: the window (11-25) starts after the firm stage, so no waiting', () => {
    expect(withPayday('2026-11-14', 28).eligible).toBe(true);
  });

  it('payday 16 on 11-14: already inside the window 11-13…11-15', () => {
    expect(withPayday('2026-11-14', 16).eligible).toBe(true);
  });

  it('on payday itself (14 on 11-14) it does not wait for next month', () => {
    expect(withPayday('2026-11-14', 14).eligible).toBe(true);
  });

  it('is no reason while in grace', () => {
    expect(withPayday('2026-11-12', 20).reasons).toEqual(['in_grace']);
  });

  it('uses the policy lead time (5 days: window 11-15…11-19)', () => {
    const policy = reminders({ paydayLeadDays: 5 });
    expect(withPayday('2026-11-14', 20, { policy }).reasons).toEqual(['awaiting_payday']);
    expect(withPayday('2026-11-15', 20, { policy }).eligible).toBe(true);
  });

  it('uses the policy firm day (firm from day 6 = 11-16: window 11-17 is too late, no waiting)', () => {
    const policy = reminders({ firmFromDay: 6 });
    expect(withPayday('2026-11-14', 20, { policy })).toMatchObject({ eligible: true, stage: 'gentle' });
  });

  it('payday 31 in February 2027 is the 28th: window from 02-25, before the firm stage (02-26)', () => {
    // Due 2027-02-18: day 4 = 02-22, day 7 = 02-25, day 8 = 02-26.
    const terms = [{ dueDate: '2027-02-18', principal: 300_000, interest: 8_250 }];
    const at = (asOf: string) => withPayday(asOf, 31, { balance: balanceOn(asOf, terms) });
    expect(at('2027-02-22')).toMatchObject({ daysOverdue: 4, reasons: ['awaiting_payday'] });
    expect(at('2027-02-24').reasons).toEqual(['awaiting_payday']);
    expect(at('2027-02-25')).toMatchObject({ daysOverdue: 7, eligible: true, stage: 'gentle' });
  });

  it('payday 31 in February 2028 (leap year) is the 29th: window from 02-26', () => {
    // Due 2028-02-19: day 4 = 02-23, day 7 = 02-26, day 8 = 02-27.
    const terms = [{ dueDate: '2028-02-19', principal: 300_000, interest: 8_250 }];
    const at = (asOf: string) => withPayday(asOf, 31, { balance: balanceOn(asOf, terms) });
    expect(at('2028-02-23').reasons).toEqual(['awaiting_payday']);
    expect(at('2028-02-25').reasons).toEqual(['awaiting_payday']);
    expect(at('2028-02-26').eligible).toBe(true);
  });

  it('payday 31 in December is the 31st: due 12-21, waits on 12-25, eligible on 12-28', () => {
    const terms = [{ dueDate: '2026-12-21', principal: 300_000, interest: 8_250 }];
    const at = (asOf: string) => withPayday(asOf, 31, { balance: balanceOn(asOf, terms) });
    expect(at('2026-12-25').reasons).toEqual(['awaiting_payday']);
    expect(at('2026-12-28').eligible).toBe(true);
  });
});

describe('nextPayday', () => {
  it.each([
    ['2026-11-14', 20, '2026-11-20'],
    ['2026-11-20', 20, '2026-12-20'], // today excluded
    ['2026-11-25', 20, '2026-12-20'],
    ['2026-12-20', 15, '2027-01-15'], // into the next year
    ['2026-12-31', 31, '2027-01-31'],
    ['2026-11-10', 31, '2026-11-30'], // November has 30 days
    ['2027-02-10', 31, '2027-02-28'],
    ['2027-02-10', 29, '2027-02-28'],
    ['2028-02-10', 31, '2028-02-29'], // leap year
    ['2028-02-10', 30, '2028-02-29'],
    ['2027-02-28', 31, '2027-03-31'], // the clamped payday is today: next month's
    ['2027-01-31', 30, '2027-02-28'],
    ['2026-04-30', 31, '2026-05-31'],
    ['2026-05-31', 31, '2026-06-30'],
    ['2026-01-01', 1, '2026-02-01'],
  ])('from %s with payday %i: %s', (today, payday, expected) => {
    expect(nextPayday(today, payday)).toBe(expected);
  });

  it('is the first later date whose day is the payday, or the month end when the month is shorter', () => {
    const dim = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 366 }), fc.integer({ min: 1, max: 31 }), (offset, payday) => {
        const start = Date.UTC(2026, 0, 1) + offset * 86_400_000;
        let t = start + 86_400_000;
        for (;;) {
          const d = new Date(t);
          if (d.getUTCDate() === Math.min(payday, dim(d.getUTCFullYear(), d.getUTCMonth() + 1))) break;
          t += 86_400_000;
        }
        expect(nextPayday(iso(start), payday)).toBe(iso(t));
      }),
    );
  });
});

describe('borrower and request flags (day 10, 2026-11-20: firm)', () => {
  it.each([
    ['opted out', { borrower: calm({ optedOut: true }) }, ['opted_out']],
    ['in dispute', { borrower: calm({ disputed: true }) }, ['dispute']],
    ['with a pending request', { requests: { pending: true, planActive: false } }, ['request_pending']],
  ] as const)('%s: not eligible, stage still known', (_, overrides, reasons) => {
    expect(decide('2026-11-20', overrides)).toMatchObject({ eligible: false, stage: 'firm', reasons });
  });

  it('an active plan with something past grace does not stop reminders (the plan is behind)', () => {
    const d = decide('2026-11-20', { requests: { pending: false, planActive: true } });
    expect(d).toMatchObject({ eligible: true, stage: 'firm', reasons: [] });
  });

  it('an active plan is a reason while nothing is past grace', () => {
    const plan = { requests: { pending: false, planActive: true } };
    expect(decide('2026-11-12', plan).reasons).toEqual(['in_grace', 'plan_active']);
    expect(decide('2026-11-01', plan).reasons).toEqual(['not_overdue', 'plan_active']);
  });
});

describe('the phone', () => {
  it.each([
    ['no phone', null, ['phone_unverified']],
    ['unverified', { verified: false, unreachable: false }, ['phone_unverified']],
    ['unreachable', { verified: true, unreachable: true }, ['phone_unreachable']],
    ['unverified and unreachable', { verified: false, unreachable: true }, ['phone_unverified', 'phone_unreachable']],
  ] as const)('%s', (_, phone, reasons) => {
    expect(decide('2026-11-20', { phone })).toMatchObject({ eligible: false, stage: 'firm', reasons });
  });
});

describe('the contact window (08:00 until before 21:00, the borrower’s time)', () => {
  const at = (instant: string, timeZone = SHANGHAI, policy = DEFAULT_REMINDER_POLICY) =>
    decide('2026-11-20', { now: new Date(instant), timeZone, policy });

  it.each([
    ['2026-11-20T00:00:00+08:00', '00:00', false],
    ['2026-11-20T07:59:00+08:00', '07:59', false],
    ['2026-11-20T07:59:59+08:00', '07:59', false],
    ['2026-11-20T08:00:00+08:00', '08:00', true],
    ['2026-11-20T12:00:00+08:00', '12:00', true],
    ['2026-11-20T20:59:00+08:00', '20:59', true],
    ['2026-11-20T20:59:59+08:00', '20:59', true],
    ['2026-11-20T21:00:00+08:00', '21:00', false],
    ['2026-11-20T23:59:00+08:00', '23:59', false],
  ])('Shanghai %s (%s local): eligible %s', (instant, localTime, eligible) => {
    const d = at(instant);
    expect(d).toMatchObject({ eligible, localTime, localDate: '2026-11-20' });
    expect(d.reasons).toEqual(eligible ? [] : ['quiet_hours']);
  });

  it('follows the lender’s window (09:30–18:15)', () => {
    const policy = reminders({ contactWindow: { start: '09:30', end: '18:15' } });
    expect(at('2026-11-20T09:29:00+08:00', SHANGHAI, policy).reasons).toEqual(['quiet_hours']);
    expect(at('2026-11-20T09:30:00+08:00', SHANGHAI, policy).reasons).toEqual([]);
    expect(at('2026-11-20T18:14:00+08:00', SHANGHAI, policy).reasons).toEqual([]);
    expect(at('2026-11-20T18:15:00+08:00', SHANGHAI, policy).reasons).toEqual(['quiet_hours']);
  });

  it('00:30 UTC is 08:30 in Hong Kong (allowed) but 00:30 in London (quiet)', () => {
    expect(at('2026-11-20T00:30:00Z', 'Asia/Hong_Kong')).toMatchObject({ eligible: true, localTime: '08:30' });
    expect(at('2026-11-20T00:30:00Z', 'Europe/London')).toMatchObject({
      reasons: ['quiet_hours'],
      localTime: '00:30',
      localDate: '2026-11-20',
    });
  });

  it('13:30 UTC is 21:30 in Hong Kong (quiet) but 13:30 in London (allowed)', () => {
    expect(at('2026-11-20T13:30:00Z', 'Asia/Hong_Kong')).toMatchObject({
      reasons: ['quiet_hours'],
      localTime: '21:30',
    });
    expect(at('2026-11-20T13:30:00Z', 'Europe/London')).toMatchObject({ eligible: true, localTime: '13:30' });
  });

  it('07:59 in Shanghai is 23:59 the evening before in London', () => {
    const d = at('2026-11-20T07:59:00+08:00', 'Europe/London');
    expect(d).toMatchObject({ reasons: ['quiet_hours'], localTime: '23:59', localDate: '2026-11-19' });
  });

  it('follows daylight saving: 07:30 UTC is 08:30 in a London summer, 07:30 in its winter', () => {
    const terms = [{ dueDate: '2026-07-10', principal: 300_000, interest: 8_250 }];
    const summer = decide('2026-07-20', {
      now: new Date('2026-07-20T07:30:00Z'),
      timeZone: 'Europe/London',
      balance: balanceOn('2026-07-20', terms),
    });
    expect(summer).toMatchObject({ eligible: true, localTime: '08:30' });
    expect(at('2026-11-20T07:30:00Z', 'Europe/London')).toMatchObject({ reasons: ['quiet_hours'], localTime: '07:30' });
  });
});

describe('daily cap (1 a day by default, the borrower’s local day)', () => {
  const now = new Date('2026-11-20T15:00:00+08:00');

  it('a contact earlier the same local day uses it up', () => {
    const d = decide('2026-11-20', { now, contacts: [new Date('2026-11-20T09:00:00+08:00')] });
    expect(d).toMatchObject({ eligible: false, stage: 'firm', reasons: ['daily_cap'] });
  });

  it('a contact just after local midnight counts, though it was the previous UTC day', () => {
    const contact = new Date('2026-11-20T00:30:00+08:00'); // 2026-11-19T16:30Z
    expect(contact.toISOString().slice(0, 10)).toBe('2026-11-19');
    expect(decide('2026-11-20', { now, contacts: [contact] }).reasons).toEqual(['daily_cap']);
  });

  it('a contact the evening before does not count', () => {
    expect(decide('2026-11-20', { now, contacts: [new Date('2026-11-19T20:30:00+08:00')] }).eligible).toBe(true);
  });

  it('Los Angeles: a contact late yesterday (local) on the same UTC day does not count', () => {
    const laNow = new Date('2026-11-20T08:30:00-08:00'); // 16:30Z on the 20th
    const contact = new Date('2026-11-19T20:30:00-08:00'); // 04:30Z on the 20th
    expect(contact.toISOString().slice(0, 10)).toBe(laNow.toISOString().slice(0, 10));
    const d = decide('2026-11-20', { now: laNow, timeZone: 'America/Los_Angeles', contacts: [contact] });
    expect(d).toMatchObject({ eligible: true, reasons: [], localDate: '2026-11-20', localTime: '08:30' });
  });

  it('Los Angeles: a contact this morning counts though it was the previous UTC day', () => {
    const laNow = new Date('2026-11-20T20:30:00-08:00'); // 04:30Z on the 21st
    const contact = new Date('2026-11-20T09:00:00-08:00'); // 17:00Z on the 20th
    const d = decide('2026-11-20', { now: laNow, timeZone: 'America/Los_Angeles', contacts: [contact] });
    expect(d.reasons).toEqual(['daily_cap']);
  });

  it('Shanghai before 08:00: yesterday’s 23:00 contact (same UTC day) does not count; only quiet hours', () => {
    const early = new Date('2026-11-20T07:30:00+08:00'); // 2026-11-19T23:30Z
    const contact = new Date('2026-11-19T23:00:00+08:00'); // 2026-11-19T15:00Z
    expect(decide('2026-11-20', { now: early, contacts: [contact] }).reasons).toEqual(['quiet_hours']);
  });

  it('a cap of 2 allows a second contact but not a third', () => {
    const policy = reminders({ dailyCap: 2 });
    const first = new Date('2026-11-20T09:00:00+08:00');
    const second = new Date('2026-11-20T12:00:00+08:00');
    expect(decide('2026-11-20', { now, policy, contacts: [first] }).eligible).toBe(true);
    expect(decide('2026-11-20', { now, policy, contacts: [first, second] }).reasons).toEqual(['daily_cap']);
  });

  it('a cap of 0 allows nothing', () => {
    expect(decide('2026-11-20', { now, policy: reminders({ dailyCap: 0 }) }).reasons).toEqual(['daily_cap']);
  });
});

describe('weekly cap (3 in the last 7 × 24 hours by default)', () => {
  const now = new Date('2026-11-20T15:00:00+08:00');
  const ago = (days: number, minutes = 0) => new Date(now.getTime() - days * 86_400_000 - minutes * 60_000);

  it('three contacts 1, 2 and 4 days ago reach it', () => {
    expect(decide('2026-11-20', { now, contacts: [ago(1), ago(2), ago(4)] })).toMatchObject({
      eligible: false,
      stage: 'firm',
      reasons: ['weekly_cap'],
    });
  });

  it('a contact 8 days ago is out of the week', () => {
    expect(decide('2026-11-20', { now, contacts: [ago(1), ago(2), ago(8)] }).eligible).toBe(true);
  });

  it('6 days 23 h 59 min ago is in the week; 7 days 1 min ago is not', () => {
    expect(decide('2026-11-20', { now, contacts: [ago(1), ago(2), ago(6, 23 * 60 + 59)] }).reasons).toEqual([
      'weekly_cap',
    ]);
    expect(decide('2026-11-20', { now, contacts: [ago(1), ago(2), ago(7, 1)] }).eligible).toBe(true);
  });

  it('follows the policy (a cap of 4)', () => {
    const policy = reminders({ weeklyCap: 4 });
    expect(decide('2026-11-20', { now, policy, contacts: [ago(1), ago(2), ago(4)] }).eligible).toBe(true);
    expect(decide('2026-11-20', { now, policy, contacts: [ago(1), ago(2), ago(3), ago(4)] }).reasons).toEqual([
      'weekly_cap',
    ]);
  });
});

describe('several reasons at once come in the fixed order', () => {
  it('in grace, flagged, bad phone, at night, capped', () => {
    const d = decide('2026-11-12', {
      now: new Date('2026-11-12T22:00:00+08:00'),
      borrower: calm({ optedOut: true, disputed: true }),
      requests: { pending: true, planActive: true },
      phone: { verified: false, unreachable: true },
      contacts: ['2026-11-12T00:30:00+08:00', '2026-11-12T01:00:00+08:00', '2026-11-12T02:00:00+08:00'].map(
        (s) => new Date(s),
      ),
    });
    expect(d).toMatchObject({
      eligible: false,
      stage: null,
      reasons: [
        'in_grace',
        'opted_out',
        'dispute',
        'request_pending',
        'plan_active',
        'phone_unverified',
        'phone_unreachable',
        'quiet_hours',
        'daily_cap',
        'weekly_cap',
      ],
    });
  });

  it('awaiting payday, opted out, no phone, too early', () => {
    const d = decide('2026-11-14', {
      now: new Date('2026-11-14T06:00:00+08:00'),
      borrower: calm({ optedOut: true, payday: 20 }),
      phone: null,
      contacts: [new Date('2026-11-13T10:00:00+08:00')],
    });
    expect(d).toMatchObject({
      stage: 'gentle',
      reasons: ['awaiting_payday', 'opted_out', 'phone_unverified', 'quiet_hours'],
    });
  });

  it('settled, disputed, at night', () => {
    const balance = balanceOn('2026-11-20', ONE, [{ amount: 308_250, paidOn: DUE }]);
    const d = decide('2026-11-20', {
      balance,
      now: new Date('2026-11-20T23:00:00+08:00'),
      borrower: calm({ disputed: true }),
    });
    expect(d.reasons).toEqual(['settled', 'dispute', 'quiet_hours']);
  });
});

// ---- properties -------------------------------------------------------------------------------

const ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Europe/London', 'America/Los_Angeles', 'Asia/Kolkata'];
const clockFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `timeZone`, read independently of the code under test. */
function wall(instant: Date, timeZone: string): { date: string; minutes: number } {
  let f = clockFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    clockFormatters.set(timeZone, f);
  }
  const part = (type: string) => f.formatToParts(instant).find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const mostly = (value: boolean) =>
  fc.oneof({ arbitrary: fc.constant(value), weight: 4 }, { arbitrary: fc.constant(!value), weight: 1 });

const policyArb: fc.Arbitrary<ReminderPolicy> = fc.oneof(
  fc.constant(DEFAULT_REMINDER_POLICY),
  fc
    .record({
      start: fc.integer({ min: 0, max: 1438 }),
      length: fc.integer({ min: 1, max: 1439 }),
      dailyCap: fc.integer({ min: 0, max: 3 }),
      extraWeekly: fc.integer({ min: 0, max: 4 }),
      firmFromDay: fc.integer({ min: 1, max: 20 }),
      finalGap: fc.integer({ min: 1, max: 40 }),
      episodes: fc.integer({ min: 1, max: 3 }),
      repeatGrace: fc.integer({ min: 0, max: 4 }),
      paydayLeadDays: fc.integer({ min: 1, max: 10 }),
    })
    .map((r) =>
      reminders({
        contactWindow: { start: hhmm(r.start), end: hhmm(Math.min(1439, r.start + r.length)) },
        dailyCap: r.dailyCap,
        weeklyCap: r.dailyCap + r.extraWeekly,
        firmFromDay: r.firmFromDay,
        finalFromDay: r.firmFromDay + r.finalGap,
        repeatLate: { episodes: r.episodes, graceDays: r.repeatGrace },
        paydayLeadDays: r.paydayLeadDays,
      }),
    ),
);

const scenarioArb = fc
  .record({
    nowMs: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 11, 31) }),
    timeZone: fc.constantFrom(...ZONES),
    graceDays: fc.integer({ min: 0, max: 5 }),
    instalments: fc.array(
      fc.record({
        dueOffset: fc.integer({ min: -60, max: 20 }),
        principal: fc.integer({ min: 0, max: 500_000 }),
        interest: fc.integer({ min: 0, max: 20_000 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    repayments: fc.array(
      fc.record({ paidOffset: fc.integer({ min: -70, max: 3 }), amount: fc.integer({ min: 1, max: 600_000 }) }),
      { maxLength: 5 },
    ),
    policy: policyArb,
    optedOut: mostly(false),
    disputed: mostly(false),
    payday: fc.option(fc.integer({ min: 1, max: 31 }), { nil: null }),
    phone: fc.oneof(
      { arbitrary: fc.constant(null), weight: 1 },
      { arbitrary: fc.record({ verified: mostly(true), unreachable: mostly(false) }), weight: 6 },
    ),
    pending: mostly(false),
    planActive: mostly(false),
    // Seconds before now (a few are just after it).
    contactAges: fc.array(fc.integer({ min: -3_600, max: 10 * 86_400 }), { maxLength: 5 }),
  })
  .map((s) => {
    const now = new Date(s.nowMs);
    const asOf = wall(now, SHANGHAI).date;
    const moneyPolicy = money({ graceDays: s.graceDays });
    const balance = computeBalance(
      s.instalments.map((i) => ({ dueDate: shift(asOf, i.dueOffset), principal: i.principal, interest: i.interest })),
      s.repayments.map((r) => ({ paidOn: shift(asOf, r.paidOffset), amount: r.amount })),
      moneyPolicy,
      asOf,
    );
    const eligibility: EligibilityInput = {
      now,
      balance,
      graceDays: s.graceDays,
      policy: s.policy,
      borrower: { optedOut: s.optedOut, disputed: s.disputed, payday: s.payday },
      phone: s.phone,
      timeZone: s.timeZone,
      requests: { pending: s.pending, planActive: s.planActive },
      contacts: s.contactAges.map((age) => new Date(s.nowMs - age * 1000)),
    };
    return eligibility;
  });

/** What the rules say, derived from the inputs without the code under test. */
function facts(i: EligibilityInput) {
  const here = wall(i.now, i.timeZone);
  const { start, end } = i.policy.contactWindow;
  const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const late = i.balance.instalments.filter((x) => x.settledOn !== null && x.settledOn > x.dueDate).length;
  const grace =
    late >= i.policy.repeatLate.episodes ? Math.min(i.graceDays, i.policy.repeatLate.graceDays) : i.graceDays;
  const overdue = i.balance.instalments.some((x) => x.status === 'grace' || x.status === 'overdue');
  const pastGrace = i.balance.total > 0 && overdue && i.balance.daysOverdue > grace;
  const days = i.balance.daysOverdue;
  return {
    here,
    inWindow: here.minutes >= toMinutes(start) && here.minutes < toMinutes(end),
    today: i.contacts.filter((c) => wall(c, i.timeZone).date === here.date).length,
    week: i.contacts.filter((c) => i.now.getTime() - c.getTime() >= 0 && i.now.getTime() - c.getTime() < 7 * 86_400_000)
      .length,
    grace,
    pastGrace,
    stage: pastGrace
      ? days >= i.policy.finalFromDay
        ? 'final'
        : days >= i.policy.firmFromDay
          ? 'firm'
          : 'gentle'
      : null,
  };
}

describe('eligibility properties', () => {
  it('whenever eligible, every condition holds; eligible exactly when there is no reason', () => {
    let eligibleRuns = 0;
    fc.assert(
      fc.property(scenarioArb, (i) => {
        const d = decideEligibility(i);
        const f = facts(i);
        expect(d.eligible).toBe(d.reasons.length === 0);
        if (d.eligible) {
          eligibleRuns++;
          expect(f.inWindow).toBe(true);
          expect(f.today).toBeLessThan(i.policy.dailyCap);
          expect(f.week).toBeLessThan(i.policy.weeklyCap);
          expect(i.phone).not.toBeNull();
          expect(i.phone?.verified).toBe(true);
          expect(i.phone?.unreachable).toBe(false);
          expect(i.borrower.optedOut).toBe(false);
          expect(i.borrower.disputed).toBe(false);
          expect(i.requests.pending).toBe(false);
          expect(i.balance.total).toBeGreaterThan(0);
          expect(i.balance.daysOverdue).toBeGreaterThan(f.grace);
          expect(f.pastGrace).toBe(true);
          expect(d.stage).not.toBeNull();
          expect(d.stage).toBe(f.stage);
        }
      }),
      { numRuns: 2_000 },
    );
    // The generators must reach the interesting case often enough to mean something.
    expect(eligibleRuns).toBeGreaterThan(20);
  });

  it('each reason is reported exactly when its condition holds, in REASON_CODES order, once', () => {
    fc.assert(
      fc.property(scenarioArb, (i) => {
        const d = decideEligibility(i);
        const f = facts(i);
        const has = (code: ReasonCode) => d.reasons.includes(code);
        expect(d.reasons).toEqual(REASON_CODES.filter((code) => d.reasons.includes(code)));
        expect(new Set(d.reasons).size).toBe(d.reasons.length);
        expect(has('settled')).toBe(i.balance.total === 0);
        expect(has('opted_out')).toBe(i.borrower.optedOut);
        expect(has('dispute')).toBe(i.borrower.disputed);
        expect(has('request_pending')).toBe(i.requests.pending);
        expect(has('phone_unverified')).toBe(i.phone === null || !i.phone.verified);
        expect(has('phone_unreachable')).toBe(i.phone?.unreachable === true);
        expect(has('quiet_hours')).toBe(!f.inWindow);
        expect(has('daily_cap')).toBe(f.today >= i.policy.dailyCap);
        expect(has('weekly_cap')).toBe(f.week >= i.policy.weeklyCap);
        expect(d.stage).toBe(f.stage);
        expect(d.graceDays).toBe(f.grace);
        expect(d.daysOverdue).toBe(i.balance.daysOverdue);
        expect(d.localDate).toBe(f.here.date);
        expect(d.localTime).toBe(hhmm(f.here.minutes));
        // Exactly one of settled / not overdue / in grace / a stage.
        const status = ['settled', 'not_overdue', 'in_grace'].filter((c) => has(c as ReasonCode));
        expect(status.length + (d.stage === null ? 0 : 1)).toBe(1);
        if (has('awaiting_payday')) expect(d.stage === 'gentle' && i.borrower.payday !== null).toBe(true);
        expect(has('plan_active')).toBe(i.requests.planActive && d.stage === null && i.balance.total > 0);
        // With every other condition met and no payday to wait for, the loan is eligible.
        const clear =
          f.pastGrace &&
          f.inWindow &&
          f.today < i.policy.dailyCap &&
          f.week < i.policy.weeklyCap &&
          i.phone?.verified === true &&
          !i.phone.unreachable &&
          !i.borrower.optedOut &&
          !i.borrower.disputed &&
          !i.requests.pending &&
          (i.borrower.payday === null || d.stage !== 'gentle');
        if (clear) expect(d.eligible).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
