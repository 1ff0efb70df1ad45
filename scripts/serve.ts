import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { negotiateCoding, sendWhole } from '../src/server/compression.ts';

/**
 * The HTTP server every run uses (npm start, the demo, tests, benchmarks). Astro's node adapter
 * runs in middleware mode behind it:
 * - the built static files (the stylesheet, the icon, the widget) are read once at start and
 *   served from memory with ETag and Last-Modified (and 304s), as the .br/.gz copies the build
 *   wrote beside them (scripts/precompress.ts) when the client accepts one; the adapter's own
 *   server looked each request's path up on disk first;
 * - /api/… is answered by the JSON API router (src/server/router.ts, built as dist/server/api.mjs
 *   with the server's modules), never by Astro's page pipeline;
 * - pages' text answers over 1 KB are compressed (Brotli 4 or gzip) when the client accepts it;
 * - an absolute-form request line (`GET http://host/path HTTP/1.1`) is routed by its path when
 *   its host is the Host header's, else refused with 400 (it was served as the home page);
 * - a method Node's `Request` refuses (TRACE) or a Host header carrying a user name
 *   ("user@host") made the adapter throw before any of our code ran — a bare 500 with the raw URL
 *   (a link token, say) in the log. They get a plain 405 or 400 here.
 * - request bodies are held to 256 KB, except a bulk-import upload (50 MB and the form around
 *   it), which its page reads as it streams; the adapter's own limit (astro.config.mjs) is the
 *   ceiling of both.
 * Env: PORT (4321), HOST (127.0.0.1).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
const { handler } = (await import(new URL('../dist/server/entry.mjs', import.meta.url).href)) as { handler: Handler };
// After the entry: the router shares its modules, which the entry initialises (astro:env).
const { handleApi, isApiPath } = (await import(new URL('../dist/server/api.mjs', import.meta.url).href)) as {
  handleApi: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  isApiPath: (pathname: string) => boolean;
};

const CLIENT = fileURLToPath(new URL('../dist/client/', import.meta.url));
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

/**
 * The widget's script is loaded by lenders' pages on other origins (as a module, so with CORS):
 * readable by any page, and revalidated often so a fix reaches every lender's page within minutes.
 */
const WIDGET_HEADERS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'public, max-age=300',
};

interface Variant {
  body: Buffer;
  headers: Record<string, string>;
}

/** A static file as sent: as it is, and as the build compressed it (when it did). */
interface StaticFile {
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

/** Written by the build beside their originals; served only in their place. */
const ENCODED_COPY = /\.(?:br|gz)$/;

function loadStatic(dir: string, files = new Map<string, StaticFile>()): Map<string, StaticFile> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      loadStatic(path, files);
      continue;
    }
    if (ENCODED_COPY.test(name) && existsSync(path.slice(0, -3))) continue;
    const url = `/${relative(CLIENT, path).split(sep).join('/')}`;
    const body = readFileSync(path);
    const tag = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    const encoded = { br: readIfThere(`${path}.br`), gzip: readIfThere(`${path}.gz`) };
    const headers = {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'last-modified': statSync(path).mtime.toUTCString(),
      // Hashed build assets never change; everything else may.
      'cache-control': url.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      ...(url.startsWith('/widget/') ? WIDGET_HEADERS : {}),
      ...(encoded.br || encoded.gzip ? { vary: 'Accept-Encoding' } : {}),
    };
    const variant = (sent: Buffer, encoding?: 'br' | 'gzip'): Variant => ({
      body: sent,
      headers: {
        ...headers,
        'content-length': String(sent.length),
        etag: encoding ? `"${tag}-${encoding}"` : `"${tag}"`,
        ...(encoding ? { 'content-encoding': encoding } : {}),
      },
    });
    const file: StaticFile = { identity: variant(body) };
    if (encoded.br) file.br = variant(encoded.br, 'br');
    if (encoded.gzip) file.gzip = variant(encoded.gzip, 'gzip');
    files.set(url, file);
  }
  return files;
}

function readIfThere(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** The variant the client accepts: brotli, then gzip, else as it is (q=0 refuses an encoding). */
function negotiate(file: StaticFile, accept: string | undefined): Variant {
  const coding = negotiateCoding(accept);
  return (coding && file[coding]) || file.identity;
}

/**
 * A cached copy is still good: If-None-Match decides when sent (any of its tags, weak or strong),
 * else If-Modified-Since against the file's time.
 */
function notModified(req: IncomingMessage, variant: Variant): boolean {
  const match = req.headers['if-none-match'];
  if (match !== undefined) {
    return match
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === variant.headers.etag);
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  const modified = Date.parse(variant.headers['last-modified'] ?? '');
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

const BODY_LIMIT = 256 * 1024;
const UPLOAD_LIMIT = 51 * 1024 * 1024;
const UPLOAD_PATH = /^\/staff\/lenders\/[^/?]+\/import\/?(?:\?|$)/;

/** Astro reads `req.body` when it is set: the body counted against the limit of its path. */
function limitBody(req: IncomingMessage, method: string, url: string): void {
  if (method === 'GET' || method === 'HEAD') return;
  const limit = method === 'POST' && UPLOAD_PATH.test(url) ? UPLOAD_LIMIT : BODY_LIMIT;
  (req as IncomingMessage & { body?: AsyncIterable<Buffer> }).body = (async function* () {
    let received = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.byteLength;
      if (received > limit) throw new Error(`Body size limit exceeded: received more than ${limit} bytes`);
      yield chunk;
    }
  })();
}

const STATIC = loadStatic(CLIENT);
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ALLOWED = new Set(METHODS);
const PLAIN = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

/**
 * Every status line carries its own reason phrase: a page that sets only its status (a 404 page)
 * would otherwise be sent as "404 OK", Astro's default text.
 */
function withOwnReasonPhrase(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const reason = STATUS_CODES[status];
    if (reason) {
      if (typeof rest[0] === 'string') rest[0] = reason;
      else res.statusMessage = reason;
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
}

const server = createServer((req, res) => {
  withOwnReasonPhrase(res);
  const method = req.method ?? '';
  if (!ALLOWED.has(method)) {
    res.writeHead(405, { ...PLAIN, allow: METHODS.join(', ') });
    res.end('Method not allowed.');
    return;
  }
  if (/[@\s\\/]/.test(req.headers.host ?? '')) {
    res.writeHead(400, PLAIN);
    res.end('Bad request.');
    return;
  }
  const url = originForm(req);
  if (url === null) {
    res.writeHead(400, PLAIN);
    res.end('Bad request.');
    return;
  }
  const query = url.indexOf('?');
  const file = (method === 'GET' || method === 'HEAD') && STATIC.get(query < 0 ? url : url.slice(0, query));
  if (file) {
    const variant = negotiate(file, req.headers['accept-encoding']);
    if (notModified(req, variant)) {
      const { 'content-length': _, 'content-type': __, 'content-encoding': ___, ...validators } = variant.headers;
      res.writeHead(304, validators);
      res.end();
      return;
    }
    res.writeHead(200, variant.headers);
    res.end(method === 'HEAD' ? undefined : variant.body);
    return;
  }
  limitBody(req, method, url);
  const path = query < 0 ? url : url.slice(0, query);
  if (isApiPath(path)) {
    let parsed: URL;
    try {
      parsed = new URL(url, `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      res.writeHead(400, PLAIN);
      res.end('Bad request.');
      return;
    }
    void handleApi(req, res, parsed);
    return;
  }
  sendWhole(req, res);
  void handler(req, res);
});

/**
 * The request target in origin form (`/path?query`). An absolute-form target
 * (`http://host/path`, which clients send to proxies) is taken by its path when its host is the
 * one the Host header names, and req.url rewritten so Astro routes it by that path; a different
 * host, or any other form (`*`, `host:port`), is null: a 400.
 */
function originForm(req: IncomingMessage): string | null {
  const target = req.url ?? '/';
  if (target.startsWith('/')) return target;
  const absolute = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(target);
  if (!absolute) return null;
  const [, authority = '', rest = ''] = absolute;
  if (authority.toLowerCase() !== (req.headers.host ?? '').toLowerCase()) return null;
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  req.url = path;
  return path;
}

const port = Number(process.env.PORT ?? 4321);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => {
  if (process.env.LOG_LEVEL !== 'silent') console.log(`listening on http://${host}:${port}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
