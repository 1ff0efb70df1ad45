import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atAGlance } from '../../src/core/at-a-glance.ts';
import { computeBalance } from '../../src/core/balance.ts';
import { addDays } from '../../src/core/dates.ts';
import { DEFAULT_MONEY_POLICY } from '../../src/core/policy.ts';

// Due now, outstanding in total and the next instalment, as the account pages show them.

const POLICY = DEFAULT_MONEY_POLICY;
const plan = [
  { dueDate: '2027-01-06', principal: 80_000, interest: 8_149 },
  { dueDate: '2027-02-06', principal: 80_000, interest: 8_149 },
  { dueDate: '2027-03-06', principal: 80_000, interest: 8_149 },
];

describe('amounts at a glance', () => {
  it('after a plan: nothing due today, the whole plan outstanding, the first instalment next', () => {
    const glance = atAGlance(computeBalance(plan, [], POLICY, '2026-12-06'));
    expect(glance).toEqual({
      dueNow: 0,
      penaltyNow: 0,
      dueNowSince: null,
      outstanding: 3 * 88_149,
      next: { dueDate: '2027-01-06', amount: 88_149 },
    });
  });

  it('on the due day the instalment is due now and the next one follows', () => {
    const glance = atAGlance(computeBalance(plan, [], POLICY, '2027-01-06'));
    expect(glance.dueNow).toBe(88_149);
    expect(glance.dueNowSince).toBe('2027-01-06');
    expect(glance.next).toEqual({ dueDate: '2027-02-06', amount: 88_149 });
  });

  it('overdue past grace: due now carries the penalty, counted from the day after the due date', () => {
    // 80,000 fen × 0.05% × 10 days = 400 fen.
    const glance = atAGlance(computeBalance(plan, [], POLICY, '2027-01-16'));
    expect(glance.penaltyNow).toBe(400);
    expect(glance.dueNow).toBe(88_149 + 400);
    expect(glance.outstanding).toBe(3 * 88_149 + 400);
  });

  it('a partly paid instalment counts only what is left; a settled loan shows nothing', () => {
    const part = atAGlance(computeBalance(plan, [{ amount: 50_000, paidOn: '2027-01-06' }], POLICY, '2027-01-06'));
    expect(part.dueNow).toBe(38_149);
    const settled = atAGlance(
      computeBalance(plan, [{ amount: 3 * 88_149, paidOn: '2026-12-06' }], POLICY, '2026-12-06'),
    );
    expect(settled).toEqual({ dueNow: 0, penaltyNow: 0, dueNowSince: null, outstanding: 0, next: null });
  });

  it('due now and the instalments not yet due always add up to the outstanding total', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: 400 }),
            principal: fc.integer({ min: 1, max: 10_000_000 }),
            interest: fc.integer({ min: 0, max: 1_000_000 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: -30, max: 500 }),
        fc.integer({ min: 0, max: 5_000_000 }),
        (rows, asOfOffset, paid) => {
          const start = '2026-01-31';
          const terms = rows.map((r) => ({
            dueDate: addDays(start, r.offset),
            principal: r.principal,
            interest: r.interest,
          }));
          const asOf = addDays(start, asOfOffset);
          const balance = computeBalance(terms, paid > 0 ? [{ amount: paid, paidOn: start }] : [], POLICY, asOf);
          const glance = atAGlance(balance);
          const notYetDue = balance.instalments
            .filter((i) => i.status === 'upcoming')
            .reduce((s, i) => s + i.principal + i.interest + i.penalty, 0);
          expect(glance.dueNow + notYetDue).toBe(glance.outstanding);
          if (glance.next) expect(glance.next.dueDate > asOf).toBe(true);
          expect(glance.penaltyNow).toBeLessThanOrEqual(glance.dueNow);
        },
      ),
    );
  });
});
