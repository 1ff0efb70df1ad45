import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import {
  AXE_CONTEXT,
  DESKTOP,
  describeViolations,
  describeWithBrowser,
  newPage,
  PHONE,
  runAxe,
  screenshot,
} from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';
import { type FakeTwilio, startFakeTwilio } from '../support/fake-twilio.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// A lender admin's inbox: a borrower replies to a reminder (posted to the Twilio webhook as Twilio
// would), the admin reads it in the console, sees an opt-out apart from it, and marks the reply
// handled. Phone width first, then the desktop.

const PASSWORD = 'admin password 2026';
const INCOMING = 'https://zhenxin.example/api/sms/twilio/incoming';

describeWithBrowser('borrowers’ replies in the lender console', (browser) => {
  let dir: string;
  let database: TestDatabase;
  let twilio: FakeTwilio;
  let server: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-replies-site-'));
    database = await createTestDatabase('sqlite', { file: join(dir, 'app.db') });
    await seedDemoAndSendReminders(database.connection);
    await createStaffUser(database.connection.db, 'admin@qinghe-xf.cn', PASSWORD, new Date(), 'demo', 'lender_admin');
    twilio = await startFakeTwilio();
    server = await startServer({
      DATABASE_URL: database.url,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_BASE_URL: twilio.url,
      TWILIO_STATUS_CALLBACK_URL: 'https://zhenxin.example/api/sms/twilio/status',
    });
    // An opt-out from another borrower, answered automatically.
    const optOut = await twilio.postIncomingMessage(
      `${server.url}/api/sms/twilio/incoming`,
      { from: '+8613800138006', body: '退订' },
      { signedUrl: INCOMING },
    );
    expect(optOut.status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await twilio?.close();
    await database?.connection.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const expectAccessible = async (page: Parameters<typeof runAxe>[0]) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };

  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`a reply arrives → the admin reads it → marks it handled (${name})`, async () => {
      const text = `收到提醒，我这周五（${name}）前还清，请不要再打电话了。<b>谢谢</b>`;
      const posted = await twilio.postIncomingMessage(
        `${server.url}/api/sms/twilio/incoming`,
        { from: '+8613800138004', body: text },
        { signedUrl: INCOMING },
      );
      expect(posted.status).toBe(200);

      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      await page.goto(`${server.url}/staff/sign-in`);
      await page.getByLabel('工作邮箱').fill('admin@qinghe-xf.cn');
      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${server.url}/staff`), page.getByRole('button', { name: '登录' }).click()]);

      // From the console's menu to the inbox.
      await page.goto(`${server.url}/staff/lenders/demo`);
      await Promise.all([
        page.waitForURL('**/staff/lenders/demo/replies'),
        page.getByRole('navigation', { name: '控制台菜单' }).getByRole('link', { name: '回复' }).click(),
      ]);
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toMatch(/^借款人回复（\d+ 条未处理）$/);
      const reply = page.locator('li', { hasText: `我这周五（${name}）前还清` });
      await expect.poll(() => reply.count()).toBe(1);
      // The borrower's text as written (markup shown, not run), the masked number, the reminder answered.
      expect(await reply.locator('blockquote').textContent()).toContain('<b>谢谢</b>');
      expect(await reply.textContent()).toContain('138****8004');
      expect(await reply.getByRole('link').getAttribute('href')).toBe('/staff/lenders/demo/borrowers/B004');
      expect(await reply.textContent()).toContain('【青禾消费金融】');
      // Unhandled replies come first, the newest at the top.
      expect(await page.locator('.reply-list > li').first().textContent()).toContain(`我这周五（${name}）前还清`);
      await expectAccessible(page);
      await screenshot(page, `console-replies-inbox-${name}`);

      // The opt-out, on its own.
      await Promise.all([
        page.waitForURL('**/replies?kind=opt_out'),
        page.getByRole('link', { name: /^退订（\d+）$/ }).click(),
      ]);
      const kinds = await page
        .locator('.reply-list > li')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')));
      expect(kinds).toEqual(['opt_out']);
      expect(await page.locator('.reply-list').textContent()).toContain('已自动停止向该号码发送本机构的提醒');
      await expectAccessible(page);
      if (name === 'desktop') await screenshot(page, `console-replies-opt-outs-${name}`);

      // Back to all, and mark the reply handled.
      await Promise.all([
        page.waitForURL('**/staff/lenders/demo/replies'),
        page.getByRole('link', { name: /^全部（\d+）$/ }).click(),
      ]);
      await Promise.all([
        page.waitForURL('**/replies?handled=1'),
        page
          .locator('li', { hasText: `我这周五（${name}）前还清` })
          .getByRole('button', { name: /^标为已处理/ })
          .click(),
      ]);
      await expect.poll(() => page.getByRole('status').textContent()).toBe('已标为已处理。');
      const handled = page.locator('li', { hasText: `我这周五（${name}）前还清` });
      expect(await handled.textContent()).toContain('已处理：admin@qinghe-xf.cn');
      expect(await handled.getByRole('button').count()).toBe(0);
      // Handled replies go below the unhandled ones.
      expect(await page.locator('.reply-list > li').last().textContent()).toContain('已处理');
      await expectAccessible(page);
      await screenshot(page, `console-replies-handled-${name}`);
      await context.close();
    });
  }
});
