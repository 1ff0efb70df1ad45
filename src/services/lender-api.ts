import type { Kysely } from 'kysely';
import { computeBalance, type LoanBalance } from '../core/balance.ts';
import { localDate } from '../core/dates.ts';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { maskPhone, type PhoneProblem, parseMobile } from '../core/phone.ts';
import { type MoneyPolicy, type MoneyPolicyOverride, resolveMoneyPolicy } from '../core/policy.ts';
import { parseInput } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { type AuditEntry, recordAudit, recordAudits } from '../db/repositories/audit.ts';
import {
  findBorrower,
  insertBorrowerRows,
  insertPhoneRows,
  newBorrowerRow,
  newPhoneRow,
  replaceCurrentPhone,
  setPhoneVerified,
  updateBorrower,
  whenBorrowerLeftNumber,
} from '../db/repositories/borrowers.ts';
import type { Db } from '../db/repositories/lenders.ts';
import {
  findLoan,
  findRepaymentByKey,
  insertLoanRows,
  insertRepayment,
  insertSchedules,
  instalmentTerms,
  listInstalments,
  listRepayments,
  lockLoan,
  newLoanRow,
  repaymentEntries,
  replaceInstalments,
  updateLoan,
} from '../db/repositories/loans.ts';
import { listRequests } from '../db/repositories/requests.ts';
import type { BorrowerRow, Database, LoanRow, PhoneNumberRow } from '../db/schema.ts';
import type {
  Balance,
  Borrower,
  Loan,
  PhoneNotApplied,
  ReliefRequest,
  ReliefRequestList,
  RepaymentReceipt,
} from './api-responses.ts';
import {
  type BorrowerBody,
  balanceQuerySchema,
  borrowerBodySchema,
  externalIdSchema,
  type LoanBody,
  loanBodySchema,
  MAX_LOAN_REPAID,
  repaymentBodySchema,
  requestsQuerySchema,
} from './lender-api-schemas.ts';
import { withRetryOnConflict } from './transactions.ts';

/** The lender API's use cases (CONTRACT.md). Every one is scoped to the calling key's lender. */

export interface Actor {
  keyId: string;
  ip: string | null;
}

/** The answers' shapes come from api-responses.ts, which the OpenAPI document is generated from. */
export type BorrowerView = Borrower;
export type LoanView = Loan;
export type BalanceView = Balance;

function borrowerView(borrower: BorrowerRow, phone: PhoneNumberRow | undefined): BorrowerView {
  return {
    externalId: borrower.external_id,
    name: borrower.name,
    phone: phone?.e164 ?? null,
    phoneVerified: phone ? phone.verified_at !== null : false,
    phoneSource: phone?.source ?? null,
    phoneSince: phone?.created_at ?? null,
    locale: borrower.locale,
    createdAt: borrower.created_at,
    updatedAt: borrower.updated_at,
  };
}

/** `GET /api/v1/borrowers/<externalId>`: the borrower as we hold them, with the number reminders go to. */
export async function getBorrower(db: Db, lender: LenderProfile, rawExternalId: string): Promise<BorrowerView> {
  const externalId = parseInput(externalIdSchema, rawExternalId, 'externalId');
  const found = await findBorrower(db, lender.id, externalId);
  if (!found) throw new NotFoundError('borrower', `no borrower "${externalId}" exists for this lender`);
  return borrowerView(found.borrower, found.phone);
}

/** The phone number of a borrower body as the API takes it: E.164, or the problem in the API's words. */
export function lenderPhone(
  raw: string,
): { ok: true; e164: string } | { ok: false; code: PhoneProblem; message: string } {
  const phone = parseMobile(raw);
  if (phone.ok) return { ok: true, e164: phone.e164 };
  return {
    ok: false,
    code: phone.problem,
    message:
      phone.problem === 'not_mobile'
        ? 'must be a mobile number that can receive SMS (this looks like a landline)'
        : 'not a valid phone number (e.g. "138 1234 5678" or "+86 138 1234 5678")',
  };
}

export async function putBorrower(
  db: Kysely<Database>,
  lender: LenderProfile,
  actor: Actor,
  rawExternalId: string,
  body: unknown,
  now = new Date(),
): Promise<{ created: boolean; borrower: BorrowerView; phoneNotApplied?: PhoneNotApplied }> {
  const externalId = parseInput(externalIdSchema, rawExternalId, 'externalId');
  const input = parseInput(borrowerBodySchema, body);
  const phone = lenderPhone(input.phone);
  if (!phone.ok) throw new ValidationError('phone', `phone: ${phone.message}`);
  const at = nowIso(now);
  const who: AuditActor = { actorKind: 'lender_key', actorId: actor.keyId, ip: actor.ip };
  const result = await withRetryOnConflict(() =>
    db.transaction().execute((trx) => upsertBorrower(trx, lender, who, externalId, input, phone.e164, at)),
  );
  const borrower = borrowerView(result.row, result.phone);
  return result.phoneNotApplied
    ? { created: result.created, borrower, phoneNotApplied: result.phoneNotApplied }
    : { created: result.created, borrower };
}

/** Who a change is recorded against in the audit log: a lender's key, a staff member, the CLI. */
export interface AuditActor {
  actorKind: AuditEntry['actorKind'];
  actorId: string | null;
  ip: string | null;
}

export interface BorrowerUpsert {
  created: boolean;
  /** Whether anything of an existing borrower changed (name, language, number, its verification). */
  changed: boolean;
  row: BorrowerRow;
  phone: PhoneNumberRow | undefined;
  phoneNotApplied?: PhoneNotApplied;
}

/**
 * `PUT /api/v1/borrowers/<id>` inside the caller's transaction, on an already validated body and
 * number: what the API and a bulk import both apply, so the rules cannot drift apart.
 */
export async function upsertBorrower(
  trx: Db,
  lender: LenderProfile,
  who: AuditActor,
  externalId: string,
  input: BorrowerBody,
  e164: string,
  at: string,
): Promise<BorrowerUpsert> {
  const verifiedAt = input.phoneVerified === false ? null : at;
  const existing = await findBorrower(trx, lender.id, externalId);
  if (!existing) {
    const [made] = await createBorrowers(trx, lender, who, [{ externalId, input, e164 }], at);
    if (!made) throw new Error('createBorrowers returned nothing');
    return { created: true, changed: false, row: made.row, phone: made.phone };
  }
  const locale = input.locale ?? existing.borrower.locale;
  let changed = false;
  let borrower = existing.borrower;
  let current = existing.phone;
  if (borrower.name !== input.name || borrower.locale !== locale) {
    await updateBorrower(trx, borrower.id, { name: input.name, locale }, at);
    borrower = { ...borrower, name: input.name, locale, updated_at: at };
    changed = true;
  }
  // A number the borrower left by changing it themselves (verified by code) is never put back by
  // a routine sync: reminders must not go to it again. The lender is told, and can read the
  // current number with GET /api/v1/borrowers/<id>.
  const leftAt = current && current.e164 !== e164 ? await whenBorrowerLeftNumber(trx, borrower.id, e164) : undefined;
  if (current && leftAt) {
    await recordAudit(
      trx,
      {
        ...who,
        action: 'phone.kept',
        subject: `borrower:${borrower.id}`,
        details: { offered: maskPhone(e164), kept: maskPhone(current.e164), reason: 'changed_by_borrower' },
      },
      at,
    );
    return {
      created: false,
      changed,
      row: borrower,
      phone: current,
      phoneNotApplied: { phone: e164, reason: 'changed_by_borrower', changedAt: leftAt },
    };
  }
  if (!current || current.e164 !== e164) {
    const previous = current;
    current = await replaceCurrentPhone(trx, borrower.id, { e164, source: 'lender', verifiedAt }, at);
    if (previous) changed = true;
    await recordAudit(
      trx,
      {
        ...who,
        action: previous ? 'phone.changed' : 'phone.added',
        subject: `borrower:${borrower.id}`,
        details: { from: previous ? maskPhone(previous.e164) : null, to: maskPhone(e164), source: 'lender' },
      },
      at,
    );
  } else if (input.phoneVerified !== undefined && (current.verified_at !== null) !== input.phoneVerified) {
    await setPhoneVerified(trx, current.id, verifiedAt);
    current = { ...current, verified_at: verifiedAt };
    changed = true;
  }
  return { created: false, changed, row: borrower, phone: current };
}

export interface NewBorrower {
  externalId: string;
  input: BorrowerBody;
  e164: string;
}

/**
 * Borrowers the lender has none of yet, created as PUT /api/v1/borrowers creates one: the record
 * (language zh-CN unless given), the lender's number (verified unless it says otherwise) and
 * its audit entry. Several at once for a bulk import, a few statements for all of them.
 */
export async function createBorrowers(
  trx: Db,
  lender: LenderProfile,
  who: AuditActor,
  items: readonly NewBorrower[],
  at: string,
): Promise<Array<{ row: BorrowerRow; phone: PhoneNumberRow }>> {
  const made = items.map(({ externalId, input, e164 }) => {
    const row = newBorrowerRow(
      { lenderId: lender.id, externalId, name: input.name, locale: input.locale ?? 'zh-CN' },
      at,
    );
    const phone = newPhoneRow(
      row.id,
      { e164, source: 'lender', verifiedAt: input.phoneVerified === false ? null : at },
      at,
    );
    return { row, phone };
  });
  await insertBorrowerRows(
    trx,
    made.map((m) => m.row),
  );
  await insertPhoneRows(
    trx,
    made.map((m) => m.phone),
  );
  await recordAudits(
    trx,
    made.map(({ row, phone }) => ({
      ...who,
      action: 'phone.added',
      subject: `borrower:${row.id}`,
      details: { from: null, to: maskPhone(phone.e164), source: 'lender' },
    })),
    at,
  );
  return made;
}

export interface NewLoan {
  externalId: string;
  input: LoanBody;
  /** The id of the borrower record the loan belongs to (input.borrower, resolved). */
  borrowerRowId: string;
}

/** Loans the lender has none of yet, created with their schedules as PUT /api/v1/loans creates one. */
export async function createLoans(
  trx: Db,
  lender: LenderProfile,
  items: readonly NewLoan[],
  at: string,
): Promise<LoanRow[]> {
  const rows = items.map(({ externalId, input, borrowerRowId }) =>
    newLoanRow(
      {
        lenderId: lender.id,
        externalId,
        borrowerId: borrowerRowId,
        currency: input.currency,
        policy: loanPolicyJson(input.policy),
      },
      at,
    ),
  );
  await insertLoanRows(trx, rows);
  await insertSchedules(
    trx,
    rows.map((row, i) => ({ loanId: row.id, instalments: items[i]?.input.instalments ?? [] })),
  );
  return rows;
}

/** How a loan's `policy` override is stored: null when there is none (an empty object is none). */
export function loanPolicyJson(policy: MoneyPolicyOverride | undefined): string | null {
  return policy && Object.keys(policy).length > 0 ? JSON.stringify(policy) : null;
}

export async function putLoan(
  db: Kysely<Database>,
  lender: LenderProfile,
  rawExternalId: string,
  body: unknown,
  now = new Date(),
): Promise<{ created: boolean; loan: LoanView }> {
  const externalId = parseInput(externalIdSchema, rawExternalId, 'externalId');
  const input = parseInput(loanBodySchema, body);
  const at = nowIso(now);
  return withRetryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      const { created, row } = await upsertLoan(trx, lender, externalId, input, at);
      return {
        created,
        loan: {
          externalId,
          borrower: input.borrower,
          currency: input.currency,
          instalments: input.instalments,
          policy: loanPolicy(lender, row),
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        },
      };
    }),
  );
}

/**
 * `PUT /api/v1/loans/<id>` inside the caller's transaction, on an already validated body: the
 * borrower must exist; a restructured schedule cannot be replaced; recorded repayments fix the
 * currency and the least the schedule must owe. Shared by the API and bulk imports.
 */
export async function upsertLoan(
  trx: Db,
  lender: LenderProfile,
  externalId: string,
  input: LoanBody,
  at: string,
): Promise<{ created: boolean; row: LoanRow }> {
  const policyJson = loanPolicyJson(input.policy);
  const borrower = await findBorrower(trx, lender.id, input.borrower);
  if (!borrower) {
    throw new UnprocessableError(
      'unknown_borrower',
      `borrower: no borrower "${input.borrower}" exists for this lender; PUT /api/v1/borrowers/${input.borrower} first`,
      'borrower',
    );
  }
  const loan = await findLoan(trx, lender.id, externalId);
  if (!loan) {
    const [row] = await createLoans(trx, lender, [{ externalId, input, borrowerRowId: borrower.borrower.id }], at);
    if (!row) throw new Error('createLoans returned nothing');
    return { created: true, row };
  }
  const values = { borrowerId: borrower.borrower.id, currency: input.currency, policy: policyJson };
  await lockLoan(trx, loan.id);
  await refuseChangingRestructured(trx, loan, input.instalments);
  await refuseScheduleBelowRepayments(
    trx,
    loan,
    input.currency,
    input.instalments,
    resolveMoneyPolicy(lender.policy, input.policy),
  );
  await updateLoan(trx, loan.id, values, at);
  await replaceInstalments(trx, loan.id, input.instalments);
  return {
    created: false,
    row: { ...loan, borrower_id: values.borrowerId, currency: values.currency, policy: policyJson, updated_at: at },
  };
}

/**
 * A schedule set by an approved extension or plan belongs to that agreement: the lender may send
 * it again unchanged, but not replace it (the borrower would lose what was agreed, and repayments
 * settled against the old schedule would count a second time).
 */
async function refuseChangingRestructured(
  db: Db,
  loan: LoanRow,
  instalments: readonly { dueDate: string; principal: number; interest: number }[],
): Promise<void> {
  if (loan.schedule_after_seq === null) return;
  const current = instalmentTerms(await listInstalments(db, loan.id));
  const same =
    current.length === instalments.length &&
    current.every(
      (c, i) =>
        c.dueDate === instalments[i]?.dueDate &&
        c.principal === instalments[i]?.principal &&
        c.interest === instalments[i]?.interest,
    );
  if (!same) {
    throw new ConflictError(
      'restructured',
      'instalments: this loan runs on an approved extension or plan; its schedule cannot be replaced (send it unchanged, or see GET /api/v1/requests)',
      'instalments',
    );
  }
}

/**
 * Once repayments are recorded, the currency is fixed (fen are not yen) and a new schedule must
 * still owe at least what was repaid: otherwise recorded money would have nowhere to go.
 */
async function refuseScheduleBelowRepayments(
  db: Db,
  loan: LoanRow,
  currency: string,
  instalments: readonly { dueDate: string; principal: number; interest: number }[],
  policy: MoneyPolicy,
): Promise<void> {
  const repayments = repaymentEntries(await listRepayments(db, loan.id), loan.schedule_after_seq);
  if (repayments.length === 0) return;
  if (currency !== loan.currency) {
    throw new ConflictError(
      'currency_locked',
      `currency: stays ${loan.currency} once repayments are recorded`,
      'currency',
    );
  }
  const latest =
    repayments
      .map((r) => r.paidOn)
      .sort()
      .at(-1) ?? '';
  const left = computeBalance(instalments, repayments, policy, latest).repayments.reduce(
    (sum, r) => sum + r.unallocated,
    0,
  );
  if (left > 0) {
    throw new ConflictError(
      'schedule_below_repaid',
      `instalments: the repayments already recorded would be ${left} more than this schedule owes`,
      'instalments',
    );
  }
}

export function toBalanceView(loan: LoanRow, balance: LoanBalance): BalanceView {
  return {
    loan: loan.external_id,
    asOf: balance.asOf,
    currency: loan.currency,
    principal: balance.principal,
    interest: balance.interest,
    penalty: balance.penalty,
    total: balance.total,
    daysOverdue: balance.daysOverdue,
    instalments: balance.instalments.map((i) => ({
      dueDate: i.dueDate,
      principal: i.principal,
      interest: i.interest,
      penalty: i.penalty,
      status: i.status,
      daysOverdue: i.daysOverdue,
    })),
  };
}

/** The lender's money policy with the loan's own overrides on top. */
export function loanPolicy(lender: LenderProfile, loan: { policy: string | null }): MoneyPolicy {
  return resolveMoneyPolicy(lender.policy, loan.policy ? (JSON.parse(loan.policy) as MoneyPolicyOverride) : null);
}

/** Loads a loan with everything its balance needs, or 404s: another lender's loan is simply not there. */
async function loadLoan(db: Db, lender: LenderProfile, externalId: string, options: { lock?: boolean } = {}) {
  const loan = await findLoan(db, lender.id, parseInput(externalIdSchema, externalId, 'externalId'));
  if (!loan) throw new NotFoundError('loan', `no loan "${externalId}" exists for this lender`);
  // Writers of one loan queue here, so each sees the repayments of the one before it.
  if (options.lock) await lockLoan(db, loan.id);
  const [instalments, repayments] = await Promise.all([listInstalments(db, loan.id), listRepayments(db, loan.id)]);
  return {
    loan,
    policy: loanPolicy(lender, loan),
    terms: instalmentTerms(instalments),
    repayments: repaymentEntries(repayments, loan.schedule_after_seq),
    // Sequence numbers run over the whole history, old schedules included.
    nextSeq: repayments.reduce((max, r) => Math.max(max, r.seq + 1), 0),
  };
}

export async function getBalance(
  db: Kysely<Database>,
  lender: LenderProfile,
  externalId: string,
  query: Record<string, string>,
  now = new Date(),
): Promise<BalanceView> {
  const { asOf } = parseInput(balanceQuerySchema, query);
  const state = await loadLoan(db, lender, externalId);
  const date = asOf ?? localDate(now, state.policy.timeZone);
  return toBalanceView(state.loan, computeBalance(state.terms, state.repayments, state.policy, date));
}

export interface RepaymentAnswer {
  status: number;
  body: RepaymentReceipt;
  replayed: boolean;
}

export async function postRepayment(
  db: Kysely<Database>,
  lender: LenderProfile,
  externalId: string,
  body: unknown,
  now = new Date(),
): Promise<RepaymentAnswer> {
  const input = parseInput(repaymentBodySchema, body);
  return withRetryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      const state = await loadLoan(trx, lender, externalId, { lock: true });
      const earlier = await findRepaymentByKey(trx, state.loan.id, input.idempotencyKey);
      if (earlier) return { status: 201, body: JSON.parse(earlier.response) as RepaymentReceipt, replayed: true };

      const repaid = state.repayments.reduce((sum, r) => sum + r.amount, 0);
      if (repaid + input.amount > MAX_LOAN_REPAID) {
        throw new ValidationError(
          'amount',
          `amount: the loan’s repayments may add up to at most ${MAX_LOAN_REPAID}; ${repaid} are recorded already`,
        );
      }
      const all = [...state.repayments, { amount: input.amount, paidOn: input.paidOn }];
      const latest =
        all
          .map((r) => r.paidOn)
          .sort()
          .at(-1) ?? input.paidOn;
      // What this repayment adds to the unallocated total (a backdated one can also push a later
      // one over): earlier overpayments, if a schedule ever left any, are not held against it.
      const unallocated = (repayments: typeof all) =>
        computeBalance(state.terms, repayments, state.policy, latest).repayments.reduce(
          (sum, r) => sum + r.unallocated,
          0,
        );
      const overpaid = unallocated(all) - unallocated(state.repayments);
      if (overpaid > 0) {
        throw new UnprocessableError(
          'overpayment',
          `amount: ${input.amount} is more than the loan owes; the most it can take is ${input.amount - overpaid}`,
          'amount',
        );
      }
      const asOfPayment = computeBalance(state.terms, all, state.policy, input.paidOn);
      // Sorted by date then arrival, and nothing later than paidOn counts: the new repayment is the last one.
      const mine = asOfPayment.repayments.at(-1);
      const answer: RepaymentReceipt = {
        loan: state.loan.external_id,
        amount: input.amount,
        paidOn: input.paidOn,
        idempotencyKey: input.idempotencyKey,
        allocations: (mine?.allocations ?? []).map((a) => ({
          dueDate: state.terms[a.instalment]?.dueDate ?? null,
          penalty: a.penalty,
          interest: a.interest,
          principal: a.principal,
        })),
        balance: toBalanceView(state.loan, asOfPayment),
      };
      await insertRepayment(
        trx,
        {
          loanId: state.loan.id,
          seq: state.nextSeq,
          amount: input.amount,
          paidOn: input.paidOn,
          idempotencyKey: input.idempotencyKey,
          response: JSON.stringify(answer),
        },
        nowIso(now),
      );
      return { status: 201, body: answer, replayed: false };
    }),
  );
}

export async function getRequests(
  db: Kysely<Database>,
  lender: LenderProfile,
  query: Record<string, string>,
): Promise<ReliefRequestList> {
  const { status } = parseInput(requestsQuerySchema, query);
  const rows = await listRequests(db, lender.id, status);
  return {
    requests: rows.map((r) => ({
      id: r.id,
      loan: r.loan_external_id,
      borrower: r.borrower_external_id,
      // The columns hold only what the relief service writes (NewRequest's kind and status).
      kind: r.kind as ReliefRequest['kind'],
      status: r.status as ReliefRequest['status'],
      terms: JSON.parse(r.terms) as ReliefRequest['terms'],
      // The schedule the borrower agreed to (or, once approved, the one set), when made here.
      schedule: r.quote ? (JSON.parse(r.quote) as { schedule: ReliefRequest['schedule'] }).schedule : null,
      reason: r.reason_category,
      createdAt: r.created_at,
      decidedAt: r.decided_at,
      decisionNote: r.decision_note,
    })),
  };
}
