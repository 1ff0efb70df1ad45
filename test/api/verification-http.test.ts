import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// POST /api/v1/verify, /r/<token> and /verify over HTTP against the built server, per dialect.

announcePostgresSkip();

for (const dialect of dialects) {
  describe(`verification over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let genuine = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-verify-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const connection = database.connection;
      await seedDemoAndSendReminders(connection);
      const row = await connection.db
        .selectFrom('dev_sms_outbox')
        .select('text')
        .where('to', '=', '+8613800138007')
        .executeTakeFirstOrThrow();
      genuine = row.text;
      server = await startServer({ DATABASE_URL: database.url });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const api = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const token = () => /\/r\/([A-Za-z0-9_-]+)/.exec(genuine)?.[1] ?? '';

    it('answers a genuine text exactly in the contract shape', async () => {
      const response = await api({ lender: 'demo', text: genuine });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(Object.keys(body).sort()).toEqual(['indicators', 'message', 'official', 'risk', 'verdict']);
      expect(body).toMatchObject({
        verdict: 'genuine',
        risk: 'none',
        indicators: [],
        message: { lender: 'demo', maskedPhone: '138****8007' },
        official: { domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'], hotlines: ['400-186-5533'] },
      });
      expect(body.message.sentAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    });

    it('explains a scam in the language asked for', async () => {
      const scam =
        '【青禾消费金融】您的账户涉嫌违规，请立即将欠款转入安全账户 6222020200001234567，并提供短信验证码。详询 qinghe-xf.top';
      const zh = await (await api({ text: scam })).json();
      expect(zh).toMatchObject({ verdict: 'not_sent', risk: 'high' });
      expect(zh.message).toBeUndefined();
      expect(zh.indicators.length).toBeGreaterThan(1);
      for (const indicator of zh.indicators) {
        // CONTRACT.md's four fields, and where the sign stands in the text (an addition)
        expect(Object.keys(indicator).sort()).toEqual(['evidence', 'explanation', 'id', 'severity', 'spans']);
        expect(indicator.explanation).toMatch(/[\u4e00-\u9fff]/);
        expect(indicator.spans.length).toBeGreaterThan(0);
        for (const { start, end } of indicator.spans) {
          expect(scam.slice(start, end).replace(/\s/g, '').toLowerCase()).toBe(indicator.evidence.toLowerCase());
        }
      }
      const en = await (await api({ text: scam }, { 'accept-language': 'en-GB,en;q=0.9' })).json();
      expect(en.indicators[0].explanation).not.toMatch(/[\u4e00-\u9fff]/);
      expect(en.official.hotlines).toEqual(['400-186-5533']);
    });

    it('answers bad input with a 400 naming the field, never a 500', async () => {
      for (const [body, field] of [
        [{}, 'text'],
        [{ code: 'K7QX-92M8' }, 'phoneLast4'],
        [{ text: 'x'.repeat(5_000) }, 'text'],
        [{ link: 'a', text: 'b' }, 'link'],
      ] as const) {
        const response = await api(body);
        expect(response.status).toBe(400);
        expect((await response.json()).error.field).toBe(field);
      }
      const binary = await fetch(`${server.url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array([0xff, 0xfe, 0x00, 0x01]),
      });
      expect(binary.status).toBe(400);
    });

    it('allows exactly the registered origins, never reflecting others', async () => {
      const allowed = await api({ text: genuine }, { origin: 'http://localhost:4321' });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:4321');
      const preflight = await fetch(`${server.url}/api/v1/verify`, {
        method: 'OPTIONS',
        headers: { origin: 'https://qinghe-xf.cn', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://qinghe-xf.cn');
      const evilPreflight = await fetch(`${server.url}/api/v1/verify`, {
        method: 'OPTIONS',
        headers: { origin: 'https://qinghe-xf.cn.evil.top', 'access-control-request-method': 'POST' },
      });
      expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();
      const evil = await api({ text: genuine }, { origin: 'https://evil.example' });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('shows a genuine short link without any sign-in or account, and never caches it', async () => {
      const response = await fetch(`${server.url}/r/${token()}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('set-cookie') ?? '').not.toMatch(/session/i);
      const html = await response.text();
      expect(html).toContain('是的，这条短信是青禾消费金融（演示）发出的');
      expect(html).toContain('138****8007');
      expect(html).not.toContain('13800138007');
      expect(html).toContain('400-186-5533');
    });

    it('answers an unknown link with a calm page and the official contacts', async () => {
      const response = await fetch(`${server.url}/r/${'Q'.repeat(24)}`, { headers: { 'accept-language': 'en' } });
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).toContain('We could not find this link');
      // a mistyped or mangled link is not a sign of fraud: a calm box, not the red one
      expect(html).not.toMatch(/class="[^"]*verdict-warning/);
      expect(html).toContain('400-186-5533');
    });

    it('runs the /verify form without JavaScript, keeping values and naming errors', async () => {
      const page = await fetch(`${server.url}/verify`);
      expect(page.status).toBe(200);
      expect((await page.text()).match(/<form method="post" action="\/verify" novalidate/g)).toHaveLength(3);
      const post = (fields: Record<string, string>) =>
        fetch(`${server.url}/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
          body: new URLSearchParams(fields).toString(),
        });
      const empty = await post({ method: 'code', code: 'K7QX-92M8', phoneLast4: '12a' });
      expect(empty.status).toBe(400);
      const html = await empty.text();
      expect(html).toMatch(/<title>错误：/);
      expect(html).toContain('href="#phoneLast4"');
      expect(html).toMatch(/aria-describedby="phoneLast4-error"/);
      expect(html).toContain('value="K7QX-92M8"');
      const script = await post({
        method: 'text',
        text: '<script>alert(1)</script> 请把验证码发给我们 http://qinghe-xf.top',
      });
      const scriptHtml = await script.text();
      expect(script.status).toBe(200);
      expect(scriptHtml).not.toContain('<script>alert(1)</script>');
      expect(scriptHtml).toContain('&lt;script&gt;');
      expect(scriptHtml).toContain('<mark class="evidence"');
      // one wrong character of a code: a typo to fix beside the field, the value kept
      const typo = await post({ method: 'code', code: 'K7QX-92MD', phoneLast4: '1234' });
      expect(typo.status).toBe(400);
      const typoHtml = await typo.text();
      expect(typoHtml).toContain('查询码可能输错了，请逐个核对字符');
      expect(typoHtml).toContain('href="#code"');
      expect(typoHtml).toContain('value="K7QX-92MD"');
      // Inputs the form's own checks let through but the use case refuses: still a 400 beside the field.
      const longLink = await post({ method: 'link', link: `https://qhxf.cn/r/${'a'.repeat(600)}` });
      expect(longLink.status).toBe(400);
      expect(await longLink.text()).toContain('id="link-error"');
      const paddedCode = await post({ method: 'code', code: `K7QX${'-'.repeat(40)}92M8`, phoneLast4: '1234' });
      expect(paddedCode.status).toBe(400);
      expect(await paddedCode.text()).toContain('id="code-error"');
      const ok = await post({ method: 'text', text: genuine });
      expect(await ok.text()).toContain('是真的：这条短信是青禾消费金融（演示）发出的');
    });

    it('shows a domain staff confirmed in a scam report to every check, until they withdraw it', async () => {
      await createStaffUser(database.connection.db, 'support@zhenxin.example', 'staff password 2026');
      const form = (path: string, fields: Record<string, string>, cookie = '', headers: Record<string, string> = {}) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: server.url,
            'sec-fetch-site': 'same-origin',
            cookie,
            ...headers,
          },
          body: new URLSearchParams(fields).toString(),
        });
      const signedIn = await form('/staff/sign-in', {
        email: 'support@zhenxin.example',
        password: 'staff password 2026',
      });
      const cookie =
        (signedIn.headers.getSetCookie().find((c) => c.startsWith('__Host-zx-staff=')) ?? '').split(';')[0] ?? '';
      expect(cookie).not.toBe('');
      // A check that names no lender, in other words than the reported message.
      const probe = { text: 'Your account is locked. Sign in at https://secure.qhxf-help.top/login to keep it.' };
      const reportedSign = async () =>
        (
          (await (await api(probe, { 'accept-language': 'en' })).json()).indicators as Array<Record<string, string>>
        ).find((i) => i.id === 'reported_scam');
      expect(await reportedSign()).toBeUndefined();

      const reported = await form(
        '/staff',
        {
          action: 'report',
          text: '【青禾消费金融】您的账户将被冻结，请访问 https://pay.qhxf-help.top/unfreeze 处理。',
          tags: 'lookalike_link',
        },
        cookie,
      );
      expect(reported.status).toBe(200);
      const sign = await reportedSign();
      expect(sign).toMatchObject({ id: 'reported_scam', severity: 'high', evidence: 'qhxf-help.top' });
      expect(sign?.explanation).toMatch(/reported once since \d{1,2} [A-Z][a-z]{2} \d{4}/);
      expect((await (await api(probe)).json()).risk).toBe('high');

      const item = 'domain:qhxf-help.top';
      const crossSite = await form('/staff/reports', { item, reason: 'reported by mistake' }, cookie, {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(crossSite.status).toBe(403);
      const noReason = await form('/staff/reports', { item, reason: '  ' }, cookie);
      expect(noReason.status).toBe(400);
      const noReasonHtml = await noReason.text();
      expect(noReasonHtml).toMatch(/<title>错误：/);
      expect(noReasonHtml).toContain('href="#reason"');
      expect(noReasonHtml).toContain('id="reason-error"');
      expect(noReasonHtml).toMatch(/<option value="domain:qhxf-help\.top" selected/);
      const unknown = await form('/staff/reports', { item: 'domain:never-reported.top', reason: 'kept text' }, cookie);
      expect(unknown.status).toBe(409);
      const unknownHtml = await unknown.text();
      expect(unknownHtml).toContain('href="#item"');
      expect(unknownHtml).toContain('>kept text</textarea>');
      const badKind = await form('/staff/reports', { item: 'phone:123', reason: 'x' }, cookie);
      expect(badKind.status).toBe(400);
      expect(await badKind.text()).toContain('href="#item"');
      // none of those changed anything
      expect(await reportedSign()).toMatchObject({ evidence: 'qhxf-help.top' });

      const withdrawn = await form('/staff/reports', { item, reason: 'reported by mistake' }, cookie);
      expect(withdrawn.status).toBe(303);
      expect(withdrawn.headers.get('location')).toBe('/staff/reports?withdrawn=yes');
      expect(await reportedSign()).toBeUndefined();
      const csv = await fetch(`${server.url}/staff/reports.csv`, { headers: { cookie } });
      expect(await csv.text()).not.toContain('qhxf-help.top');
      const audit = await database.connection.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'staff.scam_item_withdrawn')
        .execute();
      expect(audit.map((a) => JSON.parse(a.details))).toEqual([
        expect.objectContaining({ kind: 'domain', item: 'qhxf-help.top', reason: 'reported by mistake' }),
      ]);
    });

    it('limits how fast one client may check', async () => {
      let limited: Response | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const response = await api({ text: 'hello' });
        if (response.status === 429) limited = response;
        else await response.arrayBuffer();
      }
      expect(limited?.status).toBe(429);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
      // On PostgreSQL the budget is kept in the database, shared by every app process.
      const stored = await database.connection.db
        .selectFrom('rate_limits')
        .select('key')
        .where('key', 'like', 'verify:%')
        .execute();
      expect(stored.length).toBe(dialect === 'postgres' ? 1 : 0);
    });

    it('answers a throttled check page in words: when to try again, and whose hotline to call', async () => {
      // (the budget is spent by the test above: the pages share it with the API)
      const post = (path: string, fields: Record<string, string>) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
          body: new URLSearchParams(fields).toString(),
        });
      const about = await post('/embed/verify?lender=demo', { method: 'text', text: '您好' });
      expect(about.status).toBe(429);
      const embed = await about.text();
      expect(embed).toMatch(/请在 (\d+ 秒|1 分钟)后再试。/);
      expect(embed).toContain('400-186-5533');
      const named = await post('/verify', { method: 'text', text: '【青禾消费金融】您的借款已逾期' });
      expect(named.status).toBe(429);
      expect(await named.text()).toContain('400-186-5533');
      const nobody = await post('/verify', { method: 'link', link: 'https://example.com/x' });
      const html = await nobody.text();
      expect(html).not.toContain('400-186-5533');
      expect(html).toContain('href="/lenders/demo"');
      // a short link's page has its own budget, spent here
      let limited: Response | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const response = await fetch(`${server.url}/r/${'Q'.repeat(24)}`);
        if (response.status === 429) limited = response;
        else await response.arrayBuffer();
      }
      expect(limited?.status).toBe(429);
      expect(await limited?.text()).toMatch(/请在 (\d+ 秒|1 分钟)后再试。[\s\S]*href="\/lenders\/demo"/);
    });
  });
}
