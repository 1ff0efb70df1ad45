import type { Kysely } from 'kysely';
import { z } from 'zod';
import { computeBalance, type LoanBalance } from '../core/balance.ts';
import { localDate } from '../core/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { textFingerprint } from '../core/message-text.ts';
import { maskPersonalNumbers } from '../core/personal-numbers.ts';
import { maskPhone } from '../core/phone.ts';
import type { MoneyPolicy } from '../core/policy.ts';
import {
  choiceProblem,
  type Quote,
  quoteExtension,
  quoteFingerprint,
  quotePlan,
  type ReliefKind,
  type ReliefOptions,
  reliefLength,
  reliefOptions,
  reliefTerms,
} from '../core/relief.ts';
import { type DecisionFacts, decisionParams, decisionText } from '../core/relief-messages.ts';
import { hashToken, LINK_TOKEN_BYTES, linkToken, referenceCode } from '../core/tokens.ts';
import { parseInput, text } from '../core/validation.ts';
import { isIdShape, newSortableId, nowIso, secureRandomBytes } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { findBorrowerById, findCurrentPhone } from '../db/repositories/borrowers.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import {
  findLoanById,
  instalmentTerms,
  listInstalments,
  listRepayments,
  lockLoan,
  markScheduleReplaced,
  repaymentEntries,
  replaceInstalments,
} from '../db/repositories/loans.ts';
import { countRemindersOfLoan } from '../db/repositories/messages.ts';
import { insertQueuedMessages } from '../db/repositories/reminders.ts';
import {
  decidePendingRequest,
  findPendingRequestOfLoan,
  findRequest,
  findRequestByIdempotencyKey,
  insertRequest,
  listRequestQueue,
  listRequestsOfLoan,
  setRequestQuote,
} from '../db/repositories/requests.ts';
import type { BorrowerRow, Database, LoanRow, MessageRow, RequestsTable } from '../db/schema.ts';
import { findPersonLoan, recordsOf } from './borrower-account.ts';
import { loanPolicy } from './lender-api.ts';
import { avoidCodeCollisions } from './reminder-messages.ts';
import { maskName, type StaffMember } from './staff-workbench.ts';

/**
 * Asking for more time, and deciding. The borrower sees what they may ask for and why not,
 * previews the exact new schedule, and submits once; staff review the queue and approve or
 * reject; approval replaces the schedule in one transaction under the loan's lock, so a
 * repayment racing it is either counted in the new schedule or comes after it.
 */

type Db = Kysely<Database>;
type RequestRow = Omit<import('kysely').Selectable<RequestsTable>, never>;

export const HARDSHIP_CATEGORIES = [
  'income_delayed',
  'job_loss',
  'medical',
  'family',
  'business',
  'disaster',
  'other',
] as const;

export interface LoanState {
  loan: LoanRow;
  lender: LenderProfile;
  policy: MoneyPolicy;
  balance: LoanBalance;
  requests: RequestRow[];
  options: ReliefOptions;
  /** Repayments recorded against this schedule, future-dated ones included. */
  repaymentsRecorded: number;
}

async function stateOf(
  db: Db | import('kysely').Transaction<Database>,
  loan: LoanRow,
  lender: LenderProfile,
  now: Date,
): Promise<LoanState> {
  const policy = loanPolicy(lender, loan);
  const [instalments, repayments, requests] = await Promise.all([
    listInstalments(db, loan.id),
    listRepayments(db, loan.id),
    listRequestsOfLoan(db, loan.id),
  ]);
  const balance = computeBalance(
    instalmentTerms(instalments),
    repaymentEntries(repayments, loan.schedule_after_seq),
    policy,
    localDate(now, policy.timeZone),
  );
  const options = reliefOptions(balance, lender.relief, {
    pending: requests.some((r) => r.status === 'pending'),
    approvedExtensions: requests.filter((r) => r.status === 'approved' && r.kind === 'extension').length,
    planActive: requests.some((r) => r.status === 'approved' && r.kind === 'plan') && balance.total > 0,
  });
  const repaymentsRecorded = repayments.filter(
    (r) => loan.schedule_after_seq === null || r.seq > loan.schedule_after_seq,
  ).length;
  return { loan, lender, policy, balance, requests, options, repaymentsRecorded };
}

/** The person's loan (by id) and everything the relief pages need; any other id is "not found". */
export async function reliefState(db: Db, phone: string, loanId: string, now = new Date()): Promise<LoanState> {
  const { loan, record } = await findPersonLoan(db, phone, loanId);
  return stateOf(db, loan, record.lender, now);
}

export function quoteFor(
  state: Pick<LoanState, 'balance' | 'lender' | 'options'>,
  kind: ReliefKind,
  length: number,
): Quote {
  const problem =
    choiceProblem(kind, length, state.lender.relief) ??
    (kind === 'plan' && !state.options.plan.terms.includes(length) ? 'too many months for the amount overdue' : null);
  if (problem) throw new ValidationError('length', `${kind === 'extension' ? 'days' : 'months'}: ${problem}`);
  return kind === 'extension'
    ? quoteExtension(state.balance, state.lender.relief, length)
    : quotePlan(state.balance, state.lender.relief, length);
}

export const choiceSchema = z.object({
  kind: z.enum(['extension', 'plan'], { error: 'choose an extension or a plan' }),
  length: z.coerce.number({ error: 'choose how long' }).int('must be a whole number'),
});

export const submitSchema = choiceSchema.extend({
  reasonCategory: z.enum(HARDSHIP_CATEGORIES, { error: 'choose what happened' }),
  reasonText: text()
    .trim()
    .max(500, 'must be at most 500 characters')
    // Staff read it: an ID or card number the borrower typed is kept masked, never whole.
    .transform((t) => (t === '' ? null : maskPersonalNumbers(t)))
    .nullable()
    .default(null),
  fingerprint: text().max(32),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'the form is damaged: open it again'),
});

export type SubmitResult = { id: string; replayed: boolean };

/**
 * Submits a request exactly once: the form's idempotency key makes a double submit or a replayed
 * form return the first request; the quote is worked out again and must match the one previewed
 * (else the balance changed: 409 `stale_quote`); and a loan has at most one pending request.
 */
export async function submitRelief(
  db: Db,
  phone: string,
  loanId: string,
  raw: unknown,
  ip: string | null,
  now = new Date(),
): Promise<SubmitResult> {
  const input = parseInput(submitSchema, raw);
  const state = await reliefState(db, phone, loanId, now);
  const earlier = await findRequestByIdempotencyKey(db, input.idempotencyKey);
  if (earlier) {
    if (earlier.loan_id !== state.loan.id)
      throw new ConflictError('form_reused', 'idempotencyKey: this form was already used');
    return { id: earlier.id, replayed: true };
  }
  const option = state.options[input.kind];
  if (!option.eligible) {
    throw new ConflictError('not_eligible', `kind: not available for this loan (${option.reasons.join(', ')})`, 'kind');
  }
  const quote = quoteFor(state, input.kind, input.length);
  if (quoteFingerprint(quote) !== input.fingerprint) {
    throw new ConflictError(
      'stale_quote',
      'fingerprint: the amounts changed since the preview; look at the new one',
      'fingerprint',
    );
  }
  let id = '';
  const at = nowIso(now);
  try {
    await db.transaction().execute(async (trx) => {
      id = await insertRequest(
        trx,
        {
          lenderId: state.lender.id,
          loanId: state.loan.id,
          borrowerId: state.loan.borrower_id,
          kind: input.kind,
          status: 'pending',
          terms: reliefTerms(input.kind, input.length),
          reasonCategory: input.reasonCategory,
          reasonText: input.reasonText,
          idempotencyKey: input.idempotencyKey,
          decidedBy: null,
          quote: JSON.stringify(quote),
        },
        at,
      );
      await recordAudit(
        trx,
        {
          actorKind: 'borrower',
          actorId: maskPhone(phone),
          action: 'borrower.relief_requested',
          subject: `request:${id}`,
          details: { kind: input.kind, length: input.length, loan: state.loan.external_id },
          ip,
        },
        at,
      );
    });
  } catch (error) {
    // Two submits with different keys at once: the one-pending-per-loan index lets one through.
    const same = await findRequestByIdempotencyKey(db, input.idempotencyKey);
    if (same) return { id: same.id, replayed: true };
    const pending = await findPendingRequestOfLoan(db, state.loan.id);
    if (pending)
      throw new ConflictError('request_pending', 'kind: a request for this loan is already being reviewed', 'kind');
    throw error;
  }
  return { id, replayed: false };
}

/** Withdraws the person's pending request; anything else (decided, someone else's) changes nothing. */
export async function withdrawRelief(db: Db, phone: string, requestId: string, ip: string | null, now = new Date()) {
  const records = await recordsOf(db, phone);
  if (records.length === 0 || !isIdShape(requestId)) throw new NotFoundError('request');
  await db.transaction().execute(async (trx) => {
    const withdrawn = await decidePendingRequest(
      trx,
      requestId,
      { status: 'withdrawn', at: nowIso(now), by: null, note: null },
      records.map((r) => r.borrower.id),
    );
    if (!withdrawn) throw new ConflictError('not_pending', 'request: it is no longer pending');
    await recordAudit(
      trx,
      {
        actorKind: 'borrower',
        actorId: maskPhone(phone),
        action: 'borrower.relief_withdrawn',
        subject: `request:${requestId}`,
        details: {},
        ip,
      },
      nowIso(now),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Staff review

export interface QueueFilters {
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  kind?: ReliefKind | undefined;
}

export const queueFiltersSchema = z.object({
  status: z.enum(['pending', 'approved', 'rejected', 'withdrawn']).catch('pending'),
  kind: z.enum(['extension', 'plan']).optional().catch(undefined),
});

export interface QueueItem {
  id: string;
  kind: ReliefKind;
  status: string;
  length: number;
  lender: LenderProfile;
  loanRef: string;
  borrowerName: string;
  createdAt: string;
  /** How long it has waited, in whole minutes. */
  ageMinutes: number;
  reasonCategory: string | null;
}

/** Requests oldest first (the queue's order), scoped to the staff member's lender. */
export async function reviewQueue(
  db: Db,
  staff: StaffMember,
  filters: QueueFilters,
  now = new Date(),
): Promise<QueueItem[]> {
  const rows = await listRequestQueue(db, { status: filters.status, kind: filters.kind, lenderId: staff.lenderId });
  const lenders = new Map((await listLendersCached(db)).map((l) => [l.id, l]));
  return rows.flatMap((row) => {
    const lender = lenders.get(row.lender_id);
    if (!lender) return [];
    return [
      {
        id: row.id,
        kind: row.kind as ReliefKind,
        status: row.status,
        length: reliefLength(row.terms),
        lender,
        loanRef: row.loan_ref,
        borrowerName: maskName(row.borrower_name),
        createdAt: row.created_at,
        ageMinutes: Math.max(0, Math.floor((now.getTime() - Date.parse(row.created_at)) / 60_000)),
        reasonCategory: row.reason_category,
      },
    ];
  });
}

export interface ReviewCase {
  request: RequestRow;
  length: number;
  state: LoanState;
  borrower: { maskedName: string; maskedPhone: string | null; ref: string };
  /** What was previewed when asked, and what approving now would do. */
  askedQuote: Quote | null;
  currentQuote: Quote | null;
  /** Why approving now would fail (nothing_overdue, not_eligible, future_repayment, out_of_policy), or null. */
  blocked: string | null;
  /** Approving now sets other amounts than the borrower previewed (the reviewer must confirm). */
  changed: boolean;
  repayments: Array<{ amount: number; paidOn: string }>;
  remindersSent: number;
}

export async function reviewCase(db: Db, staff: StaffMember, requestId: string, now = new Date()): Promise<ReviewCase> {
  const request = isIdShape(requestId) ? await findRequest(db, requestId) : undefined;
  if (!request || (staff.lenderId && request.lender_id !== staff.lenderId)) throw new NotFoundError('request');
  const loan = (await findLoanById(db, request.loan_id)) as LoanRow;
  const lender = (await listLendersCached(db)).find((l) => l.id === request.lender_id) as LenderProfile;
  const state = await stateOf(db, loan, lender, now);
  const borrower = (await findBorrowerById(db, request.borrower_id)) as BorrowerRow;
  const phone = await findCurrentPhone(db, borrower.id);
  const length = reliefLength(request.terms);
  let currentQuote: Quote | null = null;
  let blocked: string | null = null;
  if (request.status === 'pending') {
    try {
      currentQuote = approvalQuote(state, request, true);
    } catch (failure) {
      if (!(failure instanceof ConflictError)) throw failure;
      blocked = failure.code;
    }
  }
  const [repayments, reminders] = await Promise.all([listRepayments(db, loan.id), countRemindersOfLoan(db, loan.id)]);
  return {
    request,
    length,
    state,
    borrower: {
      maskedName: maskName(borrower.name),
      maskedPhone: phone ? maskPhone(phone.e164) : null,
      ref: borrower.external_id,
    },
    askedQuote: request.quote ? (JSON.parse(request.quote) as Quote) : null,
    currentQuote,
    blocked,
    changed:
      currentQuote !== null &&
      request.quote !== null &&
      quoteFingerprint(JSON.parse(request.quote) as Quote) !== quoteFingerprint(currentQuote),
    repayments: repayments
      .map((r) => ({ amount: r.amount, paidOn: r.paid_on }))
      .reverse()
      .slice(0, 10),
    remindersSent: reminders,
  };
}

export const decisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject'], { error: 'choose approve or reject' }),
    note: text().trim().max(500, 'must be at most 500 characters').default(''),
    /** Set when the reviewer has seen that approving now gives other amounts than were previewed. */
    acceptChanged: z.literal('yes').optional().catch(undefined),
  })
  .superRefine((value, ctx) => {
    if (value.decision === 'reject' && value.note === '') {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'say why it is rejected' });
    }
  });

/**
 * Approves or rejects a pending request. In one transaction, under the loan's lock: the request
 * must still be pending; an approval works the quote out again on the balance as it is now
 * (a repayment that got in first is counted), replaces the schedule, and marks where the old
 * schedule's repayments end. The borrower is told by a verifiable SMS (queued with it).
 */
export async function decideRequest(
  db: Db,
  staff: StaffMember,
  requestId: string,
  raw: unknown,
  ip: string | null,
  now = new Date(),
): Promise<{ status: 'approved' | 'rejected'; messageId: string | null; quote: Quote | null }> {
  const input = parseInput(decisionSchema, raw);
  const at = nowIso(now);
  // Read before the transaction: on SQLite the transaction holds the only connection.
  const lenders = await listLendersCached(db);
  return db.transaction().execute(async (trx) => {
    const request = isIdShape(requestId) ? await findRequest(trx, requestId) : undefined;
    if (!request || (staff.lenderId && request.lender_id !== staff.lenderId)) throw new NotFoundError('request');
    await lockLoan(trx, request.loan_id);
    const loan = (await findLoanById(trx, request.loan_id)) as LoanRow;
    const lender = lenders.find((l) => l.id === request.lender_id) as LenderProfile;
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    let quote: Quote | null = null;
    if (status === 'approved' && request.status === 'pending') {
      quote = approvalQuote(await stateOf(trx, loan, lender, now), request, input.acceptChanged === 'yes');
    }
    const decided = await decidePendingRequest(trx, request.id, { status, at, by: staff.id, note: input.note || null });
    if (!decided) {
      throw new ConflictError('already_decided', `request: it is ${request.status} already`);
    }

    if (quote) {
      await replaceInstalments(trx, loan.id, quote.loanSchedule);
      await markScheduleReplaced(trx, loan.id, at);
      await setRequestQuote(trx, request.id, JSON.stringify(quote));
    }

    const messageId = await queueDecisionMessage(trx, lender, loan, request.kind as ReliefKind, status, quote, now);
    await recordAudit(
      trx,
      {
        actorKind: 'staff',
        actorId: staff.id,
        action: 'staff.request_decided',
        subject: `request:${request.id}`,
        details: { decision: status, kind: request.kind, loan: loan.external_id, note: input.note ? 'given' : 'none' },
        ip,
      },
      at,
    );
    return { status, messageId, quote };
  });
}

/**
 * What approving does now, worked out on the balance as it is (under the loan's lock), or why
 * it cannot: the loan must still qualify (the request itself aside), no repayment may be dated
 * after today (it would fall outside both schedules), and amounts that differ from the preview
 * need the reviewer's explicit yes.
 */
function approvalQuote(state: LoanState, request: RequestRow, acceptChanged: boolean): Quote {
  const kind = request.kind as ReliefKind;
  if (state.options.overdue.total === 0) {
    throw new ConflictError(
      'nothing_overdue',
      'decision: nothing is overdue on this loan any more (repaid since?)',
      'decision',
    );
  }
  const reasons = state.options[kind].reasons.filter((r) => r !== 'request_pending');
  if (reasons.length > 0) {
    throw new ConflictError(
      'not_eligible',
      `decision: the loan no longer qualifies (${reasons.join(', ')})`,
      'decision',
    );
  }
  if (state.balance.repayments.length !== state.repaymentsRecorded) {
    throw new ConflictError(
      'future_repayment',
      'decision: a repayment dated after today is recorded; decide once it is due',
      'decision',
    );
  }
  let quote: Quote;
  try {
    quote = quoteFor(state, kind, reliefLength(request.terms));
  } catch {
    throw new ConflictError('out_of_policy', 'decision: what was asked is outside the current policy', 'decision');
  }
  const asked = request.quote ? (JSON.parse(request.quote) as Quote) : null;
  if (asked && quoteFingerprint(asked) !== quoteFingerprint(quote) && !acceptChanged) {
    throw new ConflictError(
      'quote_changed',
      'acceptChanged: the amounts differ from what the borrower previewed; confirm the new ones',
      'acceptChanged',
    );
  }
  return quote;
}

async function queueDecisionMessage(
  db: import('kysely').Transaction<Database>,
  lender: LenderProfile,
  loan: LoanRow,
  kind: ReliefKind,
  status: 'approved' | 'rejected',
  quote: Quote | null,
  now: Date,
): Promise<string | null> {
  const borrower = (await findBorrowerById(db, loan.borrower_id)) as BorrowerRow;
  const phone = await findCurrentPhone(db, borrower.id);
  if (!phone) return null;
  const locale = borrower.locale === 'en' ? 'en' : 'zh-CN';
  const token = linkToken(secureRandomBytes(LINK_TOKEN_BYTES));
  const code = referenceCode(secureRandomBytes(7));
  const first = quote?.schedule[0];
  const facts: DecisionFacts = {
    kind,
    approved: status === 'approved',
    locale,
    currency: loan.currency,
    ...(first ? { firstDue: { date: first.dueDate, amount: first.principal + first.interest } } : {}),
    link: `https://${lender.shortLinkDomain}/r/${token}`,
    code,
  };
  const text = decisionText(lender, facts);
  const id = newSortableId(now.getTime());
  const at = now.toISOString();
  const message: MessageRow = {
    id,
    lender_id: lender.id,
    borrower_id: borrower.id,
    loan_id: loan.id,
    phone_e164: phone.e164,
    kind: 'decision',
    stage: null,
    locale,
    body: text,
    token_hash: hashToken(token),
    reference_code: code,
    fingerprint: textFingerprint(text),
    status: 'queued',
    provider: null,
    provider_message_id: null,
    created_at: at,
    sent_at: null,
    expires_at: new Date(now.getTime() + lender.reminders.linkExpiryDays * 86_400_000).toISOString(),
    idempotency_key: null,
    template_key: `decision.${status}.${locale}`,
    template_params: JSON.stringify(decisionParams(lender, facts)),
    delivered_at: null,
    error: null,
    template_version_id: null,
    variant: null,
    sent_by: null,
    opened_at: null,
    verified_at: null,
  };
  await avoidCodeCollisions(db, [message]);
  await insertQueuedMessages(db, [message], at);
  return id;
}
