import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createAliyunProvider } from './aliyun.ts';
import type { SmsSettings } from './config.ts';
import { createDevOutboxProvider } from './dev-outbox.ts';
import type { SmsProvider } from './provider.ts';
import { createTwilioProvider } from './twilio.ts';

/** The provider the settings name. */
export function createProvider(settings: SmsSettings, db: Kysely<Database>): SmsProvider {
  switch (settings.SMS_PROVIDER) {
    case 'dev':
      return createDevOutboxProvider(db, { delayMs: settings.DEV_SMS_DELAY_MS });
    case 'twilio':
      return createTwilioProvider({
        accountSid: settings.TWILIO_ACCOUNT_SID,
        authToken: settings.TWILIO_AUTH_TOKEN,
        from: settings.TWILIO_FROM,
        baseUrl: settings.TWILIO_BASE_URL,
        statusCallbackUrl: settings.TWILIO_STATUS_CALLBACK_URL,
        timeoutMs: settings.SMS_TIMEOUT_MS,
      });
    case 'aliyun':
      return createAliyunProvider({
        accessKeyId: settings.ALIYUN_ACCESS_KEY_ID,
        accessKeySecret: settings.ALIYUN_ACCESS_KEY_SECRET,
        signName: settings.ALIYUN_SIGN_NAME,
        templateCodes: settings.ALIYUN_TEMPLATE_CODES,
        endpoint: settings.ALIYUN_ENDPOINT,
        timeoutMs: settings.SMS_TIMEOUT_MS,
      });
  }
}
