import { sql } from 'kysely';
import type { Db } from './lenders.ts';

/**
 * Looking up sent messages for verification: by link token hash, reference code or text
 * fingerprint. Only messages that can have reached a phone count: queued and failed ones never did.
 */
const SENT_STATUSES = ['sent', 'delivered', 'undelivered', 'unknown'];

const COLUMNS = [
  'messages.id',
  'messages.lender_id',
  'messages.borrower_id',
  'messages.phone_e164',
  'messages.body',
  'messages.reference_code',
  'messages.fingerprint',
  'messages.status',
  'messages.created_at',
  'messages.sent_at',
  'messages.expires_at',
  'messages.kind',
  // whether the first open and first genuine check are recorded yet (the effect report counts each once)
  'messages.opened_at',
  'messages.verified_at',
] as const;

export async function findMessageByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('messages')
    .select(COLUMNS)
    .where('token_hash', '=', tokenHash)
    .where('status', 'in', SENT_STATUSES)
    .executeTakeFirst();
}

export async function findMessageByReferenceCode(db: Db, code: string) {
  return db
    .selectFrom('messages')
    .select(COLUMNS)
    .where('reference_code', '=', code)
    .where('status', 'in', SENT_STATUSES)
    .executeTakeFirst();
}

export async function findMessagesByFingerprint(db: Db, fingerprint: string) {
  return db
    .selectFrom('messages')
    .select(COLUMNS)
    .where('fingerprint', '=', fingerprint)
    .where('status', 'in', SENT_STATUSES)
    .limit(5)
    .execute();
}

export type SentMessage = NonNullable<Awaited<ReturnType<typeof findMessageByTokenHash>>>;

/** Who a sent message went to, for support staff: the borrower and loan it was about. */
export async function findMessageRecipient(db: Db, messageId: string) {
  return db
    .selectFrom('messages')
    .innerJoin('borrowers', 'borrowers.id', 'messages.borrower_id')
    .leftJoin('loans', 'loans.id', 'messages.loan_id')
    .select([
      'borrowers.name as borrower_name',
      'borrowers.external_id as borrower_external_id',
      'loans.external_id as loan_external_id',
      'messages.stage',
      'messages.status',
      'messages.delivered_at',
    ])
    .where('messages.id', '=', messageId)
    .executeTakeFirst();
}

/** Messages that reached (or may have reached) these borrowers' phones, newest first. */
export async function listSentMessagesOfBorrowers(db: Db, borrowerIds: readonly string[], limit: number) {
  if (borrowerIds.length === 0) return [];
  return db
    .selectFrom('messages')
    .leftJoin('loans', 'loans.id', 'messages.loan_id')
    .select([
      'messages.id',
      'messages.lender_id',
      'messages.phone_e164',
      'messages.body',
      'messages.stage',
      'messages.status',
      'messages.reference_code',
      'messages.created_at',
      'messages.sent_at',
      'loans.external_id as loan_ref',
    ])
    .where('messages.borrower_id', 'in', borrowerIds)
    .where('messages.status', 'in', SENT_STATUSES)
    .orderBy('messages.created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function countRemindersOfLoan(db: Db, loanId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select(sql<number>`count(*)`.as('n'))
    .where('loan_id', '=', loanId)
    .where('kind', '=', 'reminder')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
