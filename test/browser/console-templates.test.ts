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

// A lender admin's template journey: open the templates from the console, edit a stage's text
// and watch the live preview (length, encoding, SMS parts, the check's verdict), try a scam-like
// text and be refused with the sign shown, save a good version, start an experiment at 50%.
// Phone width first (the firm stage), then desktop (the final notice).

const PASSWORD = 'admin password 2026';
const STAGES = { phone: ['firm', '正式提醒'], desktop: ['final', '最后通知'] } as const;
const GOOD =
  '{signature}您好，您的借款已逾期{days}天，应还{amount}（含罚息{penalty}），原还款日{dueDate}。请通过{channel}还款，有困难可以申请延期或分期。核实：{link} 查询码{code}。客服{hotline}';
const SCAM = GOOD.replace('有困难可以申请延期或分期', '请将验证码告知客服');

describeWithBrowser('lender console: templates in a browser', (browser) => {
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
    // nothing wider than the screen: a long option or link wraps instead
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  };

  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`edit → live preview → scam refused → save → experiment at 50% (${name})`, async () => {
      const [stage, stageName] = STAGES[name];
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      await page.goto(`${site.url}/staff/sign-in`);
      await page.getByLabel('工作邮箱').fill('admin@qinghe-xf.cn');
      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${site.url}/staff`), page.getByRole('button', { name: '登录' }).click()]);

      // The console's menu leads to the templates: six rows, each with its edit link.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '机构控制台' }).click()]);
      await Promise.all([
        page.waitForURL('**/staff/lenders/demo/templates'),
        page.getByRole('navigation', { name: '控制台菜单' }).getByRole('link', { name: '短信模板' }).click(),
      ]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('短信模板');
      expect(await page.locator('table.data tbody tr').count()).toBe(6);
      await expectAccessible(page);
      await screenshot(page, `console-templates-${name}`);

      await Promise.all([
        page.waitForURL(`**/staff/lenders/demo/templates/${stage}/zh-CN`),
        page.getByRole('link', { name: `编辑${stageName}（中文）` }).click(),
      ]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`${stageName}（中文）`);
      const status = page.locator('#preview-status');
      expect(await status.textContent()).toMatch(/^\d+ 字 · UCS-2 · \d 条短信 · 未发现诈骗迹象$/);
      expect(await page.getByLabel('预览用的借款人').locator('option').count()).toBeGreaterThan(1);
      await expectAccessible(page);
      await screenshot(page, `console-template-editor-${name}`);

      // Typing updates the preview in place: the text as sent, its length and parts, the verdict.
      const editorUrl = page.url();
      const box = page.getByLabel('短信文字');
      await box.fill(GOOD);
      await expect
        .poll(() => page.locator('#preview-body blockquote.sms').textContent())
        .toMatch(/^【青禾消费金融】您好，您的借款已逾期\d+天/);
      expect(page.url()).toBe(editorUrl);
      const length = Number((await status.textContent())?.split(' ')[0]);
      const shown = (await page.locator('#preview-body blockquote.sms').textContent()) ?? '';
      expect(length).toBe([...shown].length);
      expect(await status.textContent()).toMatch(/ · UCS-2 · [3-4] 条短信 · 未发现诈骗迹象$/);
      expect(await page.locator('#preview-body').textContent()).toContain('可以保存。');

      // A scam-like text: the live preview marks the sign, and saving is refused with it named.
      await box.fill(SCAM);
      await expect.poll(() => status.textContent()).toMatch(/发现 1 处诈骗迹象$/);
      expect(await page.locator('#preview-body mark').first().textContent()).toContain('验证码');
      await expectAccessible(page);
      await screenshot(page, `console-template-live-scam-${name}`);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '保存为新版本' }).click()]);
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      const summary = page.locator('.error-summary');
      expect(await summary.textContent()).toContain('诈骗迹象“验证码”');
      expect(await summary.textContent()).toContain('任何人向您要验证码都是诈骗');
      expect(await box.inputValue()).toBe(SCAM);
      // the summary's link takes the reader to the text box
      await summary.getByRole('link').first().click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('body');
      await expectAccessible(page);
      await screenshot(page, `console-template-refused-${name}`);

      // A good text is saved as version 1.
      await box.fill(GOOD);
      await Promise.all([
        page.waitForURL('**?done=saved&v=1'),
        page.getByRole('button', { name: '保存为新版本' }).click(),
      ]);
      expect(await page.locator('.notice-ok').first().textContent()).toContain('已保存第 1 版');
      const version = page.locator('.versions li', { hasText: '第 1 版' });
      expect(await version.textContent()).toContain('admin@qinghe-xf.cn');
      // Its difference from the text in use (the built-in one).
      await version.locator('summary').click();
      expect((await version.locator('ins').allTextContents()).join('')).toContain('好，');
      await expectAccessible(page);
      await screenshot(page, `console-template-saved-${name}`);

      // An experiment: version 1 to half of the loans.
      await page.getByLabel('实验版本（B）').selectOption({ label: '第 1 版' });
      await page.getByLabel('收到 B 的借款比例（%）').fill('50');
      await Promise.all([page.waitForURL('**?done=started'), page.getByRole('button', { name: '开始实验' }).click()]);
      expect(await page.locator('#experiment').textContent()).toContain('实验进行中：第 1 版（B）发给 50% 的借款');
      expect(await page.locator('.notice-ok').first().textContent()).toContain('对比实验已开始');
      await expectAccessible(page);
      await screenshot(page, `console-template-experiment-${name}`);

      const row = await site.database.connection.db
        .selectFrom('template_stages')
        .select(['variant_share', 'active_version_id', 'variant_version_id'])
        .where('stage', '=', stage)
        .where('locale', '=', 'zh-CN')
        .executeTakeFirstOrThrow();
      expect(Number(row.variant_share)).toBe(50);
      expect(row.active_version_id).toBeNull();
      expect(row.variant_version_id).not.toBeNull();
      await context.close();
    });
  }

  it('the live preview runs under the site’s own CSP (no inline script)', async () => {
    // The journeys above bypass the CSP so axe can be injected; this one keeps it.
    const { context, page } = await newPage(browser(), DESKTOP, { locale: 'zh-CN' });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${site.url}/staff/sign-in`);
    await page.getByLabel('工作邮箱').fill('admin@qinghe-xf.cn');
    await page.getByLabel('密码').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${site.url}/staff`), page.getByRole('button', { name: '登录' }).click()]);
    await page.goto(`${site.url}/staff/lenders/demo/templates/gentle/en`);
    const before = await page.locator('#preview-status').textContent();
    await page.getByLabel('短信文字').fill(`${GOOD.replace('{signature}', '{signature}Hello. ')}`);
    await expect.poll(() => page.locator('#preview-status').textContent()).not.toBe(before);
    expect(await page.locator('#preview-body blockquote.sms').textContent()).toContain('Hello. ');
    expect(violations).toEqual([]);
    await context.close();
  });
});
