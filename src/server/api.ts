import type { APIContext } from 'astro';
import { authenticateApiKey } from '../auth/api-keys.ts';
import { DomainError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { findLenderById } from '../db/repositories/lenders.ts';
import type { ApiError } from '../services/api-responses.ts';
import { database } from './context.ts';
import { log } from './log.ts';

/** Shared plumbing of the JSON API routes: one error shape, bodies read safely, keys checked. */

export const MAX_JSON_BYTES = 64 * 1024;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra: Pick<ApiError['error'], 'field'> = {},
  headers: Record<string, string> = {},
) {
  const body: ApiError = { error: { code, message, ...extra } };
  return json(body, status, headers);
}

/** Runs a route body; domain errors become their 4xx, anything else a logged, opaque 500. */
export async function handle(context: APIContext, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) {
      const extra = error.field ? { field: error.field } : {};
      const headers: Record<string, string> =
        error.status === 401 ? { 'www-authenticate': 'Bearer realm="zhenxin"' } : {};
      return errorResponse(error.status, error.code, error.message, extra, headers);
    }
    log.error({ err: error, requestId: context.locals.requestId }, 'unhandled error in API route');
    return errorResponse(
      500,
      'internal_error',
      `Something went wrong on our side (request ${context.locals.requestId}).`,
    );
  }
}

/** What reading a body needs: a Web Request, or the router's request (router.ts). */
export interface BodySource {
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

export async function readJson(request: BodySource): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new DomainError('unsupported_media_type', 'body: send JSON with "Content-Type: application/json"', {
      status: 415,
      field: 'body',
    });
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  let raw: string;
  try {
    const buffer = await request.arrayBuffer();
    if (buffer.byteLength > MAX_JSON_BYTES) throw tooLarge();
    raw = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new ValidationError('body', 'body: not valid UTF-8 text');
  }
  if (raw.trim() === '') throw new ValidationError('body', 'body: empty; send a JSON object');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ValidationError('body', 'body: not valid JSON', 'invalid_json');
  }
}

function tooLarge() {
  return new DomainError('payload_too_large', `body: larger than ${MAX_JSON_BYTES / 1024} KB`, {
    status: 413,
    field: 'body',
  });
}

/** The query string as a plain object; a parameter given twice is refused rather than guessed at. */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(out, key)) throw new ValidationError(key, `${key}: given more than once`);
    out[key] = value;
  }
  return out;
}

/** The lender whose API key signs this request, or a 401. */
export async function requireLender(request: Pick<BodySource, 'headers'>): Promise<{
  lender: LenderProfile;
  keyId: string;
}> {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const unauthorized = new DomainError(
    'unauthorized',
    header
      ? 'Authorization: this API key is not valid (or was revoked)'
      : 'Authorization: send "Authorization: Bearer <api key>"',
    { status: 401 },
  );
  if (!match?.[1]) throw unauthorized;
  const db = await database();
  const key = await authenticateApiKey(db, match[1]);
  if (!key) throw unauthorized;
  const lender = await findLenderById(db, key.lenderId);
  if (!lender) throw unauthorized;
  return { lender, keyId: key.id };
}

export function clientIp(context: APIContext): string | null {
  try {
    return context.clientAddress;
  } catch {
    return null;
  }
}

export function methodNotAllowed(allow: string): Response {
  return errorResponse(405, 'method_not_allowed', `use ${allow} on this path`, {}, { allow });
}
