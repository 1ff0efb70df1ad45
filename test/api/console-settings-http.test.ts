import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lenderValues } from '../../src/components/settings-form.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { changeLenderProfile } from '../../src/services/lenders.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// The settings page over HTTP, by role: a lender admin previews a change as a diff and confirms it
// (saved, audited, seen at once on the public page); invalid values are refused with the field
// named, never a 500; another lender's settings are a 404, an agent gets 403, an operator any.

announcePostgresSkip();

function decode(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The value of the hidden input `name` in a page. */
function hidden(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no hidden input ${name}`);
  return decode(match[1]);
}

for (const dialect of dialects) {
  describe(`console settings over HTTP [${dialect}]`, { timeout: 60_000 }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let admin: StaffClient;
    const db = () => database.connection.db;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-settings-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemo(db(), new Date());
      await lenderWithKey(db(), 'other');
      await staffAccount(db(), 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db(), 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db(), 'ops@zhenxin.cn', 'operator');
      server = await startServer({ DATABASE_URL: database.url });
      admin = await signedInClient(server.url, 'admin@demo.cn');
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** The whole form of one group as the page shows it now, with `changes` made. */
    const formOf = async (slug: string, group: string, changes: Record<string, string>) => {
      const lender = await findLenderBySlug(db(), slug);
      if (!lender) throw new Error(`no lender ${slug}`);
      const values = lenderValues(lender);
      const prefix: Record<string, RegExp> = {
        profile: /^(name|nameEn|smsSignature|domains|shortLinkDomain|hotlines\.|repaymentChannels\.)/,
        widget: /^widgetOrigins$/,
        money: /^money\./,
        reminders: /^reminders\./,
        relief: /^relief\./,
      };
      const form: Record<string, string> = { group, step: 'preview' };
      for (const [name, value] of Object.entries({ ...values, ...changes })) {
        if (prefix[group]?.test(name) && value !== '') form[name] = value;
      }
      return form;
    };

    const preview = async (client: StaffClient, slug: string, group: string, changes: Record<string, string>) =>
      client.post(`/staff/lenders/${slug}/settings`, await formOf(slug, group, changes));

    const confirm = (client: StaffClient, slug: string, group: string, html: string) =>
      client.post(`/staff/lenders/${slug}/settings`, {
        group,
        step: 'confirm',
        change: hidden(html, 'change'),
        basis: hidden(html, 'basis'),
      });

    it('shows a lender admin its settings with the values it has now, and the recent changes', async () => {
      const response = await admin.get('/staff/lenders/demo/settings');
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('value="400-186-5533"');
      expect(html).toContain('id="money-graceDays"');
      expect(html).toContain('id="reminders-contactWindow-start"');
      expect(html).toContain('id="relief-plan-minBalance"');
      expect(html).toContain('最近的更改');
      expect(html).not.toContain('reminders.templates');
      const english = await (await admin.get('/staff/lenders/demo/settings?lang=en')).text();
      expect(english).toContain('Days of grace');
      expect(english).toContain('Recent changes');
    });

    it('previews a hotline change as a diff, then saves it on confirm: audited, and public at once', async () => {
      const response = await preview(admin, 'demo', 'profile', { 'hotlines.0.hours': '每天 08:00–22:00' });
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('确认更改：公开资料');
      expect(html).toContain('data-field="hotlines"');
      expect(html).not.toContain('data-field="name"');
      expect(html).toContain('每天 08:00–22:00');
      // Nothing is saved by a preview.
      expect((await findLenderBySlug(db(), 'demo'))?.hotlines[0]?.hours).not.toBe('每天 08:00–22:00');

      const saved = await confirm(admin, 'demo', 'profile', html);
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toBe('/staff/lenders/demo/settings?saved=profile');
      const after = await (await admin.get('/staff/lenders/demo/settings?saved=profile')).text();
      expect(after).toContain('已保存“公开资料”的更改');
      expect(after).toMatch(/admin@demo\.cn<\/td>\s*<td[^>]*>客服电话/);

      const lender = await findLenderBySlug(db(), 'demo');
      expect(lender?.hotlines[0]).toEqual({ number: '400-186-5533', hours: '每天 08:00–22:00' });
      const entry = await db()
        .selectFrom('audit_log')
        .innerJoin('staff_users', 'staff_users.id', 'audit_log.actor_id')
        .select(['audit_log.details', 'staff_users.email', 'audit_log.actor_kind', 'audit_log.ip'])
        .where('audit_log.action', '=', 'lender.settings_changed')
        .where('audit_log.subject', '=', `lender:${lender?.id}`)
        .executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ email: 'admin@demo.cn', actor_kind: 'staff' });
      expect(JSON.parse(entry.details)).toMatchObject({ group: 'profile', fields: ['hotlines'] });
      const publicPage = await (await fetch(`${server.url}/lenders/demo`)).text();
      expect(publicPage).toContain('每天 08:00–22:00');
    });

    it('saves a policy change, and a widget origin another server process follows within its cache second', async () => {
      const money = await preview(admin, 'demo', 'money', { 'money.graceDays': '5' });
      const html = await money.text();
      expect(html).toContain('data-field="money.graceDays"');
      expect((await confirm(admin, 'demo', 'money', html)).status).toBe(303);
      expect((await findLenderBySlug(db(), 'demo'))?.policy.graceDays).toBe(5);

      // A second process serving the same database, as behind a load balancer.
      const second = await startServer({ DATABASE_URL: database.url });
      try {
        const origin = 'https://help.qinghe-xf.cn';
        const allowed = async (url: string) => {
          const preflight = await fetch(`${url}/api/v1/verify`, {
            method: 'OPTIONS',
            headers: { origin, 'access-control-request-method': 'POST' },
          });
          await preflight.arrayBuffer();
          return preflight.headers.get('access-control-allow-origin');
        };
        expect(await allowed(second.url)).toBeNull();
        const widget = await preview(admin, 'demo', 'widget', { widgetOrigins: `https://qinghe-xf.cn\n\n${origin}\n` });
        const widgetHtml = await widget.text();
        expect(widgetHtml).toContain(origin);
        expect((await confirm(admin, 'demo', 'widget', widgetHtml)).status).toBe(303);
        expect(await allowed(server.url)).toBe(origin);
        // Far beyond the one second promised: only a change that never arrives fails, a slow machine does not.
        await expect.poll(() => allowed(second.url), { timeout: 30_000, interval: 100 }).toBe(origin);
      } finally {
        await second.stop();
      }
    });

    it('refuses an invalid value with 400, the field named in the summary and beside the field, values kept', async () => {
      const response = await preview(admin, 'demo', 'widget', { widgetOrigins: 'https://help.qinghe-xf.cn/' });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toMatch(/<title>错误：/);
      expect(html).toContain('href="#widgetOrigins"');
      expect(html).toContain('允许嵌入的网页来源第 1 行：no trailing slash');
      expect(html).toMatch(/id="widgetOrigins"[^>]*aria-describedby="widgetOrigins-hint widgetOrigins-error"/);
      expect(html).toContain('https://help.qinghe-xf.cn/</textarea>');

      const mobile = await preview(admin, 'demo', 'profile', { 'hotlines.1.number': '138 0013 8000' });
      expect(mobile.status).toBe(400);
      const mobileHtml = await mobile.text();
      expect(mobileHtml).toContain('href="#hotlines-1-number"');
      expect(mobileHtml).toContain('客服电话 2：138 0013 8000 is a mobile number');

      const window = await preview(admin, 'demo', 'reminders', {
        'reminders.contactWindow.start': '21:00',
        'reminders.contactWindow.end': '08:00',
      });
      expect(window.status).toBe(400);
      expect(await window.text()).toContain('允许联系的结束时间：the contact window must end after it starts');

      const letters = await preview(admin, 'demo', 'money', { 'money.graceDays': 'three' });
      expect(letters.status).toBe(400);
      expect(await letters.text()).toContain('宽限天数：请填写整数');
      const yuan = await preview(admin, 'demo', 'relief', { 'relief.plan.minBalance': '500.005' });
      expect(yuan.status).toBe(400);
      expect(await yuan.text()).toContain('可分期的最低逾期金额（元）：请填写以元为单位的金额');
    });

    it('answers a NUL or control character in any field with 400, never a 500', async () => {
      const cases: Array<[string, Record<string, string>]> = [
        ['profile', { name: '青禾\u0000消费金融' }],
        ['profile', { smsSignature: '青禾\u0007消费' }],
        ['profile', { 'hotlines.0.hours': '09:00\u0000' }],
        ['profile', { domains: 'qinghe-xf.cn\u0000' }],
        ['profile', { 'repaymentChannels.0.label': '\u0000' }],
        ['widget', { widgetOrigins: 'https://qinghe-xf.cn\u0000' }],
        ['money', { 'money.timeZone': 'Asia/Shanghai\u0000' }],
        ['money', { 'money.graceDays': '3\u0000' }],
        ['reminders', { 'reminders.contactWindow.start': '08:00\u0000' }],
        ['relief', { 'relief.plan.terms': '3,\u00006' }],
      ];
      for (const [group, changes] of cases) {
        const response = await preview(admin, 'demo', group, changes);
        expect(response.status, JSON.stringify(changes)).toBe(400);
        expect(await response.text()).toContain('class="error-summary"');
      }
      const confirmNul = await admin.post('/staff/lenders/demo/settings', {
        group: 'profile',
        step: 'confirm',
        change: JSON.stringify({ name: 'a\u0000b' }),
        basis: 'x',
      });
      expect(confirmNul.status).toBe(400);
      const damaged = await admin.post('/staff/lenders/demo/settings', {
        group: 'profile',
        step: 'confirm',
        change: '{"name":',
        basis: 'x',
      });
      expect(damaged.status).toBe(400);
      expect(await damaged.text()).toContain('确认表单已损坏或过期');
      const notGroup = await admin.post('/staff/lenders/demo/settings', { group: 'policy\u0000', step: 'preview' });
      expect(notGroup.status).toBe(400);
      const otherFields = await admin.post('/staff/lenders/demo/settings', {
        group: 'widget',
        step: 'confirm',
        change: JSON.stringify({ name: 'x', widgetOrigins: [] }),
        basis: 'x',
      });
      expect(otherFields.status).toBe(400);
    });

    it('does not overwrite a change made meanwhile: it says so and shows the new diff (409)', async () => {
      const response = await preview(admin, 'demo', 'profile', { nameEn: 'Qinghe Consumer Finance (console)' });
      const html = await response.text();
      await changeLenderProfile(db(), 'demo', { nameEn: 'Qinghe Consumer Finance (CLI)' });
      const stale = await confirm(admin, 'demo', 'profile', html);
      expect(stale.status).toBe(409);
      const staleHtml = await stale.text();
      expect(staleHtml).toContain('这些设置已被他人修改');
      expect(staleHtml).toContain('Qinghe Consumer Finance (CLI)');
      expect((await findLenderBySlug(db(), 'demo'))?.nameEn).toBe('Qinghe Consumer Finance (CLI)');
      expect((await confirm(admin, 'demo', 'profile', staleHtml)).status).toBe(303);
      expect((await findLenderBySlug(db(), 'demo'))?.nameEn).toBe('Qinghe Consumer Finance (console)');
    });

    it('goes back from the diff to the form with the change kept', async () => {
      const response = await preview(admin, 'demo', 'reminders', { 'reminders.dailyCap': '2' });
      const html = await response.text();
      const back = await admin.post('/staff/lenders/demo/settings', {
        group: 'reminders',
        step: 'edit',
        change: hidden(html, 'change'),
        basis: hidden(html, 'basis'),
      });
      expect(back.status).toBe(200);
      expect(await back.text()).toMatch(/id="reminders-dailyCap"[^>]*value="2"|value="2"[^>]*id="reminders-dailyCap"/);
      expect((await findLenderBySlug(db(), 'demo'))?.reminders.dailyCap).toBe(1);
    });

    it("answers a lender admin 404 for another lender's settings, read or written", async () => {
      expect((await admin.get('/staff/lenders/other/settings')).status).toBe(404);
      const post = await admin.post('/staff/lenders/other/settings', {
        group: 'widget',
        step: 'preview',
        widgetOrigins: 'https://evil.example.cn',
      });
      expect(post.status).toBe(404);
      expect((await findLenderBySlug(db(), 'other'))?.widgetOrigins).toEqual([]);
    });

    it('refuses an agent (403) and lets an operator change any lender', async () => {
      const agent = await signedInClient(server.url, 'agent@demo.cn');
      expect((await agent.get('/staff/lenders/demo/settings')).status).toBe(403);
      expect(
        (await agent.post('/staff/lenders/demo/settings', { group: 'widget', step: 'preview', widgetOrigins: '' }))
          .status,
      ).toBe(403);
      const operator = await signedInClient(server.url, 'ops@zhenxin.cn');
      const response = await preview(operator, 'other', 'widget', { widgetOrigins: 'https://help.other.example.cn' });
      expect(response.status).toBe(200);
      expect((await confirm(operator, 'other', 'widget', await response.text())).status).toBe(303);
      expect((await findLenderBySlug(db(), 'other'))?.widgetOrigins).toEqual(['https://help.other.example.cn']);
    });
  });
}
