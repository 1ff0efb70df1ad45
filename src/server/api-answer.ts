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
