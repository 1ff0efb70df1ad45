import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// What a lender's page relies on over HTTP (CONTRACT.md "Widget"): the script, the widget's
// settings, CORS on the check for registered origins only, and the framing rules of the iframe page.

announcePostgresSkip();

const REGISTERED = 'http://localhost:4321'; // the demo lender's registered development origin
const STRANGER = 'https://qinghe-xf.cn.evil.example';

for (const dialect of dialects) {
  describe(`widget and embed over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-widget-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemo(database.connection.db, new Date('2026-11-24T01:00:00Z'));
      server = await startServer({ DATABASE_URL: database.url });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves /widget/v1.js to any page, under 8 KB gzipped, with validators', async () => {
      const response = await fetch(`${server.url}/widget/v1.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.toString()).toContain('zhenxin-verify');
      expect(body.toString()).not.toMatch(/\beval\(|new Function\(|innerHTML/);
      expect(gzipSync(body, { level: 9 }).length).toBeLessThanOrEqual(8 * 1024);
      const etag = response.headers.get('etag') ?? '';
      expect(etag).toMatch(/^"[\w-]{22}(?:-gzip|-br)?"$/);
      expect(response.headers.get('last-modified')).toBeTruthy();
      const again = await fetch(`${server.url}/widget/v1.js`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('access-control-allow-origin')).toBe('*');
      expect(await again.text()).toBe('');
    });

    it('sends it precompressed as the browser accepts: brotli, gzip, or as it is', async () => {
      const raw = (encoding: string) =>
        new Promise<{ encoding: string | undefined; length: number; vary: string | undefined }>((resolve, reject) => {
          const request = httpGet(`${server.url}/widget/v1.js`, { headers: { 'accept-encoding': encoding } }, (res) => {
            let length = 0;
            res.on('data', (chunk: Buffer) => {
              length += chunk.length;
            });
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], length, vary: res.headers.vary }));
          });
          request.on('error', reject);
        });
      const br = await raw('gzip, deflate, br');
      const gzip = await raw('gzip');
      const plain = await raw('identity');
      expect([br.encoding, gzip.encoding, plain.encoding]).toEqual(['br', 'gzip', undefined]);
      expect(br.length).toBeLessThan(gzip.length);
      expect(gzip.length).toBeLessThanOrEqual(8 * 1024);
      expect(plain.length).toBeGreaterThan(gzip.length * 2);
      expect((await raw('br;q=0, gzip')).encoding).toBe('gzip');
      for (const result of [br, gzip, plain]) expect(result.vary).toBe('Accept-Encoding');
    });

    it('tells the widget whether its page is a registered origin, and gives every page the contacts', async () => {
      const settings = async (origin?: string, slug = 'demo') => {
        const response = await fetch(`${server.url}/api/v1/widget/${slug}`, {
          headers: origin ? { origin } : {},
        });
        return { status: response.status, headers: response.headers, body: await response.json() };
      };
      const registered = await settings(REGISTERED);
      expect(registered.status).toBe(200);
      expect(registered.headers.get('access-control-allow-origin')).toBe('*');
      expect(registered.body).toEqual({
        slug: 'demo',
        name: '青禾消费金融（演示）',
        nameEn: 'Qinghe Consumer Finance (demo)',
        hotlines: ['400-186-5533'],
        domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
        timeZone: 'Asia/Shanghai',
        originAllowed: true,
      });
      expect((await settings(STRANGER)).body.originAllowed).toBe(false);
      // a path or a trailing slash is not the same origin
      expect((await settings(`${REGISTERED}/`)).body.originAllowed).toBe(false);
      expect((await settings('null')).body.originAllowed).toBe(false);
      for (const slug of ['nobody', 'DEMO', '%00', 'a'.repeat(80)]) {
        const unknown = await settings(REGISTERED, slug);
        expect(unknown.status, slug).toBe(404);
        expect(unknown.body.error.code).toBe('not_found');
      }
      const post = await fetch(`${server.url}/api/v1/widget/demo`, { method: 'POST' });
      expect(post.status).toBe(405);
    });

    it('answers CORS on the check only for registered origins, exactly, never reflected', async () => {
      const preflight = (origin: string) =>
        fetch(`${server.url}/api/v1/verify`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const allowed = await preflight(REGISTERED);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(REGISTERED);
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
      for (const origin of [STRANGER, 'http://localhost:4322', 'http://localhost', 'https://localhost:4321']) {
        const refused = await preflight(origin);
        expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
      }
      const allowedCheck = await fetch(`${server.url}/api/v1/verify`, {
        method: 'POST',
        headers: { origin: REGISTERED, 'content-type': 'application/json' },
        body: JSON.stringify({ lender: 'demo', text: '【青禾消费金融】请把欠款转入安全账户' }),
      });
      expect(allowedCheck.status).toBe(200);
      expect(allowedCheck.headers.get('access-control-allow-origin')).toBe(REGISTERED);
      // so the widget can read how long to wait after a 429
      expect(allowedCheck.headers.get('access-control-expose-headers')).toBe('Retry-After');
      const check = await fetch(`${server.url}/api/v1/verify`, {
        method: 'POST',
        headers: { origin: STRANGER, 'content-type': 'application/json' },
        body: JSON.stringify({ lender: 'demo', text: '【青禾消费金融】请把欠款转入安全账户' }),
      });
      expect(check.status).toBe(403);
      expect(check.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets only the lender’s registered origins frame /embed/verify; every other page refuses framing', async () => {
      const embed = await fetch(`${server.url}/embed/verify?lender=demo`);
      expect(embed.status).toBe(200);
      expect(embed.headers.get('content-security-policy')).toMatch(
        /; frame-ancestors https:\/\/qinghe-xf\.cn http:\/\/localhost:4321$/,
      );
      expect(embed.headers.get('x-frame-options')).toBeNull();
      const html = await embed.text();
      expect(html).toContain('<script src="/embed/resize.js" defer></script>');
      expect(html).toContain(
        'data-host-origins="[&quot;https://qinghe-xf.cn&quot;,&quot;http://localhost:4321&quot;]"',
      );
      for (const path of ['/embed/verify', '/embed/verify?lender=nobody', '/embed/verify?lender=<x>', '/verify', '/']) {
        const page = await fetch(`${server.url}${path}`);
        expect(page.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'$/);
        expect(page.headers.get('x-frame-options'), path).toBe('DENY');
      }
      expect((await fetch(`${server.url}/embed/verify?lender=nobody`)).status).toBe(404);
    });

    it('checks a posted message in the frame as /verify does, about that lender, and refuses a cross-site post', async () => {
      const form = new URLSearchParams({
        method: 'text',
        text: '【青禾消费金融】请把欠款转入安全账户，并告诉我们验证码',
      });
      const answer = await fetch(`${server.url}/embed/verify?lender=demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: form,
      });
      expect(answer.status).toBe(200);
      const html = await answer.text();
      expect(html).toContain('我们没有发出过这条短信');
      expect(html).toContain('400-186-5533');
      expect(html).toContain('target="_blank"');
      const empty = await fetch(`${server.url}/embed/verify?lender=demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ method: 'text', text: ' ' }),
      });
      expect(empty.status).toBe(400);
      expect(await empty.text()).toContain('请粘贴短信全文');
      const crossSite = await fetch(`${server.url}/embed/verify?lender=demo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: STRANGER },
        body: form,
      });
      expect(crossSite.status).toBe(403);
    });
  });
}
