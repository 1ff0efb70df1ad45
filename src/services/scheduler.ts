import type { Connection } from '../db/connection.ts';
import type { SmsProvider } from '../sms/provider.ts';
import { type DispatchReport, dispatchOutbox } from './dispatcher.ts';
import { type CycleReport, runReminderCycle } from './reminders.ts';

/**
 * Runs a reminder cycle (plan, queue, dispatch) every `minutes`, never two at once in this
 * process. Several processes may run it: queueing is once-only per (loan, stage, day) and
 * dispatch claims rows exclusively, so overlap costs work, never a duplicate SMS.
 */
export function startReminderSchedule(
  connection: Connection,
  provider: SmsProvider,
  minutes: number,
  report: (result: { cycle?: CycleReport; dispatch?: DispatchReport; error?: unknown }) => void,
  clock: () => Date = () => new Date(),
): () => void {
  return every(minutes, async () => {
    try {
      const cycle = await runReminderCycle(connection.db, { now: clock(), send: true, onDecisions: () => {} });
      const dispatch = await dispatchOutbox(connection, provider);
      report({ cycle, dispatch });
    } catch (error) {
      report({ error });
    }
  });
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
