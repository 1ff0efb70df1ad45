import type { Kysely } from 'kysely';
import { ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { textFingerprint } from '../core/message-text.ts';
import { type InboundKind, inboundKind, optOutKeyword } from '../core/opt-out.ts';
import {
  type ConfirmationLocale,
  optOutConfirmationParams,
  optOutConfirmationTemplateKey,
  optOutConfirmationText,
} from '../core/opt-out-confirmation.ts';
import { maskPersonalNumbers } from '../core/personal-numbers.ts';
import { maskPhone } from '../core/phone.ts';
import { senderE164 } from '../core/sender.ts';
import { newId, newSortableId } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import {
  cancelQueuedReminders,
  confirmedRecently,
  findInboundByProviderId,
  findLastReminderTo,
  insertInboundOnce,
  listHoldersWithLender,
  optOutBorrowers,
} from '../db/repositories/inbound-messages.ts';
import { type Db, findLenderById } from '../db/repositories/lenders.ts';
import { insertQueuedMessages } from '../db/repositories/reminders.ts';
import type { Database, MessageRow } from '../db/schema.ts';
import type { InboundSms } from '../sms/inbound.ts';

/**
 * A borrower's text to us, from either provider: stored once, attributed, and — when it is an
 * opt-out keyword (src/core/opt-out.ts) — acted on at once.
 *
 * Attribution. The sender is whoever holds that number now (a number a borrower has left is no
 * longer theirs, so replies from it belong to nobody). The reply answers the last reminder sent
 * to that number for one of its holders, and so belongs to that reminder's lender and borrower;
 * when several lenders remind the number, the most recent reminder decides. With no reminder, the
 * reply is the lender's only if the number belongs to borrowers of exactly one lender; otherwise
 * (an unknown number, or several lenders none of which reminded it) no lender sees it.
 *
 * Opt-out scope (PIPL: consent is given to, and withdrawn from, each lender as a separate
 * processor). A 退订 answering lender A's reminder withdraws it from lender A: every borrower
 * record of lender A on that number stops getting reminders, and only them; lender B's reminders
 * to the same person go on until the person replies to B's text too, or turns reminders off
 * for everyone at /account/reminders. The one exception: an opt-out that can be tied to no single
 * lender (no reminder went to the number, several lenders hold it) is honoured for all of them,
 * because the person's request is clear and only its addressee is not; no confirmation goes then
 * (a confirmation speaks under one lender's signature).
 *
 * An explicit opt-out is honoured even where the lender's policy does not let borrowers turn
 * reminders off themselves (allowOptOut false): that setting governs the self-service page, but a
 * recipient's 退订/STOP to a sender must be honoured (MIIT's SMS rules; Twilio blocks the number
 * after STOP in any case). The audit entry records that the policy said otherwise.
 *
 * The confirmation: one text through our outbox (kind `opt_out_confirmation`, sent although the
 * borrower is now opted out: the dispatcher decides again only reminders), keyed by the inbound
 * message so a retried webhook never sends it twice, and not again to the same number for the
 * same lender within a day, so an auto-responder answering our confirmation with "STOP" cannot
 * start a loop.
 */

/** Within this time a second opt-out from the same number (for the same lender) is not confirmed again. */
export const CONFIRMATION_QUIET_MS = 24 * 60 * 60_000;

export interface InboundOutcome {
  /** The stored reply (the first one's, for a retried push). */
  id: string;
  /** This provider id was stored before: nothing was done again. */
  duplicate: boolean;
  kind: InboundKind;
  lenderId: string | null;
  borrowerId: string | null;
  /** The reminder it answers. */
  messageId: string | null;
  /** Borrowers this reply opted out (those already opted out are not listed). */
  optedOut: string[];
  /** The confirmation queued in the outbox, if any: dispatch it. */
  confirmationId: string | null;
}

interface Holder {
  id: string;
  lender_id: string;
  locale: string;
  opted_out_at: string | null;
}

interface Attribution {
  lenderId: string | null;
  borrowerId: string | null;
  messageId: string | null;
  holders: Holder[];
}

async function attribute(db: Db, from: string): Promise<Attribution> {
  const holders = await listHoldersWithLender(db, from);
  const last = await findLastReminderTo(
    db,
    from,
    holders.map((h) => h.id),
  );
  if (last) return { lenderId: last.lender_id, borrowerId: last.borrower_id, messageId: last.id, holders };
  const lenders = new Set(holders.map((h) => h.lender_id));
  if (lenders.size === 1) {
    // Several records of one lender on one number are one person: the oldest record stands for them.
    return { lenderId: holders[0]?.lender_id ?? null, borrowerId: holders[0]?.id ?? null, messageId: null, holders };
  }
  return { lenderId: null, borrowerId: null, messageId: null, holders };
}

export async function receiveInboundSms(
  db: Kysely<Database>,
  sms: InboundSms,
  now: Date = new Date(),
): Promise<InboundOutcome> {
  const from = senderE164(sms.from);
  if (from === null) throw new ValidationError('from', 'from: not a phone number');
  const at = now.toISOString();
  const kind = inboundKind(sms.body);

  return db.transaction().execute(async (trx) => {
    const who = await attribute(trx, from);
    const id = newId();
    const stored = await insertInboundOnce(trx, {
      id,
      provider: sms.provider,
      provider_message_id: sms.providerMessageId,
      from_e164: from,
      to_number: sms.to,
      // Staff read replies: an ID or card number in one is kept masked, never whole.
      body: maskPersonalNumbers(sms.body),
      kind,
      lender_id: who.lenderId,
      borrower_id: who.borrowerId,
      message_id: who.messageId,
      received_at: at,
      handled_at: null,
      handled_by: null,
    });
    if (stored === null) {
      const first = await findInboundByProviderId(trx, sms.provider, sms.providerMessageId);
      return {
        id: first?.id ?? '',
        duplicate: true,
        kind: (first?.kind as InboundKind | undefined) ?? kind,
        lenderId: first?.lender_id ?? null,
        borrowerId: first?.borrower_id ?? null,
        messageId: first?.message_id ?? null,
        optedOut: [],
        confirmationId: null,
      };
    }
    const outcome: InboundOutcome = {
      id,
      duplicate: false,
      kind,
      lenderId: who.lenderId,
      borrowerId: who.borrowerId,
      messageId: who.messageId,
      optedOut: [],
      confirmationId: null,
    };
    if (kind !== 'opt_out') return outcome;

    // Of the attributed lender only; of every holder when no single lender can be named.
    const scope = who.lenderId === null ? who.holders : who.holders.filter((h) => h.lender_id === who.lenderId);
    outcome.optedOut = await optOutBorrowers(
      trx,
      scope.map((h) => h.id),
      at,
    );
    await cancelQueuedReminders(
      trx,
      scope.map((h) => h.id),
      at,
    );
    const lenders = new Map<string, LenderProfile | undefined>();
    for (const holder of scope) {
      if (!lenders.has(holder.lender_id)) lenders.set(holder.lender_id, await findLenderById(trx, holder.lender_id));
      await recordAudit(
        trx,
        {
          actorKind: 'borrower',
          actorId: maskPhone(from),
          action: 'borrower.opt_out_sms',
          subject: holder.id,
          details: {
            lender: lenders.get(holder.lender_id)?.slug ?? null,
            inbound: id,
            provider: sms.provider,
            keyword: optOutKeyword(sms.body),
            answering: who.messageId,
            alreadyOptedOut: holder.opted_out_at !== null,
            // An explicit opt-out is honoured even where the policy keeps self-service opt-out off.
            policyAllowsOptOut: lenders.get(holder.lender_id)?.reminders.allowOptOut ?? null,
          },
          ip: null,
        },
        at,
      );
    }

    const lender = who.lenderId ? lenders.get(who.lenderId) : undefined;
    const borrower = who.holders.find((h) => h.id === who.borrowerId);
    if (!lender || !borrower) return outcome;
    const since = new Date(now.getTime() - CONFIRMATION_QUIET_MS).toISOString();
    if (await confirmedRecently(trx, lender.id, from, since)) return outcome;
    const message = confirmationMessage(lender, borrower, from, id, now);
    const queued = await insertQueuedMessages(trx, [message], at);
    outcome.confirmationId = queued[0] ?? null;
    return outcome;
  });
}

function confirmationMessage(
  lender: LenderProfile,
  borrower: Holder,
  to: string,
  inboundId: string,
  now: Date,
): MessageRow {
  const locale: ConfirmationLocale = borrower.locale === 'en' ? 'en' : 'zh-CN';
  const text = optOutConfirmationText(lender, locale);
  return {
    id: newSortableId(now.getTime()),
    lender_id: lender.id,
    borrower_id: borrower.id,
    loan_id: null,
    phone_e164: to,
    kind: 'opt_out_confirmation',
    stage: null,
    locale,
    body: text,
    token_hash: null,
    reference_code: null,
    fingerprint: textFingerprint(text),
    status: 'queued',
    provider: null,
    provider_message_id: null,
    created_at: now.toISOString(),
    sent_at: null,
    expires_at: null,
    // One confirmation per inbound message, whatever retries or races bring.
    idempotency_key: `opt-out:${inboundId}`,
    template_key: optOutConfirmationTemplateKey(locale),
    template_params: JSON.stringify(optOutConfirmationParams(lender)),
    delivered_at: null,
    error: null,
    template_version_id: null,
    variant: null,
    sent_by: null,
    opened_at: null,
    verified_at: null,
  };
}
