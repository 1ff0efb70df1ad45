import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { SmsSettings } from './config.ts';
import { createDevOutboxProvider } from './dev-outbox.ts';
import type { SmsProvider } from './provider.ts';

/** The provider the settings name. */
export function createProvider(settings: SmsSettings, db: Kysely<Database>): SmsProvider {
  switch (settings.SMS_PROVIDER) {
    case 'dev':
      return createDevOutboxProvider(db, { delayMs: settings.DEV_SMS_DELAY_MS });
    default:
      throw new Error(`SMS provider "${settings.SMS_PROVIDER}" is not available in this build`);
  }
}
