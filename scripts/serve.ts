import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { CLIENT_ADDRESS_HEADER, clientAddress, trustedProxyHops } from '../src/server/client-address.ts';
import { answerHealth } from '../src/server/health.ts';
import { DRAIN_SECONDS } from '../src/server/workers.ts';

/**
 * The HTTP server every run uses (npm start, the demo, tests, benchmarks). Astro's node adapter
 * runs in middleware mode behind it:
 * - the built static files (the stylesheet, the icon, the widget) are read once at start and
 *   served from memory, with ETags, and precompressed (brotli, gzip) when over 1 KB; the
 *   adapter's own server looked each request's path up on disk first;
 * - a method Node's `Request` refuses (TRACE) or a Host header carrying a user name
 *   ("user@host") made the adapter throw before any of our code ran — a bare 500 with the raw URL
 *   (a link token, say) in the log. They get a plain 405 or 400 here.
 * - request bodies are held to 256 KB, except a bulk-import upload (50 MB and the form around
 *   it), which its page reads as it streams; the adapter's own limit (astro.config.mjs) is the
 *   ceiling of both.
 * - /healthz (alive) and /readyz (the database answers) for load balancers and orchestrators;
 * - the client's address, from the socket or, behind TRUST_PROXY proxies, from X-Forwarded-For
 *   (see client-address.ts), is handed to the site in one header.
 * Env: PORT (4321), HOST (127.0.0.1), TRUST_PROXY (0).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
const { handler } = (await import(new URL('../dist/server/entry.mjs', import.meta.url).href)) as { handler: Handler };

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

/** A static file as sent: as it is, and (when worth it) precompressed once at start. */
interface StaticFile {
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

/** As the middleware sends it on every page: the answers given here skip the middleware. */
const HSTS = 'max-age=31536000; includeSubDomains';

const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.json', '.txt']);

function loadStatic(dir: string, files = new Map<string, StaticFile>()): Map<string, StaticFile> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      loadStatic(path, files);
      continue;
    }
    const url = `/${relative(CLIENT, path).split(sep).join('/')}`;
    const body = readFileSync(path);
    const tag = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    const headers = {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': HSTS,
      'last-modified': statSync(path).mtime.toUTCString(),
      // Hashed build assets never change; everything else may.
      'cache-control': url.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      ...(url.startsWith('/widget/') ? WIDGET_HEADERS : {}),
    };
    const variant = (encoded: Buffer, encoding?: 'br' | 'gzip'): Variant => ({
      body: encoded,
      headers: {
        ...headers,
        'content-length': String(encoded.length),
        etag: encoding ? `"${tag}-${encoding}"` : `"${tag}"`,
        ...(encoding ? { 'content-encoding': encoding } : {}),
        ...(COMPRESSIBLE.has(extname(name)) ? { vary: 'Accept-Encoding' } : {}),
      },
    });
    const file: StaticFile = { identity: variant(body) };
    if (COMPRESSIBLE.has(extname(name)) && body.length > 1024) {
      file.br = variant(
        brotliCompressSync(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
        'br',
      );
      file.gzip = variant(gzipSync(body, { level: 9 }), 'gzip');
    }
    files.set(url, file);
  }
  return files;
}

/** The variant the client accepts: brotli, then gzip, else as it is (q=0 refuses an encoding). */
function negotiate(file: StaticFile, accept: string | undefined): Variant {
  if (!accept || !file.br || !file.gzip) return file.identity;
  const accepted = new Set(
    accept
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, q]) => !/^\s*q=0(?:\.0*)?\s*$/.test(q ?? ''))
      .map(([coding]) => coding),
  );
  if (accepted.has('br')) return file.br;
  if (accepted.has('gzip') || accepted.has('*')) return file.gzip;
  return file.identity;
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
const PLAIN = {
  'content-type': 'text/plain; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': HSTS,
};

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

const trustProxy = trustedProxyHops(process.env.TRUST_PROXY);
/** Responses not yet finished, told to close their connection when the server drains. */
const inFlight = new Set<ServerResponse>();

const server = createServer((req, res) => {
  withOwnReasonPhrase(res);
  if (draining) res.setHeader('connection', 'close');
  else {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  }
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
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const file = (method === 'GET' || method === 'HEAD') && STATIC.get(query < 0 ? url : url.slice(0, query));
  if (file) {
    const variant = negotiate(file, req.headers['accept-encoding']);
    if (req.headers['if-none-match'] === variant.headers.etag) {
      const { 'content-length': _, 'content-type': __, 'content-encoding': ___, ...validators } = variant.headers;
      res.writeHead(304, validators);
      res.end();
      return;
    }
    res.writeHead(200, variant.headers);
    res.end(method === 'HEAD' ? undefined : variant.body);
    return;
  }
  if (url === '/healthz' || url === '/readyz') {
    void answerHealth(url, method, res);
    return;
  }
  // The one client address every limit and log uses (an incoming header of that name is replaced).
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(
    req.socket.remoteAddress,
    req.headers['x-forwarded-for'],
    trustProxy,
  );
  limitBody(req, method, url);
  void handler(req, res);
});

const port = Number(process.env.PORT ?? 4321);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => {
  if (process.env.LOG_LEVEL !== 'silent') console.log(`listening on http://${host}:${port}`);
});

/**
 * SIGTERM/SIGINT drain: no new connections, idle keep-alive connections closed, requests in
 * flight answered (with `Connection: close`), then exit; whatever is still running after
 * DRAIN_SECONDS is cut off.
 */
let draining = false;
const stop = () => {
  if (draining) return;
  draining = true;
  for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, DRAIN_SECONDS * 1000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
