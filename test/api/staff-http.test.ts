import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// The staff workbench over HTTP: the gate, sign-in, the session cookie, checks, reports, CSV, sign-out.

announcePostgresSkip();

const PASSWORD = 'staff password 2026';
const SCAM =
  '【青禾消费金融】您的账户将被冻结，请访问 https://qinghe-xf.top/unfreeze 并将验证码发给客服 400-800-1234。';

for (const dialect of dialects) {
  describe(`staff workbench over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-staff-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemo(database.connection.db, new Date());
      await createStaffUser(database.connection.db, 'agent@qinghe-xf.cn', PASSWORD);
      await createStaffUser(database.connection.db, 'target@qinghe-xf.cn', PASSWORD);
      await createStaffUser(database.connection.db, 'ops@zhenxin.cn', PASSWORD, new Date(), undefined, 'operator');
      server = await startServer({ DATABASE_URL: database.url });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const sameSite = { origin: '', 'sec-fetch-site': 'same-origin' };
    const post = (
      path: string,
      form: Record<string, string | string[]>,
      cookie = '',
      extra: Record<string, string> = {},
    ) => {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) {
        for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      }
      return fetch(`${server.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          ...sameSite,
          origin: server.url,
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          ...extra,
        },
        body,
      });
    };
    const get = (path: string, cookie = '') =>
      fetch(`${server.url}${path}`, { redirect: 'manual', headers: { cookie } });
    const sessionCookie = (response: Response) => {
      const header = response.headers.getSetCookie().find((c) => c.startsWith('__Host-zx-staff='));
      return header ? (header.split(';')[0] as string) : '';
    };
    const signIn = async (email = 'agent@qinghe-xf.cn', password = PASSWORD, cookie = '') =>
      post('/staff/sign-in', { email, password }, cookie);

    it('sends anyone not signed in to the sign-in page', async () => {
      for (const path of ['/staff', '/staff/reports', '/staff/reports.csv', '/staff/anything']) {
        const response = await get(path);
        expect(response.status, path).toBe(303);
        expect(response.headers.get('location')).toBe('/staff/sign-in');
      }
      const page = await get('/staff/sign-in');
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(await page.text()).toContain('autocomplete="current-password"');
    });

    it('refuses a wrong password with the same answer as an unknown e-mail, keeping the e-mail', async () => {
      const wrong = await signIn('agent@qinghe-xf.cn', 'not the password');
      const unknown = await signIn('nobody@qinghe-xf.cn', 'not the password');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const [a, b] = [await wrong.text(), await unknown.text()];
      expect(a).toContain('value="agent@qinghe-xf.cn"');
      expect(a).not.toContain('not the password');
      expect(a.replace('agent@', 'nobody@')).toBe(b);
      expect(sessionCookie(wrong)).toBe('');
    });

    it('names the empty fields', async () => {
      const response = await signIn('', '');
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain('href="#email"');
      expect(html).toContain('href="#password"');
      expect(html).toMatch(/<title>错误：/);
    });

    it('signs in with a new __Host- session cookie, never the one offered', async () => {
      const offered = `__Host-zx-staff=${'b'.repeat(40)}`;
      const response = await signIn('agent@qinghe-xf.cn', PASSWORD, offered);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/staff');
      const header = response.headers.getSetCookie().find((c) => c.startsWith('__Host-zx-staff=')) ?? '';
      expect(header).toMatch(/; Path=\//);
      expect(header).toMatch(/; HttpOnly/);
      expect(header).toMatch(/; Secure/);
      expect(header).toMatch(/; SameSite=Lax/);
      expect(header).not.toMatch(/Domain=|Max-Age|Expires/i);
      expect(sessionCookie(response)).not.toBe(offered);
    });

    it('checks a pasted scam, records it as a report, and exports the takedown list', async () => {
      const cookie = sessionCookie(await signIn());
      const home = await get('/staff', cookie);
      expect(home.status).toBe(200);
      expect(home.headers.get('cache-control')).toBe('no-store');

      const checked = await post('/staff', { action: 'check', text: `${SCAM}<script>alert(1)</script>` }, cookie);
      expect(checked.status).toBe(200);
      const html = await checked.text();
      expect(html).toContain('我们没有发出过这条短信');
      expect(html).toContain('qinghe-xf.top');
      // Inside an attribute value `<` cannot open a tag; everywhere else the text is escaped.
      expect(html.replace(/ value="[^"]*"/g, '')).not.toContain('<script>alert(1)</script>');
      expect(html).toContain('&lt;script&gt;');

      const missingTags = await post('/staff', { action: 'report', text: SCAM, note: 'x' }, cookie);
      expect(missingTags.status).toBe(400);
      expect(await missingTags.text()).toContain('请至少选择一个标签');

      const reported = await post(
        '/staff',
        {
          action: 'report',
          text: SCAM,
          tags: ['code_request', 'lookalike_link'],
          itemTags: ['domain|qinghe-xf.top|lookalike_link', 'number|4008001234|fake_hotline'],
        },
        cookie,
      );
      expect(reported.status).toBe(200);
      expect(await reported.text()).toContain('已记录举报');

      const list = await get('/staff/reports', cookie);
      const listHtml = await list.text();
      expect(listHtml).toContain('qinghe-xf.top');
      expect(listHtml).toContain('4008001234');

      const csv = await get('/staff/reports.csv', cookie);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toMatch(
        /^attachment; filename="zhenxin-takedown-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const text = (await csv.text()).replace(/^\uFEFF/, '');
      expect(text.split('\r\n')[0]).toBe('kind,value,reports,first_seen,last_seen,tags');
      // Each item with its own tags: the domain a look-alike link, the number a fake hotline.
      expect(text).toMatch(/domain,qinghe-xf\.top,1,[^,]+,[^,]+,lookalike_link\r\n/);
      expect(text).toMatch(/number,4008001234,1,[^,]+,[^,]+,fake_hotline\r\n/);

      const audit = await database.connection.db.selectFrom('audit_log').select('action').execute();
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(['staff.sign_in', 'staff.check', 'staff.scam_report']),
      );
    });

    it('refuses cross-site posts to the workbench', async () => {
      const cookie = sessionCookie(await signIn());
      const response = await post('/staff', { action: 'check', text: SCAM }, cookie, {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      expect(response.status).toBe(403);
    });

    it('signs out server-side: replaying the cookie leads back to sign-in', async () => {
      const cookie = sessionCookie(await signIn());
      expect((await get('/staff', cookie)).status).toBe(200);
      const out = await post('/staff/sign-out', {}, cookie);
      expect(out.status).toBe(303);
      expect(out.headers.get('location')).toBe('/staff/sign-in?signed-out');
      expect((await get('/staff', cookie)).status).toBe(303);
      expect((await get('/staff/sign-out', sessionCookie(await signIn()))).status).toBe(405);
    });

    it('slows password guessing from an address, and shows operators the account under attack', async () => {
      const email = 'target@qinghe-xf.cn';
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await signIn(email, `guess ${i} xxxxxx`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const limited = await signIn(email, 'guess again');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      const limitedHtml = await limited.text();
      expect(limitedHtml).toContain('尝试次数过多');
      expect(limitedHtml).toContain('在您以前登录过的设备上，输入正确的密码仍可以登录');

      const signedIn = await signIn('ops@zhenxin.cn');
      // a long-lived, random, HttpOnly __Host- cookie marks this browser as one the account used
      const device = signedIn.headers.getSetCookie().find((c) => c.startsWith('__Host-zx-device=')) ?? '';
      expect(device).toMatch(
        /^__Host-zx-device=[A-Za-z0-9_-]{43}; Max-Age=15552000; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
      const workbench = await (await get('/staff', sessionCookie(signedIn))).text();
      expect(workbench).toContain('有人在尝试登录员工账户');
      expect(workbench).toContain('target@qinghe-xf.cn：限制 1 次');
      const agent = await (await get('/staff', sessionCookie(await signIn()))).text();
      expect(agent).not.toContain('有人在尝试登录员工账户');
    });
  });
}
