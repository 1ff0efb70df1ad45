import type { AstroGlobal } from 'astro';
import { DomainError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { type MessageKey, translator } from '../i18n/messages.ts';
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

/**
 * The "is this message genuine?" form as a page runs it: /verify for everyone, /embed/verify in
 * a lender's iframe (always about that lender). GOV.UK-style: values kept, every problem named
 * beside its field, the status code saying what happened (400 bad input, 429 throttled).
 */

export const VERIFY_FIELDS: readonly VerifyFormField[] = ['link', 'code', 'phoneLast4', 'text'];

const PROBLEM_MESSAGES: Record<VerifyFormProblem, MessageKey> = {
  missing_link: 'verify.error.link',
  bad_code: 'verify.error.code',
  bad_last4: 'verify.error.last4',
  missing_text: 'verify.error.text',
  too_long: 'verify.error.tooLong',
};

export interface VerifyCheckState {
  values: Record<VerifyFormField, string>;
  errors: Partial<Record<VerifyFormField, string>>;
  result: Verification | null;
  limited: boolean;
  /** Lenders to list when the checked text names none (only then). */
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
      const limit = await overBudget('verify', clientIp(Astro), false);
      if (limit) {
        limited = true;
        Astro.response.status = limit.status;
        for (const [name, value] of limit.headers) Astro.response.headers.set(name, value);
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
  const name = result?.lender ? (locale === 'en' ? result.lender.nameEn : result.lender.name) : '';
  const title = limited
    ? t('short.limited.title')
    : !answer
      ? t('verify.title')
      : answer.verdict === 'genuine'
        ? t('verify.result.genuine', { name })
        : answer.verdict === 'expired'
          ? t('verify.result.expired')
          : t('verify.result.notSent');
  return {
    values,
    errors,
    result,
    limited,
    lenders: result && !result.lender ? await listLendersCached(await database()) : [],
    title,
  };
}
