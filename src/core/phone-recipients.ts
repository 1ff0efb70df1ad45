import { z } from 'zod';

/**
 * Who receives a borrower's new number (PIPL: consent, minimum necessary). Several lenders may
 * hold the same number for one person; a change reaches only the lenders the person ticks. The
 * suggestion ticks a lender only when it has a loan still open that the person has not disputed:
 * a lender with nothing owed has no need of the new number.
 */

/** What one lender holds for the person, as the choice screen describes it. */
export interface HolderSummary {
  /** Every loan the lender has for the person. */
  loans: number;
  /** Loans with anything still unpaid (instalments not yet due included). */
  openLoans: number;
  /** The oldest overdue instalment's age among the open loans (0 if none overdue). */
  daysOverdue: number;
  /** The person told the lender a record of theirs is not right. */
  disputed: boolean;
}

/** Why a lender is not ticked by default: nothing owed, or a record the person disputes. */
export type WithholdReason = 'no_open_loan' | 'disputed';

export function suggestRecipient(holder: HolderSummary): { share: boolean; reason: WithholdReason | null } {
  if (holder.openLoans === 0) return { share: false, reason: 'no_open_loan' };
  if (holder.disputed) return { share: false, reason: 'disputed' };
  return { share: true, reason: null };
}

export type RecipientProblem = 'none' | 'unknown';

/**
 * The lenders ticked on the form (`lenders`, one value per box), checked against those that hold
 * the number: at least one, each one of them, no repeats. A slug of any other lender is refused
 * rather than ignored — the person must see exactly who gets the number.
 */
export function parseRecipients(
  raw: readonly unknown[],
  holders: readonly string[],
): { ok: true; lenders: string[] } | { ok: false; problem: RecipientProblem } {
  const parsed = z.array(z.string().max(64)).max(100).safeParse(raw);
  if (!parsed.success) return { ok: false, problem: 'unknown' };
  const chosen = [...new Set(parsed.data)];
  if (chosen.some((slug) => !holders.includes(slug))) return { ok: false, problem: 'unknown' };
  if (chosen.length === 0) return { ok: false, problem: 'none' };
  return { ok: true, lenders: holders.filter((slug) => chosen.includes(slug)) };
}
