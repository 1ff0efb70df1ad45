import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { negotiateCoding } from './compression.ts';

/**
 * The built client files (the icon, the widget, the embed script) as scripts/serve.ts sends them:
 * read once at start into memory, each with its ETag and Last-Modified, and with the .br/.gz
 * copies the build wrote beside it (scripts/precompress.ts) sent in its place to a client that
 * accepts one. A plain node module (no astro:*), so the server script can load it directly.
 */

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

/** As the middleware sends it on every page: the answers given from memory skip the middleware. */
export const HSTS = 'max-age=31536000; includeSubDomains';

export interface Variant {
  body: Buffer;
  headers: Record<string, string>;
}

/** A static file as sent: as it is, and as the build compressed it (when it did). */
export interface StaticFile {
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

/** Written by the build beside their originals; served only in their place. */
const ENCODED_COPY = /\.(?:br|gz)$/;

export function loadStatic(root: string, dir = root, files = new Map<string, StaticFile>()): Map<string, StaticFile> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      loadStatic(root, path, files);
      continue;
    }
    if (ENCODED_COPY.test(name) && existsSync(path.slice(0, -3))) continue;
    const url = `/${relative(root, path).split(sep).join('/')}`;
    const body = readFileSync(path);
    const tag = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    const encoded = { br: readIfThere(`${path}.br`), gzip: readIfThere(`${path}.gz`) };
    const headers = {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': HSTS,
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
export function negotiate(file: StaticFile, accept: string | undefined): Variant {
  const coding = negotiateCoding(accept);
  return (coding && file[coding]) || file.identity;
}

/**
 * A cached copy is still good: If-None-Match decides when sent (any of its tags, weak or strong),
 * else If-Modified-Since against the file's time.
 */
export function notModified(req: Pick<IncomingMessage, 'headers'>, variant: Variant): boolean {
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
