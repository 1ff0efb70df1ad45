import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/sms/twilio.ts';
import { builtRoutes, type RawResponse, type SecuritySite, send, startSecuritySite } from './site.ts';

// Every route of the built server (Astro's manifest, the API's OpenAPI paths, the static widget)
// gets generated paths, query strings, headers and bodies, on SQLite and on PostgreSQL. Whatever
// is sent, the answer is never a 5xx, never a stack trace, a 429 says when to come back, a redirect
// stays on this site, a JSON API error has the one error shape, and nothing sent comes back
// unescaped in HTML. Replay a run with FUZZ_SEED=<seed> (printed on failure); FUZZ_RUNS raises the
// count for a longer hunt.

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 4_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647;

const TWILIO = {
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: 'ACsecurityfuzz',
  TWILIO_AUTH_TOKEN: 'security-fuzz-auth-token',
  TWILIO_FROM: '+15005550006',
  // Nothing listens there: a text the fuzzer causes fails to send, in the background.
  TWILIO_BASE_URL: 'http://127.0.0.1:9',
  TWILIO_STATUS_CALLBACK_URL: 'https://zhenxin.example/api/sms/twilio/status',
  SMS_TIMEOUT_MS: '200',
};
const ALIYUN = {
  SMS_PROVIDER: 'aliyun',
  ALIYUN_ACCESS_KEY_ID: 'security-fuzz',
  ALIYUN_ACCESS_KEY_SECRET: 'security-fuzz-secret',
  ALIYUN_SIGN_NAME: '青禾消费金融',
  ALIYUN_TEMPLATE_CODES: '{}',
  ALIYUN_ENDPOINT: 'http://127.0.0.1:9',
  ALIYUN_RECEIPT_SECRET: 'security-fuzz-receipt-secret-0123',
  SMS_TIMEOUT_MS: '200',
};

/** Strings that, if a page printed them as they came, would be markup: found raw, they were not escaped. */
const MARKS = ['<zx-mark>', '<script>zx()</script>', '"zx-q', "'zx-q", '<img src=x onerror=zx()>'];
/** Markup outside any attribute value, or a quote that ended one early. */
function unescaped(html: string): string | undefined {
  const quote = /"zx-q/.exec(html)?.[0];
  if (quote) return quote;
  // Inside a double-quoted attribute value `<` cannot start a tag: look at what is left outside them.
  return /<zx-mark>|<script>zx\(\)|<img src=x onerror=zx\(\)>/.exec(html.replace(/="[^"]*"/g, '=""'))?.[0];
}
const STACK_TRACE = /\n\s+at [^\n]*(?:\.m?[jt]s|node:internal)[^\n]*:\d+:\d+|node_modules\/|file:\/\/\//;

const hostile = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFF',
  '\uFEFF\u200B',
  '\u202Eevil',
  '%00',
  '%',
  '../../etc/passwd',
  "' or 1=1 --",
  '$' + '{7*7}{{7*7}}',
  '\r\nX-Injected: 1',
  '𠮷'.repeat(50),
  'x'.repeat(5_000),
  ...MARKS,
);
const plausible = fc.constantFrom(
  'demo',
  '13800138005',
  '+86 138 0013 8005',
  '5678',
  '2026-11-24',
  'K7QX-92MD',
  'https://qhxf.cn/r/AAAAAAAAAAAAAAAAAAAAAAAA',
  'send',
  'code',
  '123456',
  'zh-CN',
  'en',
  'pending',
  'extension',
  '1',
  '-1',
  '1e309',
  'true',
  'null',
  '/favicon.svg',
  'https://evil.example/a.png',
  'png',
  'webp',
  'avif',
);
/** A string value: hostile, plausible, arbitrary code points, or a mix. */
const value: fc.Arbitrary<string> = fc.oneof(
  hostile,
  plausible,
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.tuple(plausible, hostile).map(([a, b]) => a + b),
);

const FIELDS = [
  'text',
  'link',
  'code',
  'lender',
  'phoneLast4',
  'phone',
  'name',
  'locale',
  'action',
  'email',
  'password',
  'next',
  'step',
  'lang',
  'asOf',
  'from',
  'to',
  'status',
  'kind',
  'length',
  'reasonCategory',
  'reasonText',
  'fingerprint',
  'idempotencyKey',
  'amount',
  'paidOn',
  'currency',
  'instalments',
  'borrower',
  'policy',
  'widgetOrigins',
  'MessageSid',
  'MessageStatus',
  'From',
  'Body',
  'stage',
  'template',
  'body',
];
const field = fc.oneof(fc.constantFrom(...FIELDS), value);

/**
 * What a route reads from its query string, beyond the fields above, with values it understands:
 * Astro's image endpoint and server islands; the API's documented parameters are added from the
 * OpenAPI document (with any value).
 */
const QUERY_KEYS: Record<string, Record<string, string[]>> = {
  '/_image': {
    href: ['/favicon.svg', '/widget/v1.js', '//evil.example/a.png', 'https://evil.example/a.png', '/nope.png'],
    w: ['10', '0', '-1', 'abc', '1e9'],
    h: ['10', 'x'],
    f: ['png', 'webp', 'avif', 'jpeg', 'svg', 'gif', 'exe'],
    q: ['10', 'high', '-5'],
    fit: ['cover', 'x'],
    position: ['top', 'x'],
    background: ['#fff', '<zx-mark>'],
  },
  '/_server-islands/[name]': { e: ['x', ''], p: ['x', '', '%%%'], s: ['{}', 'x', ''] },
};
const jsonLeaf = fc.oneof(value, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const jsonBody = fc.oneof(
  fc.dictionary(field, fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 }), fc.dictionary(field, jsonLeaf)), {
    maxKeys: 6,
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A header value HTTP can carry: Latin-1, no CR, LF or NUL. */
const headerValue = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 40,
  }),
  fc.constantFrom(...MARKS),
);

interface Body {
  kind: string;
  type: string | undefined;
  bytes: Buffer;
  form?: Record<string, string>;
}

const TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zxb',
  'multipart/form-data',
  'text/plain',
  'application/xml',
  'application/vnd.api+json',
  'application/octet-stream',
  '',
];

function multipart(fields: Array<[string, string]>, closed: boolean): Buffer {
  const parts = fields.map(
    ([name, content], i) =>
      `--zxb\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '')}"${i === 0 ? '; filename="a.csv"' : ''}\r\n\r\n${content}\r\n`,
  );
  return Buffer.from(`${parts.join('')}${closed ? '--zxb--\r\n' : ''}`);
}

const body: fc.Arbitrary<Body> = fc.oneof(
  fc
    .tuple(jsonBody, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'))
    .map(([v, type]) => ({ kind: 'json', type, bytes: Buffer.from(JSON.stringify(v) ?? 'null') })),
  fc.dictionary(field, value, { maxKeys: 6 }).map((form) => ({
    kind: 'form',
    type: 'application/x-www-form-urlencoded',
    bytes: Buffer.from(new URLSearchParams(form).toString()),
    form,
  })),
  fc
    .tuple(fc.array(fc.tuple(field, value), { maxLength: 4 }), fc.boolean(), fc.constantFrom(...TYPES))
    .map(([fields, closed, type]) => ({
      kind: 'multipart',
      type: closed ? 'multipart/form-data; boundary=zxb' : type,
      bytes: multipart(fields, closed),
    })),
  fc
    .tuple(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...TYPES))
    .map(([bytes, type]) => ({ kind: 'bytes', type, bytes: Buffer.from(bytes) })),
  fc.constantFrom(...TYPES).map((type) => ({ kind: 'empty', type, bytes: Buffer.alloc(0) })),
  fc.constantFrom(...TYPES).map((type) => ({
    kind: 'nested',
    type,
    bytes: Buffer.from(`${'{"a":['.repeat(3_000)}1${']}'.repeat(3_000)}`),
  })),
  fc
    .constantFrom(...TYPES)
    .map((type) => ({ kind: 'deep array', type, bytes: Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) })),
  fc.constantFrom(70 * 1024, 300 * 1024).chain((size) =>
    fc.constantFrom(...TYPES).map((type) => ({
      kind: `huge ${size}`,
      type,
      bytes: Buffer.from(JSON.stringify({ text: 'x'.repeat(size) })),
    })),
  ),
  // Bytes that are not UTF-8: a lone surrogate's three bytes, a truncated sequence, NUL.
  fc.constantFrom(...TYPES).map((type) => ({
    kind: 'invalid utf-8',
    type,
    bytes: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xc3, 0x00, 0x22, 0x7d]),
  })),
);

interface FuzzRequest {
  route: string;
  method: string;
  params: string[];
  query: Array<[string, string]>;
  slash: boolean;
  cookie: 'none' | 'staff' | 'borrower' | 'both' | 'garbage';
  auth: 'none' | 'key' | 'garbage';
  site: 'same' | 'cross' | 'null' | 'none';
  sign: boolean;
  headers: Array<[string, string]>;
  body: Body;
}

/**
 * Percent-encodes as a browser would, except that a lone surrogate (which UTF-8 cannot carry) goes
 * as its three WTF-8 bytes: the server must cope with those too.
 */
function encode(text: string): string {
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[^\uD800-\uDFFF]+|[\uD800-\uDBFF][\uDC00-\uDFFF]/g,
    (part) => {
      const unit = part.charCodeAt(0);
      if (part.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
        const hex = (n: number) => `%${n.toString(16).toUpperCase()}`;
        return `${hex(0xed)}${hex(0xa0 | ((unit >> 6) & 0x1f))}${hex(0x80 | (unit & 0x3f))}`;
      }
      return encodeURIComponent(part);
    },
  );
}

/** A path parameter: the real value the site has, or something else entirely. */
const param = fc.oneof(fc.constant(undefined), value, fc.constantFrom('', '.', '..', '%2F', '%00', '%ED%A0%80', 'a/b'));

function requests(routes: string[], queryKeys: Record<string, Record<string, string[]>>): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((route) => {
    const own = Object.entries(queryKeys[route] ?? {});
    const pair =
      own.length === 0
        ? fc.tuple(field, value)
        : fc.oneof(
            ...Array.from({ length: 2 }, () =>
              fc
                .constantFrom(...own)
                .chain(([k, values]) =>
                  fc.tuple(fc.constant(k), values.length > 0 ? fc.oneof(fc.constantFrom(...values), value) : value),
                ),
            ),
            fc.tuple(field, value),
          );
    return fc.record({
      route: fc.constant(route),
      method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
      params: fc.array(
        param.map((p) => p ?? ''),
        { minLength: 4, maxLength: 4 },
      ),
      query: fc.array(pair, { maxLength: 4 }),
      slash: fc.boolean(),
      cookie: fc.constantFrom('none', 'staff', 'borrower', 'both', 'garbage'),
      auth: fc.constantFrom('none', 'key', 'garbage'),
      site: fc.constantFrom('same', 'same', 'cross', 'null', 'none'),
      sign: fc.boolean(),
      headers: fc.array(
        fc.tuple(
          fc.constantFrom(
            'accept-language',
            'accept',
            'x-request-id',
            'x-forwarded-for',
            'x-zx-extra',
            'if-none-match',
            'range',
          ),
          headerValue,
        ),
        { maxLength: 3 },
      ),
      body,
    });
  });
}

/** The concrete request: parameters filled (the real value when the generated one is empty). */
function build(
  site: SecuritySite,
  r: FuzzRequest,
): { method: string; path: string; headers: Record<string, string>; body?: Buffer } {
  let i = 0;
  const segment = (name: string) => {
    const given = r.params[i++ % r.params.length] ?? '';
    const real = site.params[name] ?? [];
    const chosen = given === '' && real.length > 0 ? (real[i % real.length] as string) : given;
    // Already-encoded forms ('%00', '%2F') are sent as they are; anything else is encoded.
    return /^(?:%[0-9A-F]{2})+$/.test(chosen) || chosen === 'a/b' ? chosen : encode(chosen);
  };
  let path = r.route.replace(/\[\.\.\.(\w+)\]|\[(\w+)\]|\{(\w+)\}/g, (_, rest, name, apiName) =>
    segment(rest ?? name ?? apiName),
  );
  if (r.slash && !path.endsWith('/')) path += '/';
  if (r.query.length > 0) path += `?${r.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
  const headers: Record<string, string> = {};
  for (const [name, v] of r.headers) headers[name] = v;
  const cookies = {
    none: '',
    staff: site.staffCookie,
    borrower: site.borrowerCookie,
    both: `${site.staffCookie}; ${site.borrowerCookie}`,
    garbage: `${site.staffCookie}x; lang=<zx-mark>; __Host-zx-session=${'a'.repeat(40)}`,
  }[r.cookie];
  if (cookies) headers.cookie = cookies;
  if (r.auth === 'key') headers.authorization = `Bearer ${site.apiKey}`;
  if (r.auth === 'garbage') headers.authorization = `Bearer ${site.apiKey.slice(0, -1)}<zx-mark>`;
  if (r.site === 'same') Object.assign(headers, { origin: site.url, 'sec-fetch-site': 'same-origin' });
  if (r.site === 'cross') Object.assign(headers, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
  if (r.site === 'null') headers.origin = 'null';
  const withBody = r.method !== 'GET' && r.method !== 'HEAD';
  if (withBody && r.body.type) headers['content-type'] = r.body.type;
  // Twilio's webhooks believe only signed posts: sign some, so what lies behind the check is fuzzed too.
  if (withBody && r.sign && r.body.form && site.env.TWILIO_AUTH_TOKEN && r.route.startsWith('/api/sms/twilio/')) {
    const url = new URL(r.route.replace(/.*\//, ''), site.env.TWILIO_STATUS_CALLBACK_URL).href;
    headers['x-twilio-signature'] = twilioSignature(site.env.TWILIO_AUTH_TOKEN, url, r.body.form);
  }
  return { method: r.method, path, headers, ...(withBody ? { body: r.body.bytes } : {}) };
}

/** What is wrong with an answer, if anything. */
function problems(response: RawResponse, method: string, path: string): string[] {
  const found: string[] = [];
  const type = String(response.headers['content-type'] ?? '');
  const text = response.body.toString('utf8');
  if (response.status >= 500) found.push(`status ${response.status}`);
  if (response.status === 429 && !response.headers['retry-after']) found.push('429 without Retry-After');
  if (STACK_TRACE.test(text)) found.push('stack trace in the body');
  const raw = type.startsWith('text/html') ? unescaped(text) : undefined;
  if (raw) found.push(`unescaped in HTML: ${raw}`);
  const location = response.headers.location;
  if (typeof location === 'string' && !/^\/(?![/\\])/.test(location) && !location.startsWith('http://127.0.0.1:')) {
    found.push(`redirect off the site: ${location.slice(0, 80)}`);
  }
  if (
    method !== 'HEAD' &&
    path.startsWith('/api/v1/') &&
    response.status >= 400 &&
    type.startsWith('application/json')
  ) {
    try {
      const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
      if (typeof error?.code !== 'string' || typeof error.message !== 'string')
        found.push('API error without {error:{code,message}}');
    } catch {
      found.push('API error body is not JSON');
    }
  }
  return found;
}

interface Finding {
  route: string;
  method: string;
  problem: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * First, every route as it expects to be called, then with NUL, a lone surrogate and markup in its
 * path, query and body.
 */
function sweep(routes: string[], queryKeys: Record<string, Record<string, string[]>>): FuzzRequest[] {
  const hostileForm = {
    text: 'a\u0000b<zx-mark>',
    phone: '\uD800',
    code: '"zx-q',
    action: 'send',
    next: '//evil.example',
  };
  // Valid in every way but the NUL and the markup, so they reach the services and the database.
  const nearlyValid = {
    name: '林\u0000晓<zx-mark>',
    phone: '13800138005',
    text: '【青禾消费金融】您好\u0000<zx-mark>',
    lender: 'demo',
    locale: 'zh-CN',
    reasonText: '\u0000',
    currency: 'CNY',
    borrower: 'B001\u0000',
    instalments: [{ dueDate: '2026-12-01', principal: 100, interest: 0 }],
  };
  return routes.flatMap((route): FuzzRequest[] => [
    // The route's own query parameters at their first (ordinary) values: the request it expects.
    {
      route,
      method: 'GET',
      params: ['', '', '', ''],
      query: Object.entries(queryKeys[route] ?? {}).map(([k, values]) => [k, values[0] ?? '1']),
      slash: false,
      cookie: 'both',
      auth: 'key',
      site: 'same',
      sign: false,
      headers: [],
      body: { kind: 'empty', type: undefined, bytes: Buffer.alloc(0) },
    },
    {
      route,
      method: route.startsWith('/api/') ? 'PUT' : 'POST',
      params: ['', '', '', ''],
      query: [],
      slash: false,
      cookie: 'both',
      auth: 'key',
      site: 'same',
      sign: false,
      headers: [],
      body: { kind: 'json', type: 'application/json', bytes: Buffer.from(JSON.stringify(nearlyValid)) },
    },
    {
      route,
      method: 'GET',
      params: ['', '', '', ''],
      query: [
        ['lang', '<zx-mark>'],
        ['next', 'https://evil.example/'],
        ['q', '\u0000\uD800'],
      ],
      slash: false,
      cookie: 'both',
      auth: 'key',
      site: 'same',
      sign: false,
      headers: [],
      body: { kind: 'empty', type: undefined, bytes: Buffer.alloc(0) },
    },
    {
      route,
      method: 'POST',
      params: ['a\u0000b', '<zx-mark>', '\uD800', '%00'],
      query: [],
      slash: false,
      cookie: 'both',
      auth: 'key',
      site: 'same',
      sign: true,
      headers: [],
      body: {
        kind: 'json',
        type: 'application/json',
        bytes: Buffer.from(JSON.stringify({ ...hostileForm, lender: 'demo', instalments: [{ dueDate: '\u0000' }] })),
      },
    },
    {
      route,
      method: 'POST',
      params: ['', '', '', ''],
      query: [],
      slash: false,
      cookie: 'both',
      auth: 'key',
      site: 'same',
      sign: true,
      headers: [],
      body: {
        kind: 'form',
        type: 'application/x-www-form-urlencoded',
        bytes: Buffer.from(new URLSearchParams(hostileForm).toString()),
        form: hostileForm,
      },
    },
  ]);
}

/** The fuzzing of one database's server: one test file per database, so the two run side by side. */
export function describeFuzz(dialect: 'sqlite' | 'postgres'): void {
  describe(`V16.5.1 V1.2.1 V2.2.1 fuzzing every route: no 5xx, no stack trace, nothing reflected unescaped [${dialect}]`, () => {
    let site: SecuritySite;
    let routes: string[] = [];
    const queryKeys: Record<string, Record<string, string[]>> = { ...QUERY_KEYS };

    beforeAll(async () => {
      site = await startSecuritySite(dialect, {
        ...(dialect === 'sqlite' ? TWILIO : ALIYUN),
        PUBLIC_CHECKS_PER_MINUTE: '2',
      });
      const openapi = (await (await fetch(`${site.url}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      routes = [...new Set([...builtRoutes(), ...Object.keys(openapi.paths), '/widget/v1.js', '/favicon.svg'])].sort();
    });
    afterAll(async () => {
      await site?.stop();
    });

    it('finds every route of the built server, the API paths and the widget among them', () => {
      for (const route of [
        '/verify',
        '/r/[token]',
        '/embed/verify',
        '/widget/v1.js',
        '/api/v1/verify',
        '/api/sms/twilio/status',
        '/account/sign-in',
        '/staff/lenders/[slug]/settings',
        '/api/v1/loans/{externalId}/repayments',
        '/_image',
      ]) {
        expect(routes).toContain(route);
      }
    });

    it('answers generated requests to every route within bounds', async () => {
      const findings = new Map<string, Finding>();
      const record = (r: FuzzRequest, request: ReturnType<typeof build>, problem: string) => {
        const key = `${r.route} ${r.method} ${problem.replace(/:.*/, '')}`;
        const body = request.body ? JSON.stringify(request.body.toString('utf8').slice(0, 160)) : '';
        const previous = findings.get(key);
        if (!previous || previous.path.length + previous.body.length > request.path.length + body.length) {
          findings.set(key, {
            route: r.route,
            method: r.method,
            problem,
            path: request.path.slice(0, 200),
            body,
            headers: request.headers,
          });
        }
      };
      const attempt = async (r: FuzzRequest) => {
        const request = build(site, r);
        let response: RawResponse;
        try {
          response = await send(site.url, request);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // A body over the limit may be cut off by the server's answer: the connection closes.
          if ((code === 'EPIPE' || code === 'ECONNRESET') && (request.body?.length ?? 0) > 256 * 1024) return;
          record(r, request, `no answer: ${(error as Error).message}`);
          return;
        }
        for (const problem of problems(response, request.method, request.path)) record(r, request, problem);
      };
      // Every route, whatever the time: the sweep; then generated requests for as long as allowed.
      const examples = sweep(routes, queryKeys);
      for (const r of examples) await attempt(r);
      let count = examples.length;
      await fc.assert(
        fc.asyncProperty(requests(routes, queryKeys), async (r) => {
          count++;
          await attempt(r);
          return true;
        }),
        { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
      );
      const report = [...findings.values()]
        .sort((a, b) => a.route.localeCompare(b.route))
        .map(
          (f) =>
            `${f.method} ${f.route} → ${f.problem}\n    ${f.method} ${f.path} ${f.headers['content-type'] ?? ''} ${f.body}`,
        );
      expect(report, `${count} requests, FUZZ_SEED=${SEED}:\n${report.join('\n')}`).toEqual([]);
    });
  });
}
