import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AMOUNT, MAX_LOAN_REPAID, MAX_LOAN_TOTAL } from '../../src/services/lender-api-schemas.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// The lender API over HTTP against the built server, once per database dialect.
// Expected amounts are worked out by hand from CONTRACT.md's money rules (arithmetic beside each).

announcePostgresSkip();

for (const dialect of dialects) {
  describe(`lender API [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let keyA: string;
    let keyB: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-api-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      keyA = (await lenderWithKey(database.connection.db, 'alpha')).key;
      keyB = (
        await lenderWithKey(database.connection.db, 'beta', {
          policy: { graceDays: 0, penaltyDailyRate: '0.001', penaltyAnnualCap: '0.24', timeZone: 'Asia/Shanghai' },
        })
      ).key;
      server = await startServer({ DATABASE_URL: database.url });
    });

    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const call = async (
      method: string,
      path: string,
      body?: unknown,
      key: string | null = keyA,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      // biome-ignore lint/suspicious/noExplicitAny: assertions below read the JSON answers field by field
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text, headers: response.headers };
    };

    describe('borrowers', () => {
      it.each([
        ['138 1234 5678'],
        ['+86 138-1234-5678'],
        ['0086 138 1234 5678'],
        ['(+86) 13812345678'],
        ['１３８１２３４５６７８'],
      ])('stores %s as E.164', async (phone) => {
        const r = await call('PUT', '/api/v1/borrowers/P1', { name: '林晓', phone });
        expect(r.status).toBeLessThan(300);
        expect(r.json.phone).toBe('+8613812345678');
      });

      it('answers 201 when created and 200 when updated', async () => {
        const first = await call('PUT', '/api/v1/borrowers/NEW1', { name: '王芳', phone: '13900001111', locale: 'en' });
        expect(first.status).toBe(201);
        expect(first.json).toMatchObject({
          externalId: 'NEW1',
          name: '王芳',
          phone: '+8613900001111',
          locale: 'en',
          phoneVerified: true,
        });
        const second = await call('PUT', '/api/v1/borrowers/NEW1', { name: '王芳芳', phone: '13900001111' });
        expect(second.status).toBe(200);
        expect(second.json).toMatchObject({ name: '王芳芳', locale: 'en' });
        expect(second.json.phoneNotApplied).toBeUndefined();
      });

      it('reads a borrower back with the number reminders go to and who gave it; others are 404', async () => {
        const read = await call('GET', '/api/v1/borrowers/NEW1');
        expect(read.status).toBe(200);
        expect(read.json).toEqual({
          externalId: 'NEW1',
          name: '王芳芳',
          phone: '+8613900001111',
          phoneVerified: true,
          phoneSource: 'lender',
          phoneSince: expect.any(String),
          locale: 'en',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        });
        expect((await call('GET', '/api/v1/borrowers/NEW1', undefined, keyB)).status).toBe(404);
        const missing = await call('GET', '/api/v1/borrowers/NOBODY');
        expect(missing.status).toBe(404);
        expect(missing.json.error.code).toBe('not_found');
        const wrongMethod = await call('DELETE', '/api/v1/borrowers/NEW1');
        expect(wrongMethod.status).toBe(405);
      });

      it.each([
        [{ name: '林', phone: '010-12345678' }, 'phone', /mobile/],
        [{ name: '林', phone: '12345' }, 'phone', /not a valid phone number/],
        [{ name: '林', phone: 13812345678 }, 'phone', /phone/],
        [{ name: '', phone: '13812345678' }, 'name', /name/],
        [{ phone: '13812345678' }, 'name', /name/],
        [{ name: '林', phone: '13812345678', extra: true }, 'extra', /unknown field/],
        [{ name: '林', phone: '13812345678', locale: 'fr' }, 'locale', /zh-CN/],
      ])('refuses %j naming the field', async (body, field, message) => {
        const r = await call('PUT', '/api/v1/borrowers/BAD1', body);
        expect(r.status).toBe(400);
        expect(r.json.error.field).toBe(field);
        expect(r.json.error.message).toMatch(message);
      });

      it('refuses a malformed external id', async () => {
        const r = await call('PUT', `/api/v1/borrowers/${encodeURIComponent('bad id!')}`, {
          name: '林',
          phone: '13812345678',
        });
        expect(r.status).toBe(400);
        expect(r.json.error.field).toBe('externalId');
      });
    });

    describe('authentication and scoping', () => {
      it('requires a key', async () => {
        const none = await call('GET', '/api/v1/loans/X/balance', undefined, null);
        expect(none.status).toBe(401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const wrong = await call('GET', '/api/v1/loans/X/balance', undefined, `zxk_AAAAAAAA_${'A'.repeat(43)}`);
        expect(wrong.status).toBe(401);
        expect(wrong.json.error.code).toBe('unauthorized');
      });

      it("never shows one lender's loan to another lender's key", async () => {
        await call('PUT', '/api/v1/borrowers/SCOPE', { name: '甲', phone: '13700001111' });
        const put = await call('PUT', '/api/v1/loans/SCOPE-L', {
          borrower: 'SCOPE',
          currency: 'CNY',
          instalments: [{ dueDate: '2026-01-10', principal: 100_000, interest: 0 }],
        });
        expect(put.status).toBe(201);
        expect((await call('GET', '/api/v1/loans/SCOPE-L/balance?asOf=2026-01-10')).status).toBe(200);
        const other = await call('GET', '/api/v1/loans/SCOPE-L/balance?asOf=2026-01-10', undefined, keyB);
        expect(other.status).toBe(404);
        expect(other.text).not.toContain('100000');
        const pay = await call(
          'POST',
          '/api/v1/loans/SCOPE-L/repayments',
          { amount: 1, paidOn: '2026-01-10', idempotencyKey: 'x' },
          keyB,
        );
        expect(pay.status).toBe(404);
        const steal = await call(
          'PUT',
          '/api/v1/loans/B-L',
          { borrower: 'SCOPE', currency: 'CNY', instalments: [{ dueDate: '2026-01-10', principal: 1, interest: 0 }] },
          keyB,
        );
        expect(steal.status).toBe(422);
        expect(steal.json.error.field).toBe('borrower');
      });
    });

    describe('loans and balances', () => {
      beforeAll(async () => {
        await call('PUT', '/api/v1/borrowers/M1', { name: '胡斌', phone: '13600001111' });
      });

      it('computes several overdue instalments and a repayment exactly', async () => {
        const put = await call('PUT', '/api/v1/loans/M1-L', {
          borrower: 'M1',
          currency: 'CNY',
          instalments: [
            { dueDate: '2026-01-15', principal: 100_000, interest: 3_000 },
            { dueDate: '2026-02-15', principal: 100_000, interest: 2_000 },
            { dueDate: '2026-03-15', principal: 100_000, interest: 1_000 },
          ],
        });
        expect(put.status).toBe(201);
        // 45 days × 100000 × 0.0005 = 2250 and 14 days → 700
        const before = await call('GET', '/api/v1/loans/M1-L/balance?asOf=2026-03-01');
        expect(before.json).toMatchObject({
          currency: 'CNY',
          principal: 300_000,
          interest: 6_000,
          penalty: 2_950,
          total: 308_950,
          daysOverdue: 45,
        });
        expect(before.json.instalments).toEqual([
          {
            dueDate: '2026-01-15',
            principal: 100_000,
            interest: 3_000,
            penalty: 2_250,
            status: 'overdue',
            daysOverdue: 45,
          },
          {
            dueDate: '2026-02-15',
            principal: 100_000,
            interest: 2_000,
            penalty: 700,
            status: 'overdue',
            daysOverdue: 14,
          },
          {
            dueDate: '2026-03-15',
            principal: 100_000,
            interest: 1_000,
            penalty: 0,
            status: 'upcoming',
            daysOverdue: 0,
          },
        ]);
        const pay = await call('POST', '/api/v1/loans/M1-L/repayments', {
          amount: 110_000,
          paidOn: '2026-02-20',
          idempotencyKey: 'pay-1',
        });
        expect(pay.status).toBe(201);
        // A: 36 days → 1800 + 3000 + 100000; B: 5 days → 250 + 2000 + 2950
        expect(pay.json.allocations).toEqual([
          { dueDate: '2026-01-15', penalty: 1_800, interest: 3_000, principal: 100_000 },
          { dueDate: '2026-02-15', penalty: 250, interest: 2_000, principal: 2_950 },
        ]);
        // B's base days: 5 × 100000 + 9 × 97050 = 1373450 → 686.725 → 687 − 250 paid = 437
        const after = await call('GET', '/api/v1/loans/M1-L/balance?asOf=2026-03-01');
        expect(after.json).toMatchObject({
          principal: 197_050,
          interest: 1_000,
          penalty: 437,
          total: 198_487,
          daysOverdue: 14,
        });
        // Before the repayment's date it does not count.
        const earlier = await call('GET', '/api/v1/loans/M1-L/balance?asOf=2026-02-19');
        expect(earlier.json.principal).toBe(300_000);
      });

      it('replays a repeated idempotency key without paying twice', async () => {
        await call('PUT', '/api/v1/loans/IDEM', {
          borrower: 'M1',
          currency: 'CNY',
          instalments: [{ dueDate: '2026-03-01', principal: 100_000, interest: 2_000 }],
        });
        const body = { amount: 52_000, paidOn: '2026-03-01', idempotencyKey: 'same-key' };
        const first = await call('POST', '/api/v1/loans/IDEM/repayments', body);
        const again = await call('POST', '/api/v1/loans/IDEM/repayments', body);
        const parallel = await Promise.all([1, 2, 3].map(() => call('POST', '/api/v1/loans/IDEM/repayments', body)));
        expect(first.status).toBe(201);
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.json).toEqual(first.json);
        for (const r of parallel) expect(r.json).toEqual(first.json);
        // one repayment only: 50000 left × 10 days × 0.0005 = 250
        const balance = await call('GET', '/api/v1/loans/IDEM/balance?asOf=2026-03-11');
        expect(balance.json).toMatchObject({ principal: 50_000, interest: 0, penalty: 250, total: 50_250 });
      });

      it('refuses a repayment larger than the loan owes', async () => {
        const r = await call('POST', '/api/v1/loans/IDEM/repayments', {
          amount: 60_000,
          paidOn: '2026-03-01',
          idempotencyKey: 'too-much',
        });
        expect(r.status).toBe(422);
        expect(r.json.error).toMatchObject({ code: 'overpayment', field: 'amount' });
      });

      it('bounds what a loan may hold, so every figure stays exact: its schedule and its repayments', async () => {
        // ¥1,000,000,000 at 1% a day from 1900: by 2999 it owes about 4.0 × 10^14 fen (still exact)
        const ceiling = { dueDate: '1900-01-01', principal: MAX_LOAN_TOTAL, interest: 0 };
        const policy = { graceDays: 0, penaltyDailyRate: '0.01', penaltyAnnualCap: '3.65' };
        const over = await call('PUT', '/api/v1/loans/HUGE', {
          borrower: 'M1',
          currency: 'CNY',
          instalments: [ceiling, { ...ceiling, dueDate: '1900-02-01', principal: 1 }],
          policy,
        });
        expect(over.status).toBe(400);
        expect(over.json.error).toMatchObject({ code: 'invalid_request', field: 'instalments' });
        const put = await call('PUT', '/api/v1/loans/HUGE', {
          borrower: 'M1',
          currency: 'CNY',
          instalments: [ceiling],
          policy,
        });
        expect(put.status).toBe(201);
        const pay = (i: number) =>
          call('POST', '/api/v1/loans/HUGE/repayments', {
            amount: MAX_AMOUNT,
            paidOn: '2999-12-31',
            idempotencyKey: `huge-${i}`,
          });
        for (let i = 0; i < MAX_LOAN_REPAID / MAX_AMOUNT; i++) expect((await pay(i)).status).toBe(201);
        const eleventh = await pay(99);
        expect(eleventh.status).toBe(400);
        expect(eleventh.json.error).toMatchObject({ code: 'invalid_request', field: 'amount' });
        const balance = await call('GET', '/api/v1/loans/HUGE/balance?asOf=2999-12-31');
        expect(Number.isSafeInteger(balance.json.total)).toBe(true);
        expect(balance.json.total).toBe(balance.json.principal + balance.json.interest + balance.json.penalty);
      });

      it('keeps recorded repayments meaningful: no currency change, no schedule below what was repaid', async () => {
        // IDEM has 52000 repaid on 2026-03-01 (2000 interest + 50000 principal)
        const yen = await call('PUT', '/api/v1/loans/IDEM', {
          borrower: 'M1',
          currency: 'JPY',
          instalments: [{ dueDate: '2026-03-01', principal: 100_000, interest: 2_000 }],
        });
        expect(yen.status).toBe(409);
        expect(yen.json.error).toMatchObject({ code: 'currency_locked', field: 'currency' });
        const smaller = await call('PUT', '/api/v1/loans/IDEM', {
          borrower: 'M1',
          currency: 'CNY',
          instalments: [{ dueDate: '2026-03-01', principal: 10_000, interest: 0 }],
        });
        expect(smaller.status).toBe(409);
        expect(smaller.json.error).toMatchObject({ code: 'schedule_below_repaid', field: 'instalments' });
        // nothing changed: 50000 left × 10 days × 0.0005 = 250
        const balance = await call('GET', '/api/v1/loans/IDEM/balance?asOf=2026-03-11');
        expect(balance.json).toMatchObject({ principal: 50_000, penalty: 250, total: 50_250 });
      });

      it("applies the lender's policy and the loan's override (annual cap)", async () => {
        // lender beta: grace 0, 0.1%/day capped at 0.24/365: 100000 × 10 × 0.24/365 = 657.53 → 658
        await call('PUT', '/api/v1/borrowers/CAP', { name: '罗平', phone: '13500001111' }, keyB);
        await call(
          'PUT',
          '/api/v1/loans/CAP-L',
          {
            borrower: 'CAP',
            currency: 'CNY',
            instalments: [{ dueDate: '2026-05-01', principal: 100_000, interest: 0 }],
          },
          keyB,
        );
        expect((await call('GET', '/api/v1/loans/CAP-L/balance?asOf=2026-05-11', undefined, keyB)).json.penalty).toBe(
          658,
        );
        // the loan's own policy: grace 5, 0.03%/day → day 5 nothing; day 6: 100000 × 6 × 0.0003 = 180
        await call(
          'PUT',
          '/api/v1/loans/CAP-L',
          {
            borrower: 'CAP',
            currency: 'CNY',
            instalments: [{ dueDate: '2026-05-01', principal: 100_000, interest: 0 }],
            policy: { graceDays: 5, penaltyDailyRate: '0.0003' },
          },
          keyB,
        );
        expect((await call('GET', '/api/v1/loans/CAP-L/balance?asOf=2026-05-06', undefined, keyB)).json.penalty).toBe(
          0,
        );
        expect((await call('GET', '/api/v1/loans/CAP-L/balance?asOf=2026-05-07', undefined, keyB)).json.penalty).toBe(
          180,
        );
      });

      it.each([
        [{ instalments: [{ dueDate: '2026-02-30', principal: 1, interest: 0 }] }, 'instalments[0].dueDate'],
        [{ instalments: [{ dueDate: '2026-02-01', principal: -1, interest: 0 }] }, 'instalments[0].principal'],
        [{ instalments: [{ dueDate: '2026-02-01', principal: 1.5, interest: 0 }] }, 'instalments[0].principal'],
        [{ instalments: [{ dueDate: '2026-02-01', principal: '100', interest: 0 }] }, 'instalments[0].principal'],
        [{ instalments: [] }, 'instalments'],
        [{ currency: 'XXQ' }, 'currency'],
        [{ policy: { graceDays: -1 } }, 'policy.graceDays'],
        [{ policy: { penaltyDailyRate: 0.0005 } }, 'policy.penaltyDailyRate'],
        [{ policy: { timeZone: 'Mars/Olympus' } }, 'policy.timeZone'],
        [{ surprise: 1 }, 'surprise'],
      ])('refuses a loan with %j naming %s', async (change, field) => {
        const body = {
          borrower: 'M1',
          currency: 'CNY',
          instalments: [{ dueDate: '2026-02-01', principal: 1_000, interest: 0 }],
          ...change,
        };
        const r = await call('PUT', '/api/v1/loans/BADLOAN', body);
        expect(r.status).toBe(400);
        expect(r.json.error.field).toBe(field);
        expect(r.json.error.message.startsWith(field)).toBe(true);
      });

      it.each([
        ['?asOf=2026-13-01', 'asOf'],
        ['?asOf=yesterday', 'asOf'],
        ['?asof=2026-01-01', 'asof'],
        ['?asOf=2026-01-01&asOf=2026-01-02', 'asOf'],
      ])('refuses the balance query %s', async (query, field) => {
        const r = await call('GET', `/api/v1/loans/IDEM/balance${query}`);
        expect(r.status).toBe(400);
        expect(r.json.error.field).toBe(field);
      });

      it('answers an unknown loan with 404', async () => {
        const r = await call('GET', '/api/v1/loans/NOPE/balance');
        expect(r.status).toBe(404);
        expect(r.json.error.code).toBe('not_found');
      });

      it.each([
        ['{"amount":', 'application/json', 400],
        ['', 'application/json', 400],
        ['amount=1', 'application/x-www-form-urlencoded', 415],
        ['"just a string"', 'application/json', 400],
        ['null', 'application/json', 400],
        [`{"amount":1,"paidOn":"2026-01-01","idempotencyKey":"${'k'.repeat(70_000)}"}`, 'application/json', 413],
      ])('answers a malformed body %# with a 4xx', async (body, type, status) => {
        const r = await call('POST', '/api/v1/loans/IDEM/repayments', body, keyA, { 'content-type': type });
        expect(r.status).toBe(status);
        expect(r.json.error.code).toEqual(expect.any(String));
        expect(r.text).not.toMatch(/at \w+ \(|node_modules/);
      });

      it('never answers 500 to arbitrary JSON', async () => {
        await fc.assert(
          fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
            const r = await call('PUT', '/api/v1/loans/FUZZ', value);
            expect(r.status).toBeGreaterThanOrEqual(200);
            expect(r.status).toBeLessThan(500);
          }),
          { numRuns: 60 },
        );
      });
    });

    describe('requests, profile and method handling', () => {
      it('lists requests (none yet) and validates the status filter', async () => {
        expect((await call('GET', '/api/v1/requests?status=pending')).json).toEqual({ requests: [] });
        const bad = await call('GET', '/api/v1/requests?status=maybe');
        expect(bad.status).toBe(400);
        expect(bad.json.error.field).toBe('status');
      });

      it('serves the public lender profile without a key', async () => {
        const r = await call('GET', '/api/v1/lenders/alpha', undefined, null);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({
          slug: 'alpha',
          smsSignature: 'alpha金融',
          domains: ['alpha.example.cn'],
          shortLinkDomain: 'alpha.cn',
          hotlines: ['400-000-0000'],
        });
        expect(r.json.repaymentChannels).toHaveLength(1);
        expect((await call('GET', '/api/v1/lenders/nobody', undefined, null)).status).toBe(404);
        // A path that is not valid percent-encoding is refused before routing: a 4xx with no trace.
        const garbled = await call('GET', '/api/v1/lenders/%E0%A4%A', undefined, null);
        expect(garbled.status).toBeGreaterThanOrEqual(400);
        expect(garbled.status).toBeLessThan(500);
        expect(garbled.text).not.toMatch(/at \w+ \(|node_modules/);
      });

      it('answers a wrong method with 405 and an unknown path with a JSON 404', async () => {
        const wrong = await call('DELETE', '/api/v1/loans/IDEM/balance');
        expect(wrong.status).toBe(405);
        expect(wrong.headers.get('allow')).toBe('GET');
        const unknown = await call('GET', '/api/v1/nothing-here');
        expect(unknown.status).toBe(404);
        expect(unknown.json.error.code).toBe('not_found');
      });
    });

    describe('cross-site requests', () => {
      it('refuses an unsafe request from another origin whatever its content type', async () => {
        for (const type of [
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ]) {
          const r = await call('PUT', '/api/v1/borrowers/CSRF', '{"name":"x","phone":"13812345678"}', keyA, {
            'content-type': type,
            origin: 'https://evil.example',
          });
          expect(r.status).toBe(403);
        }
        const fetchSite = await call('PUT', '/api/v1/borrowers/CSRF', { name: 'x', phone: '13812345678' }, keyA, {
          'sec-fetch-site': 'cross-site',
        });
        expect(fetchSite.status).toBe(403);
        expect((await call('GET', '/api/v1/loans/CSRF/balance', undefined, keyA)).status).toBe(404);
      });

      it('sets the security headers on pages and API answers', async () => {
        for (const path of ['/', '/api/v1/lenders/alpha', '/no-such-page']) {
          const r = await fetch(`${server.url}${path}`);
          const csp = r.headers.get('content-security-policy') ?? '';
          expect(csp).toContain("frame-ancestors 'none'");
          expect(csp).toContain("script-src 'self'");
          expect(csp).not.toContain('unsafe-inline');
          expect(r.headers.get('x-content-type-options')).toBe('nosniff');
          expect(r.headers.get('referrer-policy')).toBe('same-origin');
          expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
        }
      });
    });
  });
}
