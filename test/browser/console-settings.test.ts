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
import { type DemoSite, startDemoSite } from '../support/demo-site.ts';

// A lender admin's settings journey: sign in, open the console's settings, change a hotline (seen as
// a diff, confirmed), try a widget origin with a trailing slash (refused beside the field), fix it
// and confirm, see the new hotline on the public lender page; then create an API key (shown once),
// use it, revoke it and see the API refuse it. An operator creates a lender. Phone width first.

const PASSWORD = 'admin password 2026';

describeWithBrowser('lender console settings and API keys in a browser', (browser) => {
  let site: DemoSite;

  beforeAll(async () => {
    site = await startDemoSite({
      staff: [
        ['admin@qinghe-xf.cn', PASSWORD, 'lender_admin', 'demo'],
        ['ops@zhenxin.cn', PASSWORD, 'operator'],
      ],
    });
  });
  afterAll(async () => {
    await site?.stop();
  });

  const expectAccessible = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  const click = (page: Page, target: ReturnType<Page['getByRole']>) =>
    Promise.all([page.waitForLoadState('load'), target.click()]);
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  const callApi = (key: string) =>
    fetch(`${site.url}/api/v1/loans/L005/balance`, { headers: { authorization: `Bearer ${key}` } });

  /** A signed-in page (a context of its own) at the viewport. */
  const signIn = async (size: { width: number; height: number }, email: string) => {
    const opened = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
    const { page } = opened;
    await page.goto(`${site.url}/staff/sign-in`);
    await page.getByLabel('工作邮箱').fill(email);
    await page.getByLabel('密码').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${site.url}/staff`), page.getByRole('button', { name: '登录' }).click()]);
    return opened;
  };

  for (const [name, size, hours, origin] of [
    ['phone', PHONE, '每天 08:00–22:00', 'https://help.qinghe-xf.cn'],
    ['desktop', DESKTOP, '工作日 09:00–18:00', 'https://m.qinghe-xf.cn'],
  ] as const) {
    it(`settings: a hotline and the widget origins changed through a diff, public at once (${name})`, async () => {
      const { context, page } = await signIn(size, 'admin@qinghe-xf.cn');
      // The console's menu takes the admin to its own lender, then to the settings.
      await click(page, page.getByRole('link', { name: '机构控制台' }));
      expect(new URL(page.url()).pathname).toBe('/staff/lenders/demo');
      await click(page, page.getByRole('navigation', { name: '控制台菜单' }).getByRole('link', { name: '机构设置' }));
      await expect.poll(() => heading(page)).toBe('机构设置');
      expect(await page.getByLabel('客服电话 1', { exact: true }).inputValue()).toBe('400-186-5533');
      await expectAccessible(page);
      await screenshot(page, `console-settings-${name}`);

      // The hotline: new hours (and, on the phone, a second number), previewed as a diff.
      await page.getByLabel('客服电话 1 的服务时间').fill(hours);
      if (name === 'phone') await page.getByLabel('客服电话 2', { exact: true }).fill('021-6188 3721');
      await click(page, page.locator('#profile').getByRole('button', { name: '预览更改' }));
      await expect.poll(() => heading(page)).toBe('确认更改：公开资料');
      const diff = page.locator('.diff-row[data-field="hotlines"]');
      expect(await diff.locator('.diff-after').textContent()).toContain(hours);
      expect(await diff.locator('.diff-before').textContent()).toContain('400-186-5533');
      expect(await page.locator('.diff-row').count()).toBe(1);
      await expectAccessible(page);
      await screenshot(page, `console-settings-diff-${name}`);
      await click(page, page.getByRole('button', { name: '确认保存' }));
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('已保存“公开资料”的更改');
      expect(await page.getByLabel('客服电话 1 的服务时间').inputValue()).toBe(hours);

      // A widget origin with a trailing slash is refused beside the field, the text kept.
      const current = await page.getByLabel('允许嵌入的网页来源').inputValue();
      await page.getByLabel('允许嵌入的网页来源').fill(`${current}\n${origin}/`);
      await click(page, page.locator('#widget').getByRole('button', { name: '预览更改' }));
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      expect(await page.locator('.error-summary').textContent()).toContain('no trailing slash');
      expect(await page.locator('#widgetOrigins-error').textContent()).toContain('允许嵌入的网页来源第');
      expect(await page.getByLabel('允许嵌入的网页来源').inputValue()).toContain(`${origin}/`);
      await expectAccessible(page);
      await screenshot(page, `console-settings-error-${name}`);
      // The summary's link takes the reader to the field.
      await page.locator('.error-summary a').first().click();
      expect(await page.evaluate(() => location.hash)).toBe('#widgetOrigins');

      await page.getByLabel('允许嵌入的网页来源').fill(`${current}\n${origin}`);
      await click(page, page.locator('#widget').getByRole('button', { name: '预览更改' }));
      await expect.poll(() => heading(page)).toBe('确认更改：嵌入网站');
      expect(await page.locator('.diff-row[data-field="widgetOrigins"] .diff-after').textContent()).toContain(origin);
      await click(page, page.getByRole('button', { name: '确认保存' }));
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('已保存“嵌入网站”的更改');
      const recent = page.locator('#recent tbody tr').first();
      expect(await recent.textContent()).toContain('admin@qinghe-xf.cn');
      expect(await recent.textContent()).toContain('允许嵌入的网页来源');
      await screenshot(page, `console-settings-saved-${name}`);

      // The public page shows the new hotline at once.
      await page.goto(`${site.url}/lenders/demo`);
      expect(await page.locator('main').textContent()).toContain(hours);
      if (name === 'phone') expect(await page.locator('main').textContent()).toContain('021-6188 3721');
      await context.close();
    });

    it(`API keys: one created and shown once, then revoked and refused by the API (${name})`, async () => {
      const { context, page } = await signIn(size, 'admin@qinghe-xf.cn');
      await page.goto(`${site.url}/staff/lenders/demo/keys`);
      await expect.poll(() => heading(page)).toBe('API 密钥');
      await page.getByLabel('用途').fill(`对接测试（${name}）`);
      await click(page, page.getByRole('button', { name: '创建密钥' }));
      const key = await page.getByLabel(`密钥（对接测试（${name}））`).inputValue();
      expect(key).toMatch(/^zxk_[\w-]{8}_[\w-]{43}$/);
      expect(await page.locator('.new-key').textContent()).toContain('将无法再次查看');
      await expectAccessible(page);
      await screenshot(page, `console-keys-created-${name}`);
      expect((await callApi(key)).status).toBe(200);

      // Never shown again: the list names it by prefix and label.
      await page.goto(`${site.url}/staff/lenders/demo/keys`);
      expect(await page.content()).not.toContain(key);
      const row = page.locator(`tr[data-key="${key.slice(4, 12)}"]`);
      expect(await row.textContent()).toContain(`对接测试（${name}）`);
      await click(page, row.getByRole('link', { name: /撤销/ }));
      await expect.poll(() => page.locator('#revoke-title').textContent()).toContain(key.slice(0, 12));
      await expectAccessible(page);
      await screenshot(page, `console-keys-revoke-${name}`);
      await click(page, page.getByRole('button', { name: '撤销这个密钥' }));
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('已撤销密钥');
      expect(await page.locator(`tr[data-key="${key.slice(4, 12)}"]`).textContent()).toContain('撤销');
      expect((await callApi(key)).status).toBe(401);
      await expectAccessible(page);
      await screenshot(page, `console-keys-revoked-${name}`);
      await context.close();
    });
  }

  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`an operator creates a lender: a mobile hotline refused, then created (${name})`, async () => {
      const { context, page } = await signIn(size, 'ops@zhenxin.cn');
      await page.goto(`${site.url}/staff/lenders`);
      const slug = `hexin-${name}`;
      await page.getByLabel('机构代码').fill(slug);
      await page.getByLabel('机构名称（中文）').fill('和信消费金融');
      await page.getByLabel('机构名称（英文）').fill('Hexin Consumer Finance');
      await page.getByLabel('短信签名').fill('和信消费金融');
      await page.getByLabel('官方域名').fill(`${slug}.cn`);
      await page.getByLabel('短链接域名').fill(`hx-${name}.cn`);
      await page.getByLabel('客服电话 1', { exact: true }).fill('138 0013 8000');
      await page.getByLabel('名称（中文）', { exact: true }).fill('和信 App');
      await page.getByLabel('名称（英文）', { exact: true }).fill('Hexin app');
      await page.getByLabel('说明（中文）').fill('在应用商店搜索“和信消费金融”');
      await click(page, page.getByRole('button', { name: '创建机构' }));
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      expect(await page.locator('#hotlines-0-number-error').textContent()).toContain('is a mobile number');
      expect(await page.getByLabel('机构代码').inputValue()).toBe(slug);
      await expectAccessible(page);
      await screenshot(page, `console-create-lender-error-${name}`);

      await page.getByLabel('客服电话 1', { exact: true }).fill('400-800-1234');
      await click(page, page.getByRole('button', { name: '创建机构' }));
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('已创建机构“和信消费金融”');
      await click(page, page.getByRole('link', { name: '打开它的设置' }));
      await expect.poll(() => heading(page)).toBe('机构设置');
      expect(await page.getByLabel('客服电话 1', { exact: true }).inputValue()).toBe('400-800-1234');
      await expectAccessible(page);
      await context.close();
    });
  }
});
