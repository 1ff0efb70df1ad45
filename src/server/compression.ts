import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/**
 * Content negotiation for answers made per request (pages, JSON): Brotli at a quality cheap
 * enough to run on every answer, else gzip, else as they are. Text types over 1 KB only: below
 * that the header and a round trip dominate, and images and fonts are compressed already.
 * Static files are compressed once, at build time (scripts/precompress.ts), at Brotli's best.
 */

export type Coding = 'br' | 'gzip';

/** Worth compressing: below this the saving is lost in packet and header overhead. */
export const MIN_COMPRESS_BYTES = 1024;

/** Brotli 4: about gzip 9's ratio at a fraction of its time; 11 is for files compressed once. */
export const DYNAMIC_BROTLI_QUALITY = 4;

/**
 * HTML, CSS, JavaScript, JSON, XML, SVG and plain text. Not CSV: a report download may be large
 * and is streamed as it is made.
 */
const COMPRESSIBLE_TYPE =
  /^(?:text\/(?:html|css|javascript|plain|xml)|application\/(?:json|javascript|xml|[\w.+-]+\+(?:json|xml))|image\/svg\+xml)\b/i;

export function compressibleType(contentType: string | undefined | null): boolean {
  return !!contentType && COMPRESSIBLE_TYPE.test(contentType);
}

/**
 * The coding the client accepts: br, then gzip (or `*`); `q=0` refuses a coding; null means send
 * the body as it is.
 */
export function negotiateCoding(accept: string | undefined | null): Coding | null {
  if (!accept) return null;
  let gzipOk = false;
  let brOk = false;
  let anyOk = false;
  for (const part of accept.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q\s*=\s*0(?:\.0*)?\s*$/.test(p));
    if (refused) continue;
    const coding = name.trim();
    if (coding === 'br') brOk = true;
    else if (coding === 'gzip' || coding === 'x-gzip') gzipOk = true;
    else if (coding === '*') anyOk = true;
  }
  if (brOk) return 'br';
  if (gzipOk || anyOk) return 'gzip';
  return null;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Compresses one answer's body off the main thread (zlib's thread pool). */
export function compressBody(body: Buffer, coding: Coding): Promise<Buffer> {
  if (coding === 'br') {
    return brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: DYNAMIC_BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
  }
  return gzipAsync(body, { level: 6 });
}

/** Adds Accept-Encoding to a Vary header's value (keeping what is there, once). */
export function varyWithEncoding(vary: string | number | readonly string[] | undefined): string {
  const current = Array.isArray(vary) ? vary.join(', ') : vary === undefined ? '' : String(vary);
  if (/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(current) || current.trim() === '*') return current;
  return current.trim() ? `${current}, Accept-Encoding` : 'Accept-Encoding';
}

type WriteHeadArgs = [status: number, ...rest: unknown[]];

/**
 * Compresses a text answer a handler writes to a node:http response (Astro's pages, through its
 * adapter) when the client accepts it: held until its end, then written once with its length,
 * compressed when it came to 1 KB or more. Pages are small and rendered whole, so holding them
 * costs no first byte worth having. Without an accepted coding the answer streams as written.
 * Every text answer says `Vary: Accept-Encoding`, whether or not this one was compressed.
 */
export function compressWhatIsWritten(
  req: { method?: string | undefined; headers: { 'accept-encoding'?: string | undefined } },
  res: import('node:http').ServerResponse,
): void {
  const coding = req.method === 'HEAD' ? null : negotiateCoding(req.headers['accept-encoding']);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => unknown;
  const end = res.end.bind(res) as (...args: unknown[]) => unknown;
  res.writeHead = ((...args: WriteHeadArgs) => {
    const [status] = args;
    const headersAt = typeof args[1] === 'string' ? 2 : 1;
    const given = (args[headersAt] ?? {}) as Record<string, string | number | string[] | undefined>;
    const type = given['content-type'] ?? res.getHeader('content-type');
    const textual =
      status >= 200 &&
      status !== 204 &&
      status !== 304 &&
      !given['content-encoding'] &&
      compressibleType(typeof type === 'string' ? type : undefined);
    if (!textual) return writeHead(...args);
    const headers: Record<string, string | number | string[] | undefined> = {
      ...given,
      vary: varyWithEncoding(given.vary),
    };
    args[headersAt] = headers;
    if (!coding) return writeHead(...args);
    // Held until the end: the length and the coding depend on the whole body.
    const chunks: Buffer[] = [];
    res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
      if (chunk != null) chunks.push(toBuffer(chunk, encoding));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
      if (chunk != null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding));
      const done = [chunk, encoding, callback].find((a) => typeof a === 'function') as (() => void) | undefined;
      const body = Buffer.concat(chunks);
      const finish = (sent: Buffer, encoded: boolean) => {
        headers['content-length'] = String(sent.length);
        if (encoded) headers['content-encoding'] = coding;
        writeHead(...args);
        end(sent, done);
      };
      if (body.length < MIN_COMPRESS_BYTES) finish(body, false);
      else {
        compressBody(body, coding).then(
          (compressed) => finish(compressed, true),
          () => finish(body, false),
        );
      }
      return res;
    }) as typeof res.end;
    return res;
  }) as typeof res.writeHead;
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
