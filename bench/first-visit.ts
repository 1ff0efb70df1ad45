import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { localDate } from '../src/core/dates.ts';
import { openDatabase } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDemo } from '../src/services/demo-seed.ts';
import { dispatchOutbox } from '../src/services/dispatcher.ts';
import { runReminderCycle } from '../src/services/reminders.ts';
import { createDevOutboxProvider } from '../src/sms/dev-outbox.ts';
import { serveSite } from './targets.ts';

/**
 * A borrower's first visit on a slow phone connection: Chromium (Debian's, through
 * playwright-core) with its network emulated at 400 kbps each way and 400 ms latency, an empty
 * cache, loading the short link from a reminder (/r/<token>) and the home page. Prints the
 * median of five loads (navigation start to the load event, the connection included) and the
 * requests each made. Target for /r/<token>: ≤ 0.9 s.
 *
 * Env: CHROMIUM_PATH (/usr/bin/chromium).
 */
const RUNS = 5;
const CONDITIONS = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 };

const dir = mkdtempSync(join(tmpdir(), 'zx-first-visit-'));
const url = `file:${join(dir, 'visit.db')}`;
const connection = openDatabase(url);
let child: ChildProcess | undefined;
try {
  await migrateToLatest(connection.db);
  await seedDemo(connection.db);
  const today = localDate(new Date(), 'Asia/Shanghai');
  await runReminderCycle(connection.db, { now: new Date(`${today}T10:00:00+08:00`), send: true });
  await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
  const sms = await connection.db
    .selectFrom('dev_sms_outbox')
    .select('text')
    .where('to', '=', '+8613800138005')
    .executeTakeFirstOrThrow();
  const shortLink = /https:\/\/[^/\s]+(\/r\/[A-Za-z0-9_-]+)/.exec(sms.text)?.[1];
  if (!shortLink) throw new Error(`no short link in ${sms.text}`);

  const site = await serveSite(url);
  child = site.child;
  const base = site.base;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    console.log(`\nfirst visit, 400 kbps / 400 ms latency, empty cache (median of ${RUNS}):\n`);
    for (const [name, path] of [
      ['short link /r/<token>', shortLink],
      ['home /', '/'],
    ] as const) {
      const times: number[] = [];
      let requests = 0;
      let bytes = 0;
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', CONDITIONS);
        let count = 0;
        let received = 0;
        cdp.on('Network.requestWillBeSent', () => count++);
        cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
          received += event.encodedDataLength;
        });
        await page.goto(`${base}${path}`, { waitUntil: 'load' });
        const load = await page.evaluate(() => {
          const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
          return entry ? entry.loadEventEnd - entry.startTime : Number.NaN;
        });
        times.push(load);
        requests = count;
        bytes = received;
        await context.close();
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
      console.log(
        `${name.padEnd(24)} ${(median / 1000).toFixed(2)} s  (${times.map((t) => (t / 1000).toFixed(2)).join(', ')}), ` +
          `${requests} request${requests === 1 ? '' : 's'}, ${(bytes / 1024).toFixed(1)} KB received`,
      );
    }
  } finally {
    await browser.close();
  }
} finally {
  child?.kill('SIGTERM');
  await connection.close();
  rmSync(dir, { recursive: true, force: true });
}
