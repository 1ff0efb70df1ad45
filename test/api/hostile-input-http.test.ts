import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { anonymousClient, type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// What a probe of the running site sends: text with U+0000, other C0/C1 controls and lone
// surrogates in every field a request carries (PostgreSQL cannot store U+0000: before, such a
// name was a 500), and Astro's own routes the site does not use. Nothing may answer 5xx; an API
// names the field it refuses.

announcePostgresSkip();

const CONTROLS = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u007f', '\u0080', '\u0085', '\u009f'];
const SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];

/** Any text with at least one control character or lone surrogate somewhere in it. */
const hostile = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.constantFrom(...CONTROLS, ...SURROGATES),
    fc.string({ unit: 'binary', maxLength: 6 }),
  )
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/**
 * Percent-encoding as a probe writes it: a lone surrogate, which encodeURIComponent refuses, as
 * the three bytes its code unit would take (not UTF-8: a server must not choke on them either).
 */
function encode(value: string): string {
  let out = '';
  for (const char of value) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(char);
  }
  return out;
}

/** Few runs per field: the fixed NUL case below each is the one that used to fail. */
const RUNS = { numRuns: 4 };

for (const dialect of dialects) {
  describe(`hostile input over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let key: string;
    let operator: StaffClient;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-hostile-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const db = database.connection.db;
      key = (await lenderWithKey(db, 'alpha')).key;
      await staffAccount(db, 'operator@zhenxin.example', 'operator');
      // the public checks' budget is not what is tested here
      server = await startServer({ DATABASE_URL: database.url, PUBLIC_CHECKS_PER_MINUTE: '1000' });
      operator = await signedInClient(server.url, 'operator@zhenxin.example');
      const loan = await api('PUT', '/api/v1/borrowers/B1', { name: '林晓', phone: '13812345678' });
      expect(loan.status).toBeLessThan(300);
      const put = await api('PUT', '/api/v1/loans/L1', {
        borrower: 'B1',
        currency: 'CNY',
        instalments: [{ dueDate: '2026-03-01', principal: 100_000, interest: 1_000 }],
      });
      expect(put.status).toBeLessThan(300);
    });

    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function api(method: string, path: string, body?: unknown) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      // biome-ignore lint/suspicious/noExplicitAny: the error answer is read field by field
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json };
    }

    const publicPost = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json().catch(() => undefined)) as unknown }));

    /** An API field: every hostile value is refused with 400 naming the field. */
    const apiFields: Array<[string, string, (value: string) => ReturnType<typeof api>]> = [
      ['borrower name', 'name', (v) => api('PUT', '/api/v1/borrowers/B2', { name: v, phone: '13812345679' })],
      ['borrower phone', 'phone', (v) => api('PUT', '/api/v1/borrowers/B2', { name: '周', phone: v })],
      [
        'borrower locale',
        'locale',
        (v) => api('PUT', '/api/v1/borrowers/B2', { name: '周', phone: '13812345679', locale: v }),
      ],
      [
        'loan currency',
        'currency',
        (v) =>
          api('PUT', '/api/v1/loans/L2', {
            borrower: 'B1',
            currency: v,
            instalments: [{ dueDate: '2026-03-01', principal: 1, interest: 0 }],
          }),
      ],
      [
        'policy time zone',
        'policy.timeZone',
        (v) =>
          api('PUT', '/api/v1/loans/L2', {
            borrower: 'B1',
            currency: 'CNY',
            instalments: [{ dueDate: '2026-03-01', principal: 1, interest: 0 }],
            policy: { timeZone: v },
          }),
      ],
      [
        'repayment key',
        'idempotencyKey',
        (v) => api('POST', '/api/v1/loans/L1/repayments', { amount: 1, paidOn: '2026-03-01', idempotencyKey: v }),
      ],
      ['a field name', 'na\u0000me', () => api('PUT', '/api/v1/borrowers/B2', { 'na\u0000me': '周' })],
      ['balance query', 'asOf', (v) => api('GET', `/api/v1/loans/L1/balance?asOf=${encode(v)}`)],
      ['requests query', 'status', (v) => api('GET', `/api/v1/requests?status=${encode(v)}`)],
      ['verify text', 'text', (v) => publicPost('/api/v1/verify', { text: v }) as ReturnType<typeof api>],
      ['verify link', 'link', (v) => publicPost('/api/v1/verify', { link: v }) as ReturnType<typeof api>],
      [
        'verify lender',
        'lender',
        (v) => publicPost('/api/v1/verify', { lender: v, text: '您好' }) as ReturnType<typeof api>,
      ],
    ];

    it.each(apiFields)('refuses control characters in the %s, naming it', async (_, field, send) => {
      const nul = await send('a\u0000b');
      expect(nul.status, JSON.stringify(nul.json)).toBe(400);
      if (!field.includes('\u0000'))
        expect(nul.json.error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
      await fc.assert(
        fc.asyncProperty(hostile, async (value) => {
          const answer = await send(value);
          expect(answer.status, JSON.stringify(answer.json)).toBe(400);
        }),
        RUNS,
      );
    });

    /** Paths and pages: never a 5xx, whatever the text (a page may accept what it strips or ignores). */
    const anywhere: Array<[string, (value: string) => Promise<Response>]> = [
      [
        'a borrower id in the path',
        (v) => fetch(`${server.url}/api/v1/borrowers/${encode(v)}`, { headers: { authorization: `Bearer ${key}` } }),
      ],
      ['a lender slug in the path', (v) => fetch(`${server.url}/api/v1/lenders/${encode(v)}`)],
      ['a short-link token', (v) => fetch(`${server.url}/r/${encode(v)}`)],
      ['the verify page query', (v) => fetch(`${server.url}/verify?text=${encode(v)}`)],
      ['the verify form', (v) => anonymousClient(server.url).post('/verify', { method: 'text', text: v })],
      ['the sign-in phone', (v) => anonymousClient(server.url).post('/account/sign-in', { action: 'send', phone: v })],
      [
        'the staff sign-in e-mail',
        (v) => anonymousClient(server.url).post('/staff/sign-in', { email: v, password: 'x' }),
      ],
      ['the staff check text', (v) => operator.post('/staff', { action: 'check', text: v })],
      [
        'a scam report note',
        (v) =>
          operator.post('/staff', { action: 'report', text: '请把验证码发给客服', tags: ['impersonation'], note: v }),
      ],
      ['a withdrawal reason', (v) => operator.post('/staff/reports', { item: 'domain|qinghe-xf.top', reason: v })],
      ['the borrower search', (v) => operator.get(`/staff/lenders/alpha/borrowers?q=${encode(v)}`)],
      ['a new lender’s name', (v) => operator.post('/staff/lenders', { slug: 'hexin', name: v })],
      [
        'a money policy’s time zone',
        (v) =>
          operator.post('/staff/lenders/alpha/settings', {
            group: 'money',
            'money.graceDays': '3',
            'money.penaltyDailyRate': '0.0005',
            'money.penaltyAnnualCap': '0.24',
            'money.timeZone': v,
          }),
      ],
      [
        'a reminder contact window',
        (v) =>
          operator.post('/staff/lenders/alpha/settings', { group: 'reminders', 'reminders.contactWindow.start': v }),
      ],
      ['an API key’s label', (v) => operator.post('/staff/lenders/alpha/keys', { action: 'create', label: v })],
      ['the key to revoke', (v) => operator.post('/staff/lenders/alpha/keys', { action: 'revoke', id: v })],
      [
        'a template’s wording',
        (v) => operator.post('/staff/lenders/alpha/templates/gentle/zh-CN', { action: 'preview', body: v }),
      ],
      [
        'a template preview’s loan',
        (v) =>
          operator.post('/staff/lenders/alpha/templates/gentle/zh-CN', { action: 'preview', body: '您好', loan: v }),
      ],
    ];

    it.each(anywhere)('never answers 5xx for control characters in %s', async (_, send) => {
      const nul = await send('a\u0000b');
      expect(nul.status).toBeLessThan(500);
      await nul.arrayBuffer();
      await fc.assert(
        fc.asyncProperty(hostile, async (value) => {
          const answer = await send(value);
          await answer.arrayBuffer();
          expect(answer.status).toBeLessThan(500);
        }),
        RUNS,
      );
    });

    it('answers a path holding one as an unknown path, and names a query parameter holding one', async () => {
      const page = await fetch(`${server.url}/r/Ab%00cd`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('<html');
      const path = await api('GET', '/api/v1/loans/L%001/balance');
      expect(path.status).toBe(404);
      expect(path.json.error.code).toBe('not_found');
      const query = await api('GET', '/api/v1/loans/L1/balance?asOf=2026-03-01%07');
      expect(query.status).toBe(400);
      expect(query.json.error).toMatchObject({ code: 'invalid_request', field: 'asOf' });
      const form = await fetch(`${server.url}/verify?text=a%00`);
      expect(form.status).toBe(400);
      expect(await form.text()).toMatch(/^text: must not contain control characters/);
    });

    it.runIf(dialect === 'sqlite')('answers Astro’s unused image and server-island routes with 404', async () => {
      const paths = [
        '/_image?href=/favicon.svg&w=10&f=webp',
        '/_image?href=/widget/v1.js&f=png&w=1',
        '/_image',
        '/_server-islands/x',
        '/_server-islands/x?s=1&e=2&p=3',
      ];
      for (const path of paths) {
        const response = await fetch(`${server.url}${path}`);
        await response.arrayBuffer();
        expect(response.status, path).toBe(404);
      }
      const post = await fetch(`${server.url}/_server-islands/x`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"componentExport":"a","encryptedProps":"","encryptedSlots":""}',
      });
      await post.arrayBuffer();
      expect(post.status).toBe(404);
    });

    it('refuses a body nested thousands of levels deep with a 400 naming it (a stack overflow was a 500)', async () => {
      const deep = `${'{"a":['.repeat(6_000)}1${']}'.repeat(6_000)}`; // 48 KB: under the 64 KB limit
      for (const path of ['/api/v1/borrowers/B1', '/api/v1/verify']) {
        const response = await fetch(`${server.url}${path}`, {
          method: path.includes('borrowers') ? 'PUT' : 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: deep,
        });
        expect(response.status, path).toBe(400);
        const json = (await response.json()) as { error: { field?: string; message: string } };
        expect(json.error.field, path).toBe('body');
        expect(json.error.message, path).toMatch(/nested more than 32 levels deep/);
      }
    });
  });
}
