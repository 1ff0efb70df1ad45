import type { Connection } from '../db/connection.ts';
import { type DispatchReport, dispatchOutbox } from '../services/dispatcher.ts';
import { type PlannedDecision, runReminderCycle } from '../services/reminders.ts';
import type { TemplatePreview } from '../services/template-preview.ts';
import type { SmsProvider } from '../sms/provider.ts';
import { createProvider } from '../sms/select.ts';
import type { cliConfig } from './config.ts';

export { previewTemplates } from '../services/template-preview.ts';

type Config = ReturnType<typeof cliConfig>;

/** Progress on the terminal (stderr) for long runs; silent when stderr is not a terminal. */
export function progress(label: string) {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(count: number) {
      if (!tty || Date.now() - last < 200) return;
      last = Date.now();
      process.stderr.write(`\r${label}: ${count.toLocaleString('en')}…`);
    },
    done() {
      if (tty && last > 0) process.stderr.write('\r\x1b[K');
    },
  };
}

function providerFor(connection: Connection, config: Config): SmsProvider {
  return createProvider(config.sms, connection.db);
}

export async function dispatchWithProgress(
  connection: Connection,
  config: Config,
  clock?: () => Date,
): Promise<DispatchReport> {
  const bar = progress('sent');
  try {
    return await dispatchOutbox(connection, providerFor(connection, config), {
      onProgress: bar.update,
      ...(clock ? { clock } : {}),
    });
  } finally {
    bar.done();
  }
}

export interface RunSummary {
  loans: number;
  eligible: number;
  queued: number;
  dispatch: DispatchReport | null;
}

/**
 * Plans (and with `send`, queues and dispatches) one cycle. Decisions are handed to `onPage` a
 * page at a time, sorted by loan within the page, so even 100,000 loans never sit in memory at once.
 */
export async function remindersCycle(
  connection: Connection,
  config: Config,
  options: {
    now: Date;
    lender: string | undefined;
    send: boolean;
    onPage?: (decisions: PlannedDecision[]) => void;
    /** The sending clock (default: the real one); the demo sends at the instant it simulates. */
    dispatchClock?: () => Date;
  },
): Promise<RunSummary> {
  const bar = progress(options.send ? 'planned and queued' : 'planned');
  const report = await runReminderCycle(connection.db, {
    now: options.now,
    send: options.send,
    ...(options.dispatchClock ? { queuedAt: options.dispatchClock() } : {}),
    ...(options.lender ? { lender: options.lender } : {}),
    onProgress: bar.update,
    onDecisions: (page) => {
      bar.done();
      options.onPage?.(page.sort((a, b) => a.lender.localeCompare(b.lender) || a.loan.localeCompare(b.loan)));
    },
  }).finally(bar.done);
  const dispatch = options.send ? await dispatchWithProgress(connection, config, options.dispatchClock) : null;
  return { loans: report.loans, eligible: report.eligible, queued: report.queued, dispatch };
}

/** Writes a JSON array one page at a time (the CLI's `--json` output for large runs). */
export function jsonArrayWriter(write: (chunk: string) => void) {
  let first = true;
  write('[');
  return {
    items(items: unknown[]) {
      for (const item of items) {
        write(`${first ? '\n  ' : ',\n  '}${JSON.stringify(item)}`);
        first = false;
      }
    },
    end() {
      write(first ? ']\n' : '\n]\n');
    },
  };
}

export function formatDecisions(decisions: PlannedDecision[]): string {
  return decisions
    .map((d) => {
      const verdict = d.eligible ? `ELIGIBLE (${d.stage})` : `no: ${d.reasons.join(', ')}`;
      return `${d.lender}/${d.loan.padEnd(8)} ${d.borrower.padEnd(8)} ${String(d.daysOverdue).padStart(4)}d  ${d.localTime} ${d.timeZone}  ${verdict}`;
    })
    .join('\n');
}

export function formatRunSummary(summary: RunSummary): string {
  const d = summary.dispatch;
  return [
    `${summary.loans} loans planned, ${summary.eligible} eligible, ${summary.queued} reminders queued`,
    d
      ? `dispatched: ${d.sent} sent, ${d.reconciled} reconciled, ${d.retried} to retry, ${d.unknown} awaiting reconciliation, ${d.failed} failed`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function formatPreview(p: TemplatePreview): string {
  return `${p.key}: ${p.length} characters, ${p.encoding}, ${p.segments} segment(s) (${p.remaining} left in the last)\n${p.text}`;
}
