import { z } from 'zod';
import { toDayNumber } from '../core/dates.ts';
import { isoDateSchema } from './lender-api-schemas.ts';

/**
 * The effect report's query and answer (GET /api/v1/reports/effect, the console's report and its
 * CSV), as zod schemas: the service's types and the OpenAPI document come from them.
 */

/** The longest range one report covers, in days (a year, leap day included). */
export const MAX_REPORT_DAYS = 366;

export const effectReportQuerySchema = z
  .strictObject({
    from: isoDateSchema.meta({ description: 'The first day, in the lender’s time zone.', examples: ['2026-03-01'] }),
    to: isoDateSchema.meta({
      description: `The last day, included; at most ${MAX_REPORT_DAYS} days after \`from\`.`,
      examples: ['2026-03-28'],
    }),
  })
  .superRefine((value, ctx) => {
    const days = toDayNumber(value.to) - toDayNumber(value.from) + 1;
    if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after "from"' });
    else if (days > MAX_REPORT_DAYS)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the range may cover at most ${MAX_REPORT_DAYS} days (this one covers ${days})`,
      });
  });

export type EffectReportQuery = z.output<typeof effectReportQuerySchema>;

const count = (description: string) => z.int().min(0).meta({ description });
const rate = (description: string) =>
  z
    .string()
    .regex(/^(0\.\d{4}|1\.0000)$/)
    .nullable()
    .meta({
      description: `${description} A decimal string with four places; null when there is nothing to divide by.`,
      examples: ['0.9500'],
    });

const stage = z.enum(['gentle', 'firm', 'final']).meta({ description: 'The reminder stage.' });
const date = z
  .string()
  .meta({ format: 'date', description: 'A calendar date in the lender’s time zone.', examples: ['2026-03-01'] });

const measures = {
  sent: count(
    'Reminders that left for the SMS provider with an outcome (sent, delivered, undelivered or failed); queued, unknown and cancelled ones are not counted.',
  ),
  delivered: count('Of those, delivered (a delivery receipt).'),
  failed: count('Of those, not delivered: refused by the provider or reported undelivered.'),
  deliveryRate: rate('delivered ÷ sent.'),
  opened: count('Of those, how many had their short link opened (the first visit of each counts once).'),
  verified: count(
    'Of those, how many were checked and found genuine (by link, reference code or pasted text; the first check of each counts once). Following the link alone is `opened`, not `verified`.',
  ),
  replies: count('Replies from borrowers answering them (each reply once).'),
  optOuts: count('Opt-outs answering them (each once).'),
  repaid1d: count(
    'Delivered reminders whose loan was repaid (any amount) at most 1 day after the delivery date. Each repayment counts for one reminder only: the latest one delivered before it.',
  ),
  repaid3d: count('The same within 3 days.'),
  repaid7d: count('The same within 7 days.'),
  repaidAmount7d: z
    .int()
    .min(0)
    .meta({ description: 'What those repayments within 7 days came to, in the minor unit (fen for CNY).' }),
};

export const effectReportRowSchema = z.strictObject({
  date,
  stage,
  template: z.string().meta({
    description: 'The wording: `<locale>/v<version>` for a saved version, `<locale>/default` for the built-in one.',
    examples: ['zh-CN/v2', 'en/default'],
  }),
  variant: z.enum(['A', 'B']).nullable().meta({
    description: 'The experiment’s variant (`A` the stage’s version, `B` the other); null outside an experiment.',
  }),
  ...measures,
});

export const effectReportTotalsSchema = z.strictObject(measures).meta({ description: 'The sums of the rows.' });

export const effectComparisonSchema = z
  .strictObject({
    date,
    stage,
    reminded: count('Reminders delivered that day at that stage (the rows’ `delivered`).'),
    remindedRepaid1d: count('Of those, repaid within 1 day (the rows’ `repaid1d`).'),
    remindedRepaid3d: count('… within 3 days.'),
    remindedRepaid7d: count('… within 7 days.'),
    heldBack: count(
      'Loans at that stage the engine held back that day only by a daily or weekly cap or the hour (and did not remind later that day): the comparison group.',
    ),
    heldBackRepaid1d: count(
      'Of those, repaid (any amount) within 1 day of the hold-back with no reminder delivered in between (a repayment after a later reminder is that reminder’s).',
    ),
    heldBackRepaid3d: count('… within 3 days.'),
    heldBackRepaid7d: count('… within 7 days.'),
    lift7d: z
      .string()
      .regex(/^-?\d\.\d{4}$/)
      .nullable()
      .meta({
        description:
          'remindedRepaid7d ÷ reminded − heldBackRepaid7d ÷ heldBack, a decimal string with four places; null when either group is empty.',
        examples: ['0.1250'],
      }),
  })
  .meta({ description: 'Reminded against held-back loans, per day and stage.' });

export const effectReportSchema = z.strictObject({
  from: date,
  to: date,
  timeZone: z
    .string()
    .meta({ description: 'The lender’s time zone, in which dates are counted.', examples: ['Asia/Shanghai'] }),
  rows: z
    .array(effectReportRowSchema)
    .meta({ description: 'One row per day, stage, wording and variant that sent anything.' }),
  totals: effectReportTotalsSchema,
  comparison: z.array(effectComparisonSchema),
  scamReports: z
    .array(
      z.strictObject({ date, reports: count('Scam reports staff recorded that day of texts imitating the lender.') }),
    )
    .meta({ description: 'Days with scam reports imitating the lender.' }),
});

export type EffectReport = z.output<typeof effectReportSchema>;
export type EffectReportRow = z.output<typeof effectReportRowSchema>;
export type EffectReportTotals = z.output<typeof effectReportTotalsSchema>;
export type EffectComparison = z.output<typeof effectComparisonSchema>;
