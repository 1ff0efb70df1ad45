import { z } from 'zod';
import { parseInput } from '../core/validation.ts';

/**
 * SMS provider settings, read from the environment (by the CLI's config module and by the
 * server through astro:env). A provider chosen without its secrets stops start-up with a
 * message naming the missing variable.
 */

const text = z.string().trim().min(1);

export const smsSettingsSchema = z.discriminatedUnion('SMS_PROVIDER', [
  z.object({
    SMS_PROVIDER: z.literal('dev'),
    DEV_SMS_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  }),
  z.object({
    SMS_PROVIDER: z.literal('twilio'),
    TWILIO_ACCOUNT_SID: text,
    TWILIO_AUTH_TOKEN: text,
    TWILIO_FROM: text,
    TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
    TWILIO_STATUS_CALLBACK_URL: z.url(),
    /** The URL Twilio calls with borrowers' replies (signed over it); default: `incoming` beside the status callback. */
    TWILIO_INCOMING_URL: z.url().optional(),
    SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  }),
  z.object({
    SMS_PROVIDER: z.literal('aliyun'),
    ALIYUN_ACCESS_KEY_ID: text,
    ALIYUN_ACCESS_KEY_SECRET: text,
    ALIYUN_SIGN_NAME: text,
    ALIYUN_TEMPLATE_CODES: z.string().transform((value, ctx) => {
      try {
        return z.record(z.string(), z.string().min(1)).parse(JSON.parse(value));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'must be JSON mapping template keys ("gentle.zh-CN") to TemplateCodes',
        });
        return z.NEVER;
      }
    }),
    ALIYUN_ENDPOINT: z.url().default('https://dysmsapi.aliyuncs.com'),
    ALIYUN_RECEIPT_SECRET: z
      .string()
      .min(24, { error: 'must be at least 24 random characters (it protects the receipt URL)' }),
    SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  }),
]);

export type SmsSettings = z.infer<typeof smsSettingsSchema>;

export function smsSettingsFrom(env: Record<string, string | undefined>): SmsSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return parseInput(smsSettingsSchema, { SMS_PROVIDER: 'dev', ...present });
}

/**
 * The public URL of the incoming-message webhook, exactly as configured at Twilio (its signature
 * covers it): TWILIO_INCOMING_URL, else the status callback's sibling path
 * (`…/api/sms/twilio/status` → `…/api/sms/twilio/incoming`), so one public origin serves both.
 */
export function twilioIncomingUrl(settings: Extract<SmsSettings, { SMS_PROVIDER: 'twilio' }>): string {
  return settings.TWILIO_INCOMING_URL ?? new URL('incoming', settings.TWILIO_STATUS_CALLBACK_URL).href;
}
