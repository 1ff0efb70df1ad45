import { newId } from '../ids.ts';
import type { Db } from './lenders.ts';

/** Stores a receipt once; false when the same (provider, message, status) was already stored. */
export async function insertReceiptOnce(
  db: Db,
  receipt: {
    provider: string;
    providerMessageId: string;
    status: string;
    errorCode: string | null;
    messageId: string | null;
    reportedAt: string;
  },
  receivedAt: string,
): Promise<boolean> {
  const rows = await db
    .insertInto('delivery_receipts')
    .values({
      id: newId(),
      provider: receipt.provider,
      provider_message_id: receipt.providerMessageId,
      status: receipt.status,
      error_code: receipt.errorCode,
      message_id: receipt.messageId,
      reported_at: receipt.reportedAt,
      received_at: receivedAt,
    })
    .onConflict((oc) => oc.columns(['provider', 'provider_message_id', 'status']).doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function findMessageForReceipt(
  db: Db,
  provider: string,
  providerMessageId: string,
  messageId: string | null,
) {
  const columns = ['id', 'borrower_id', 'lender_id', 'phone_e164', 'status'] as const;
  if (messageId) {
    const own = await db
      .selectFrom('messages')
      .select(columns)
      .where('id', '=', messageId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    if (own) return own;
  }
  return db
    .selectFrom('messages')
    .select(columns)
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
}

export async function setMessageDelivery(
  db: Db,
  id: string,
  status: string,
  at: string,
  error: string | null,
): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status, ...(status === 'delivered' ? { delivered_at: at } : {}), error })
    .where('id', '=', id)
    // a late or repeated failure never overrides a delivery
    .where('status', '!=', 'delivered')
    .execute();
}

/** Counts a failed delivery to the borrower's current number; returns the new count. */
export async function recordPhoneFailure(
  db: Db,
  borrowerId: string,
  e164: string,
): Promise<{ id: string; failures: number; unreachable: boolean } | undefined> {
  const phone = await db
    .selectFrom('phone_numbers')
    .select(['id', 'consecutive_failures', 'unreachable_at'])
    .where('borrower_id', '=', borrowerId)
    .where('e164', '=', e164)
    .where('is_current', '=', 1)
    .executeTakeFirst();
  if (!phone) return undefined;
  const failures = phone.consecutive_failures + 1;
  await db.updateTable('phone_numbers').set({ consecutive_failures: failures }).where('id', '=', phone.id).execute();
  return { id: phone.id, failures, unreachable: phone.unreachable_at !== null };
}

export async function resetPhoneFailures(db: Db, borrowerId: string, e164: string): Promise<void> {
  await db
    .updateTable('phone_numbers')
    .set({ consecutive_failures: 0 })
    .where('borrower_id', '=', borrowerId)
    .where('e164', '=', e164)
    .where('is_current', '=', 1)
    .execute();
}

/** Receipts that arrived before we knew the provider's id for their message (stored unmatched). */
export async function takeUnmatchedReceipts(db: Db, provider: string, providerMessageId: string) {
  const rows = await db
    .selectFrom('delivery_receipts')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .where('message_id', 'is', null)
    .execute();
  if (rows.length > 0) {
    await db
      .deleteFrom('delivery_receipts')
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
  }
  return rows;
}
