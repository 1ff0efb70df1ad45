import { z } from 'zod';
import { isCurrency } from '../core/currency.ts';
import { isIsoDate } from '../core/dates.ts';
import { moneyPolicyOverrideSchema } from '../core/policy.ts';
import { text } from '../core/validation.ts';
import { type Locale, matchLocale } from '../i18n/locale.ts';

/** The request bodies of CONTRACT.md's lender API. Strict: an unknown field is an error, not ignored. */

/**
 * Bounds on the money a loan may hold, in minor units, so that every figure worked out from it is
 * an exact JavaScript number (at most Number.MAX_SAFE_INTEGER, about 9.0 × 10^15). The largest
 * penalty the policies allow is 1% a day (penaltyDailyRate ≤ 0.01, penaltyAnnualCap ≤ 3.65) and
 * dates run from 1900 to 2999, so penalty can reach 0.01 × 401,768 days ≈ 4,018 times the principal:
 * a loan owing at most 10^11 fen can show at most about 4.0 × 10^14, twenty times inside the limit.
 * 10^11 fen is ¥1,000,000,000: far above any consumer loan.
 */
/** Largest single amount (a principal, an interest, a repayment): ¥1,000,000,000.00. */
export const MAX_AMOUNT = 100_000_000_000;
/** Largest sum of a loan's instalments, principal and interest together: ¥1,000,000,000.00. */
export const MAX_LOAN_TOTAL = 100_000_000_000;
/** Largest sum of a loan's repayments: ten times the loan, room for the penalty a loan can owe. */
export const MAX_LOAN_REPAID = 1_000_000_000_000;

export const externalIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/,
    'must be 1–64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  )
  .meta({ description: 'An id from the lender’s own system.', examples: ['B100', 'L100'] });

export const isoDateSchema = z
  .string()
  .refine(isIsoDate, { message: 'must be a real date written YYYY-MM-DD' })
  .meta({ format: 'date', description: 'A calendar date in the lender’s time zone.', examples: ['2026-03-01'] });

const amount = (what: string) =>
  z
    .int({ error: `${what} must be a whole number of minor units (fen), e.g. 150000 for ¥1,500.00` })
    .min(0, { error: `${what} must not be negative` })
    .max(MAX_AMOUNT, { error: `${what} must be at most ${MAX_AMOUNT} (¥1,000,000,000.00 in fen)` })
    .meta({
      description: `In the currency’s minor unit (fen for CNY), at most ${MAX_AMOUNT}.`,
      examples: [150_000],
    });

/** Accepts "zh", "zh-CN", "zh-Hans", "en", "en-GB"…; stores one of the supported locales. */
export const localeSchema = text()
  .max(35)
  .transform((value, ctx): Locale => {
    const locale = matchLocale(value);
    if (locale) return locale;
    ctx.addIssue({ code: 'custom', message: 'must be "zh-CN" or "en"' });
    return z.NEVER;
  })
  .meta({ description: 'The reminder language: "zh-CN" or "en" ("zh", "zh-Hans", "en-GB"… are understood).' });

export const borrowerBodySchema = z.strictObject({
  name: text().trim().min(1, { error: 'must not be empty' }).max(100),
  phone: text({ error: 'must be a phone number written as text, e.g. "+86 138 1234 5678"' })
    .min(1)
    .max(40)
    .meta({
      description: 'A mobile number in any common written form; stored E.164.',
      examples: ['0086 138 1234 5678'],
    }),
  locale: localeSchema.optional(),
  /** Whether the lender has itself verified the number (default true: lenders verify at onboarding). */
  phoneVerified: z.boolean().optional(),
});

/** The most instalments one loan may have. */
export const MAX_INSTALMENTS = 120;

export const instalmentSchema = z
  .strictObject({ dueDate: isoDateSchema, principal: amount('principal'), interest: amount('interest') })
  .refine((i) => i.principal + i.interest > 0, { message: 'an instalment must owe something', path: ['principal'] });

export const loanBodySchema = z.strictObject({
  borrower: externalIdSchema,
  currency: z
    .string()
    .refine(isCurrency, { message: 'must be an ISO 4217 code such as "CNY"' })
    .meta({ description: 'An ISO 4217 code.', examples: ['CNY'] }),
  instalments: z
    .array(instalmentSchema)
    .min(1, { error: 'at least one instalment is needed' })
    .max(MAX_INSTALMENTS)
    .refine((list) => list.reduce((sum, i) => sum + i.principal + i.interest, 0) <= MAX_LOAN_TOTAL, {
      error: `the instalments must owe at most ${MAX_LOAN_TOTAL} in all, principal and interest (¥1,000,000,000.00 in fen)`,
    })
    .meta({
      description: `At most ${MAX_INSTALMENTS}, owing at most ${MAX_LOAN_TOTAL} in all (principal and interest).`,
    }),
  policy: moneyPolicyOverrideSchema.optional(),
});

export type BorrowerBody = z.output<typeof borrowerBodySchema>;
export type LoanBody = z.output<typeof loanBodySchema>;

export const repaymentBodySchema = z.strictObject({
  amount: amount('amount').min(1, { error: 'amount must be positive' }),
  paidOn: isoDateSchema,
  idempotencyKey: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .meta({ description: 'Your reference for this payment: the same key again returns the first answer.' }),
});

export const balanceQuerySchema = z.strictObject({ asOf: isoDateSchema.optional() });

export const requestsQuerySchema = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected', 'withdrawn']).optional(),
});
