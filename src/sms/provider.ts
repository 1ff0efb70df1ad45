/**
 * One interface for every SMS provider. The dispatcher never learns which one it talks to.
 *
 * Contract for implementers:
 * - `send` resolves `{ outcome: 'sent' }` when the provider accepted the message, `'rejected'`
 *   when it refused it for good (bad number, blocked content: retrying cannot help), `'retry'`
 *   when it failed in a way worth retrying (5xx, throttling, connection refused). It throws
 *   `ProviderTimeoutError` when the answer did not come in time: the message may or may not
 *   have gone out, so the dispatcher will `lookup` before sending again, never re-send blindly.
 * - `lookup` asks the provider whether it has a message we tried to send (by our message id,
 *   or whatever unique trace the provider keeps), so a timeout or a crash is reconciled.
 */

export interface OutgoingSms {
  /** Our message id: unique, stable across retries (Aliyun's OutId, the dev outbox's key). */
  messageId: string;
  /** E.164. */
  to: string;
  /** The exact text, signature included. */
  text: string;
  /** Template reference and variables, for providers that send registered templates (Aliyun). */
  template: { key: string; params: Record<string, string> };
  /** When the first attempt was made (lookups search from here). */
  firstAttemptAt: Date;
}

export type SendResult =
  | { outcome: 'sent'; providerMessageId: string }
  | { outcome: 'rejected'; error: string }
  | { outcome: 'retry'; error: string };

export type LookupResult =
  | { found: true; providerMessageId: string; status: DeliveryStatus | 'sent' }
  | { found: false };

export type DeliveryStatus = 'delivered' | 'undelivered' | 'failed';

/** A delivery receipt, normalised from a provider's callback. */
export interface DeliveryReceipt {
  provider: string;
  providerMessageId: string;
  /** Our own message id when the provider echoes it (Aliyun's OutId): matched first. */
  messageId?: string | null;
  /** 'sent' receipts (accepted by the carrier) are recorded but change nothing. */
  status: DeliveryStatus | 'sent';
  errorCode: string | null;
  at: Date;
}

export interface SmsProvider {
  readonly name: string;
  send(message: OutgoingSms): Promise<SendResult>;
  lookup(message: OutgoingSms): Promise<LookupResult>;
}

export class ProviderTimeoutError extends Error {
  constructor(provider: string, ms: number) {
    super(`${provider}: no answer within ${ms} ms`);
    this.name = 'ProviderTimeoutError';
  }
}
