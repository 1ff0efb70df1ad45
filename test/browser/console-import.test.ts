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
import { type DemoSite, startDemoSite } from '../support/demo-site.ts';
import { importCsv } from '../support/import-files.ts';

// A lender admin's bulk import: sign in, open the console's import page, upload a CSV with one
// bad line (refused, the line and field shown), then a good one: the preview, the confirmation,
// the import done with its counts. Phone width first, then the desktop.

const PASSWORD = 'admin password 2026';

/** Two loans of two new borrowers; `bad` spoils the third data line's phone (line 4). */
function file(prefix: string, bad: boolean): string {
  const row = (borrower: string, loan: string, due: string, phone: string) => ({
    borrower_id: `${prefix}${borrower}`,
    name: `导入${borrower}`,
    phone,
    locale: 'zh-CN',
    loan_id: `${prefix}${loan}`,
    currency: 'CNY',
    due_date: due,
    principal: '80000',
    interest: '1200',
  });
  return importCsv([
    row('B1', 'L1', '2026-01-05', '13811110000'),
    row('B1', 'L1', '2026-02-05', '13811110000'),
    row('B2', 'L2', '2026-03-05', bad ? '1391111' : '13911110000'),
  ]);
}

describeWithBrowser('bulk import in the lender console', (browser) => {
  let site: DemoSite;

  beforeAll(async () => {
    site = await startDemoSite({ staff: [['admin@qinghe-xf.cn', PASSWORD, 'lender_admin', 'demo']] });
  });
  afterAll(async () => {
    await site?.stop();
  });

  const expectAccessible = async (page: Parameters<typeof runAxe>[0]) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };

  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`upload a file with a bad line → refused by line → a good file → preview → confirm → done (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      const prefix = name === 'phone' ? 'P' : 'D';
      await page.goto(`${site.url}/staff/sign-in`);
      await page.getByLabel('工作邮箱').fill('admin@qinghe-xf.cn');
      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${site.url}/staff`), page.getByRole('button', { name: '登录' }).click()]);

      await page.goto(`${site.url}/staff/lenders/demo`);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '批量导入' }).first().click()]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('批量导入借款人和借款');
      await expectAccessible(page);
      await screenshot(page, `console-import-form-${name}`);

      // No file chosen: the error summary and the message beside the field.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '上传并检查' }).click()]);
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      expect(await page.locator('.error-summary').textContent()).toContain('请选择要上传的 CSV 文件');
      expect(await page.locator('#file-error').textContent()).toContain('请选择要上传的 CSV 文件');
      await expectAccessible(page);

      // A file with one bad line: refused, the line and the field named; nothing to confirm.
      await page.getByLabel('CSV 文件').setInputFiles({
        name: `${prefix}-bad.csv`,
        mimeType: 'text/csv',
        buffer: Buffer.from(file(prefix, true)),
      });
      await Promise.all([
        page.waitForURL(/\/import\/[\w-]{22}$/),
        page.getByRole('button', { name: '上传并检查' }).click(),
      ]);
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe(`未通过检查：${prefix}-bad.csv`);
      expect(await page.title()).toMatch(/^错误：/);
      const problem = page.locator('table.problems tbody tr');
      expect(await problem.count()).toBe(1);
      expect(await problem.locator('th').textContent()).toBe('第 4 行');
      expect(await problem.locator('td').first().textContent()).toBe('phone');
      expect(await problem.locator('td').last().textContent()).toContain('不是有效的手机号');
      expect(await page.getByRole('button', { name: '确认导入' }).count()).toBe(0);
      await expectAccessible(page);
      await screenshot(page, `console-import-refused-${name}`);

      // The good file: its preview, then the confirmed import.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '上传另一个文件' }).click()]);
      await page.getByLabel('CSV 文件').setInputFiles({
        name: `${prefix}-good.csv`,
        mimeType: 'text/csv',
        buffer: Buffer.from(file(prefix, false)),
      });
      await Promise.all([
        page.waitForURL(/\/import\/[\w-]{22}$/),
        page.getByRole('button', { name: '上传并检查' }).click(),
      ]);
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe(`检查通过：${prefix}-good.csv`);
      expect(await page.locator('.lead').textContent()).toBe('3 行，2 笔借款，2 位借款人');
      const loansRow = page.locator('table.counts tbody tr', { hasText: '借款' }).last();
      expect(await loansRow.locator('td').allTextContents()).toEqual(['2', '0', '0']);
      await expectAccessible(page);
      await screenshot(page, `console-import-preview-${name}`);

      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '确认导入' }).click()]);
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe(`导入完成：${prefix}-good.csv`);
      expect(await page.locator('table.counts caption').textContent()).toBe('导入结果');
      const done = page.locator('table.counts tbody tr', { hasText: '借款' }).last();
      expect(await done.locator('td').allTextContents()).toEqual(['2', '0', '0']);
      expect(await page.locator('.reminders-count').textContent()).toMatch(/^已为 \d+ 笔借款排队发送提醒。$/);
      await expectAccessible(page);
      await screenshot(page, `console-import-done-${name}`);

      // The list of imports shows both, newest first.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '返回批量导入' }).click()]);
      const history = page.locator('#imports tbody tr');
      expect(await history.first().textContent()).toContain(`${prefix}-good.csv`);
      expect(await history.first().textContent()).toContain('已完成');
      expect(await page.locator('#imports').textContent()).toContain('未通过检查');
      await expectAccessible(page);
      await screenshot(page, `console-import-history-${name}`);

      // A large file runs in the background: its page shows the progress (here one caught halfway).
      const href = (await history.first().locator('a').getAttribute('href')) ?? '';
      const id = href.split('/').at(-1) ?? '';
      const { db } = site.database.connection;
      await db
        .updateTable('imports')
        .set({ status: 'running', rows_done: 1, progress_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      await page.goto(`${site.url}${href}?refresh=off`);
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe(`正在导入：${prefix}-good.csv`);
      expect(await page.getByLabel('已处理 1 / 3 行').getAttribute('value')).toBe('1');
      await expectAccessible(page);
      await screenshot(page, `console-import-running-${name}`);
      await db.updateTable('imports').set({ status: 'done', rows_done: 3 }).where('id', '=', id).execute();
      await context.close();
    });
  }
});
