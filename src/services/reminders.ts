import type { Kysely } from 'kysely';
import { computeBalance } from '../core/balance.ts';
import { localDate } from '../core/dates.ts';
import { decideEligibility, type EligibilityDecision, type Stage } from '../core/eligibility.ts';
import { NotFoundError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { isSoftRule } from '../core/manual-send-rules.ts';
import { phoneTimeZone } from '../core/time-zones.ts';
import { listCurrentPhones } from '../db/repositories/borrowers.ts';
import { findLenderBySlug, listLenders, listLendersCached } from '../db/repositories/lenders.ts';
import { instalmentTerms, repaymentEntries } from '../db/repositories/loans.ts';
import {
  type LoanPageRow,
  listLoanPage,
  listLoanPageRowsByIds,
  loadLoanContext,
} from '../db/repositories/reminders.ts';
import type { Database, MessageRow } from '../db/schema.ts';
import { loanPolicy } from './lender-api.ts';
import { type HoldbackRow, holdbackOf, recordHoldbacks } from './reminder-holdbacks.ts';
import { buildReminderMessage, queueReminderMessages } from './reminder-messages.ts';
import { loadTemplateChooser, type TemplateChooser } from './template-chooser.ts';
import { withRetryOnConflict } from './transactions.ts';

/**
 * One reminder cycle: for every loan, the engine's decision at `now`; with `send`, each
 * eligible loan's reminder is rendered and queued (message + outbox row, one transaction per
 * page) under the key (loan, stage, borrower-local date), so re-running a cycle the same day
 * queues nothing new. Loans are read a page at a time: memory stays flat however many there are.
 */

export interface PlannedDecision {
  lender: string;
  loan: string;
  borrower: string;
  eligible: boolean;
  stage: Stage | null;
  reasons: string[];
  daysOverdue: number;
  timeZone: string;
  localTime: string;
  /** Set when this cycle queued a reminder for the loan. */
  messageId?: string;
}

export interface CycleOptions {
  now: Date;
  lender?: string;
  send: boolean;
  pageSize?: number;
  /** Called after each page with the running count of loans. */
  onProgress?: (loans: number) => void;
  /** When the queued reminders are due in the outbox (default: the real now); see dispatchClock in the CLI. */
  queuedAt?: Date;
  /** Receives each page's decisions instead of collecting them all (for very large runs). */
  onDecisions?: (decisions: PlannedDecision[]) => void;
}

export interface CycleReport {
  loans: number;
  eligible: number;
  queued: number;
  decisions: PlannedDecision[];
}

export async function runReminderCycle(db: Kysely<Database>, options: CycleOptions): Promise<CycleReport> {
  const lenders = options.lender ? [await requireLender(db, options.lender)] : await listLenders(db);
  const report: CycleReport = { loans: 0, eligible: 0, queued: 0, decisions: [] };
  for (const lender of lenders) {
    let after = '';
    for (;;) {
      const page = await listLoanPage(db, lender.id, after, options.pageSize ?? 2000);
      if (page.length === 0) break;
      after = page[page.length - 1]?.id ?? after;
      const decisions = await withRetryOnConflict(() =>
        db.transaction().execute((trx) => planPage(trx, lender, page, options)),
      );
      report.loans += decisions.length;
      report.eligible += decisions.filter((d) => d.eligible).length;
      report.queued += decisions.filter((d) => d.messageId).length;
      if (options.onDecisions) options.onDecisions(decisions);
      else report.decisions.push(...decisions);
      options.onProgress?.(report.loans);
    }
  }
  return report;
}

/**
 * The engine's decision right now for some of a lender's loans, exactly as a cycle would make it
 * (nothing is queued): what "why did I get this reminder?" shows a borrower.
 */
export async function decideForLoans(
  db: Kysely<Database>,
  lender: LenderProfile,
  loans: readonly LoanPageRow[],
  now: Date,
  notContacts: readonly string[] = [],
): Promise<PlannedDecision[]> {
  if (loans.length === 0) return [];
  return planPage(db, lender, [...loans], { now, send: false }, notContacts);
}

/**
 * Decides and queues reminders for some of a lender's loans only (a bulk import's), exactly as a
 * cycle would for them: same rules, caps, texts and idempotency keys. Runs in the caller's
 * transaction, so the loans and their reminders are written together.
 */
export async function queueRemindersForLoans(
  db: Kysely<Database>,
  lender: LenderProfile,
  loans: readonly LoanPageRow[],
  now: Date,
): Promise<PlannedDecision[]> {
  if (loans.length === 0) return [];
  return planPage(db, lender, [...loans], { now, send: true });
}

/** A queued reminder whose send is late: decided again before it may go out. */
export interface LateReminder {
  messageId: string;
  loanId: string;
  lenderId: string;
  borrowerId: string;
  /** The number the text is addressed to. */
  to: string;
  /** `<borrower-local date>:<loan>:<stage>[:manual]`, as queued. */
  idempotencyKey: string;
}

/**
 * Why each of these waiting reminders should no longer be sent now (no entry: send it). Asked by
 * the dispatcher for retries, late first sends and reconciled sends: since the reminder was queued
 * the borrower may have repaid, opted out, asked for more time or disputed; the contact window may
 * have closed; another day may have begun (the text's amount and days overdue are that day's, and
 * today's reminder is planned anew: `stale`); or the number may have changed (`phone_changed`).
 * Each is decided by the engine at `now` as if it had not been queued (its own row does not count
 * against the daily and weekly caps; every other text does).
 */
export async function stopsForLateReminders(
  db: Kysely<Database>,
  reminders: readonly LateReminder[],
  now: Date,
): Promise<Map<string, string[]>> {
  const stops = new Map<string, string[]>();
  if (reminders.length === 0) return stops;
  const notContacts = reminders.map((r) => r.messageId);
  const loans = await listLoanPageRowsByIds(db, [...new Set(reminders.map((r) => r.loanId))]);
  const phones = await listCurrentPhones(db, [...new Set(reminders.map((r) => r.borrowerId))]);
  const lenderOfLoan = new Map(reminders.map((r) => [r.loanId, r.lenderId]));
  const decisionByLoan = new Map<string, PlannedDecision>();
  for (const lender of await listLendersCached(db)) {
    const own = loans.filter((l) => lenderOfLoan.get(l.id) === lender.id);
    const byExternalId = new Map(own.map((l) => [l.external_id, l.id]));
    for (const decision of await decideForLoans(db, lender, own, now, notContacts)) {
      const loanId = byExternalId.get(decision.loan);
      if (loanId) decisionByLoan.set(loanId, decision);
    }
  }
  for (const reminder of reminders) {
    const decision = decisionByLoan.get(reminder.loanId);
    // A loan no longer there (or of no lender) is not reminded. A reminder sent by hand had its
    // caps weighed by a person (set aside only with a written reason): only the other rules stop it.
    const manual = reminder.idempotencyKey.endsWith(':manual');
    const reasons = decision ? decision.reasons.filter((r) => !(manual && isSoftRule(r))) : ['settled'];
    const queuedFor = reminder.idempotencyKey.split(':')[0];
    if (decision && decision.localTime.slice(0, 10) !== queuedFor) reasons.push('stale');
    if (phones.get(reminder.borrowerId) !== reminder.to) reasons.push('phone_changed');
    if (reasons.length > 0) stops.set(reminder.messageId, reasons);
  }
  return stops;
}

async function requireLender(db: Kysely<Database>, slug: string): Promise<LenderProfile> {
  const lender = await findLenderBySlug(db, slug);
  if (!lender) throw new NotFoundError('lender', `no lender with slug "${slug}"`);
  return lender;
}

const WEEK_MS = 7 * 86_400_000;

async function planPage(
  db: Kysely<Database>,
  lender: LenderProfile,
  page: LoanPageRow[],
  options: CycleOptions,
  notContacts: readonly string[] = [],
): Promise<PlannedDecision[]> {
  const { now } = options;
  const borrowerIds = [...new Set(page.map((l) => l.borrower_id))];
  const context = await loadLoanContext(
    db,
    page.map((l) => l.id),
    borrowerIds,
    new Date(now.getTime() - WEEK_MS).toISOString(),
    notContacts,
  );
  const decisions: PlannedDecision[] = [];
  const toQueue: Array<{ decision: PlannedDecision; loan: LoanPageRow; message: MessageRow }> = [];
  const holdbacks: HoldbackRow[] = [];
  // The lender's saved wordings and experiments, read once for the page (only when sending).
  let templates: TemplateChooser | undefined;

  for (const loan of page) {
    const borrower = context.borrowers.get(loan.borrower_id);
    if (!borrower) continue;
    const phone = context.phones.get(loan.borrower_id);
    const policy = loanPolicy(lender, loan);
    const terms = instalmentTerms(context.instalments.get(loan.id) ?? []);
    const repayments = repaymentEntries(context.repayments.get(loan.id) ?? [], loan.schedule_after_seq);
    const balance = computeBalance(terms, repayments, policy, localDate(now, policy.timeZone));
    const timeZone = borrower.time_zone ?? phoneTimeZone(phone?.e164) ?? policy.timeZone;
    const contacts = context.contacts.get(loan.borrower_id) ?? [];
    const decision: EligibilityDecision = decideEligibility({
      now,
      balance,
      graceDays: policy.graceDays,
      policy: lender.reminders,
      borrower: {
        optedOut: borrower.opted_out_at !== null,
        disputed: borrower.disputed_at !== null,
        payday: borrower.payday,
      },
      phone: phone ? { verified: phone.verified_at !== null, unreachable: phone.unreachable_at !== null } : null,
      timeZone,
      requests: { pending: context.pendingRequests.has(loan.id), planActive: context.activePlans.has(loan.id) },
      contacts,
    });
    const planned: PlannedDecision = {
      lender: lender.slug,
      loan: loan.external_id,
      borrower: borrower.external_id,
      eligible: decision.eligible,
      stage: decision.stage,
      reasons: decision.reasons,
      daysOverdue: decision.daysOverdue,
      timeZone,
      localTime: `${decision.localDate}T${decision.localTime}`,
    };
    decisions.push(planned);
    // Held back only by a cap or the hour: the effect report's comparison group.
    const holdback = options.send ? holdbackOf(lender.id, loan.id, decision, now) : null;
    if (holdback) holdbacks.push(holdback);
    if (!options.send || !decision.eligible || !decision.stage || !phone) continue;

    const locale = borrower.locale === 'en' ? 'en' : 'zh-CN';
    templates ??= await loadTemplateChooser(db, lender);
    toQueue.push({
      decision: planned,
      loan,
      message: buildReminderMessage({
        lender,
        loan,
        balance,
        stage: decision.stage,
        daysOverdue: decision.daysOverdue,
        localDate: decision.localDate,
        locale,
        phoneE164: phone.e164,
        now,
        template: templates.choose(decision.stage, locale, loan.id),
      }),
    });
    // A borrower with several loans: later loans in this page see this reminder against the caps.
    contacts.push(now);
    context.contacts.set(loan.borrower_id, contacts);
  }

  if (toQueue.length > 0) {
    const inserted = await queueReminderMessages(
      db,
      toQueue.map((q) => q.message),
      options.queuedAt,
    );
    for (const q of toQueue) if (inserted.has(q.message.id)) q.decision.messageId = q.message.id;
  }
  await recordHoldbacks(db, holdbacks);
  return decisions;
}
