import { sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { Db } from './lenders.ts';

/**
 * Borrowers' replies (inbound_messages) and what attributing one needs: who holds the number it
 * came from and the last reminder sent to it.
 */

export type InboundRow = Database['inbound_messages'];

/** Statuses of a text that may have reached the phone (the ones a reply can answer). */
const REACHED = ['sent', 'delivered', 'undelivered', 'unknown'];

/** Stores a reply once per (provider, provider id); null when that id was stored before (a retried push). */
export async function insertInboundOnce(db: Db, row: InboundRow): Promise<string | null> {
  const inserted = await db
    .insertInto('inbound_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'provider_message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}

export async function findInboundByProviderId(db: Db, provider: string, providerMessageId: string) {
  return db
    .selectFrom('inbound_messages')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
}

/** Every borrower whose current number this is, oldest record first. */
export async function listHoldersWithLender(db: Db, e164: string) {
  return (
    db
      .selectFrom('phone_numbers')
      .innerJoin('borrowers', 'borrowers.id', 'phone_numbers.borrower_id')
      .select(['borrowers.id', 'borrowers.lender_id', 'borrowers.locale', 'borrowers.opted_out_at'])
      .where('phone_numbers.e164', '=', e164)
      .where('phone_numbers.is_current', '=', 1)
      // a number the person left is not theirs: what it texts is not the person's word
      .where('phone_numbers.disowned_at', 'is', null)
      .orderBy('borrowers.created_at')
      .orderBy('borrowers.id')
      .execute()
  );
}

/** The last reminder that went to this number for one of these borrowers (the number's holders now). */
export async function findLastReminderTo(db: Db, e164: string, borrowerIds: readonly string[]) {
  if (borrowerIds.length === 0) return undefined;
  return db
    .selectFrom('messages')
    .select(['id', 'lender_id', 'borrower_id', 'created_at'])
    .where('borrower_id', 'in', borrowerIds)
    .where('phone_e164', '=', e164)
    .where('kind', '=', 'reminder')
    .where('status', 'in', REACHED)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Sets opted_out_at on those not opted out yet; returns the ids it changed. */
export async function optOutBorrowers(db: Db, borrowerIds: readonly string[], at: string): Promise<string[]> {
  if (borrowerIds.length === 0) return [];
  const rows = await db
    .updateTable('borrowers')
    .set({ opted_out_at: at, updated_at: at })
    .where('id', 'in', borrowerIds)
    .where('opted_out_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Reminders of these borrowers still waiting in the outbox (not yet handed to a worker) are
 * cancelled, so an opt-out stops what was queued a moment before it too. A row a worker already
 * holds is decided again by the dispatcher before it is sent.
 */
export async function cancelQueuedReminders(db: Db, borrowerIds: readonly string[], at: string): Promise<number> {
  if (borrowerIds.length === 0) return 0;
  const waiting = db
    .selectFrom('messages')
    .select('id')
    .where('borrower_id', 'in', borrowerIds)
    .where('kind', '=', 'reminder')
    .where('status', '=', 'queued');
  const cancelled = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: 'not sent: opted_out', updated_at: at })
    .where('status', '=', 'queued')
    .where('message_id', 'in', waiting)
    .returning('message_id')
    .execute();
  if (cancelled.length === 0) return 0;
  await db
    .updateTable('messages')
    .set({ status: 'cancelled', error: 'not sent: opted_out' })
    .where(
      'id',
      'in',
      cancelled.map((r) => r.message_id),
    )
    .execute();
  return cancelled.length;
}

/** Whether a confirmation of an opt-out went to this number for this lender since `since`. */
export async function confirmedRecently(db: Db, lenderId: string, e164: string, since: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('lender_id', '=', lenderId)
    .where('phone_e164', '=', e164)
    .where('kind', '=', 'opt_out_confirmation')
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}

// ── the inbox ───────────────────────────────────────────────────────────────────────────────

export type InboxFilter = 'all' | 'reply' | 'opt_out';

const INBOX_COLUMNS = [
  'inbound_messages.id',
  'inbound_messages.kind',
  'inbound_messages.body',
  'inbound_messages.from_e164',
  'inbound_messages.received_at',
  'inbound_messages.handled_at',
  'borrowers.external_id as borrower_external_id',
  'borrowers.name as borrower_name',
  'messages.stage as reminder_stage',
  'messages.created_at as reminder_at',
  'messages.body as reminder_body',
  'staff_users.email as handled_by_email',
] as const;

function inbox(db: Db) {
  return db
    .selectFrom('inbound_messages')
    .leftJoin('borrowers', 'borrowers.id', 'inbound_messages.borrower_id')
    .leftJoin('messages', 'messages.id', 'inbound_messages.message_id')
    .leftJoin('staff_users', 'staff_users.id', 'inbound_messages.handled_by')
    .select(INBOX_COLUMNS);
}

/** A lender's replies: unhandled first, newest first within each. */
export async function listInbox(db: Db, lenderId: string, filter: InboxFilter, limit: number) {
  return inbox(db)
    .where('inbound_messages.lender_id', '=', lenderId)
    .$if(filter !== 'all', (q) => q.where('inbound_messages.kind', '=', filter))
    .orderBy(sql`case when inbound_messages.handled_at is null then 0 else 1 end`)
    .orderBy('inbound_messages.received_at', 'desc')
    .orderBy('inbound_messages.id', 'desc')
    .limit(limit)
    .execute();
}

/** One borrower's replies to this lender, newest first (for the case page). */
export async function listInboxOfBorrower(db: Db, lenderId: string, borrowerId: string, limit: number) {
  return inbox(db)
    .where('inbound_messages.lender_id', '=', lenderId)
    .where('inbound_messages.borrower_id', '=', borrowerId)
    .orderBy('inbound_messages.received_at', 'desc')
    .orderBy('inbound_messages.id', 'desc')
    .limit(limit)
    .execute();
}

export type InboxRow = Awaited<ReturnType<typeof listInbox>>[number];

/** How many replies of each kind the lender has, and how many of them nobody handled yet. */
export async function countInbox(db: Db, lenderId: string) {
  const rows = await db
    .selectFrom('inbound_messages')
    .select((eb) => [
      'kind',
      eb.fn.countAll<number | string | bigint>().as('total'),
      eb.fn.count<number | string | bigint>('handled_at').as('handled'),
    ])
    .where('lender_id', '=', lenderId)
    .groupBy('kind')
    .execute();
  const out = { reply: { total: 0, unhandled: 0 }, opt_out: { total: 0, unhandled: 0 } };
  for (const row of rows) {
    if (row.kind !== 'reply' && row.kind !== 'opt_out') continue;
    const total = Number(row.total);
    out[row.kind] = { total, unhandled: total - Number(row.handled) };
  }
  return out;
}

/** Marks a reply of this lender handled; false when it is not the lender's (or does not exist). */
export async function markInboundHandled(
  db: Db,
  lenderId: string,
  id: string,
  staffId: string,
  at: string,
): Promise<{ found: boolean; changed: boolean }> {
  const row = await db
    .selectFrom('inbound_messages')
    .select(['id', 'handled_at'])
    .where('id', '=', id)
    .where('lender_id', '=', lenderId)
    .executeTakeFirst();
  if (!row) return { found: false, changed: false };
  const updated = await db
    .updateTable('inbound_messages')
    .set({ handled_at: at, handled_by: staffId })
    .where('id', '=', id)
    .where('lender_id', '=', lenderId)
    .where('handled_at', 'is', null)
    .executeTakeFirst();
  return { found: true, changed: Number(updated.numUpdatedRows) === 1 };
}
