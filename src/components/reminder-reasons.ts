import { REASON_CODES } from '../core/eligibility.ts';
import type { LenderProfile } from '../core/lender.ts';
import type { MessageKey, Translate } from '../i18n/messages.ts';

/**
 * The engine's reasons in plain words for staff. The wording is the borrower's own page's
 * (account.reason.*: quiet hours, caps, grace, settled…) except where that page speaks to the
 * borrower as "you": those say "the borrower" (cases.reason.*).
 */
const ABOUT_THE_BORROWER = new Set([
  'awaiting_payday',
  'opted_out',
  'dispute',
  'request_pending',
  'plan_active',
  'phone_unverified',
  'no_phone',
]);
const KNOWN = new Set<string>([...REASON_CODES, 'no_phone']);

export function reasonForStaff(
  t: Translate,
  code: string,
  context: { lender: LenderProfile; graceDays: number; payday: number | null },
): string {
  // A reason added to the engine later still shows, as its code, rather than breaking the page.
  if (!KNOWN.has(code)) return code;
  const key = `${ABOUT_THE_BORROWER.has(code) ? 'cases' : 'account'}.reason.${code}` as MessageKey;
  const policy = context.lender.reminders;
  return t(key, {
    grace: context.graceDays,
    payday: context.payday ?? '',
    start: policy.contactWindow.start,
    end: policy.contactWindow.end,
    daily: policy.dailyCap,
    weekly: policy.weeklyCap,
  });
}
