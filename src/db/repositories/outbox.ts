import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connection.ts';
import { newId } from '../ids.ts';
import type { Database } from '../schema.ts';
import type { Db } from './lenders.ts';

/**
 * The outbox's state machine: queued → sending (leased to one worker) → sent | queued (retry
 * later) | failed | unknown (the provider did not answer: reconcile before any new attempt).
 * A row whose lease ran out while `sending` or `unknown` is claimable again, and its previous
 * status tells the worker to look the message up at the provider before sending it again.
 */

export interface ClaimedMessage {
  messageId: string;
  previousStatus: string;
  attempts: number;
  to: string;
  text: string;
  templateKey: string | null;
  templateParams: string | null;
  /** The message's own instant: for a reminder, the instant its decision was made for. */
  createdAt: string;
  /** When the outbox row was written (the real clock, whatever instant the cycle planned for). */
  queuedAt: string;
  kind: string;
  loanId: string | null;
  lenderId: string;
  borrowerId: string;
  stage: string | null;
  /** For a reminder: `<borrower-local date>:<loan>:<stage>`. */
  idempotencyKey: string | null;
}

const CLAIMABLE = (now: string) => sql<boolean>`(status = 'queued' and next_attempt_at <= ${now})
  or (status in ('sending', 'unknown') and lease_until < ${now})`;

export async function claimOutbox(
  db: Kysely<Database>,
  dialect: Dialect,
  options: {
    now: string;
    workerId: string;
    leaseUntil: string;
    limit: number;
    /** Only these messages (one a person just sent by hand), not whatever else is waiting. */
    messageIds?: readonly string[];
  },
): Promise<ClaimedMessage[]> {
  const { now, workerId, leaseUntil, limit, messageIds } = options;
  if (messageIds?.length === 0) return [];
  const only = messageIds ? sql`and message_id in (${sql.join(messageIds)})` : sql``;
  let claimed: Array<{ message_id: string; previous_status: string; attempts: number; queued_at: string }>;
  if (dialect === 'postgres') {
    // SKIP LOCKED: concurrent workers each take different rows, none waits on another.
    const result = await sql<{ message_id: string; previous_status: string; attempts: number; queued_at: string }>`
      with picked as (
        select message_id, status from outbox where (${CLAIMABLE(now)}) ${only}
        order by next_attempt_at, message_id limit ${limit} for update skip locked
      )
      update outbox set status = 'sending', lease_owner = ${workerId}, lease_until = ${leaseUntil},
        attempts = outbox.attempts + 1, updated_at = ${now}
      from picked where outbox.message_id = picked.message_id
      returning outbox.message_id, picked.status as previous_status, outbox.attempts,
        outbox.created_at as queued_at`.execute(db);
    claimed = result.rows;
  } else {
    // SQLite has one writer: an immediate transaction takes the write lock before reading,
    // so two processes can never pick the same rows.
    claimed = await db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const rows = await conn
          .selectFrom('outbox')
          .select(['message_id', 'status as previous_status', 'attempts', 'created_at as queued_at'])
          // parenthesised: CLAIMABLE is an `or`, and another condition may follow
          .where(sql<boolean>`(${CLAIMABLE(now)})`)
          .$if(messageIds !== undefined, (q) => q.where('message_id', 'in', messageIds ?? []))
          .orderBy('next_attempt_at')
          .orderBy('message_id')
          .limit(limit)
          .execute();
        if (rows.length > 0) {
          await conn
            .updateTable('outbox')
            .set((eb) => ({
              status: 'sending',
              lease_owner: workerId,
              lease_until: leaseUntil,
              attempts: eb('attempts', '+', 1),
              updated_at: now,
            }))
            .where(
              'message_id',
              'in',
              rows.map((r) => r.message_id),
            )
            .execute();
        }
        await sql`commit`.execute(conn);
        return rows.map((r) => ({ ...r, attempts: r.attempts + 1 }));
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
  }
  if (claimed.length === 0) return [];
  const messages = await db
    .selectFrom('messages')
    .select([
      'id',
      'phone_e164',
      'body',
      'template_key',
      'template_params',
      'created_at',
      'kind',
      'loan_id',
      'lender_id',
      'borrower_id',
      'stage',
      'idempotency_key',
    ])
    .where(
      'id',
      'in',
      claimed.map((c) => c.message_id),
    )
    .execute();
  const byId = new Map(messages.map((m) => [m.id, m]));
  return claimed.flatMap((c) => {
    const m = byId.get(c.message_id);
    if (!m) return [];
    return [
      {
        messageId: c.message_id,
        previousStatus: c.previous_status,
        attempts: c.attempts,
        to: m.phone_e164,
        text: m.body,
        templateKey: m.template_key,
        templateParams: m.template_params,
        createdAt: m.created_at,
        queuedAt: c.queued_at,
        kind: m.kind,
        loanId: m.loan_id,
        lenderId: m.lender_id,
        borrowerId: m.borrower_id,
        stage: m.stage,
        idempotencyKey: m.idempotency_key,
      },
    ];
  });
}

/**
 * Extends this worker's lease right before it talks to the provider. False when the lease was
 * lost (it ran out and another worker took the row): the caller must then leave the row alone,
 * or the message could go out twice.
 */
export async function renewLease(db: Db, messageId: string, workerId: string, leaseUntil: string): Promise<boolean> {
  const updated = await db
    .updateTable('outbox')
    .set({ lease_until: leaseUntil })
    .where('message_id', '=', messageId)
    .where('lease_owner', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Marks the outcome; only the worker that holds the lease may (a stale worker's write is ignored). */
export async function settleOutbox(
  db: Db,
  outcome: {
    messageId: string;
    workerId: string;
    now: string;
    /** 'cancelled': no longer wanted when its turn came (see dispatcher), never sent. */
    status: 'sent' | 'queued' | 'failed' | 'unknown' | 'cancelled';
    nextAttemptAt?: string;
    leaseUntil?: string | null;
    error?: string | null;
    provider: string;
    providerMessageId?: string | null;
  },
): Promise<boolean> {
  // One transaction: a crash or a lost connection between the two writes must not leave the
  // outbox saying sent while the message (its provider id, what receipts match on) says queued.
  return inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('outbox')
      .set({
        status: outcome.status,
        updated_at: outcome.now,
        last_error: outcome.error ?? null,
        ...(outcome.nextAttemptAt ? { next_attempt_at: outcome.nextAttemptAt } : {}),
        lease_until: outcome.leaseUntil ?? null,
        lease_owner: outcome.status === 'unknown' ? outcome.workerId : null,
      })
      .where('message_id', '=', outcome.messageId)
      .where('lease_owner', '=', outcome.workerId)
      .where('status', '=', 'sending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    const messageStatus = outcome.status === 'queued' ? 'queued' : outcome.status;
    await trx
      .updateTable('messages')
      .set({
        status: messageStatus,
        provider: outcome.provider,
        ...(outcome.providerMessageId ? { provider_message_id: outcome.providerMessageId } : {}),
        ...(outcome.status === 'sent' ? { sent_at: outcome.now } : {}),
        error: outcome.error ?? null,
      })
      .where('id', '=', outcome.messageId)
      .where('status', 'not in', ['delivered', 'undelivered'])
      .execute();
    return true;
  });
}

/** Runs `work` in a transaction of its own, or in the caller's when `db` already is one. */
function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

export interface DevOutboxEntry {
  id: string;
  to: string;
  text: string;
  createdAt: string;
  status: string;
  messageId: string;
}

export async function insertDevSms(
  db: Db,
  entry: { messageId: string; to: string; text: string },
  at: string,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('dev_sms_outbox')
    .values({ id, message_id: entry.messageId, to: entry.to, text: entry.text, status: 'sent', created_at: at })
    .execute();
  return id;
}

export async function findDevSms(db: Db, messageId: string) {
  return db.selectFrom('dev_sms_outbox').selectAll().where('message_id', '=', messageId).executeTakeFirst();
}

export async function listDevSms(db: Db): Promise<DevOutboxEntry[]> {
  const rows = await db.selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    to: r.to,
    text: r.text,
    createdAt: r.created_at,
    status: r.status,
    messageId: r.message_id,
  }));
}
