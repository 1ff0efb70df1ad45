import { timingSafeEqual } from 'node:crypto';
import { DomainError, ValidationError } from '../core/errors.ts';
import { ALIYUN_REPORT_ANSWER } from '../sms/aliyun.ts';
import { MAX_TWILIO_FORM_BYTES } from '../sms/inbound.ts';
import type { BodySource } from './api.ts';
import { type ApiAnswer, apiError } from './api-answer.ts';
import { smsSettings } from './sms.ts';

/**
 * What the providers' webhooks share: reading Twilio's form body within a size limit, the
 * Aliyun secret path check, and the answers each provider expects.
 *
 * They are server-to-server posts: a provider sends neither Origin nor Sec-Fetch-Site, so the
 * middleware's cross-site check lets them through, while a browser made to post here from another
 * site is refused like anywhere else. Their own proof is the signature (Twilio) or the secret path
 * (Aliyun), never a cookie.
 */

/** What Aliyun's pushes must be answered with (it checks only that `code` is a number). */
export const ALIYUN_UPSTREAM_ANSWER = ALIYUN_REPORT_ANSWER;

/** The posted fields of a Twilio webhook; 415 for another content type, 413 past the limit. */
export async function readTwilioForm(request: BodySource): Promise<Record<string, string>> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new DomainError('unsupported_media_type', 'body: Twilio posts application/x-www-form-urlencoded', {
      status: 415,
      field: 'body',
    });
  }
  const tooLarge = new DomainError('payload_too_large', `body: larger than ${MAX_TWILIO_FORM_BYTES / 1024} KB`, {
    status: 413,
    field: 'body',
  });
  if (Number(request.headers.get('content-length') ?? 0) > MAX_TWILIO_FORM_BYTES) throw tooLarge;
  const buffer = await request.arrayBuffer();
  if (buffer.byteLength > MAX_TWILIO_FORM_BYTES) throw tooLarge;
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new ValidationError('body', 'body: not valid UTF-8 text');
  }
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // Twilio never repeats a field; one that comes twice was not written by Twilio.
    if (Object.hasOwn(params, key)) throw new ValidationError(key, `${key}: given more than once`);
    params[key] = value;
  }
  return params;
}

/**
 * Aliyun's pushes carry ALIYUN_RECEIPT_SECRET in the path instead of a signature. A wrong secret
 * (or Aliyun not being the provider here) answers like an unknown path, so it reveals nothing.
 */
export function aliyunSecretRefusal(secret: string, pathname: string): ApiAnswer | null {
  const settings = smsSettings();
  const given = Buffer.from(secret);
  const expected = Buffer.from(settings.SMS_PROVIDER === 'aliyun' ? settings.ALIYUN_RECEIPT_SECRET : '');
  if (expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected)) return null;
  return apiError(404, 'not_found', `no API endpoint at ${pathname.replace(/\/aliyun\/[^/]+/, '/aliyun/…')}`);
}
