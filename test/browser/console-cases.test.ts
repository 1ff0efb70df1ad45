import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import { setCaseClock } from '../support/case-clock.ts';
import { type DemoSite, startDemoSite } from '../support/demo-site.ts';

// A lender admin's journey: find a demo borrower (by number, as written on a note), open the
// case, send a reminder by hand after seeing the decision and the text, and find it in the
// contact history; then a borrower already reminded today, where the daily cap needs a written
// reason. Phone width first, then the desktop, each with its own borrowers. Each borrower is
// put where it is midday now, with its reminders a minute ago (cap) or last week (no cap), so the
// journey does not depend on the hour it runs.

const PASSWORD = 'admin password 2026';
const REASON = '借款人来电，要求今天把还款信息再发一次';

const JOURNEYS = [
  { name: 'phone', size: PHONE, send: ['B005', '刘洋', '138 0013 8005', 'L005'], capped: ['B006', '陈静', 'L006'] },
  { name: 'desktop', size: DESKTOP, send: ['B008', '赵敏', '8008', 'L008'], capped: ['B016', '胡斌', 'L016'] },
] as const;

describeWithBrowser('lender console: borrowers, case and manual send in a browser', (browser) => {
  let site: DemoSite;

  beforeAll(async () => {
    site = await startDemoSite({ staff: [['admin@qinghe-xf.cn', PASSWORD, 'lender_admin', 'demo']] });
    const db = site.database.connection.db;
    for (const journey of JOURNEYS) {
      await setCaseClock(db, 'demo', journey.send[0], { hour: 12, remindedToday: false });
      await setCaseClock(db, 'demo', journey.capped[0], { hour: 12, remindedToday: true });
    }
  });
  afterAll(async () => {
    await site?.stop();
  });

  const expectAccessible = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  const click = (page: Page, action: Promise<unknown>) => Promise.all([page.waitForLoadState('load'), action]);
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

  for (const { name, size, send, capped } of JOURNEYS) {
    const [borrower, borrowerName, phoneAsWritten, loan] = send;
    const [cappedBorrower, cappedName, cappedLoan] = capped;

    it(`finds a borrower, sends a reminder after the decision, sees it in the history (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      await page.goto(`${site.url}/staff/sign-in`);
      await page.getByLabel('工作邮箱').fill('admin@qinghe-xf.cn');
      await page.getByLabel('密码').fill(PASSWORD);
      await click(page, page.getByRole('button', { name: '登录' }).click());
      await page.goto(`${site.url}/staff/lenders`);
      expect(new URL(page.url()).pathname).toBe('/staff/lenders/demo');

      // The console's menu leads to the borrowers; a number as written finds the one.
      await click(
        page,
        page.getByRole('navigation', { name: '控制台菜单' }).getByRole('link', { name: '借款人' }).click(),
      );
      await expect.poll(() => heading(page)).toBe('借款人');
      await page.getByLabel('查找借款人').fill(phoneAsWritten);
      await click(page, page.getByRole('button', { name: '查找' }).click());
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('找到 1 位借款人');
      const rows = page.locator('table.borrower-list tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toMatch(/138\*\*\*\*80\d\d/);
      await expectAccessible(page);
      await screenshot(page, `console-borrowers-${name}`);

      // The case: the borrower, the loan's balance, the history of texts so far.
      await click(page, rows.first().getByRole('link').click());
      await expect.poll(() => heading(page)).toBe(`${borrowerName}（${borrower}）`);
      expect(await page.locator('#history').textContent()).toContain('按计划自动发送');
      expect(await page.locator('#history li').count()).toBe(1);
      await expectAccessible(page);
      await screenshot(page, `console-case-${name}`);

      // "Send a reminder" shows the decision and the text first; nothing is sent yet.
      await click(page, page.getByRole('link', { name: '发送提醒' }).click());
      await expect.poll(() => heading(page)).toBe(`发送提醒：借款 ${loan}`);
      expect(await page.locator('#decision').textContent()).toContain('可以发送');
      expect(await page.locator('blockquote.sms').textContent()).toContain('【青禾消费金融】');
      expect(
        await site.database.connection.db
          .selectFrom('messages')
          .select('id')
          .where('sent_by', 'is not', null)
          .execute(),
      ).toHaveLength(name === 'phone' ? 0 : 2);
      await expectAccessible(page);
      await screenshot(page, `console-send-preview-${name}`);

      await click(page, page.getByRole('button', { name: '确认发送' }).click());
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain(`借款 ${loan} 的提醒已发送`);
      const latest = page.locator('#history li').first();
      expect(await latest.textContent()).toContain('由 admin@qinghe-xf.cn 手动发送');
      // It went out at once through the development provider.
      await expect
        .poll(async () => {
          await page.reload();
          return page.locator('#history li').first().textContent();
        })
        .toContain('已发出');
      expect(await page.locator('#history li').count()).toBe(2);
      await expectAccessible(page);
      await screenshot(page, `console-case-sent-${name}`);

      // A borrower already reminded today: the daily cap needs a written reason.
      await page.goto(`${site.url}/staff/lenders/demo/borrowers`);
      await page.getByLabel('查找借款人').fill(cappedName);
      await click(page, page.getByRole('button', { name: '查找' }).click());
      await click(page, page.locator('table.borrower-list tbody tr').first().getByRole('link').click());
      await expect.poll(() => heading(page)).toBe(`${cappedName}（${cappedBorrower}）`);
      await click(page, page.getByRole('link', { name: '发送提醒' }).click());
      expect(await page.locator('#decision').textContent()).toContain('今天已经发过提醒了');
      expect(await page.locator('#decision').textContent()).toContain('写明理由后可以越过');
      await click(page, page.getByRole('button', { name: '写明理由并发送' }).click());
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      expect(await page.locator('.error-summary').textContent()).toContain('请写明越过发送上限的理由');
      await expectAccessible(page);
      await screenshot(page, `console-send-reason-needed-${name}`);

      await page.getByLabel('越过发送上限的理由').fill(REASON);
      await click(page, page.getByRole('button', { name: '写明理由并发送' }).click());
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain(`借款 ${cappedLoan} 的提醒已发送`);
      expect(await page.locator('#history li').first().textContent()).toContain('手动发送');
      await expectAccessible(page);
      await context.close();
    });
  }
});
