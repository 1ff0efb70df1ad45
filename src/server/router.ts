import { PUBLIC_ORIGIN } from 'astro:env/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTROL_CHARACTER_MESSAGE, controlCharacterInUrl } from '../core/validation.ts';
import { type Locale, localeOf } from '../i18n/locale.ts';
import { type ApiAnswer, type ApiRequest, answerForError, apiError, type Method } from './api-answer.ts';
import { API_ROUTES } from './api-routes.ts';
import { CLIENT_ADDRESS_HEADER } from './client-address.ts';
import { compressBody, MIN_COMPRESS_BYTES, negotiateCoding, varyWithEncoding } from './compression.ts';
import { cookieValue } from './cookie-value.ts';
import { allowedOrigins, CORS_PATHS } from './cors.ts';
import { log, logRequest, requestIdOf, safePath } from './log.ts';
import { compile, matchRoute } from './route-match.ts';
import { baseSecurityHeaders, CSP } from './security-headers.ts';

/**
 * The JSON API (/api/…), answered by scripts/serve.ts before Astro's page pipeline sees the
 * request: a route table (api-routes.ts) of plain async functions over node:http, with the steps
 * the pages' middleware gives a page — a request id and log line, the security headers, CORS on
 * the public verification path, the cross-site check, the locale — done here once, in order.
 * Handlers validate with the services' zod schemas and answer `{ error: { code, message } }` on
 * any refusal; bodies over 1 KB are compressed when the client accepts it.
 */

const TABLE = compile(API_ROUTES);

// ---------------------------------------------------------------------------------------------
// The pipeline

const SECURITY = {
  ...baseSecurityHeaders(import.meta.env.PROD),
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
};
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Paths the router answers: everything under /api/ (an unknown one with the API's 404). */
export function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The one place the router learns the client's address (every per-client budget keys on it):
 * as scripts/serve.ts worked it out from the socket and, behind TRUST_PROXY proxies, from
 * X-Forwarded-For (client-address.ts); it replaces any such header the client sent.
 */
function clientAddressOf(req: IncomingMessage): string | null {
  return header(req, CLIENT_ADDRESS_HEADER) ?? req.socket.remoteAddress ?? null;
}

function localeOfRequest(req: IncomingMessage, url: URL): Locale {
  return localeOf(
    url.searchParams.get('lang'),
    cookieValue(req.headers.cookie, 'lang'),
    header(req, 'accept-language'),
  );
}

/** The body as one buffer (serve.ts may have wrapped the stream in its size limit as `req.body`). */
async function readAll(req: IncomingMessage): Promise<ArrayBuffer> {
  const source = (req as IncomingMessage & { body?: AsyncIterable<Buffer> }).body ?? req;
  const chunks: Buffer[] = [];
  for await (const chunk of source as AsyncIterable<Buffer>) chunks.push(chunk);
  const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  return whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) as ArrayBuffer;
}

/**
 * CORS for the public verification path: a lender's registered origin (exact match) may call it
 * from a browser; the allowed origin is echoed only when it is on the list, never reflected.
 */
async function corsHeaders(origin: string | null): Promise<{ allowed: boolean; headers: Record<string, string> }> {
  if (origin && (await allowedOrigins()).has(origin)) {
    // Retry-After is not readable across origins unless exposed: the widget says how long to wait.
    return {
      allowed: true,
      headers: {
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'Retry-After',
        vary: 'Origin',
      },
    };
  }
  return { allowed: false, headers: { vary: 'Origin' } };
}

/**
 * Refuses cross-site unsafe requests whatever their content type. Sec-Fetch-Site is set by the
 * browser and cannot be forged by a page, so it decides when present; otherwise the Origin
 * header must be ours. Server-to-server clients send neither and are authenticated by their key.
 */
function crossSite(req: IncomingMessage, url: URL): boolean {
  const origin = header(req, 'origin');
  const site = header(req, 'sec-fetch-site');
  const ownOrigin = PUBLIC_ORIGIN ?? url.origin;
  return site !== null ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== ownOrigin;
}

async function answer(req: IncomingMessage, url: URL, requestId: string, corsAllowed: boolean): Promise<ApiAnswer> {
  const method = req.method ?? 'GET';
  const found = matchRoute(TABLE, url.pathname);
  if (UNSAFE_METHODS.has(method) && crossSite(req, url) && !corsAllowed) {
    log.warn(
      { requestId, origin: header(req, 'origin'), site: header(req, 'sec-fetch-site'), path: safePath(url.pathname) },
      'cross-site request refused',
    );
    return apiError(403, 'cross_site_request', 'Cross-site requests that change data are refused.');
  }
  // No link of ours holds a control character, and PostgreSQL cannot even compare a value with
  // U+0000 in it: a path holding one names nothing; a query parameter holding one is refused by name.
  const control = controlCharacterInUrl(url);
  if (control === 'path') return apiError(404, 'not_found', 'nothing at this path: it holds a control character');
  if (control !== null) {
    return apiError(400, 'invalid_request', `${control}: ${CONTROL_CHARACTER_MESSAGE}`, { field: control });
  }
  if (!found) return apiError(404, 'not_found', `no API endpoint at ${url.pathname}`);
  const { compiled, params } = found;
  const methods = compiled.route.methods;
  const handler = methods[method as Method] ?? (method === 'HEAD' ? methods.GET : undefined);
  if (!handler) {
    return apiError(405, 'method_not_allowed', `use ${compiled.allow} on this path`, {}, { allow: compiled.allow });
  }
  const request: ApiRequest = {
    method,
    url,
    params,
    headers: { get: (name) => header(req, name.toLowerCase()) },
    clientIp: clientAddressOf(req),
    requestId,
    locale: localeOfRequest(req, url),
    arrayBuffer: () => readAll(req),
  };
  return handler(request);
}

/** The answer to a failed request (api-answer.ts); what is not the client's doing is logged. */
function failure(error: unknown, requestId: string): ApiAnswer {
  const { answer, logged } = answerForError(error, requestId);
  if (logged) log.error({ err: error, requestId }, logged);
  return answer;
}

/** Answers one /api/… request in full (scripts/serve.ts calls it for every such path). */
export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const started = performance.now();
  const given = header(req, 'x-request-id');
  const requestId = requestIdOf(given);
  const method = req.method ?? 'GET';
  let result: ApiAnswer;
  let extra: Record<string, string> = {};
  try {
    if (CORS_PATHS.has(url.pathname)) {
      const cors = await corsHeaders(header(req, 'origin'));
      extra = cors.headers;
      if (method === 'OPTIONS') {
        result = {
          status: 204,
          headers: cors.allowed
            ? {
                'access-control-allow-methods': 'POST',
                'access-control-allow-headers': 'content-type, accept-language',
                'access-control-max-age': '600',
              }
            : {},
        };
      } else result = await answer(req, url, requestId, cors.allowed);
    } else result = await answer(req, url, requestId, false);
  } catch (error) {
    result = failure(error, requestId);
  }
  await send(req, res, method, result, { ...SECURITY, ...extra, 'x-request-id': requestId });
  logRequest({ requestId, method, path: url.pathname, status: result.status }, started);
}

async function send(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  result: ApiAnswer,
  always: Record<string, string>,
): Promise<void> {
  const headers: Record<string, string> = { ...(result.headers ?? {}), ...always };
  let body: Buffer | null = result.body == null ? null : Buffer.from(result.body);
  if (body && body.length >= MIN_COMPRESS_BYTES && !headers['content-encoding']) {
    headers.vary = varyWithEncoding(headers.vary);
    const coding = negotiateCoding(header(req, 'accept-encoding'));
    if (coding) {
      body = await compressBody(body, coding);
      headers['content-encoding'] = coding;
    }
  }
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(result.status, headers);
  res.end(method === 'HEAD' ? undefined : (body ?? undefined));
}
