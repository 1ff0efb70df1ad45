import type { Stage } from '../core/eligibility.ts';
import type { Db } from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';

/**
 * The effect report's comparison group: loans at a stage that the engine would have reminded on a
 * day but for a cap or the hour. Only those: a loan held back for any other reason (grace, a
 * pending request, an opt-out, an unverified number…) is not comparable with the loans reminded.
 * One row per (loan, borrower-local date, stage), written once however often a cycle runs.
 */

const COMPARABLE_REASONS: ReadonlySet<string> = new Set(['daily_cap', 'weekly_cap', 'quiet_hours']);

export type HoldbackRow = Database['reminder_holdbacks'];

export function holdbackOf(
  lenderId: string,
  loanId: string,
  decision: { stage: Stage | null; reasons: readonly string[]; localDate: string },
  now: Date,
): HoldbackRow | null {
  if (!decision.stage || decision.reasons.length === 0) return null;
  if (!decision.reasons.every((reason) => COMPARABLE_REASONS.has(reason))) return null;
  return {
    loan_id: loanId,
    local_date: decision.localDate,
    stage: decision.stage,
    lender_id: lenderId,
    reasons: JSON.stringify([...decision.reasons].sort()),
    at: now.toISOString(),
  };
}

/** A page's hold-backs in a few statements; the first of a day's rows for a loan and stage stays. */
export async function recordHoldbacks(db: Db, rows: readonly HoldbackRow[]): Promise<void> {
  // 6 parameters a row: 300 rows stay far below every driver's parameter limit.
  for (let start = 0; start < rows.length; start += 300) {
    await db
      .insertInto('reminder_holdbacks')
      .values(rows.slice(start, start + 300))
      .onConflict((conflict) => conflict.columns(['loan_id', 'local_date', 'stage']).doNothing())
      .execute();
  }
}
