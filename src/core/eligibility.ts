import type { LoanBalance } from './balance.ts';
import { addDays, daysInMonth, localDate, toDayNumber } from './dates.ts';
import { minutesOfDay, type ReminderPolicy } from './reminder-policy.ts';

/**
 * Who may be sent a collection reminder now, and why not. Pure: every input is passed in,
 * so "why did (or didn't) X get a reminder?" can always be answered by running it again.
 * Every applicable reason is reported (a loan may have several); eligible means none.
 */

export const REASON_CODES = [
  'settled',
  'not_overdue',
  'in_grace',
  'awaiting_payday',
  'opted_out',
  'dispute',
  'request_pending',
  'plan_active',
  'phone_unverified',
  'phone_unreachable',
  'quiet_hours',
  'daily_cap',
  'weekly_cap',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export type Stage = 'gentle' | 'firm' | 'final';

export interface EligibilityInput {
  now: Date;
  /** The loan's balance as of the lender's local date today. */
  balance: LoanBalance;
  graceDays: number;
  policy: ReminderPolicy;
  borrower: { optedOut: boolean; disputed: boolean; payday: number | null };
  phone: { verified: boolean; unreachable: boolean } | null;
  /** The borrower's time zone (their own, else their number's country's, else the lender's). */
  timeZone: string;
  requests: { pending: boolean; planActive: boolean };
  /** Instants at which collection reminders were queued for this borrower (any loan), recent ones suffice. */
  contacts: readonly Date[];
}

export interface EligibilityDecision {
  eligible: boolean;
  stage: Stage | null;
  reasons: ReasonCode[];
  daysOverdue: number;
  graceDays: number;
  /** The borrower's local date and time at `now`, as used for the window and the daily cap. */
  localDate: string;
  localTime: string;
}

const WEEK_MS = 7 * 86_400_000;

export function decideEligibility(input: EligibilityInput): EligibilityDecision {
  const { balance, policy, borrower, phone, requests, now } = input;
  const reasons = new Set<ReasonCode>();
  const overdue = balance.instalments.filter((i) => i.status === 'grace' || i.status === 'overdue');
  const lateEpisodes = countEarlierLateEpisodes(balance);
  const graceDays =
    lateEpisodes >= policy.repeatLate.episodes
      ? Math.min(input.graceDays, policy.repeatLate.graceDays)
      : input.graceDays;
  const daysOverdue = balance.daysOverdue;
  const { date: today, time, minutes } = wallClock(now, input.timeZone);

  let stage: Stage | null = null;
  if (balance.total === 0) reasons.add('settled');
  else if (overdue.length === 0) reasons.add('not_overdue');
  else if (daysOverdue <= graceDays) reasons.add('in_grace');
  else stage = daysOverdue >= policy.finalFromDay ? 'final' : daysOverdue >= policy.firmFromDay ? 'firm' : 'gentle';

  if (stage === 'gentle' && borrower.payday !== null && awaitingPayday(today, daysOverdue, borrower.payday, policy)) {
    reasons.add('awaiting_payday');
  }
  if (borrower.optedOut) reasons.add('opted_out');
  if (borrower.disputed) reasons.add('dispute');
  if (requests.pending) reasons.add('request_pending');
  if (requests.planActive && stage === null && !reasons.has('settled')) reasons.add('plan_active');
  if (!phone?.verified) reasons.add('phone_unverified');
  if (phone?.unreachable) reasons.add('phone_unreachable');
  if (minutes < minutesOfDay(policy.contactWindow.start) || minutes >= minutesOfDay(policy.contactWindow.end)) {
    reasons.add('quiet_hours');
  }
  const today_ = input.contacts.filter((at) => wallClock(at, input.timeZone).date === today).length;
  if (today_ >= policy.dailyCap) reasons.add('daily_cap');
  const thisWeek = input.contacts.filter((at) => now.getTime() - at.getTime() < WEEK_MS && at <= now).length;
  if (thisWeek >= policy.weeklyCap) reasons.add('weekly_cap');

  const ordered = REASON_CODES.filter((code) => reasons.has(code));
  return {
    eligible: ordered.length === 0 && stage !== null,
    stage,
    reasons: ordered,
    daysOverdue,
    graceDays,
    localDate: today,
    localTime: time,
  };
}

/** Instalments that were paid, but only after their due date: earlier late-payment episodes. */
function countEarlierLateEpisodes(balance: LoanBalance): number {
  return balance.instalments.filter((i) => i.settledOn !== null && i.settledOn > i.dueDate).length;
}

/**
 * With a named payday, the gentle reminder goes in the `paydayLeadDays` days before it — when
 * that window comes before the firm stage would begin; otherwise waiting is not allowed.
 */
function awaitingPayday(today: string, daysOverdue: number, payday: number, policy: ReminderPolicy): boolean {
  const next = nextPayday(today, payday);
  const windowStart = addDays(next, -policy.paydayLeadDays);
  const firmStarts = addDays(today, policy.firmFromDay - daysOverdue);
  if (toDayNumber(windowStart) >= toDayNumber(firmStarts)) return false;
  return toDayNumber(today) < toDayNumber(windowStart);
}

/** The next date (today excluded) whose day of month is the payday, clamped to the month's end. */
export function nextPayday(today: string, payday: number): string {
  let year = Number(today.slice(0, 4));
  let month = Number(today.slice(5, 7));
  for (let i = 0; i < 3; i++) {
    const day = Math.min(payday, daysInMonth(year, month));
    const candidate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (candidate > today) return candidate;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  throw new RangeError('unreachable: a payday always comes within two months');
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: Date, timeZone: string): { date: string; time: string; minutes: number } {
  let formatter = timeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    timeFormatters.set(timeZone, formatter);
  }
  const time = formatter.format(instant);
  return { date: localDate(instant, timeZone), time, minutes: minutesOfDay(time) };
}
