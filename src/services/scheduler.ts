import { createHash } from 'node:crypto';
import type { Connection } from '../db/connection.ts';
import type { SmsProvider } from '../sms/provider.ts';
import { type DispatchReport, dispatchOutbox } from './dispatcher.ts';
import { type CycleReport, runReminderCycle } from './reminders.ts';

/**
 * Runs a reminder cycle (plan, queue, dispatch) every `minutes`, never two at once in this
 * process, and on PostgreSQL never two at once across the instances sharing the database (the
 * others skip that turn: see `exclusively`). Overlap would be safe anyway — queueing is once-only
 * per (loan, stage, day) and dispatch claims rows exclusively — but it would cost work.
 */
export function startReminderSchedule(
  connection: Connection,
  provider: SmsProvider,
  minutes: number,
  report: (result: { cycle?: CycleReport; dispatch?: DispatchReport; error?: unknown; skipped?: true }) => void,
  clock: () => Date = () => new Date(),
): () => void {
  return every(minutes, async () => {
    try {
      const ran = await exclusively(connection, 'reminder-cycle', async () => {
        const cycle = await runReminderCycle(connection.db, { now: clock(), send: true, onDecisions: () => {} });
        const dispatch = await dispatchOutbox(connection, provider);
        report({ cycle, dispatch });
      });
      if (!ran) report({ skipped: true });
    } catch (error) {
      report({ error });
    }
  });
}

/**
 * Runs `task` unless another instance sharing the PostgreSQL database is running the task of the
 * same name: the holder of a session-level advisory lock runs it; the others return false at once
 * instead of queueing behind it. The lock belongs to one pooled connection and is released after
 * the task; should the instance die mid-task, the database ends its session and frees the lock.
 * SQLite serves one machine, where `npm start` runs each schedule in one process only: the task
 * simply runs.
 */
export async function exclusively(connection: Connection, name: string, task: () => Promise<void>): Promise<boolean> {
  const pool = connection.pool;
  if (!pool) {
    await task();
    return true;
  }
  const key = advisoryKey(name);
  const client = await pool.connect();
  // A connection that failed mid-way is discarded rather than pooled (it may still hold the lock).
  let failed: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [
      key,
    ]);
    if (!rows[0]?.locked) return false;
    try {
      await task();
      return true;
    } finally {
      await client.query('select pg_advisory_unlock($1::bigint)', [key]).catch((error: Error) => {
        failed = error;
      });
    }
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    client.release(failed);
  }
}

/** A stable signed 64-bit lock key per task name (as a decimal string: pg's bigint parameter). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`zhenxin:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * Runs `task` every `minutes` (the first time after one interval), never two at once in this
 * process, without keeping the process alive. Returns the function that stops it.
 */
export function every(minutes: number, task: () => Promise<void>): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } finally {
      running = false;
    }
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
