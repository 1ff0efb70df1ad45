import * as env from 'astro:env/server';
import { dispatchOutbox } from '../services/dispatcher.ts';
import { type SmsSettings, smsSettingsFrom } from '../sms/config.ts';
import type { SmsProvider } from '../sms/provider.ts';
import { createProvider } from '../sms/select.ts';
import { connection, database } from './context.ts';
import { log } from './log.ts';

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
    TWILIO_INCOMING_URL: env.TWILIO_INCOMING_URL,
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

let provider: SmsProvider | undefined;

/** The configured provider, made once, writing to the server's database (the dev outbox needs it). */
export async function smsProvider(): Promise<SmsProvider> {
  provider ??= createProvider(smsSettings(), await database());
  return provider;
}

/**
 * Sends without holding up the answer (sign-in must take the same time whether or not a text
 * goes out). A failure is logged; the person can ask again.
 */
export function sendInBackground(send: () => Promise<void>, requestId: string): void {
  send().catch((error: unknown) => {
    log.error({ requestId, error: error instanceof Error ? error.message : String(error) }, 'SMS send failed');
  });
}

/** Sends what is waiting in the outbox now (a decision text, say) without holding up the answer. */
export function dispatchSoon(requestId: string): void {
  sendInBackground(async () => {
    await dispatchOutbox(await connection(), await smsProvider());
  }, requestId);
}
