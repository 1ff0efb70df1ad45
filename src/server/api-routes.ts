import { PUBLIC_ORIGIN } from 'astro:env/server';
import type { BorrowerPutAnswer } from '../services/api-responses.ts';
import { effectReportFor } from '../services/effect-report.ts';
import { receiveInboundSms } from '../services/inbound-sms.ts';
import { getBalance, getBorrower, getRequests, postRepayment, putBorrower, putLoan } from '../services/lender-api.ts';
import { publicLenderProfile, widgetSettings } from '../services/lenders.ts';
import { applyReceipts } from '../services/receipts.ts';
import { verify } from '../services/verification.ts';
import { ALIYUN_REPORT_ANSWER, parseAliyunReport } from '../sms/aliyun.ts';
import { twilioIncomingUrl } from '../sms/config.ts';
import { parseAliyunUpstream, parseTwilioIncoming, TWIML_EMPTY } from '../sms/inbound.ts';
import { parseTwilioStatusCallback, verifyTwilioSignature } from '../sms/twilio.ts';
import { MAX_JSON_BYTES, queryObject, readJson, requireLender } from './api.ts';
import {
  type ApiAnswer,
  type ApiHandler,
  type ApiRequest,
  type ApiRoute,
  apiError,
  fromResponse,
  json,
} from './api-answer.ts';
import { database } from './context.ts';
import { ALIYUN_UPSTREAM_ANSWER, aliyunSecretRefusal, readTwilioForm } from './inbound-webhooks.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { checksPerMinute, lenderRequestsPerMinute, overBudget } from './rate-limit.ts';
import { dispatchSoon, smsSettings } from './sms.ts';

/**
 * Every /api/… route (CONTRACT.md, documented by the OpenAPI document served at the last one):
 * each handler parses its input with the services' zod schemas, calls one service and answers.
 * router.ts adds the security headers, CORS, the cross-site check, the log line and the error
 * shape.
 */

/**
 * The lender API: every handler is signed by a lender's API key. A per-key budget belongs here,
 * once, before `work` runs (the key's id is at hand).
 */
function lenderApi(
  work: (request: ApiRequest, signed: Awaited<ReturnType<typeof requireLender>>) => Promise<ApiAnswer>,
): ApiHandler {
  return async (request) => work(request, await requireLender(request));
}

/** The OpenAPI document depends only on the code and this process's settings: built once. */
let openApiBody: string | undefined;

const param = (request: ApiRequest, name: string) => request.params[name] ?? '';

export const API_ROUTES: readonly ApiRoute[] = [
  {
    // CONTRACT.md "Public verification API": no key, rate-limited per client, CORS per lender origins.
    path: '/api/v1/verify',
    methods: {
      POST: async (request) => {
        const limited = await overBudget('verify', request.clientIp, true);
        if (limited) return fromResponse(limited);
        const body = await readJson(request);
        const result = await verify(await database(), body, request.locale);
        return json(result.answer, 200, { 'content-language': request.locale });
      },
    },
  },
  {
    path: '/api/v1/lenders/:slug',
    methods: {
      GET: async (request) =>
        json(await publicLenderProfile(await database(), param(request, 'slug')), 200, {
          'cache-control': 'public, max-age=300',
        }),
    },
  },
  {
    // What the embeddable widget needs before its first check: the lender's name and hotlines and
    // whether the page it runs on is a registered origin. Public, so any page may read it.
    path: '/api/v1/widget/:slug',
    methods: {
      GET: async (request) =>
        json(await widgetSettings(await database(), param(request, 'slug'), request.headers.get('origin')), 200, {
          'access-control-allow-origin': '*',
          vary: 'Origin',
        }),
      OPTIONS: () => ({
        status: 204,
        headers: { 'access-control-allow-origin': '*', 'access-control-max-age': '600' },
      }),
    },
  },
  {
    path: '/api/v1/openapi.json',
    methods: {
      GET: () => {
        openApiBody ??= JSON.stringify(
          buildOpenApiDocument({
            checksPerMinute: checksPerMinute(),
            lenderRequestsPerMinute: lenderRequestsPerMinute(),
            maxJsonBytes: MAX_JSON_BYTES,
            origin: PUBLIC_ORIGIN,
          }),
        );
        return {
          status: 200,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'cache-control': 'public, max-age=300',
            // Public and credential-free: API tools on other origins (an OpenAPI viewer) may read it.
            'access-control-allow-origin': '*',
          },
          body: openApiBody,
        };
      },
    },
  },
  {
    path: '/api/v1/borrowers/:externalId',
    methods: {
      GET: lenderApi(async (request, { lender }) =>
        json(await getBorrower(await database(), lender, param(request, 'externalId'))),
      ),
      PUT: lenderApi(async (request, { lender, keyId }) => {
        const body = await readJson(request);
        const result = await putBorrower(
          await database(),
          lender,
          { keyId, ip: request.clientIp },
          param(request, 'externalId'),
          body,
        );
        // A number the borrower replaced themselves is not restored: the answer says so beside the
        // borrower as we hold them.
        const answer: BorrowerPutAnswer = result.phoneNotApplied
          ? { ...result.borrower, phoneNotApplied: result.phoneNotApplied }
          : result.borrower;
        return json(answer, result.created ? 201 : 200);
      }),
    },
  },
  {
    path: '/api/v1/loans/:externalId',
    methods: {
      PUT: lenderApi(async (request, { lender }) => {
        const body = await readJson(request);
        const result = await putLoan(await database(), lender, param(request, 'externalId'), body);
        return json(result.loan, result.created ? 201 : 200);
      }),
    },
  },
  {
    path: '/api/v1/loans/:externalId/balance',
    methods: {
      GET: lenderApi(async (request, { lender }) =>
        json(await getBalance(await database(), lender, param(request, 'externalId'), queryObject(request.url))),
      ),
    },
  },
  {
    path: '/api/v1/loans/:externalId/repayments',
    methods: {
      POST: lenderApi(async (request, { lender }) => {
        const body = await readJson(request);
        const answer = await postRepayment(await database(), lender, param(request, 'externalId'), body);
        return json(answer.body, answer.status, answer.replayed ? { 'idempotent-replayed': 'true' } : {});
      }),
    },
  },
  {
    path: '/api/v1/requests',
    methods: {
      GET: lenderApi(async (request, { lender }) =>
        json(await getRequests(await database(), lender, queryObject(request.url))),
      ),
    },
  },
  {
    // What the key's lender's reminders achieved between two dates (CONTRACT.md).
    path: '/api/v1/reports/effect',
    methods: {
      GET: lenderApi(async (request, { lender }) =>
        json(await effectReportFor(await database(), lender, queryObject(request.url))),
      ),
    },
  },
  {
    // Twilio's StatusCallback: believed only with a valid X-Twilio-Signature (HMAC of the
    // configured callback URL and the posted fields with our auth token).
    path: '/api/sms/twilio/status',
    methods: {
      POST: async (request) => {
        const settings = smsSettings();
        if (settings.SMS_PROVIDER !== 'twilio')
          return apiError(404, 'not_found', 'Twilio is not the SMS provider here');
        const type = request.headers.get('content-type') ?? '';
        if (!type.startsWith('application/x-www-form-urlencoded')) {
          return apiError(415, 'unsupported_media_type', 'body: Twilio posts application/x-www-form-urlencoded');
        }
        const raw = new TextDecoder().decode(await request.arrayBuffer());
        if (raw.length > 16_384) return apiError(413, 'payload_too_large', 'body: too large for a status callback');
        const params: Record<string, string> = {};
        for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
        const signature = request.headers.get('x-twilio-signature') ?? '';
        if (
          !verifyTwilioSignature(settings.TWILIO_AUTH_TOKEN, settings.TWILIO_STATUS_CALLBACK_URL, params, signature)
        ) {
          return apiError(403, 'bad_signature', 'X-Twilio-Signature does not match');
        }
        const receipt = parseTwilioStatusCallback(params);
        if (receipt) await applyReceipts(await database(), [receipt]);
        return { status: 204 };
      },
    },
  },
  {
    // Twilio's incoming-message webhook: a borrower's reply. Believed only with a valid
    // X-Twilio-Signature over the configured public URL and the posted fields; stored once per
    // MessageSid. The answer is an empty TwiML <Response/>: an opt-out's confirmation goes
    // through our outbox instead, so it is recorded, verifiable and sent once.
    path: '/api/sms/twilio/incoming',
    methods: {
      POST: async (request) => {
        const settings = smsSettings();
        if (settings.SMS_PROVIDER !== 'twilio')
          return apiError(404, 'not_found', 'Twilio is not the SMS provider here');
        const params = await readTwilioForm(request);
        const signature = request.headers.get('x-twilio-signature') ?? '';
        if (!verifyTwilioSignature(settings.TWILIO_AUTH_TOKEN, twilioIncomingUrl(settings), params, signature)) {
          return apiError(403, 'bad_signature', 'X-Twilio-Signature does not match');
        }
        if (params.AccountSid !== undefined && params.AccountSid !== settings.TWILIO_ACCOUNT_SID) {
          return apiError(403, 'wrong_account', 'AccountSid: not this service’s Twilio account');
        }
        const outcome = await receiveInboundSms(await database(), parseTwilioIncoming(params));
        if (outcome.confirmationId) dispatchSoon(request.requestId);
        return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: TWIML_EMPTY };
      },
    },
  },
  {
    // Aliyun's delivery-report push (SmsReport). Aliyun does not sign it, so the URL carries a
    // secret (ALIYUN_RECEIPT_SECRET); a wrong one looks like any unknown path.
    path: '/api/sms/aliyun/:secret/report',
    methods: {
      POST: async (request) => {
        const refusal = aliyunSecretRefusal(param(request, 'secret'), request.url.pathname);
        if (refusal) return refusal;
        const receipts = parseAliyunReport(await readJson(request));
        await applyReceipts(await database(), receipts);
        return json(ALIYUN_REPORT_ANSWER);
      },
    },
  },
  {
    // Aliyun's up-link push (SmsUp, 上行短信): borrowers' replies, a JSON array, behind the same
    // secret path. The whole push is checked before anything is stored (a malformed entry is a
    // 400 naming it); each entry is stored once per sequence_id, so re-pushes act once.
    path: '/api/sms/aliyun/:secret/upstream',
    methods: {
      POST: async (request) => {
        const refusal = aliyunSecretRefusal(param(request, 'secret'), request.url.pathname);
        if (refusal) return refusal;
        const messages = parseAliyunUpstream(await readJson(request));
        const db = await database();
        let confirmations = 0;
        for (const message of messages) {
          if ((await receiveInboundSms(db, message)).confirmationId) confirmations++;
        }
        if (confirmations > 0) dispatchSoon(request.requestId);
        return json(ALIYUN_UPSTREAM_ANSWER);
      },
    },
  },
];
