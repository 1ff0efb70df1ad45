import { toDayNumber } from './dates.ts';
import { multiplyRoundHalfUp, type Ratio } from './decimal.ts';
import { effectiveDailyRate, type MoneyPolicy } from './policy.ts';

/**
 * The balance of a loan as of a date, by CONTRACT.md's money rules:
 *
 * 1. an instalment is overdue from the day after its due date while any of it is unpaid;
 * 2. penalty accrues on its unpaid principal once per overdue day, at min(daily rate, annual cap / 365);
 * 3. within grace it shows no penalty; once past grace the grace days count too, unless it was paid in time;
 * 4. exact arithmetic, each instalment's penalty rounded half-up once, at the end;
 * 5. repayments go to the oldest unpaid instalment, within it to penalty, interest, principal;
 *    a repayment on day d lowers the base from day d + 1;
 * 6. daysOverdue is the age of the oldest overdue instalment;
 * 7. totals are what remains unpaid on the whole loan, repayments dated after asOf ignored.
 *
 * Amounts are integers in the currency's minor unit. Pure: no I/O, no clock.
 */

export interface InstalmentTerms {
  dueDate: string;
  principal: number;
  interest: number;
}

export interface RepaymentEntry {
  amount: number;
  paidOn: string;
}

export type InstalmentStatus = 'paid' | 'upcoming' | 'due' | 'grace' | 'overdue';

export interface InstalmentBalance {
  dueDate: string;
  principal: number;
  interest: number;
  penalty: number;
  status: InstalmentStatus;
  daysOverdue: number;
  /** Sum over overdue days of the unpaid principal (fen·days): penalty = round(baseDays × dailyRate). */
  penaltyBaseDays: bigint;
  /** Penalty accrued in total (before repayments), rounded once; 0 while in grace or when waived. */
  penaltyAccrued: number;
  penaltyPaid: number;
  /** True when it was paid in full within grace, so its grace-day penalty is waived for good. */
  paidInTime: boolean;
  /** The day it was paid in full (penalty included), or null while anything is unpaid. */
  settledOn: string | null;
}

export interface Allocation {
  instalment: number;
  penalty: number;
  interest: number;
  principal: number;
}

export interface RepaymentAllocation {
  amount: number;
  paidOn: string;
  allocations: Allocation[];
  /** What was left over once everything then owed was paid (an overpayment). */
  unallocated: number;
}

export interface LoanBalance {
  asOf: string;
  principal: number;
  interest: number;
  penalty: number;
  total: number;
  daysOverdue: number;
  dailyRate: Ratio;
  instalments: InstalmentBalance[];
  repayments: RepaymentAllocation[];
}

interface Ledger {
  dueDay: number;
  graceEndDay: number;
  principal: number;
  interest: number;
  penaltyPaid: number;
  baseDays: bigint;
  accruedThrough: number;
  paidInTime: boolean;
  settledOn: string | null;
}

/**
 * Computes the balance. `instalments` may come in any order (they are ranked by due date, ties
 * kept in the given order); `repayments` are applied by date, ties in the given order.
 */
export function computeBalance(
  instalments: readonly InstalmentTerms[],
  repayments: readonly RepaymentEntry[],
  policy: MoneyPolicy,
  asOf: string,
): LoanBalance {
  const rate = effectiveDailyRate(policy);
  const asOfDay = toDayNumber(asOf);
  const order = instalments
    .map((terms, index) => ({ terms, index, dueDay: toDayNumber(terms.dueDate) }))
    .sort((a, b) => a.dueDay - b.dueDay || a.index - b.index);
  const ledgers: Ledger[] = order.map(({ terms, dueDay }) => ({
    dueDay,
    graceEndDay: dueDay + policy.graceDays,
    principal: terms.principal,
    interest: terms.interest,
    penaltyPaid: 0,
    baseDays: 0n,
    accruedThrough: dueDay,
    paidInTime: false,
    settledOn: null,
  }));

  const applied = repayments
    .map((entry, index) => ({ entry, index, day: toDayNumber(entry.paidOn) }))
    .filter(({ day }) => day <= asOfDay)
    .sort((a, b) => a.day - b.day || a.index - b.index);

  const allocations: RepaymentAllocation[] = [];
  for (const { entry, day } of applied) {
    for (const ledger of ledgers) accrueThrough(ledger, day);
    let remaining = entry.amount;
    const parts: Allocation[] = [];
    for (let i = 0; i < ledgers.length && remaining > 0; i++) {
      const ledger = ledgers[i] as Ledger;
      const penaltyDue = penaltyOutstanding(ledger, day, rate);
      if (penaltyDue + ledger.interest + ledger.principal === 0) continue;
      const penalty = Math.min(remaining, penaltyDue);
      remaining -= penalty;
      const interest = Math.min(remaining, ledger.interest);
      remaining -= interest;
      const principal = Math.min(remaining, ledger.principal);
      remaining -= principal;
      ledger.penaltyPaid += penalty;
      ledger.interest -= interest;
      ledger.principal -= principal;
      if (ledger.principal === 0 && ledger.interest === 0) {
        if (day <= ledger.graceEndDay) ledger.paidInTime = true;
        if (penaltyOutstanding(ledger, day, rate) === 0) ledger.settledOn ??= entry.paidOn;
      }
      parts.push({ instalment: order[i]?.index ?? i, penalty, interest, principal });
    }
    allocations.push({ amount: entry.amount, paidOn: entry.paidOn, allocations: parts, unallocated: remaining });
  }

  const result: InstalmentBalance[] = new Array(instalments.length);
  let principal = 0;
  let interest = 0;
  let penalty = 0;
  let oldestOverdueDay: number | null = null;
  ledgers.forEach((ledger, i) => {
    accrueThrough(ledger, asOfDay);
    const accrued = penaltyAccrued(ledger, asOfDay, rate);
    const penaltyDue = Math.max(0, accrued - ledger.penaltyPaid);
    const unpaid = ledger.principal + ledger.interest + penaltyDue;
    const overdue = unpaid > 0 && asOfDay > ledger.dueDay;
    if (overdue && (oldestOverdueDay === null || ledger.dueDay < oldestOverdueDay)) oldestOverdueDay = ledger.dueDay;
    principal += ledger.principal;
    interest += ledger.interest;
    penalty += penaltyDue;
    const entry = order[i];
    if (!entry) return;
    result[entry.index] = {
      dueDate: entry.terms.dueDate,
      principal: ledger.principal,
      interest: ledger.interest,
      penalty: penaltyDue,
      status: statusOf(unpaid, asOfDay, ledger),
      daysOverdue: overdue ? asOfDay - ledger.dueDay : 0,
      penaltyBaseDays: ledger.baseDays,
      penaltyAccrued: accrued,
      penaltyPaid: ledger.penaltyPaid,
      paidInTime: ledger.paidInTime,
      settledOn: unpaid === 0 ? ledger.settledOn : null,
    };
  });

  return {
    asOf,
    principal,
    interest,
    penalty,
    total: principal + interest + penalty,
    daysOverdue: oldestOverdueDay === null ? 0 : asOfDay - oldestOverdueDay,
    dailyRate: rate,
    instalments: result,
    repayments: allocations,
  };
}

/** Adds the unpaid principal for each day after `accruedThrough` up to and including `day`. */
function accrueThrough(ledger: Ledger, day: number): void {
  if (day <= ledger.accruedThrough) return;
  ledger.baseDays += BigInt(ledger.principal) * BigInt(day - ledger.accruedThrough);
  ledger.accruedThrough = day;
}

/** The penalty accrued as seen on `day`: nothing within grace or once paid in time. */
function penaltyAccrued(ledger: Ledger, day: number, rate: Ratio): number {
  if (ledger.paidInTime || day <= ledger.graceEndDay) return 0;
  return Number(multiplyRoundHalfUp(ledger.baseDays, rate));
}

function penaltyOutstanding(ledger: Ledger, day: number, rate: Ratio): number {
  return Math.max(0, penaltyAccrued(ledger, day, rate) - ledger.penaltyPaid);
}

function statusOf(unpaid: number, asOfDay: number, ledger: Ledger): InstalmentStatus {
  if (unpaid === 0) return 'paid';
  if (asOfDay < ledger.dueDay) return 'upcoming';
  if (asOfDay === ledger.dueDay) return 'due';
  return asOfDay <= ledger.graceEndDay ? 'grace' : 'overdue';
}
