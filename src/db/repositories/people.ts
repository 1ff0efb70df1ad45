import type { BorrowerRow, LoanRow } from '../schema.ts';
import type { Db } from './lenders.ts';
import { LOAN_PAGE_COLUMNS, type LoanPageRow } from './reminders.ts';

/**
 * A person is whoever holds a phone number: every borrower record whose current number it is.
 * These queries read and change a person's records, loans and number.
 */

export async function listBorrowersByCurrentPhone(db: Db, phone: string): Promise<BorrowerRow[]> {
  return db
    .selectFrom('borrowers')
    .innerJoin('phone_numbers', 'phone_numbers.borrower_id', 'borrowers.id')
    .selectAll('borrowers')
    .where('phone_numbers.e164', '=', phone)
    .where('phone_numbers.is_current', '=', 1)
    .orderBy('borrowers.created_at')
    .execute();
}

export async function isCurrentNumber(db: Db, phone: string): Promise<boolean> {
  return (await listHoldersOfNumber(db, phone)).length > 0;
}

/** Borrower ids whose current number is `phone`. */
export async function listHoldersOfNumber(db: Db, phone: string): Promise<string[]> {
  const rows = await db
    .selectFrom('phone_numbers')
    .select('borrower_id')
    .where('e164', '=', phone)
    .where('is_current', '=', 1)
    .execute();
  return rows.map((r) => r.borrower_id);
}

export async function markNumberVerified(db: Db, phone: string, at: string): Promise<void> {
  await db
    .updateTable('phone_numbers')
    .set({ verified_at: at })
    .where('e164', '=', phone)
    .where('is_current', '=', 1)
    .where('verified_at', 'is', null)
    .execute();
}

export async function listLoansOfBorrowers(db: Db, borrowerIds: readonly string[]): Promise<LoanRow[]> {
  if (borrowerIds.length === 0) return [];
  return db.selectFrom('loans').selectAll().where('borrower_id', 'in', borrowerIds).orderBy('created_at').execute();
}

export async function listLoanPageRowsOfBorrowers(db: Db, borrowerIds: readonly string[]): Promise<LoanPageRow[]> {
  if (borrowerIds.length === 0) return [];
  return db
    .selectFrom('loans')
    .select(LOAN_PAGE_COLUMNS)
    .where('borrower_id', 'in', borrowerIds)
    .orderBy('id')
    .execute();
}

/** One loan by id, only if it belongs to one of these borrowers. */
export async function findLoanOfBorrowers(
  db: Db,
  loanId: string,
  borrowerIds: readonly string[],
): Promise<LoanRow | undefined> {
  if (borrowerIds.length === 0) return undefined;
  return db
    .selectFrom('loans')
    .selectAll()
    .where('id', '=', loanId)
    .where('borrower_id', 'in', borrowerIds)
    .executeTakeFirst();
}

export async function setReminderPreferences(
  db: Db,
  borrowerId: string,
  values: { locale: string; payday: number | null; optedOutAt: string | null },
  at: string,
): Promise<void> {
  await db
    .updateTable('borrowers')
    .set({ locale: values.locale, payday: values.payday, opted_out_at: values.optedOutAt, updated_at: at })
    .where('id', '=', borrowerId)
    .execute();
}

/** When any of these borrowers last changed their number themselves, or undefined. */
export async function lastSelfServicePhoneChange(db: Db, borrowerIds: readonly string[]): Promise<string | undefined> {
  if (borrowerIds.length === 0) return undefined;
  const row = await db
    .selectFrom('phone_numbers')
    .select('created_at')
    .where('borrower_id', 'in', borrowerIds)
    .where('source', '=', 'borrower')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at;
}

/** Texts not yet sent to `oldPhone` for these borrowers go to `newPhone` instead. */
export async function readdressQueuedMessages(
  db: Db,
  borrowerIds: readonly string[],
  oldPhone: string,
  newPhone: string,
): Promise<void> {
  if (borrowerIds.length === 0) return;
  await db
    .updateTable('messages')
    .set({ phone_e164: newPhone })
    .where('borrower_id', 'in', borrowerIds)
    .where('phone_e164', '=', oldPhone)
    .where('status', '=', 'queued')
    .execute();
}
