import { z } from 'zod';
import { isTimeZone } from './dates.ts';
import { divide, isDecimalString, min, parseDecimal, type Ratio } from './decimal.ts';
import { text } from './validation.ts';

/** The money part of a lender's policy (CONTRACT.md "Money rules"); a loan may override any field. */
export interface MoneyPolicy {
  graceDays: number;
  penaltyDailyRate: string;
  penaltyAnnualCap: string;
  timeZone: string;
}

export const DEFAULT_MONEY_POLICY: MoneyPolicy = Object.freeze({
  graceDays: 3,
  penaltyDailyRate: '0.0005',
  penaltyAnnualCap: '0.24',
  timeZone: 'Asia/Shanghai',
});

const rateString = (what: string, max: number) =>
  z
    .string()
    .refine(isDecimalString, { message: `${what} must be a decimal string such as "0.0005"` })
    .refine((value) => Number(value) <= max, { message: `${what} must be at most ${max}` })
    .meta({ description: `A decimal string, at most ${max}.` });

/** Validates a policy override as sent by a lender: every field optional, nothing unknown. */
export const moneyPolicyOverrideSchema = z.strictObject({
  graceDays: z
    .int()
    .min(0)
    .max(365)
    .meta({ examples: [3] })
    .optional(),
  penaltyDailyRate: rateString('penaltyDailyRate', 0.01)
    .meta({ examples: ['0.0005'] })
    .optional(),
  penaltyAnnualCap: rateString('penaltyAnnualCap', 3.65)
    .meta({ examples: ['0.24'] })
    .optional(),
  timeZone: text()
    .max(64)
    .refine(isTimeZone, { message: 'timeZone must be an IANA time zone such as "Asia/Shanghai"' })
    .meta({ description: 'An IANA time zone.', examples: ['Asia/Shanghai'] })
    .optional(),
});

export type MoneyPolicyOverride = z.infer<typeof moneyPolicyOverrideSchema>;

/** Lender defaults, then the loan's own overrides; absent fields fall through. */
export function resolveMoneyPolicy(
  ...layers: ReadonlyArray<{ [K in keyof MoneyPolicy]?: MoneyPolicy[K] | undefined } | null | undefined>
): MoneyPolicy {
  const resolved: MoneyPolicy = { ...DEFAULT_MONEY_POLICY };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.graceDays !== undefined) resolved.graceDays = layer.graceDays;
    if (layer.penaltyDailyRate !== undefined) resolved.penaltyDailyRate = layer.penaltyDailyRate;
    if (layer.penaltyAnnualCap !== undefined) resolved.penaltyAnnualCap = layer.penaltyAnnualCap;
    if (layer.timeZone !== undefined) resolved.timeZone = layer.timeZone;
  }
  return resolved;
}

/** Rule 2: the daily penalty rate is `min(penaltyDailyRate, penaltyAnnualCap / 365)`, exactly. */
export function effectiveDailyRate(policy: MoneyPolicy): Ratio {
  return min(parseDecimal(policy.penaltyDailyRate), divide(parseDecimal(policy.penaltyAnnualCap), 365n));
}
