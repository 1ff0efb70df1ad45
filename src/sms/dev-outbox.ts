import type { Kysely } from 'kysely';
import { nowIso } from '../db/ids.ts';
import { findDevSms, insertDevSms } from '../db/repositories/outbox.ts';
import type { Database } from '../db/schema.ts';
import type { LookupResult, OutgoingSms, SendResult, SmsProvider } from './provider.ts';

/**
 * The development provider: "sending" writes the SMS into the dev outbox table, which
 * `cli outbox` lists. It keeps every attempt (no uniqueness), so a double send would show.
 * `delayMs` makes each send take a while, which lets tests stop a worker mid-run.
 */
export function createDevOutboxProvider(db: Kysely<Database>, options: { delayMs?: number } = {}): SmsProvider {
  const delay = options.delayMs ?? 0;
  return {
    name: 'dev',
    async send(message: OutgoingSms): Promise<SendResult> {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const id = await insertDevSms(db, { messageId: message.messageId, to: message.to, text: message.text }, nowIso());
      return { outcome: 'sent', providerMessageId: id };
    },
    async lookup(message: OutgoingSms): Promise<LookupResult> {
      const row = await findDevSms(db, message.messageId);
      return row ? { found: true, providerMessageId: row.id, status: 'sent' } : { found: false };
    },
  };
}
