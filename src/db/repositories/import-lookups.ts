import type { InstalmentRow, LoanRow, PhoneNumberRow } from '../schema.ts';
import type { BorrowerWithPhone } from './borrowers.ts';
import type { Db } from './lenders.ts';
import { LOAN_PAGE_COLUMNS, type LoanPageRow } from './reminders.ts';

/**
 * What a bulk import's batch of loans already has in the database, read with a few queries per
 * batch instead of a few per row: so that an unchanged borrower or loan costs no write at all.
 */

export async function findBorrowersByExternalIds(
  db: Db,
  lenderId: string,
  externalIds: readonly string[],
): Promise<Map<string, BorrowerWithPhone>> {
  const out = new Map<string, BorrowerWithPhone>();
  if (externalIds.length === 0) return out;
  const borrowers = await db
    .selectFrom('borrowers')
    .selectAll()
    .where('lender_id', '=', lenderId)
    .where('external_id', 'in', externalIds)
    .execute();
  if (borrowers.length === 0) return out;
  const phones = await db
    .selectFrom('phone_numbers')
    .selectAll()
    .where(
      'borrower_id',
      'in',
      borrowers.map((b) => b.id),
    )
    .where('is_current', '=', 1)
    .execute();
  const phoneOf = new Map<string, PhoneNumberRow>(phones.map((p) => [p.borrower_id, p]));
  for (const borrower of borrowers) out.set(borrower.external_id, { borrower, phone: phoneOf.get(borrower.id) });
  return out;
}

export interface LoanWithInstalments {
  loan: LoanRow;
  instalments: InstalmentRow[];
}

export async function findLoansByExternalIds(
  db: Db,
  lenderId: string,
  externalIds: readonly string[],
): Promise<Map<string, LoanWithInstalments>> {
  const out = new Map<string, LoanWithInstalments>();
  if (externalIds.length === 0) return out;
  const loans = await db
    .selectFrom('loans')
    .selectAll()
    .where('lender_id', '=', lenderId)
    .where('external_id', 'in', externalIds)
    .execute();
  if (loans.length === 0) return out;
  const instalments = await db
    .selectFrom('instalments')
    .selectAll()
    .where(
      'loan_id',
      'in',
      loans.map((l) => l.id),
    )
    .orderBy('loan_id')
    .orderBy('seq')
    .execute();
  const byLoan = new Map<string, InstalmentRow[]>();
  for (const row of instalments) {
    const list = byLoan.get(row.loan_id);
    if (list) list.push(row);
    else byLoan.set(row.loan_id, [row]);
  }
  for (const loan of loans) out.set(loan.external_id, { loan, instalments: byLoan.get(loan.id) ?? [] });
  return out;
}

export async function listLoanPageRowsByExternalIds(
  db: Db,
  lenderId: string,
  externalIds: readonly string[],
): Promise<LoanPageRow[]> {
  if (externalIds.length === 0) return [];
  return db
    .selectFrom('loans')
    .select(LOAN_PAGE_COLUMNS)
    .where('lender_id', '=', lenderId)
    .where('external_id', 'in', externalIds)
    .orderBy('id')
    .execute();
}
