import { ProviderTimeoutError } from './provider.ts';

/**
 * Whether the provider has the message is still unknown: a send whose connection broke after the
 * request may have been delivered, a success answer that could not be read, or a lookup that got
 * no usable answer. For the dispatcher this is the timeout case (keep the message as unknown and
 * look it up again later, never send blindly), so it extends `ProviderTimeoutError`.
 */
export class ProviderOutcomeUnknownError extends ProviderTimeoutError {
  constructor(provider: string, detail: string) {
    super(provider, 0);
    this.name = 'ProviderOutcomeUnknownError';
    this.message = `${provider}: outcome unknown (${detail})`;
  }
}

export type HttpExchange =
  | { reached: true; status: number; body: string }
  /** Failed before the request could be delivered: sending again cannot duplicate anything. */
  | { reached: false; error: string };

export interface HttpRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/**
 * Error codes raised while connecting, before a single byte of the request went out. Anything else
 * (a reset or a close after the request was written) leaves the outcome unknown.
 */
const NOTHING_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * One HTTP exchange with a provider, bounded by `timeoutMs` from the start of the request to the
 * end of the answer's body. Throws `ProviderTimeoutError` when the time runs out and
 * `ProviderOutcomeUnknownError` when the connection failed after the request may have been delivered.
 */
export async function exchange(
  provider: string,
  url: string,
  request: HttpRequest,
  timeoutMs: number,
): Promise<HttpExchange> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { ...request, signal, redirect: 'manual' });
    const body = await response.text();
    return { reached: true, status: response.status, body };
  } catch (error) {
    // The signal, not the error's shape, says whether our deadline fired: undici reports an abort
    // during the body read differently from one during the connection.
    if (signal.aborted) throw new ProviderTimeoutError(provider, timeoutMs);
    const code = failureCode(error);
    if (code !== null && NOTHING_SENT.has(code)) return { reached: false, error: code };
    throw new ProviderOutcomeUnknownError(provider, code ?? describe(error));
  }
}

/** The first `code` found along an error's cause chain (undici nests the socket error under `cause`). */
function failureCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code: unknown = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (current instanceof AggregateError) {
      const first: unknown = current.errors[0];
      if (first instanceof Error) {
        current = first;
        continue;
      }
    }
    current = current.cause;
  }
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A short excerpt of an unexpected answer, for error messages. */
export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
