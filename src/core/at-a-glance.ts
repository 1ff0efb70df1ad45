import type { LoanBalance } from './balance.ts';

/**
 * The three amounts a borrower must never confuse, from one balance: what is due now (overdue,
 * in grace, or due today — penalty included), what is outstanding in total (instalments not yet
 * due included), and the next instalment not yet due with its date. After a plan is approved
 * nothing may be due now although thousands are outstanding: saying "pay ¥5,288.94 now" then is
 * untrue.
 */
export interface AtAGlance {
  dueNow: number;
  /** The penalty interest inside `dueNow`. */
  penaltyNow: number;
  /** The oldest date among what is due now, or null. */
  dueNowSince: string | null;
  outstanding: number;
  /** The first instalment not yet due, or null when none is left. */
  next: { dueDate: string; amount: number } | null;
}

export function atAGlance(balance: LoanBalance): AtAGlance {
  let dueNow = 0;
  let penaltyNow = 0;
  let dueNowSince: string | null = null;
  let next: AtAGlance['next'] = null;
  for (const i of balance.instalments) {
    const owed = i.principal + i.interest + i.penalty;
    if (i.status === 'due' || i.status === 'grace' || i.status === 'overdue') {
      dueNow += owed;
      penaltyNow += i.penalty;
      if (dueNowSince === null || i.dueDate < dueNowSince) dueNowSince = i.dueDate;
    } else if (i.status === 'upcoming' && owed > 0 && (next === null || i.dueDate < next.dueDate)) {
      next = { dueDate: i.dueDate, amount: owed };
    }
  }
  return { dueNow, penaltyNow, dueNowSince, outstanding: balance.total, next };
}
