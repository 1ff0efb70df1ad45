import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBalance, type InstalmentTerms, type RepaymentEntry } from '../../src/core/balance.ts';
import { addDays } from '../../src/core/dates.ts';
import { multiplyRoundHalfUp } from '../../src/core/decimal.ts';
import {
  dailyRateOf,
  explainLoanPenalties,
  explainPenalty,
  projectBalance,
} from '../../src/core/penalty-explanation.ts';
import { DEFAULT_MONEY_POLICY, type MoneyPolicy } from '../../src/core/policy.ts';

const POLICY: MoneyPolicy = { ...DEFAULT_MONEY_POLICY };
const ONE = [{ dueDate: '2026-11-01', principal: 300_000, interest: 0 }];

describe('penalty explained', () => {
  it('writes the issue’s example: ¥3,000.00 × 0.05% × 17 days = ¥25.50', () => {
    const balance = computeBalance(ONE, [], POLICY, '2026-11-18');
    const explained = explainPenalty(balance.instalments[0] as never, POLICY);
    expect(explained).toMatchObject({ kind: 'simple', principal: 300_000, days: 17, amount: 2550, paid: 0 });
    expect(explained.kind === 'simple' && explained.rate).toMatchObject({ capped: false, daily: '0.0005' });
  });

  it('inside grace shows no penalty, and what it becomes the day after grace', () => {
    const balance = computeBalance(ONE, [], POLICY, '2026-11-03');
    expect(balance.penalty).toBe(0);
    expect(explainPenalty(balance.instalments[0] as never, POLICY)).toEqual({
      kind: 'grace',
      daysOverdue: 2,
      graceDays: 3,
      graceEnds: '2026-11-04',
      ifUnpaid: 600,
    });
    // …and the day after grace, the penalty is exactly that
    expect(computeBalance(ONE, [], POLICY, '2026-11-05').penalty).toBe(600);
  });

  it('says when the annual cap sets the rate', () => {
    const steep = { ...POLICY, penaltyDailyRate: '0.001', penaltyAnnualCap: '0.24' };
    expect(dailyRateOf(steep).capped).toBe(true);
    expect(dailyRateOf(POLICY).capped).toBe(false);
    const balance = computeBalance(ONE, [], steep, '2026-11-18');
    const explained = explainPenalty(balance.instalments[0] as never, steep);
    // 300,000 × 0.24 / 365 × 17 = 3,353.42… → 3,353
    expect(explained).toMatchObject({ kind: 'simple', amount: 3353 });
  });

  it('sums unpaid principal over the days when a part-payment changed it', () => {
    const balance = computeBalance(ONE, [{ amount: 100_000, paidOn: '2026-11-10' }], POLICY, '2026-11-18');
    const explained = explainPenalty(balance.instalments[0] as never, POLICY);
    expect(explained.kind).toBe('varying');
  });

  it('upcoming and paid instalments have nothing to explain', () => {
    expect(explainPenalty(computeBalance(ONE, [], POLICY, '2026-10-01').instalments[0] as never, POLICY).kind).toBe(
      'upcoming',
    );
    const paid = computeBalance(ONE, [{ amount: 300_000, paidOn: '2026-11-01' }], POLICY, '2026-11-18');
    expect(explainPenalty(paid.instalments[0] as never, POLICY).kind).toBe('none');
  });

  it('projects 7, 30 and 60 days on with nothing paid', () => {
    const balance = computeBalance(ONE, [], POLICY, '2026-11-18');
    const projected = projectBalance(ONE, [], POLICY, balance);
    expect(projected.map((p) => [p.days, p.date, p.total])).toEqual([
      [0, '2026-11-18', 302_550],
      [7, '2026-11-25', 303_600],
      [30, '2026-12-18', 307_050],
      [60, '2027-01-17', 311_550],
    ]);
  });
});

const START = '2026-01-01';
const day = fc.integer({ min: 0, max: 300 }).map((n) => addDays(START, n));
const terms: fc.Arbitrary<InstalmentTerms[]> = fc.array(
  fc.record({
    dueDate: day,
    principal: fc.integer({ min: 1, max: 20_000_000 }),
    interest: fc.integer({ min: 0, max: 1_000_000 }),
  }),
  { minLength: 1, maxLength: 5 },
);
const repayments: fc.Arbitrary<RepaymentEntry[]> = fc.array(
  fc.record({ amount: fc.integer({ min: 1, max: 20_000_000 }), paidOn: day }),
  { maxLength: 4 },
);
const policy: fc.Arbitrary<MoneyPolicy> = fc.record({
  graceDays: fc.integer({ min: 0, max: 7 }),
  penaltyDailyRate: fc.constantFrom('0.0001', '0.0005', '0.001', '0.003'),
  penaltyAnnualCap: fc.constantFrom('0.1', '0.24', '0.36'),
  timeZone: fc.constant('Asia/Shanghai'),
});

describe('penalty explanation properties', () => {
  it('the written-out arithmetic always gives the penalty the balance shows', () => {
    fc.assert(
      fc.property(terms, repayments, policy, day, (t, r, p, asOf) => {
        const balance = computeBalance(t, r, p, asOf);
        for (const instalment of balance.instalments) {
          const explained = explainPenalty(instalment, p);
          const rate = dailyRateOf(p).rate;
          if (explained.kind === 'simple') {
            expect(Number(multiplyRoundHalfUp(BigInt(explained.principal) * BigInt(explained.days), rate))).toBe(
              explained.amount,
            );
            expect(explained.amount - explained.paid).toBe(instalment.penalty);
          } else if (explained.kind === 'varying') {
            expect(Number(multiplyRoundHalfUp(explained.principalDays, rate))).toBe(explained.amount);
            expect(explained.amount - explained.paid).toBe(instalment.penalty);
          } else if (explained.kind === 'grace') {
            expect(instalment.penalty).toBe(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the grace figure is exactly the penalty the day after grace, part-payments included', () => {
    // ¥1,000 due 20 Nov, ¥500 paid on the 22nd, grace 3 days: the day after grace it is ¥1.50
    const t = [{ dueDate: '2026-11-20', principal: 100_000, interest: 0 }];
    const r = [{ amount: 50_000, paidOn: '2026-11-22' }];
    const [explained] = explainLoanPenalties(t, r, POLICY, computeBalance(t, r, POLICY, '2026-11-23'));
    expect(explained).toMatchObject({ kind: 'grace', ifUnpaid: 150 });
    expect(computeBalance(t, r, POLICY, '2026-11-24').penalty).toBe(150);
    fc.assert(
      fc.property(terms, repayments, policy, day, (t2, r2, p, asOf) => {
        const paid = r2.filter((x) => x.paidOn <= asOf);
        const now = computeBalance(t2, paid, p, asOf);
        explainLoanPenalties(t2, paid, p, now).forEach((e, i) => {
          if (e.kind !== 'grace') return;
          const after = computeBalance(t2, paid, p, addDays(e.graceEnds, 1));
          expect(after.instalments[i]?.dueDate).toBe(now.instalments[i]?.dueDate);
          expect(e.ifUnpaid).toBe(after.instalments[i]?.penaltyAccrued);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('projections never go down while nothing is paid', () => {
    fc.assert(
      fc.property(terms, repayments, policy, day, (t, r, p, asOf) => {
        const paid = r.filter((x) => x.paidOn <= asOf);
        const projected = projectBalance(t, paid, p, computeBalance(t, paid, p, asOf));
        for (let i = 1; i < projected.length; i++) {
          expect(projected[i]?.total).toBeGreaterThanOrEqual(projected[i - 1]?.total ?? 0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
