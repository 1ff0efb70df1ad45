import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBalance, type InstalmentTerms, type RepaymentEntry } from '../../src/core/balance.ts';
import { addDays } from '../../src/core/dates.ts';
import type { MoneyPolicy } from '../../src/core/policy.ts';

const START = '2026-01-01';
const day = fc.integer({ min: 0, max: 400 }).map((n) => addDays(START, n));
const instalment: fc.Arbitrary<InstalmentTerms> = fc.record({
  dueDate: day,
  principal: fc.integer({ min: 0, max: 50_000_000 }),
  interest: fc.integer({ min: 0, max: 5_000_000 }),
});
const repayment: fc.Arbitrary<RepaymentEntry> = fc.record({
  amount: fc.integer({ min: 1, max: 60_000_000 }),
  paidOn: day,
});
const policy: fc.Arbitrary<MoneyPolicy> = fc.record({
  graceDays: fc.integer({ min: 0, max: 10 }),
  penaltyDailyRate: fc.constantFrom('0', '0.0001', '0.0005', '0.001', '0.003'),
  penaltyAnnualCap: fc.constantFrom('0.1', '0.24', '0.36', '1'),
  timeZone: fc.constant('Asia/Shanghai'),
});
const loan = fc.array(instalment, { minLength: 1, maxLength: 6 });
const payments = fc.array(repayment, { maxLength: 6 });

describe('money properties', () => {
  it('penalty never decreases as asOf moves on with no repayment in between', () => {
    fc.assert(
      fc.property(loan, payments, policy, day, fc.integer({ min: 1, max: 200 }), (terms, paid, p, asOf, later) => {
        const before = paid.filter((r) => r.paidOn <= asOf);
        const first = computeBalance(terms, before, p, asOf);
        const second = computeBalance(terms, before, p, addDays(asOf, later));
        expect(second.penalty).toBeGreaterThanOrEqual(first.penalty);
        first.instalments.forEach((inst, i) => {
          expect(second.instalments[i]?.penalty).toBeGreaterThanOrEqual(inst.penalty);
        });
      }),
    );
  });

  it('a repayment never raises what is owed, nor the penalty beyond one rounding', () => {
    fc.assert(
      fc.property(loan, payments, repayment, policy, day, (terms, paid, extra, p, asOf) => {
        const without = computeBalance(terms, paid, p, asOf);
        const withExtra = computeBalance(terms, [...paid, extra], p, asOf);
        expect(withExtra.total).toBeLessThanOrEqual(without.total);
        expect(withExtra.principal).toBeLessThanOrEqual(without.principal);
        expect(withExtra.interest).toBeLessThanOrEqual(without.interest);
        withExtra.instalments.forEach((inst, i) => {
          const before = without.instalments[i];
          // The exact accrual never rises; the penalty shown may, by the fen a repayment's own
          // half-up rounding moved (rule 5: see the example below).
          expect(inst.penaltyBaseDays).toBeLessThanOrEqual(before?.penaltyBaseDays ?? 0n);
          expect(inst.penalty).toBeLessThanOrEqual((before?.penalty ?? 0) + 1);
        });
      }),
    );
  });

  it('an extra repayment can show one fen more penalty while the total owed falls (rule 5 rounding)', () => {
    // Found by the property above (1 case in about 16,000): each repayment meets the penalty
    // accrued so far rounded half-up, so the 4 fen paid on 2 January lower the principal, the
    // accrual by a fraction of a fen, and the July payment's rounded share by one fen less.
    const terms = [{ dueDate: '2026-01-01', principal: 45_489_519, interest: 0 }];
    const paid = [
      { amount: 1_515_046, paidOn: '2026-09-03' },
      { amount: 23_516_705, paidOn: '2026-07-15' },
    ];
    const p: MoneyPolicy = {
      graceDays: 0,
      penaltyDailyRate: '0.003',
      penaltyAnnualCap: '0.36',
      timeZone: 'Asia/Shanghai',
    };
    const without = computeBalance(terms, paid, p, '2026-09-05');
    const withExtra = computeBalance(terms, [...paid, { amount: 4, paidOn: '2026-01-02' }], p, '2026-09-05');
    expect(withExtra.penalty).toBe(without.penalty + 1);
    expect(withExtra.total).toBeLessThan(without.total);
    expect(withExtra.instalments[0]?.penaltyBaseDays).toBeLessThan(without.instalments[0]?.penaltyBaseDays ?? 0n);
  });

  it('allocations always add up to the payment', () => {
    fc.assert(
      fc.property(loan, payments, policy, day, (terms, paid, p, asOf) => {
        const b = computeBalance(terms, paid, p, asOf);
        expect(b.repayments).toHaveLength(paid.filter((r) => r.paidOn <= asOf).length);
        for (const r of b.repayments) {
          const allocated = r.allocations.reduce((sum, a) => sum + a.penalty + a.interest + a.principal, 0);
          expect(allocated + r.unallocated).toBe(r.amount);
        }
      }),
    );
  });

  it('nothing is ever negative and the totals are the sums of the instalments', () => {
    fc.assert(
      fc.property(loan, payments, policy, day, (terms, paid, p, asOf) => {
        const b = computeBalance(terms, paid, p, asOf);
        for (const value of [b.principal, b.interest, b.penalty, b.total, b.daysOverdue]) {
          expect(value).toBeGreaterThanOrEqual(0);
        }
        let principal = 0;
        let interest = 0;
        let penalty = 0;
        for (const inst of b.instalments) {
          expect(inst.principal).toBeGreaterThanOrEqual(0);
          expect(inst.interest).toBeGreaterThanOrEqual(0);
          expect(inst.penalty).toBeGreaterThanOrEqual(0);
          principal += inst.principal;
          interest += inst.interest;
          penalty += inst.penalty;
        }
        expect([b.principal, b.interest, b.penalty]).toEqual([principal, interest, penalty]);
        expect(b.total).toBe(principal + interest + penalty);
        for (const r of b.repayments) {
          expect(r.unallocated).toBeGreaterThanOrEqual(0);
          for (const a of r.allocations) expect(Math.min(a.penalty, a.interest, a.principal)).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('paying the whole balance on asOf leaves nothing owed', () => {
    fc.assert(
      fc.property(loan, policy, day, (terms, p, asOf) => {
        const owed = computeBalance(terms, [], p, asOf).total;
        fc.pre(owed > 0);
        const after = computeBalance(terms, [{ amount: owed, paidOn: asOf }], p, asOf);
        expect(after.total).toBe(0);
        expect(after.repayments[0]?.unallocated).toBe(0);
      }),
    );
  });
});
