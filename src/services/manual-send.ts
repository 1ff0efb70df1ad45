import type { Kysely } from 'kysely';
import type { Stage } from '../core/eligibility.ts';
import { NotFoundError, UnprocessableError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import {
  type ManualSendReason,
  type ManualVerdict,
  manualVerdict,
  type OverrideReasonProblem,
  overrideReasonSchema,
  type SoftRule,
} from '../core/manual-send-rules.ts';
import { maskPhone } from '../core/phone.ts';
import { canManageLender, type RoleHolder } from '../core/roles.ts';
import { countSegments, type SegmentCount } from '../core/sms-segments.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { type CaseBorrowerRow, findMessageIdByIdempotencyKey } from '../db/repositories/console-cases.ts';
import { findLoan, listInstalments, listRepayments, lockLoan } from '../db/repositories/loans.ts';
import type { Database, LoanRow, MessageRow } from '../db/schema.ts';
import { balanceOf } from './console-borrowers.ts';
import { findCaseBorrower } from './console-case.ts';
import { loanPolicy } from './lender-api.ts';
import { externalIdSchema } from './lender-api-schemas.ts';
import { buildReminderMessage, queueReminderMessages } from './reminder-messages.ts';
import { decideForLoans, type PlannedDecision } from './reminders.ts';
import { chooseTemplate } from './template-chooser.ts';
import { withRetryOnConflict } from './transactions.ts';

/**
 * Staff send one loan's reminder by hand, from the borrower's case page. First the engine's
 * decision right now — the very decision the schedule makes (decideForLoans) — with every reason;
 * then the send, which decides again in the transaction that queues it. The caps may be set aside
 * with a written reason (audited); every other rule refuses. The text is built and queued exactly
 * as the schedule's (buildReminderMessage, queueReminderMessages: the same outbox, link, code and
 * text record, so it checks as genuine), under the key `<local date>:<loan>:<stage>:manual`: a
 * double click, or two people at once, queue one message, and the second is told it was sent.
 *
 * The lender is the one the console gate chose; the loan must be that lender's and the
 * borrower's, or it is "not found".
 */

type Db = Kysely<Database>;

export interface ManualSendTarget {
  lender: LenderProfile;
  staff: RoleHolder & { id: string };
  borrower: string;
  loan: string;
}

export interface ManualSendPreview {
  text: string;
  length: number;
  segments: SegmentCount;
}

export interface ManualSendState {
  borrower: string;
  loan: string;
  currency: string;
  stage: Stage | null;
  daysOverdue: number;
  /** The borrower's local date and time (`YYYY-MM-DDTHH:MM`) and zone the decision used. */
  localTime: string;
  timeZone: string;
  maskedPhone: string | null;
  /** The engine's reasons, plus `no_phone` when the borrower has no number at all. */
  reasons: ManualSendReason[];
  /** What the reasons' wording needs: the loan's grace days and the borrower's payday. */
  graceDays: number;
  payday: number | null;
  verdict: ManualVerdict;
  /** Today's reminder for this loan and stage was already sent by hand (its message id). */
  alreadySent: string | null;
  /** The text as it would go now (its link and code hidden: they are made when it is sent). */
  preview: ManualSendPreview | null;
}

interface Loaded {
  borrower: CaseBorrowerRow;
  loan: LoanRow;
}

async function loadTarget(db: Db, target: ManualSendTarget): Promise<Loaded> {
  // The console gate chose the lender; a caller that skipped it still gets nothing of another's.
  if (!canManageLender(target.staff, target.lender.id)) throw new NotFoundError('loan');
  const borrower = await findCaseBorrower(db, target.lender, target.borrower);
  const loanId = externalIdSchema.safeParse(target.loan);
  const loan = loanId.success ? await findLoan(db, target.lender.id, loanId.data) : undefined;
  if (!loan || loan.borrower_id !== borrower.id) {
    throw new NotFoundError('loan', `no loan "${target.loan}" of borrower "${target.borrower}" exists for this lender`);
  }
  return { borrower, loan };
}

/** The engine's decision now and the message it would send (not queued). */
async function decideNow(
  db: Db,
  lender: LenderProfile,
  staffId: string,
  { borrower, loan }: Loaded,
  now: Date,
): Promise<{ state: ManualSendState; message: MessageRow | null }> {
  const [decision] = (await decideForLoans(db, lender, [loan], now)) as [PlannedDecision];
  const reasons: ManualSendReason[] = [...(decision.reasons as ManualSendReason[])];
  if (!borrower.e164) reasons.push('no_phone');
  const localDate = decision.localTime.slice(0, 10);
  const stage = decision.stage;
  const key = stage ? `${localDate}:${loan.id}:${stage}:manual` : null;
  const alreadySent = key ? ((await findMessageIdByIdempotencyKey(db, key)) ?? null) : null;

  let message: MessageRow | null = null;
  if (stage && borrower.e164) {
    const [instalments, repayments] = await Promise.all([listInstalments(db, loan.id), listRepayments(db, loan.id)]);
    const locale = borrower.locale === 'en' ? 'en' : 'zh-CN';
    message = buildReminderMessage({
      lender,
      loan,
      // As the engine worked it out for the decision: the loan's policy, the lender's today.
      balance: balanceOf(lender, { loan, instalments, repayments }, now).balance,
      stage,
      daysOverdue: decision.daysOverdue,
      localDate,
      locale,
      phoneE164: borrower.e164,
      now,
      sentBy: staffId,
      keySuffix: 'manual',
      // The wording the schedule would use for this loan: the active version, or its experiment variant.
      template: await chooseTemplate(db, lender, stage, locale, loan.id),
    });
  }
  return {
    message,
    state: {
      borrower: borrower.external_id,
      loan: loan.external_id,
      currency: loan.currency,
      stage,
      daysOverdue: decision.daysOverdue,
      localTime: decision.localTime,
      timeZone: decision.timeZone,
      maskedPhone: borrower.e164 ? maskPhone(borrower.e164) : null,
      reasons,
      graceDays: loanPolicy(lender, loan).graceDays,
      payday: borrower.payday,
      verdict: manualVerdict(reasons),
      alreadySent,
      preview: message ? previewOf(message) : null,
    },
  };
}

/** The link's token and the reference code are drawn anew at the send: the preview hides them. */
function previewOf(message: MessageRow): ManualSendPreview {
  let text = message.body.replace(/\/r\/[A-Za-z0-9_-]+/, '/r/••••••');
  if (message.reference_code) text = text.replace(message.reference_code, '••••-••••');
  return { text, length: [...message.body].length, segments: countSegments(message.body) };
}

/** What sending this loan's reminder now would do: the decision, its reasons and the text. */
export async function manualSendPreview(db: Db, target: ManualSendTarget, now = new Date()): Promise<ManualSendState> {
  const loaded = await loadTarget(db, target);
  return (await decideNow(db, target.lender, target.staff.id, loaded, now)).state;
}

export type ManualSendResult =
  | { outcome: 'queued'; messageId: string; stage: Stage; overridden: SoftRule[] }
  /** This loan's reminder at this stage was already sent by hand today: nothing new was queued. */
  | { outcome: 'already_sent'; messageId: string | null };

/** A hard rule stands in the way (or nothing is overdue): it cannot be sent now, whatever the reason. */
export class ManualSendRefused extends UnprocessableError {
  readonly reasons: ManualSendReason[];
  constructor(reasons: ManualSendReason[]) {
    super('reminder_not_allowed', `this reminder may not be sent now: ${reasons.join(', ')}`, 'loan');
    this.reasons = reasons;
  }
}

/** A cap stands in the way and the written reason is missing or unusable. */
export class OverrideReasonNeeded extends ValidationError {
  readonly problem: OverrideReasonProblem;
  readonly soft: SoftRule[];
  constructor(problem: OverrideReasonProblem, soft: SoftRule[]) {
    super(
      'overrideReason',
      `overrideReason: ${soft.join(', ')} may be set aside only with a reason of 10–500 characters (${problem})`,
      'override_reason_required',
    );
    this.problem = problem;
    this.soft = soft;
  }
}

export async function sendManualReminder(
  db: Db,
  target: ManualSendTarget & { overrideReason?: string | null; ip: string | null },
  now = new Date(),
): Promise<ManualSendResult> {
  return withRetryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      const loaded = await loadTarget(trx, target);
      // One manual send of a loan at a time: the second waits, then finds the first's message.
      await lockLoan(trx, loaded.loan.id);
      const { state, message } = await decideNow(trx, target.lender, target.staff.id, loaded, now);
      if (state.alreadySent) return { outcome: 'already_sent', messageId: state.alreadySent };
      const { verdict } = state;
      if (verdict.kind === 'refused' || !message || !state.stage) throw new ManualSendRefused(state.reasons);
      let overridden: SoftRule[] = [];
      let reason: string | null = null;
      if (verdict.kind === 'needs_override') {
        const parsed = overrideReasonSchema.safeParse(target.overrideReason ?? '');
        if (!parsed.success) {
          throw new OverrideReasonNeeded(
            (parsed.error.issues[0]?.message ?? 'missing') as OverrideReasonProblem,
            verdict.soft,
          );
        }
        overridden = verdict.soft;
        reason = parsed.data;
      }
      const queued = await queueReminderMessages(trx, [message]);
      if (!queued.has(message.id)) return { outcome: 'already_sent', messageId: null };
      await recordAudit(
        trx,
        {
          actorKind: 'staff',
          actorId: target.staff.id,
          action: 'staff.manual_reminder',
          subject: `message:${message.id}`,
          details: {
            lender: target.lender.slug,
            borrower: state.borrower,
            loan: state.loan,
            stage: state.stage,
            to: state.maskedPhone,
            overridden,
            overrideReason: reason,
          },
          ip: target.ip,
        },
        now.toISOString(),
      );
      return { outcome: 'queued', messageId: message.id, stage: state.stage, overridden };
    }),
  );
}
