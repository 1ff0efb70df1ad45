import type { Kysely } from 'kysely';
import { maskPhone } from '../core/phone.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { markPhoneUnreachable } from '../db/repositories/borrowers.ts';
import { findLenderById } from '../db/repositories/lenders.ts';
import {
  findMessageForReceipt,
  insertReceiptOnce,
  recordPhoneFailure,
  resetPhoneFailures,
  setMessageDelivery,
  takeUnmatchedReceipts,
} from '../db/repositories/receipts.ts';
import type { Database } from '../db/schema.ts';
import type { DeliveryReceipt } from '../sms/provider.ts';

/**
 * Applies delivery receipts. Idempotent: a receipt seen before changes nothing. A delivery
 * resets the number's failure count; each failure adds one, and at the lender's threshold the
 * number is marked unreachable (reason `phone_unreachable`) until it is verified again.
 */
export async function applyReceipts(
  db: Kysely<Database>,
  receipts: readonly DeliveryReceipt[],
  now = new Date(),
): Promise<{ applied: number; duplicates: number; unmatched: number }> {
  const result = { applied: 0, duplicates: 0, unmatched: 0 };
  for (const receipt of receipts) {
    await db.transaction().execute(async (trx) => {
      const message = await findMessageForReceipt(
        trx,
        receipt.provider,
        receipt.providerMessageId,
        receipt.messageId ?? null,
      );
      const fresh = await insertReceiptOnce(
        trx,
        {
          provider: receipt.provider,
          providerMessageId: receipt.providerMessageId,
          status: receipt.status,
          errorCode: receipt.errorCode,
          messageId: message?.id ?? null,
          reportedAt: receipt.at.toISOString(),
        },
        nowIso(now),
      );
      if (!fresh) {
        result.duplicates++;
        return;
      }
      if (!message) {
        result.unmatched++;
        return;
      }
      result.applied++;
      if (receipt.status === 'sent') return;
      await setMessageDelivery(trx, message.id, receipt.status, receipt.at.toISOString(), receipt.errorCode);
      if (receipt.status === 'delivered') {
        await resetPhoneFailures(trx, message.borrower_id, message.phone_e164);
        return;
      }
      const phone = await recordPhoneFailure(trx, message.borrower_id, message.phone_e164);
      const lender = await findLenderById(trx, message.lender_id);
      const threshold = lender?.reminders.unreachableAfterFailures ?? 3;
      if (phone && !phone.unreachable && phone.failures >= threshold) {
        await markPhoneUnreachable(trx, phone.id, phone.failures, nowIso(now));
        await recordAudit(
          trx,
          {
            actorKind: 'system',
            actorId: null,
            action: 'phone.unreachable',
            subject: `borrower:${message.borrower_id}`,
            details: { phone: maskPhone(message.phone_e164), failures: phone.failures, lastError: receipt.errorCode },
            ip: null,
          },
          nowIso(now),
        );
      }
    });
  }
  return result;
}

/**
 * A receipt can beat the send's own answer (or a timed-out send's reconciliation) to us; it was
 * kept unmatched. Once the message's provider id is known, such receipts are applied after all.
 */
export async function applyEarlyReceipts(
  db: Kysely<Database>,
  provider: string,
  providerMessageId: string,
  messageId: string,
) {
  const early = await takeUnmatchedReceipts(db, provider, providerMessageId);
  if (early.length === 0) return;
  await applyReceipts(
    db,
    early.map((r) => ({
      provider: r.provider,
      providerMessageId: r.provider_message_id,
      messageId,
      status: r.status as DeliveryReceipt['status'],
      errorCode: r.error_code,
      at: new Date(r.reported_at),
    })),
  );
}
