import type { Kysely } from 'kysely';
import { z } from 'zod';
import { checkText } from '../core/checker/check.ts';
import type { Extraction, Indicator, OfficialContacts, Risk } from '../core/checker/types.ts';
import { ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { textFingerprint } from '../core/message-text.ts';
import { maskPhone } from '../core/phone.ts';
import { hasExpired, hashToken, isLinkTokenShape, parseReferenceCode } from '../core/tokens.ts';
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
export type VerifyFormProblem = 'missing_link' | 'bad_code' | 'bad_last4' | 'missing_text' | 'too_long';

/**
 * The /verify forms (one per way of checking): what a person typed, turned into a request, or
 * the problems to show beside the fields. Stricter than the API where it helps a person: a code
 * whose check character is wrong is a typo to fix, not a message to judge.
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
    if (!parseReferenceCode(values.code)) problems.code = 'bad_code';
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
  let extra: Indicator[] = [];

  if (input.link !== undefined) {
    checked = input.link.trim();
    const token = tokenFromLink(checked, lenders);
    if (token) {
      matched = await findMessageByTokenHash(db, hashToken(token));
    }
  } else if (input.code !== undefined) {
    checked = input.code.trim();
    const code = parseReferenceCode(checked);
    if (code) {
      const found = await findMessageByReferenceCode(db, code);
      if (found?.phone_e164.endsWith(input.phoneLast4 ?? '-')) matched = found;
    }
  } else {
    checked = input.text ?? '';
    const fingerprint = textFingerprint(checked);
    const candidates = await findMessagesByFingerprint(db, fingerprint);
    matched = candidates.find((m) => !asked || m.lender_id === asked.id);
    if (!matched) extra = await alteredCopySigns(db, checked, lenders);
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
    };
  }

  // Every domain and number staff confirmed in a scam report, whichever lender's report it was.
  const reported = await reportedIndex(db);
  const result = checkText(checked, officials, asked ? { lender: asked.slug, reported } : { reported });
  const indicators = [...extra, ...result.indicators];
  const claimed = asked ?? lenders.find((l) => l.slug === result.claimedLender) ?? null;
  // An altered copy of a real reminder is decisive whatever else the text says.
  const risk: Risk = extra.length > 0 ? 'high' : result.risk;
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
      official: claimed ? officialOf(claimed, locale) : null,
    },
    indicators,
    matched: null,
    lender: claimed,
    checkedText: checked,
    extraction: result.extraction,
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
 * A pasted text that carries one of our real links but does not match the message we sent with
 * it: someone changed a genuine reminder (an amount, a number, an account). Decisive. Only the
 * 144-bit link tokens count here: the short reference codes are checked only together with the
 * phone's last four digits, so a pasted text cannot be used to probe which codes exist.
 */
async function alteredCopySigns(db: Kysely<Database>, text: string, lenders: LenderProfile[]): Promise<Indicator[]> {
  const spans: Array<{ start: number; end: number }> = [];
  let evidence = '';
  // Bounded: a pasted text is short, but a crafted one must not cost a lookup per character.
  for (const match of [...text.matchAll(/(?:https?:\/\/)?[a-z0-9.-]+\/r\/[A-Za-z0-9_-]{22,64}/gi)].slice(0, 5)) {
    const token = tokenFromLink(match[0], lenders);
    if (token && (await findMessageByTokenHash(db, hashToken(token)))) {
      spans.push({ start: match.index, end: match.index + match[0].length });
      evidence ||= match[0];
    }
  }
  if (spans.length === 0) return [];
  return [
    {
      id: 'altered_copy',
      severity: 'high',
      decisive: true,
      evidence,
      explanation: {
        'zh-CN':
          '这条短信带有我们真实发出过的链接，但其余内容被改动过（例如金额、电话或账户）。请以官方渠道显示的信息为准，不要按这条短信操作。',
        en: 'This text carries a link from a message we really sent, but the rest has been changed (an amount, a number or an account, for example). Trust only what the official channels show, and do not act on this text.',
      },
      spans,
    },
  ];
}
