import * as env from 'astro:env/server';
import { type SmsSettings, smsSettingsFrom } from '../sms/config.ts';

/** The SMS settings from astro:env, validated once: a provider without its secrets stops start-up. */
let settings: SmsSettings | undefined;

export function smsSettings(): SmsSettings {
  settings ??= smsSettingsFrom({
    SMS_PROVIDER: env.SMS_PROVIDER,
    SMS_TIMEOUT_MS: env.SMS_TIMEOUT_MS?.toString(),
    TWILIO_ACCOUNT_SID: env.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: env.TWILIO_AUTH_TOKEN,
    TWILIO_FROM: env.TWILIO_FROM,
    TWILIO_BASE_URL: env.TWILIO_BASE_URL,
    TWILIO_STATUS_CALLBACK_URL: env.TWILIO_STATUS_CALLBACK_URL,
    ALIYUN_ACCESS_KEY_ID: env.ALIYUN_ACCESS_KEY_ID,
    ALIYUN_ACCESS_KEY_SECRET: env.ALIYUN_ACCESS_KEY_SECRET,
    ALIYUN_SIGN_NAME: env.ALIYUN_SIGN_NAME,
    ALIYUN_TEMPLATE_CODES: env.ALIYUN_TEMPLATE_CODES,
    ALIYUN_ENDPOINT: env.ALIYUN_ENDPOINT,
    ALIYUN_RECEIPT_SECRET: env.ALIYUN_RECEIPT_SECRET,
    DEV_SMS_DELAY_MS: env.DEV_SMS_DELAY_MS?.toString(),
  });
  return settings;
}
