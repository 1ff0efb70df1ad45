import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBalance } from '../../src/core/balance.ts';
import { addDays, toDayNumber } from '../../src/core/dates.ts';
import { parseDecimal } from '../../src/core/decimal.ts';
import { DEFAULT_MONEY_POLICY } from '../../src/core/policy.ts';
import {
  addMonths,
  amortize,
  choiceProblem,
  DEFAULT_RELIEF_POLICY,
  extensionChoices,
  quoteExtension,
  quoteFingerprint,
  quotePlan,
  reliefLength,
  reliefOptions,
  reliefTerms,
  resolveReliefPolicy,
} from '../../src/core/relief.ts';

const POLICY = DEFAULT_RELIEF_POLICY;
const MONEY = DEFAULT_MONEY_POLICY;
const NONE = { pending: false, approvedExtensions: 0, planActive: false };

describe('month arithmetic', () => {
  it('keeps the day of the month, or the month’s last day', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addMonths('2026-11-24', 2)).toBe('2027-01-24');
    expect(addMonths('2026-12-15', 12)).toBe('2027-12-15');
  });
});

describe('equal monthly instalments (等额本息)', () => {
  it('matches a hand-worked 3-month plan', () => {
    // ¥10,000.00 at 1% a month: payment = 1,000,000 × 0.01 × 1.030301 / 0.030301 = 340,022.11… → 340,022
    const plan = amortize(1_000_000, 3, parseDecimal('0.01'), '2026-11-24');
    expect(plan).toEqual([
      { dueDate: '2026-12-24', principal: 330_022, interest: 10_000 },
      { dueDate: '2027-01-24', principal: 333_322, interest: 6_700 },
      // last: the remaining 336,656 with its interest 3,367 (one fen more than the others' payment)
      { dueDate: '2027-02-24', principal: 336_656, interest: 3_367 },
    ]);
    expect(plan.reduce((s, i) => s + i.principal, 0)).toBe(1_000_000);
  });

  it('splits evenly at a zero rate, the last taking the remainder', () => {
    expect(
      amortize(1_000, 3, parseDecimal('0'), '2026-01-31').map((i) => [i.dueDate, i.principal, i.interest]),
    ).toEqual([
      ['2026-02-28', 333, 0],
      ['2026-03-31', 333, 0],
      ['2026-04-30', 334, 0],
    ]);
  });

  it('always adds up to the financed amount plus its interest, with no zero or negative instalment and rising dates', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5_000, max: 500_000_000 }),
        fc.constantFrom(2, 3, 6, 9, 12, 24, 36, 60),
        fc.constantFrom('0', '0.001', '0.005', '0.01', '0.0125', '0.02', '0.05'),
        fc.integer({ min: 0, max: 3_000 }).map((n) => addDays('2025-01-01', n)),
        (financed, months, rate, start) => {
          const plan = amortize(financed, months, parseDecimal(rate), start);
          expect(plan).toHaveLength(months);
          expect(plan.reduce((s, i) => s + i.principal, 0)).toBe(financed);
          for (const i of plan) {
            expect(i.principal).toBeGreaterThan(0);
            expect(i.interest).toBeGreaterThanOrEqual(0);
            expect(Number.isInteger(i.principal) && Number.isInteger(i.interest)).toBe(true);
          }
          for (let k = 1; k < plan.length; k++) {
            expect(toDayNumber(plan[k]?.dueDate ?? '')).toBeGreaterThan(toDayNumber(plan[k - 1]?.dueDate ?? ''));
          }
          // equal payments: every one but the last within a fen of the first
          const payments = plan.map((i) => i.principal + i.interest);
          for (const p of payments.slice(0, -1)) expect(Math.abs(p - (payments[0] ?? 0))).toBeLessThanOrEqual(0);
          // the last absorbs the rounding: at most a fen a month (payment and interest each half a
          // fen), grown by the interest since
          const r = Number(rate);
          // (the payment is rounded down: up to a fen a month, plus half a fen of interest rounding)
          const bound = r === 0 ? months : (1.5 * ((1 + r) ** months - 1)) / r + 1;
          expect(Math.abs((payments.at(-1) ?? 0) - (payments[0] ?? 0))).toBeLessThanOrEqual(Math.ceil(bound));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('who may ask, and for what', () => {
  const overdue = computeBalance(
    [{ dueDate: '2026-11-01', principal: 300_000, interest: 4_500 }],
    [],
    MONEY,
    '2026-11-24',
  );
  const notDue = computeBalance(
    [{ dueDate: '2026-12-01', principal: 300_000, interest: 4_500 }],
    [],
    MONEY,
    '2026-11-24',
  );

  it('offers both to an overdue loan', () => {
    const options = reliefOptions(overdue, POLICY, NONE);
    expect(options.extension).toEqual({ eligible: true, reasons: [], maxDays: 30 });
    expect(options.plan).toEqual({ eligible: true, reasons: [], terms: [3, 6, 12] });
    expect(options.overdue).toEqual({ principal: 300_000, interest: 4_500, penalty: 3_450, total: 307_950 });
  });

  it('says every reason why not', () => {
    expect(reliefOptions(notDue, POLICY, NONE).extension.reasons).toEqual(['not_overdue']);
    const busy = reliefOptions(overdue, POLICY, { pending: true, approvedExtensions: 1, planActive: true });
    expect(busy.extension.reasons).toEqual(['request_pending', 'limit_reached']);
    expect(busy.plan.reasons).toEqual(['request_pending', 'plan_active']);
    const late = computeBalance([{ dueDate: '2026-06-01', principal: 300_000, interest: 0 }], [], MONEY, '2026-11-24');
    expect(reliefOptions(late, POLICY, NONE).extension.reasons).toEqual(['too_late']);
    expect(reliefOptions(late, POLICY, NONE).plan.reasons).toEqual(['too_late']);
    const small = computeBalance([{ dueDate: '2026-11-20', principal: 10_000, interest: 0 }], [], MONEY, '2026-11-24');
    expect(reliefOptions(small, POLICY, NONE).plan.reasons).toEqual(['below_minimum']);
    const off = resolveReliefPolicy({ extension: { enabled: false } });
    expect(reliefOptions(overdue, off, NONE).extension.reasons).toEqual(['disabled']);
    const paid = computeBalance(
      [{ dueDate: '2026-11-01', principal: 1_000, interest: 0 }],
      [{ amount: 1_000, paidOn: '2026-11-01' }],
      MONEY,
      '2026-11-24',
    );
    expect(reliefOptions(paid, POLICY, NONE).extension.reasons).toEqual(['settled']);
  });

  it('offers a week, two weeks, a month and the longest allowed, within the policy', () => {
    expect(extensionChoices(POLICY)).toEqual([7, 15, 30]);
    expect(extensionChoices(resolveReliefPolicy({ extension: { maxDays: 20 } }))).toEqual([7, 15, 20]);
    expect(extensionChoices(resolveReliefPolicy({ extension: { maxDays: 5 } }))).toEqual([5]);
    expect(extensionChoices(resolveReliefPolicy({ extension: { maxDays: 60 } }))).toEqual([7, 15, 30, 60]);
  });

  it('refuses choices outside the policy', () => {
    expect(choiceProblem('extension', 15, POLICY)).toBeNull();
    expect(choiceProblem('extension', 31, POLICY)).toMatch(/between 1 and 30/);
    expect(choiceProblem('extension', 0, POLICY)).not.toBeNull();
    expect(choiceProblem('plan', 6, POLICY)).toBeNull();
    expect(choiceProblem('plan', 5, POLICY)).toMatch(/3, 6, 12/);
    expect(choiceProblem('plan', 3.5, POLICY)).not.toBeNull();
  });

  it('falls back to the defaults for an invalid stored policy', () => {
    expect(resolveReliefPolicy({ plan: { terms: [] } })).toEqual(DEFAULT_RELIEF_POLICY);
    expect(resolveReliefPolicy({ plan: { monthlyRate: '0.02' } }).plan.monthlyRate).toBe('0.02');
  });
});

describe('quotes', () => {
  const balance = computeBalance(
    [
      { dueDate: '2026-11-01', principal: 300_000, interest: 4_500 },
      { dueDate: '2026-12-01', principal: 300_000, interest: 4_500 },
    ],
    [],
    MONEY,
    '2026-11-24',
  );

  it('an extension moves the overdue part, penalty so far and a 1% fee to one later date', () => {
    const quote = quoteExtension(balance, POLICY, 15);
    expect(quote).toMatchObject({ kind: 'extension', length: 15, payNow: 307_950, financed: 307_950, cost: 3_000 });
    expect(quote.schedule).toEqual([{ dueDate: '2026-12-09', principal: 300_000, interest: 4_500 + 3_450 + 3_000 }]);
    expect(quote.loanSchedule.map((i) => i.dueDate)).toEqual(['2026-12-01', '2026-12-09']);
  });

  it('a plan re-spreads the overdue part; the later instalment stays', () => {
    const quote = quotePlan(balance, POLICY, 3);
    expect(quote.financed).toBe(307_950);
    // the overdue principal is amortized; the interest and penalty so far ride along as interest
    expect(quote.schedule.reduce((s, i) => s + i.principal, 0)).toBe(300_000);
    expect(quote.schedule.reduce((s, i) => s + i.principal + i.interest, 0)).toBe(quote.financed + quote.cost);
    expect(quote.loanSchedule).toHaveLength(4);
    expect(quoteFingerprint(quote)).toBe(quoteFingerprint(quotePlan(balance, POLICY, 3)));
    expect(quoteFingerprint(quote)).not.toBe(quoteFingerprint(quotePlan(balance, POLICY, 6)));
    const dayLater = computeBalance(
      [
        { dueDate: '2026-11-01', principal: 300_000, interest: 4_500 },
        { dueDate: '2026-12-01', principal: 300_000, interest: 4_500 },
      ],
      [],
      MONEY,
      '2026-11-25',
    );
    expect(quoteFingerprint(quotePlan(dayLater, POLICY, 3))).not.toBe(quoteFingerprint(quote));
  });
});

describe('stored request terms', () => {
  it('round-trips the length asked for, in days or months', () => {
    expect(reliefTerms('extension', 15)).toEqual({ days: 15 });
    expect(reliefTerms('plan', 6)).toEqual({ months: 6 });
    expect(reliefLength(JSON.stringify(reliefTerms('extension', 15)))).toBe(15);
    expect(reliefLength(JSON.stringify(reliefTerms('plan', 6)))).toBe(6);
    expect(reliefLength('{}')).toBe(0);
  });
});
