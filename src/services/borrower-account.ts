import type { Kysely } from 'kysely';
import { z } from 'zod';
import { endAllSessions } from '../auth/sessions.ts';
import { type AtAGlance, atAGlance } from '../core/at-a-glance.ts';
import { computeBalance, type InstalmentBalance, type LoanBalance } from '../core/balance.ts';
import { localDate } from '../core/dates.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import {
  explainLoanPenalties,
  type PenaltyExplanation,
  type Projection,
  projectBalance,
} from '../core/penalty-explanation.ts';
import { maskPhone } from '../core/phone.ts';
import type { MoneyPolicy } from '../core/policy.ts';
import { type ReliefKind, type ReliefRefusal, reliefLength, reliefOptions } from '../core/relief.ts';
import { parseInput } from '../core/validation.ts';
import { isIdShape, newId, nowIso } from '../db/ids.ts';
import { recordAudit, recordAudits } from '../db/repositories/audit.ts';
import { replaceCurrentPhone } from '../db/repositories/borrowers.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { instalmentTerms, listInstalments, listRepayments, repaymentEntries } from '../db/repositories/loans.ts';
import { listSentMessagesOfBorrowers } from '../db/repositories/messages.ts';
import {
  cancelQueuedMessagesTo,
  disownNumber,
  findLoanOfBorrowers,
  lastSelfServicePhoneChange,
  listBorrowersByCurrentPhone,
  listHolderRecords,
  listLoanPageRowsOfBorrowers,
  listLoansOfBorrowers,
  readdressQueuedMessages,
  setReminderPreferences,
} from '../db/repositories/people.ts';
import { listRequestsOfLoan } from '../db/repositories/requests.ts';
import type { BorrowerRow, Database, LoanRow } from '../db/schema.ts';
import type { SmsProvider } from '../sms/provider.ts';
import { loanPolicy } from './lender-api.ts';
import { decideForLoans, type PlannedDecision } from './reminders.ts';
import { withRetryOnConflict } from './transactions.ts';

/**
 * What a signed-in borrower sees and changes. A borrower is the person holding a phone number:
 * every borrower record (with any lender on this service) whose current number it is belongs to
 * them, and nothing else does — every read starts from the session's number.
 */

type Db = Kysely<Database>;

export interface PersonRecord {
  borrower: BorrowerRow;
  lender: LenderProfile;
}

/** The borrower records whose current number is `phone`. */
export async function recordsOf(db: Db, phone: string): Promise<PersonRecord[]> {
  const rows = await listBorrowersByCurrentPhone(db, phone);
  const lenders = new Map((await listLendersCached(db)).map((l) => [l.id, l]));
  return rows.flatMap((borrower) => {
    const lender = lenders.get(borrower.lender_id);
    return lender ? [{ borrower, lender }] : [];
  });
}

export interface AccountInstalment extends InstalmentBalance {
  explanation: PenaltyExplanation;
}

export interface AccountLoan {
  id: string;
  externalId: string;
  currency: string;
  lender: LenderProfile;
  borrower: BorrowerRow;
  policy: MoneyPolicy;
  balance: LoanBalance;
  instalments: AccountInstalment[];
  projections: Projection[];
  /** The oldest unpaid instalment's date and what is owed on it, or null when nothing is owed. */
  next: { dueDate: string; amount: number; overdue: boolean } | null;
  /** Due now, outstanding in total, and the next instalment not yet due. */
  glance: AtAGlance;
  /** A request for more time being reviewed, shown wherever the amounts are. */
  pending: ReliefRequestSummary | null;
  /** The extension or plan in force (approved, loan not yet repaid). */
  arrangement: ReliefRequestSummary | null;
  /** Whether more time may be asked for now, and if not every reason (both kinds refused). */
  relief: { available: boolean; reasons: ReliefRefusal[] };
}

export interface ReliefRequestSummary {
  id: string;
  kind: ReliefKind;
  /** Days for an extension, months for a plan. */
  length: number;
  createdAt: string;
  decidedAt: string | null;
}

function summarise(row: { id: string; kind: string; terms: string; created_at: string; decided_at: string | null }) {
  return {
    id: row.id,
    kind: row.kind as ReliefKind,
    length: reliefLength(row.terms),
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

async function describeLoan(db: Db, record: PersonRecord, loan: LoanRow, now: Date): Promise<AccountLoan> {
  const policy = loanPolicy(record.lender, loan);
  const [instalmentRows, repaymentRows, requests] = await Promise.all([
    listInstalments(db, loan.id),
    listRepayments(db, loan.id),
    listRequestsOfLoan(db, loan.id),
  ]);
  const terms = instalmentTerms(instalmentRows);
  const repayments = repaymentEntries(repaymentRows, loan.schedule_after_seq);
  const balance = computeBalance(terms, repayments, policy, localDate(now, policy.timeZone));
  const unpaid = balance.instalments.filter((i) => i.status !== 'paid');
  const first = unpaid[0];
  // Newest first: the latest approved request is the arrangement in force.
  const pending = requests.find((r) => r.status === 'pending');
  const approved = balance.total > 0 ? requests.find((r) => r.status === 'approved') : undefined;
  const options = reliefOptions(balance, record.lender.relief, {
    pending: pending !== undefined,
    approvedExtensions: requests.filter((r) => r.status === 'approved' && r.kind === 'extension').length,
    planActive: requests.some((r) => r.status === 'approved' && r.kind === 'plan') && balance.total > 0,
  });
  const refusals = [...new Set([...options.extension.reasons, ...options.plan.reasons])];
  return {
    id: loan.id,
    externalId: loan.external_id,
    currency: loan.currency,
    lender: record.lender,
    borrower: record.borrower,
    policy,
    balance,
    instalments: ((explained) =>
      balance.instalments.map((i, k) => ({ ...i, explanation: explained[k] as PenaltyExplanation })))(
      explainLoanPenalties(terms, repayments, policy, balance),
    ),
    projections: balance.total > 0 ? projectBalance(terms, repayments, policy, balance) : [],
    next: first
      ? {
          dueDate: first.dueDate,
          amount: first.principal + first.interest + first.penalty,
          overdue: first.status === 'overdue' || first.status === 'grace',
        }
      : null,
    glance: atAGlance(balance),
    pending: pending ? summarise(pending) : null,
    arrangement: approved ? summarise(approved) : null,
    relief: {
      available: options.extension.eligible || options.plan.eligible,
      reasons: options.extension.eligible || options.plan.eligible ? [] : refusals,
    },
  };
}

export async function accountLoans(db: Db, phone: string, now = new Date()): Promise<AccountLoan[]> {
  const records = await recordsOf(db, phone);
  if (records.length === 0) return [];
  const byBorrower = new Map(records.map((r) => [r.borrower.id, r]));
  const loans = await listLoansOfBorrowers(db, [...byBorrower.keys()]);
  return Promise.all(
    loans.map((loan) => describeLoan(db, byBorrower.get(loan.borrower_id) as PersonRecord, loan, now)),
  );
}

/** One of the person's loans by its id, with its record; any other id (someone else's, made up) is "not found". */
export async function findPersonLoan(
  db: Db,
  phone: string,
  loanId: string,
): Promise<{ loan: LoanRow; record: PersonRecord }> {
  const records = await recordsOf(db, phone);
  const loan = isIdShape(loanId)
    ? await findLoanOfBorrowers(
        db,
        loanId,
        records.map((r) => r.borrower.id),
      )
    : undefined;
  const record = loan && records.find((r) => r.borrower.id === loan.borrower_id);
  if (!loan || !record) throw new NotFoundError('loan');
  return { loan, record };
}

export async function accountLoan(db: Db, phone: string, loanId: string, now = new Date()): Promise<AccountLoan> {
  const { loan, record } = await findPersonLoan(db, phone, loanId);
  return describeLoan(db, record, loan, now);
}

export interface ContactHistoryItem {
  id: string;
  lender: LenderProfile;
  sentAt: string;
  maskedPhone: string;
  stage: string | null;
  status: string;
  /** The text as sent, with phone numbers masked. */
  text: string;
  referenceCode: string | null;
  loanRef: string | null;
}

/** Reminders sent to the person's records (newest first), with texts masked for display. */
export async function contactHistory(db: Db, phone: string, limit = 50): Promise<ContactHistoryItem[]> {
  const records = await recordsOf(db, phone);
  if (records.length === 0) return [];
  const lenders = new Map(records.map((r) => [r.borrower.lender_id, r.lender]));
  const rows = await listSentMessagesOfBorrowers(
    db,
    records.map((r) => r.borrower.id),
    limit,
  );
  return rows.flatMap((row) => {
    const lender = lenders.get(row.lender_id);
    if (!lender) return [];
    return [
      {
        id: row.id,
        lender,
        sentAt: row.sent_at ?? row.created_at,
        maskedPhone: maskPhone(row.phone_e164),
        stage: row.stage,
        status: row.status,
        text: maskText(row.body, row.phone_e164),
        referenceCode: row.reference_code,
        loanRef: row.loan_ref,
      },
    ];
  });
}

/** The number masked and the link's token cut short: the history shows which message, not a usable link. */
export function maskText(body: string, phone: string): string {
  const national = phone.startsWith('+86') ? phone.slice(3) : phone;
  return body
    .replaceAll(phone, maskPhone(phone))
    .replaceAll(national, maskPhone(phone))
    .replace(/\/r\/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/g, '/r/$1…');
}

export interface LoanDecision extends PlannedDecision {
  lenderProfile: LenderProfile;
}

/** The reminder engine's decision right now for each of the person's loans. */
export async function reminderDecisions(db: Db, phone: string, now = new Date()): Promise<LoanDecision[]> {
  const records = await recordsOf(db, phone);
  const out: LoanDecision[] = [];
  for (const lender of new Map(records.map((r) => [r.lender.id, r.lender])).values()) {
    const ids = records.filter((r) => r.lender.id === lender.id).map((r) => r.borrower.id);
    const loans = await listLoanPageRowsOfBorrowers(db, ids);
    for (const decision of await decideForLoans(db, lender, loans, now))
      out.push({ ...decision, lenderProfile: lender });
  }
  return out;
}

export interface Preferences {
  locale: 'zh-CN' | 'en';
  payday: number | null;
  optOut: boolean;
}

const payday = z
  .int('choose a day from 1 to 31')
  .min(1, 'choose a day from 1 to 31')
  .max(31, 'choose a day from 1 to 31');

export const preferencesSchema = z.object({
  locale: z.enum(['zh-CN', 'en'], { error: 'choose a language' }),
  payday: payday.nullable(),
  optOut: z.boolean(),
});

/** The settings form as posted: a language, a payday (1–31 or none), the opt-out box. */
export const preferencesFormSchema = z
  .object({
    language: preferencesSchema.shape.locale,
    payday: z.union([z.literal('').transform(() => null), z.coerce.number().pipe(payday)], {
      error: 'choose a day from 1 to 31',
    }),
    optOut: z.literal('yes').optional(),
  })
  .transform((form): Preferences => ({ locale: form.language, payday: form.payday, optOut: form.optOut === 'yes' }));

/**
 * Sets reminder language, payday and opt-out on every record of the person. Opting out is
 * refused (409, field `optOut`) where a lender's policy does not allow it; nothing changes then.
 */
export async function updatePreferences(
  db: Db,
  phone: string,
  input: Preferences,
  ip: string | null,
  now = new Date(),
): Promise<void> {
  const preferences = parseInput(preferencesSchema, input);
  const records = await recordsOf(db, phone);
  if (preferences.optOut) {
    const refusing = records.filter((r) => !r.lender.reminders.allowOptOut && r.borrower.opted_out_at === null);
    if (refusing.length > 0) {
      throw new ConflictError(
        'opt_out_not_allowed',
        `optOut: ${refusing.map((r) => r.lender.name).join('、')} does not allow turning reminders off`,
        'optOut',
      );
    }
  }
  const at = nowIso(now);
  await db.transaction().execute(async (trx) => {
    for (const { borrower } of records) {
      await setReminderPreferences(
        trx,
        borrower.id,
        {
          locale: preferences.locale,
          payday: preferences.payday,
          optedOutAt: preferences.optOut ? (borrower.opted_out_at ?? at) : null,
        },
        at,
      );
    }
    await recordAudit(
      trx,
      {
        actorKind: 'borrower',
        actorId: maskPhone(phone),
        action: 'borrower.preferences',
        subject: null,
        details: {
          locale: preferences.locale,
          payday: preferences.payday,
          optOut: preferences.optOut,
          records: records.length,
        },
        ip,
      },
      at,
    );
  });
}

/** A phone change needs a sign-in at most this old; an older session confirms a code first. */
export const PHONE_CHANGE_REAUTH_MS = 10 * 60_000;

export function signedInRecently(signedInAt: Date, now = new Date()): boolean {
  return now.getTime() - signedInAt.getTime() <= PHONE_CHANGE_REAUTH_MS;
}

/** Between two self-service number changes. */
export const PHONE_CHANGE_COOLDOWN_MS = 24 * 60 * 60_000;

/** When the person may next change their number (null: now). */
export async function nextPhoneChangeAt(db: Db, phone: string, now = new Date()): Promise<Date | null> {
  const records = await recordsOf(db, phone);
  if (records.length === 0) return null;
  const last = await lastSelfServicePhoneChange(
    db,
    records.map((r) => r.borrower.id),
  );
  if (!last) return null;
  const next = Date.parse(last) + PHONE_CHANGE_COOLDOWN_MS;
  return next > now.getTime() ? new Date(next) : null;
}

/** Whom the new number goes to: lender slugs ticked, and those ticked by default (for the audit). */
export interface RecipientChoice {
  lenders: readonly string[];
  suggested: readonly string[];
}

export interface PhoneChange {
  /** Records that now have the new number. */
  records: number;
  /** Slugs of the lenders given the new number, and of those not given it. */
  sharedWith: string[];
  withheldFrom: string[];
}

/**
 * Makes `newPhone` the reminder number of the person's records with the lenders they chose, in
 * one transaction: there the old number is kept only as history, the new one is verified and
 * reachable. A lender not chosen learns nothing: its record keeps the old number, disowned (it
 * signs nobody in) and unreachable (no reminder goes to it, nor to the new one), and texts still
 * queued to it are cancelled. Every session of the old number ends. The caller has checked the
 * code sent to the new number.
 */
export async function changePhone(
  db: Db,
  oldPhone: string,
  newPhone: string,
  choice: RecipientChoice,
  ip: string | null,
  now = new Date(),
): Promise<PhoneChange> {
  if (oldPhone === newPhone) throw new ConflictError('same_number', 'phone: this is already your number', 'phone');
  const at = nowIso(now);
  const lenders = new Map((await listLendersCached(db)).map((l) => [l.id, l]));
  // One current number per borrower is a unique index: a racing change or lender update makes
  // this transaction fail, and the retry finds the number no longer current.
  const change = await withRetryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      const holders = await listHolderRecords(trx, oldPhone);
      if (holders.length === 0) {
        throw new ConflictError('not_current', 'phone: the number you signed in with is no longer on file', 'phone');
      }
      const slugOf = (lenderId: string) => lenders.get(lenderId)?.slug ?? lenderId;
      const shared = holders.filter((h) => choice.lenders.includes(slugOf(h.lenderId)));
      const withheld = holders.filter((h) => !choice.lenders.includes(slugOf(h.lenderId)));
      if (shared.length === 0) {
        throw new ConflictError(
          'no_recipient',
          'lenders: choose at least one lender that holds your number',
          'lenders',
        );
      }
      for (const holder of shared) {
        await replaceCurrentPhone(trx, holder.borrowerId, { e164: newPhone, source: 'borrower', verifiedAt: at }, at);
      }
      // Texts still waiting in the outbox go to the new number only for the lenders chosen;
      // the others' are never sent: the old number is never contacted again.
      await readdressQueuedMessages(
        trx,
        shared.map((h) => h.borrowerId),
        oldPhone,
        newPhone,
      );
      for (const holder of withheld) await disownNumber(trx, holder.phoneId, at);
      await cancelQueuedMessagesTo(
        trx,
        withheld.map((h) => h.borrowerId),
        oldPhone,
        at,
      );
      const sharedWith = [...new Set(shared.map((h) => slugOf(h.lenderId)))];
      const withheldFrom = [...new Set(withheld.map((h) => slugOf(h.lenderId)))];
      const actor = { actorKind: 'borrower', actorId: maskPhone(oldPhone), ip } as const;
      await recordAudit(
        trx,
        {
          ...actor,
          action: 'borrower.phone_changed',
          subject: null,
          details: {
            from: maskPhone(oldPhone),
            to: maskPhone(newPhone),
            records: shared.length,
            sharedWith,
            withheldFrom,
          },
        },
        at,
      );
      // Each lender's record gets its own entry: who was given the number and who was not, and
      // whether that was the screen's default. A withheld record's entry carries no trace of the new number.
      await recordAudits(
        trx,
        [
          ...shared.map((h) => ({
            ...actor,
            action: 'borrower.phone_shared',
            subject: `borrower:${h.borrowerId}`,
            details: {
              lender: slugOf(h.lenderId),
              from: maskPhone(oldPhone),
              to: maskPhone(newPhone),
              byDefault: choice.suggested.includes(slugOf(h.lenderId)),
            },
          })),
          ...withheld.map((h) => ({
            ...actor,
            action: 'borrower.phone_withheld',
            subject: `borrower:${h.borrowerId}`,
            details: {
              lender: slugOf(h.lenderId),
              kept: maskPhone(oldPhone),
              byDefault: !choice.suggested.includes(slugOf(h.lenderId)),
            },
          })),
        ],
        at,
      );
      return { records: shared.length, sharedWith, withheldFrom };
    }),
  );
  // Every session of the old number ends; so does any left on the new one (a recycled number's
  // previous holder must not see the records that just moved to it).
  await endAllSessions(db, 'borrower', oldPhone);
  await endAllSessions(db, 'borrower', newPhone);
  return change;
}

/**
 * The whole change once the new number's code checked out: the switch, and the one last text
 * to the old number (sent by the caller after answering) saying what happened and whom to call.
 */
export async function completePhoneChange(
  db: Db,
  sms: SmsProvider,
  oldPhone: string,
  newPhone: string,
  choice: RecipientChoice,
  ip: string | null,
  now = new Date(),
): Promise<PhoneChange & { notifyOldNumber: () => Promise<void> }> {
  const before = await recordsOf(db, oldPhone);
  const change = await changePhone(db, oldPhone, newPhone, choice, ip, now);
  const first = before[0];
  const locale = first?.borrower.locale === 'en' ? 'en' : 'zh-CN';
  const text = phoneChangedNotice(locale, maskPhone(newPhone), first?.lender.hotlines[0]?.number ?? '');
  return {
    ...change,
    notifyOldNumber: async () => {
      if (!first) return;
      await sms.send({
        messageId: newId(),
        to: oldPhone,
        text,
        template: { key: `phone_changed.${locale}`, params: { phone: maskPhone(newPhone) } },
        firstAttemptAt: new Date(),
      });
    },
  };
}

export function phoneChangedNotice(locale: 'zh-CN' | 'en', newMasked: string, hotline: string): string {
  return locale === 'en'
    ? `[Zhenxin] Your number for loan reminders was changed to ${newMasked}. This number will not get reminders any more. If you did not do this, call ${hotline} now.`
    : `【真信】您的还款提醒号码已改为 ${newMasked}，本号码今后不再接收提醒。如非本人操作，请立即拨打 ${hotline}。`;
}
