import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server.ts';

// How scripts/serve.ts and the API router (src/server/router.ts) answer at the HTTP level:
// content coding, validators, the router's refusals and request lines as they come off the wire.

interface Raw {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request through node:http, the body as sent (not decoded). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends bytes as they are and returns the status line and headers of the answer. */
function wire(port: number, text: string): Promise<{ statusLine: string; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ statusLine: head.split('\r\n')[0] ?? '', head, body });
    });
  });
}

function decode(raw: Raw): string {
  const coding = raw.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(raw.body).toString('utf8');
  if (coding === 'gzip') return gunzipSync(raw.body).toString('utf8');
  return raw.body.toString('utf8');
}

describe('serving over HTTP', () => {
  let server: RunningServer;
  let port: number;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-serving-'));
    server = await startServer({ DATABASE_URL: `file:${join(dir, 'app.db')}` });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('content coding', () => {
    it('sends pages with Brotli, gzip or as they are, by Accept-Encoding, and always says it varies', async () => {
      const plain = await get(`${server.url}/`);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
      const html = plain.body.toString('utf8');
      expect(html).toContain('<html');

      const br = await get(`${server.url}/`, { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toMatch(/Accept-Encoding/i);
      expect(Number(br.headers['content-length'])).toBe(br.body.length);
      expect(br.body.length).toBeLessThan(plain.body.length / 2);
      // The same page (its request id and token-free parts aside).
      expect(decode(br).slice(0, 200)).toBe(html.slice(0, 200));

      const gzip = await get(`${server.url}/`, { 'accept-encoding': 'br;q=0, gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(decode(gzip)).toContain('<html');

      const refused = await get(`${server.url}/`, { 'accept-encoding': 'br;q=0, gzip;q=0' });
      expect(refused.headers['content-encoding']).toBeUndefined();
    });

    it('compresses API answers over 1 KB, not smaller ones', async () => {
      const doc = await get(`${server.url}/api/v1/openapi.json`, { 'accept-encoding': 'br' });
      expect(doc.status).toBe(200);
      expect(doc.headers['content-encoding']).toBe('br');
      expect(doc.headers.vary).toMatch(/Accept-Encoding/i);
      expect(JSON.parse(decode(doc)).openapi).toMatch(/^3\.1/);
      const small = await get(`${server.url}/api/v1/lenders/nobody`, { 'accept-encoding': 'br' });
      expect(small.status).toBe(404);
      expect(small.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(small.body.toString('utf8')).error.code).toBe('not_found');
    });

    it('sends the build’s precompressed static files', async () => {
      const br = await get(`${server.url}/widget/v1.js`, { 'accept-encoding': 'br, gzip' });
      expect(br.status).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      const plain = await get(`${server.url}/widget/v1.js`);
      expect(decode(br)).toBe(plain.body.toString('utf8'));
      expect(br.headers.etag).not.toBe(plain.headers.etag);
    });
  });

  describe('the home page, kept rendered (src/server/page-cache.ts)', () => {
    const title = (raw: Raw) => /<title>([^<]*)<\/title>/.exec(decode(raw))?.[1] ?? '';

    it('answers again with the same page, its length and headers, and a request id of its own', async () => {
      const first = await get(`${server.url}/`, { 'x-request-id': 'first-visit' });
      const again = await get(`${server.url}/`);
      const third = await get(`${server.url}/`);
      expect([first.status, again.status, third.status]).toEqual([200, 200, 200]);
      expect(again.body.equals(first.body)).toBe(true);
      expect(third.body.equals(first.body)).toBe(true);
      expect(Number(again.headers['content-length'])).toBe(again.body.length);
      expect(first.headers['x-request-id']).toBe('first-visit');
      expect(again.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(third.headers['x-request-id']).not.toBe(again.headers['x-request-id']);
      for (const name of ['content-security-policy', 'x-frame-options', 'strict-transport-security', 'content-type']) {
        expect(again.headers[name], name).toBe(first.headers[name]);
      }
      expect(again.headers['set-cookie']).toBeUndefined();
    });

    it('keeps one rendering per language, chosen as the page chooses it', async () => {
      const chinese = await get(`${server.url}/`);
      const english = await get(`${server.url}/`, { 'accept-language': 'en-GB,en;q=0.9' });
      const remembered = await get(`${server.url}/`, { cookie: 'theme=x; lang=en', 'accept-language': 'zh-CN' });
      const rememberedChinese = await get(`${server.url}/`, { cookie: 'lang=zh-CN', 'accept-language': 'en' });
      expect(title(chinese)).toContain('真信');
      expect(title(english)).toContain('Zhenxin');
      expect(title(remembered)).toBe(title(english));
      expect(title(rememberedChinese)).toBe(title(chinese));
      for (const page of [english, remembered]) expect(decode(page)).toContain('<html lang="en"');
    });

    it('renders a request with a query, which may set the language cookie, and HEAD answers without a body', async () => {
      const asked = await get(`${server.url}/?lang=en`);
      expect(title(asked)).toContain('Zhenxin');
      expect(String(asked.headers['set-cookie'])).toMatch(/^lang=en;/);
      // The cookie-setting answer is not kept: a plain request still gets the Chinese page, no cookie.
      const plain = await get(`${server.url}/`);
      expect(title(plain)).toContain('真信');
      expect(plain.headers['set-cookie']).toBeUndefined();
      const head = await get(`${server.url}/`, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(Number(head.headers['content-length'])).toBe(plain.body.length);
    });

    it('compresses the kept page for each coding, the same page decoded', async () => {
      const plain = await get(`${server.url}/`);
      for (const coding of ['br', 'gzip']) {
        for (let i = 0; i < 2; i++) {
          const sent = await get(`${server.url}/`, { 'accept-encoding': coding });
          expect(sent.headers['content-encoding']).toBe(coding);
          expect(Number(sent.headers['content-length'])).toBe(sent.body.length);
          expect(decode(sent)).toBe(plain.body.toString('utf8'));
        }
      }
    });
  });

  describe('validators', () => {
    it('answers 304 to a matching ETag or an unchanged date, and 200 otherwise', async () => {
      const first = await get(`${server.url}/favicon.svg`);
      expect(first.status).toBe(200);
      const etag = String(first.headers.etag);
      const modified = String(first.headers['last-modified']);
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(Number.isNaN(Date.parse(modified))).toBe(false);

      const byTag = await get(`${server.url}/favicon.svg`, { 'if-none-match': `"other", W/${etag}` });
      expect(byTag.status).toBe(304);
      expect(byTag.reason).toBe('Not Modified');
      expect(byTag.body.length).toBe(0);
      expect(byTag.headers.etag).toBe(etag);

      expect((await get(`${server.url}/favicon.svg`, { 'if-modified-since': modified })).status).toBe(304);
      expect((await get(`${server.url}/favicon.svg`, { 'if-none-match': '"stale"' })).status).toBe(200);
      // If-None-Match decides when both are sent.
      const both = await get(`${server.url}/favicon.svg`, {
        'if-none-match': '"stale"',
        'if-modified-since': modified,
      });
      expect(both.status).toBe(200);
      const before = new Date(Date.parse(modified) - 60_000).toUTCString();
      expect((await get(`${server.url}/favicon.svg`, { 'if-modified-since': before })).status).toBe(200);
    });
  });

  describe('the API router’s refusals', () => {
    it('answers an unknown path, a wrong method, a wrong content type and bad JSON in one error shape', async () => {
      const cases: Array<[string, string, Record<string, string>, string | undefined, number, string]> = [
        ['/api/v1/nothing-here', 'GET', {}, undefined, 404, 'not_found'],
        ['/api', 'GET', {}, undefined, 404, 'not_found'],
        ['/api/v1/verify', 'GET', {}, undefined, 405, 'method_not_allowed'],
        ['/api/v1/verify', 'POST', { 'content-type': 'text/plain' }, 'hi', 415, 'unsupported_media_type'],
        ['/api/v1/verify', 'POST', { 'content-type': 'application/json' }, '{"text":', 400, 'invalid_json'],
        ['/api/v1/loans/%E0%A4%A/balance', 'GET', {}, undefined, 400, 'invalid_request'],
      ];
      for (const [path, method, headers, body, status, code] of cases) {
        const answer = await get(`${server.url}${path}`, headers, method, body);
        expect(answer.status, `${method} ${path}`).toBe(status);
        expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
        const parsed = JSON.parse(answer.body.toString('utf8')) as { error: { code: string; message: string } };
        expect(parsed.error.code, `${method} ${path}`).toBe(code);
        expect(parsed.error.message.length).toBeGreaterThan(0);
        // The security headers of every answer, and a request id to quote.
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
        expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(answer.headers['x-request-id']).toBeTruthy();
      }
      const wrong = await get(`${server.url}/api/v1/verify`, {}, 'DELETE');
      expect(wrong.headers.allow).toBe('POST');
    });

    it('answers HEAD like GET, without a body', async () => {
      const head = await get(`${server.url}/api/v1/openapi.json`, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(Number(head.headers['content-length'])).toBeGreaterThan(1024);
    });
  });

  describe('request lines', () => {
    it('routes an absolute-form target by its path when its host is the Host header’s', async () => {
      const host = `127.0.0.1:${port}`;
      const page = await wire(port, `GET http://${host}/verify HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(page.statusLine).toBe('HTTP/1.1 200 OK');
      const home = await wire(port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      // The check-a-message page, not the home page.
      expect(page.body).not.toBe(home.body);
      expect(page.body).toMatch(/<form[^>]+action="\/verify"/);

      const api = await wire(
        port,
        `GET http://${host}/api/v1/nothing HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(api.statusLine).toBe('HTTP/1.1 404 Not Found');
    });

    it('refuses an absolute-form target for another host, and other forms, with 400', async () => {
      const host = `127.0.0.1:${port}`;
      for (const target of ['http://evil.example/verify', 'https://evil.example/', '*', 'evil.example:80']) {
        const answer = await wire(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        expect(answer.statusLine, target).toBe('HTTP/1.1 400 Bad Request');
      }
    });

    it('gives every router answer its own reason phrase', async () => {
      const host = `127.0.0.1:${port}`;
      const cases: Array<[string, string]> = [
        ['GET /api/v1/openapi.json', 'HTTP/1.1 200 OK'],
        ['GET /api/v1/nothing', 'HTTP/1.1 404 Not Found'],
        ['PATCH /api/v1/verify', 'HTTP/1.1 405 Method Not Allowed'],
        ['GET /api/v1/requests', 'HTTP/1.1 401 Unauthorized'],
        ['OPTIONS /api/v1/widget/demo', 'HTTP/1.1 204 No Content'],
      ];
      for (const [line, status] of cases) {
        const answer = await wire(port, `${line} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        expect(answer.statusLine, line).toBe(status);
      }
    });
  });
});
