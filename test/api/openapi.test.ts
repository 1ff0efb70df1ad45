import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { addDays, localDate } from '../../src/core/dates.ts';
import { quoteFingerprint } from '../../src/core/relief.ts';
import { findBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { findLoan } from '../../src/db/repositories/loans.ts';
import { buildOpenApiDocument } from '../../src/server/openapi.ts';
import { quoteFor, reliefState, submitRelief } from '../../src/services/relief.ts';
import { twilioSignature } from '../../src/sms/twilio.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';
import { createOpenApiChecker, METHODS, openApiProblems, openObjectsInAnswers } from '../support/openapi.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// CONTRACT.md "OpenAPI": every answer the API really sends validates against the document it
// serves at /api/v1/openapi.json. Real requests against the built server, once per database
// dialect, cover each endpoint's success and its main errors; every answer is checked for its
// status, media type, headers and body, and an undocumented status or field fails the test.

announcePostgresSkip();

type JsonObject = Record<string, unknown>;

const TWILIO_CALLBACK = 'https://zhenxin.example/api/sms/twilio/status';
const TWILIO_TOKEN = 'openapi-test-auth-token-0123456789';
const ALIYUN_SECRET = 'openapi-r3ceipt-s3cret-0123456789abcdef';
const aliyunEnv = {
  SMS_PROVIDER: 'aliyun',
  ALIYUN_ACCESS_KEY_ID: 'LTAI-test',
  ALIYUN_ACCESS_KEY_SECRET: 'secret',
  ALIYUN_SIGN_NAME: '青禾消费金融',
  ALIYUN_TEMPLATE_CODES: '{"gentle.zh-CN":"SMS_1"}',
  ALIYUN_RECEIPT_SECRET: ALIYUN_SECRET,
};
const twilioEnv = {
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  TWILIO_FROM: '+15005550006',
  TWILIO_STATUS_CALLBACK_URL: TWILIO_CALLBACK,
};
/** What a browser on another site sends with a POST (Sec-Fetch-Site decides; Origin backs it up). */
const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A concrete path for a documented template. */
function concrete(template: string): string {
  return template.replace('{externalId}', 'X-404').replace('{slug}', 'demo').replace('{secret}', ALIYUN_SECRET);
}

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument({ checksPerMinute: 30, maxJsonBytes: 64 * 1024 });
  const checker = createOpenApiChecker(document);
  const paths = document.paths as Record<string, JsonObject>;

  it('is well-formed OpenAPI 3.1: refs resolve, operations have responses, ids are unique, schemas compile', () => {
    expect(openApiProblems(document)).toEqual([]);
  });

  it('finds the problems it is there to find', () => {
    const broken = structuredClone(document) as { paths: Record<string, JsonObject>; components: JsonObject };
    const verify = broken.paths['/api/v1/verify'] as { post: JsonObject; options: JsonObject };
    verify.options.operationId = verify.post.operationId;
    (broken.paths['/api/v1/requests'] as { get: JsonObject }).get.responses = {};
    (broken.paths['/api/v1/loans/{externalId}'] as { parameters: unknown[] }).parameters = [];
    (broken.components.schemas as JsonObject).Loan = { $ref: '#/components/schemas/Nowhere' };
    const problems = openApiProblems(broken).join('\n');
    expect(problems).toMatch(/operationId "verifyMessage" also used/);
    expect(problems).toMatch(/\/api\/v1\/requests.*no responses/);
    expect(problems).toMatch(/\{externalId\} is not declared/);
    expect(problems).toMatch(/\$ref #\/components\/schemas\/Nowhere does not resolve/);
  });

  it('lists every endpoint of the API', () => {
    expect(Object.keys(paths).sort()).toEqual([
      '/api/sms/aliyun/{secret}/report',
      '/api/sms/aliyun/{secret}/upstream',
      '/api/sms/twilio/incoming',
      '/api/sms/twilio/status',
      '/api/v1/borrowers/{externalId}',
      '/api/v1/lenders/{slug}',
      '/api/v1/loans/{externalId}',
      '/api/v1/loans/{externalId}/balance',
      '/api/v1/loans/{externalId}/repayments',
      '/api/v1/openapi.json',
      '/api/v1/reports/effect',
      '/api/v1/requests',
      '/api/v1/verify',
      '/api/v1/widget/{slug}',
    ]);
  });

  it('closes every object an answer can hold, so an undocumented field fails validation', () => {
    expect(openObjectsInAnswers(document, ['OpenApiDocument'])).toEqual([]);
  });

  it('gives every 4xx and 5xx the one error shape, and every lender operation the key and its 401', () => {
    for (const [template, item] of Object.entries(paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!isObject(operation)) continue;
        const label = `${method.toUpperCase()} ${template}`;
        for (const [status, raw] of Object.entries(operation.responses as JsonObject)) {
          if (Number(status) < 400) continue;
          const response = (
            isObject(raw) && typeof raw.$ref === 'string'
              ? (document.components as { responses: JsonObject }).responses[raw.$ref.split('/').at(-1) as string]
              : raw
          ) as { content: { 'application/json': { schema: unknown } } };
          expect(response.content['application/json'].schema, `${label} ${status}`).toEqual({
            $ref: '#/components/schemas/ApiError',
          });
        }
        const lenderApi = template.startsWith('/api/v1/') && !/verify|lenders|widget|openapi/.test(template);
        expect(operation.security, label).toEqual(lenderApi ? [{ apiKey: [] }] : undefined);
        if (lenderApi) expect(Object.keys(operation.responses as JsonObject), label).toContain('401');
      }
    }
    expect((document.components as JsonObject).securitySchemes).toMatchObject({
      apiKey: { type: 'http', scheme: 'bearer' },
    });
  });

  it('documents the rate limit with Retry-After, and the CORS rule on verify', () => {
    const verify = paths['/api/v1/verify'] as { post: { description: string; responses: JsonObject } };
    expect(verify.post.responses['429']).toEqual({ $ref: '#/components/responses/RateLimited' });
    const limited = (document.components as { responses: { RateLimited: { headers: JsonObject } } }).responses
      .RateLimited;
    expect(Object.keys(limited.headers)).toEqual(['Retry-After']);
    expect(verify.post.description).toMatch(/30 checks a minute/);
    expect(verify.post.description).toMatch(/widget origins/);
  });

  it('keeps the indicator id an open string, not a closed list', () => {
    const schemas = (document.components as { schemas: Record<string, JsonObject> }).schemas;
    const answer = schemas.VerifyAnswer as {
      properties: { indicators: { items: { properties: { id: JsonObject } } } };
    };
    const indicators = answer.properties.indicators.items.properties.id;
    expect(indicators.type).toBe('string');
    expect(indicators.enum).toBeUndefined();
  });

  it('has examples that match their own schemas', () => {
    let count = 0;
    const visit = (node: unknown, at: string) => {
      if (!isObject(node)) return;
      if (isObject(node.schema) && isObject(node.examples)) {
        for (const [name, example] of Object.entries(node.examples)) {
          count++;
          const value = (example as { value: unknown }).value;
          expect(checker.checkValue(`${at}/schema`, value), `${at} example ${name}`).toEqual([]);
        }
      }
      for (const [key, value] of Object.entries(node)) visit(value, `${at}/${key.replaceAll('/', '~1')}`);
    };
    visit(document.paths, '#/paths');
    visit(document.components, '#/components');
    expect(count).toBeGreaterThan(15);
  });

  it('checks an answer strictly: an extra field, an unknown status, an unlisted method, a missing header', () => {
    const json = new Headers({ 'content-type': 'application/json; charset=utf-8' });
    const profile = {
      slug: 'demo',
      name: '青禾消费金融（演示）',
      nameEn: 'Qinghe Consumer Finance (demo)',
      smsSignature: '青禾消费金融',
      domains: ['qinghe-xf.cn'],
      shortLinkDomain: 'qhxf.cn',
      hotlines: ['400-186-5533'],
      hotlineHours: ['09:00–21:00'],
      repaymentChannels: [],
      policy: { graceDays: 3, penaltyDailyRate: '0.0005', penaltyAnnualCap: '0.24', timeZone: 'Asia/Shanghai' },
    };
    const answer = (status: number, body: unknown, headers = json, method = 'GET') => ({
      template: '/api/v1/lenders/{slug}',
      method,
      status,
      headers,
      body: body === undefined ? '' : JSON.stringify(body),
    });
    expect(checker.checkAnswer(answer(200, profile))).toEqual([]);
    expect(checker.checkAnswer(answer(200, { ...profile, widgetOrigins: [] })).join()).toMatch(
      /must NOT have additional properties/,
    );
    expect(checker.checkAnswer(answer(200, { ...profile, policy: { ...profile.policy, x: 1 } })).join()).toMatch(
      /\/policy must NOT have additional properties/,
    );
    const error = { error: { code: 'teapot', message: 'no' } };
    expect(checker.checkAnswer(answer(418, error)).join()).toMatch(/status 418 is not documented/);
    expect(checker.checkAnswer(answer(200, profile, json, 'POST')).join()).toMatch(/undocumented method/);
    expect(
      checker
        .checkAnswer(answer(405, { error: { code: 'method_not_allowed', message: 'use GET' } }, json, 'POST'))
        .join(),
    ).toMatch(/header Allow is missing/);
    expect(checker.checkAnswer(answer(200, profile, new Headers({ 'content-type': 'text/html' }))).join()).toMatch(
      /media type "text\/html" is not documented/,
    );
  });
});

for (const dialect of dialects) {
  describe(`every answer of the API matches its OpenAPI document [${dialect}]`, () => {
    let dir: string;
    let database: TestDatabase;
    let server: RunningServer;
    let twilioServer: RunningServer;
    let key = '';
    let genuine = '';
    let checker: ReturnType<typeof createOpenApiChecker>;
    /** "METHOD template status" of every answer checked. */
    const seen = new Set<string>();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-openapi-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const { db } = database.connection;
      await seedDemoAndSendReminders(database.connection);
      genuine = (
        await db
          .selectFrom('dev_sms_outbox')
          .select('text')
          .where('to', '=', '+8613800138007')
          .executeTakeFirstOrThrow()
      ).text;
      const demo = await findLenderBySlug(db, 'demo');
      if (!demo) throw new Error('the demo lender was not seeded');
      key = (await createApiKey(db, demo.id, 'openapi test')).key;
      [server, twilioServer] = await Promise.all([
        startServer({ DATABASE_URL: database.url, ...aliyunEnv }),
        startServer({ DATABASE_URL: database.url, ...twilioEnv }),
      ]);
      const served = await fetch(`${server.url}/api/v1/openapi.json`);
      checker = createOpenApiChecker((await served.json()) as JsonObject);
    });

    afterAll(async () => {
      await Promise.all([server?.stop(), twilioServer?.stop()]);
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    interface Call {
      /** Sent as JSON unless a string (sent as it is). */
      body?: unknown;
      headers?: Record<string, string>;
      /** Send the demo lender's key (default), or none. */
      withKey?: boolean;
      /** The concrete path, when not the template's stand-in. */
      path?: string;
      on?: RunningServer;
    }

    /** Makes the request, checks the answer against the document, and returns it. */
    async function call(method: string, template: string, options: Call = {}) {
      const { body, headers = {}, withKey = true, path = concrete(template), on = server } = options;
      const json = body !== undefined && typeof body !== 'string';
      const response = await fetch(`${on.url}${path}`, {
        method,
        headers: {
          ...(withKey ? { authorization: `Bearer ${key}` } : {}),
          ...(json ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : (body as string) }),
      });
      const text = await response.text();
      const answer = { template, method, status: response.status, headers: response.headers, body: text };
      expect(checker.checkAnswer(answer), `${method} ${path}: ${text.slice(0, 300)}`).toEqual([]);
      // A request the server took must match the document too: it may not ask for less than the server does.
      if (json && response.status < 300) {
        expect(checker.checkRequestBody(template, method, 'application/json', body), `${method} ${path} body`).toEqual(
          [],
        );
      }
      seen.add(`${method} ${template} ${response.status}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      // biome-ignore lint/suspicious/noExplicitAny: the tests read fields of answers already checked against the document
      return { status: response.status, json: parsed as any, headers: response.headers };
    }

    it('serves the document it is checked against, as JSON anyone may read', async () => {
      const response = await call('GET', '/api/v1/openapi.json');
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(openApiProblems(response.json)).toEqual([]);
      expect(response.json).toEqual(buildOpenApiDocument({ checksPerMinute: 30, maxJsonBytes: 64 * 1024 }));
    });

    it('verify: genuine, not sent, by link and by code', async () => {
      const genuineAnswer = await call('POST', '/api/v1/verify', { body: { lender: 'demo', text: genuine } });
      expect(genuineAnswer.status).toBe(200);
      expect(genuineAnswer.json.verdict).toBe('genuine');
      const scam = await call('POST', '/api/v1/verify', {
        body: { text: '【青禾消费金融】请将欠款转入安全账户6222020200001234567，并提供验证码。qinghe-xf.top' },
        headers: { 'accept-language': 'en' },
      });
      expect(scam.json).toMatchObject({ verdict: 'not_sent', risk: 'high' });
      expect(scam.headers.get('content-language')).toBe('en');
      // A forged copy of a real reminder: its changes are part of the documented answer.
      const amount = /¥[\d,]+\.\d\d/.exec(genuine)?.[0] ?? '';
      const forged = await call('POST', '/api/v1/verify', { body: { text: genuine.replace(amount, '¥99,999.00') } });
      expect(forged.json).toMatchObject({
        verdict: 'not_sent',
        risk: 'high',
        differences: [{ field: 'amount', sent: amount, received: '¥99,999.00' }],
      });
      const token = /\/r\/([A-Za-z0-9_-]+)/.exec(genuine)?.[1] ?? '';
      expect(
        (await call('POST', '/api/v1/verify', { body: { link: `https://qhxf.cn/r/${token}` } })).json.verdict,
      ).toBe('genuine');
      const code = await call('POST', '/api/v1/verify', { body: { code: 'K7QX-92M8', phoneLast4: '0000' } });
      expect(code.json).toMatchObject({ verdict: 'not_sent', risk: 'none', indicators: [], codeCheck: 'no_match' });
      const typo = await call('POST', '/api/v1/verify', { body: { code: 'K7QX-92MD', phoneLast4: '0000' } });
      expect(typo.json).toMatchObject({ verdict: 'not_sent', risk: 'none', indicators: [], codeCheck: 'mistyped' });
      const fromWidget = await call('POST', '/api/v1/verify', {
        body: { text: genuine },
        headers: { origin: 'https://qinghe-xf.cn', 'sec-fetch-site': 'cross-site' },
      });
      expect(fromWidget.status).toBe(200);
      expect(fromWidget.headers.get('access-control-allow-origin')).toBe('https://qinghe-xf.cn');
      const preflight = await call('OPTIONS', '/api/v1/verify', {
        headers: { origin: 'https://qinghe-xf.cn', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
    });

    it('verify: 400 naming the field', async () => {
      for (const [body, field] of [
        [{}, 'text'],
        [{ code: 'K7QX-92M8' }, 'phoneLast4'],
        [{ text: 'x'.repeat(2_001) }, 'text'],
        [{ text: 'a', surprise: 1 }, 'surprise'],
        [{ lender: 'nobody', text: 'a' }, 'lender'],
      ] as const) {
        const response = await call('POST', '/api/v1/verify', { body });
        expect(response.status).toBe(400);
        expect(response.json.error.field).toBe(field);
      }
      const notJson = await call('POST', '/api/v1/verify', {
        body: '{"text":',
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson.json.error).toMatchObject({ code: 'invalid_json', field: 'body' });
    });

    it('the widget’s settings, for a registered page and another, and a lender that does not exist', async () => {
      const registered = await call('GET', '/api/v1/widget/{slug}', {
        withKey: false,
        headers: { origin: 'https://qinghe-xf.cn' },
      });
      expect(registered.json.originAllowed).toBe(true);
      const stranger = await call('GET', '/api/v1/widget/{slug}', {
        withKey: false,
        headers: { origin: 'https://evil.example' },
      });
      expect(stranger.json.originAllowed).toBe(false);
      expect(
        (await call('GET', '/api/v1/widget/{slug}', { withKey: false, path: '/api/v1/widget/no-such-lender' })).status,
      ).toBe(404);
      expect(
        (
          await call('OPTIONS', '/api/v1/widget/{slug}', {
            withKey: false,
            headers: { origin: 'https://evil.example' },
          })
        ).status,
      ).toBe(204);
    });

    it('the lender profile, and a lender that does not exist', async () => {
      const profile = await call('GET', '/api/v1/lenders/{slug}', { withKey: false });
      expect(profile.status).toBe(200);
      expect(profile.json.hotlines).toEqual(['400-186-5533']);
      const missing = await call('GET', '/api/v1/lenders/{slug}', { path: '/api/v1/lenders/no-such-lender' });
      expect(missing.status).toBe(404);
    });

    it('borrowers: created, updated, read back; refused naming the field; unknown', async () => {
      const body = { name: '林晓', phone: '0086 138 1234 5678', locale: 'zh-CN' };
      expect(
        (await call('PUT', '/api/v1/borrowers/{externalId}', { path: '/api/v1/borrowers/OA-B1', body })).status,
      ).toBe(201);
      const again = await call('PUT', '/api/v1/borrowers/{externalId}', {
        path: '/api/v1/borrowers/OA-B1',
        body: { ...body, name: '林晓晓', phoneVerified: false },
      });
      expect(again.status).toBe(200);
      const read = await call('GET', '/api/v1/borrowers/{externalId}', { path: '/api/v1/borrowers/OA-B1' });
      expect(read.json).toMatchObject({ name: '林晓晓', phone: '+8613812345678', phoneVerified: false });
      for (const [bad, field] of [
        [{ name: '林', phone: '010-12345678' }, 'phone'],
        [{ phone: '13812345678' }, 'name'],
        [{ name: '林', phone: '13812345678', locale: 'fr' }, 'locale'],
      ] as const) {
        const refused = await call('PUT', '/api/v1/borrowers/{externalId}', {
          path: '/api/v1/borrowers/OA-B2',
          body: bad,
        });
        expect(refused.status).toBe(400);
        expect(refused.json.error.field).toBe(field);
      }
      const badId = await call('GET', '/api/v1/borrowers/{externalId}', { path: '/api/v1/borrowers/bad%20id!' });
      expect(badId.json.error.field).toBe('externalId');
      expect((await call('GET', '/api/v1/borrowers/{externalId}')).status).toBe(404);
    });

    it('a number the borrower replaced is not put back: phoneNotApplied', async () => {
      const { db } = database.connection;
      const put = (phone: string) =>
        call('PUT', '/api/v1/borrowers/{externalId}', { path: '/api/v1/borrowers/OA-B3', body: { name: '周', phone } });
      expect((await put('13700001234')).status).toBe(201);
      // What the account page's confirmed change writes: the borrower's own number replaces the lender's.
      const borrower = await findBorrower(db, (await findLenderBySlug(db, 'demo'))?.id ?? '', 'OA-B3');
      const at = new Date().toISOString();
      await replaceCurrentPhone(
        db,
        borrower?.borrower.id ?? '',
        { e164: '+8613700005678', source: 'borrower', verifiedAt: at },
        at,
      );
      const kept = await put('13700001234');
      expect(kept.status).toBe(200);
      expect(kept.json).toMatchObject({ phone: '+8613700005678', phoneNotApplied: { reason: 'changed_by_borrower' } });
    });

    it('loans, repayments and balances, with their conflicts and refusals', async () => {
      const today = localDate(new Date(), 'Asia/Shanghai');
      const due = addDays(today, -20);
      await call('PUT', '/api/v1/borrowers/{externalId}', {
        path: '/api/v1/borrowers/OA-B4',
        body: { name: '胡斌', phone: '13900009999' },
      });
      const loan = {
        borrower: 'OA-B4',
        currency: 'CNY',
        instalments: [
          { dueDate: due, principal: 100_000, interest: 2_000 },
          { dueDate: addDays(due, 30), principal: 100_000, interest: 2_000 },
        ],
      };
      const path = '/api/v1/loans/OA-L1';
      expect((await call('PUT', '/api/v1/loans/{externalId}', { path, body: loan })).status).toBe(201);
      const replaced = await call('PUT', '/api/v1/loans/{externalId}', {
        path,
        body: {
          ...loan,
          policy: { graceDays: 3, penaltyDailyRate: '0.0005', penaltyAnnualCap: '0.24', timeZone: 'Asia/Shanghai' },
        },
      });
      expect(replaced.status).toBe(200);
      const bad = await call('PUT', '/api/v1/loans/{externalId}', {
        path,
        body: { ...loan, instalments: [{ dueDate: '2026-02-30', principal: 1, interest: 0 }] },
      });
      expect(bad.json.error.field).toBe('instalments[0].dueDate');
      const noBorrower = await call('PUT', '/api/v1/loans/{externalId}', {
        path,
        body: { ...loan, borrower: 'NOBODY' },
      });
      expect(noBorrower.status).toBe(422);

      const repayments = `${path}/repayments`;
      const payment = { amount: 10_000, paidOn: today, idempotencyKey: 'oa-pay-1' };
      const paid = await call('POST', '/api/v1/loans/{externalId}/repayments', { path: repayments, body: payment });
      expect(paid.status).toBe(201);
      expect(paid.headers.get('idempotent-replayed')).toBeNull();
      const replayed = await call('POST', '/api/v1/loans/{externalId}/repayments', { path: repayments, body: payment });
      expect(replayed.status).toBe(201);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.json).toEqual(paid.json);
      const tooMuch = await call('POST', '/api/v1/loans/{externalId}/repayments', {
        path: repayments,
        body: { ...payment, amount: 10_000_000, idempotencyKey: 'oa-pay-2' },
      });
      expect(tooMuch.status).toBe(422);
      const zero = await call('POST', '/api/v1/loans/{externalId}/repayments', {
        path: repayments,
        body: { ...payment, amount: 0, idempotencyKey: 'oa-pay-3' },
      });
      expect(zero.json.error.field).toBe('amount');
      expect((await call('POST', '/api/v1/loans/{externalId}/repayments', { body: payment })).status).toBe(404);

      const locked = await call('PUT', '/api/v1/loans/{externalId}', { path, body: { ...loan, currency: 'USD' } });
      expect(locked.status).toBe(409);
      expect(locked.json.error.code).toBe('currency_locked');

      const balance = await call('GET', '/api/v1/loans/{externalId}/balance', {
        path: `${path}/balance?asOf=${today}`,
      });
      expect(balance.status).toBe(200);
      expect(balance.json.daysOverdue).toBe(20);
      await call('GET', '/api/v1/loans/{externalId}/balance', { path: `${path}/balance` });
      const badDate = await call('GET', '/api/v1/loans/{externalId}/balance', {
        path: `${path}/balance?asOf=2026-02-30`,
      });
      expect(badDate.json.error.field).toBe('asOf');
      const unknownParameter = await call('GET', '/api/v1/loans/{externalId}/balance', {
        path: `${path}/balance?as_of=2026-03-01`,
      });
      expect(unknownParameter.status).toBe(400);
      expect((await call('GET', '/api/v1/loans/{externalId}/balance')).status).toBe(404);
    });

    it('requests, including one made on the site with its schedule', async () => {
      const { db } = database.connection;
      const now = new Date();
      const due = addDays(localDate(now, 'Asia/Shanghai'), -20);
      await call('PUT', '/api/v1/borrowers/{externalId}', {
        path: '/api/v1/borrowers/OA-B5',
        body: { name: '许', phone: '13900008888' },
      });
      await call('PUT', '/api/v1/loans/{externalId}', {
        path: '/api/v1/loans/OA-L5',
        body: {
          borrower: 'OA-B5',
          currency: 'CNY',
          instalments: [{ dueDate: due, principal: 300_000, interest: 4_500 }],
        },
      });
      const demo = await findLenderBySlug(db, 'demo');
      const loan = await findLoan(db, demo?.id ?? '', 'OA-L5');
      const state = await reliefState(db, '+8613900008888', loan?.id ?? '', now);
      const quote = quoteFor(state, 'extension', 15);
      await submitRelief(
        db,
        '+8613900008888',
        loan?.id ?? '',
        {
          kind: 'extension',
          length: '15',
          reasonCategory: 'income_delayed',
          reasonText: '',
          fingerprint: quoteFingerprint(quote),
          idempotencyKey: `openapi-${dialect}-request-1`,
        },
        null,
        now,
      );
      const pending = await call('GET', '/api/v1/requests', { path: '/api/v1/requests?status=pending' });
      expect(pending.status).toBe(200);
      const mine = pending.json.requests.find((r: { loan: string }) => r.loan === 'OA-L5');
      expect(mine).toMatchObject({ kind: 'extension', status: 'pending', terms: { days: 15 } });
      expect(mine.schedule.length).toBeGreaterThan(0);
      // The seeded demo request was made elsewhere: no schedule.
      expect(pending.json.requests.some((r: { schedule: unknown }) => r.schedule === null)).toBe(true);
      expect((await call('GET', '/api/v1/requests')).status).toBe(200);
      const badStatus = await call('GET', '/api/v1/requests', { path: '/api/v1/requests?status=lost' });
      expect(badStatus.json.error.field).toBe('status');
      const twice = await call('GET', '/api/v1/requests', { path: '/api/v1/requests?status=pending&status=approved' });
      expect(twice.status).toBe(400);
    });

    it('the effect report, and its refusals naming from or to', async () => {
      const today = localDate(new Date(), 'Asia/Shanghai');
      const report = await call('GET', '/api/v1/reports/effect', {
        path: `/api/v1/reports/effect?from=${addDays(today, -27)}&to=${today}`,
      });
      expect(report.status).toBe(200);
      // the demo's reminders of the day it was seeded (today, or yesterday just after midnight)
      expect(report.json.totals.sent).toBeGreaterThan(0);
      for (const [query, field] of [
        ['from=2026-02-30&to=2026-03-01', 'from'],
        ['from=2026-03-02&to=2026-03-01', 'to'],
        ['from=2025-01-01&to=2026-03-01', 'to'],
        ['from=2026-03-01', 'to'],
      ] as const) {
        const refused = await call('GET', '/api/v1/reports/effect', { path: `/api/v1/reports/effect?${query}` });
        expect(refused.status, query).toBe(400);
        expect(refused.json.error.field, query).toBe(field);
      }
    });

    it('SMS receipts: Twilio and Aliyun, taken and refused', async () => {
      const params = { MessageSid: 'SM00000000000000000000000000000001', MessageStatus: 'delivered' };
      const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
      const formType = { 'content-type': 'application/x-www-form-urlencoded' };
      const twilio = (body: string, headers: Record<string, string>, on = twilioServer) =>
        call('POST', '/api/sms/twilio/status', { body, headers, on, withKey: false });
      const signed = { ...formType, 'x-twilio-signature': twilioSignature(TWILIO_TOKEN, TWILIO_CALLBACK, params) };
      expect((await twilio(form(params), signed)).status).toBe(204);
      expect((await twilio(form({ ...params, MessageStatus: 'failed' }), signed)).status).toBe(403);
      expect((await twilio('{}', { 'content-type': 'application/json' })).status).toBe(415);
      expect((await twilio(form({ ...params, padding: 'x'.repeat(20_000) }), formType)).status).toBe(413);
      expect((await twilio(form(params), signed, server)).status).toBe(404);

      const aliyun = (
        body: string,
        headers: Record<string, string> = { 'content-type': 'application/json' },
        path?: string,
      ) =>
        call('POST', '/api/sms/aliyun/{secret}/report', { body, headers, withKey: false, ...(path ? { path } : {}) });
      const report = [{ biz_id: '900619746936498440^0', success: true, report_time: '2026-03-04 10:00:08' }];
      const ok = await aliyun(JSON.stringify(report));
      expect(ok.json).toEqual({ code: 0, msg: '接收成功' });
      expect((await aliyun('not json')).status).toBe(400);
      expect(
        (await aliyun(JSON.stringify(report), undefined, '/api/sms/aliyun/wrong-secret-0123456789abcdefgh/report'))
          .status,
      ).toBe(404);
    });

    it('SMS replies: Twilio and Aliyun, taken and refused', async () => {
      const incomingUrl = TWILIO_CALLBACK.replace(/status$/, 'incoming');
      const params = {
        MessageSid: `SM${'e'.repeat(32)}`,
        AccountSid: twilioEnv.TWILIO_ACCOUNT_SID,
        From: '+8613800138006',
        To: '+15005550006',
        Body: '好的',
      };
      const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
      const signed = (fields: Record<string, string>) => ({
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TWILIO_TOKEN, incomingUrl, fields),
      });
      const twilio = (body: string, headers: Record<string, string>, on = twilioServer) =>
        call('POST', '/api/sms/twilio/incoming', { body, headers, on, withKey: false });
      const taken = await twilio(form(params), signed(params));
      expect(taken.status).toBe(200);
      expect(taken.headers.get('content-type')).toMatch(/^text\/xml/);
      expect((await twilio(form({ ...params, Body: '改过' }), signed(params))).status).toBe(403);
      const noSender = { ...params, From: 'TWILIO' };
      const bad = await twilio(form(noSender), signed(noSender));
      expect(bad.json.error.field).toBe('From');
      expect((await twilio('{}', { 'content-type': 'application/json' })).status).toBe(415);
      const padded = { ...params, padding: 'x'.repeat(40_000) };
      expect((await twilio(form(padded), signed(padded))).status).toBe(413);
      expect((await twilio(form(params), signed(params), server)).status).toBe(404);

      const push = (body: unknown, path?: string) =>
        call('POST', '/api/sms/aliyun/{secret}/upstream', { body, withKey: false, ...(path ? { path } : {}) });
      const entry = {
        phone_number: '13800138006',
        send_time: '2026-03-04 10:05:00',
        content: '我明天还',
        sign_name: '青禾消费金融',
        dest_code: '1234',
        sequence_id: 1234567890,
      };
      expect((await push([entry])).json).toEqual({ code: 0, msg: '接收成功' });
      expect((await push([{ ...entry, phone_number: '1' }])).json.error.field).toBe('[0].phone_number');
      expect((await push([entry], '/api/sms/aliyun/wrong-secret-0123456789abcdefgh/upstream')).status).toBe(404);
    });

    it('every operation: 401 without a key, 403 cross-site, 413 too large, 415 not JSON', async () => {
      for (const { template, method, secured, bodyType } of checker.operations()) {
        if (template.startsWith('/api/sms/twilio')) continue; // its own rules, above
        if (secured)
          expect((await call(method, template, { withKey: false })).status, `${method} ${template}`).toBe(401);
        if (bodyType !== 'application/json') continue;
        const refused = await call(method, template, { body: {}, headers: crossSite });
        expect(refused.status, `${method} ${template} cross-site`).toBe(403);
        const large = await call(method, template, { body: { text: 'x'.repeat(70 * 1024) } });
        expect(large.status, `${method} ${template} large`).toBe(413);
        const plain = await call(method, template, { body: 'text=hello', headers: { 'content-type': 'text/plain' } });
        expect(plain.status, `${method} ${template} plain`).toBe(415);
      }
    });

    it('every path: a method it does not take is a 405 with Allow', async () => {
      for (const template of new Set(checker.operations().map((o) => o.template))) {
        const taken = checker
          .operations()
          .filter((o) => o.template === template)
          .map((o) => o.method);
        const method = ['DELETE', 'PATCH', 'PUT', 'GET'].find((m) => !taken.includes(m)) ?? 'DELETE';
        const on = template.startsWith('/api/sms/twilio') ? twilioServer : server;
        const response = await call(method, template, { on, body: method === 'GET' ? undefined : {} });
        expect(response.status, `${method} ${template}`).toBe(405);
        for (const allowed of taken.filter((m) => m !== 'OPTIONS'))
          expect(response.headers.get('allow'), template).toContain(allowed);
      }
    });

    it('verify: past the budget, 429 with Retry-After', async () => {
      let limited: Awaited<ReturnType<typeof call>> | undefined;
      // 30 a minute: well before 200 calls, whatever the clock.
      for (let i = 0; i < 200 && !limited; i++) {
        const response = await call('POST', '/api/v1/verify', { body: { text: `第${i}条` } });
        if (response.status === 429) limited = response;
      }
      expect(limited?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    });

    it('the lender API: past the budget for keys that are not valid, 429 with Retry-After on every operation', async () => {
      // Last before the tally: from here on this address waits, whatever key it sends.
      let limited = 0;
      for (let i = 0; i < 40 && limited === 0; i++) {
        const response = await call('GET', '/api/v1/loans/{externalId}/balance', {
          headers: { authorization: `Bearer zx_live_${'x'.repeat(40)}` },
          withKey: false,
        });
        if (response.status === 429) limited++;
      }
      expect(limited).toBe(1);
      for (const { template, method } of checker.operations().filter((o) => o.secured)) {
        const response = await call(method, template, { body: method === 'GET' ? undefined : {} });
        expect(response.status, `${method} ${template}`).toBe(429);
        expect(response.json.error.retryAfter).toBe(Number(response.headers.get('retry-after')));
      }
    });

    it('covered every status the document gives (500: with the database down, below)', () => {
      const uncovered = checker.documentedAnswers().filter((answer) => !answer.endsWith(' 500') && !seen.has(answer));
      expect(uncovered).toEqual([]);
    });
  });
}

describe('with the database down, the API answers 500 in the documented shape', () => {
  let server: RunningServer;
  let checker: ReturnType<typeof createOpenApiChecker>;

  beforeAll(async () => {
    // Nothing listens on port 1: every query fails.
    server = await startServer({
      DATABASE_URL: 'postgres://zhenxin@127.0.0.1:1/none',
      LOG_LEVEL: 'silent',
      ...aliyunEnv,
    });
    const served = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(served.status).toBe(200);
    checker = createOpenApiChecker((await served.json()) as JsonObject);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['POST', '/api/v1/verify', { text: '您好' }],
    ['GET', '/api/v1/lenders/{slug}', undefined],
    ['GET', '/api/v1/borrowers/{externalId}', undefined],
    ['PUT', '/api/v1/loans/{externalId}', { borrower: 'B1', currency: 'CNY', instalments: [] }],
    ['GET', '/api/v1/requests', undefined],
    ['GET', '/api/v1/reports/effect', undefined],
    ['POST', '/api/sms/aliyun/{secret}/report', []],
    ['POST', '/api/sms/aliyun/{secret}/upstream', []],
  ] as const)('%s %s', async (method, template, body) => {
    const response = await fetch(`${server.url}${concrete(template)}`, {
      method,
      headers: { authorization: `Bearer zxk_AAAAAAAA_${'A'.repeat(43)}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(checker.checkAnswer({ template, method, status: 500, headers: response.headers, body: text })).toEqual([]);
    expect(text).not.toMatch(/ECONNREFUSED|\bat .*\.m?[jt]s/);
  });
});
