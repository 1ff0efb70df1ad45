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
