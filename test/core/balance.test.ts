import { describe, expect, it } from 'vitest';
import { computeBalance, type InstalmentTerms } from '../../src/core/balance.ts';
import { DEFAULT_MONEY_POLICY, type MoneyPolicy } from '../../src/core/policy.ts';

// Every expected value below was worked out by hand from CONTRACT.md's money rules;
// the arithmetic is written beside each one.

const policy = (overrides: Partial<MoneyPolicy> = {}): MoneyPolicy => ({ ...DEFAULT_MONEY_POLICY, ...overrides });
const one = (dueDate: string, principal: number, interest: number): InstalmentTerms[] => [
  { dueDate, principal, interest },
];

describe('a single instalment of ¥3,000 + ¥50 interest due 2026-01-10, default policy', () => {
  const loan = one('2026-01-10', 300_000, 5_000);

  it('owes principal and interest on the due date, no penalty, not overdue', () => {
    const b = computeBalance(loan, [], policy(), '2026-01-10');
    expect(b).toMatchObject({ principal: 300_000, interest: 5_000, penalty: 0, total: 305_000, daysOverdue: 0 });
    expect(b.instalments[0]?.status).toBe('due');
  });

  it('shows no penalty on the last day of grace (3 days past due) but is overdue', () => {
    const b = computeBalance(loan, [], policy(), '2026-01-13');
    expect(b).toMatchObject({ penalty: 0, total: 305_000, daysOverdue: 3 });
    expect(b.instalments[0]?.status).toBe('grace');
  });

  it('counts the grace days too once past grace: 300000 × 0.0005 × 4 = 600', () => {
    const b = computeBalance(loan, [], policy(), '2026-01-14');
    expect(b).toMatchObject({ penalty: 600, total: 305_600, daysOverdue: 4 });
    expect(b.instalments[0]?.status).toBe('overdue');
  });

  it('after 17 days: 300000 × 0.0005 × 17 = 2550 (¥25.50)', () => {
    expect(computeBalance(loan, [], policy(), '2026-01-27').penalty).toBe(2_550);
  });

  it('before the due date it is upcoming', () => {
    const b = computeBalance(loan, [], policy(), '2026-01-01');
    expect(b.instalments[0]?.status).toBe('upcoming');
    expect(b.total).toBe(305_000);
  });
});

describe('the annual cap', () => {
  it('limits a 0.1% daily rate to 0.24/365: 100000 × 10 × 0.24/365 = 657.53… → 658', () => {
    const b = computeBalance(one('2026-05-01', 100_000, 0), [], policy({ penaltyDailyRate: '0.001' }), '2026-05-11');
    expect(b.penalty).toBe(658);
  });

  it('leaves the daily rate alone when it is under the cap: 100000 × 10 × 0.0005 = 500', () => {
    const b = computeBalance(one('2026-05-01', 100_000, 0), [], policy(), '2026-05-11');
    expect(b.penalty).toBe(500);
  });

  it('uses the cap exactly when the daily rate equals it: 36500 × 1 × 0.365/365 = 36.5 → 37', () => {
    const b = computeBalance(
      one('2026-05-01', 36_500, 0),
      [],
      policy({ graceDays: 0, penaltyDailyRate: '0.002', penaltyAnnualCap: '0.365' }),
      '2026-05-02',
    );
    expect(b.penalty).toBe(37);
  });
});

describe('rounding half-up, once per instalment', () => {
  const noGrace = policy({ graceDays: 0 });

  it('rounds exactly half a fen up: 1000 × 0.0005 × 1 = 0.5 → 1', () => {
    expect(computeBalance(one('2026-02-01', 1_000, 0), [], noGrace, '2026-02-02').penalty).toBe(1);
  });

  it('rounds just under half down: 999 × 0.0005 × 1 = 0.4995 → 0', () => {
    expect(computeBalance(one('2026-02-01', 999, 0), [], noGrace, '2026-02-02').penalty).toBe(0);
  });

  it('rounds the sum, not each day: 1000 × 0.0005 × 3 = 1.5 → 2 (not 1 + 1 + 1)', () => {
    expect(computeBalance(one('2026-02-01', 1_000, 0), [], noGrace, '2026-02-04').penalty).toBe(2);
  });

  it('rounds each instalment separately: two × (1000 × 0.0005 × 1 = 0.5 → 1) = 2', () => {
    const loan: InstalmentTerms[] = [
      { dueDate: '2026-02-01', principal: 1_000, interest: 0 },
      { dueDate: '2026-02-01', principal: 1_000, interest: 0 },
    ];
    expect(computeBalance(loan, [], noGrace, '2026-02-02').penalty).toBe(2);
  });
});

describe('repayments on ¥1,000 + ¥20 interest due 2026-03-01', () => {
  const loan = one('2026-03-01', 100_000, 2_000);

  it('a partial repayment on the due date pays interest first and lowers the base from the next day', () => {
    // 52000 on 03-01: interest 2000, principal 50000 → 50000 left; 10 days × 50000 × 0.0005 = 250
    const b = computeBalance(loan, [{ amount: 52_000, paidOn: '2026-03-01' }], policy(), '2026-03-11');
    expect(b).toMatchObject({ principal: 50_000, interest: 0, penalty: 250, total: 50_250, daysOverdue: 10 });
    expect(b.repayments[0]?.allocations).toEqual([{ instalment: 0, penalty: 0, interest: 2_000, principal: 50_000 }]);
  });

  it('a payment inside grace goes to interest (no penalty is due yet) and leaves the base alone', () => {
    // 2000 on 03-03 → interest; asOf 03-11: 100000 × 10 × 0.0005 = 500
    const b = computeBalance(loan, [{ amount: 2_000, paidOn: '2026-03-03' }], policy(), '2026-03-11');
    expect(b).toMatchObject({ principal: 100_000, interest: 0, penalty: 500, total: 100_500 });
  });

  it('paid in full on the last day of grace waives the grace-day penalty for good', () => {
    const b = computeBalance(loan, [{ amount: 102_000, paidOn: '2026-03-04' }], policy(), '2026-03-20');
    expect(b).toMatchObject({ principal: 0, interest: 0, penalty: 0, total: 0, daysOverdue: 0 });
    expect(b.instalments[0]?.status).toBe('paid');
  });

  it('paid one day after grace owes the grace days too, paid first: 100000 × 4 × 0.0005 = 200', () => {
    const b = computeBalance(loan, [{ amount: 102_200, paidOn: '2026-03-05' }], policy(), '2026-03-20');
    expect(b.total).toBe(0);
    expect(b.repayments[0]?.allocations).toEqual([
      { instalment: 0, penalty: 200, interest: 2_000, principal: 100_000 },
    ]);
  });

  it('a short payment after grace leaves principal that keeps accruing', () => {
    // 03-05: penalty 200, interest 2000, principal 99800 → 200 left.
    // base days: 4 × 100000 + 15 × 200 (03-06..03-20) = 403000 → × 0.0005 = 201.5 → 202; paid 200 → 2 left
    const b = computeBalance(loan, [{ amount: 102_000, paidOn: '2026-03-05' }], policy(), '2026-03-20');
    expect(b).toMatchObject({ principal: 200, interest: 0, penalty: 2, total: 202, daysOverdue: 19 });
  });

  it('ignores repayments dated after asOf', () => {
    const b = computeBalance(loan, [{ amount: 102_000, paidOn: '2026-03-12' }], policy(), '2026-03-11');
    expect(b).toMatchObject({ principal: 100_000, interest: 2_000, penalty: 500, total: 102_500 });
  });

  it('reports an overpayment as unallocated', () => {
    const b = computeBalance(loan, [{ amount: 150_000, paidOn: '2026-03-01' }], policy(), '2026-03-01');
    expect(b.total).toBe(0);
    expect(b.repayments[0]?.unallocated).toBe(48_000);
  });
});

describe('several overdue instalments', () => {
  const loan: InstalmentTerms[] = [
    { dueDate: '2026-01-15', principal: 100_000, interest: 3_000 },
    { dueDate: '2026-02-15', principal: 100_000, interest: 2_000 },
    { dueDate: '2026-03-15', principal: 100_000, interest: 1_000 },
  ];

  it('accrues on each overdue one and counts daysOverdue from the oldest', () => {
    // A: 01-15 → 03-01 = 45 days → 100000 × 45 × 0.0005 = 2250; B: 14 days → 700; C upcoming
    const b = computeBalance(loan, [], policy(), '2026-03-01');
    expect(b).toMatchObject({ principal: 300_000, interest: 6_000, penalty: 2_950, total: 308_950, daysOverdue: 45 });
    expect(b.instalments.map((i) => i.penalty)).toEqual([2_250, 700, 0]);
    expect(b.instalments.map((i) => i.status)).toEqual(['overdue', 'overdue', 'upcoming']);
  });

  it('sends a repayment to the oldest first, then on to the next', () => {
    // 110000 on 02-20. A: 36 days (01-16..02-20) → penalty 1800, interest 3000, principal 100000 → 5200 left.
    // B: 5 days past due (> grace 3) → penalty 250, interest 2000, principal 2950 → 97050 left.
    // On 03-01 B's base days: 5 × 100000 + 9 × 97050 = 1373450 → 686.725 → 687, paid 250 → 437.
    const b = computeBalance(loan, [{ amount: 110_000, paidOn: '2026-02-20' }], policy(), '2026-03-01');
    expect(b.repayments[0]?.allocations).toEqual([
      { instalment: 0, penalty: 1_800, interest: 3_000, principal: 100_000 },
      { instalment: 1, penalty: 250, interest: 2_000, principal: 2_950 },
    ]);
    expect(b).toMatchObject({ principal: 197_050, interest: 1_000, penalty: 437, total: 198_487, daysOverdue: 14 });
    expect(b.instalments.map((i) => i.status)).toEqual(['paid', 'overdue', 'upcoming']);
  });

  it('ranks instalments by due date whatever order they are given in', () => {
    const shuffled = [loan[2], loan[0], loan[1]] as InstalmentTerms[];
    const b = computeBalance(shuffled, [{ amount: 110_000, paidOn: '2026-02-20' }], policy(), '2026-03-01');
    expect(b.instalments.map((i) => [i.dueDate, i.principal, i.penalty])).toEqual([
      ['2026-03-15', 100_000, 0],
      ['2026-01-15', 0, 0],
      ['2026-02-15', 97_050, 437],
    ]);
  });
});

describe('policy overrides', () => {
  it('a longer grace keeps the penalty at zero for longer', () => {
    const loan = one('2026-04-01', 100_000, 0);
    expect(computeBalance(loan, [], policy({ graceDays: 7 }), '2026-04-08').penalty).toBe(0);
    // 8 days: 100000 × 8 × 0.0005 = 400
    expect(computeBalance(loan, [], policy({ graceDays: 7 }), '2026-04-09').penalty).toBe(400);
  });

  it('a zero rate never charges a penalty', () => {
    const loan = one('2026-04-01', 100_000, 0);
    expect(computeBalance(loan, [], policy({ penaltyDailyRate: '0' }), '2026-12-31').penalty).toBe(0);
  });
});
