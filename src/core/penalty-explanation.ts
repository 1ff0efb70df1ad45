import type { InstalmentBalance, LoanBalance } from './balance.ts';
import { computeBalance, type InstalmentTerms, type RepaymentEntry } from './balance.ts';
import { addDays } from './dates.ts';
import { compare, multiplyRoundHalfUp, parseDecimal, type Ratio } from './decimal.ts';
import { effectiveDailyRate, type MoneyPolicy } from './policy.ts';

/**
 * How an instalment's penalty interest came about, as numbers a page can write out in words:
 * "¥3,000.00 × 0.05% × 17 days = ¥25.50". Pure; every figure is the balance engine's own, and
 * `amount` always equals the penalty the balance shows before repayments (tests hold it to that).
 */

export interface DailyRate {
  /** True when the annual cap, not the daily rate, sets the rate (cap ÷ 365 is the smaller). */
  capped: boolean;
  /** The lender's daily rate and annual cap, as decimal strings ("0.0005", "0.24"). */
  daily: string;
  annualCap: string;
  rate: Ratio;
}

export type PenaltyExplanation =
  | { kind: 'none' }
  | { kind: 'upcoming'; dueDate: string }
  /** Overdue but within grace: no penalty shows; from `graceEnds + 1` the grace days count too. */
  | { kind: 'grace'; daysOverdue: number; graceDays: number; graceEnds: string; ifUnpaid: number }
  /** The unpaid principal stayed the same on every overdue day. */
  | { kind: 'simple'; principal: number; days: number; rate: DailyRate; amount: number; paid: number }
  /** Part-payments changed the principal along the way: the sum over days of what was unpaid. */
  | { kind: 'varying'; principalDays: bigint; days: number; rate: DailyRate; amount: number; paid: number };

/** The rate the balance engine uses (effectiveDailyRate), and whether the annual cap set it. */
export function dailyRateOf(policy: MoneyPolicy): DailyRate {
  const rate = effectiveDailyRate(policy);
  return {
    capped: compare(rate, parseDecimal(policy.penaltyDailyRate)) < 0,
    daily: policy.penaltyDailyRate,
    annualCap: policy.penaltyAnnualCap,
    rate,
  };
}

/**
 * Every instalment of a loan explained. For one in grace, what its penalty becomes the day after
 * grace if nothing more is paid is the balance engine's own figure for that day (part-payments
 * made during grace lower it from the day after each).
 */
export function explainLoanPenalties(
  instalments: readonly InstalmentTerms[],
  repayments: readonly RepaymentEntry[],
  policy: MoneyPolicy,
  balance: LoanBalance,
): PenaltyExplanation[] {
  const later = new Map<string, LoanBalance>();
  return balance.instalments.map((instalment, index) => {
    const explained = explainPenalty(instalment, policy);
    if (explained.kind !== 'grace') return explained;
    const day = addDays(explained.graceEnds, 1);
    let then = later.get(day);
    if (!then) {
      then = computeBalance(instalments, repayments, policy, day);
      later.set(day, then);
    }
    return { ...explained, ifUnpaid: then.instalments[index]?.penaltyAccrued ?? explained.ifUnpaid };
  });
}

export function explainPenalty(instalment: InstalmentBalance, policy: MoneyPolicy): PenaltyExplanation {
  const rate = dailyRateOf(policy);
  if (instalment.status === 'upcoming' || instalment.status === 'due') {
    return { kind: 'upcoming', dueDate: instalment.dueDate };
  }
  if (instalment.status === 'grace') {
    const graceEnds = addDays(instalment.dueDate, policy.graceDays);
    // The day after grace, the grace days count too: on today's unpaid principal, that is this
    // (explainLoanPenalties replaces it with the engine's figure when part-payments changed it).
    const ifUnpaid = Number(
      multiplyRoundHalfUp(BigInt(instalment.principal) * BigInt(policy.graceDays + 1), rate.rate),
    );
    return { kind: 'grace', daysOverdue: instalment.daysOverdue, graceDays: policy.graceDays, graceEnds, ifUnpaid };
  }
  // Paid in full (and a penalty waived when paid within grace): nothing is owed to explain.
  if (instalment.status === 'paid' || instalment.penaltyBaseDays === 0n) return { kind: 'none' };
  const amount = instalment.penaltyAccrued;
  const paid = instalment.penaltyPaid;
  const days = instalment.daysOverdue;
  if (
    instalment.principal > 0 &&
    days > 0 &&
    instalment.penaltyBaseDays === BigInt(instalment.principal) * BigInt(days)
  ) {
    return { kind: 'simple', principal: instalment.principal, days, rate, amount, paid };
  }
  return { kind: 'varying', principalDays: instalment.penaltyBaseDays, days, rate, amount, paid };
}

export interface Projection {
  /** Days from the balance date. */
  days: number;
  date: string;
  total: number;
  penalty: number;
}

/** What the loan will come to if nothing more is paid, `days` after `asOf` (7, 30 and 60 by default). */
export function projectBalance(
  instalments: readonly InstalmentTerms[],
  repayments: readonly RepaymentEntry[],
  policy: MoneyPolicy,
  today: LoanBalance,
  horizons: readonly number[] = [7, 30, 60],
): Projection[] {
  return [
    { days: 0, date: today.asOf, total: today.total, penalty: today.penalty },
    ...horizons.map((days) => {
      const date = addDays(today.asOf, days);
      const later = computeBalance(instalments, repayments, policy, date);
      return { days, date, total: later.total, penalty: later.penalty };
    }),
  ];
}
