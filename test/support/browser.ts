import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';

/**
 * Browser tests drive Debian's Chromium through playwright-core (no bundled browser download).
 * Without /usr/bin/chromium they are skipped with a loud warning, so a missing browser is
 * never mistaken for a pass; REQUIRE_BROWSER=1 (CI) turns the skip into a failure.
 */

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (another install, or a missing path to try the skip). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
const browserRequired = process.env.REQUIRE_BROWSER === '1';

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;
export type Viewport = { width: number; height: number };

const SCREENSHOT_DIR = join('test-results', 'screenshots');
const AXE_PATH = join('node_modules', 'axe-core', 'axe.min.js');

let warned = false;
function warnSkipped(): void {
  if (warned) return;
  warned = true;
  const line = '!'.repeat(78);
  console.warn(
    [
      '',
      line,
      `!!! Browser tests SKIPPED: ${CHROMIUM_PATH} not found.`,
      '!!! Install it (Debian/Ubuntu: apt-get update && apt-get install -y chromium)',
      '!!! to run the journeys, accessibility checks and screenshots.',
      '!!! Set REQUIRE_BROWSER=1 to make a missing browser fail the run instead.',
      line,
      '',
    ].join('\n'),
  );
}

/**
 * The environment without libfaketime. Under `npm run test:clock` the clock under test is the
 * server's and the test's (pages are rendered on the server, sessions are browser-session
 * cookies); Chromium itself under libfaketime takes minutes to start, so it keeps the real clock.
 */
function withoutFakeTime(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FAKETIME')) env[key] = value;
  }
  const preload = (env.LD_PRELOAD ?? '')
    .split(/[:\s]+/)
    .filter((lib) => lib && !lib.includes('faketime'))
    .join(':');
  if (preload) env.LD_PRELOAD = preload;
  else delete env.LD_PRELOAD;
  return env;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    env: withoutFakeTime(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * `describe` with a launched browser. Skipped (announced) without Chromium, unless
 * REQUIRE_BROWSER=1, in which case a single failing test says why.
 */
export function describeWithBrowser(name: string, body: (browser: () => Browser) => void): void {
  if (!chromiumAvailable && browserRequired) {
    describe(name, () => {
      it('needs Chromium (REQUIRE_BROWSER=1)', () => {
        throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} was not found: install chromium`);
      });
    });
    return;
  }
  if (!chromiumAvailable) warnSkipped();
  // A journey is a dozen page loads: it gets twice the 30 s a single test gets.
  describe.skipIf(!chromiumAvailable)(name, { timeout: 60_000 }, () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });
    body(() => {
      if (!browser) throw new Error('browser not launched');
      return browser;
    });
  });
}

/** A fresh context (own cookies) with one page at the viewport; close the context when done. */
export async function newPage(
  browser: Browser,
  viewport: Viewport,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  return { context, page };
}

/** Options for a context that can run axe: see runAxe. */
export const AXE_CONTEXT: BrowserContextOptions = { bypassCSP: true };

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: unknown[]; html: string; failureSummary?: string }>;
}

/**
 * Runs axe-core on the page and returns its violations. The site's CSP (`script-src 'self'`,
 * no 'unsafe-inline') rightly blocks the injected axe script, so the page must come from a
 * context created with AXE_CONTEXT (bypassCSP); only the audit uses such a context, the
 * journeys run under the real policy.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global injected above
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result shape, narrowed to what we report
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      // biome-ignore lint/suspicious/noExplicitAny: as above
      nodes: v.nodes.map((n: any) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

/** Violations as readable text, for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) =>
      [
        `• ${v.id} (${v.impact ?? 'n/a'}): ${v.help}`,
        `  ${v.helpUrl}`,
        ...v.nodes.map((n) => `    at ${JSON.stringify(n.target)}: ${n.html}\n      ${n.failureSummary ?? ''}`),
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Saves a screenshot as test-results/screenshots/<name>.png and returns the path: the whole page,
 * or (fullPage false) only what the viewport shows, as a first glance at a phone does.
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
