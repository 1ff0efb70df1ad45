import { createHmac, randomUUID } from 'node:crypto';
import { excerpt, exchange, isRecord, ProviderOutcomeUnknownError, parseJson, stringField } from './http.ts';
import type {
  DeliveryReceipt,
  DeliveryStatus,
  LookupResult,
  OutgoingSms,
  SendResult,
  SmsProvider,
} from './provider.ts';

export interface AliyunConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** The registered signature (签名), without the brackets. */
  signName: string;
  /** Our template key → the registered Aliyun TemplateCode. */
  templateCodes: Record<string, string>;
  /** Default https://dysmsapi.aliyuncs.com. */
  endpoint?: string;
  /** Default 10000. */
  timeoutMs?: number;
}

const PROVIDER = 'aliyun';
const API_VERSION = '2017-05-25';

/**
 * Codes saying this message can never go through as it stands: bad number, template or signature
 * not approved, content or variables refused. Everything else (flow control, throttling, isp.*
 * system errors, account and credential problems an operator can fix) is retried.
 */
const PERMANENT_CODES = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.TEMPLATE_PARAMS_ILLEGAL',
  'isv.INVALID_PARAMETERS',
  'isv.INVALID_JSON_PARAM',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_SIGN_ILLEGAL',
  'isv.SMS_CONTENT_ILLEGAL',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.EXTEND_CODE_ERROR',
]);

/** Aliyun keeps send records for 30 days; a lookup never searches further. */
const MAX_LOOKUP_DAYS = 30;
/** Pages of 50 read per day before giving up. */
const MAX_LOOKUP_PAGES = 20;
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 3986 percent-encoding as Aliyun's RPC signature wants it: only `A-Z a-z 0-9 - _ . ~` stay as they are. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value.toWellFormed()).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parameters sorted by name, each name and value percent-encoded, joined `k=v&k=v` (Signature excluded). */
export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
}

export function aliyunStringToSign(method: string, params: Record<string, string>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(aliyunCanonicalQuery(params))}`;
}

/** Aliyun RPC signature v1 (HMAC-SHA1 keyed with `secret + '&'`, base64). */
export function signAliyunRpc(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(aliyunStringToSign(method, params), 'utf8').digest('base64');
}

/** E.164 → Aliyun's PhoneNumbers form: 11 national digits for mainland China, else country code + number. */
export function aliyunPhoneNumber(e164: string): string | null {
  if (!/^\+[1-9]\d{5,14}$/.test(e164)) return null;
  return e164.startsWith('+86') ? e164.slice(3) : e164.slice(1);
}

/** `yyyyMMdd` of an instant in Asia/Shanghai (UTC+8 all year, no daylight saving). */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

export function createAliyunProvider(config: AliyunConfig): SmsProvider {
  const endpoint = `${(config.endpoint ?? 'https://dysmsapi.aliyuncs.com').replace(/\/+$/, '')}/`;
  const timeoutMs = config.timeoutMs ?? 10_000;

  /** One signed RPC call; `null` when the request never left (nothing to duplicate, safe to retry). */
  async function call(action: string, actionParams: Record<string, string>) {
    const params: Record<string, string> = {
      AccessKeyId: config.accessKeyId,
      Action: action,
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: API_VERSION,
      ...actionParams,
    };
    const signature = signAliyunRpc('POST', params, config.accessKeySecret);
    const body = `${aliyunCanonicalQuery(params)}&Signature=${percentEncode(signature)}`;
    return exchange(
      PROVIDER,
      endpoint,
      {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body,
      },
      timeoutMs,
    );
  }

  return {
    name: PROVIDER,

    async send(message: OutgoingSms): Promise<SendResult> {
      const templateCode = Object.hasOwn(config.templateCodes, message.template.key)
        ? config.templateCodes[message.template.key]
        : undefined;
      if (templateCode === undefined) {
        return { outcome: 'rejected', error: `${PROVIDER}: no TemplateCode for template "${message.template.key}"` };
      }
      const phone = aliyunPhoneNumber(message.to);
      if (phone === null) return { outcome: 'rejected', error: `${PROVIDER}: not an E.164 number` };

      const answer = await call('SendSms', {
        PhoneNumbers: phone,
        SignName: config.signName,
        TemplateCode: templateCode,
        TemplateParam: JSON.stringify(message.template.params),
        OutId: message.messageId,
      });
      if (!answer.reached) return { outcome: 'retry', error: `${PROVIDER}: ${answer.error}` };

      const json = parseJson(answer.body);
      const code = isRecord(json) ? stringField(json, 'Code') : null;
      if (code === 'OK') {
        const bizId = isRecord(json) ? stringField(json, 'BizId') : null;
        if (bizId === null || bizId === '') throw new ProviderOutcomeUnknownError(PROVIDER, 'Code OK without a BizId');
        return { outcome: 'sent', providerMessageId: bizId };
      }
      // A success status with an unreadable body: it may well have been accepted.
      if (code === null && answer.status >= 200 && answer.status < 300) {
        throw new ProviderOutcomeUnknownError(PROVIDER, `HTTP ${answer.status} ${excerpt(answer.body)}`);
      }
      const error = describeError(answer.status, json, answer.body);
      if (code !== null && PERMANENT_CODES.has(code)) return { outcome: 'rejected', error };
      return { outcome: 'retry', error };
    },

    async lookup(message: OutgoingSms): Promise<LookupResult> {
      const phone = aliyunPhoneNumber(message.to);
      if (phone === null) return { found: false };
      // Records are filed by send day; a later attempt (or one just after midnight) lands on a
      // later day than the first attempt, so search each day from the first attempt to today.
      const now = Date.now();
      const start = Math.max(message.firstAttemptAt.getTime(), now - (MAX_LOOKUP_DAYS - 1) * DAY_MS);
      const today = shanghaiDate(new Date(now));
      for (let day = 0; day < MAX_LOOKUP_DAYS; day++) {
        const date = shanghaiDate(new Date(start + day * DAY_MS));
        if (day > 0 && date > today) break;
        const found = await lookupOnDay(phone, date, message);
        if (found !== null) return found;
      }
      return { found: false };
    },
  };

  async function lookupOnDay(phone: string, sendDate: string, message: OutgoingSms): Promise<LookupResult | null> {
    let byContent: LookupResult | null = null;
    for (let page = 1; page <= MAX_LOOKUP_PAGES; page++) {
      const answer = await call('QuerySendDetails', {
        PhoneNumber: phone,
        SendDate: sendDate,
        PageSize: '50',
        CurrentPage: String(page),
      });
      if (!answer.reached) throw new ProviderOutcomeUnknownError(PROVIDER, `lookup failed: ${answer.error}`);
      const json = parseJson(answer.body);
      if (!isRecord(json) || json.Code !== 'OK') {
        throw new ProviderOutcomeUnknownError(
          PROVIDER,
          `lookup failed: ${describeError(answer.status, json, answer.body)}`,
        );
      }
      const entries = detailEntries(json);
      for (const entry of entries) {
        if (entry.OutId === message.messageId) {
          const bizId = stringField(entry, 'BizId');
          return {
            found: true,
            providerMessageId: bizId !== null && bizId !== '' ? bizId : message.messageId,
            status: sendStatus(entry.SendStatus),
          };
        }
        if (byContent === null && entry.Content === message.text) {
          const bizId = stringField(entry, 'BizId');
          byContent = {
            found: true,
            providerMessageId: bizId !== null && bizId !== '' ? bizId : message.messageId,
            status: sendStatus(entry.SendStatus),
          };
        }
      }
      const total = Number(json.TotalCount);
      if (entries.length < 50 || !Number.isFinite(total) || page * 50 >= total) break;
    }
    return byContent;
  }
}

function detailEntries(json: Record<string, unknown>): Record<string, unknown>[] {
  const wrapper = json.SmsSendDetailDTOs;
  if (!isRecord(wrapper) || !Array.isArray(wrapper.SmsSendDetailDTO)) return [];
  return (wrapper.SmsSendDetailDTO as unknown[]).filter(isRecord);
}

function sendStatus(value: unknown): DeliveryStatus | 'sent' {
  switch (Number(value)) {
    case 3:
      return 'delivered';
    case 2:
      return 'failed';
    default:
      // 1: waiting for the carrier's report.
      return 'sent';
  }
}

function describeError(status: number, json: unknown, raw: string): string {
  if (isRecord(json)) {
    const code = stringField(json, 'Code');
    const text = stringField(json, 'Message');
    if (code !== null) return `${PROVIDER} ${code}: ${text ?? ''}`.trim();
  }
  return `${PROVIDER}: HTTP ${status} ${excerpt(raw)}`.trim();
}

/** What the SmsReport webhook must answer; Aliyun only checks that `code` is a number, and re-pushes on a non-200. */
export const ALIYUN_REPORT_ANSWER: Readonly<{ code: number; msg: string }> = Object.freeze({
  code: 0,
  msg: '接收成功',
});

/** A receipt that also keeps the OutId Aliyun echoes back (our message id). */
export interface AliyunDeliveryReceipt extends DeliveryReceipt {
  outId: string | null;
}

/**
 * Report codes from the carrier saying the handset could not be reached (switched off, out of
 * service, number cancelled, expired in the SMSC). Unknown codes count as 'failed'.
 */
const CARRIER_UNDELIVERED = new Set(['UNDELIV', 'EXPIRED', 'DELETED']);

/**
 * Normalises the JSON array Aliyun pushes to the SmsReport webhook. Never throws: entries that
 * are not objects or lack `biz_id` or `success` are skipped.
 */
export function parseAliyunReport(body: unknown, receivedAt: Date = new Date()): AliyunDeliveryReceipt[] {
  let value = body;
  if (typeof value === 'string') value = parseJson(value);
  const entries: unknown[] = Array.isArray(value) ? value : isRecord(value) ? [value] : [];
  const receipts: AliyunDeliveryReceipt[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const bizId = stringField(entry, 'biz_id');
    const success = booleanField(entry.success);
    if (bizId === null || bizId === '' || success === null) continue;
    const errCode = stringField(entry, 'err_code');
    const outId = stringField(entry, 'out_id');
    receipts.push({
      provider: PROVIDER,
      providerMessageId: bizId,
      status: success ? 'delivered' : failureStatus(errCode),
      errorCode: success || errCode === null || errCode === '' ? null : errCode,
      at:
        shanghaiTime(stringField(entry, 'report_time')) ?? shanghaiTime(stringField(entry, 'send_time')) ?? receivedAt,
      outId: outId === '' ? null : outId,
      messageId: outId === '' ? null : outId,
    });
  }
  return receipts;
}

function booleanField(value: unknown): boolean | null {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

function failureStatus(errCode: string | null): DeliveryStatus {
  return errCode !== null && CARRIER_UNDELIVERED.has(errCode) ? 'undelivered' : 'failed';
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai → the instant, or null when it is not that shape. */
function shanghaiTime(value: string | null): Date | null {
  const match = value === null ? null : /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const at = Date.UTC(y, mo - 1, d, h, mi, s) - SHANGHAI_OFFSET_MS;
  const check = new Date(at + SHANGHAI_OFFSET_MS);
  // Date.UTC rolls 2026-02-31 over into March; a date that does not round-trip is not a date.
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return new Date(at);
}
