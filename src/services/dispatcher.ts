import { randomBytes } from 'node:crypto';
import type { Connection } from '../db/connection.ts';
import { type ClaimedMessage, claimOutbox, renewLease, settleOutbox } from '../db/repositories/outbox.ts';
import { type OutgoingSms, ProviderTimeoutError, type SmsProvider } from '../sms/provider.ts';
import { applyEarlyReceipts, applyReceipts } from './receipts.ts';
import { type LateReminder, stopsForLateReminders } from './reminders.ts';

/**
 * Sends what the outbox holds. Crash-safe by construction: a row is leased before sending;
 * a row found again after its lease ran out (the worker died, or the provider timed out) is
 * looked up at the provider first and only sent if the provider never got it. Retries back
 * off exponentially; a permanent refusal or too many attempts ends in `failed`. A reminder sent
 * late (a retry, one queued more than a minute ago, or one a lookup found never sent) is decided
 * again first and `cancelled` if the engine would no longer send it now (repaid, opted out,
 * request pending, quiet hours, another day, another number: see stopsForLateReminders).
 */

/** A reminder first sent within this time of being queued goes out on the decision that queued it. */
const DECIDED_RECENTLY_MS = 60_000;

function lateReminder(m: ClaimedMessage): LateReminder | undefined {
  if (m.kind !== 'reminder' || m.loanId === null || m.idempotencyKey === null) return undefined;
  return {
    messageId: m.messageId,
    loanId: m.loanId,
    lenderId: m.lenderId,
    borrowerId: m.borrowerId,
    to: m.to,
    idempotencyKey: m.idempotencyKey,
  };
}

/** Ends a reminder no longer wanted: never sent, and never "genuine" if someone pastes it. */
function cancel(
  connection: Connection,
  claimed: ClaimedMessage,
  reasons: readonly string[],
  by: { workerId: string; provider: string; now: Date },
): Promise<boolean> {
  return settleOutbox(connection.db, {
    messageId: claimed.messageId,
    workerId: by.workerId,
    provider: by.provider,
    now: by.now.toISOString(),
    status: 'cancelled',
    error: `not sent: ${reasons.join(', ')}`,
  });
}

export interface DispatchOptions {
  workerId?: string;
  batchSize?: number;
  /**
   * How long a claimed row is ours before another worker may reconcile it. It is renewed as each
   * row's turn comes, and must be longer than the provider's worst answer time (SMS_TIMEOUT_MS).
   */
  leaseMs?: number;
  /** After a provider timeout, how long to wait before looking the message up. */
  reconcileAfterMs?: number;
  maxAttempts?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  clock?: () => Date;
  onProgress?: (done: number) => void;
  /** Send only these messages (a reminder staff just sent by hand goes out without waiting its turn). */
  messageIds?: readonly string[];
}

export interface DispatchReport {
  claimed: number;
  /** Rows given up because their lease ran out before we reached them (another worker has them). */
  leaseLost: number;
  sent: number;
  reconciled: number;
  retried: number;
  failed: number;
  unknown: number;
  /** Reminders no longer wanted when their turn came: never sent. */
  cancelled: number;
}

export function backoffMs(attempt: number): number {
  return Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

export async function dispatchOutbox(
  connection: Connection,
  provider: SmsProvider,
  options: DispatchOptions = {},
): Promise<DispatchReport> {
  const workerId = options.workerId ?? `w-${randomBytes(6).toString('hex')}`;
  const clock = options.clock ?? (() => new Date());
  const leaseMs = options.leaseMs ?? 300_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const report: DispatchReport = {
    claimed: 0,
    leaseLost: 0,
    sent: 0,
    reconciled: 0,
    retried: 0,
    failed: 0,
    unknown: 0,
    cancelled: 0,
  };

  for (;;) {
    const now = clock();
    const batch = await claimOutbox(connection.db, connection.dialect, {
      now: now.toISOString(),
      workerId,
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
      limit: options.batchSize ?? 50,
      ...(options.messageIds ? { messageIds: options.messageIds } : {}),
    });
    if (batch.length === 0) return report;
    report.claimed += batch.length;
    // Reminders sent late are decided again, all of the batch's at once (a backlog is many).
    const late = batch.flatMap((m) =>
      m.previousStatus === 'queued' && (m.attempts > 1 || now.getTime() - Date.parse(m.queuedAt) > DECIDED_RECENTLY_MS)
        ? (lateReminder(m) ?? [])
        : [],
    );
    let stops: Map<string, string[]>;
    try {
      stops = await stopsForLateReminders(connection.db, late, now);
    } catch (error) {
      // Not knowing whether they are still wanted, they wait again: never sent blind.
      stops = new Map();
      const retryAt = new Date(now.getTime() + backoffMs(1)).toISOString();
      for (const reminder of late) {
        await settleOutbox(connection.db, {
          messageId: reminder.messageId,
          workerId,
          provider: provider.name,
          now: now.toISOString(),
          status: 'queued',
          nextAttemptAt: retryAt,
          error: `could not decide again: ${String(error)}`.slice(0, 500),
        });
        report.retried++;
      }
      const held = new Set(late.map((r) => r.messageId));
      batch.splice(0, batch.length, ...batch.filter((m) => !held.has(m.messageId)));
    }
    await pool(batch, options.concurrency ?? 8, async (claimed) => {
      const reasons = stops.get(claimed.messageId);
      if (reasons) {
        if (await cancel(connection, claimed, reasons, { workerId, provider: provider.name, now: clock() })) {
          report.cancelled++;
        } else report.leaseLost++;
        return;
      }
      await deliver(
        connection,
        provider,
        claimed,
        { workerId, clock, maxAttempts, leaseMs, reconcileAfterMs: options.reconcileAfterMs ?? 120_000 },
        report,
      );
      options.onProgress?.(report.sent + report.reconciled + report.failed + report.retried + report.unknown);
    });
  }
}

async function deliver(
  connection: Connection,
  provider: SmsProvider,
  claimed: ClaimedMessage,
  options: { workerId: string; clock: () => Date; maxAttempts: number; leaseMs: number; reconcileAfterMs: number },
  report: DispatchReport,
): Promise<void> {
  // A batch is claimed at once but sent a few at a time: the lease is renewed right before this
  // row's turn, and a row whose lease was lost meanwhile is left to the worker that now has it.
  const leaseUntil = new Date(options.clock().getTime() + options.leaseMs).toISOString();
  if (!(await renewLease(connection.db, claimed.messageId, options.workerId, leaseUntil))) {
    report.leaseLost++;
    return;
  }
  const sms: OutgoingSms = {
    messageId: claimed.messageId,
    to: claimed.to,
    text: claimed.text,
    template: {
      key: claimed.templateKey ?? '',
      params: claimed.templateParams ? (JSON.parse(claimed.templateParams) as Record<string, string>) : {},
    },
    firstAttemptAt: new Date(claimed.createdAt),
  };
  const base = { messageId: claimed.messageId, workerId: options.workerId, provider: provider.name };
  const settle = (outcome: Omit<Parameters<typeof settleOutbox>[1], keyof typeof base | 'now'>) =>
    settleOutbox(connection.db, { ...base, now: options.clock().toISOString(), ...outcome });

  try {
    if (claimed.previousStatus === 'sending' || claimed.previousStatus === 'unknown') {
      // We may already have sent it: ask before sending again.
      const found = await provider.lookup(sms);
      if (found.found) {
        await settle({ status: 'sent', providerMessageId: found.providerMessageId });
        await applyEarlyReceipts(connection.db, provider.name, found.providerMessageId, claimed.messageId);
        // What the provider already knows about its delivery counts as a receipt.
        if (found.status !== 'sent') {
          await applyReceipts(connection.db, [
            {
              provider: provider.name,
              providerMessageId: found.providerMessageId,
              messageId: claimed.messageId,
              status: found.status,
              errorCode: null,
              at: options.clock(),
            },
          ]);
        }
        report.reconciled++;
        return;
      }
      // Never sent after all: a reminder is decided again before its first real send.
      const reminder = lateReminder(claimed);
      if (reminder) {
        const now = options.clock();
        const reasons = (await stopsForLateReminders(connection.db, [reminder], now)).get(claimed.messageId);
        if (reasons) {
          if (await cancel(connection, claimed, reasons, { workerId: options.workerId, provider: provider.name, now }))
            report.cancelled++;
          return;
        }
      }
    }
    const result = await provider.send(sms);
    if (result.outcome === 'sent') {
      await settle({ status: 'sent', providerMessageId: result.providerMessageId });
      await applyEarlyReceipts(connection.db, provider.name, result.providerMessageId, claimed.messageId);
      report.sent++;
    } else if (result.outcome === 'rejected' || claimed.attempts >= options.maxAttempts) {
      await settle({ status: 'failed', error: result.error });
      report.failed++;
    } else {
      const next = new Date(options.clock().getTime() + backoffMs(claimed.attempts)).toISOString();
      await settle({ status: 'queued', nextAttemptAt: next, error: result.error });
      report.retried++;
    }
  } catch (error) {
    // A timeout, a dropped connection or any surprise: the message may have gone out, so it is
    // parked as unknown and looked up later, never sent again blindly.
    const until = new Date(options.clock().getTime() + options.reconcileAfterMs).toISOString();
    const reason = error instanceof ProviderTimeoutError ? error.message : `unexpected: ${String(error)}`;
    await settle({ status: 'unknown', leaseUntil: until, error: reason.slice(0, 500) });
    report.unknown++;
  }
}

/**
 * Works through the items, `size` at a time. A failure (most often the database gone) starts no
 * further item but waits for those in flight, then throws: the run ends only when none of its sends
 * is still running, so a run that follows it (or a caller that reports it) never overlaps it. Rows
 * not reached stay leased to this worker; once the lease runs out they are looked up, then sent.
 */
async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const runners = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(runners);
  if (failure) throw failure.error;
}
