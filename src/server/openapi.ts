import { z } from 'zod';
import { slugSchema } from '../core/lender.ts';
import { moneyPolicyOverrideSchema } from '../core/policy.ts';
import {
  aliyunReportAnswerSchema,
  apiErrorSchema,
  balanceSchema,
  borrowerPutAnswerSchema,
  borrowerSchema,
  loanSchema,
  moneyPolicySchema,
  openApiDocumentSchema,
  publicLenderProfileSchema,
  reliefRequestListSchema,
  reliefRequestSchema,
  repaymentReceiptSchema,
  verifyAnswerSchema,
  widgetSettingsSchema,
} from '../services/api-responses.ts';
import { effectReportQuerySchema, effectReportSchema } from '../services/effect-report-schemas.ts';
import {
  balanceQuerySchema,
  borrowerBodySchema,
  externalIdSchema,
  loanBodySchema,
  MAX_AMOUNT,
  MAX_LOAN_REPAID,
  MAX_LOAN_TOTAL,
  repaymentBodySchema,
  requestsQuerySchema,
} from '../services/lender-api-schemas.ts';
import { MAX_TEXT_LENGTH, verifyRequestSchema } from '../services/verification.ts';
import {
  aliyunUpstreamSchema,
  MAX_INBOUND_BODY,
  MAX_TWILIO_FORM_BYTES,
  TWIML_EMPTY,
  twilioIncomingSchema,
} from '../sms/inbound.ts';
import { DEFAULT_LENDER_REQUESTS_PER_MINUTE, LENDER_BAD_KEYS_PER_ADDRESS } from './rate-limiters.ts';

/**
 * The OpenAPI 3.1 document of the JSON API (CONTRACT.md "OpenAPI"), generated from the zod
 * schemas that validate the requests and type the answers. A plain module, free of astro:*
 * imports, so any router can serve it; the values that depend on the deployment come in as
 * settings.
 *
 * How zod's conversion (z.toJSONSchema, draft 2020-12) treats our schemas:
 * - requests are converted with io "input": a transform (the locale) is documented by what it
 *   accepts; defaults and coercions too;
 * - answers with io "output"; they hold no transforms (which that mode cannot represent);
 * - refinements (a real calendar date, an ISO 4217 code, "exactly one of text, link, code") have
 *   no JSON Schema form and are dropped, so a request can match the document and still be
 *   refused: always with a 400 naming the field. The rules are given in descriptions instead,
 *   and formats (`date`, `date-time`) are added by the schemas' `.meta()`.
 */

export interface OpenApiSettings {
  /** POST /api/v1/verify's budget per client address per minute. */
  checksPerMinute: number;
  /** The largest JSON body accepted, in bytes. */
  maxJsonBytes: number;
  /** Lender API requests allowed per key per minute (default DEFAULT_LENDER_REQUESTS_PER_MINUTE). */
  lenderRequestsPerMinute?: number | undefined;
  /** The site's public origin, when configured; otherwise clients use the document's own. */
  origin?: string | undefined;
}

type JsonObject = { [key: string]: unknown };
type Io = 'input' | 'output';

const SCHEMAS = '#/components/schemas/';
const ref = (kind: 'schemas' | 'responses' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` });

// ── the providers' receipt formats ────────────────────────────────────────────────────────
// Not ours to validate: the parsers (src/sms/) read what they need and ignore the rest. These
// schemas only document what the providers send.

const aliyunReportSchema = z.array(
  z.looseObject({
    biz_id: z.string().meta({ description: 'Aliyun’s id of the message (BizId).' }),
    out_id: z.string().optional().meta({ description: 'Our id of the message, sent as OutId.' }),
    success: z.union([z.boolean(), z.enum(['true', 'false'])]),
    err_code: z.string().optional(),
    err_msg: z.string().optional(),
    phone_number: z.string().optional(),
    send_time: z.string().optional().meta({ description: 'yyyy-MM-dd HH:mm:ss, Beijing time.' }),
    report_time: z.string().optional().meta({ description: 'yyyy-MM-dd HH:mm:ss, Beijing time.' }),
    sms_size: z.string().optional(),
  }),
);

const twilioStatusCallbackSchema = z.looseObject({
  MessageSid: z.string(),
  MessageStatus: z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed', 'canceled']),
  ErrorCode: z.string().optional(),
  AccountSid: z.string().optional(),
});

// ── conversion ───────────────────────────────────────────────────────────────────────────

function withoutDialect(json: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = json;
  return rest;
}

function jsonSchema(schema: z.ZodType, io: Io): JsonObject {
  // (a round trip through JSON drops the non-enumerable `~standard` zod attaches)
  return withoutDialect(JSON.parse(JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io }))));
}

/** Named schemas of one direction, converted together so that they refer to each other by $ref. */
function components(named: Record<string, z.ZodType>, io: Io): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const converted = JSON.parse(
    JSON.stringify(z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `${SCHEMAS}${id}` })),
  ) as { schemas: Record<string, JsonObject> };
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(converted.schemas)) {
    // reused: "inline" (the default) should leave nothing shared; anything here would be unreachable
    if (id === '__shared') throw new Error('zod extracted shared schemas the document would not hold');
    out[id] = withoutDialect(schema);
  }
  return out;
}

const requestSchemas = {
  VerifyRequest: verifyRequestSchema,
  BorrowerInput: borrowerBodySchema,
  LoanInput: loanBodySchema,
  MoneyPolicyOverride: moneyPolicyOverrideSchema,
  RepaymentInput: repaymentBodySchema,
  AliyunReport: aliyunReportSchema,
  TwilioStatusCallback: twilioStatusCallbackSchema,
  // Borrowers' replies: the schemas the webhooks validate with (the sender must be a phone number).
  TwilioIncomingMessage: twilioIncomingSchema,
  AliyunUpstream: aliyunUpstreamSchema,
};

const responseSchemas = {
  ApiError: apiErrorSchema,
  VerifyAnswer: verifyAnswerSchema,
  LenderProfile: publicLenderProfileSchema,
  WidgetSettings: widgetSettingsSchema,
  MoneyPolicy: moneyPolicySchema,
  Borrower: borrowerSchema,
  BorrowerPutAnswer: borrowerPutAnswerSchema,
  Loan: loanSchema,
  Balance: balanceSchema,
  RepaymentReceipt: repaymentReceiptSchema,
  ReliefRequest: reliefRequestSchema,
  ReliefRequestList: reliefRequestListSchema,
  EffectReport: effectReportSchema,
  AliyunReportAnswer: aliyunReportAnswerSchema,
  OpenApiDocument: openApiDocumentSchema,
};

function allComponentSchemas(): Record<string, JsonObject> {
  const requests = components(requestSchemas, 'input');
  const responses = components(responseSchemas, 'output');
  const clash = Object.keys(requests).filter((name) => Object.hasOwn(responses, name));
  if (clash.length > 0) throw new Error(`schema names used for a request and an answer: ${clash.join(', ')}`);
  return { ...requests, ...responses };
}

/** One parameter per property of a query schema, required as the schema says. */
function queryParameters(schema: z.ZodObject): JsonObject[] {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: json.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function pathParameter(name: string, schema: z.ZodType, description: string): JsonObject {
  return { name, in: 'path', required: true, description, schema: jsonSchema(schema, 'input') };
}

// ── examples (the demo lender; amounts in fen) ─────────────────────────────────────────────

const exampleOfficial = {
  name: '青禾消费金融（演示）',
  domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
  hotlines: ['400-186-5533'],
};

const examplePolicy = { graceDays: 3, penaltyDailyRate: '0.0005', penaltyAnnualCap: '0.24', timeZone: 'Asia/Shanghai' };

const exampleBorrower = {
  externalId: 'B100',
  name: '林晓',
  phone: '+8613812345678',
  phoneVerified: true,
  phoneSource: 'lender',
  phoneSince: '2026-02-01T02:00:00.000Z',
  locale: 'zh-CN',
  createdAt: '2026-02-01T02:00:00.000Z',
  updatedAt: '2026-02-01T02:00:00.000Z',
};

const exampleBalance = {
  loan: 'L100',
  asOf: '2026-03-11',
  currency: 'CNY',
  principal: 50_000,
  interest: 0,
  penalty: 250,
  total: 50_250,
  daysOverdue: 10,
  instalments: [
    { dueDate: '2026-03-01', principal: 50_000, interest: 0, penalty: 250, status: 'overdue', daysOverdue: 10 },
  ],
};

function errorExample(code: string, message: string, field?: string, retryAfter?: number) {
  return {
    value: { error: { code, message, ...(field ? { field } : {}), ...(retryAfter ? { retryAfter } : {}) } },
  };
}

// ── reusable parts ────────────────────────────────────────────────────────────────────────

function jsonContent(schema: JsonObject, examples?: Record<string, JsonObject>): JsonObject {
  return { 'application/json': { schema, ...(examples ? { examples } : {}) } };
}

function errorResponse(description: string, examples: Record<string, JsonObject>, headers?: JsonObject): JsonObject {
  return { description, ...(headers ? { headers } : {}), content: jsonContent(ref('schemas', 'ApiError'), examples) };
}

/** The error answers shared by several operations (components.responses), and their statuses. */
const STATUS_OF = {
  BadRequest: '400',
  Unauthorized: '401',
  CrossSiteRefused: '403',
  NotFound: '404',
  MethodNotAllowed: '405',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  RateLimited: '429',
  LenderRateLimited: '429',
  InternalError: '500',
} as const;

type SharedResponse = keyof typeof STATUS_OF;

function sharedResponses(settings: OpenApiSettings): Record<SharedResponse, JsonObject> {
  const kb = settings.maxJsonBytes / 1024;
  const lenderRequests = settings.lenderRequestsPerMinute ?? DEFAULT_LENDER_REQUESTS_PER_MINUTE;
  return {
    BadRequest: errorResponse(
      'The input is malformed. `field` names the offending input (`body` for the body as a whole); `code` is `invalid_request`, or `invalid_json` when the body is not JSON.',
      {
        field: errorExample(
          'invalid_request',
          'phone: not a valid phone number (e.g. "138 1234 5678" or "+86 138 1234 5678")',
          'phone',
        ),
        json: errorExample('invalid_json', 'body: not valid JSON', 'body'),
      },
    ),
    Unauthorized: errorResponse(
      'No API key, or one that is not valid (or was revoked).',
      { missing: errorExample('unauthorized', 'Authorization: send "Authorization: Bearer <api key>"') },
      { 'WWW-Authenticate': ref('headers', 'WWW-Authenticate') },
    ),
    CrossSiteRefused: errorResponse(
      'A browser request from another site that would change data (seen from Origin or Sec-Fetch-Site). Server-to-server calls send neither header and are not affected; on POST /api/v1/verify the registered widget origins are allowed.',
      { crossSite: errorExample('cross_site_request', 'Cross-site requests that change data are refused.') },
    ),
    NotFound: errorResponse('Nothing by that name for this caller: another lender’s loan is simply not there.', {
      notFound: errorExample('not_found', 'no loan "L404" exists for this lender'),
    }),
    MethodNotAllowed: errorResponse(
      'The path exists but does not take this method; `Allow` lists the ones it takes.',
      { method: errorExample('method_not_allowed', 'use GET, PUT on this path') },
      { Allow: ref('headers', 'Allow') },
    ),
    PayloadTooLarge: errorResponse(`The body is larger than ${kb} KB.`, {
      tooLarge: errorExample('payload_too_large', `body: larger than ${kb} KB`, 'body'),
    }),
    UnsupportedMediaType: errorResponse('The body is not sent as `Content-Type: application/json`.', {
      type: errorExample('unsupported_media_type', 'body: send JSON with "Content-Type: application/json"', 'body'),
    }),
    RateLimited: errorResponse(
      `More than ${settings.checksPerMinute} checks a minute from this client address; wait the seconds \`Retry-After\` gives.`,
      { limited: errorExample('rate_limited', 'Too many checks from this address; try again in 42 s.', undefined, 42) },
      { 'Retry-After': ref('headers', 'Retry-After') },
    ),
    LenderRateLimited: errorResponse(
      `More than ${lenderRequests} requests a minute with this API key, or more than ${LENDER_BAD_KEYS_PER_ADDRESS} requests with keys that are not valid from this client address in 15 minutes (then every request from it, whatever its key, until the window passes). Wait the seconds \`Retry-After\` gives (also in \`error.retryAfter\`).`,
      {
        limited: errorExample(
          'rate_limited',
          `Too many requests with this API key (at most ${lenderRequests} a minute); try again in 12 s.`,
          undefined,
          12,
        ),
      },
      { 'Retry-After': ref('headers', 'Retry-After') },
    ),
    InternalError: errorResponse('Something failed on our side; `message` carries a reference to quote.', {
      internal: errorExample(
        'internal_error',
        'Something went wrong on our side (request 3f2b8c1e-0d7a-4c55-9e61-2a4f0b9d8c10).',
      ),
    }),
  };
}

const sharedHeaders = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    required: true,
    schema: { type: 'string', pattern: '^[1-9][0-9]*$', examples: ['42'] },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme to use.',
    required: true,
    schema: { type: 'string', examples: ['Bearer realm="zhenxin"'] },
  },
  Allow: {
    description: 'The methods this path takes.',
    required: true,
    schema: { type: 'string', examples: ['GET, PUT'] },
  },
};

/**
 * The error answers every operation can give, plus those it names. An operation that takes an API
 * key (it can answer 401) has the key's rate budget too.
 */
function errors(...names: SharedResponse[]): JsonObject {
  const out: JsonObject = {};
  const all: SharedResponse[] = [...names, ...(names.includes('Unauthorized') ? ['LenderRateLimited' as const] : [])];
  for (const name of [...all, 'InternalError'] as const) out[STATUS_OF[name]] = ref('responses', name);
  return out;
}

const lenderSecurity = [{ apiKey: [] }];

// ── the document ──────────────────────────────────────────────────────────────────────────

export function buildOpenApiDocument(settings: OpenApiSettings): JsonObject {
  const twilioKb = MAX_TWILIO_FORM_BYTES / 1024;
  const kb = settings.maxJsonBytes / 1024;
  const externalId = (what: string) =>
    pathParameter('externalId', externalIdSchema, `The ${what}’s id in your system.`);

  const paths: JsonObject = {
    '/api/v1/verify': {
      post: {
        operationId: 'verifyMessage',
        tags: ['Public'],
        summary: 'Is this reminder genuine?',
        description: [
          'Send exactly one of `text` (the whole message), `link` (its short link) or `code` (its reference code, with `phoneLast4`: the last four digits of the phone that received it), and optionally `lender` (a slug) to check against one lender only.',
          `\`text\` is at most ${MAX_TEXT_LENGTH} characters. Explanations follow \`Accept-Language\` (zh-CN by default, en).`,
          `No key. Rate-limited to ${settings.checksPerMinute} checks a minute per client address, then 429 with \`Retry-After\`.`,
          'CORS: browsers may call it only from a lender’s registered widget origins (compared exactly; `Access-Control-Allow-Origin` echoes a registered origin and is never reflected). From any other site a browser’s POST is refused with 403.',
        ].join('\n\n'),
        parameters: [
          {
            name: 'Accept-Language',
            in: 'header',
            required: false,
            description: 'The language of `explanation` and of the lender’s name: zh-CN (default) or en.',
            schema: { type: 'string', examples: ['zh-CN', 'en'] },
          },
        ],
        requestBody: {
          required: true,
          content: jsonContent(ref('schemas', 'VerifyRequest'), {
            text: {
              summary: 'A pasted message',
              value: {
                lender: 'demo',
                text: '【青禾消费金融】请将欠款转入安全账户6222020200001234567，并提供验证码。qinghe-xf.top',
              },
            },
            link: { summary: 'A short link', value: { link: 'https://qhxf.cn/r/Ab3dE5fG7hJ9kL1mN3pQ5rS7' } },
            code: { summary: 'A reference code', value: { lender: 'demo', code: 'K7QX-92MD', phoneLast4: '5678' } },
          }),
        },
        responses: {
          '200': {
            description: 'The answer.',
            headers: {
              'Content-Language': {
                description: 'The language of the explanations.',
                required: true,
                schema: { type: 'string', enum: ['zh-CN', 'en'] },
              },
              'Access-Control-Allow-Origin': {
                description: 'Present only when the request’s Origin is a registered widget origin: that origin.',
                schema: { type: 'string', examples: ['https://qinghe-xf.cn'] },
              },
            },
            content: jsonContent(ref('schemas', 'VerifyAnswer'), {
              genuine: {
                summary: 'A message this system sent',
                value: {
                  verdict: 'genuine',
                  risk: 'none',
                  indicators: [],
                  message: { lender: 'demo', sentAt: '2026-03-04T02:00:03.000Z', maskedPhone: '138****5678' },
                  official: exampleOfficial,
                },
              },
              scam: {
                summary: 'A scam imitating the lender',
                value: {
                  verdict: 'not_sent',
                  risk: 'high',
                  indicators: [
                    {
                      id: 'transfer_to_safe_account',
                      severity: 'high',
                      evidence: '安全账户',
                      explanation:
                        '短信要您把钱转到“安全账户”、指定账户或个人账户。没有任何正规机构有“安全账户”，这是典型诈骗。',
                      spans: [{ start: 14, end: 18 }],
                    },
                    {
                      id: 'lookalike_domain',
                      severity: 'high',
                      evidence: 'qinghe-xf.top',
                      explanation:
                        '这个网址冒充了官方网址：只差一两个字母、换了后缀，或用了长得一样的字符。打开它可能被骗走钱或账户。',
                      spans: [{ start: 45, end: 58 }],
                    },
                  ],
                  official: exampleOfficial,
                },
              },
            }),
          },
          ...errors('BadRequest', 'CrossSiteRefused', 'PayloadTooLarge', 'UnsupportedMediaType', 'RateLimited'),
        },
      },
      options: {
        operationId: 'verifyPreflight',
        tags: ['Public'],
        summary: 'CORS preflight',
        description:
          'Browsers ask this before a cross-origin POST. A registered widget origin gets the CORS headers; any other origin gets none, and the browser then does not send the POST.',
        parameters: [
          {
            name: 'Origin',
            in: 'header',
            required: false,
            schema: { type: 'string', examples: ['https://qinghe-xf.cn'] },
          },
        ],
        responses: {
          '204': {
            description: 'Preflight answered.',
            headers: {
              'Access-Control-Allow-Origin': { schema: { type: 'string' } },
              'Access-Control-Allow-Methods': { schema: { type: 'string', examples: ['POST'] } },
              'Access-Control-Allow-Headers': {
                schema: { type: 'string', examples: ['content-type, accept-language'] },
              },
              'Access-Control-Max-Age': { schema: { type: 'string', examples: ['600'] } },
            },
          },
        },
      },
    },
    '/api/v1/lenders/{slug}': {
      get: {
        operationId: 'getLenderProfile',
        tags: ['Public'],
        summary: 'A lender’s official contacts',
        description:
          'What a borrower may trust: the SMS signature, domains, short-link domain, hotlines and repayment channels. No key; cacheable for 5 minutes.',
        parameters: [pathParameter('slug', slugSchema, 'The lender’s slug.')],
        responses: {
          '200': {
            description: 'The public profile.',
            content: jsonContent(ref('schemas', 'LenderProfile'), {
              demo: {
                value: {
                  slug: 'demo',
                  name: '青禾消费金融（演示）',
                  nameEn: 'Qinghe Consumer Finance (demo)',
                  smsSignature: '青禾消费金融',
                  domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
                  shortLinkDomain: 'qhxf.cn',
                  hotlines: ['400-186-5533'],
                  hotlineHours: ['09:00–21:00'],
                  repaymentChannels: [
                    {
                      kind: 'website',
                      label: '官网还款页',
                      labelEn: 'Official repayment page',
                      detail: 'https://qinghe-xf.cn/repay',
                    },
                  ],
                  policy: examplePolicy,
                },
              },
            }),
          },
          ...errors('NotFound'),
        },
      },
    },
    '/api/v1/borrowers/{externalId}': {
      parameters: [externalId('borrower')],
      put: {
        operationId: 'putBorrower',
        tags: ['Lender API'],
        summary: 'Create or update a borrower',
        description: [
          '`phone` in any common written form; stored E.164. Landlines and invalid numbers get 400 with `field: "phone"`.',
          '`phoneVerified: false` marks a number you have not verified yourself (default true).',
          'A number the borrower replaced themselves (verified by code) is never put back: the answer keeps the borrower’s number and adds `phoneNotApplied`.',
        ].join('\n\n'),
        security: lenderSecurity,
        requestBody: {
          required: true,
          content: jsonContent(ref('schemas', 'BorrowerInput'), {
            borrower: { value: { name: '林晓', phone: '0086 138 1234 5678', locale: 'zh-CN' } },
          }),
        },
        responses: {
          '200': {
            description: 'Updated.',
            content: jsonContent(ref('schemas', 'BorrowerPutAnswer'), { updated: { value: exampleBorrower } }),
          },
          '201': {
            description: 'Created.',
            content: jsonContent(ref('schemas', 'BorrowerPutAnswer'), { created: { value: exampleBorrower } }),
          },
          ...errors('BadRequest', 'Unauthorized', 'CrossSiteRefused', 'PayloadTooLarge', 'UnsupportedMediaType'),
        },
      },
      get: {
        operationId: 'getBorrower',
        tags: ['Lender API'],
        summary: 'A borrower as we hold them',
        description:
          'The number reminders go to, and who gave it: `lender` (this API) or `borrower` (changed by the borrower, verified by code).',
        security: lenderSecurity,
        responses: {
          '200': {
            description: 'The borrower.',
            content: jsonContent(ref('schemas', 'Borrower'), { borrower: { value: exampleBorrower } }),
          },
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/v1/loans/{externalId}': {
      parameters: [externalId('loan')],
      put: {
        operationId: 'putLoan',
        tags: ['Lender API'],
        summary: 'Create or replace a loan and its schedule',
        description: [
          'Amounts are integers in the currency’s minor unit (fen for CNY); dates `YYYY-MM-DD` in your time zone; rates decimal strings. `policy` overrides your money policy for this loan.',
          `Bounds, so that every figure of a loan (totals, penalty, projections) is exact: each amount at most ${MAX_AMOUNT} and the instalments at most ${MAX_LOAN_TOTAL} in all, principal and interest (¥1,000,000,000.00 in fen); beyond them, 400 naming the field.`,
          'Refused with 409 when the schedule cannot be replaced: `restructured` (an approved extension or plan set it; send it unchanged), `currency_locked` (repayments are recorded), `schedule_below_repaid` (it would owe less than was repaid). 422 `unknown_borrower` when the borrower has not been sent yet.',
        ].join('\n\n'),
        security: lenderSecurity,
        requestBody: {
          required: true,
          content: jsonContent(ref('schemas', 'LoanInput'), {
            loan: {
              value: {
                borrower: 'B100',
                currency: 'CNY',
                instalments: [{ dueDate: '2026-03-01', principal: 100_000, interest: 2_000 }],
                policy: examplePolicy,
              },
            },
          }),
        },
        responses: {
          '200': { description: 'Replaced.', content: jsonContent(ref('schemas', 'Loan')) },
          '201': {
            description: 'Created.',
            content: jsonContent(ref('schemas', 'Loan'), {
              created: {
                value: {
                  externalId: 'L100',
                  borrower: 'B100',
                  currency: 'CNY',
                  instalments: [{ dueDate: '2026-03-01', principal: 100_000, interest: 2_000 }],
                  policy: examplePolicy,
                  createdAt: '2026-02-01T02:00:00.000Z',
                  updatedAt: '2026-02-01T02:00:00.000Z',
                },
              },
            }),
          },
          '409': errorResponse('The schedule cannot be replaced (see the description).', {
            restructured: errorExample(
              'restructured',
              'instalments: this loan runs on an approved extension or plan; its schedule cannot be replaced (send it unchanged, or see GET /api/v1/requests)',
              'instalments',
            ),
          }),
          '422': errorResponse('The borrower does not exist for this lender yet.', {
            unknownBorrower: errorExample(
              'unknown_borrower',
              'borrower: no borrower "B100" exists for this lender; PUT /api/v1/borrowers/B100 first',
              'borrower',
            ),
          }),
          ...errors('BadRequest', 'Unauthorized', 'CrossSiteRefused', 'PayloadTooLarge', 'UnsupportedMediaType'),
        },
      },
    },
    '/api/v1/loans/{externalId}/repayments': {
      parameters: [externalId('loan')],
      post: {
        operationId: 'postRepayment',
        tags: ['Lender API'],
        summary: 'Record a repayment',
        description:
          'Goes to the oldest unpaid instalment first; within it to penalty, then interest, then principal. The same `idempotencyKey` again changes nothing and returns the first answer, with `Idempotent-Replayed: true`. More than the loan owes is refused with 422 `overpayment`. ' +
          `\`amount\` is at most ${MAX_AMOUNT}, and a loan’s repayments at most ${MAX_LOAN_REPAID} in all (beyond: 400, field \`amount\`).`,
        security: lenderSecurity,
        requestBody: {
          required: true,
          content: jsonContent(ref('schemas', 'RepaymentInput'), {
            repayment: { value: { amount: 52_000, paidOn: '2026-03-01', idempotencyKey: 'bank-ref-8812' } },
          }),
        },
        responses: {
          '201': {
            description: 'Recorded (or, for a key seen before, the first answer again).',
            headers: {
              'Idempotent-Replayed': {
                description: 'Present, `true`, when the key was seen before and nothing changed.',
                schema: { type: 'string', enum: ['true'] },
              },
            },
            content: jsonContent(ref('schemas', 'RepaymentReceipt'), {
              repayment: {
                value: {
                  amount: 52_000,
                  paidOn: '2026-03-01',
                  idempotencyKey: 'bank-ref-8812',
                  loan: 'L100',
                  allocations: [{ dueDate: '2026-03-01', penalty: 0, interest: 2_000, principal: 50_000 }],
                  balance: {
                    ...exampleBalance,
                    asOf: '2026-03-01',
                    penalty: 0,
                    total: 50_000,
                    daysOverdue: 0,
                    instalments: [
                      {
                        dueDate: '2026-03-01',
                        principal: 50_000,
                        interest: 0,
                        penalty: 0,
                        status: 'due',
                        daysOverdue: 0,
                      },
                    ],
                  },
                },
              },
            }),
          },
          '422': errorResponse('More than the loan owes.', {
            overpayment: errorExample(
              'overpayment',
              'amount: 60000 is more than the loan owes; the most it can take is 52000',
              'amount',
            ),
          }),
          ...errors(
            'BadRequest',
            'Unauthorized',
            'CrossSiteRefused',
            'NotFound',
            'PayloadTooLarge',
            'UnsupportedMediaType',
          ),
        },
      },
    },
    '/api/v1/loans/{externalId}/balance': {
      parameters: [externalId('loan')],
      get: {
        operationId: 'getBalance',
        tags: ['Lender API'],
        summary: 'The balance as of a date',
        description:
          'What remains unpaid as of `asOf` (default: today in the loan’s time zone), instalments not yet due included; repayments dated after `asOf` do not count. Penalty interest: CONTRACT.md’s money rules.',
        security: lenderSecurity,
        parameters: queryParameters(balanceQuerySchema),
        responses: {
          '200': {
            description: 'The balance.',
            content: jsonContent(ref('schemas', 'Balance'), { overdue: { value: exampleBalance } }),
          },
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/v1/requests': {
      get: {
        operationId: 'listReliefRequests',
        tags: ['Lender API'],
        summary: 'Extension and instalment-plan requests',
        description: 'Your borrowers’ requests for more time, oldest first, with the schedule agreed.',
        security: lenderSecurity,
        parameters: queryParameters(requestsQuerySchema),
        responses: {
          '200': {
            description: 'The requests.',
            content: jsonContent(ref('schemas', 'ReliefRequestList'), {
              pending: {
                value: {
                  requests: [
                    {
                      id: '01JNV4X2Q8M5T7K9W3B6C1D0EF',
                      loan: 'L100',
                      borrower: 'B100',
                      kind: 'extension',
                      status: 'pending',
                      terms: { days: 15 },
                      schedule: [{ dueDate: '2026-03-26', principal: 50_000, interest: 500 }],
                      reason: 'income_delayed',
                      createdAt: '2026-03-11T03:20:00.000Z',
                      decidedAt: null,
                      decisionNote: null,
                    },
                  ],
                },
              },
            }),
          },
          ...errors('BadRequest', 'Unauthorized'),
        },
      },
    },
    '/api/v1/reports/effect': {
      get: {
        operationId: 'getEffectReport',
        tags: ['Lender API'],
        summary: 'What your reminders achieved',
        description: [
          'Per day (your time zone: the day a reminder was created), stage, wording (`template`) and experiment variant: reminders sent, delivered, failed; links opened and messages checked as genuine (each message once); replies and opt-outs; and delivered reminders followed by a repayment within 1, 3 and 7 days of the delivery date, with the 7-day amount. A repayment counts for one reminder only: the latest delivered before it. `totals` are the sums of the rows.',
          '`comparison` sets the reminded loans of each day and stage against loans the engine held back that day only by a daily or weekly cap or the hour (the comparison group), so the lift of a reminder is measured: `lift7d`.',
          'Figures for the last 7 days grow as repayments come in. At most 366 days at once; a bad date or range is a 400 naming `from` or `to`.',
        ].join('\n\n'),
        security: lenderSecurity,
        parameters: queryParameters(effectReportQuerySchema),
        responses: {
          '200': {
            description: 'The report.',
            content: jsonContent(ref('schemas', 'EffectReport'), {
              week: {
                value: {
                  from: '2026-03-01',
                  to: '2026-03-07',
                  timeZone: 'Asia/Shanghai',
                  rows: [
                    {
                      date: '2026-03-02',
                      stage: 'gentle',
                      template: 'zh-CN/v2',
                      variant: 'B',
                      sent: 40,
                      delivered: 38,
                      failed: 2,
                      deliveryRate: '0.9500',
                      opened: 21,
                      verified: 6,
                      replies: 3,
                      optOuts: 1,
                      repaid1d: 7,
                      repaid3d: 11,
                      repaid7d: 14,
                      repaidAmount7d: 1_450_000,
                    },
                  ],
                  totals: {
                    sent: 40,
                    delivered: 38,
                    failed: 2,
                    deliveryRate: '0.9500',
                    opened: 21,
                    verified: 6,
                    replies: 3,
                    optOuts: 1,
                    repaid1d: 7,
                    repaid3d: 11,
                    repaid7d: 14,
                    repaidAmount7d: 1_450_000,
                  },
                  comparison: [
                    {
                      date: '2026-03-02',
                      stage: 'gentle',
                      reminded: 38,
                      remindedRepaid1d: 7,
                      remindedRepaid3d: 11,
                      remindedRepaid7d: 14,
                      heldBack: 12,
                      heldBackRepaid1d: 1,
                      heldBackRepaid3d: 2,
                      heldBackRepaid7d: 3,
                      lift7d: '0.1184',
                    },
                  ],
                  scamReports: [{ date: '2026-03-04', reports: 2 }],
                },
              },
            }),
          },
          ...errors('BadRequest', 'Unauthorized'),
        },
      },
    },
    '/api/sms/twilio/status': {
      post: {
        operationId: 'twilioStatusCallback',
        tags: ['SMS receipts'],
        summary: 'Twilio delivery receipts (StatusCallback)',
        description:
          'Set as the StatusCallback of messages when `SMS_PROVIDER=twilio`. Believed only with a valid `X-Twilio-Signature` (HMAC-SHA1 of the configured callback URL and the posted fields with the auth token). Idempotent: a receipt seen before changes nothing. 404 when Twilio is not the provider here.',
        parameters: [
          {
            name: 'X-Twilio-Signature',
            in: 'header',
            required: true,
            schema: { type: 'string' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: ref('schemas', 'TwilioStatusCallback'),
            },
          },
        },
        responses: {
          '204': { description: 'Taken (or seen before).' },
          '403': errorResponse('The signature does not match (or a browser on another site sent it).', {
            signature: errorExample('bad_signature', 'X-Twilio-Signature does not match'),
          }),
          '415': errorResponse('Not `application/x-www-form-urlencoded`.', {
            type: errorExample('unsupported_media_type', 'body: Twilio posts application/x-www-form-urlencoded'),
          }),
          ...errors('NotFound', 'PayloadTooLarge'),
        },
      },
    },
    '/api/sms/aliyun/{secret}/report': {
      parameters: [
        {
          name: 'secret',
          in: 'path',
          required: true,
          description:
            'ALIYUN_RECEIPT_SECRET: Aliyun does not sign its pushes, so the path carries a secret. A wrong one answers like an unknown path (404).',
          schema: { type: 'string' },
        },
      ],
      post: {
        operationId: 'aliyunDeliveryReport',
        tags: ['SMS receipts'],
        summary: 'Aliyun delivery reports (SmsReport push)',
        description:
          'Configure this URL as the SmsReport receipt address when `SMS_PROVIDER=aliyun`. Entries are matched by our OutId (else Aliyun’s BizId); entries that cannot be read are skipped. Idempotent.',
        requestBody: {
          required: true,
          content: jsonContent(ref('schemas', 'AliyunReport'), {
            report: {
              value: [
                {
                  phone_number: '13812345678',
                  send_time: '2026-03-04 10:00:00',
                  report_time: '2026-03-04 10:00:08',
                  success: true,
                  err_code: 'DELIVERED',
                  err_msg: '用户接收成功',
                  sms_size: '1',
                  biz_id: '900619746936498440^0',
                  out_id: '01JNV4X2Q8M5T7K9W3B6C1D0EF',
                },
              ],
            },
          }),
        },
        responses: {
          '200': {
            description: 'The acknowledgement Aliyun expects.',
            content: jsonContent(ref('schemas', 'AliyunReportAnswer'), {
              ok: { value: { code: 0, msg: '接收成功' } },
            }),
          },
          ...errors('BadRequest', 'CrossSiteRefused', 'NotFound', 'PayloadTooLarge', 'UnsupportedMediaType'),
        },
      },
    },
    '/api/sms/twilio/incoming': {
      post: {
        operationId: 'twilioIncomingMessage',
        tags: ['SMS replies'],
        summary: 'Borrowers’ replies through Twilio (incoming-message webhook)',
        description: `Set as the sending number’s "A message comes in" webhook (HTTP POST) when \`SMS_PROVIDER=twilio\`, at exactly \`TWILIO_INCOMING_URL\` (default: \`incoming\` beside the status callback URL). Believed only with a valid \`X-Twilio-Signature\` over that URL and the posted fields, from our own account (\`AccountSid\`). Stored once per \`MessageSid\`: a retried webhook acts once. A reply that is only an opt-out keyword (退订, 退訂, TD, T, STOP, and Twilio’s own: STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE; any case or width) stops the lender’s reminders to that number at once and is confirmed by one text of ours; any other reply lands in the lender’s console. The answer is always an empty TwiML \`<Response/>\`. ${MAX_INBOUND_BODY} characters of text at most; 404 when Twilio is not the provider here.`,
        parameters: [{ name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('schemas', 'TwilioIncomingMessage') } },
        },
        responses: {
          '200': {
            description: 'Taken (or seen before): Twilio sends nothing back itself.',
            content: { 'text/xml': { schema: { type: 'string' }, examples: { empty: { value: TWIML_EMPTY } } } },
          },
          '403': errorResponse(
            'The signature does not match, the message is another account’s, or a browser on another site sent it.',
            {
              signature: errorExample('bad_signature', 'X-Twilio-Signature does not match'),
              account: errorExample('wrong_account', 'AccountSid: not this service’s Twilio account'),
            },
          ),
          '413': errorResponse(`The form is larger than ${twilioKb} KB.`, {
            tooLarge: errorExample('payload_too_large', `body: larger than ${twilioKb} KB`, 'body'),
          }),
          '415': errorResponse('Not `application/x-www-form-urlencoded`.', {
            type: errorExample(
              'unsupported_media_type',
              'body: Twilio posts application/x-www-form-urlencoded',
              'body',
            ),
          }),
          ...errors('BadRequest', 'NotFound'),
        },
      },
    },
    '/api/sms/aliyun/{secret}/upstream': {
      parameters: [
        {
          name: 'secret',
          in: 'path',
          required: true,
          description:
            'ALIYUN_RECEIPT_SECRET, as for the delivery reports: Aliyun does not sign its pushes. A wrong one answers like an unknown path (404).',
          schema: { type: 'string' },
        },
      ],
      post: {
        operationId: 'aliyunUpstreamMessages',
        tags: ['SMS replies'],
        summary: 'Borrowers’ replies through Aliyun (SmsUp push, 上行短信)',
        description:
          'Configure this URL as the up-link message address (HTTP batch push) when `SMS_PROVIDER=aliyun`. The whole push is checked first (a malformed entry is a 400 naming it, and nothing is stored); each message is stored once per `sequence_id`, so a re-push acts once. Opt-out keywords and replies as for Twilio. The confirmation of an opt-out is sent with the registered templates `opt_out_confirmation.zh-CN` and `opt_out_confirmation.en` (variable `hotline`).',
        requestBody: {
          required: true,
          content: jsonContent(ref('schemas', 'AliyunUpstream'), {
            reply: {
              value: [
                {
                  phone_number: '13812345678',
                  send_time: '2026-03-04 10:05:00',
                  content: '退订',
                  sign_name: '青禾消费金融',
                  dest_code: '1234',
                  sequence_id: 1234567890,
                },
              ],
            },
          }),
        },
        responses: {
          '200': {
            description: 'The acknowledgement Aliyun expects.',
            content: jsonContent(ref('schemas', 'AliyunReportAnswer'), {
              ok: { value: { code: 0, msg: '接收成功' } },
            }),
          },
          ...errors('BadRequest', 'CrossSiteRefused', 'NotFound', 'PayloadTooLarge', 'UnsupportedMediaType'),
        },
      },
    },
    '/api/v1/widget/{slug}': {
      get: {
        operationId: 'getWidgetSettings',
        tags: ['Public'],
        summary: 'What the embeddable widget needs first',
        description:
          'Read by `<zhenxin-verify>` when it starts: the lender’s name and hotlines (for every message it shows) and whether the page it runs on is a registered widget origin. Public data: any page may read it (`Access-Control-Allow-Origin: *`, no credentials). Register origins with `cli lender set <slug>`.',
        parameters: [
          pathParameter('slug', slugSchema, 'The lender’s slug.'),
          {
            name: 'Origin',
            in: 'header',
            required: false,
            description: 'Sent by the browser; compared exactly with the lender’s registered origins.',
            schema: { type: 'string', examples: ['https://qinghe-xf.cn'] },
          },
        ],
        responses: {
          '200': {
            description: 'The widget’s settings for the asking page.',
            headers: { 'Access-Control-Allow-Origin': { schema: { type: 'string', const: '*' } } },
            content: jsonContent(ref('schemas', 'WidgetSettings'), {
              registered: {
                value: {
                  slug: 'demo',
                  name: '青禾消费金融（演示）',
                  nameEn: 'Qinghe Consumer Finance (demo)',
                  hotlines: ['400-186-5533'],
                  domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
                  timeZone: 'Asia/Shanghai',
                  originAllowed: true,
                },
              },
            }),
          },
          ...errors('NotFound'),
        },
      },
      options: {
        operationId: 'widgetSettingsPreflight',
        tags: ['Public'],
        summary: 'CORS preflight',
        parameters: [pathParameter('slug', slugSchema, 'The lender’s slug.')],
        responses: {
          '204': {
            description: 'Any origin may read the settings.',
            headers: { 'Access-Control-Allow-Origin': { schema: { type: 'string', const: '*' } } },
          },
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['Meta'],
        summary: 'This document',
        responses: {
          '200': { description: 'The OpenAPI 3.1 document.', content: jsonContent(ref('schemas', 'OpenApiDocument')) },
          ...errors(),
        },
      },
    },
  };

  // A method a path does not list answers 405 with Allow: said once on every path.
  for (const item of Object.values(paths) as JsonObject[]) {
    item.description = 'Methods not listed here answer 405 (`#/components/responses/MethodNotAllowed`).';
  }

  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Zhenxin (真信) API',
      version: '1',
      description: [
        'Check whether a loan reminder is genuine (public), and keep borrowers, loans and repayments in step (lender API).',
        '- **Lender API**: `Authorization: Bearer <api key>`; a key sees only its own lender (another lender’s loan is a 404).',
        '- **Amounts** are integers in the currency’s minor unit (fen for CNY); **dates** are `YYYY-MM-DD` in the lender’s time zone; **instants** ISO-8601 with offset; **rates** decimal strings.',
        `- **Bodies** are JSON (\`Content-Type: application/json\`, else 415), at most ${kb} KB (else 413). Unknown fields are refused, not ignored.`,
        '- **Errors** always have the shape `{ "error": { "code", "message", "field"? } }`; bad input is a 4xx naming the field, never a 500.',
        '- A method a path does not list answers **405** with `Allow`.',
        '- Guide with copy-paste examples: `/developers`.',
      ].join('\n'),
    },
    ...(settings.origin ? { servers: [{ url: settings.origin }] } : {}),
    tags: [
      { name: 'Public', description: 'No key.' },
      { name: 'Lender API', description: 'With a lender’s API key.' },
      { name: 'SMS receipts', description: 'Delivery receipts pushed by SMS providers.' },
      { name: 'SMS replies', description: 'Borrowers’ texts to us (replies and opt-outs) pushed by SMS providers.' },
      { name: 'Meta', description: 'About the API itself.' },
    ],
    paths,
    components: {
      schemas: allComponentSchemas(),
      responses: sharedResponses(settings),
      headers: sharedHeaders,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A lender API key, made by the operator (`npm run cli -- api-key create <lender>`) and shown once. Keep it on your servers: never in a web page or an app.',
        },
      },
    },
  };
}
