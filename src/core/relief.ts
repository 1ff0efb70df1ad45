import { z } from 'zod';
import type { InstalmentBalance, InstalmentTerms, LoanBalance } from './balance.ts';
import { addDays, daysInMonth, toDayNumber } from './dates.ts';
import { isDecimalString, multiplyRoundHalfUp, parseDecimal, type Ratio } from './decimal.ts';

/**
 * More time for a borrower who cannot pay: an extension (展期) moves what is overdue to one later
 * date for a fee; a plan (分期还款) re-spreads it into equal monthly instalments (等额本息).
 * Pure: who may ask, and the exact new schedule, from a balance and the lender's policy.
 */

export interface ReliefPolicy {
  extension: {
    enabled: boolean;
    /** Longest extension, in days. */
    maxDays: number;
    /** Fee as a share of the overdue principal ("0.01" = 1%). */
    feeRate: string;
    /** Approved extensions allowed per loan. */
    maxPerLoan: number;
    /** Up to how many days overdue it may be asked for. */
    maxDaysOverdue: number;
  };
  plan: {
    enabled: boolean;
    /** Allowed numbers of monthly instalments. */
    terms: number[];
    /** Interest per month on the remaining amount ("0.01" = 1%). */
    monthlyRate: string;
    /** Smallest overdue amount (minor units) that may be re-spread. */
    minBalance: number;
    maxDaysOverdue: number;
  };
}

export const DEFAULT_RELIEF_POLICY: ReliefPolicy = Object.freeze({
  extension: Object.freeze({ enabled: true, maxDays: 30, feeRate: '0.01', maxPerLoan: 1, maxDaysOverdue: 60 }),
  plan: Object.freeze({
    enabled: true,
    terms: [3, 6, 12],
    monthlyRate: '0.01',
    minBalance: 50_000,
    maxDaysOverdue: 90,
  }),
}) as ReliefPolicy;

const rate = (max: number) =>
  z
    .string()
    .refine(isDecimalString, 'must be a decimal string such as "0.01"')
    .refine((v) => Number(v) <= max, `must be at most ${max}`);

export const reliefPolicySchema = z.strictObject({
  extension: z.strictObject({
    enabled: z.boolean(),
    maxDays: z.int().min(1).max(180),
    feeRate: rate(0.2),
    maxPerLoan: z.int().min(0).max(10),
    maxDaysOverdue: z.int().min(0).max(3650),
  }),
  plan: z.strictObject({
    enabled: z.boolean(),
    terms: z
      .array(z.int().min(2).max(60))
      .min(1)
      .max(12)
      .refine((t) => new Set(t).size === t.length, 'terms must not repeat'),
    monthlyRate: rate(0.05),
    minBalance: z.int().min(0).max(1_000_000_000),
    maxDaysOverdue: z.int().min(0).max(3650),
  }),
});

export function resolveReliefPolicy(override: unknown): ReliefPolicy {
  if (!override || typeof override !== 'object') return DEFAULT_RELIEF_POLICY;
  const given = override as Partial<ReliefPolicy>;
  const merged = {
    extension: { ...DEFAULT_RELIEF_POLICY.extension, ...given.extension },
    plan: { ...DEFAULT_RELIEF_POLICY.plan, ...given.plan },
  };
  const parsed = reliefPolicySchema.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULT_RELIEF_POLICY;
}

export type ReliefKind = 'extension' | 'plan';

/** A request's terms as stored: days of extension, or months of plan. */
export type ReliefTerms = { days: number } | { months: number };

export function reliefTerms(kind: ReliefKind, length: number): ReliefTerms {
  return kind === 'extension' ? { days: length } : { months: length };
}

/** How long a stored request asks for (days or months), from its terms' JSON. */
export function reliefLength(terms: string): number {
  const parsed = JSON.parse(terms) as Partial<{ days: number; months: number }>;
  return parsed.days ?? parsed.months ?? 0;
}

export type ReliefRefusal =
  | 'disabled'
  | 'settled'
  | 'not_overdue'
  | 'too_late'
  | 'limit_reached'
  | 'request_pending'
  | 'plan_active'
  | 'below_minimum';

export interface ReliefHistory {
  pending: boolean;
  approvedExtensions: number;
  planActive: boolean;
}

export interface ReliefOptions {
  extension: { eligible: boolean; reasons: ReliefRefusal[]; maxDays: number };
  plan: { eligible: boolean; reasons: ReliefRefusal[]; terms: number[] };
  /** What is overdue (due today included) and would be moved or re-spread. */
  overdue: { principal: number; interest: number; penalty: number; total: number };
}

function overdueOf(balance: LoanBalance): InstalmentBalance[] {
  return balance.instalments.filter((i) => i.status === 'due' || i.status === 'grace' || i.status === 'overdue');
}

function sum(instalments: readonly InstalmentBalance[]) {
  const principal = instalments.reduce((s, i) => s + i.principal, 0);
  const interest = instalments.reduce((s, i) => s + i.interest, 0);
  const penalty = instalments.reduce((s, i) => s + i.penalty, 0);
  return { principal, interest, penalty, total: principal + interest + penalty };
}

/** What the borrower may ask for on this loan today, and why not when not (every reason). */
export function reliefOptions(balance: LoanBalance, policy: ReliefPolicy, history: ReliefHistory): ReliefOptions {
  const overdue = sum(overdueOf(balance));
  const common: ReliefRefusal[] = [];
  if (balance.total === 0) common.push('settled');
  else if (overdue.total === 0) common.push('not_overdue');
  if (history.pending) common.push('request_pending');

  const extension: ReliefRefusal[] = [...common];
  if (!policy.extension.enabled) extension.unshift('disabled');
  if (balance.daysOverdue > policy.extension.maxDaysOverdue) extension.push('too_late');
  if (history.approvedExtensions >= policy.extension.maxPerLoan) extension.push('limit_reached');

  const plan: ReliefRefusal[] = [...common];
  if (!policy.plan.enabled) plan.unshift('disabled');
  if (balance.daysOverdue > policy.plan.maxDaysOverdue) plan.push('too_late');
  if (history.planActive) plan.push('plan_active');
  const terms = [...policy.plan.terms]
    .sort((a, b) => a - b)
    .filter((months) => overdue.principal >= months * MIN_MONTHLY_PRINCIPAL);
  if (overdue.total > 0 && (overdue.total < policy.plan.minBalance || terms.length === 0)) plan.push('below_minimum');

  return {
    extension: { eligible: extension.length === 0, reasons: extension, maxDays: policy.extension.maxDays },
    plan: { eligible: plan.length === 0, reasons: plan, terms },
    overdue,
  };
}

export interface Quote {
  kind: ReliefKind;
  /** Days for an extension, months for a plan. */
  length: number;
  asOf: string;
  /** What is owed if paid today (the overdue part). */
  payNow: number;
  /** The overdue amount moved or re-spread (principal + interest + penalty so far). */
  financed: number;
  /** Extension fee or plan interest: the whole extra cost. */
  cost: number;
  /** The new instalments replacing the overdue ones (later instalments stay as they are). */
  schedule: InstalmentTerms[];
  /** The whole new schedule of the loan: the new instalments and the untouched later ones. */
  loanSchedule: InstalmentTerms[];
}

/** The same day of the month `months` later, or that month's last day: 31 Jan + 1 → 28/29 Feb. */
export function addMonths(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + months;
  const day = Number(date.slice(8, 10));
  const y = year + Math.floor(month / 12);
  const m = (month % 12) + 1;
  const d = Math.min(day, daysInMonth(y, m));
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function laterInstalments(balance: LoanBalance): InstalmentTerms[] {
  return balance.instalments
    .filter((i) => i.status === 'upcoming')
    .map((i) => ({ dueDate: i.dueDate, principal: i.principal, interest: i.interest }));
}

function bySchedule(a: InstalmentTerms, b: InstalmentTerms): number {
  return toDayNumber(a.dueDate) - toDayNumber(b.dueDate);
}

/**
 * An extension of `days`: the overdue principal, interest and penalty so far fall due together
 * `days` from today, with the fee (a share of the overdue principal, rounded half-up) as interest.
 */
export function quoteExtension(balance: LoanBalance, policy: ReliefPolicy, days: number): Quote {
  const overdue = sum(overdueOf(balance));
  const fee = Number(multiplyRoundHalfUp(BigInt(overdue.principal), parseDecimal(policy.extension.feeRate)));
  const moved: InstalmentTerms = {
    dueDate: addDays(balance.asOf, days),
    principal: overdue.principal,
    interest: overdue.interest + overdue.penalty + fee,
  };
  return {
    kind: 'extension',
    length: days,
    asOf: balance.asOf,
    payNow: overdue.total,
    financed: overdue.total,
    cost: fee,
    schedule: [moved],
    loanSchedule: [moved, ...laterInstalments(balance)].sort(bySchedule),
  };
}

/**
 * Equal monthly instalments (等额本息) of `financed` over `months` at `monthlyRate`: the payment
 * P·r(1+r)^n / ((1+r)^n − 1) rounded half-up to the fen; each month's interest is the remaining
 * amount × r, rounded half-up; the last instalment takes whatever principal remains, so the
 * principal adds up to `financed` exactly. Due on today's day of the month, clamped to month end.
 */
export function amortize(financed: number, months: number, monthlyRate: Ratio, start: string): InstalmentTerms[] {
  const r = monthlyRate;
  const P = BigInt(financed);
  const n = BigInt(months);
  let payment: bigint;
  if (r.num === 0n) {
    payment = (P + n / 2n) / n;
  } else {
    // (1+r)^n as a fraction: ((den+num)/den)^n
    const growthNum = (r.den + r.num) ** n;
    const growthDen = r.den ** n;
    // P · (num/den) · g / (g − 1), with g = growthNum/growthDen, rounded half-up
    const num = P * r.num * growthNum;
    const den = r.den * (growthNum - growthDen);
    // Rounded down: rounding up would, over many months, pay off more than was lent before the end.
    payment = num / den;
  }
  const schedule: InstalmentTerms[] = [];
  let remaining = P;
  for (let k = 1; k <= months; k++) {
    const interest = multiplyRoundHalfUp(remaining, r);
    // Every instalment repays at least a fen, and leaves at least a fen for each one after it.
    const left = BigInt(months - k);
    const principal = k === months ? remaining : clamp(payment - interest, 1n, remaining - left);
    remaining -= principal;
    schedule.push({ dueDate: addMonths(start, k), principal: Number(principal), interest: Number(interest) });
  }
  return schedule;
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}

/** The smallest principal per month a plan may have (¥10): fewer months are offered below it. */
export const MIN_MONTHLY_PRINCIPAL = 1_000;

/**
 * A plan: the overdue principal is amortized (plan interest on principal only); the overdue
 * interest and penalty so far are spread evenly over the instalments as interest (never turned
 * into principal, so no penalty can ever fall on them), the last taking the remainder.
 */
export function quotePlan(balance: LoanBalance, policy: ReliefPolicy, months: number): Quote {
  const overdue = sum(overdueOf(balance));
  const amortized = amortize(overdue.principal, months, parseDecimal(policy.plan.monthlyRate), balance.asOf);
  const cost = amortized.reduce((s, i) => s + i.interest, 0);
  const carried = overdue.interest + overdue.penalty;
  const share = Math.floor(carried / months);
  const schedule = amortized.map((i, k) => ({
    ...i,
    interest: i.interest + (k === months - 1 ? carried - share * (months - 1) : share),
  }));
  return {
    kind: 'plan',
    length: months,
    asOf: balance.asOf,
    payNow: overdue.total,
    financed: overdue.total,
    cost,
    schedule,
    loanSchedule: [...schedule, ...laterInstalments(balance)].sort(bySchedule),
  };
}

/** The extension lengths offered: a week, about two weeks, a month, and the longest allowed. */
export function extensionChoices(policy: ReliefPolicy): number[] {
  const max = policy.extension.maxDays;
  return [...new Set([7, 15, 30, max].filter((days) => days <= max))].sort((a, b) => a - b);
}

/** Is this choice within the policy? (The form only offers allowed values; a tampered one is refused.) */
export function choiceProblem(kind: ReliefKind, length: number, policy: ReliefPolicy): string | null {
  if (!Number.isInteger(length)) return 'must be a whole number';
  if (kind === 'extension') {
    return length >= 1 && length <= policy.extension.maxDays
      ? null
      : `must be between 1 and ${policy.extension.maxDays} days`;
  }
  return policy.plan.terms.includes(length) ? null : `must be one of ${policy.plan.terms.join(', ')} months`;
}

/** A short fingerprint of a quote: a preview is stale when the quote made at submit differs. */
export function quoteFingerprint(quote: Quote): string {
  const text = [quote.kind, quote.length, quote.asOf, quote.financed, quote.cost]
    .concat(quote.schedule.map((i) => `${i.dueDate}:${i.principal}:${i.interest}`))
    .join('|');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
