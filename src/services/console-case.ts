import type { Kysely } from 'kysely';
import type { InstalmentBalance } from '../core/balance.ts';
import { NotFoundError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { maskPhone } from '../core/phone.ts';
import { reliefLength } from '../core/relief.ts';
import {
  findLenderBorrower,
  listCaseMessages,
  listCaseReplies,
  listLenderLoansWithSchedules,
  listPendingRequestsOfBorrower,
} from '../db/repositories/console-cases.ts';
import type { Database } from '../db/schema.ts';
import { maskText } from './borrower-account.ts';
import { amountsOf, balanceOf, type LoanAmounts } from './console-borrowers.ts';
import { externalIdSchema } from './lender-api-schemas.ts';

/**
 * A borrower's case in the lender console: who they are (number masked, whether it is confirmed
 * and receives texts, opt-out, dispute), each loan's balance (due now against everything still
 * owed), requests waiting for a decision, every text sent to them (who sent it, how it went) and
 * their replies. Only a borrower of the lender the console gate chose is found; any other
 * external id is "not found".
 */

type Db = Kysely<Database>;

/** Texts shown on the case page, newest first; older ones are counted, not listed. */
export const CASE_HISTORY_LIMIT = 50;
/** Replies shown on the case page, newest first; older ones are counted, not listed. */
export const CASE_REPLIES_LIMIT = 20;

export interface CaseBorrower {
  id: string;
  externalId: string;
  name: string;
  locale: string;
  maskedPhone: string | null;
  phoneVerified: boolean;
  phoneUnreachable: boolean;
  optedOut: boolean;
  disputed: boolean;
}

export interface CaseLoan extends LoanAmounts {
  externalId: string;
  instalments: InstalmentBalance[];
  /** The oldest unpaid instalment: its date and what is owed on it. */
  next: { dueDate: string; amount: number } | null;
}

export interface CaseRequest {
  id: string;
  kind: 'extension' | 'plan';
  length: number;
  loanRef: string;
  createdAt: string;
}

export interface CaseMessage {
  id: string;
  kind: string;
  stage: string | null;
  status: string;
  loanRef: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  /** The text with the number masked and the link cut short. */
  text: string;
  /** Sent by a staff member by hand (their e-mail), or by the schedule (null). */
  sentBy: string | null;
  manual: boolean;
  error: string | null;
}

/** One row of inbound_messages: a text the borrower sent us (a reply, or an opt-out). */
export interface CaseReply {
  id: string;
  kind: string;
  text: string;
  receivedAt: string;
  handledAt: string | null;
  handledBy: string | null;
}

export interface CaseView {
  borrower: CaseBorrower;
  loans: CaseLoan[];
  pendingRequests: CaseRequest[];
  history: { items: CaseMessage[]; total: number };
  replies: { items: CaseReply[]; total: number };
}

/** The borrower of this lender with that external id, or NotFoundError (another lender's too). */
export async function findCaseBorrower(db: Db, lender: LenderProfile, externalId: string) {
  const id = externalIdSchema.safeParse(externalId);
  const row = id.success ? await findLenderBorrower(db, lender.id, id.data) : undefined;
  if (!row) throw new NotFoundError('borrower', `no borrower "${externalId}" exists for this lender`);
  return row;
}

export async function borrowerCase(
  db: Db,
  lender: LenderProfile,
  externalId: string,
  now = new Date(),
): Promise<CaseView> {
  const row = await findCaseBorrower(db, lender, externalId);
  const [loans, requests, messages, replies] = await Promise.all([
    listLenderLoansWithSchedules(db, lender.id, [row.id]),
    listPendingRequestsOfBorrower(db, lender.id, row.id),
    listCaseMessages(db, lender.id, row.id, CASE_HISTORY_LIMIT),
    caseReplies(db, lender, row.id),
  ]);
  return {
    borrower: {
      id: row.id,
      externalId: row.external_id,
      name: row.name,
      locale: row.locale,
      maskedPhone: row.e164 ? maskPhone(row.e164) : null,
      phoneVerified: row.verified_at !== null,
      phoneUnreachable: row.unreachable_at !== null,
      optedOut: row.opted_out_at !== null,
      disputed: row.disputed_at !== null,
    },
    loans: loans.map((entry) => {
      const { balance } = balanceOf(lender, entry, now);
      const unpaid = balance.instalments.find((i) => i.status !== 'paid');
      return {
        externalId: entry.loan.external_id,
        ...amountsOf(entry.loan.currency, balance),
        instalments: balance.instalments,
        next: unpaid ? { dueDate: unpaid.dueDate, amount: unpaid.principal + unpaid.interest + unpaid.penalty } : null,
      };
    }),
    pendingRequests: requests.map((r) => ({
      id: r.id,
      kind: r.kind === 'plan' ? 'plan' : 'extension',
      length: reliefLength(r.terms),
      loanRef: r.loan_ref,
      createdAt: r.created_at,
    })),
    history: {
      total: messages.total,
      items: messages.rows.map((m) => ({
        id: m.id,
        kind: m.kind,
        stage: m.stage,
        status: m.status,
        loanRef: m.loan_ref,
        createdAt: m.created_at,
        sentAt: m.sent_at,
        deliveredAt: m.delivered_at,
        text: maskText(m.body, m.phone_e164),
        sentBy: m.sent_by_email,
        manual: m.sent_by !== null,
        error: m.error,
      })),
    },
    replies,
  };
}

/**
 * The borrower's replies for the case page's "Replies" section: the newest CASE_REPLIES_LIMIT
 * rows of inbound_messages, and how many there are in all (older ones are counted, not listed).
 */
export async function caseReplies(
  db: Db,
  lender: LenderProfile,
  borrowerId: string,
): Promise<{ items: CaseReply[]; total: number }> {
  const { rows, total } = await listCaseReplies(db, lender.id, borrowerId, CASE_REPLIES_LIMIT);
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      text: r.body,
      receivedAt: r.received_at,
      handledAt: r.handled_at,
      handledBy: r.handled_by_email,
    })),
  };
}
