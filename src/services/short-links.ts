import type { Kysely } from 'kysely';
import type { LenderProfile } from '../core/lender.ts';
import { maskPhone } from '../core/phone.ts';
import { hasExpired, hashToken, isLinkTokenShape } from '../core/tokens.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { recordFirstOpen } from '../db/repositories/message-engagement.ts';
import { findMessageByTokenHash } from '../db/repositories/messages.ts';
import type { Database } from '../db/schema.ts';

/**
 * What `/r/<token>` shows: whether we sent a message with this link, and to help the reader act
 * safely. Never a balance, never a sign-in: a short link proves a message, not a person.
 */
export type ShortLinkAnswer =
  | {
      state: 'genuine';
      lender: LenderProfile;
      sentAt: string;
      maskedPhone: string;
      text: string;
      referenceCode: string | null;
      expiresAt: string | null;
    }
  | { state: 'expired'; lender: LenderProfile; sentAt: string }
  | { state: 'unknown'; lenders: LenderProfile[] };

export async function lookUpShortLink(
  db: Kysely<Database>,
  token: string,
  host: string,
  now = new Date(),
): Promise<ShortLinkAnswer> {
  const message = isLinkTokenShape(token) ? await findMessageByTokenHash(db, hashToken(token)) : undefined;
  // Only names and contacts are shown here, so the cached list (at most seconds old) will do.
  const lenders = await listLendersCached(db);
  const lender = message ? lenders.find((l) => l.id === message.lender_id) : undefined;
  if (!message || !lender) {
    // The lender whose short-link domain this is, when the request came to it; else every lender.
    const own = lenders.filter((l) => l.shortLinkDomain === host.toLowerCase());
    return { state: 'unknown', lenders: own.length > 0 ? own : lenders };
  }
  const sentAt = message.sent_at ?? message.created_at;
  if (hasExpired(message.expires_at, now)) return { state: 'expired', lender, sentAt };
  // The first visit is the message's "opened" (effect report). Later visits read opened_at and
  // write nothing; a failed write loses one count, never the page.
  if (message.opened_at === null) await recordFirstOpen(db, message.id, now.toISOString()).catch(() => undefined);
  return {
    state: 'genuine',
    lender,
    sentAt,
    maskedPhone: maskPhone(message.phone_e164),
    text: message.body,
    referenceCode: message.reference_code,
    expiresAt: message.expires_at,
  };
}
