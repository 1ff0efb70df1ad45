import type { Kysely } from 'kysely';
import { z } from 'zod';
import { checkText, riskOf } from '../core/checker/check.ts';
import { alteredCopySign, type Difference, findDifferences } from '../core/checker/forged.ts';
import type { CheckResult, Extraction, Indicator, OfficialContacts, Span } from '../core/checker/types.ts';
import { ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { textFingerprint } from '../core/message-text.ts';
import { maskPhone } from '../core/phone.ts';
import { hasExpired, hashToken, isLinkTokenShape, readReferenceCode } from '../core/tokens.ts';
import { parseInput, text } from '../core/validation.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { recordFirstVerification } from '../db/repositories/message-engagement.ts';
import {
  findMessageByReferenceCode,
  findMessageByTokenHash,
  findMessagesByFingerprint,
  type SentMessage,
} from '../db/repositories/messages.ts';
import type { Database } from '../db/schema.ts';
import type { VerifyAnswer } from './api-responses.ts';
import { reportedIndex } from './scam-intelligence.ts';

/**
 * "Did they really send this?" — a link, a reference code (with the phone's last four digits) or a
 * pasted text. Genuine only when it matches a message this system really sent; otherwise every
 * scam sign found, and the lender's real contacts. The same answer serves the API, /verify and /r/.
 */

export const MAX_TEXT_LENGTH = 2_000;

export const verifyRequestSchema = z
  .strictObject({
    lender: text().max(40).optional(),
    text: text()
      .max(MAX_TEXT_LENGTH, { error: `must be at most ${MAX_TEXT_LENGTH} characters (an SMS is far shorter)` })
      .optional(),
    link: text().max(500).optional(),
    code: text().max(40).optional(),
    phoneLast4: z
      .string()
      .regex(/^\d{4}$/, 'must be the last four digits of the phone that received the message')
      .optional(),
  })
  .superRefine((value, ctx) => {
    const given = (['text', 'link', 'code'] as const).filter((k) => value[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [given[1] ?? 'text'],
        message: 'send exactly one of "text", "link" or "code"',
      });
    }
    if (value.code !== undefined && value.phoneLast4 === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['phoneLast4'],
        message: 'is required with "code": the last four digits of the phone',
      });
    }
    for (const key of ['text', 'link', 'code'] as const) {
      if (value[key] !== undefined && value[key].trim() === '')
        ctx.addIssue({ code: 'custom', path: [key], message: 'must not be empty' });
    }
  });

export type VerifyRequest = z.infer<typeof verifyRequestSchema>;

export type VerifyFormField = 'link' | 'code' | 'phoneLast4' | 'text';
export type VerifyFormProblem =
  | 'missing_link'
  | 'bad_code'
  | 'mistyped_code'
  | 'bad_last4'
  | 'missing_text'
  | 'too_long';

/**
 * The /verify forms (one per way of checking): what a person typed, turned into a request, or
 * the problems to show beside the fields. Stricter than the API where it helps a person: a code
 * whose check character is wrong is a typo to fix (`mistyped_code`), not a message to judge; one
 * that is not 8 characters long is not a code yet (`bad_code`).
 */
export function readVerifyForm(
  method: unknown,
  values: Record<VerifyFormField, string>,
): { body: Record<string, string> | null; problems: Partial<Record<VerifyFormField, VerifyFormProblem>> } {
  const problems: Partial<Record<VerifyFormField, VerifyFormProblem>> = {};
  let body: Record<string, string>;
  if (method === 'link') {
    if (values.link.trim() === '') problems.link = 'missing_link';
    body = { link: values.link.trim() };
  } else if (method === 'code') {
    const reading = readReferenceCode(values.code);
    if (reading.kind !== 'valid') problems.code = reading.kind === 'mistyped' ? 'mistyped_code' : 'bad_code';
    if (!/^\d{4}$/.test(values.phoneLast4.trim())) problems.phoneLast4 = 'bad_last4';
    body = { code: values.code.trim(), phoneLast4: values.phoneLast4.trim() };
  } else {
    if (values.text.trim() === '') problems.text = 'missing_text';
    else if (values.text.length > MAX_TEXT_LENGTH) problems.text = 'too_long';
    body = { text: values.text };
  }
  return { body: Object.keys(problems).length === 0 ? body : null, problems };
}
/** The API's answer; its shape is the schema the OpenAPI document is generated from. */
export type { VerifyAnswer };
export type Verdict = VerifyAnswer['verdict'];

/** The full result, for pages that highlight signs in place and show the matched message. */
export interface Verification {
  answer: VerifyAnswer;
  indicators: Indicator[];
  matched: (SentMessage & { lenderSlug: string }) | null;
  lender: LenderProfile | null;
  /** The text that was checked (the pasted text, or the link), for highlighting. */
  checkedText: string;
  /** What the checker found in a text that matched nothing we sent (links, numbers, …), else null. */
  extraction: Extraction | null;
  /** A pasted text carrying a real message's link or code with changed words: what we sent, and each change. */
  forged: ForgedCopy | null;
}

export interface ForgedCopy {
  /** The message as we sent it (a link token the reader did not paste is hidden). */
  sentText: string;
  sentAt: string;
  maskedPhone: string;
  differences: Difference[];
}

export function officialContactsOf(lender: LenderProfile): OfficialContacts {
  const brand = lender.domains.map((d) => d.split('.').at(-2) ?? '').filter(Boolean);
  return {
    slug: lender.slug,
    name: lender.name,
    nameEn: lender.nameEn,
    signature: lender.smsSignature,
    domains: lender.domains,
    shortLinkDomain: lender.shortLinkDomain,
    hotlines: lender.hotlines.map((h) => h.number),
    brandWords: [...new Set([lender.smsSignature.slice(0, 2), ...brand.map((b) => b.split('-')[0] ?? b)])].filter(
      (w) => w.length >= 2,
    ),
  };
}

export async function verify(
  db: Kysely<Database>,
  body: unknown,
  locale: 'zh-CN' | 'en',
  now = new Date(),
): Promise<Verification> {
  const input = parseInput(verifyRequestSchema, body);
  const lenders = await listLendersCached(db);
  const asked = input.lender ? lenders.find((l) => l.slug === input.lender) : undefined;
  if (input.lender && !asked) {
    throw new ValidationError('lender', `lender: no lender "${input.lender.slice(0, 40)}" uses this service`);
  }
  const officials = lenders.map(officialContactsOf);
  const lenderById = new Map(lenders.map((l) => [l.id, l]));

  let matched: SentMessage | undefined;
  let checked = '';
  let forged: (ForgedCopy & { sign: Indicator; lenderId: string }) | null = null;
  /** The checker's reading of a text that matched nothing, made once (the copy search reads it too). */
  let result: CheckResult | undefined;
  const check = async () =>
    checkText(checked, officials, {
      ...(asked ? { lender: asked.slug } : {}),
      // Every domain and number staff confirmed in a scam report, whichever lender's report it was.
      reported: await reportedIndex(db),
    });

  if (input.link !== undefined) {
    checked = input.link.trim();
    const token = tokenFromLink(checked, lenders);
    if (token) {
      matched = await findMessageByTokenHash(db, hashToken(token));
    }
  } else if (input.code !== undefined) {
    checked = input.code.trim();
    const reading = readReferenceCode(checked);
    // A failed check character is a typing mistake: no message was ever sent with this code.
    if (reading.kind !== 'valid') return codeNotMatched('mistyped', checked, asked ?? null, locale);
    const found = await findMessageByReferenceCode(db, reading.code);
    const lenderOfFound = found ? lenderById.get(found.lender_id) : undefined;
    // A code that exists with another phone tail (or another lender) and a code that does not exist
    // take this same path to the same answer, so neither the words nor the work tell them apart.
    const belongs =
      found !== undefined &&
      lenderOfFound !== undefined &&
      found.phone_e164.endsWith(input.phoneLast4 ?? '-') &&
      (!asked || lenderOfFound.id === asked.id);
    if (!belongs) return codeNotMatched('no_match', checked, asked ?? null, locale);
    matched = found;
  } else {
    checked = input.text ?? '';
    const fingerprint = textFingerprint(checked);
    const candidates = await findMessagesByFingerprint(db, fingerprint);
    matched = candidates.find((m) => !asked || m.lender_id === asked.id);
    if (!matched) result = await check();
    const copy = result ? await realMessageInText(db, result.extraction, lenders) : undefined;
    // Whichever lender the reader named: a real message changed is a forgery all the same (and an
    // unchanged one is still checked against the lender named, below).
    if (copy) {
      const differences = findDifferences(copy.message.body, checked);
      const sign = alteredCopySign(differences, copy.anchors);
      // The same words as we sent, as a phone passed them on (Traditional characters, say): it is the message.
      if (!sign) matched = copy.message;
      else {
        forged = {
          sentText: copy.hide(copy.message.body),
          sentAt: copy.message.sent_at ?? copy.message.created_at,
          maskedPhone: maskPhone(copy.message.phone_e164),
          differences: differences.map((d) => ({ ...d, sent: copy.hide(d.sent) })),
          sign,
          lenderId: copy.message.lender_id,
        };
      }
    }
  }

  const lenderOfMatch = matched ? lenderById.get(matched.lender_id) : undefined;
  if (matched && asked && lenderOfMatch?.id !== asked.id) matched = undefined;
  const expired = matched !== undefined && hasExpired(matched.expires_at, now);

  if (matched && lenderOfMatch) {
    // A genuine answer (by link, code or text; from the API, /verify, the widget, the embed or the
    // staff workbench) is the message's first verification once (effect report). A failed write
    // loses one count, never the answer.
    if (!expired && matched.verified_at === null) {
      await recordFirstVerification(db, matched.id, now.toISOString()).catch(() => undefined);
    }
    const answer: VerifyAnswer = {
      verdict: expired ? 'expired' : 'genuine',
      risk: 'none',
      indicators: [],
      ...(expired
        ? {}
        : {
            message: {
              lender: lenderOfMatch.slug,
              sentAt: matched.sent_at ?? matched.created_at,
              maskedPhone: maskPhone(matched.phone_e164),
            },
          }),
      official: officialOf(lenderOfMatch, locale),
    };
    return {
      answer,
      indicators: [],
      matched: { ...matched, lenderSlug: lenderOfMatch.slug },
      lender: lenderOfMatch,
      checkedText: checked,
      extraction: null,
      forged: null,
    };
  }

  result ??= await check();
  const indicators = forged ? [forged.sign, ...result.indicators] : result.indicators;
  const forgedFrom = forged ? lenderById.get(forged.lenderId) : undefined;
  const claimed = asked ?? forgedFrom ?? lenders.find((l) => l.slug === result.claimedLender) ?? null;
  // The forgery is one more sign, counted by the same rules as the rest (risk.ts).
  const risk = riskOf(indicators);
  return {
    answer: {
      verdict: 'not_sent',
      risk,
      indicators: indicators.map((i) => ({
        id: i.id,
        severity: i.severity,
        evidence: i.evidence,
        explanation: i.explanation[locale],
        spans: i.spans.map(({ start, end }) => ({ start, end })),
      })),
      ...(forged
        ? { differences: forged.differences.map(({ field, sent, received }) => ({ field, sent, received })) }
        : {}),
      official: claimed ? officialOf(claimed, locale) : null,
    },
    indicators,
    matched: null,
    lender: claimed,
    checkedText: checked,
    extraction: result.extraction,
    forged: forged && {
      sentText: forged.sentText,
      sentAt: forged.sentAt,
      maskedPhone: forged.maskedPhone,
      differences: forged.differences,
    },
  };
}

/**
 * A code that proves nothing: not a sign of fraud either (a code carries no words to judge), so no
 * indicator and risk `none`; `codeCheck` says which mistake to look for. The official contacts are
 * the asked lender's only, never those of a lender a found code belongs to.
 */
function codeNotMatched(
  codeCheck: 'mistyped' | 'no_match',
  checked: string,
  asked: LenderProfile | null,
  locale: 'zh-CN' | 'en',
): Verification {
  return {
    answer: {
      verdict: 'not_sent',
      risk: 'none',
      indicators: [],
      codeCheck,
      official: asked ? officialOf(asked, locale) : null,
    },
    indicators: [],
    matched: null,
    forged: null,
    lender: asked,
    checkedText: checked,
    extraction: null,
  };
}

function officialOf(lender: LenderProfile, locale: 'zh-CN' | 'en') {
  return {
    name: locale === 'en' ? lender.nameEn : lender.name,
    domains: lender.domains,
    hotlines: lender.hotlines.map((h) => h.number),
  };
}

/** The token of a link on one of our short-link domains (scheme optional, any case of host). */
export function tokenFromLink(link: string, lenders: LenderProfile[]): string | undefined {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(link) ? link : `https://${link}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  if (!lenders.some((l) => l.shortLinkDomain === host)) return undefined;
  const match = /^\/r\/([^/?#]+)\/?$/.exec(url.pathname);
  const token = match?.[1];
  return token && isLinkTokenShape(token) ? token : undefined;
}

/**
 * The real message a pasted text claims to be, by the link token or the reference code it carries.
 * A 144-bit token is proof enough. A short code is not: a pasted text must not become a way to
 * probe which codes exist, so a code counts only beside the signature of the lender that sent it,
 * and the real message's link token is never shown to whoever pasted only the code. Bounded: a
 * crafted text must not cost a lookup per character.
 */
async function realMessageInText(
  db: Kysely<Database>,
  extraction: Extraction,
  lenders: LenderProfile[],
): Promise<{ message: SentMessage; anchors: Span[]; hide: (shown: string) => string } | undefined> {
  for (const url of extraction.urls.slice(0, 5)) {
    const token = tokenFromLink(`https://${url.host}${url.path}`, lenders);
    const message = token && (await findMessageByTokenHash(db, hashToken(token)));
    if (message) return { message, anchors: [{ start: url.start, end: url.end }], hide: (shown) => shown };
  }
  const signatures = new Set(extraction.signatures.map((s) => s.text));
  for (const found of extraction.referenceCodes.slice(0, 3)) {
    const message = await findMessageByReferenceCode(db, found.code);
    const lender = message && lenders.find((l) => l.id === message.lender_id);
    if (!message || !lender || !signatures.has(lender.smsSignature)) continue;
    const tokens = [...message.body.matchAll(/\/r\/([A-Za-z0-9_-]{16,64})/g)].map((m) => m[1] as string);
    const hide = (shown: string) =>
      tokens.reduce((out, token) => out.replaceAll(token, '•'.repeat(token.length)), shown);
    return { message, anchors: [{ start: found.start, end: found.end }], hide };
  }
  return undefined;
}
