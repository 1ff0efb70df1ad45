import type { Kysely } from 'kysely';
import type { LenderProfile } from '../core/lender.ts';
import { type HolderSummary, suggestRecipient, type WithholdReason } from '../core/phone-recipients.ts';
import type { Database } from '../db/schema.ts';
import { accountLoans, recordsOf } from './borrower-account.ts';

/**
 * The lenders that hold the person's number, each with what it has for them and whether the
 * choice screen ticks it by default (see core/phone-recipients.ts): what a person needs to decide
 * who gets their new number.
 */

export interface PhoneHolder extends HolderSummary {
  lender: LenderProfile;
  /** Ticked by default. */
  share: boolean;
  /** Why not ticked by default (null when it is). */
  reason: WithholdReason | null;
}

export async function phoneHolders(db: Kysely<Database>, phone: string, now = new Date()): Promise<PhoneHolder[]> {
  const [records, loans] = await Promise.all([recordsOf(db, phone), accountLoans(db, phone, now)]);
  const out = new Map<string, PhoneHolder>();
  for (const { lender, borrower } of records) {
    const holder = out.get(lender.id) ?? {
      lender,
      loans: 0,
      openLoans: 0,
      daysOverdue: 0,
      disputed: false,
      share: false,
      reason: null,
    };
    holder.disputed ||= borrower.disputed_at !== null;
    out.set(lender.id, holder);
  }
  for (const loan of loans) {
    const holder = out.get(loan.lender.id);
    if (!holder) continue;
    holder.loans++;
    if (loan.balance.total > 0) {
      holder.openLoans++;
      holder.daysOverdue = Math.max(holder.daysOverdue, loan.balance.daysOverdue);
    }
  }
  return [...out.values()].map((holder) => ({ ...holder, ...suggestRecipient(holder) }));
}
