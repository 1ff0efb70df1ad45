import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'tldts';
import { z } from 'zod';
import { extract } from './checker/extract.ts';
import { normalize } from './checker/normalize.ts';
import { nationalDigits, PARSE_OPTIONS } from './checker/officials.ts';
import {
  type Hotline,
  type LenderProfile,
  REPAYMENT_CHANNEL_KINDS,
  type RepaymentChannel,
  slugSchema,
} from './lender.ts';
import { text } from './validation.ts';

/**
 * The rules for what a lender publishes as its own: the one schema the CLI (and a console) use to
 * accept a profile. What passes is exactly what the checker will trust, so each rule is written
 * from the borrower's side: a scammer who could register a personal mobile as a "hotline" or a
 * personal card as a "repayment account" would be vouched for by us.
 */

/** The profile fields a lender sets (the policies have their own command). */
export const PROFILE_FIELDS = [
  'slug',
  'name',
  'nameEn',
  'smsSignature',
  'domains',
  'shortLinkDomain',
  'hotlines',
  'repaymentChannels',
  'widgetOrigins',
] as const;

export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfileFields = Pick<LenderProfile, ProfileField>;

export const MAX_WIDGET_ORIGINS = 20;
const MAX_DOMAINS = 20;
const MAX_HOTLINES = 10;
const MAX_CHANNELS = 20;

type Checked = { ok: true; value: string } | { ok: false; message: string };

// Free text ---------------------------------------------------------------------------------------

/** Control, format (zero-width, bidi overrides) and line/paragraph separators: invisible or layout-breaking. */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const codePoints = (value: string) => [...value].length;

const stringInput = (what: string) =>
  text({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) });

/** A label people read: trimmed, 1–max characters, nothing invisible that could disguise it. */
export function textSchema(what: string, max: number) {
  return stringInput(what)
    .trim()
    .superRefine((value, ctx) => {
      if (value === '') ctx.addIssue({ code: 'custom', message: `${what} must not be empty` });
      else if (codePoints(value) > max)
        ctx.addIssue({ code: 'custom', message: `${what} is at most ${max} characters (got ${codePoints(value)})` });
      else if (INVISIBLE_OR_CONTROL.test(value))
        ctx.addIssue({ code: 'custom', message: `${what} must not contain control or invisible characters` });
    });
}

// SMS signature -----------------------------------------------------------------------------------

const BRACKETS = /[【】[\]]/;

/**
 * "青禾消费金融" or "【青禾消费金融】" → "青禾消费金融": the signature is stored bare, as the public
 * profile shows it and the checker compares it.
 */
export function checkSmsSignature(written: string): Checked {
  const value = written.normalize('NFKC').trim();
  if (value === '') return { ok: false, message: 'must not be empty' };
  const inner = /^【(.*)】$/su.exec(value)?.[1] ?? /^\[(.*)\]$/su.exec(value)?.[1] ?? value;
  if (BRACKETS.test(inner))
    return {
      ok: false,
      message: `unbalanced or nested brackets in "${value.slice(0, 40)}": write the signature once, as 青禾消费金融 or 【青禾消费金融】`,
    };
  if (inner === '') return { ok: false, message: 'the brackets hold no signature' };
  if (/\s/u.test(inner))
    return { ok: false, message: 'must not contain spaces or line breaks (carriers show the signature as registered)' };
  if (INVISIBLE_OR_CONTROL.test(inner))
    return { ok: false, message: 'must not contain control or invisible characters' };
  if (/^\d+$/.test(inner))
    return { ok: false, message: 'digits alone are a sender number, not a signature: give the registered name' };
  if (!/\p{L}/u.test(inner)) return { ok: false, message: 'must name the lender (it has no letters or characters)' };
  const length = codePoints(inner);
  if (length < 2 || length > 20)
    return {
      ok: false,
      message: `is 2–20 characters without the brackets, as SMS signatures are registered (got ${length})`,
    };
  return { ok: true, value: inner };
}

// Domains -----------------------------------------------------------------------------------------

const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain a lender owns, or a host under one: "qinghe-xf.cn", "app.qinghe-xf.cn". Upper case is
 * folded and an internationalised name is stored in Unicode ("青禾.中国" whether written so or as
 * "xn--…"), because the checker compares the Unicode form of every host it finds in a text.
 */
export function checkDomain(written: string): Checked {
  const value = written.trim();
  if (value === '') return { ok: false, message: 'must not be empty' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return {
      ok: false,
      message: `write the domain alone, without a scheme such as https:// (got "${value.slice(0, 60)}")`,
    };
  if (/\s/u.test(value)) return { ok: false, message: 'a domain has no spaces' };
  if (value.includes('*')) return { ok: false, message: 'a wildcard is not a domain: list each host' };
  if (value.includes('@')) return { ok: false, message: 'a domain has no user name ("…@")' };
  if (/[/?#\\]/.test(value))
    return { ok: false, message: `write the domain alone, without a path (got "${value.slice(0, 60)}")` };
  if (value.startsWith('[')) return { ok: false, message: 'an IP address is not a domain' };
  if (value.includes(':')) return { ok: false, message: 'write the domain alone, without a port' };
  const bare = value.endsWith('.') ? value.slice(0, -1) : value;
  const ascii = domainToASCII(bare);
  if (ascii === '' || ascii.length > 253)
    return { ok: false, message: `"${value.slice(0, 60)}" is not a valid domain name` };
  const labels = ascii.split('.');
  if (/^\d+$/.test(labels.at(-1) ?? '') || parse(ascii).isIp)
    return { ok: false, message: 'an IP address is not a domain: borrowers are told raw IP links are a scam sign' };
  for (const label of labels) {
    if (!LDH_LABEL.test(label))
      return {
        ok: false,
        message: `"${value.slice(0, 60)}" is not a valid domain name (each part is letters, digits and inner hyphens)`,
      };
  }
  const unicode = domainToUnicode(ascii);
  // An "xn--" part that does not decode is not a name anyone can register.
  if (unicode === '' || domainToASCII(unicode) !== ascii || unicode.split('.').some((l) => l.startsWith('xn--')))
    return { ok: false, message: `"${value.slice(0, 60)}" is not a valid internationalised domain name` };
  if (ascii === 'localhost' || ascii.endsWith('.localhost'))
    return { ok: false, message: 'localhost is not a public domain' };
  const parsed = parse(ascii, PARSE_OPTIONS);
  if (!parsed.isIcann && !parsed.isPrivate)
    return {
      ok: false,
      message: `".${labels.at(-1)}" is not a top-level domain on the Public Suffix List`,
    };
  if (!parsed.domain)
    return {
      ok: false,
      message: `${unicode} is a public suffix that belongs to no one: give the lender’s own domain (e.g. lender.${unicode})`,
    };
  return { ok: true, value: unicode };
}

// Hotlines ----------------------------------------------------------------------------------------

const EXAMPLES = 'a mainland landline (021-6188 3721), a 400/800 number (400-186-5533) or a 95xxx/96xxx service number';

/**
 * A hotline as borrowers will read and dial it, recognised by the same extraction the checker runs
 * on pasted texts: a number the checker could not find in a reminder could never count as official.
 * Stored as written, with full-width characters folded.
 */
export function checkHotline(written: string): Checked & { digits?: string } {
  if (written.length > 40) return { ok: false, message: 'is at most 40 characters' };
  const norm = normalize(written.trim());
  const value = norm.text.trim();
  if (value === '') return { ok: false, message: 'must not be empty' };
  if (!/^[+\d\s()-]+$/.test(value))
    return {
      ok: false,
      message: `write only the number, with digits, spaces, +, - and brackets (got "${value.slice(0, 40)}")`,
    };
  const phones = extract(normalize(value)).extraction.phones;
  const phone = phones[0];
  if (!phone) return { ok: false, message: `"${value}" is not a number borrowers can call: give ${EXAMPLES}` };
  if (phones.length > 1 || phone.start !== 0 || phone.end !== value.length)
    return { ok: false, message: `"${value}": one number per entry, without an extension` };
  switch (phone.kind) {
    case 'mobile':
      return {
        ok: false,
        message: `${value} is a mobile number. A lender’s hotline is never a personal mobile: borrowers are told that a mobile number in a reminder is a scam sign. Give ${EXAMPLES}`,
      };
    case 'foreign':
      return {
        ok: false,
        message: `${value} is an overseas number: borrowers are told an overseas number is a scam sign. Give ${EXAMPLES}`,
      };
    case 'landline':
      return { ok: true, value, digits: nationalDigits(value) };
    case 'service': {
      const digits = nationalDigits(value);
      if (digits.startsWith('106'))
        return {
          ok: false,
          message: `${value} is an SMS sender number (106…), which cannot be called: give ${EXAMPLES}`,
        };
      if (/^1(?:00|23)/.test(digits))
        return {
          ok: false,
          message: `${value} belongs to a carrier or a public service, not a lender: give ${EXAMPLES}`,
        };
      return { ok: true, value, digits };
    }
    default:
      return { ok: false, message: `"${value}" is not a number borrowers can call: give ${EXAMPLES}` };
  }
}

// Refined, not transformed, inside the union: zod picks the branch whose type matched only while
// its problems are refinements, so a bad number is reported as itself, not as "invalid input".
const hotlineNumberSchema = stringInput('a hotline').superRefine((written, ctx) => {
  const checked = checkHotline(written);
  if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message });
});

const hoursSchema = z.unknown().superRefine((hours, ctx) => {
  const problem =
    typeof hours !== 'string'
      ? 'hours must be a string such as "09:00–21:00"'
      : codePoints(hours.trim()) > 40
        ? 'hours is at most 40 characters'
        : INVISIBLE_OR_CONTROL.test(hours.trim())
          ? 'hours must not contain control or invisible characters'
          : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** "400-186-5533" (as the public profile shows it) or { "number", "hours" } (as it is stored). */
export const hotlineSchema = z
  .union(
    [
      hotlineNumberSchema,
      z.strictObject({
        number: hotlineNumberSchema,
        hours: hoursSchema.optional(),
      }),
    ],
    { error: 'a hotline is a phone number written as a string, or { "number", "hours" }' },
  )
  .transform((entry) => {
    const { number, hours } = typeof entry === 'string' ? { number: entry, hours: undefined } : entry;
    const checked = checkHotline(number);
    return { number: checked.ok ? checked.value : number, hours: typeof hours === 'string' ? hours.trim() : undefined };
  });

/** Hours the change did not give are kept from the same number's earlier entry (else left empty). */
export function withHotlineHours(
  hotlines: ReadonlyArray<{ number: string; hours?: string | undefined }>,
  previous: readonly Hotline[] = [],
): Hotline[] {
  const known = new Map(previous.map((h) => [nationalDigits(h.number), h.hours]));
  return hotlines.map((h) => ({ number: h.number, hours: h.hours ?? known.get(nationalDigits(h.number)) ?? '' }));
}

// Repayment channels ------------------------------------------------------------------------------

/** Words that say the account belongs to a person; "Private Limited" is a company form. */
const PERSONAL_WORDS = /个人|私人|本人|员工|personal|individual|\bprivate\b(?!\s+limited)|\bstaff\b/i;
const COMPANY_WORDS =
  /对公|公司|有限|集团|企业|\bcompany\b|\bco\.|\bcorp(?:oration)?\b|\bltd\b|\blimited\b|\binc\b|\bllc\b|\bplc\b|\bgmbh\b/i;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/**
 * A run of digits that is a payment card number: 16–19 digits on UnionPay's 62 range (the network
 * personal debit cards in China run on), or on another card range (old 60/9558 debit cards, Visa,
 * Mastercard, JCB) with the Luhn check digit every card number carries. Corporate account numbers
 * are not card numbers; some are 19 digits starting with a 4, which the check digit tells apart.
 */
export function looksLikeCardNumber(digits: string): boolean {
  if (digits.length < 16 || digits.length > 19) return false;
  if (digits.startsWith('62')) return true;
  return /^(?:60|9558|4|5[1-5]|2[2-7]|35)/.test(digits) && luhnValid(digits);
}

function accountNumbers(text: string): string[] {
  return [...text.normalize('NFKC').matchAll(/\d(?:[\d -]*\d)?/g)].map((m) => m[0].replace(/\D/g, ''));
}

const channelKindSchema = z.enum(REPAYMENT_CHANNEL_KINDS, {
  error: `kind must be one of ${REPAYMENT_CHANNEL_KINDS.join(', ')}`,
});

export const repaymentChannelSchema = z
  .strictObject({
    kind: channelKindSchema,
    label: textSchema('label', 80),
    labelEn: textSchema('labelEn', 80),
    detail: textSchema('detail', 200),
    detailEn: textSchema('detailEn', 200).optional(),
  })
  .superRefine((channel, ctx) => {
    if (channel.kind !== 'bank_transfer') return;
    // Scammers ask for "repayments" into personal accounts; the lender's own must visibly not be one.
    const why = 'a lender is repaid only into a corporate account, and scammers ask for transfers to personal ones';
    for (const field of ['label', 'labelEn', 'detail', 'detailEn'] as const) {
      const word = PERSONAL_WORDS.exec(channel[field] ?? '')?.[0];
      if (word)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `"${word}" describes a personal account: ${why}`,
        });
    }
    for (const field of ['detail', 'detailEn'] as const) {
      const numbers = accountNumbers(channel[field] ?? '');
      if (numbers.some(looksLikeCardNumber))
        ctx.addIssue({ code: 'custom', path: [field], message: `this looks like a personal bank card number: ${why}` });
      else if (field === 'detail' && !numbers.some((n) => n.length >= 8 && n.length <= 32))
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'give the bank and the corporate account number (8–32 digits)',
        });
    }
    for (const field of ['label', 'labelEn'] as const) {
      if (!COMPANY_WORDS.test(channel[field]))
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `must name the account holder as a company (对公账户：…有限公司, "Company account: … Co., Ltd."): ${why}`,
        });
    }
  });

/** Where a link in a channel's text goes; a website channel must give one. */
function linksIn(text: string): Array<{ host: string; raw: string; https: boolean; bare: boolean }> {
  return extract(normalize(text)).extraction.urls.map((url) => ({
    host: url.unicodeHost,
    raw: url.raw,
    https: url.bare || /^https:\/\//i.test(url.raw.normalize('NFKC')),
    bare: url.bare,
  }));
}

function onDomains(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => host === d || host.endsWith(`.${d}`));
}

// Widget origins ----------------------------------------------------------------------------------

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An origin the widget may run on, exactly as a browser sends it in `Origin`: scheme://host[:port],
 * lower case, the default port dropped and an internationalised host in its "xn--" form, because
 * CORS compares that header with the list character for character.
 */
export function checkWidgetOrigin(written: string): Checked {
  const value = written.trim();
  if (value === '') return { ok: false, message: 'must not be empty' };
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(value);
  if (!match)
    return {
      ok: false,
      message: `an origin is scheme://host[:port], e.g. https://help.lender.cn (got "${value.slice(0, 60)}")`,
    };
  const [, scheme = '', authority = '', rest = ''] = match;
  if (!/^https?$/i.test(scheme)) return { ok: false, message: `the scheme must be https (got "${scheme}:")` };
  if (/\s/u.test(value)) return { ok: false, message: 'an origin has no spaces' };
  // The URL parser would drop a trailing NUL or tab unseen: the origin stored would not be the one written.
  if (INVISIBLE_OR_CONTROL.test(value))
    return { ok: false, message: 'an origin must not contain control or invisible characters' };
  if (authority.includes('@')) return { ok: false, message: 'an origin has no user name or password ("…@")' };
  if (authority.includes('*')) return { ok: false, message: 'wildcards are not allowed: list each origin exactly' };
  // The URL parser reads a backslash as "/" and decodes "%2e": the origin it made would not be the one written.
  if (/[\\%]/.test(authority)) return { ok: false, message: `"${value.slice(0, 60)}" is not a valid origin` };
  if (rest === '/') return { ok: false, message: `no trailing slash: write ${value.slice(0, -1).slice(0, 80)}` };
  if (rest !== '') return { ok: false, message: 'an origin has no path, query or fragment: only scheme://host[:port]' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: `"${value.slice(0, 60)}" is not a valid origin` };
  }
  if (url.port === '0') return { ok: false, message: 'port 0 is not a port a page is served on' };
  const host = url.hostname;
  if (LOOPBACK_HOSTS.has(host)) return { ok: true, value: url.origin };
  if (url.protocol !== 'https:')
    return {
      ok: false,
      message: 'must be https (http is allowed only for localhost, 127.0.0.1 and [::1] while developing)',
    };
  const domain = checkDomain(host);
  if (!domain.ok) return { ok: false, message: `host: ${domain.message}` };
  return { ok: true, value: url.origin };
}

// The profile -------------------------------------------------------------------------------------

function checked(what: string, check: (written: string) => Checked) {
  return stringInput(what).transform((written, ctx) => {
    const result = check(written);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });
}

/**
 * Checks across items or fields run only on a value whose every part passed: zod would otherwise run
 * them over parts that failed a refinement, which are not yet what the check expects.
 */
const WHEN_ALL_VALID = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

function noRepeats<T>(key: (item: T) => string, what: (item: T) => string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const k = key(item);
      const first = seen.get(k);
      if (first === undefined) seen.set(k, i);
      else ctx.addIssue({ code: 'custom', path: [i], message: `${what(item)} is already listed at [${first}]` });
    });
  };
}

const domainSchema = checked('a domain', checkDomain);

/** Each field checked on its own, so a change can be checked before it is merged. */
export const lenderProfileFields = z.strictObject({
  slug: slugSchema,
  name: textSchema('name', 60),
  nameEn: textSchema('nameEn', 60),
  smsSignature: checked('smsSignature', checkSmsSignature),
  domains: z
    .array(domainSchema, { error: 'domains must be a list of domains' })
    .min(1, 'list at least one domain the lender owns')
    .max(MAX_DOMAINS, `at most ${MAX_DOMAINS} domains`)
    .superRefine(
      noRepeats(
        (d) => d,
        (d) => d,
      ),
      WHEN_ALL_VALID,
    ),
  shortLinkDomain: domainSchema,
  hotlines: z
    .array(hotlineSchema, { error: 'hotlines must be a list of phone numbers' })
    .min(1, 'list at least one hotline')
    .max(MAX_HOTLINES, `at most ${MAX_HOTLINES} hotlines`)
    .superRefine(
      noRepeats(
        (h) => nationalDigits(h.number),
        (h) => `the number ${h.number}`,
      ),
      WHEN_ALL_VALID,
    ),
  repaymentChannels: z
    .array(repaymentChannelSchema, { error: 'repaymentChannels must be a list of channels' })
    .min(1, 'list at least one repayment channel (every reminder names one)')
    .max(MAX_CHANNELS, `at most ${MAX_CHANNELS} repayment channels`),
  widgetOrigins: z
    .array(checked('an origin', checkWidgetOrigin), { error: 'widgetOrigins must be a list of origins' })
    .max(100, 'at most 100 entries')
    .transform((origins) => [...new Set(origins)])
    .refine((origins) => origins.length <= MAX_WIDGET_ORIGINS, `at most ${MAX_WIDGET_ORIGINS} different origins`),
});

/** The whole profile: every field, then what depends on more than one (links on the lender's domains). */
export const lenderProfileSchema = lenderProfileFields.superRefine((profile, ctx) => {
  profile.repaymentChannels.forEach((channel, i) => {
    for (const field of ['detail', 'detailEn'] as const) {
      const text = channel[field];
      if (text === undefined) continue;
      const links = linksIn(text);
      const path = ['repaymentChannels', i, field];
      if (field === 'detail' && channel.kind === 'website' && links.length === 0)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `a website channel gives the page’s address on one of the lender’s domains (${profile.domains.join(', ')})`,
        });
      for (const link of links) {
        if (!onDomains(link.host, profile.domains))
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${link.host} is not on the lender’s domains (${profile.domains.join(', ')}): borrowers are told to pay only through the lender’s own sites`,
          });
        else if (!link.https)
          ctx.addIssue({ code: 'custom', path, message: `${link.raw}: a repayment page must be https` });
      }
    }
  });
}, WHEN_ALL_VALID);

export type ParsedProfile = z.output<typeof lenderProfileSchema>;

/** The fields of a stored lender a profile is made of (the form `lender show` prints). */
export function profileFieldsOf(lender: LenderProfile): ProfileFields {
  return {
    slug: lender.slug,
    name: lender.name,
    nameEn: lender.nameEn,
    smsSignature: lender.smsSignature,
    domains: lender.domains,
    shortLinkDomain: lender.shortLinkDomain,
    hotlines: lender.hotlines,
    repaymentChannels: lender.repaymentChannels,
    widgetOrigins: lender.widgetOrigins,
  };
}

/** A checked profile in its stored form; hours not given are kept from `previous` where the number is the same. */
export function toProfileFields(parsed: ParsedProfile, previous?: ProfileFields): ProfileFields {
  return {
    ...parsed,
    hotlines: withHotlineHours(parsed.hotlines, previous?.hotlines),
    repaymentChannels: parsed.repaymentChannels.map(
      ({ kind, label, labelEn, detail, detailEn }): RepaymentChannel => ({
        kind,
        label,
        labelEn,
        detail,
        ...(detailEn === undefined ? {} : { detailEn }),
      }),
    ),
  };
}

export interface ProfileChanges {
  /** Names of the fields whose value changed, in profile order. */
  fields: ProfileField[];
  /** Before and after of each changed field people check a message against; channels only by name (account numbers stay out of logs). */
  values: Partial<Record<ProfileField, { before: unknown; after: unknown }>>;
}

/** What changed between two profiles (`before` undefined: everything is new), for the audit log. */
export function profileChanges(before: ProfileFields | undefined, after: ProfileFields): ProfileChanges {
  const changes: ProfileChanges = { fields: [], values: {} };
  for (const field of PROFILE_FIELDS) {
    const old = before?.[field];
    if (JSON.stringify(old) === JSON.stringify(after[field])) continue;
    changes.fields.push(field);
    if (field === 'repaymentChannels') continue;
    changes.values[field] = { before: old ?? null, after: after[field] };
  }
  return changes;
}
