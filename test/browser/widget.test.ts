import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { referenceCode } from '../../src/core/tokens.ts';
import {
  AXE_CONTEXT,
  DESKTOP,
  describeViolations,
  describeWithBrowser,
  newPage,
  runAxe,
  screenshot,
} from '../support/browser.ts';
import { type DemoSite, startDemoSite } from '../support/demo-site.ts';
import { freePort } from '../support/server.ts';

// A lender's own site embedding the widget (CONTRACT.md "Widget"): a second origin with a strict
// CSP (no 'unsafe-inline') and a hostile global stylesheet, another custom element already on the
// page, a 320 px WebView and a desktop column. Registered origins get the check; another origin
// gets a plain refusal with the hotline; the iframe alternative is framed only by registered ones.

const NARROW = { width: 320, height: 640 } as const;
const SCAM =
  '【青禾消费金融】您的账户涉嫌违规，请立即将欠款转入安全账户6222020200001234567，并提供短信验证码。详询 qinghe-xf.top';

/** A lender's site: its pages, a stylesheet that tries to break everything, and its own scripts. */
function lenderSite(zhenxin: string): Server {
  const csp = [
    "default-src 'none'",
    `script-src 'self' ${zhenxin}`,
    `connect-src ${zhenxin}`,
    "style-src 'self'",
    `frame-src ${zhenxin}`,
    "img-src 'self'",
  ].join('; ');
  const page = (body: string, hostile = true) =>
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>青禾消费金融 帮助中心</title>${hostile ? '<link rel="stylesheet" href="/hostile.css">' : ''}<script src="/host.js"></script></head><body><main><h1>帮助中心</h1><main-banner>其他组件</main-banner>${body}</main></body></html>`;
  const files: Record<string, [string, string]> = {
    '/': [
      'text/html; charset=utf-8',
      page(
        `<script type="module" src="${zhenxin}/widget/v1.js"></script><zhenxin-verify lender="demo"></zhenxin-verify><p>页面其余部分</p>`,
      ),
    ],
    '/en': [
      'text/html; charset=utf-8',
      page(
        `<script type="module" src="${zhenxin}/widget/v1.js"></script><zhenxin-verify lender="demo" lang="en"></zhenxin-verify>`,
      ),
    ],
    '/frame': [
      'text/html; charset=utf-8',
      // (without the hostile stylesheet: its reset would undo the height the host sets)
      page(
        `<iframe id="zx" title="核实短信" src="${zhenxin}/embed/verify?lender=demo" width="100%" height="150"></iframe>`,
        false,
      ),
    ],
    '/hostile.css': [
      'text/css',
      '* { all: unset !important; } html { font-size: 8px !important; } body { font-family: serif !important; color: #f0f !important; } textarea, input, button, form { display: none !important; } main-banner { display: block; }',
    ],
    '/host.js': [
      'text/javascript',
      `window.verdicts = []; window.violations = []; window.heights = [];
       document.addEventListener('zhenxin-verdict', (e) => window.verdicts.push(e.detail));
       document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
       window.addEventListener('message', (e) => {
         if (e.origin !== ${JSON.stringify(zhenxin)} || !e.data || e.data.type !== 'zhenxin:height') return;
         window.heights.push(e.data.height);
         document.getElementById('zx').height = String(e.data.height);
       });
       customElements.define('main-banner', class extends HTMLElement {});`,
    ],
  };
  return createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0] ?? '/'];
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': file[0], 'content-security-policy': csp });
    res.end(file[1]);
  });
}

async function listen(server: Server): Promise<string> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

describeWithBrowser('the verification widget on a lender’s site', (browser) => {
  let site: DemoSite;
  let registered: Server;
  let stranger: Server;
  let registeredUrl = '';
  let strangerUrl = '';
  let genuine = '';

  beforeAll(async () => {
    site = await startDemoSite();
    genuine = site.texts.get('+8613800138005') ?? '';
    registered = lenderSite(site.url);
    stranger = lenderSite(site.url);
    registeredUrl = await listen(registered);
    strangerUrl = await listen(stranger);
    await site.database.connection.db
      .updateTable('lenders')
      .set({ widget_origins: JSON.stringify(['https://qinghe-xf.cn', registeredUrl]) })
      .where('slug', '=', 'demo')
      .execute();
    // the server sees the change once its lender cache turns over
    await vi.waitFor(
      async () => {
        const response = await fetch(`${site.url}/api/v1/widget/demo`, { headers: { origin: registeredUrl } });
        const settings = (await response.json()) as { originAllowed: boolean };
        if (!settings.originAllowed) throw new Error('the registered origin is not seen yet');
      },
      { timeout: 10_000, interval: 200 },
    );
  });
  afterAll(async () => {
    registered?.close();
    stranger?.close();
    await site?.stop();
  });

  const widget = (page: Page) => page.locator('zhenxin-verify');
  const check = async (page: Page, text: string) => {
    await widget(page).locator('textarea').fill(text);
    await widget(page)
      .getByRole('button', { name: /^(核实|Check)$/ })
      .click();
    await widget(page).locator('[data-verdict]').waitFor();
  };

  for (const [name, size] of [
    ['320px', NARROW],
    ['desktop', DESKTOP],
  ] as const) {
    it(`checks a genuine reminder and a scam on a hostile page with a strict CSP (${name})`, async () => {
      expect(genuine).toContain('【青禾消费金融】');
      const { context, page } = await newPage(browser(), size);
      await page.goto(`${registeredUrl}/`);
      await widget(page).locator('textarea').waitFor();
      // the page's reset cannot hide or shrink the form, and nothing spills out sideways
      await expect(widget(page).locator('textarea').isVisible()).resolves.toBe(true);
      const fontSize = await widget(page)
        .locator('textarea')
        .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
      expect(fontSize).toBeGreaterThanOrEqual(16);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);

      await check(page, genuine);
      const verdict = widget(page).locator('[data-verdict]');
      await expect(verdict.getAttribute('data-verdict')).resolves.toBe('genuine');
      await expect(verdict.getAttribute('data-risk')).resolves.toBe('none');
      await expect(verdict.textContent()).resolves.toContain('是真的：这条短信是青禾消费金融（演示）发出的');
      await expect(verdict.textContent()).resolves.toContain('138****8005');
      await screenshot(page, `widget-${name}-genuine`);

      await check(page, SCAM);
      await expect(verdict.getAttribute('data-verdict')).resolves.toBe('not_sent');
      await expect(verdict.getAttribute('data-risk')).resolves.toBe('high');
      await expect(widget(page).locator('mark').first().textContent()).resolves.not.toBe('');
      await expect(widget(page).getByText('400-186-5533').count()).resolves.toBeGreaterThan(0);
      await screenshot(page, `widget-${name}-scam`);

      const events = (await page.evaluate('window.verdicts')) as Array<{
        verdict: string;
        risk: string;
        indicators: string[];
      }>;
      expect(events).toHaveLength(2);
      expect(events[0]).toEqual({ verdict: 'genuine', risk: 'none', indicators: [] });
      expect(events[1]).toMatchObject({ verdict: 'not_sent', risk: 'high' });
      expect(events[1]?.indicators).toEqual(expect.arrayContaining(['transfer_to_safe_account', 'asks_for_code']));
      expect(await page.evaluate('window.violations')).toEqual([]);
      await context.close();
    });
  }

  it('says what is wrong beside the field, works from the keyboard alone, and speaks English when asked', async () => {
    const { context, page } = await newPage(browser(), NARROW);
    await page.goto(`${registeredUrl}/en`);
    await widget(page).locator('textarea').waitFor();
    await widget(page).getByRole('button', { name: 'Check' }).click();
    await expect(widget(page).getByText('Paste the whole message').count()).resolves.toBeGreaterThan(0);
    await expect(widget(page).locator('textarea').getAttribute('aria-invalid')).resolves.toBe('true');
    // reference code by keyboard: arrows move between the ways, Tab reaches each field, Enter submits
    await widget(page).getByLabel('Paste the message').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(widget(page).getByLabel('Reference code', { exact: true }).isVisible()).resolves.toBe(true);
    await page.keyboard.press('Tab');
    // a well-formed code that no message carries
    await page.keyboard.type(referenceCode(new Uint8Array(7).fill(7)));
    await page.keyboard.press('Tab');
    await page.keyboard.type('1234');
    await page.keyboard.press('Enter');
    await widget(page).locator('[data-verdict]').waitFor();
    await expect(widget(page).locator('[data-verdict]').getAttribute('data-verdict')).resolves.toBe('not_sent');
    await expect(widget(page).locator('[data-verdict]').textContent()).resolves.toContain(
      'We did not send this message',
    );
    await screenshot(page, 'widget-320px-en-code');
    await context.close();
  });

  it('gives a plain message with the hotline when offline or throttled, never a blank box', async () => {
    const { context, page } = await newPage(browser(), NARROW);
    await page.goto(`${registeredUrl}/`);
    await widget(page).locator('textarea').waitFor();
    await page.route(`${site.url}/api/v1/verify`, (route) =>
      route.fulfill({
        status: 429,
        // as the server answers a registered origin (test/api/widget-http.test.ts checks those headers)
        headers: {
          'retry-after': '42',
          'access-control-allow-origin': registeredUrl,
          'access-control-expose-headers': 'Retry-After',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many checks' } }),
      }),
    );
    await widget(page).locator('textarea').fill(SCAM);
    await widget(page).getByRole('button', { name: '核实' }).click();
    const alert = widget(page).getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('请 42 秒后再试');
    await expect(alert.textContent()).resolves.toContain('400-186-5533');
    await page.unroute(`${site.url}/api/v1/verify`);
    await context.setOffline(true);
    await widget(page).getByRole('button', { name: '核实' }).click();
    await expect.poll(() => alert.textContent()).toContain('现在连不上核实服务');
    await expect(alert.textContent()).resolves.toContain('400-186-5533');
    // the form stays, so the reader can try again once back online
    await expect(widget(page).locator('textarea').inputValue()).resolves.toBe(SCAM);
    await screenshot(page, 'widget-320px-offline');
    await context.setOffline(false);
    await widget(page).getByRole('button', { name: '核实' }).click();
    await widget(page).locator('[data-verdict]').waitFor();
    await expect(widget(page).locator('[data-verdict]').getAttribute('data-risk')).resolves.toBe('high');
    await context.close();
  });

  it('marks each sign where it stands in the text as written, Traditional and full-width included', async () => {
    const { context, page } = await newPage(browser(), NARROW);
    await page.goto(`${registeredUrl}/`);
    await check(page, '【青禾消費金融】請將欠款轉入安全賬戶，並提供簡訊驗證碼。');
    await expect(widget(page).locator('[data-verdict]').getAttribute('data-risk')).resolves.toBe('high');
    const marks = await widget(page).locator('blockquote mark').allTextContents();
    expect(marks).toEqual(expect.arrayContaining(['安全賬戶', '驗證碼']));
    await context.close();
  });

  it('has no accessibility violations inside or around it', async () => {
    // axe is injected, so this page runs without its CSP; the journeys above keep it.
    const { context, page } = await newPage(browser(), NARROW, AXE_CONTEXT);
    await page.goto(`${registeredUrl}/`);
    await check(page, SCAM);
    const violations = (await runAxe(page)).filter((v) => JSON.stringify(v.nodes).includes('zhenxin-verify'));
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });

  it('refuses plainly, with the hotline, on a page the lender did not register', async () => {
    const { context, page } = await newPage(browser(), NARROW);
    await page.goto(`${strangerUrl}/`);
    const refusal = widget(page).getByRole('alert');
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toContain('这个网页没有获准使用真信核实工具');
    await expect(refusal.textContent()).resolves.toContain('400-186-5533');
    await expect(widget(page).locator('textarea').count()).resolves.toBe(0);
    await screenshot(page, 'widget-320px-unregistered');
    await context.close();
  });

  it('lets only the registered origin frame /embed/verify, which follows its content’s height', async () => {
    const { context, page } = await newPage(browser(), NARROW, { locale: 'zh-CN' });
    const response = await page.request.get(`${site.url}/embed/verify?lender=demo`);
    expect(response.headers()['content-security-policy']).toContain(
      `frame-ancestors https://qinghe-xf.cn ${registeredUrl}`,
    );
    expect(response.headers()['x-frame-options']).toBeUndefined();

    await page.goto(`${registeredUrl}/frame`);
    const frame = page.frameLocator('#zx');
    await frame.locator('textarea').fill(SCAM);
    await frame
      .locator('form', { has: frame.locator('textarea') })
      .getByRole('button')
      .click();
    await frame.locator('.verdict h1').waitFor();
    await expect(frame.locator('.verdict').textContent()).resolves.toContain('我们没有发出过这条短信');
    // the answer is taller than the form: the frame says so, and the host sets the height it was told
    await page.waitForFunction(() => (window as unknown as { heights: number[] }).heights.some((h) => h > 600));
    await page.waitForFunction(() => {
      const heights = (window as unknown as { heights: number[] }).heights;
      return (document.getElementById('zx') as HTMLIFrameElement).clientHeight === heights.at(-1);
    });
    await screenshot(page, 'embed-320px-framed-scam');

    const blocked = await context.newPage();
    await blocked.goto(`${strangerUrl}/frame`);
    // Chromium replaces a refused frame with its error page
    await expect.poll(() => blocked.frames()[1]?.url() ?? '').toMatch(/^chrome-error:/);
    expect(await blocked.frames()[1]?.locator('textarea').count()).toBe(0);
    expect(await blocked.evaluate('window.heights')).toEqual([]);
    await context.close();
  });
});
