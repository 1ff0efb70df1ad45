import { newId } from '../ids.ts';
import type { BorrowerRow, PhoneNumberRow } from '../schema.ts';
import type { Db } from './lenders.ts';

export interface BorrowerWithPhone {
  borrower: BorrowerRow;
  phone: PhoneNumberRow | undefined;
}

export async function findBorrower(
  db: Db,
  lenderId: string,
  externalId: string,
): Promise<BorrowerWithPhone | undefined> {
  const borrower = await db
    .selectFrom('borrowers')
    .selectAll()
    .where('lender_id', '=', lenderId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!borrower) return undefined;
  return { borrower, phone: await findCurrentPhone(db, borrower.id) };
}

export async function findCurrentPhone(db: Db, borrowerId: string): Promise<PhoneNumberRow | undefined> {
  return db
    .selectFrom('phone_numbers')
    .selectAll()
    .where('borrower_id', '=', borrowerId)
    .where('is_current', '=', 1)
    .executeTakeFirst();
}

/** The current number of each of these borrowers (borrower id → E.164). */
export async function listCurrentPhones(db: Db, borrowerIds: readonly string[]): Promise<Map<string, string>> {
  if (borrowerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('phone_numbers')
    .select(['borrower_id', 'e164'])
    .where('borrower_id', 'in', borrowerIds)
    .where('is_current', '=', 1)
    .execute();
  return new Map(rows.map((r) => [r.borrower_id, r.e164]));
}

export async function insertBorrower(
  db: Db,
  values: { lenderId: string; externalId: string; name: string; locale: string },
  now: string,
): Promise<BorrowerRow> {
  const row = newBorrowerRow(values, now);
  await insertBorrowerRows(db, [row]);
  return row;
}

export function newBorrowerRow(
  values: { lenderId: string; externalId: string; name: string; locale: string },
  now: string,
): BorrowerRow {
  return {
    id: newId(),
    lender_id: values.lenderId,
    external_id: values.externalId,
    name: values.name,
    locale: values.locale,
    time_zone: null,
    payday: null,
    opted_out_at: null,
    disputed_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** Several new borrowers at once (a bulk import's batch), a few hundred rows per statement. */
export async function insertBorrowerRows(db: Db, rows: readonly BorrowerRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('borrowers')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

/** Rows per multi-row insert: well inside both databases' limits on bound parameters. */
const INSERT_CHUNK = 500;

export async function updateBorrower(
  db: Db,
  id: string,
  values: { name: string; locale: string },
  now: string,
): Promise<void> {
  await db
    .updateTable('borrowers')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Makes `e164` the borrower's current number. The previous one is kept as history
 * (`replaced_at`), so the old number is never contacted again but "which number and why" stays answerable.
 */
export async function replaceCurrentPhone(
  db: Db,
  borrowerId: string,
  phone: { e164: string; source: string; verifiedAt: string | null },
  now: string,
): Promise<PhoneNumberRow> {
  await db
    .updateTable('phone_numbers')
    .set({ is_current: 0, replaced_at: now, replaced_by: phone.source })
    .where('borrower_id', '=', borrowerId)
    .where('is_current', '=', 1)
    .execute();
  const row = newPhoneRow(borrowerId, phone, now);
  await insertPhoneRows(db, [row]);
  return row;
}

/** A borrower's current number as first recorded (not yet unreachable, no failures). */
export function newPhoneRow(
  borrowerId: string,
  phone: { e164: string; source: string; verifiedAt: string | null },
  now: string,
): PhoneNumberRow {
  return {
    id: newId(),
    borrower_id: borrowerId,
    e164: phone.e164,
    source: phone.source,
    is_current: 1,
    verified_at: phone.verifiedAt,
    unreachable_at: null,
    consecutive_failures: 0,
    created_at: now,
    replaced_at: null,
    replaced_by: null,
    disowned_at: null,
  };
}

/** The first numbers of new borrowers (none of them has one yet), several at once. */
export async function insertPhoneRows(db: Db, rows: readonly PhoneNumberRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('phone_numbers')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

/** When the borrower replaced `e164` with a number of their own choosing, if they ever did. */
export async function whenBorrowerLeftNumber(db: Db, borrowerId: string, e164: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('phone_numbers')
    .select('replaced_at')
    .where('borrower_id', '=', borrowerId)
    .where('e164', '=', e164)
    .where('replaced_by', '=', 'borrower')
    .orderBy('replaced_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.replaced_at ?? undefined;
}

export async function setPhoneVerified(db: Db, phoneId: string, verifiedAt: string | null): Promise<void> {
  await db.updateTable('phone_numbers').set({ verified_at: verifiedAt }).where('id', '=', phoneId).execute();
}

export async function setBorrowerFlags(
  db: Db,
  id: string,
  flags: { optedOutAt: string | null; disputedAt: string | null },
): Promise<void> {
  await db
    .updateTable('borrowers')
    .set({ opted_out_at: flags.optedOutAt, disputed_at: flags.disputedAt })
    .where('id', '=', id)
    .execute();
}

export async function markPhoneUnreachable(db: Db, phoneId: string, failures: number, at: string): Promise<void> {
  await db
    .updateTable('phone_numbers')
    .set({ unreachable_at: at, consecutive_failures: failures })
    .where('id', '=', phoneId)
    .execute();
}

export async function findBorrowerById(db: Db, id: string): Promise<BorrowerRow | undefined> {
  return db.selectFrom('borrowers').selectAll().where('id', '=', id).executeTakeFirst();
}
