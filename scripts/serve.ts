import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CLIENT_ADDRESS_HEADER, clientAddress, trustedProxyHops } from '../src/server/client-address.ts';
import { compressWhatIsWritten } from '../src/server/compression.ts';
import { answerHealth } from '../src/server/health.ts';
import { originForm } from '../src/server/request-target.ts';
import { HSTS, loadStatic, negotiate, notModified } from '../src/server/static-files.ts';
import { DRAIN_SECONDS } from '../src/server/workers.ts';

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
 * - the home page, the same for everyone in a language, is answered from its last rendering while
 *   the lender list it shows is current (src/server/page-cache.ts);
 * - /healthz (alive) and /readyz (the database answers) for load balancers and orchestrators;
 * - the client's address, from the socket or, behind TRUST_PROXY proxies, from X-Forwarded-For
 *   (see client-address.ts), is handed to the site and the router in one header;
 * - SIGTERM/SIGINT drain the server (see `stop` below).
 * Env: PORT (4321), HOST (127.0.0.1), TRUST_PROXY (0).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
const { handler } = (await import(new URL('../dist/server/entry.mjs', import.meta.url).href)) as { handler: Handler };
// After the entry: the router shares its modules, which the entry initialises (astro:env).
const { handleApi, isApiPath } = (await import(new URL('../dist/server/api.mjs', import.meta.url).href)) as {
  handleApi: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  isApiPath: (pathname: string) => boolean;
};

const { answerFromCache, cacheablePage, learnPage } = (await import(
  new URL('../dist/server/page-cache.mjs', import.meta.url).href
)) as typeof import('../src/server/page-cache.ts');

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

const STATIC = loadStatic(fileURLToPath(new URL('../dist/client/', import.meta.url)));
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
  const url = originForm(req.url ?? '/', req.headers.host);
  if (url === null) {
    res.writeHead(400, PLAIN);
    res.end('Bad request.');
    return;
  }
  // Astro routes by req.url: the path of an absolute-form target, not the home page.
  req.url = url;
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
    handleApi(req, res, parsed).catch((error: unknown) => {
      // The router answers its own failures; this is the socket failing under it.
      console.error(JSON.stringify({ level: 'error', msg: 'API answer not sent', error: String(error) }));
      res.destroy();
    });
    return;
  }
  if (cacheablePage(method, url)) {
    void answerPage(req, res, url);
    return;
  }
  compressWhatIsWritten(req, res);
  void handler(req, res);
});

/** A page the same for everyone in a language (page-cache.ts): from its last rendering, or rendered and kept. */
async function answerPage(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    if (await answerFromCache(req, res, path)) return;
  } catch (error) {
    // The cache never stands between a visitor and the page: without it the page is rendered.
    console.error(JSON.stringify({ level: 'error', msg: 'page cache not read', error: String(error) }));
    if (res.headersSent) return void res.destroy();
  }
  compressWhatIsWritten(req, res);
  await learnPage(req, res, path).catch(() => undefined);
  await handler(req, res);
}

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
