import { type RawBuilder, sql } from 'kysely';
import type { InstalmentRow, LoanRow, RepaymentRow } from '../schema.ts';
import type { Db } from './lenders.ts';

/**
 * What the lender console's borrower list and case page read. Every query is scoped to one
 * lender: a borrower, loan, message or reply of another lender is never returned.
 */

/** How a search term is matched; any of the given parts may match (none given: every borrower). */
export interface BorrowerMatch {
  /** Lower-cased; matches the start of the external id or any part of the name. */
  text: string | null;
  /** A whole number as E.164: matches the current number exactly. */
  phoneE164: string | null;
  /** Digits only (4–15): matches the end of the current number. */
  phoneDigits: string | null;
}

export interface BorrowerListRow {
  id: string;
  external_id: string;
  name: string;
  opted_out_at: string | null;
  disputed_at: string | null;
  e164: string | null;
  verified_at: string | null;
  unreachable_at: string | null;
}

/** `%` and `_` typed by a person are literal characters, not wildcards. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function matching(db: Db, lenderId: string, match: BorrowerMatch) {
  const conditions: RawBuilder<boolean>[] = [];
  if (match.text) {
    const text = likeEscape(match.text);
    conditions.push(sql<boolean>`lower(borrowers.external_id) like ${`${text}%`} escape '\\'`);
    conditions.push(sql<boolean>`lower(borrowers.name) like ${`%${text}%`} escape '\\'`);
  }
  if (match.phoneE164) conditions.push(sql<boolean>`phone_numbers.e164 = ${match.phoneE164}`);
  if (match.phoneDigits) conditions.push(sql<boolean>`phone_numbers.e164 like ${`%${match.phoneDigits}`}`);
  return db
    .selectFrom('borrowers')
    .leftJoin('phone_numbers', (join) =>
      join.onRef('phone_numbers.borrower_id', '=', 'borrowers.id').on('phone_numbers.is_current', '=', 1),
    )
    .where('borrowers.lender_id', '=', lenderId)
    .$if(conditions.length > 0, (q) => q.where(sql<boolean>`(${sql.join(conditions, sql` or `)})`));
}

export async function searchBorrowers(
  db: Db,
  lenderId: string,
  match: BorrowerMatch,
  page: { offset: number; limit: number },
): Promise<{ rows: BorrowerListRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    matching(db, lenderId, match)
      .select([
        'borrowers.id',
        'borrowers.external_id',
        'borrowers.name',
        'borrowers.opted_out_at',
        'borrowers.disputed_at',
        'phone_numbers.e164',
        'phone_numbers.verified_at',
        'phone_numbers.unreachable_at',
      ])
      .orderBy('borrowers.external_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    matching(db, lenderId, match).select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function findLenderBorrower(db: Db, lenderId: string, externalId: string) {
  return db
    .selectFrom('borrowers')
    .leftJoin('phone_numbers', (join) =>
      join.onRef('phone_numbers.borrower_id', '=', 'borrowers.id').on('phone_numbers.is_current', '=', 1),
    )
    .selectAll('borrowers')
    .select([
      'phone_numbers.e164',
      'phone_numbers.verified_at',
      'phone_numbers.unreachable_at',
      'phone_numbers.source as phone_source',
    ])
    .where('borrowers.lender_id', '=', lenderId)
    .where('borrowers.external_id', '=', externalId)
    .executeTakeFirst();
}

export type CaseBorrowerRow = NonNullable<Awaited<ReturnType<typeof findLenderBorrower>>>;

/** Every loan of these borrowers that belongs to the lender, with what its balance needs. */
export async function listLenderLoansWithSchedules(
  db: Db,
  lenderId: string,
  borrowerIds: readonly string[],
): Promise<Array<{ loan: LoanRow; instalments: InstalmentRow[]; repayments: RepaymentRow[] }>> {
  if (borrowerIds.length === 0) return [];
  const loans = await db
    .selectFrom('loans')
    .selectAll()
    .where('lender_id', '=', lenderId)
    .where('borrower_id', 'in', borrowerIds)
    .orderBy('external_id')
    .execute();
  if (loans.length === 0) return [];
  const ids = loans.map((l) => l.id);
  const [instalments, repayments] = await Promise.all([
    db.selectFrom('instalments').selectAll().where('loan_id', 'in', ids).orderBy('loan_id').orderBy('seq').execute(),
    db.selectFrom('repayments').selectAll().where('loan_id', 'in', ids).orderBy('loan_id').orderBy('seq').execute(),
  ]);
  return loans.map((loan) => ({
    loan,
    instalments: instalments.filter((i) => i.loan_id === loan.id),
    repayments: repayments.filter((r) => r.loan_id === loan.id),
  }));
}

export async function listPendingRequestsOfBorrower(db: Db, lenderId: string, borrowerId: string) {
  return db
    .selectFrom('requests')
    .innerJoin('loans', 'loans.id', 'requests.loan_id')
    .select([
      'requests.id',
      'requests.kind',
      'requests.terms',
      'requests.created_at',
      'requests.reason_category',
      'loans.external_id as loan_ref',
    ])
    .where('requests.lender_id', '=', lenderId)
    .where('requests.borrower_id', '=', borrowerId)
    .where('requests.status', '=', 'pending')
    .orderBy('requests.created_at')
    .execute();
}

/** Texts sent (or tried) to the borrower, newest first, with who sent each one by hand. */
export async function listCaseMessages(db: Db, lenderId: string, borrowerId: string, limit: number) {
  const where = db
    .selectFrom('messages')
    .where('messages.lender_id', '=', lenderId)
    .where('messages.borrower_id', '=', borrowerId);
  const [rows, count] = await Promise.all([
    where
      .leftJoin('loans', 'loans.id', 'messages.loan_id')
      .leftJoin('staff_users', 'staff_users.id', 'messages.sent_by')
      .select([
        'messages.id',
        'messages.kind',
        'messages.stage',
        'messages.status',
        'messages.phone_e164',
        'messages.body',
        'messages.created_at',
        'messages.sent_at',
        'messages.delivered_at',
        'messages.error',
        'messages.sent_by',
        'messages.idempotency_key',
        'staff_users.email as sent_by_email',
        'loans.external_id as loan_ref',
      ])
      .orderBy('messages.created_at', 'desc')
      .orderBy('messages.id', 'desc')
      .limit(limit)
      .execute(),
    where.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** The borrower's replies (rows of inbound_messages), newest first. */
export async function listCaseReplies(db: Db, lenderId: string, borrowerId: string, limit: number) {
  const where = db
    .selectFrom('inbound_messages')
    .where('inbound_messages.lender_id', '=', lenderId)
    .where('inbound_messages.borrower_id', '=', borrowerId);
  const [rows, count] = await Promise.all([
    where
      .leftJoin('staff_users', 'staff_users.id', 'inbound_messages.handled_by')
      .select([
        'inbound_messages.id',
        'inbound_messages.kind',
        'inbound_messages.body',
        'inbound_messages.from_e164',
        'inbound_messages.received_at',
        'inbound_messages.handled_at',
        'staff_users.email as handled_by_email',
      ])
      .orderBy('inbound_messages.received_at', 'desc')
      .orderBy('inbound_messages.id', 'desc')
      .limit(limit)
      .execute(),
    where.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** The message queued under this idempotency key, if one was. */
export async function findMessageIdByIdempotencyKey(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('messages').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}
