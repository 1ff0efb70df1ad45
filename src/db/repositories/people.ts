import type { BorrowerRow, LoanRow } from '../schema.ts';
import type { Db } from './lenders.ts';
import { LOAN_PAGE_COLUMNS, type LoanPageRow } from './reminders.ts';

/**
 * A person is whoever holds a phone number: every borrower record whose current number it is and
 * not disowned (a number the person left while a lender they did not give the new one to still
 * holds it belongs to nobody here). These queries read and change a person's records, loans and number.
 */

export async function listBorrowersByCurrentPhone(db: Db, phone: string): Promise<BorrowerRow[]> {
  return db
    .selectFrom('borrowers')
    .innerJoin('phone_numbers', 'phone_numbers.borrower_id', 'borrowers.id')
    .selectAll('borrowers')
    .where('phone_numbers.e164', '=', phone)
    .where('phone_numbers.is_current', '=', 1)
    .where('phone_numbers.disowned_at', 'is', null)
    .orderBy('borrowers.created_at')
    .execute();
}

export async function isCurrentNumber(db: Db, phone: string): Promise<boolean> {
  return (await listHoldersOfNumber(db, phone)).length > 0;
}

/** Borrower ids whose current number is `phone` (and not disowned). */
export async function listHoldersOfNumber(db: Db, phone: string): Promise<string[]> {
  return (await listHolderRecords(db, phone)).map((r) => r.borrowerId);
}

export interface HolderRecord {
  borrowerId: string;
  lenderId: string;
  phoneId: string;
}

/** The person's records on `phone`, with each one's lender and number row. */
export async function listHolderRecords(db: Db, phone: string): Promise<HolderRecord[]> {
  const rows = await db
    .selectFrom('phone_numbers')
    .innerJoin('borrowers', 'borrowers.id', 'phone_numbers.borrower_id')
    .select(['phone_numbers.id as phoneId', 'borrowers.id as borrowerId', 'borrowers.lender_id as lenderId'])
    .where('phone_numbers.e164', '=', phone)
    .where('phone_numbers.is_current', '=', 1)
    .where('phone_numbers.disowned_at', 'is', null)
    .orderBy('borrowers.created_at')
    .orderBy('borrowers.id')
    .execute();
  return rows;
}

/**
 * The person left this number but the record's lender was not given the new one: the number
 * stays the lender's current one (it learns nothing), marked unreachable so the reminder engine
 * says `phone_unreachable`, and disowned so it signs nobody in to this record.
 */
export async function disownNumber(db: Db, phoneId: string, at: string): Promise<void> {
  await db
    .updateTable('phone_numbers')
    .set((eb) => ({ disowned_at: at, unreachable_at: eb.fn.coalesce('unreachable_at', eb.val(at)) }))
    .where('id', '=', phoneId)
    .execute();
}

/** Texts still waiting to go to `phone` for these borrowers are never sent: it is no longer the person's. */
export async function cancelQueuedMessagesTo(
  db: Db,
  borrowerIds: readonly string[],
  phone: string,
  at: string,
): Promise<void> {
  if (borrowerIds.length === 0) return;
  const waiting = db
    .selectFrom('messages')
    .select('id')
    .where('borrower_id', 'in', borrowerIds)
    .where('phone_e164', '=', phone)
    .where('status', '=', 'queued');
  const error = 'not sent: phone_unreachable';
  const cancelled = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: error, updated_at: at })
    .where('status', '=', 'queued')
    .where('message_id', 'in', waiting)
    .returning('message_id')
    .execute();
  if (cancelled.length === 0) return;
  await db
    .updateTable('messages')
    .set({ status: 'cancelled', error })
    .where(
      'id',
      'in',
      cancelled.map((r) => r.message_id),
    )
    .execute();
}

export async function markNumberVerified(db: Db, phone: string, at: string): Promise<void> {
  await db
    .updateTable('phone_numbers')
    .set({ verified_at: at })
    .where('e164', '=', phone)
    .where('is_current', '=', 1)
    .where('disowned_at', 'is', null)
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
