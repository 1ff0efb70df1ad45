import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/i18n/locale.ts';
import { t } from '../../src/i18n/messages.ts';
import { DEMO_LENDER } from '../../src/services/demo-data.ts';
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
import { pageProblems } from '../support/punctuation.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// What a borrower meets before signing in: the home page, a lender's official contacts and
// the not-found page, on a phone and a desktop, in Chinese and in English, with and without
// JavaScript, checked by axe. Every page is screenshotted into test-results/screenshots/.

const viewports: Array<{ name: string; size: Viewport }> = [
  { name: 'phone', size: PHONE },
  { name: 'desktop', size: DESKTOP },
];
const locales: Locale[] = ['zh-CN', 'en'];
/** The browser's own language, so the first visit lands in `locale` without ?lang=. */
const browserLanguage: Record<Locale, string> = { 'zh-CN': 'zh-CN', en: 'en-US' };
const otherLocale = (locale: Locale): Locale => (locale === 'en' ? 'zh-CN' : 'en');
const lenderName = (locale: Locale) => (locale === 'en' ? DEMO_LENDER.nameEn : DEMO_LENDER.name);

const pages = [
  { name: 'home', path: '/', status: 200, heading: (l: Locale) => t(l, 'home.title') },
  {
    name: 'lender',
    path: '/lenders/demo',
    status: 200,
    heading: (l: Locale) => t(l, 'lender.title', { name: lenderName(l) }),
  },
  { name: 'not-found', path: '/anything-unknown', status: 404, heading: (l: Locale) => t(l, 'notFound.title') },
] as const;

describeWithBrowser('public pages in a browser', (browser) => {
  let dir: string;
  let database: TestDatabase;
  let server: RunningServer;
  /** Every URL any page asked for, with the site it was on, to prove nothing leaves that origin. */
  const requested: Array<{ site: string; url: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-browser-'));
    database = await createTestDatabase('sqlite', { file: join(dir, 'app.db') });
    await seedDemo(database.connection.db);
    server = await startServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.connection.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(viewport: Viewport, locale: Locale, options: BrowserContextOptions = {}, site = server.url) {
    const opened = await newPage(browser(), viewport, { locale: browserLanguage[locale], ...options });
    opened.page.on('request', (request) => {
      requested.push({ site, url: request.url() });
    });
    return opened;
  }

  async function expectPageBasics(page: Page, locale: Locale, heading: string, viewport: Viewport) {
    expect(await page.getAttribute('html', 'lang')).toBe(locale);
    await expect.poll(() => page.locator('h1').textContent()).toBe(heading);
    expect(await page.locator('h1').isVisible()).toBe(true);
    if (viewport.width <= PHONE.width) {
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth, `horizontal scrolling on ${page.url()}`).toBeLessThanOrEqual(viewport.width);
    }
  }

  async function expectVisible(page: Page, text: string) {
    const match = page.getByText(text, { exact: false }).first();
    expect(await match.isVisible(), `"${text}" visible on ${page.url()}`).toBe(true);
  }

  it('home on a 390 × 740 phone: both main actions above the fold, each way to check a link to its form', async () => {
    const { context, page } = await open({ width: 390, height: 740 }, 'zh-CN');
    try {
      await page.goto(`${server.url}/`);
      for (const name of [t('zh-CN', 'home.cta'), t('zh-CN', 'home.account')]) {
        const box = await page.getByRole('link', { name, exact: true }).boundingBox();
        expect(box, name).not.toBeNull();
        expect((box?.y ?? 9_999) + (box?.height ?? 0), `${name} above the fold`).toBeLessThanOrEqual(740);
      }
      expect(await page.getByRole('link', { name: t('zh-CN', 'home.account'), exact: true }).getAttribute('href')).toBe(
        '/account',
      );
      await screenshot(page, 'phone-740-home', false);
      for (const [title, form] of [
        ['home.way.link.title', 'check-link'],
        ['home.way.code.title', 'check-code'],
        ['home.way.text.title', 'check-text'],
      ] as const) {
        await page.goto(`${server.url}/`);
        await page.getByRole('link', { name: t('zh-CN', title) }).click();
        await page.waitForURL(`${server.url}/verify#${form}`);
        expect(await page.locator(`form#${form}`).isVisible()).toBe(true);
      }
    } finally {
      await context.close();
    }
  });

  for (const { name: viewportName, size } of viewports) {
    for (const locale of locales) {
      const label = `${viewportName} ${size.width}px, ${locale}`;
      const shot = (page: Page, pageName: string) => screenshot(page, `${viewportName}-${locale}-${pageName}`);

      it(`home → lender page → switch language (${label})`, async () => {
        const { context, page } = await open(size, locale);
        try {
          const home = await page.goto(`${server.url}/`);
          expect(home?.status()).toBe(200);
          await expectPageBasics(page, locale, t(locale, 'home.title'), size);
          await expectVisible(page, t(locale, 'home.never.title'));
          await shot(page, 'home');
          // What the reader sees on a phone: full-width marks by Chinese, clean English.
          if (size.width === PHONE.width) expect(await pageProblems(page, locale)).toEqual([]);

          await page.getByRole('link', { name: lenderName(locale) }).click();
          await page.waitForURL(`${server.url}/lenders/demo`);
          await expectPageBasics(page, locale, t(locale, 'lender.title', { name: lenderName(locale) }), size);
          await expectVisible(page, `【${DEMO_LENDER.smsSignature}】`);
          await expectVisible(page, '400-186-5533');
          await expectVisible(page, 'qhxf.cn');
          expect(await page.locator('a[href="tel:4001865533"]').count()).toBe(1);
          await shot(page, 'lender');
          if (size.width === PHONE.width) expect(await pageProblems(page, locale)).toEqual([]);

          const other = otherLocale(locale);
          await page.getByRole('link', { name: t(locale, 'site.switchTo') }).click();
          await page.waitForURL((url) => url.searchParams.get('lang') === other);
          await expectPageBasics(page, other, t(other, 'lender.title', { name: lenderName(other) }), size);
          await expectVisible(page, '400-186-5533');

          // The choice is remembered: the home page now opens in the other language.
          await page.goto(`${server.url}/`);
          await expectPageBasics(page, other, t(other, 'home.title'), size);
        } finally {
          await context.close();
        }
      });

      it(`not-found page is friendly and links home (${label})`, async () => {
        const { context, page } = await open(size, locale);
        try {
          for (const path of ['/anything-unknown', '/lenders/no-such-lender']) {
            const response = await page.goto(`${server.url}${path}`);
            expect(response?.status(), path).toBe(404);
            await expectPageBasics(page, locale, t(locale, 'notFound.title'), size);
            await expectVisible(page, t(locale, 'notFound.body').slice(0, 12));
          }
          await shot(page, 'not-found');
          const homeLink = page.getByRole('link', { name: t(locale, 'notFound.home') });
          expect(await homeLink.getAttribute('href')).toBe('/');
          await homeLink.click();
          await page.waitForURL(`${server.url}/`);
          await expectPageBasics(page, locale, t(locale, 'home.title'), size);
        } finally {
          await context.close();
        }
      });

      it(`keyboard: the skip link comes first and leads to the content (${label})`, async () => {
        const { context, page } = await open(size, locale);
        try {
          await page.goto(`${server.url}/lenders/demo`);
          await page.keyboard.press('Tab');
          const skip = page.locator('a.skip');
          expect(await skip.evaluate((element) => element === document.activeElement)).toBe(true);
          expect(await skip.textContent()).toBe(t(locale, 'site.skip'));
          const box = await skip.boundingBox();
          expect(box && box.x >= 0 && box.y >= 0, 'the focused skip link is on screen').toBe(true);
          await shot(page, 'focus-skip-link');
          await page.keyboard.press('Enter');
          expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
          // The next Tab goes into the content, not back to the header.
          await page.keyboard.press('Tab');
          expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
          await shot(page, 'focus-after-skip');
        } finally {
          await context.close();
        }
      });

      it(`pages work without JavaScript (${label})`, async () => {
        const { context, page } = await open(size, locale, { javaScriptEnabled: false });
        try {
          for (const entry of pages) {
            const response = await page.goto(`${server.url}${entry.path}`);
            expect(response?.status(), entry.path).toBe(entry.status);
            await expectPageBasics(page, locale, entry.heading(locale), size);
          }
          await page.goto(`${server.url}/lenders/demo`);
          await expectVisible(page, `【${DEMO_LENDER.smsSignature}】`);
          await expectVisible(page, '400-186-5533');
          await expectVisible(page, 'qhxf.cn');
        } finally {
          await context.close();
        }
      });

      it(`axe finds no accessibility violations (${label})`, async () => {
        const { context, page } = await open(size, locale, AXE_CONTEXT);
        try {
          const report: string[] = [];
          for (const entry of pages) {
            await page.goto(`${server.url}${entry.path}`);
            const violations = await runAxe(page);
            if (violations.length > 0) report.push(`${entry.path}:\n${describeViolations(violations)}`);
          }
          expect(report.join('\n\n'), 'axe violations').toBe('');
        } finally {
          await context.close();
        }
      });
    }
  }

  describe('when the database cannot be reached', () => {
    let broken: RunningServer;
    beforeAll(async () => {
      // Nothing listens on port 1, so every page that needs data fails.
      broken = await startServer({ DATABASE_URL: 'postgres://zhenxin@127.0.0.1:1/none', LOG_LEVEL: 'silent' });
    });
    afterAll(async () => {
      await broken?.stop();
    });

    for (const { name: viewportName, size } of viewports) {
      for (const locale of locales) {
        it(`the error page is calm, gives a reference and hides the details (${viewportName} ${size.width}px, ${locale})`, async () => {
          const { context, page } = await open(size, locale, AXE_CONTEXT, broken.url);
          try {
            const response = await page.goto(`${broken.url}/lenders/demo`);
            expect(response?.status()).toBe(500);
            await expectPageBasics(page, locale, t(locale, 'error.title'), size);
            const reference = await page.locator('main code').textContent();
            expect(reference).toBe(response?.headers()['x-request-id']);
            const text = (await page.locator('body').textContent()) ?? '';
            expect(text).not.toMatch(/ECONNREFUSED|\bat .*\.m?js|Error:/);
            expect(await page.getByRole('link', { name: t(locale, 'notFound.home') }).getAttribute('href')).toBe('/');
            await screenshot(page, `${viewportName}-${locale}-error`);
            const violations = await runAxe(page);
            expect(describeViolations(violations), 'axe violations').toBe('');
          } finally {
            await context.close();
          }
        });
      }
    }
  });

  it('no page asked for anything from another origin', () => {
    expect(requested.length).toBeGreaterThan(0);
    const foreign = requested.filter(({ site, url }) => new URL(url).origin !== site).map(({ url }) => url);
    expect(foreign).toEqual([]);
  });
});
