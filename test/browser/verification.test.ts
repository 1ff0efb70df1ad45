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
import { pageProblems } from '../support/punctuation.ts';

// The checking journeys a borrower makes: the link from the SMS, the form with a mistake, a
// pasted scam with its signs marked in place, and a pasted genuine reminder. Phone width first.

describeWithBrowser('checking a message in a browser', (browser) => {
  let site: DemoSite;
  let genuine = '';

  beforeAll(async () => {
    site = await startDemoSite();
    genuine = site.texts.get('+8613800138005') ?? '';
  });
  afterAll(async () => {
    await site?.stop();
  });

  /** Submits the form holding `field` and waits for the answer page to load. */
  const submit = async (page: Parameters<typeof runAxe>[0], field: string) => {
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/verify')),
      page
        .locator('form', { has: page.locator(field) })
        .getByRole('button')
        .click(),
    ]);
    await page.waitForLoadState('load');
  };

  const expectAccessible = async (page: Parameters<typeof runAxe>[0]) => {
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  };

  for (const [name, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`link from the SMS → genuine page (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'zh-CN' });
      const path = /https:\/\/qhxf\.cn(\/r\/[A-Za-z0-9_-]+)/.exec(genuine)?.[1] ?? '';
      const response = await page.goto(`${site.url}${path}`);
      expect(response?.status()).toBe(200);
      await expect(page.locator('h1').textContent()).resolves.toContain('是的，这条短信是青禾消费金融（演示）发出的');
      await expect(page.getByText('138****8005').count()).resolves.toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      await screenshot(page, `${name}-zh-CN-short-link-genuine`);
      await expectAccessible(page);
      if (size === PHONE) expect(await pageProblems(page, 'zh-CN')).toEqual([]);
      await page.goto(`${site.url}/r/${'Z'.repeat(24)}`);
      await expect(page.locator('h1').textContent()).resolves.toContain('我们没有找到这个链接');
      await screenshot(page, `${name}-zh-CN-short-link-unknown`);
      await expectAccessible(page);
      await context.close();
    });

    for (const javaScript of [false, true]) {
      it(`form with a mistake → error summary → pasted scam with marked signs (${name}, JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
        const { context, page } = await newPage(browser(), size, {
          ...AXE_CONTEXT,
          locale: 'zh-CN',
          javaScriptEnabled: javaScript,
        });
        // axe needs JavaScript: the journey runs once without it (it must work so) and once with it, checked.
        const check = async (shot: string) => {
          if (!javaScript) return;
          await screenshot(page, shot);
          await expectAccessible(page);
        };
        await page.goto(`${site.url}/`);
        await page.getByRole('link', { name: '现在核实一条短信' }).click();
        await page.locator('#code').fill('K7QX-92M8');
        await page.locator('#phoneLast4').fill('12');
        await submit(page, '#code');
        expect(await page.title()).toMatch(/^错误：/);
        await expect(page.locator('.error-summary a').first().getAttribute('href')).resolves.toBe('#phoneLast4');
        await expect(page.locator('#phoneLast4').inputValue()).resolves.toBe('12');
        await check(`${name}-zh-CN-verify-error`);

        const scam =
          '【青禾消费金融】您的借款已严重逾期，即将上报征信并起诉。请立即联系专员微信 qh5533 办理，或将欠款转入安全账户 6222 0202 0000 1234 567，登录 qinghe-xf.top 核对并提供短信验证码。';
        await page.locator('#text').fill(scam);
        await submit(page, '#text');
        await expect(page.locator('h1').textContent()).resolves.toBe('高风险：很可能是诈骗');
        await expect(page.locator('.verdict').textContent()).resolves.toContain('我们没有发出过这条短信');
        expect(await page.locator('.sms mark').count()).toBeGreaterThanOrEqual(4);
        expect(await page.locator('ol.signs li').count()).toBeGreaterThanOrEqual(5);
        await expect(page.getByText('400-186-5533').count()).resolves.toBeGreaterThan(0);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
        await check(`${name}-zh-CN-verify-scam`);
        // The explanations of the signs, not the pasted scam (which keeps its own marks).
        if (javaScript && size === PHONE) expect(await pageProblems(page, 'zh-CN')).toEqual([]);
        await context.close();
      });
    }

    it(`pasted copy with a changed amount → what was changed, marked in both texts (${name})`, async () => {
      // At phone width in Chinese with JavaScript on (axe needs it); on the desktop in English
      // without, as the page must work so.
      const phone = name === 'phone';
      const { context, page } = await newPage(browser(), size, {
        ...AXE_CONTEXT,
        locale: phone ? 'zh-CN' : 'en-US',
        javaScriptEnabled: phone,
      });
      const amount = /¥[\d,]+\.\d\d/.exec(genuine)?.[0] ?? '';
      await page.goto(`${site.url}/verify`);
      await page.locator('#text').fill(genuine.replace(amount, '¥9,999.00'));
      await submit(page, '#text');
      const [sentence, sentMark, receivedMark] = phone
        ? [`金额被改过：我们发送的是 ${amount}，您收到的是 ¥9,999.00。`, `原文：${amount}金额`, '改动后：¥9,999.00金额']
        : [
            `Amount changed: we sent ${amount}; you received ¥9,999.00.`,
            `as sent: ${amount}Amount`,
            'changed to: ¥9,999.00Amount',
          ];
      await expect(page.locator('.forged-changes li').first().textContent()).resolves.toBe(sentence);
      const sent = page.locator('[data-text="sent"] mark[data-field="amount"]');
      const received = page.locator('[data-text="received"] mark[data-field="amount"]');
      await expect(sent.textContent()).resolves.toBe(sentMark);
      await expect(received.textContent()).resolves.toBe(receivedMark);
      const [sentBox, receivedBox] = await Promise.all([
        page.locator('[data-text="sent"]').boundingBox(),
        page.locator('[data-text="received"]').boundingBox(),
      ]);
      // Stacked on a phone, side by side on a wide screen.
      if (phone) expect(receivedBox?.y).toBeGreaterThan((sentBox?.y ?? 0) + (sentBox?.height ?? 0));
      else expect(receivedBox?.x).toBeGreaterThan((sentBox?.x ?? 0) + (sentBox?.width ?? 0));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      await screenshot(page, `${name}-${phone ? 'zh-CN' : 'en'}-verify-forged`);
      if (phone) await expectAccessible(page);
      await context.close();
    });

    it(`pasted genuine reminder → genuine, in English (${name})`, async () => {
      const { context, page } = await newPage(browser(), size, { ...AXE_CONTEXT, locale: 'en-US' });
      await page.goto(`${site.url}/verify`);
      await page.locator('#text').fill(genuine.replace('【青禾消费金融】', '').concat('【青禾消费金融】'));
      await submit(page, '#text');
      await expect(page.locator('h1').textContent()).resolves.toContain('Genuine');
      await screenshot(page, `${name}-en-verify-genuine`);
      await expectAccessible(page);
      if (size === PHONE) {
        expect(await pageProblems(page, 'en')).toEqual([]);
        // A scam's signs explained in English: quotation marks, apostrophes, lists.
        await page.goto(`${site.url}/verify`);
        await page
          .locator('#text')
          .fill(
            'Qinghe Finance: your loan is overdue. Move the money to a safe account 6222 0202 0000 1234 567 today, log in at qinghe-xf.top and tell us the verification code, or call 13912345678.',
          );
        await submit(page, '#text');
        expect(await page.locator('ol.signs li').count()).toBeGreaterThanOrEqual(3);
        expect(await pageProblems(page, 'en')).toEqual([]);
        await screenshot(page, `${name}-en-verify-scam`);
      }
      await context.close();
    });
  }
});
