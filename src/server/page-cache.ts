import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { type Locale, localeOf } from '../i18n/locale.ts';
import { type Coding, compressBody, MIN_COMPRESS_BYTES, negotiateCoding, varyWithEncoding } from './compression.ts';
import { database } from './context.ts';
import { cookieValue } from './cookie-value.ts';
import { logRequest, requestIdOf } from './log.ts';

/**
 * Pages that are the same for every visitor who reads them in one language, answered from their
 * last rendering while the lender list they were rendered from is still the current one.
 *
 * The home page is the busiest page and says the same to everyone: the three ways to check, the
 * warnings and the lender list. Astro renders it, and that rendering is kept, with its
 * compressed copies, until `listLendersCached` hands out a different list: at the latest when the
 * list itself is read again (LENDER_CACHE_MS, one second), at once when this process changed a
 * lender. So the page is never staler than the list every public check already uses, and the
 * rendering, the middleware and the compression run about once a second per language instead of
 * on every request.
 *
 * What decides the answer is only the path and the language (the `lang` cookie, else
 * Accept-Language, else zh-CN: `localeOf`, which the middleware uses too). A request with a query
 * (`?lang=` sets a cookie) is not answered from here, and only a plain 200 HTML rendering with no
 * cookie and no `no-store` is kept. Each answer still gets its own request id and log line.
 */

export const CACHED_PAGES: ReadonlySet<string> = new Set(['/']);

interface Rendering {
  /** The lender list the page was rendered from: the entry holds while it is the current one. */
  lenders: Promise<unknown>;
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  compressed: Partial<Record<Coding, Promise<Buffer>>>;
}

const renderings = new Map<string, Rendering>();

type Request = Pick<IncomingMessage, 'method' | 'headers'>;

function keyOf(path: string, locale: Locale): string {
  return `${locale} ${path}`;
}

function localeOfRequest(req: Request): Locale {
  const accept = req.headers['accept-language'];
  return localeOf(null, cookieValue(req.headers.cookie, 'lang'), typeof accept === 'string' ? accept : null);
}

/** A page request this cache may answer or learn from: GET or HEAD, a listed path, no query. */
export function cacheablePage(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && CACHED_PAGES.has(url);
}

/**
 * Answers a cacheable page request from its last rendering when that is still current; false
 * when the caller must render it (and may `learnPage` from that).
 */
export async function answerFromCache(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const started = performance.now();
  const rendering = renderings.get(keyOf(path, localeOfRequest(req)));
  if (!rendering) return false;
  if (listLendersCached(await database()) !== rendering.lenders) return false;
  const given = req.headers['x-request-id'];
  const requestId = requestIdOf(typeof given === 'string' ? given : undefined);
  const coding = req.method === 'HEAD' ? null : negotiateCoding(req.headers['accept-encoding']);
  let body = rendering.body;
  const headers: OutgoingHttpHeaders = { ...rendering.headers, 'x-request-id': requestId };
  if (coding && body.length >= MIN_COMPRESS_BYTES) {
    // A compression that failed is not kept: the next request tries again.
    rendering.compressed[coding] ??= compressBody(body, coding).catch((error: unknown) => {
      delete rendering.compressed[coding];
      throw error;
    });
    body = await rendering.compressed[coding];
    headers['content-encoding'] = coding;
  }
  headers['content-length'] = String(body.length);
  res.writeHead(rendering.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  logRequest({ requestId, method: req.method, path, status: rendering.status, cached: true }, started);
  return true;
}

/**
 * Keeps what Astro writes for this request as the page's rendering, when it is one that may be
 * kept. Call before the page is rendered, after any other wrapper of `res` (compression) is in
 * place: the body is read here as Astro writes it, before it is compressed.
 */
export async function learnPage(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'GET') return;
  // Taken before rendering: the page reads this same list, so the rendering holds while it does.
  const lenders = listLendersCached(await database());
  const locale = localeOfRequest(req);
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    // Astro's adapter passes every header here (none is set before), so connection headers the
    // server set on this response (a drain's `Connection: close`) are never kept.
    const headers = (rest.find((arg) => typeof arg === 'object' && arg !== null) ?? {}) as OutgoingHttpHeaders;
    const result = (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
    if (status !== 200 || !keepable(headers)) return result;
    const chunks: Buffer[] = [];
    const write = res.write;
    const end = res.end;
    res.write = function (this: ServerResponse, chunk: unknown, ...args: unknown[]) {
      if (chunk != null) chunks.push(Buffer.from(chunk as Uint8Array | string));
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...args);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, ...args: unknown[]) {
      if (chunk != null && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Uint8Array | string));
      const { 'x-request-id': _, 'content-length': __, ...kept } = headers;
      renderings.set(keyOf(path, locale), {
        lenders,
        status,
        headers: { ...kept, vary: varyWithEncoding(kept.vary) },
        body: Buffer.concat(chunks),
        compressed: {},
      });
      return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...args);
    } as ServerResponse['end'];
    return result;
  } as ServerResponse['writeHead'];
}

function keepable(headers: OutgoingHttpHeaders): boolean {
  const type = headers['content-type'];
  const cacheControl = String(headers['cache-control'] ?? '');
  return (
    typeof type === 'string' &&
    type.startsWith('text/html') &&
    headers['set-cookie'] === undefined &&
    headers['content-encoding'] === undefined &&
    !/no-store|private/i.test(cacheControl)
  );
}
