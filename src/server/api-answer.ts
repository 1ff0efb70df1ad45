import { DomainError, RateLimitedError } from '../core/errors.ts';
import { isStorageFull } from '../db/storage-errors.ts';
import type { Locale } from '../i18n/locale.ts';
import type { ApiError } from '../services/api-responses.ts';

/** The JSON API's terms (router.ts): what a handler is given and what it answers. */

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** What a handler is given: the parts of the request it may read, parsed once. */
export interface ApiRequest {
  readonly method: string;
  readonly url: URL;
  /** The path's `:name` segments, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: { get(name: string): string | null };
  readonly clientIp: string | null;
  readonly requestId: string;
  readonly locale: Locale;
  /** The whole body (once); serve.ts holds it to its size limit. */
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface ApiAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string | null;
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiAnswer> | ApiAnswer;

export interface ApiRoute {
  /** `/api/v1/loans/:externalId/balance`: literal segments and `:name` parameters. */
  path: string;
  methods: Partial<Record<Method, ApiHandler>>;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): ApiAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function apiError(
  status: number,
  code: string,
  message: string,
  extra: Pick<ApiError['error'], 'field' | 'retryAfter'> = {},
  headers: Record<string, string> = {},
): ApiAnswer {
  const body: ApiError = { error: { code, message, ...extra } };
  return json(body, status, headers);
}

/** An answer made as a Web Response elsewhere (the rate limiter's 429) in the router's terms. */
export async function fromResponse(response: Response): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const body = await response.text();
  return { status: response.status, headers, body: body === '' ? null : body };
}

/**
 * A failed request's answer: domain errors become their 4xx (a 429 with Retry-After), a body
 * over its limit 413, a full disk a 503 saying so (nothing was saved: the transaction rolled back
 * whole), anything else an opaque 500. `logged` is the log line for what is not the client's doing.
 */
export function answerForError(error: unknown, requestId: string): { answer: ApiAnswer; logged?: string } {
  if (error instanceof RateLimitedError) {
    const wait = String(error.retryAfter);
    return {
      answer: apiError(
        error.status,
        error.code,
        error.message,
        { retryAfter: error.retryAfter },
        { 'retry-after': wait },
      ),
    };
  }
  if (error instanceof DomainError) {
    const extra = error.field ? { field: error.field } : {};
    const headers: Record<string, string> =
      error.status === 401 ? { 'www-authenticate': 'Bearer realm="zhenxin"' } : {};
    return { answer: apiError(error.status, error.code, error.message, extra, headers) };
  }
  if (error instanceof Error && error.message.startsWith('Body size limit exceeded')) {
    return { answer: apiError(413, 'payload_too_large', 'body: too large', { field: 'body' }) };
  }
  if (isStorageFull(error)) {
    return {
      answer: apiError(
        503,
        'storage_full',
        `The server cannot save anything right now (its storage is full); nothing was changed. Try again later (request ${requestId}).`,
        {},
        { 'retry-after': '60' },
      ),
      logged: 'storage full: the database refused a write',
    };
  }
  return {
    answer: apiError(500, 'internal_error', `Something went wrong on our side (request ${requestId}).`),
    logged: 'unhandled error in API route',
  };
}
