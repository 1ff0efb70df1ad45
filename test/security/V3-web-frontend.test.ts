import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIE_NAMES } from '../../src/auth/sessions.ts';
import { builtRoutes, type RawResponse, type SecuritySite, send, startSecuritySite } from './site.ts';

// OWASP ASVS 5.0, V3 Web Frontend Security: the headers every answer carries, cookies, CORS and
// cross-site requests, against the built server (SQLite; the middleware is the same on both).

const REGISTERED = 'https://qinghe-xf.cn'; // a demo lender widget origin
const STRANGER = 'https://qinghe-xf.cn.evil.example';

let site: SecuritySite;
/** One answer of each kind: every page and endpoint in the manifest (signed in), an API error, a 404. */
const answers = new Map<string, RawResponse>();

beforeAll(async () => {
  site = await startSecuritySite('sqlite');
  const cookie = `${site.staffCookie}; ${site.borrowerCookie}`;
  const fill = (route: string) =>
    route
      .replace('[slug]', 'demo')
      .replace('[token]', site.token)
      .replace('[externalId]', site.params.externalId?.[0] ?? 'x')
      .replace('[id]', site.params.id?.[0] ?? 'x')
      .replace('[stage]', 'gentle')
      .replace('[locale]', 'zh-CN')
      .replace(/\[[^\]]+\]/g, 'x');
  const paths = [
    ...builtRoutes().map(fill),
    '/nowhere',
    '/api/v1/nowhere',
    '/api/v1/verify',
    '/widget/v1.js',
    // a built asset, if the build has any (stylesheets are inlined into the pages)
    ...(existsSync('dist/client/_astro')
      ? readdirSync('dist/client/_astro')
          .slice(0, 1)
          .map((name) => `/_astro/${name}`)
      : []),
    '/favicon.svg',
    '/embed/verify?lender=demo',
  ];
  for (const path of paths) {
    answers.set(path, await send(site.url, { method: 'GET', path, headers: { cookie } }));
  }
});
afterAll(async () => {
  await site?.stop();
});

/** Answers that render a document (what CSP, framing and COOP are about). */
const documents = () => [...answers].filter(([, r]) => String(r.headers['content-type']).startsWith('text/html'));

const header = (r: RawResponse, name: string) => String(r.headers[name] ?? '');

describe('V3 Web Frontend Security', () => {
  it('checks a real spread of answers: pages, API, errors, the widget', () => {
    expect(documents().length).toBeGreaterThan(30);
    expect([...answers.values()].map((r) => r.status)).toEqual(expect.arrayContaining([200, 404]));
  });

  it('V3.4.1 Strict-Transport-Security on all responses (static files too), max-age ≥ 1 year, includeSubDomains', () => {
    for (const [path, r] of answers) {
      const hsts = header(r, 'strict-transport-security');
      expect(hsts, path).toMatch(/includeSubDomains/);
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1]), path).toBeGreaterThanOrEqual(31_536_000);
    }
  });

  it("V3.4.3 Content-Security-Policy: scripts from 'self' only (no 'unsafe-inline'), object-src 'none', base-uri 'none'", () => {
    for (const [path, r] of documents()) {
      const csp = header(r, 'content-security-policy');
      const scripts = /script-src ([^;]+)/.exec(csp)?.[1] ?? /default-src ([^;]+)/.exec(csp)?.[1];
      // 'self', and Astro's hashes of the page's own inline code: never a blanket allowance
      const sources = (scripts ?? '').trim().split(/\s+/);
      expect(sources[0], path).toBe("'self'");
      for (const source of sources.slice(1)) expect(source, path).toMatch(/^'sha(?:256|384|512)-[A-Za-z0-9+/=]+'$/);
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
  });

  it('V3.4.4 X-Content-Type-Options: nosniff on all responses', () => {
    for (const [path, r] of answers) expect(header(r, 'x-content-type-options'), path).toBe('nosniff');
  });

  it('V3.4.5 Referrer-Policy keeps link tokens and paths from other sites', () => {
    for (const [path, r] of answers) {
      // scripts, styles and the icon send no Referer of their own
      if (/^\/(?:widget|_astro)\/|^\/favicon\.svg$/.test(path)) continue;
      expect(['same-origin', 'no-referrer', 'strict-origin'], path).toContain(header(r, 'referrer-policy'));
    }
  });

  it("V3.4.6 frame-ancestors 'none' on every response except /embed/verify, which lists exactly its lender's widget origins", async () => {
    for (const [path, r] of documents()) {
      const ancestors = /frame-ancestors ([^;]+)/.exec(header(r, 'content-security-policy'))?.[1];
      if (path === '/embed/verify?lender=demo') {
        const { widgetOrigins } = await site.database.connection.db
          .selectFrom('lenders')
          .select('widget_origins as widgetOrigins')
          .where('slug', '=', 'demo')
          .executeTakeFirstOrThrow();
        expect(ancestors?.split(' ').sort()).toEqual((JSON.parse(widgetOrigins) as string[]).sort());
        expect(ancestors).toContain(REGISTERED);
      } else {
        expect(ancestors, path).toBe("'none'");
        expect(header(r, 'x-frame-options'), path).toBe('DENY');
      }
    }
  });

  it('V3.4.8 Cross-Origin-Opener-Policy: same-origin on every document', () => {
    for (const [path, r] of documents()) expect(header(r, 'cross-origin-opener-policy'), path).toBe('same-origin');
  });

  it('V3.4.2 CORS Access-Control-Allow-Origin only for an exact registered origin, never reflected', async () => {
    const check = (origin: string, method = 'POST') =>
      send(site.url, {
        method,
        path: '/api/v1/verify',
        headers: {
          origin,
          'content-type': 'application/json',
          'access-control-request-method': 'POST',
        },
        ...(method === 'POST' ? { body: Buffer.from(JSON.stringify({ lender: 'demo', text: '您好' })) } : {}),
      });
    for (const method of ['OPTIONS', 'POST']) {
      expect(header(await check(REGISTERED, method), 'access-control-allow-origin'), method).toBe(REGISTERED);
      for (const origin of [STRANGER, `${REGISTERED}/`, `${REGISTERED}:443`, 'null', 'http://qinghe-xf.cn', '*']) {
        const answer = await check(origin, method);
        expect(answer.headers['access-control-allow-origin'], `${method} ${origin}`).toBeUndefined();
        expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      }
    }
    // Pages and the lender API never answer CORS at all; the widget's script and the OpenAPI
    // document and the widget's own settings are public, read without credentials.
    const open = new Set(['/widget/v1.js', '/api/v1/openapi.json', '/api/v1/widget/demo']);
    for (const [path, r] of answers) {
      expect(r.headers['access-control-allow-origin'], path).toBe(open.has(path) ? '*' : undefined);
    }
  });

  it('V3.5.1 cross-site unsafe requests are refused whatever their content type', async () => {
    const bodies: Record<string, Buffer> = {
      'application/x-www-form-urlencoded': Buffer.from('action=send&phone=13800138005&text=x'),
      'multipart/form-data; boundary=zxb': Buffer.from(
        '--zxb\r\nContent-Disposition: form-data; name="text"\r\n\r\nx\r\n--zxb--\r\n',
      ),
      'text/plain': Buffer.from('{"text":"x"}'),
      'application/json': Buffer.from('{"lender":"demo","text":"x"}'),
      'application/octet-stream': Buffer.from([1, 2, 3]),
    };
    const cookie = `${site.staffCookie}; ${site.borrowerCookie}`;
    const targets = [
      '/account/sign-in',
      '/account/sign-out',
      '/account/phone',
      '/staff',
      '/staff/lenders/demo/keys',
      '/verify',
      '/api/v1/verify',
      '/api/v1/borrowers/B001',
    ];
    const who: Array<Record<string, string>> = [
      { origin: STRANGER },
      { origin: STRANGER, 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
      { origin: site.url, 'sec-fetch-site': 'cross-site' }, // the browser's word beats a forged Origin
    ];
    for (const path of targets) {
      for (const [type, body] of Object.entries(bodies)) {
        for (const headers of who) {
          for (const method of ['POST', 'PUT', 'DELETE']) {
            const answer = await send(site.url, {
              method,
              path,
              headers: { ...headers, cookie, authorization: `Bearer ${site.apiKey}`, 'content-type': type },
              body,
            });
            expect(answer.status, `${method} ${path} ${type} ${JSON.stringify(headers)}`).toBe(403);
          }
        }
      }
    }
    // The session survived every attempt (sign-out above was refused too).
    const still = await send(site.url, { method: 'GET', path: '/account', headers: { cookie } });
    expect(still.status).toBe(200);
  });

  it("V3.3.1 V3.3.3 V3.3.4 session cookies: '__Host-' prefix, Secure, HttpOnly, SameSite, no Domain, no Max-Age", async () => {
    // A real sign-in over HTTP: ask for a code, read it from the development outbox, type it.
    const phone = site.borrowerPhone;
    const form = (fields: Record<string, string>, cookie = '') =>
      send(site.url, {
        method: 'POST',
        path: '/account/sign-in',
        headers: {
          origin: site.url,
          'sec-fetch-site': 'same-origin',
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie ? { cookie } : {}),
        },
        body: Buffer.from(new URLSearchParams(fields).toString()),
      });
    await site.database.connection.db.updateTable('one_time_codes').set({ ip: null }).execute();
    const before = new Date().toISOString();
    const asked = await form({ action: 'send', phone });
    expect(asked.status).toBe(303);
    const pending = [asked.headers['set-cookie'] ?? []]
      .flat()
      .map((c) => c.split(';')[0])
      .join('; ');
    let code: string | undefined;
    for (let i = 0; i < 100 && !code; i++) {
      const row = await site.database.connection.db
        .selectFrom('dev_sms_outbox')
        .select('text')
        .where('to', '=', phone)
        .where('created_at', '>', before)
        .executeTakeFirst();
      code = row ? /(\d{6})/.exec(row.text)?.[1] : undefined;
      if (!code) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const signedIn = await form({ action: 'code', code: code ?? '' }, pending);
    expect(signedIn.status).toBe(303);
    const session = [signedIn.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith(`${COOKIE_NAMES.borrower}=`));
    expect(session).toBeDefined();
    const attributes = (session ?? '').split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'path=/', 'samesite=lax']));
    expect(
      attributes.some((a) => a.startsWith('domain=') || a.startsWith('max-age=') || a.startsWith('expires=')),
    ).toBe(false);
    expect((session ?? '').length).toBeLessThan(4096); // V3.3.5
    for (const r of answers.values()) {
      for (const set of [r.headers['set-cookie'] ?? []].flat()) {
        // Every other cookie we set (the language) is HttpOnly too; none is readable by scripts.
        expect(set.toLowerCase(), set).toContain('httponly');
      }
    }
  });
});
