import type { Kysely } from 'kysely';
import { z } from 'zod';
import { NotFoundError } from '../core/errors.ts';
import { maskPhone } from '../core/phone.ts';
import { canManageLender, type RoleHolder } from '../core/roles.ts';
import { parseInput } from '../core/validation.ts';
import { isIdShape } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import {
  countInbox,
  type InboxFilter,
  type InboxRow,
  listInbox,
  listInboxOfBorrower,
  markInboundHandled,
} from '../db/repositories/inbound-messages.ts';
import type { Database } from '../db/schema.ts';

/**
 * The console's inbox of borrowers' replies: a lender's own only (the console gate checks the
 * role and lender; these functions check again, so no caller can read or handle another lender's
 * replies). The number is shown masked; the text as the borrower wrote it (pages escape it).
 */

/** At most this many replies on one page of the inbox, newest unhandled first. */
export const INBOX_PAGE = 100;

/** How many characters of the answered reminder the inbox shows. */
const EXCERPT_LENGTH = 60;

export interface ReplyView {
  id: string;
  kind: 'opt_out' | 'reply';
  body: string;
  maskedPhone: string;
  receivedAt: string;
  handledAt: string | null;
  handledBy: string | null;
  borrower: { externalId: string; name: string } | null;
  /** The reminder it answers. */
  reminder: { stage: string | null; sentAt: string; excerpt: string } | null;
}

function excerpt(text: string): string {
  const chars = [...text];
  return chars.length <= EXCERPT_LENGTH ? text : `${chars.slice(0, EXCERPT_LENGTH).join('')}…`;
}

function toView(row: InboxRow): ReplyView {
  return {
    id: row.id,
    kind: row.kind === 'opt_out' ? 'opt_out' : 'reply',
    body: row.body,
    maskedPhone: maskPhone(row.from_e164),
    receivedAt: row.received_at,
    handledAt: row.handled_at,
    handledBy: row.handled_by_email,
    borrower:
      row.borrower_external_id !== null && row.borrower_name !== null
        ? { externalId: row.borrower_external_id, name: row.borrower_name }
        : null,
    reminder:
      row.reminder_at !== null && row.reminder_body !== null
        ? { stage: row.reminder_stage, sentAt: row.reminder_at, excerpt: excerpt(row.reminder_body) }
        : null,
  };
}

function mustManage(staff: RoleHolder, lenderId: string): void {
  // Answered as if there were nothing there, like the console gate does.
  if (!canManageLender(staff, lenderId)) throw new NotFoundError('lender');
}

export const inboxFilterSchema = z.enum(['all', 'reply', 'opt_out']).catch('all');

export interface Inbox {
  filter: InboxFilter;
  rows: ReplyView[];
  counts: { reply: { total: number; unhandled: number }; opt_out: { total: number; unhandled: number } };
}

export async function readInbox(
  db: Kysely<Database>,
  staff: RoleHolder,
  lenderId: string,
  filter: InboxFilter,
): Promise<Inbox> {
  mustManage(staff, lenderId);
  const [rows, counts] = await Promise.all([listInbox(db, lenderId, filter, INBOX_PAGE), countInbox(db, lenderId)]);
  return { filter, rows: rows.map(toView), counts };
}

/** One borrower's replies to the lender, newest first, for the case page (`<ReplyList rows={…} />`). */
export async function repliesOfBorrower(
  db: Kysely<Database>,
  staff: RoleHolder,
  lenderId: string,
  borrowerId: string,
): Promise<ReplyView[]> {
  mustManage(staff, lenderId);
  return (await listInboxOfBorrower(db, lenderId, borrowerId, INBOX_PAGE)).map(toView);
}

export const handleReplySchema = z.object({
  reply: z.string({ error: 'choose a reply' }).refine(isIdShape, 'choose a reply'),
});

/**
 * Marks a reply handled, recording who and when (audited). Handling one already handled changes
 * nothing; another lender's reply, or none, is a 404.
 */
export async function markReplyHandled(
  db: Kysely<Database>,
  staff: RoleHolder & { id: string },
  lenderId: string,
  form: unknown,
  ip: string | null,
  now: Date = new Date(),
): Promise<{ changed: boolean }> {
  mustManage(staff, lenderId);
  const { reply } = parseInput(handleReplySchema, form);
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const result = await markInboundHandled(trx, lenderId, reply, staff.id, at);
    if (!result.found) throw new NotFoundError('reply');
    if (result.changed) {
      await recordAudit(
        trx,
        {
          actorKind: 'staff',
          actorId: staff.id,
          action: 'reply.handled',
          subject: reply,
          details: { lender: lenderId },
          ip,
        },
        at,
      );
    }
    return { changed: result.changed };
  });
}
