import type { Indicator, Risk, Severity } from './types.ts';

/**
 * How the signs in a text add up to one risk level.
 *
 * A fraud analyst does not judge a text by its single worst phrase: a real lender's message can trip
 * one kind of sign by accident (it mentions a credit record, a deadline, a number that is not on the
 * list we hold), but a scam stacks several independent kinds — a story, a threat, a channel the
 * lender never uses, a place for the money to go. So every sign belongs to a family, and:
 *
 * 1. One sign is one sign. The indicators already merge repeated evidence of the same thing; here an
 *    id counts once, at its strongest severity, however many entries it has (two fake domains are
 *    still "a fake link").
 * 2. A family counts once, at its strongest sign. Signs of one family are not independent: one bad
 *    link is usually a non-official domain AND a cheap ending AND a shortener; a threat of a lawsuit
 *    comes with a deadline. Counting them twice would double-count one piece of evidence.
 * 3. Decisive acts are `high` alone: money to a personal or "safe" account, a code, password, ID or
 *    card number, a fee to unfreeze, release, cancel or repair anything, screen sharing or a meeting
 *    app, a raw IP link or a look-alike of an official domain, a personal or overseas number given as
 *    the lender's, a copy of a real reminder with its amount, account, number or link changed
 *    (`altered_copy`, see forged.ts; other changed words are a medium sender sign). No genuine lender ever asks for these, so nothing else needs to be present.
 * 4. Independent evidence adds up: medium signs in two or more families → `high`; a medium sign in
 *    exactly one family → `medium` (a low sign in another family does not lift it: "马上" beside a
 *    pretext is not a second piece of evidence); only low signs → `low`; no sign → `none`. Any
 *    `high` sign is `high`, as before.
 *
 * Low signs never combine into more than `low`: the only low sign is generic urgency wording, which
 * real reminders can use too. The families are drawn so that what one genuine sentence can say
 * stays inside one family: "逾期将影响征信，将依法起诉" is a consequence, a threat and a deadline —
 * all pressure — so a real lender's firm wording is at most `medium`; only a second, independent
 * kind of sign (a story, a channel, a link, a false sender, a payment) makes it `high`.
 */

export type Family = 'money' | 'request' | 'pretext' | 'pressure' | 'channel' | 'sender' | 'link';

/** Every indicator id the checker (and the verification service) can produce, by family. */
export const FAMILY_OF: Readonly<Record<string, Family>> = {
  // Where the money goes.
  transfer_to_safe_account: 'money',
  unfreeze_or_release_fee: 'money',
  // What is asked for.
  asks_for_code: 'request',
  asks_for_password_or_id: 'request',
  screen_sharing: 'request',
  app_download: 'request',
  // The story told to make the request plausible.
  cancel_account_pretext: 'pretext',
  rate_cut_pretext: 'pretext',
  // Pressure to act before checking. A credit-record threat is pressure, not a story of its own:
  // it is what "or else" means in a loan text, and genuine reminders state it too.
  credit_record_pretext: 'pressure',
  legal_threat: 'pressure',
  urgency: 'pressure',
  // Where the reader is sent to talk.
  chat_app_move: 'channel',
  personal_mobile_contact: 'channel',
  overseas_number: 'channel',
  non_official_number: 'channel',
  // Who the text says it is, and how it is written.
  signature_mismatch: 'sender',
  obfuscation: 'sender',
  reported_scam: 'sender',
  altered_copy: 'sender',
  // Where a link really goes.
  lookalike_domain: 'link',
  official_as_subdomain: 'link',
  brand_in_foreign_domain: 'link',
  non_official_domain: 'link',
  url_shortener: 'link',
  raw_ip_link: 'link',
  risky_tld: 'link',
};

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

/** An id the table does not know (a sign added elsewhere) is its own family: independent of every other. */
export function familyOf(id: string): Family | `other:${string}` {
  return FAMILY_OF[id] ?? `other:${id}`;
}

export type RiskInput = Pick<Indicator, 'id' | 'severity' | 'decisive'>;

/** The strongest severity per family (rules 1 and 2), and whether any sign is decisive. */
export function familyStrengths(indicators: readonly RiskInput[]): {
  families: Map<string, Severity>;
  decisive: boolean;
} {
  const families = new Map<string, Severity>();
  let decisive = false;
  for (const indicator of indicators) {
    if (indicator.decisive) decisive = true;
    const family = familyOf(indicator.id);
    const known = families.get(family);
    if (!known || RANK[indicator.severity] > RANK[known]) families.set(family, indicator.severity);
  }
  return { families, decisive };
}

export function riskOf(indicators: readonly RiskInput[]): Risk {
  if (indicators.length === 0) return 'none';
  const { families, decisive } = familyStrengths(indicators);
  if (decisive) return 'high';
  let medium = 0;
  for (const severity of families.values()) {
    if (severity === 'high') return 'high';
    if (severity === 'medium') medium++;
  }
  if (medium >= 2) return 'high';
  return medium === 1 ? 'medium' : 'low';
}
