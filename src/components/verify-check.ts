import type { AstroGlobal } from 'astro';
import { DomainError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { type MessageKey, type Translate, translator } from '../i18n/messages.ts';
import { clientIp } from '../server/api.ts';
import { database } from '../server/context.ts';
import { overBudget } from '../server/rate-limit.ts';
import {
  MAX_TEXT_LENGTH,
  readVerifyForm,
  type Verification,
  type VerifyFormField,
  type VerifyFormProblem,
  verify,
} from '../services/verification.ts';
import { lendersNamed } from './rate-limited.ts';
import { type Outcome, outcomeOf, type Tone, toneOf } from './verify-outcome.ts';

/**
 * The "is this message genuine?" form as a page runs it: /verify for everyone, /embed/verify in
 * a lender's iframe (always about that lender). GOV.UK-style: values kept, every problem named
 * beside its field, the status code saying what happened (400 bad input, 429 throttled).
 */

export const VERIFY_FIELDS: readonly VerifyFormField[] = ['link', 'code', 'phoneLast4', 'text'];

const PROBLEM_MESSAGES: Record<VerifyFormProblem, MessageKey> = {
  missing_link: 'verify.error.link',
  bad_code: 'verify.error.code',
  mistyped_code: 'verify.error.mistyped',
  bad_last4: 'verify.error.last4',
  missing_text: 'verify.error.text',
  too_long: 'verify.error.tooLong',
};

export interface VerifyCheckState {
  values: Record<VerifyFormField, string>;
  errors: Partial<Record<VerifyFormField, string>>;
  result: Verification | null;
  limited: boolean;
  /** When throttled: seconds until a check is allowed again, as the 429's Retry-After says. */
  retryAfter: number | null;
  /** When throttled: the lenders whose hotlines to offer (the embed's, or named in the submission). */
  named: LenderProfile[];
  /** Which answer the result is, and its tone (only a real sign of fraud is red); null without one. */
  outcome: Outcome | null;
  tone: Tone | null;
  /** Lenders to list when the checked text names none (only then), or a throttled check names none. */
  lenders: LenderProfile[];
  /** The page's heading and title: the verdict once there is one. */
  title: string;
}

export async function runVerifyCheck(
  Astro: AstroGlobal,
  options: { lender?: LenderProfile } = {},
): Promise<VerifyCheckState> {
  const locale = Astro.locals.locale;
  const t = translator(locale);
  Astro.locals.noStore = true;
  const values: Record<VerifyFormField, string> = { link: '', code: '', phoneLast4: '', text: '' };
  const errors: Partial<Record<VerifyFormField, string>> = {};
  let result: Verification | null = null;
  let limited = false;
  let retryAfter: number | null = null;
  let named: LenderProfile[] = [];
  let via: 'text' | 'link' | 'code' = 'text';

  if (Astro.request.method === 'GET') {
    // Links from a borrower's message history arrive with the code and phone tail filled in.
    for (const field of ['link', 'code', 'phoneLast4'] as const) {
      values[field] = (Astro.url.searchParams.get(field) ?? '').slice(0, 500);
    }
  }

  if (Astro.request.method === 'POST') {
    const data = await Astro.request.formData().catch(() => new FormData());
    for (const field of VERIFY_FIELDS) {
      const value = data.get(field);
      values[field] = (typeof value === 'string' ? value : '').slice(0, MAX_TEXT_LENGTH + 1);
    }
    const form = readVerifyForm(data.get('method'), values);
    for (const [field, problem] of Object.entries(form.problems) as Array<[VerifyFormField, VerifyFormProblem]>) {
      errors[field] = t(PROBLEM_MESSAGES[problem]);
    }
    if (form.body) {
      via = 'code' in form.body ? 'code' : 'link' in form.body ? 'link' : 'text';
      const limit = await overBudget('verify', clientIp(Astro), false);
      if (limit) {
        limited = true;
        Astro.response.status = limit.status;
        for (const [name, value] of limit.headers) Astro.response.headers.set(name, value);
        const seconds = Number(limit.headers.get('retry-after'));
        retryAfter = Number.isFinite(seconds) && seconds > 0 ? seconds : null;
        named = options.lender ? [options.lender] : lendersNamed(await listLendersCached(await database()), form.body);
      } else {
        try {
          const body = options.lender ? { ...form.body, lender: options.lender.slug } : form.body;
          result = await verify(await database(), body, locale);
        } catch (failure) {
          // Whatever the form's own checks let through, the use case's validation names the field.
          if (!(failure instanceof DomainError)) throw failure;
          const field = VERIFY_FIELDS.find((f) => f === failure.field) ?? 'text';
          errors[field] = t('verify.error.unreadable');
          Astro.response.status = 400;
        }
      }
    } else {
      Astro.response.status = 400;
    }
  }

  const answer = result?.answer;
  const outcome = answer ? outcomeOf(answer, via) : null;
  const name = result?.lender ? (locale === 'en' ? result.lender.nameEn : result.lender.name) : '';
  return {
    values,
    errors,
    result,
    limited,
    retryAfter,
    named,
    outcome,
    tone: outcome ? toneOf(outcome) : null,
    lenders:
      (result && !result.lender) || (limited && named.length === 0) ? await listLendersCached(await database()) : [],
    title: limited ? t('short.limited.title') : outcome ? titleOf(outcome, t, name) : t('verify.title'),
  };
}

/** The page's heading: the risk as a headline when there are signs, else what went wrong. */
function titleOf(outcome: Outcome, t: Translate, name: string): string {
  switch (outcome.kind) {
    case 'genuine':
      return t('verify.result.genuine', { name });
    case 'expired':
      return t('verify.result.expired');
    case 'signs':
      return t(`answer.risk.${outcome.risk}`);
    case 'no_sign':
      return t(outcome.via === 'link' ? 'answer.noneLink.title' : 'answer.none.title');
    case 'code':
      return t(outcome.check === 'mistyped' ? 'answer.codeMistyped.title' : 'answer.codeMismatch.title');
  }
}
