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

// A support agent's journey: sign in, check a forwarded scam, record it with tags, see it on
// the takedown list (and, on the desktop, withdraw it), check a genuine reminder (recipient
// masked) and a forged copy of it (what was changed, marked), sign out. Phone width first.

const PASSWORD = 'agent password 2026';
const SCAM =
  '【青禾消费金融】您的校园贷账户未注销将影响征信，请立即访问 qinghe-xf.top/cancel 处理，或加微信客服，并将收到的验证码告知专员。';

describeWithBrowser('support staff workbench in a browser', (browser) => {
  let site: DemoSite;
  let genuine = '';

  beforeAll(async () => {
    site = await startDemoSite({ staff: [['agent@qinghe-xf.cn', PASSWORD]] });
    genuine = site.texts.get('+8613800138005') ?? '';
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
    it(`sign in → check a scam → report it → takedown list → genuine → forged copy → sign out (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      // The gate sends a visitor to sign in.
      await page.goto(`${site.url}/staff`);
      expect(new URL(page.url()).pathname).toBe('/staff/sign-in');

      // A wrong password: the error summary, the e-mail kept.
      await page.getByLabel('工作邮箱').fill('agent@qinghe-xf.cn');
      await page.getByLabel('密码').fill('wrong password');
      await Promise.all([page.waitForURL('**/staff/sign-in'), page.getByRole('button', { name: '登录' }).click()]);
      await expect.poll(() => page.title()).toMatch(/^错误：/);
      expect(await page.getByLabel('工作邮箱').inputValue()).toBe('agent@qinghe-xf.cn');
      await expectAccessible(page);
      await screenshot(page, `staff-sign-in-error-${name}`);

      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${site.url}/staff`), page.getByRole('button', { name: '登录' }).click()]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('核实一条可疑短信');
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === '__Host-zx-staff')).toMatchObject({
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      });
      await expectAccessible(page);
      await screenshot(page, `staff-workbench-${name}`);

      // A forwarded scam: the verdict, the signs in place, the takedown items.
      await page.getByLabel('短信全文').fill(SCAM);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: '核实', exact: true }).click(),
      ]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('我们没有发出过这条短信');
      expect(await page.locator('mark').count()).toBeGreaterThanOrEqual(4);
      expect(await page.locator('#takedown + ul').textContent()).toContain('qinghe-xf.top');
      await expectAccessible(page);
      await screenshot(page, `staff-scam-${name}`);

      // Recording without a tag is refused beside the field; with tags it is recorded.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '记录举报' }).click()]);
      await expect.poll(() => page.locator('.error-summary').textContent()).toContain('请至少选择一个标签');
      await expectAccessible(page);
      // The domain's own tags come ticked from the checker's signs; the report's are chosen.
      const domainTags = page.getByRole('group', { name: /这个网址的标签/ });
      expect(await domainTags.getByLabel('仿冒网址').isChecked()).toBe(true);
      expect(await domainTags.getByLabel('假客服电话').count()).toBe(0);
      const reportTags = page.getByRole('group', { name: '标签（至少选一个）' });
      await reportTags.getByLabel('仿冒网址').check();
      await reportTags.getByLabel('索要验证码').check();
      await page.getByLabel('备注（可选）').fill('客户来电转述');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '记录举报' }).click()]);
      await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('已记录举报');

      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '举报与下架清单' }).click()]);
      const row = page.locator('table.data tbody tr', { hasText: 'qinghe-xf.top' });
      expect(await row.locator('td.num').textContent()).toBe(name === 'phone' ? '1' : '2');
      expect(await row.textContent()).toContain('仿冒网址');
      await expectAccessible(page);
      await screenshot(page, `staff-reports-${name}`);

      if (name === 'desktop') {
        // Withdrawing a mistaken confirmation: the row's link chooses it, a reason is required.
        await Promise.all([page.waitForLoadState('load'), row.getByRole('link', { name: /撤销确认/ }).click()]);
        expect(await page.getByLabel('要撤销的域名或号码').inputValue()).toBe('domain:qinghe-xf.top');
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '撤销确认' }).click()]);
        await expect.poll(() => page.locator('.error-summary').textContent()).toContain('请写明撤销原因');
        expect(await page.getByLabel('要撤销的域名或号码').inputValue()).toBe('domain:qinghe-xf.top');
        await expectAccessible(page);
        await screenshot(page, 'staff-withdraw-error-desktop');
        await page.getByLabel('撤销原因').fill('演示：误报');
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '撤销确认' }).click()]);
        await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('已撤销');
        expect(await page.locator('table.data tbody tr', { hasText: 'qinghe-xf.top' }).count()).toBe(0);
        await expectAccessible(page);
      }

      // A genuine reminder: who it went to, masked.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '核实短信' }).click()]);
      await page.getByLabel('短信全文').fill(genuine);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: '核实', exact: true }).click(),
      ]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^是真的/);
      const facts = await page.locator('#recipient + dl').textContent();
      expect(facts).toContain('138****8005');
      expect(facts).not.toContain('13800138005');
      await expectAccessible(page);
      await screenshot(page, `staff-genuine-${name}`);

      // A forwarded copy of a real reminder with the hotline changed: what was changed, marked in both texts.
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: '核实短信' }).click()]);
      await page.getByLabel('短信全文').fill(genuine.replace('400-186-5533', '400-186-5543'));
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: '核实', exact: true }).click(),
      ]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('我们没有发出过这条短信');
      expect(await page.locator('.forged-changes li').textContent()).toBe(
        '电话号码被改过：我们发送的是 400-186-5533，您收到的是 400-186-5543。',
      );
      expect(await page.locator('.forged mark[data-field="phone"]').count()).toBe(2);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      await expectAccessible(page);
      await screenshot(page, `staff-forged-${name}`);

      await Promise.all([
        page.waitForURL('**/staff/sign-in?signed-out'),
        page.getByRole('button', { name: '退出登录' }).click(),
      ]);
      await page.goto(`${site.url}/staff/reports`);
      expect(new URL(page.url()).pathname).toBe('/staff/sign-in');
      await context.close();
    });
  }
});
