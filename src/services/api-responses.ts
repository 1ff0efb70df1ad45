import { z } from 'zod';
import { moneyPolicyOverrideSchema } from '../core/policy.ts';
import {
  externalIdSchema,
  instalmentSchema,
  isoDateSchema,
  repaymentBodySchema,
  requestsQuerySchema,
} from './lender-api-schemas.ts';

/**
 * What the JSON API answers, as zod schemas. The services' return types are inferred from them and
 * the OpenAPI document (src/server/openapi.ts) is generated from them, so the code and the
 * document cannot drift apart. Objects are strict: the document then says
 * `additionalProperties: false`, and the API tests fail on any field it does not list.
 * Where a request schema already describes a part of an answer (an instalment, a repayment, a
 * policy), the answer reuses it.
 */

const instant = z.string().meta({
  format: 'date-time',
  description: 'An instant, ISO-8601 with offset.',
  examples: ['2026-03-01T02:00:00.000Z'],
});

const minorUnits = (description: string) =>
  z
    .int()
    .min(0)
    .meta({ description: `${description}, in the currency’s minor unit (fen for CNY).`, examples: [50_000] });

const e164 = z.string().meta({ description: 'A mobile number in E.164 form.', examples: ['+8613812345678'] });

// ── errors ────────────────────────────────────────────────────────────────────────────────

export const apiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({
      description:
        'Stable and machine-readable (`invalid_request`, `invalid_json`, `unauthorized`, `not_found`, `overpayment`, …). New codes may be added.',
      examples: ['invalid_request'],
    }),
    message: z.string().meta({
      description: 'For people. Starts with the offending field when there is one.',
      examples: ['phone: not a valid phone number (e.g. "138 1234 5678" or "+86 138 1234 5678")'],
    }),
    field: z
      .string()
      .meta({
        description: 'The offending input, as a path: `phone`, `instalments[0].dueDate`, `asOf`, `body`.',
        examples: ['instalments[0].dueDate'],
      })
      .optional(),
    retryAfter: z
      .int()
      .min(1)
      .meta({
        description: 'On a 429: the whole seconds to wait before trying again, as `Retry-After` gives them.',
        examples: [42],
      })
      .optional(),
  }),
});

export type ApiError = z.output<typeof apiErrorSchema>;

// ── public: verification ──────────────────────────────────────────────────────────────────

export const verifyIndicatorSchema = z.strictObject({
  id: z.string().meta({
    description:
      'Which sign was found. The list of signs grows over time: treat an id you do not know as a sign of its `severity`.',
    examples: ['lookalike_domain', 'transfer_to_safe_account', 'asks_for_code'],
  }),
  severity: z.enum(['low', 'medium', 'high']),
  evidence: z.string().meta({ description: 'The words or link in the text that show it.', examples: ['安全账户'] }),
  explanation: z.string().meta({ description: 'Plain words, in the request’s language (`Accept-Language`).' }),
  spans: z.array(z.strictObject({ start: z.int().min(0), end: z.int().min(0) })).meta({
    description:
      'Where the sign stands in what was submitted (`text`, or `link`), as written there (full-width, Traditional, spaced out): UTF-16 offsets [start, end), as JavaScript’s `String.prototype.slice` counts them. For marking the text; `evidence` is its normalised form.',
    examples: [[{ start: 12, end: 16 }]],
  }),
});

export const verifyAnswerSchema = z.strictObject({
  verdict: z.enum(['genuine', 'not_sent', 'expired']).meta({
    description:
      '`genuine` only when the submission matches a message this system really sent; `expired` for a real but expired link; anything else is `not_sent`.',
  }),
  risk: z.enum(['none', 'low', 'medium', 'high']).meta({ description: 'A genuine answer always has `none`.' }),
  indicators: z.array(verifyIndicatorSchema).meta({ description: 'Empty for a genuine answer.' }),
  message: z
    .strictObject({
      lender: z.string().meta({ description: 'The sending lender’s slug.', examples: ['demo'] }),
      sentAt: instant,
      maskedPhone: z.string().meta({ examples: ['138****5678'] }),
    })
    .meta({ description: 'Only in a genuine answer: which message it is.' })
    .optional(),
  codeCheck: z
    .enum(['mistyped', 'no_match'])
    .meta({
      description:
        'Only in an answer to a `code` that proved nothing. `mistyped`: its check character shows a typing mistake (any one wrong character, or two characters swapped), so no message was ever sent with it: ask the reader to check each character. `no_match`: a well-formed code, but no message was sent with it to a phone ending in `phoneLast4`; the answer is the same whether or not the code exists. Neither is a sign of fraud (`risk` is `none`, no indicators).',
      examples: ['mistyped'],
    })
    .optional(),
  differences: z
    .array(
      z.strictObject({
        field: z.enum(['amount', 'date', 'link', 'phone', 'account', 'signature', 'text']),
        sent: z.string(),
        received: z.string(),
      }),
    )
    .meta({
      description:
        'When a pasted text carries a real message’s link or reference code but its words differ: each change, the field as sent and as received (as written there). `sent` is empty when the received text added the field, `received` when it was taken out; `text` is changed wording no other field explains, as a short excerpt. Only in a `not_sent` answer.',
    })
    .optional(),
  official: z
    .strictObject({
      name: z.string().meta({ examples: ['青禾消费金融（演示）'] }),
      domains: z.array(z.string()).meta({ examples: [['qinghe-xf.cn', 'app.qinghe-xf.cn']] }),
      hotlines: z.array(z.string()).meta({ examples: [['400-186-5533']] }),
    })
    .nullable()
    .meta({
      description:
        'The lender’s official contacts, so the reader can call back safely; null when no lender is named or recognised.',
    }),
});

export type VerifyAnswer = z.output<typeof verifyAnswerSchema>;

// ── public: lender profile ────────────────────────────────────────────────────────────────

/** The money policy as it applies: the override schema with every field present. */
export const moneyPolicySchema = moneyPolicyOverrideSchema.required();

export const repaymentChannelSchema = z.strictObject({
  kind: z.enum(['app', 'website', 'bank_transfer', 'counter', 'mini_program']),
  label: z.string(),
  labelEn: z.string(),
  detail: z.string().meta({ description: 'A URL, an app name or a corporate account: never a personal one.' }),
  detailEn: z.string().optional(),
});

export const publicLenderProfileSchema = z.strictObject({
  slug: z.string().meta({ examples: ['demo'] }),
  name: z.string().meta({ examples: ['青禾消费金融（演示）'] }),
  nameEn: z.string().meta({ examples: ['Qinghe Consumer Finance (demo)'] }),
  smsSignature: z.string().meta({ description: 'Without the 【】 brackets.', examples: ['青禾消费金融'] }),
  domains: z.array(z.string()),
  shortLinkDomain: z.string().meta({ description: 'Links in genuine reminders start https://<shortLinkDomain>/r/.' }),
  hotlines: z.array(z.string()),
  hotlineHours: z.array(z.string()).meta({ description: 'The hours of each hotline, in the same order.' }),
  repaymentChannels: z.array(repaymentChannelSchema),
  policy: moneyPolicySchema,
});

export type PublicLenderProfile = z.output<typeof publicLenderProfileSchema>;

export const widgetSettingsSchema = z.strictObject({
  slug: z.string().meta({ examples: ['demo'] }),
  name: z.string(),
  nameEn: z.string(),
  hotlines: z.array(z.string()).meta({ description: 'Shown in every refusal and error message of the widget.' }),
  domains: z.array(z.string()),
  timeZone: z.string().meta({ description: 'The lender’s IANA time zone, for showing when a message was sent.' }),
  originAllowed: z.boolean().meta({
    description:
      'Whether the page asking (its `Origin` header) is one of the lender’s registered widget origins, compared exactly. True when no Origin was sent (this site’s own pages).',
  }),
});

export type WidgetSettings = z.output<typeof widgetSettingsSchema>;

// ── lender API ────────────────────────────────────────────────────────────────────────────

export const borrowerSchema = z.strictObject({
  externalId: externalIdSchema,
  name: z.string(),
  phone: e164.nullable().meta({ description: 'The number reminders go to.' }),
  phoneVerified: z.boolean(),
  phoneSource: z
    .string()
    .nullable()
    .meta({
      description: 'Who gave the current number: `lender` (this API) or `borrower` (changed and verified by code).',
      examples: ['lender'],
    }),
  phoneSince: instant.nullable().meta({ description: 'When the current number became current.' }),
  locale: z.string().meta({ description: 'The reminder language: `zh-CN` or `en`.', examples: ['zh-CN'] }),
  createdAt: instant,
  updatedAt: instant,
});

export type Borrower = z.output<typeof borrowerSchema>;

export const phoneNotAppliedSchema = z.strictObject({
  phone: e164,
  reason: z.literal('changed_by_borrower'),
  changedAt: instant,
});

export type PhoneNotApplied = z.output<typeof phoneNotAppliedSchema>;

export const borrowerPutAnswerSchema = borrowerSchema.extend({
  phoneNotApplied: phoneNotAppliedSchema
    .meta({
      description:
        'Present when the number sent is one the borrower replaced themselves: it is not put back, and `phone` stays the number the borrower chose.',
    })
    .optional(),
});

export type BorrowerPutAnswer = z.output<typeof borrowerPutAnswerSchema>;

export const loanSchema = z.strictObject({
  externalId: externalIdSchema,
  borrower: externalIdSchema,
  currency: z.string().meta({ examples: ['CNY'] }),
  instalments: z.array(instalmentSchema),
  policy: moneyPolicySchema.meta({ description: 'The lender’s money policy with this loan’s overrides on top.' }),
  createdAt: instant,
  updatedAt: instant,
});

export type Loan = z.output<typeof loanSchema>;

export const instalmentBalanceSchema = z.strictObject({
  dueDate: isoDateSchema,
  principal: minorUnits('Unpaid principal'),
  interest: minorUnits('Unpaid interest'),
  penalty: minorUnits('Unpaid penalty interest'),
  status: z.enum(['upcoming', 'due', 'grace', 'overdue', 'paid']),
  daysOverdue: z.int().min(0),
});

export const balanceSchema = z.strictObject({
  loan: externalIdSchema,
  asOf: isoDateSchema,
  currency: z.string().meta({ examples: ['CNY'] }),
  principal: minorUnits('Unpaid principal on the whole loan'),
  interest: minorUnits('Unpaid interest on the whole loan'),
  penalty: minorUnits('Unpaid penalty interest on the whole loan'),
  total: minorUnits('Everything unpaid'),
  daysOverdue: z.int().min(0).meta({ description: 'Age in days of the oldest overdue instalment (0 if none).' }),
  instalments: z.array(instalmentBalanceSchema),
});

export type Balance = z.output<typeof balanceSchema>;

export const repaymentReceiptSchema = repaymentBodySchema.extend({
  loan: externalIdSchema,
  allocations: z
    .array(
      z.strictObject({
        dueDate: isoDateSchema.nullable(),
        penalty: minorUnits('Paid towards penalty interest'),
        interest: minorUnits('Paid towards interest'),
        principal: minorUnits('Paid towards principal'),
      }),
    )
    .meta({ description: 'Where the money went: oldest instalment first, within it penalty, interest, principal.' }),
  balance: balanceSchema.meta({ description: 'The balance as of `paidOn`, this repayment included.' }),
});

export type RepaymentReceipt = z.output<typeof repaymentReceiptSchema>;

export const reliefRequestSchema = z.strictObject({
  id: z.string(),
  loan: externalIdSchema,
  borrower: externalIdSchema,
  kind: z.enum(['extension', 'plan']),
  status: requestsQuerySchema.shape.status.unwrap(),
  terms: z
    .union([z.strictObject({ days: z.int().min(1) }), z.strictObject({ months: z.int().min(1) })])
    .meta({ description: 'Days of extension, or months of an instalment plan.' }),
  schedule: z.array(instalmentSchema).nullable().meta({
    description:
      'The new instalments the borrower agreed to (once approved, the ones set); null for a request not made on this site.',
  }),
  reason: z
    .string()
    .nullable()
    .meta({ description: 'The hardship category.', examples: ['income_delayed'] }),
  createdAt: instant,
  decidedAt: instant.nullable(),
  decisionNote: z.string().nullable(),
});

export type ReliefRequest = z.output<typeof reliefRequestSchema>;

export const reliefRequestListSchema = z.strictObject({ requests: z.array(reliefRequestSchema) });

export type ReliefRequestList = z.output<typeof reliefRequestListSchema>;

// ── SMS receipts ──────────────────────────────────────────────────────────────────────────

/** The acknowledgement Aliyun expects; anything else makes it push the report again. */
export const aliyunReportAnswerSchema = z.strictObject({ code: z.literal(0), msg: z.string() });

// ── the document itself ───────────────────────────────────────────────────────────────────

/** Only the frame: the document's own structure is OpenAPI 3.1's. */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string().regex(/^3\.1\.\d+$/),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
