import type { APIContext } from 'astro';
import { authenticateApiKey } from '../auth/api-keys.ts';
import { DomainError, RateLimitedError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import {
  CONTROL_CHARACTER_MESSAGE,
  cleanJson,
  hasControlCharacters,
  parseInput,
  stripControlCharacters,
} from '../core/validation.ts';
import { findLenderById } from '../db/repositories/lenders.ts';
import type { ApiError } from '../services/api-responses.ts';
import { CLIENT_ADDRESS_HEADER } from './client-address.ts';
import { database } from './context.ts';
import { lenderRequestsPerMinute, secondsBlocked, secondsUntilAllowed } from './rate-limit.ts';

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
  extra: Pick<ApiError['error'], 'field' | 'retryAfter'> = {},
  headers: Record<string, string> = {},
) {
  const body: ApiError = { error: { code, message, ...extra } };
  return json(body, status, headers);
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    throw new ValidationError('body', 'body: not valid JSON', 'invalid_json');
  }
  return parseInput(cleanJson, parsed);
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
    if (hasControlCharacters(key) || hasControlCharacters(value)) {
      const name = stripControlCharacters(key);
      throw new ValidationError(name, `${name}: ${CONTROL_CHARACTER_MESSAGE}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * The lender whose API key signs this request, or a 401; a 429 when the key has spent its
 * budget, or when this address has sent too many keys that are not valid (checked before the key,
 * so a guesser learns nothing more once blocked).
 */
export async function requireLender(request: {
  headers: BodySource['headers'];
  clientIp: string | null;
}): Promise<{ lender: LenderProfile; keyId: string }> {
  const address = request.clientIp ?? 'unknown';
  const blocked = await secondsBlocked('lenderApiBadKey', address);
  if (blocked !== null) {
    throw new RateLimitedError(
      blocked,
      `Too many requests with an API key that is not valid from this address; try again in ${blocked} s.`,
    );
  }
  const authenticated = await authenticate(request.headers);
  if (!authenticated.ok) {
    await secondsUntilAllowed('lenderApiBadKey', address);
    throw authenticated.error;
  }
  const wait = await secondsUntilAllowed('lenderApi', authenticated.keyId);
  if (wait !== null) {
    throw new RateLimitedError(
      wait,
      `Too many requests with this API key (at most ${lenderRequestsPerMinute()} a minute); try again in ${wait} s.`,
    );
  }
  return { lender: authenticated.lender, keyId: authenticated.keyId };
}

async function authenticate(
  headers: BodySource['headers'],
): Promise<{ ok: true; lender: LenderProfile; keyId: string } | { ok: false; error: DomainError }> {
  const header = headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const unauthorized = new DomainError(
    'unauthorized',
    header
      ? 'Authorization: this API key is not valid (or was revoked)'
      : 'Authorization: send "Authorization: Bearer <api key>"',
    { status: 401 },
  );
  if (!match?.[1]) return { ok: false, error: unauthorized };
  const db = await database();
  const key = await authenticateApiKey(db, match[1]);
  if (!key) return { ok: false, error: unauthorized };
  const lender = await findLenderById(db, key.lenderId);
  if (!lender) return { ok: false, error: unauthorized };
  return { ok: true, lender, keyId: key.id };
}

/** The client's address as scripts/serve.ts worked it out (TRUST_PROXY; see client-address.ts). */
export function clientIp(context: Pick<APIContext, 'request' | 'clientAddress'>): string | null {
  const resolved = context.request.headers.get(CLIENT_ADDRESS_HEADER);
  if (resolved) return resolved;
  try {
    return context.clientAddress;
  } catch {
    return null;
  }
}

export function methodNotAllowed(allow: string): Response {
  return errorResponse(405, 'method_not_allowed', `use ${allow} on this path`, {}, { allow });
}
