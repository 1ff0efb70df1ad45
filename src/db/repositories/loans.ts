import { sql } from 'kysely';
import type { InstalmentTerms, RepaymentEntry } from '../../core/balance.ts';
import { newId } from '../ids.ts';
import type { InstalmentRow, LoanRow, RepaymentRow } from '../schema.ts';
import type { Db } from './lenders.ts';

export interface InstalmentInput {
  dueDate: string;
  principal: number;
  interest: number;
}

export async function findLoan(db: Db, lenderId: string, externalId: string): Promise<LoanRow | undefined> {
  return db
    .selectFrom('loans')
    .selectAll()
    .where('lender_id', '=', lenderId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/**
 * Takes the loan's write lock for the rest of the transaction: a no-op update, which row-locks
 * on PostgreSQL and takes the database write lock on SQLite (portable, unlike FOR UPDATE).
 */
export async function lockLoan(db: Db, loanId: string): Promise<void> {
  await db
    .updateTable('loans')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', loanId)
    .execute();
}

export async function listInstalments(db: Db, loanId: string): Promise<InstalmentRow[]> {
  return db.selectFrom('instalments').selectAll().where('loan_id', '=', loanId).orderBy('seq').execute();
}

export async function insertLoan(
  db: Db,
  values: { lenderId: string; borrowerId: string; externalId: string; currency: string; policy: string | null },
  now: string,
): Promise<LoanRow> {
  const row = newLoanRow(values, now);
  await insertLoanRows(db, [row]);
  return row;
}

export function newLoanRow(
  values: { lenderId: string; borrowerId: string; externalId: string; currency: string; policy: string | null },
  now: string,
): LoanRow {
  return {
    id: newId(),
    lender_id: values.lenderId,
    borrower_id: values.borrowerId,
    external_id: values.externalId,
    currency: values.currency,
    policy: values.policy,
    created_at: now,
    updated_at: now,
    schedule_after_seq: null,
  };
}

/** Rows per multi-row insert: well inside both databases' limits on bound parameters. */
const INSERT_CHUNK = 500;

/** Several new loans at once (a bulk import's batch). */
export async function insertLoanRows(db: Db, rows: readonly LoanRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('loans')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

/** The schedules of new loans (none has instalments yet), several loans at once. */
export async function insertSchedules(
  db: Db,
  schedules: ReadonlyArray<{ loanId: string; instalments: readonly InstalmentInput[] }>,
): Promise<void> {
  const rows = schedules.flatMap(({ loanId, instalments }) =>
    instalments.map((instalment, seq) => ({
      id: newId(),
      loan_id: loanId,
      seq,
      due_date: instalment.dueDate,
      principal: instalment.principal,
      interest: instalment.interest,
    })),
  );
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('instalments')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

export async function updateLoan(
  db: Db,
  id: string,
  values: { borrowerId: string; currency: string; policy: string | null },
  now: string,
): Promise<void> {
  await db
    .updateTable('loans')
    .set({ borrower_id: values.borrowerId, currency: values.currency, policy: values.policy, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Replaces the whole schedule (the lender's PUT is the truth for it). */
export async function replaceInstalments(
  db: Db,
  loanId: string,
  instalments: readonly InstalmentInput[],
): Promise<void> {
  await db.deleteFrom('instalments').where('loan_id', '=', loanId).execute();
  if (instalments.length === 0) return;
  await db
    .insertInto('instalments')
    .values(
      instalments.map((instalment, seq) => ({
        id: newId(),
        loan_id: loanId,
        seq,
        due_date: instalment.dueDate,
        principal: instalment.principal,
        interest: instalment.interest,
      })),
    )
    .execute();
}

export async function listRepayments(db: Db, loanId: string): Promise<RepaymentRow[]> {
  return db.selectFrom('repayments').selectAll().where('loan_id', '=', loanId).orderBy('seq').execute();
}

export async function findRepaymentByKey(db: Db, loanId: string, key: string): Promise<RepaymentRow | undefined> {
  return db
    .selectFrom('repayments')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function insertRepayment(
  db: Db,
  values: { loanId: string; seq: number; amount: number; paidOn: string; idempotencyKey: string; response: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('repayments')
    .values({
      id: newId(),
      loan_id: values.loanId,
      seq: values.seq,
      amount: values.amount,
      paid_on: values.paidOn,
      idempotency_key: values.idempotencyKey,
      response: values.response,
      created_at: now,
    })
    .execute();
}

/** Stored rows as the balance rules take them. */
export function instalmentTerms(rows: readonly InstalmentRow[]): InstalmentTerms[] {
  return rows.map((i) => ({ dueDate: i.due_date, principal: i.principal, interest: i.interest }));
}

/**
 * Repayments as the balance rules take them. After an extension or plan (`afterSeq` set), only
 * the repayments made since count: the earlier ones were settled against the old schedule.
 */
export function repaymentEntries(rows: readonly RepaymentRow[], afterSeq: number | null = null): RepaymentEntry[] {
  return rows
    .filter((r) => afterSeq === null || r.seq > afterSeq)
    .map((r) => ({ amount: r.amount, paidOn: r.paid_on }));
}

export async function findLoanById(db: Db, id: string): Promise<LoanRow | undefined> {
  return db.selectFrom('loans').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * After an approved extension or plan: repayments up to now were settled against the old
 * schedule. Sequence numbers start at 0, so with none yet every later one counts (-1).
 */
export async function markScheduleReplaced(db: Db, loanId: string, at: string): Promise<void> {
  const last = await db
    .selectFrom('repayments')
    .select(sql<number | null>`max(seq)`.as('seq'))
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
  await db
    .updateTable('loans')
    .set({ schedule_after_seq: last?.seq == null ? -1 : Number(last.seq), updated_at: at })
    .where('id', '=', loanId)
    .execute();
}
