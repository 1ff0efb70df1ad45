import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Locale } from '../../src/i18n/locale.ts';
import { t } from '../../src/i18n/messages.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import {
  AXE_CONTEXT,
  DESKTOP,
  describeViolations,
  describeWithBrowser,
  newPage,
  PHONE,
  runAxe,
  screenshot,
  type Viewport,
} from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// /developers, the guide for lenders' engineers: reached from every page's footer, readable on a
// phone and a desktop in both languages, server-rendered without any script, headings in order,
// code that never pushes the page sideways, and clean under axe. Screenshots go to
// test-results/screenshots/.

const viewports: Array<{ name: string; size: Viewport }> = [
  { name: 'phone', size: PHONE },
  { name: 'desktop', size: DESKTOP },
];
const locales: Locale[] = ['zh-CN', 'en'];
const browserLanguage: Record<Locale, string> = { 'zh-CN': 'zh-CN', en: 'en-US' };

describeWithBrowser('the developer guide in a browser', (browser) => {
  let dir: string;
  let database: TestDatabase;
  let server: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-developers-'));
    database = await createTestDatabase('sqlite', { file: join(dir, 'app.db') });
    await seedDemo(database.connection.db);
    server = await startServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.connection.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Heading levels in document order. */
  const headingLevels = (page: Page) =>
    page.locator('h1, h2, h3, h4, h5, h6').evaluateAll((hs) => hs.map((h) => Number(h.tagName.slice(1))));

  for (const { name: viewportName, size } of viewports) {
    for (const locale of locales) {
      const label = `${viewportName} ${size.width}px, ${locale}`;

      it(`footer → guide: complete, in order, no script, nothing wider than the screen (${label})`, async () => {
        const { context, page } = await newPage(browser(), size, {
          locale: browserLanguage[locale],
          javaScriptEnabled: false,
        });
        try {
          await page.goto(`${server.url}/lenders/demo`);
          await page
            .getByRole('contentinfo')
            .getByRole('link', { name: t(locale, 'site.footer.developers') })
            .click();
          await page.waitForURL(`${server.url}/developers`);
          expect(await page.getAttribute('html', 'lang')).toBe(locale);
          expect(await page.locator('h1').textContent()).toBe(t(locale, 'dev.title'));

          // Server-rendered: the page ships no script of its own.
          expect(await page.locator('script').count()).toBe(0);

          // One h1, and no level skipped on the way down.
          const levels = await headingLevels(page);
          expect(levels[0]).toBe(1);
          expect(levels.filter((level) => level === 1)).toHaveLength(1);
          for (let i = 1; i < levels.length; i++) {
            expect(levels[i] as number, `heading ${i} after h${levels[i - 1]}`).toBeLessThanOrEqual(
              (levels[i - 1] as number) + 1,
            );
          }

          // Every contents link leads to a heading on the page.
          const targets = await page.locator('nav.toc a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
          expect(targets.length).toBeGreaterThanOrEqual(6);
          for (const target of targets) expect(await page.locator(`h2${target}`).count(), target ?? '').toBe(1);

          // What a lender's engineer came for, with this site's own origin in the snippets.
          const text = (await page.locator('main').textContent()) ?? '';
          for (const needle of [
            `<script type="module" src="${server.url}/widget/v1.js"></script>`,
            '<zhenxin-verify lender="demo"',
            `${server.url}/embed/verify?lender=demo`,
            'zhenxin:height',
            'event.origin !== zhenxin',
            'zhenxin-verdict',
            'widgetOrigins',
            `curl -X POST ${server.url}/api/v1/verify`,
            `${server.url}/api/v1/lenders/demo`,
            `${server.url}/api/v1/borrowers/B100`,
            `${server.url}/api/v1/loans/L100`,
            `${server.url}/api/v1/loans/L100/repayments`,
            `${server.url}/api/v1/loans/L100/balance?asOf=2026-03-11`,
            `${server.url}/api/v1/requests?status=pending`,
            `${server.url}/api/v1/reports/effect?from=2026-03-01&to=2026-03-28`,
            'Authorization: Bearer',
            `${server.url}/api/sms/twilio/status`,
            `${server.url}/api/sms/aliyun/<ALIYUN_RECEIPT_SECRET>/report`,
            'Retry-After',
            '{"error":{"code":"invalid_request"',
          ]) {
            expect(text, needle).toContain(needle);
          }
          // The limits are the ones the server enforces (the defaults here).
          expect(text).toMatch(locale === 'en' ? /30 a minute per client address/ : /每分钟 30 次/);
          expect(text).toContain('64 KB');

          if (size.width <= PHONE.width) {
            const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
            expect(pageWidth, 'the page scrolls sideways').toBeLessThanOrEqual(size.width);
          }
          // A code block wider than the screen scrolls inside itself, and takes keyboard focus to do so.
          const blocks = await page.locator('pre').evaluateAll((els) =>
            els.map((el) => ({
              fits: el.getBoundingClientRect().right <= document.documentElement.clientWidth,
              scrolls: getComputedStyle(el).overflowX === 'auto',
              focusable: el.tabIndex === 0,
            })),
          );
          expect(blocks.length).toBeGreaterThan(15);
          expect(blocks.filter((b) => !b.fits || !b.scrolls || !b.focusable)).toEqual([]);
          const tableFits = await page.locator('table').evaluate((table) => table.scrollWidth <= table.clientWidth + 1);
          expect(tableFits, 'the status table fits').toBe(true);

          await screenshot(page, `${viewportName}-${locale}-developers`);

          // The reference link serves the OpenAPI document.
          const href = await page.getByRole('link', { name: t(locale, 'dev.reference.link') }).getAttribute('href');
          expect(href).toBe('/api/v1/openapi.json');
          const reference = await page.request.get(`${server.url}${href}`);
          expect(reference.status()).toBe(200);
          expect((await reference.json()).openapi).toMatch(/^3\.1\./);
        } finally {
          await context.close();
        }
      });

      it(`axe finds no accessibility violations (${label})`, async () => {
        const { context, page } = await newPage(browser(), size, { locale: browserLanguage[locale], ...AXE_CONTEXT });
        try {
          const response = await page.goto(`${server.url}/developers`);
          expect(response?.status()).toBe(200);
          const violations = await runAxe(page);
          expect(describeViolations(violations), 'axe violations').toBe('');
        } finally {
          await context.close();
        }
      });
    }
  }

  it('the footer links to the guide from the pages borrowers see too', async () => {
    const { context, page } = await newPage(browser(), DESKTOP, { javaScriptEnabled: false });
    try {
      for (const path of ['/', '/verify', '/lenders/demo']) {
        await page.goto(`${server.url}${path}`);
        expect(await page.locator('footer a[href="/developers"]').count(), path).toBe(1);
      }
    } finally {
      await context.close();
    }
  });
});
