import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { referenceCode } from '../../src/core/tokens.ts';
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

// The answers that fit what went wrong, and signs that read well: a scam with a long foreign
// link marked at a phone's width, a code with one wrong character, a code that does not fit the
// phone tail, and a text that matches nothing and shows no sign.

const LINK = 'https://repay-center.top/account/overdue/settlement?id=88120417&channel=sms&from=reminder';
const SCAM = `【青禾消费金融】您的借款已逾期，请立即登录 ${LINK} 还款并提供短信验证码，马上处理。`;

describeWithBrowser('answers that fit the mistake, in a browser', (browser) => {
  let site: DemoSite;
  let code = '';

  beforeAll(async () => {
    site = await startDemoSite();
    code = /查询码([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(site.texts.get('+8613800138005') ?? '')?.[1] ?? '';
  });
  afterAll(async () => {
    await site?.stop();
  });

  const submit = async (page: Page, field: string) => {
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/verify')),
      page
        .locator('form', { has: page.locator(field) })
        .getByRole('button')
        .click(),
    ]);
    await page.waitForLoadState('load');
  };
  const expectAccessible = async (page: Page) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };
  const checkCode = async (page: Page, typed: string, last4: string) => {
    await page.goto(`${site.url}/verify`);
    await page.locator('#code').fill(typed);
    await page.locator('#phoneLast4').fill(last4);
    await submit(page, '#code');
  };

  for (const [name, size, locale] of [
    ['phone', PHONE, 'zh-CN'],
    ['desktop', DESKTOP, 'en-US'],
  ] as const) {
    it(`marks a long foreign link whole, its numbers beside it, each sign explained once (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale });
      await page.goto(`${site.url}/verify`);
      await page.locator('#text').fill(SCAM);
      await submit(page, '#text');
      await expect(page.locator('h1').textContent()).resolves.toBe(
        locale === 'en-US' ? 'High risk: very likely a scam' : '高风险：很可能是诈骗',
      );
      await expect(page.locator('.verdict').getAttribute('class')).resolves.toContain('verdict-warning');

      const layout = await page.evaluate((link) => {
        const mark = [...document.querySelectorAll('.sms mark')].find((m) => m.textContent?.includes('repay-center'));
        const refs = mark?.nextElementSibling;
        const last = [...(mark?.getClientRects() ?? [])].at(-1);
        const box = refs?.getBoundingClientRect();
        return {
          evidence: mark?.textContent,
          exact: mark?.textContent === link,
          numbersInside: mark?.querySelectorAll('.sign-ref').length,
          numbersAfter: refs?.classList.contains('sign-refs') ? refs.querySelectorAll('a.sign-ref').length : 0,
          // beside the last line of the link with a gap, or at the start of the next line
          apart: last && box ? box.left >= last.right + 2 || box.top >= last.bottom - 2 : false,
          spoken: refs?.textContent?.replace(/\s+/g, ' ').trim(),
          overflow: document.documentElement.scrollWidth,
        };
      }, LINK);
      expect(layout).toMatchObject({ evidence: LINK, exact: true, numbersInside: 0, apart: true });
      expect(layout.numbersAfter).toBeGreaterThanOrEqual(2);
      expect(layout.spoken).toMatch(locale === 'en-US' ? /\(sign \d\)/ : /（可疑之处 \d）/);
      expect(layout.overflow).toBeLessThanOrEqual(size.width);

      // "立即 … 马上": one sign, explained once, marked in both places with the same number
      const hurry = await page.evaluate(() => {
        const marks = [...document.querySelectorAll('.sms mark')];
        const at = (word: string) =>
          marks
            .find((m) => m.textContent === word)
            ?.nextElementSibling?.querySelector('a')
            ?.getAttribute('href');
        const href = at('立即');
        return { same: href === at('马上'), href, items: document.querySelectorAll(`${href}`).length };
      });
      expect(hurry).toMatchObject({ same: true, items: 1 });
      expect(await page.locator('ol.signs li').count()).toBe(await page.locator('ol.signs li .severity').count());
      const severities = await page.locator('ol.signs li .severity').allTextContents();
      for (const s of severities) expect(s).toMatch(/^(高风险|中风险|低风险|High risk|Medium risk|Low risk)$/);
      await screenshot(page, `${name}-${locale}-verify-signs-long-link`);
      // the same markup at both widths: one audit is enough
      if (name === 'phone') await expectAccessible(page);
      await context.close();
    });
  }

  it('names one wrong character of a code at its field; a wrong tail gets the same answer as a code never sent (phone)', async () => {
    const { context, page } = await newPage(browser(), PHONE, { ...AXE_CONTEXT, locale: 'zh-CN' });
    const typo = `${code.slice(0, 2)}${code[2] === 'A' ? 'B' : 'A'}${code.slice(3)}`;
    await checkCode(page, typo, '8005');
    await expect(page.locator('.error-summary a').first().getAttribute('href')).resolves.toBe('#code');
    await expect(page.locator('#code-error').textContent()).resolves.toContain('查询码可能输错了，请逐个核对字符');
    await expect(page.locator('#code').inputValue()).resolves.toBe(typo);
    await expect(page.locator('#phoneLast4').inputValue()).resolves.toBe('8005');
    await screenshot(page, 'phone-zh-CN-verify-code-mistyped');

    // a real code with the wrong tail is answered as a code never sent, calmly
    const unsent = referenceCode(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]));
    const answerTo = async (typed: string) => {
      await checkCode(page, typed, '0000');
      return (await page.locator('main').textContent())?.replaceAll(typed, '<code>');
    };
    const wrongTail = await answerTo(code);
    await expect(page.locator('h1').textContent()).resolves.toBe('查询码与手机尾号不匹配');
    await expect(page.locator('.verdict').getAttribute('class')).resolves.not.toContain('verdict-warning');
    await screenshot(page, 'phone-zh-CN-verify-code-mismatch');
    await expectAccessible(page);
    // "check again" goes back to the code form with both values filled in
    await page.getByRole('link', { name: '修改查询码或手机尾号，再核实一次' }).click();
    await expect(page.locator('#code').inputValue()).resolves.toBe(code);
    await expect(page.locator('#phoneLast4').inputValue()).resolves.toBe('0000');
    expect(await answerTo(unsent)).toBe(wrongTail);
    await context.close();
  });

  it('answers a text that matches nothing and shows no sign calmly, with how to check (phone, desktop)', async () => {
    const { context, page } = await newPage(browser(), PHONE, { ...AXE_CONTEXT, locale: 'zh-CN' });
    await page.goto(`${site.url}/verify`);
    await page.locator('#text').fill('【青禾消费金融】您的借款本月应还1,200.00元，还款日12月1日。请通过官方App还款。');
    await submit(page, '#text');
    await expect(page.locator('h1').textContent()).resolves.toBe('没有找到这条短信，也没有发现诈骗迹象');
    await expect(page.locator('.verdict').getAttribute('class')).resolves.not.toMatch(/verdict-(warning|caution)/);
    expect(await page.locator('ol.signs').count()).toBe(0);
    await expect(page.locator('.how-to-check').textContent()).resolves.toContain('400-186-5533');
    await screenshot(page, 'phone-zh-CN-verify-no-sign');
    await expectAccessible(page);
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'desktop-zh-CN-verify-no-sign');
    await context.close();
  });

  // Last: it spends this client's check budget for the rest of the minute.
  it('answers a throttled check in words, with the lender’s hotline or the list of lenders (phone, desktop)', async () => {
    const { context, page } = await newPage(browser(), PHONE, { ...AXE_CONTEXT, locale: 'zh-CN' });
    for (let i = 0; i < 40; i++) {
      const response = await page.request.post(`${site.url}/api/v1/verify`, { data: { text: '您好' } });
      if (response.status() === 429) break;
    }
    await page.goto(`${site.url}/embed/verify?lender=demo`);
    await page.locator('#text').fill('您好，您的借款已逾期');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 429),
      page
        .locator('form', { has: page.locator('#text') })
        .getByRole('button')
        .click(),
    ]);
    await page.waitForLoadState('load');
    await expect(page.locator('h1').textContent()).resolves.toBe('请稍后再试');
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/请在 (\d+ 秒|1 分钟)后再试。/);
    await expect(page.getByText('400-186-5533').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'phone-zh-CN-embed-verify-limited');
    await expectAccessible(page);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${site.url}/verify`);
    await page.locator('#link').fill('https://example.com/pay');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 429),
      page
        .locator('form', { has: page.locator('#link') })
        .getByRole('button')
        .click(),
    ]);
    await page.waitForLoadState('load');
    await expect(page.getByRole('link', { name: '青禾消费金融（演示）' }).getAttribute('href')).resolves.toBe(
      '/lenders/demo',
    );
    await screenshot(page, 'desktop-zh-CN-verify-limited');
    await context.close();
  });
});
