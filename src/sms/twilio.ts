import { createHmac, timingSafeEqual } from 'node:crypto';
import { hasControlCharacters, stripControlCharacters } from '../core/validation.ts';
import { excerpt, exchange, isRecord, ProviderOutcomeUnknownError, parseJson, stringField } from './http.ts';
import type {
  DeliveryReceipt,
  DeliveryStatus,
  LookupResult,
  OutgoingSms,
  SendResult,
  SmsProvider,
} from './provider.ts';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** An E.164 sender number, or a Messaging Service SID (`MG…`). */
  from: string;
  /** Default https://api.twilio.com. */
  baseUrl?: string;
  /** Where Twilio posts delivery receipts; omitted when receipts are not wanted. */
  statusCallbackUrl?: string;
  /** Default 10000. */
  timeoutMs?: number;
}

const PROVIDER = 'twilio';

/**
 * Twilio error codes that condemn this message to this recipient: a bad or unreachable number,
 * an opted-out recipient, content the carriers block. Every other 4xx describes our account or
 * configuration (wrong credentials, unverified sender...), which an operator can fix, so those
 * are retried rather than losing the message.
 */
const PERMANENT_CODES = new Set([
  21211, // invalid 'To' number
  21214, // 'To' number cannot be reached
  21217, // number does not appear to be valid
  21401, // invalid phone number
  21407, // number type does not support SMS
  21408, // sending to the recipient's region is not enabled
  21421, // phone number is invalid
  21601, // 'To' is not a valid SMS-capable number
  21602, // body required
  21604, // 'To' required
  21610, // recipient replied STOP
  21612, // 'To' not reachable via SMS from this sender
  21614, // 'To' is not a mobile number
  21617, // body longer than 1600 characters
  21635, // 'To' cannot receive messages
  30004, // message blocked
  30005, // unknown destination handset
  30006, // landline or unreachable carrier
  30007, // filtered by the carrier as spam
]);

/** How many pages of the message list a lookup reads before giving up. */
const MAX_LOOKUP_PAGES = 10;

export function createTwilioProvider(config: TwilioConfig): SmsProvider {
  const baseUrl = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? 10_000;
  const messagesUrl = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;

  return {
    name: PROVIDER,

    async send(message: OutgoingSms): Promise<SendResult> {
      const form = new URLSearchParams();
      form.set('To', message.to);
      form.set(config.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', config.from);
      form.set('Body', message.text);
      if (config.statusCallbackUrl !== undefined) form.set('StatusCallback', config.statusCallbackUrl);

      const answer = await exchange(
        PROVIDER,
        messagesUrl,
        {
          method: 'POST',
          headers: {
            authorization,
            accept: 'application/json',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: form.toString(),
        },
        timeoutMs,
      );
      if (!answer.reached) return { outcome: 'retry', error: `${PROVIDER}: ${answer.error}` };

      const json = parseJson(answer.body);
      if (answer.status >= 200 && answer.status < 300) {
        const sid = isRecord(json) ? stringField(json, 'sid') : null;
        // Accepted, but without a sid we cannot tell which message it is: let the lookup find it.
        if (sid === null) throw new ProviderOutcomeUnknownError(PROVIDER, `HTTP ${answer.status} without a sid`);
        return { outcome: 'sent', providerMessageId: sid };
      }

      const error = describeError(answer.status, json, answer.body);
      const code = isRecord(json) ? Number(json.code) : Number.NaN;
      if (answer.status >= 400 && answer.status < 500 && PERMANENT_CODES.has(code)) {
        return { outcome: 'rejected', error };
      }
      return { outcome: 'retry', error };
    },

    async lookup(message: OutgoingSms): Promise<LookupResult> {
      // Twilio cannot carry our id, but our text holds a unique short-link token, so the exact body
      // identifies the message among those sent to this number since the first attempt.
      const query = new URLSearchParams();
      query.set('To', message.to);
      // On the wire this is `DateSent%3E=YYYY-MM-DD`, i.e. Twilio's `DateSent>=` (on or after that day, GMT).
      query.set('DateSent>', message.firstAttemptAt.toISOString().slice(0, 10));
      query.set('PageSize', '50');
      let url: string | null = `${messagesUrl}?${query.toString()}`;

      for (let page = 0; url !== null && page < MAX_LOOKUP_PAGES; page++) {
        const answer = await exchange(
          PROVIDER,
          url,
          { method: 'GET', headers: { authorization, accept: 'application/json' } },
          timeoutMs,
        );
        if (!answer.reached) throw new ProviderOutcomeUnknownError(PROVIDER, `lookup failed: ${answer.error}`);
        const json = parseJson(answer.body);
        if (answer.status !== 200 || !isRecord(json) || !Array.isArray(json.messages)) {
          throw new ProviderOutcomeUnknownError(
            PROVIDER,
            `lookup failed: ${describeError(answer.status, json, answer.body)}`,
          );
        }
        for (const entry of json.messages as unknown[]) {
          if (!isRecord(entry) || entry.body !== message.text) continue;
          const sid = stringField(entry, 'sid');
          if (sid === null) continue;
          return { found: true, providerMessageId: sid, status: lookupStatus(stringField(entry, 'status')) };
        }
        const next = stringField(json, 'next_page_uri');
        url = next === null || next === '' ? null : `${baseUrl}${next}`;
      }
      return { found: false };
    },
  };
}

function describeError(status: number, json: unknown, raw: string): string {
  if (isRecord(json)) {
    const code = stringField(json, 'code');
    const text = stringField(json, 'message');
    if (code !== null || text !== null) return `${PROVIDER} ${code ?? status}: ${text ?? ''}`.trim();
  }
  return `${PROVIDER}: HTTP ${status} ${excerpt(raw)}`.trim();
}

function lookupStatus(status: string | null): DeliveryStatus | 'sent' {
  switch (status) {
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      // queued, accepted, scheduled, sending, sent: Twilio has it, the carrier has not answered yet.
      return 'sent';
  }
}

/**
 * Twilio's request signature: the full URL Twilio called, followed by every POST parameter's name
 * and value in parameter-name order, HMAC-SHA1 with the auth token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const key of Object.keys(params).sort()) data += key + params[key];
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Checks an `X-Twilio-Signature` header; `url` must be exactly the URL Twilio was told to call. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signatureHeader: string,
): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params), 'utf8');
  const given = Buffer.from(signatureHeader, 'utf8');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

/** Callback statuses that report what became of a message; the others (queued, accepted, sending...) do not. */
const RECEIPT_STATUSES: Record<string, DeliveryStatus | 'sent'> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Normalises the form parameters of a Twilio status callback (verify the signature first).
 * Twilio's callback carries no timestamp, so `receivedAt` stands in for it.
 */
export function parseTwilioStatusCallback(
  params: Record<string, string>,
  receivedAt: Date = new Date(),
): DeliveryReceipt | null {
  const sid = params.MessageSid ?? params.SmsSid;
  const rawStatus = params.MessageStatus ?? params.SmsStatus;
  // (a control character names no message of ours, and could not be stored: core/validation.ts)
  if (sid === undefined || sid === '' || hasControlCharacters(sid) || rawStatus === undefined) return null;
  const status = Object.hasOwn(RECEIPT_STATUSES, rawStatus) ? RECEIPT_STATUSES[rawStatus] : undefined;
  if (status === undefined) return null;
  const errorCode = params.ErrorCode === undefined ? undefined : stripControlCharacters(params.ErrorCode);
  return {
    provider: PROVIDER,
    providerMessageId: sid,
    status,
    errorCode: errorCode === undefined || errorCode === '' ? null : errorCode,
    at: receivedAt,
  };
}
