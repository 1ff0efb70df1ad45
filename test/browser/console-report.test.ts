import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoHistory } from '../../src/services/demo-history.ts';
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
import { type DemoSite, startDemoSite } from '../support/demo-site.ts';

// A lender admin reads the effect report of the demo (with its weeks of history): the charts, each
// with its summary and table, the A/B comparison, the full table, and the CSV for a spreadsheet.
// Phone width first.

const PASSWORD = 'admin password 2026';

describeWithBrowser('the effect report in the lender console', (browser) => {
  let site: DemoSite;
  let history: Awaited<ReturnType<typeof seedDemoHistory>>;
  let anchor = '';

  beforeAll(async () => {
    site = await startDemoSite({ staff: [['admin@qinghe-xf.cn', PASSWORD, 'lender_admin', 'demo']] });
    const { db } = site.database.connection;
    // the day the demo was seeded: its reminders were queued under it
    const first = await db
      .selectFrom('messages')
      .select('idempotency_key')
      .where('kind', '=', 'reminder')
      .executeTakeFirstOrThrow();
    anchor = (first.idempotency_key ?? '').slice(0, 10);
    history = await seedDemoHistory(db, anchor);
  });
  afterAll(async () => {
    await site?.stop();
  });

  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`opens the report, reads the charts and tables, downloads the CSV (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, {
        ...AXE_CONTEXT,
        locale: 'zh-CN',
        acceptDownloads: true,
      });
      await page.goto(`${site.url}/staff/sign-in`);
      await page.getByLabel('工作邮箱').fill('admin@qinghe-xf.cn');
      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(/\/staff/), page.getByRole('button', { name: '登录' }).click()]);

      // The console's menu leads there; the default range is the last 28 days.
      await page.goto(`${site.url}/staff/lenders/demo`);
      await Promise.all([page.waitForURL('**/report'), page.getByRole('link', { name: '提醒效果' }).first().click()]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('提醒效果');
      expect(await page.getByLabel('结束日期').inputValue()).toBe(anchor);

      // The whole history: a range typed into the form.
      await page.getByLabel('开始日期').fill(history.from);
      await Promise.all([page.waitForURL(/from=/), page.getByRole('button', { name: '查看' }).click()]);
      expect(new URL(page.url()).searchParams.get('from')).toBe(history.from);

      const charts = page.locator('svg[role="img"]');
      await expect.poll(() => charts.count()).toBe(4);
      for (const title of [
        '每天的送达率',
        '每天打开链接和核实为真的短信',
        '7 天内还款：收到提醒的与当天未提醒的',
        '对比实验：A 版与 B 版',
      ])
        expect(await page.getByRole('img', { name: title }).count(), title).toBe(1);
      // each chart's summary says what it shows, with numbers
      expect(await page.locator('#delivery-title + p').textContent()).toMatch(
        /共发送 [\d,]+ 条，送达 [\d,]+ 条，送达率 \d+\.\d%/,
      );
      // today's texts still wait for receipts: not "the lowest day"
      expect(await page.locator('#delivery-title + p').textContent()).not.toContain(anchor);
      expect(await page.locator('#lift-title + p').textContent()).toMatch(/提醒高出 \+\d+\.\d 个百分点/);
      expect(await page.locator('#variants-title + p').textContent()).toMatch(/温和提醒：A 版 7 天内还款 .*B 版/);
      // the tables beside the charts: one row per day of the range
      const days = await page.locator('#delivery-caption').locator('xpath=..').locator('tbody tr').count();
      expect(days).toBe(28 + 9);
      const rows = await page.locator('table.report-rows tbody tr').count();
      expect(rows).toBeGreaterThan(40);
      expect(await page.locator('table.report-rows tfoot').textContent()).toContain('合计');

      // Nothing is wider than the screen but the tables, which scroll inside their region.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      const violations = await runAxe(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await screenshot(page, `console-report-${name}`);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: /下载表格/ }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`zhenxin-effect-demo-${history.from}-${anchor}.csv`);
      const path = await download.path();
      const bytes = readFileSync(path);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^date,stage,template,variant,sent,delivered,failed,delivery_rate,/);
      expect(lines.length - 1).toBe(rows);
      expect(lines.some((l) => /,gentle,zh-CN\/v2,B,/.test(l))).toBe(true);

      // A range the other way round: named beside the field and in the summary, values kept.
      await page.goto(`${site.url}/staff/lenders/demo/report?from=${anchor}&to=${history.from}`);
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      expect(await page.locator('.error-summary a[href="#to"]').textContent()).toBe('结束日期不能早于开始日期');
      expect(await page.getByLabel('结束日期').inputValue()).toBe(history.from);
      const errorViolations = await runAxe(page);
      expect(errorViolations, describeViolations(errorViolations)).toEqual([]);
      await screenshot(page, `console-report-error-${name}`);
      await context.close();
    });
  }
});
