import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBalance, type LoanBalance } from '../../src/core/balance.ts';
import { addDays } from '../../src/core/dates.ts';
import { multiplyRoundHalfUp } from '../../src/core/decimal.ts';
import { effectiveDailyRate, type MoneyPolicy } from '../../src/core/policy.ts';
import { parseInput } from '../../src/core/validation.ts';
import {
  instalmentSchema,
  loanBodySchema,
  MAX_AMOUNT,
  MAX_INSTALMENTS,
  MAX_LOAN_REPAID,
  MAX_LOAN_TOTAL,
  repaymentBodySchema,
} from '../../src/services/lender-api-schemas.ts';

// Amounts are JavaScript numbers: exact only up to 2^53. The bounds on what the API and the CSV
// import accept keep every figure of every accepted loan exact, at the extremes the policies allow
// (1% a day of penalty, dates from 1900 to 2999). Checked here against the same figures in BigInt.

const FIRST = '1900-01-01';
const LAST_DAY = 401_767; // 2999-12-31
const date = (lo = 0) => fc.integer({ min: lo, max: LAST_DAY }).map((n) => addDays(FIRST, n));

/** Near the ceilings: large amounts are the interesting ones. */
const amount = fc.oneof(
  fc.integer({ min: 0, max: MAX_AMOUNT }),
  fc.integer({ min: MAX_AMOUNT - 1_000, max: MAX_AMOUNT }),
  fc.constant(MAX_AMOUNT),
);

/** An accepted loan body: instalments scaled down until their sum is within MAX_LOAN_TOTAL. */
const loanBody = fc
  .array(fc.record({ dueDate: date(), principal: amount, interest: amount }), { minLength: 1, maxLength: 8 })
  .map((instalments) => {
    const sum = instalments.reduce((s, i) => s + i.principal + i.interest, 0);
    const scale = sum > MAX_LOAN_TOTAL ? MAX_LOAN_TOTAL / sum : 1;
    return instalments.map((i) => ({
      ...i,
      principal: Math.max(1, Math.floor(i.principal * scale)),
      interest: Math.floor(i.interest * scale),
    }));
  })
  .filter((instalments) => loanBodySchema.safeParse({ borrower: 'B1', currency: 'CNY', instalments }).success);

const policy: fc.Arbitrary<MoneyPolicy> = fc.record({
  graceDays: fc.integer({ min: 0, max: 365 }),
  penaltyDailyRate: fc.constantFrom('0.01', '0.0005', '0.009999'),
  penaltyAnnualCap: fc.constantFrom('3.65', '0.24', '3.6499'),
  timeZone: fc.constant('Asia/Shanghai'),
});

/** Repayments adding up to at most MAX_LOAN_REPAID, as the API records them. */
const repayments = fc
  .array(fc.record({ amount: fc.integer({ min: 1, max: MAX_AMOUNT }), paidOn: date() }), { maxLength: 6 })
  .map((list) => {
    let left = MAX_LOAN_REPAID;
    return list.flatMap((r) => {
      const amount = Math.min(r.amount, left);
      left -= amount;
      return amount > 0 ? [{ ...r, amount }] : [];
    });
  });

const big = (n: number) => BigInt(n);

/** Every figure of the balance, recomputed in BigInt from its parts, must be the number shown. */
function expectExact(
  terms: ReadonlyArray<{ principal: number; interest: number }>,
  paid: ReadonlyArray<{ amount: number }>,
  p: MoneyPolicy,
  balance: LoanBalance,
): void {
  const rate = effectiveDailyRate(p);
  let principal = 0n;
  let interest = 0n;
  let penalty = 0n;
  const paidTo = terms.map(() => ({ principal: 0n, interest: 0n, penalty: 0n }));
  for (const r of balance.repayments) {
    let allocated = 0n;
    for (const a of r.allocations) {
      for (const part of [a.penalty, a.interest, a.principal]) expect(Number.isSafeInteger(part)).toBe(true);
      allocated += big(a.penalty) + big(a.interest) + big(a.principal);
      const to = paidTo[a.instalment];
      if (!to) throw new Error('allocation to no instalment');
      to.principal += big(a.principal);
      to.interest += big(a.interest);
      to.penalty += big(a.penalty);
    }
    expect(allocated + big(r.unallocated)).toBe(big(r.amount));
  }
  balance.instalments.forEach((inst, i) => {
    const original = terms[i];
    const to = paidTo[i];
    if (!original || !to) throw new Error('instalment missing');
    for (const n of [inst.principal, inst.interest, inst.penalty, inst.penaltyAccrued, inst.penaltyPaid])
      expect(Number.isSafeInteger(n)).toBe(true);
    // nothing lost or made between the schedule, the repayments and what is left
    expect(big(inst.principal) + to.principal).toBe(big(original.principal));
    expect(big(inst.interest) + to.interest).toBe(big(original.interest));
    expect(big(inst.penaltyPaid)).toBe(to.penalty);
    // the penalty is the exact accrual, rounded once
    if (inst.penaltyAccrued > 0) expect(big(inst.penaltyAccrued)).toBe(multiplyRoundHalfUp(inst.penaltyBaseDays, rate));
    expect(big(inst.penalty)).toBe(big(inst.penaltyAccrued) - big(inst.penaltyPaid));
    principal += big(inst.principal);
    interest += big(inst.interest);
    penalty += big(inst.penalty);
  });
  expect(big(balance.principal)).toBe(principal);
  expect(big(balance.interest)).toBe(interest);
  expect(big(balance.penalty)).toBe(penalty);
  expect(big(balance.total)).toBe(principal + interest + penalty);
  expect(Number.isSafeInteger(balance.total)).toBe(true);
  expect(paid.reduce((s, r) => s + big(r.amount), 0n)).toBeLessThanOrEqual(big(MAX_LOAN_REPAID));
}

describe('amount bounds', () => {
  it('keep every figure of an accepted loan exact, at any date up to 2999', () => {
    fc.assert(
      fc.property(loanBody, repayments, policy, date(), (terms, paid, p, asOf) => {
        expectExact(terms, paid, p, computeBalance(terms, paid, p, asOf));
      }),
      { numRuns: 150 },
    );
  });

  it('hold at the worst case: the whole ceiling overdue from 1900, unpaid in 2999, at 1% a day', () => {
    const terms = [{ dueDate: FIRST, principal: MAX_LOAN_TOTAL, interest: 0 }];
    const p: MoneyPolicy = { graceDays: 0, penaltyDailyRate: '0.01', penaltyAnnualCap: '3.65', timeZone: 'UTC' };
    const balance = computeBalance(terms, [], p, addDays(FIRST, LAST_DAY));
    expectExact(terms, [], p, balance);
    expect(balance.total).toBeLessThan(Number.MAX_SAFE_INTEGER / 10);
  });

  it('are refused beyond, naming the field', () => {
    const instalment = { dueDate: '2026-03-01', principal: MAX_AMOUNT, interest: 0 };
    expect(() => parseInput(instalmentSchema, { ...instalment, principal: MAX_AMOUNT + 1 })).toThrow(
      /^principal: principal must be at most/,
    );
    expect(() =>
      parseInput(loanBodySchema, { borrower: 'B1', currency: 'CNY', instalments: [instalment, instalment] }),
    ).toThrow(/^instalments: the instalments must owe at most 100000000000 in all/);
    expect(() =>
      parseInput(repaymentBodySchema, { amount: MAX_AMOUNT + 1, paidOn: '2026-03-01', idempotencyKey: 'k' }),
    ).toThrow(/^amount: amount must be at most/);
    expect(MAX_INSTALMENTS * 2 * MAX_AMOUNT).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });
});
