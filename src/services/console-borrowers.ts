import type { Kysely } from 'kysely';
import { z } from 'zod';
import { computeBalance, type LoanBalance } from '../core/balance.ts';
import { localDate } from '../core/dates.ts';
import type { LenderProfile } from '../core/lender.ts';
import { maskPhone, parseMobile } from '../core/phone.ts';
import type { MoneyPolicy } from '../core/policy.ts';
import { text } from '../core/validation.ts';
import { type BorrowerMatch, listLenderLoansWithSchedules, searchBorrowers } from '../db/repositories/console-cases.ts';
import { instalmentTerms, repaymentEntries } from '../db/repositories/loans.ts';
import type { Database, InstalmentRow, LoanRow, RepaymentRow } from '../db/schema.ts';
import { loanPolicy } from './lender-api.ts';

/**
 * The console's borrower list: find one of the lender's borrowers by external id, name or phone
 * number (in any common written form, or just its last digits), a page at a time, each with its
 * open loans, days overdue and the amount due now. Only the lender the console gate chose is
 * ever searched.
 */

type Db = Kysely<Database>;

export const BORROWERS_PER_PAGE = 25;
export const MAX_QUERY_LENGTH = 64;

export const borrowerSearchSchema = z.object({
  q: text().max(MAX_QUERY_LENGTH, { message: 'too_long' }),
  page: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, { message: 'bad_page' })
    .transform(Number),
});

export type BorrowerSearchProblem = { field: 'q' | 'page'; problem: 'too_long' | 'bad_page' };

/** The search form's values, or what is wrong with them (a 400 naming the field). */
export function readBorrowerSearch(
  params: URLSearchParams,
): { ok: true; q: string; page: number } | ({ ok: false; q: string } & BorrowerSearchProblem) {
  const raw = { q: params.get('q') ?? '', page: params.get('page') || '1' };
  const parsed = borrowerSearchSchema.safeParse(raw);
  if (parsed.success) return { ok: true, q: parsed.data.q.trim(), page: parsed.data.page };
  const issue = parsed.error.issues[0];
  const field = issue?.path[0] === 'page' ? 'page' : 'q';
  return {
    ok: false,
    q: raw.q.slice(0, MAX_QUERY_LENGTH * 2),
    field,
    problem: field === 'page' ? 'bad_page' : 'too_long',
  };
}

/**
 * What a typed term matches. Full-width characters count as their ASCII forms. A term of phone
 * characters is also read as a number: a whole number in any common form (+86 138-0013-8005,
 * 0086…, 138 0013 8005) matches exactly, and 4 or more digits match the end of the number.
 */
export function borrowerMatch(term: string): BorrowerMatch {
  const q = term.normalize('NFKC').trim();
  if (q === '') return { text: null, phoneE164: null, phoneDigits: null };
  let phoneE164: string | null = null;
  let phoneDigits: string | null = null;
  if (/^[\d\s+().-]+$/.test(q)) {
    const digits = q.replace(/\D/g, '');
    const parsed = parseMobile(q);
    if (parsed.ok) phoneE164 = parsed.e164;
    if (digits.length >= 4 && digits.length <= 15) phoneDigits = digits;
  }
  return { text: q.toLowerCase(), phoneE164, phoneDigits };
}

/** One loan's amounts as of the lender's today (the loan's own policy applied). */
export interface LoanAmounts {
  currency: string;
  /** Overdue, in grace or due today: what is owed right now, penalty included. */
  dueNow: number;
  /** Everything still unpaid on the loan, instalments not yet due included. */
  outstanding: number;
  daysOverdue: number;
  settled: boolean;
}

export function balanceOf(
  lender: LenderProfile,
  entry: { loan: LoanRow; instalments: InstalmentRow[]; repayments: RepaymentRow[] },
  now: Date,
): { balance: LoanBalance; policy: MoneyPolicy } {
  const policy = loanPolicy(lender, entry.loan);
  const balance = computeBalance(
    instalmentTerms(entry.instalments),
    repaymentEntries(entry.repayments, entry.loan.schedule_after_seq),
    policy,
    localDate(now, policy.timeZone),
  );
  return { balance, policy };
}

export function amountsOf(currency: string, balance: LoanBalance): LoanAmounts {
  const now = balance.instalments.filter((i) => i.status === 'due' || i.status === 'grace' || i.status === 'overdue');
  return {
    currency,
    dueNow: now.reduce((sum, i) => sum + i.principal + i.interest + i.penalty, 0),
    outstanding: balance.total,
    daysOverdue: balance.daysOverdue,
    settled: balance.total === 0,
  };
}

export interface BorrowerListItem {
  externalId: string;
  name: string;
  maskedPhone: string | null;
  phoneVerified: boolean;
  phoneUnreachable: boolean;
  optedOut: boolean;
  disputed: boolean;
  /** Loans with anything still unpaid. */
  openLoans: number;
  /** The oldest overdue instalment's age over all the borrower's loans. */
  daysOverdue: number;
  /** Due now, per currency (almost always one). */
  dueNow: Array<{ currency: string; amount: number }>;
}

export interface BorrowerPage {
  q: string;
  page: number;
  pages: number;
  total: number;
  items: BorrowerListItem[];
}

export async function findBorrowers(
  db: Db,
  lender: LenderProfile,
  search: { q: string; page: number },
  now = new Date(),
): Promise<BorrowerPage> {
  const match = borrowerMatch(search.q);
  const { rows, total } = await searchBorrowers(db, lender.id, match, {
    offset: (search.page - 1) * BORROWERS_PER_PAGE,
    limit: BORROWERS_PER_PAGE,
  });
  const loans = await listLenderLoansWithSchedules(
    db,
    lender.id,
    rows.map((r) => r.id),
  );
  const items = rows.map((row): BorrowerListItem => {
    const amounts = loans
      .filter((entry) => entry.loan.borrower_id === row.id)
      .map((entry) => amountsOf(entry.loan.currency, balanceOf(lender, entry, now).balance));
    const dueNow = new Map<string, number>();
    for (const a of amounts) if (a.dueNow > 0) dueNow.set(a.currency, (dueNow.get(a.currency) ?? 0) + a.dueNow);
    return {
      externalId: row.external_id,
      name: row.name,
      maskedPhone: row.e164 ? maskPhone(row.e164) : null,
      phoneVerified: row.verified_at !== null,
      phoneUnreachable: row.unreachable_at !== null,
      optedOut: row.opted_out_at !== null,
      disputed: row.disputed_at !== null,
      openLoans: amounts.filter((a) => !a.settled).length,
      daysOverdue: Math.max(0, ...amounts.map((a) => a.daysOverdue)),
      dueNow: [...dueNow].map(([currency, amount]) => ({ currency, amount })),
    };
  });
  return {
    q: search.q,
    page: search.page,
    pages: Math.max(1, Math.ceil(total / BORROWERS_PER_PAGE)),
    total,
    items,
  };
}
