import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { openDatabase } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDemo } from '../src/services/demo-seed.ts';

/**
 * The embeddable widget as a lender's page meets it: the size of /widget/v1.js gzipped (budget
 * 8 KB, styles and both languages included), and the time from the page reaching its script tag
 * to a usable form (the textarea in the shadow root: the script and the widget's settings both
 * fetched), with a cold cache, on Chromium's emulation of a slow phone connection and on loopback.
 * Median of 5 runs each. Exits 1 over the size budget.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUDGET = 8 * 1024;
const RUNS = 5;
const PROFILES = [
  { name: 'slow 3G-like: 400 kbit/s, 400 ms round trip', latency: 400, kbps: 400 },
  { name: 'loopback, no throttling', latency: 0, kbps: 0 },
];

const free = () =>
  new Promise<number>((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const script = readFileSync(join(ROOT, 'dist/client/widget/v1.js'));
const gz = gzipSync(script, { level: 9 }).length;
console.log(
  `\nwidget /widget/v1.js: ${(script.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(2)} KB gzipped (budget 8 KB)`,
);

const dir = mkdtempSync(join(tmpdir(), 'zx-widget-bench-'));
const url = `file:${join(dir, 'widget.db')}`;
const connection = openDatabase(url);
let child: ChildProcess | undefined;
const host = createServer();
try {
  await migrateToLatest(connection.db);
  await seedDemo(connection.db);
  const port = await free();
  const hostPort = await free();
  const zhenxin = `http://127.0.0.1:${port}`;
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  await connection.db
    .updateTable('lenders')
    .set({ widget_origins: JSON.stringify([hostOrigin]) })
    .where('slug', '=', 'demo')
    .execute();
  child = spawn(process.execPath, [join(ROOT, 'scripts/serve.ts')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      await (await fetch(`${zhenxin}/widget/v1.js`)).arrayBuffer();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const page = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>lender</title></head><body>
<h1>帮助中心</h1><script>window.t0 = performance.now()</script>
<script type="module" src="${zhenxin}/widget/v1.js"></script><zhenxin-verify lender="demo"></zhenxin-verify></body></html>`;
  host.on('request', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise<void>((resolve) => host.listen(hostPort, '127.0.0.1', resolve));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  console.log('\ntime from the script tag to a usable widget (cold cache, median of 5):\n');
  for (const profile of PROFILES) {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const cdp = await context.newCDPSession(tab);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      if (profile.kbps > 0) {
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: profile.latency,
          downloadThroughput: (profile.kbps * 1000) / 8,
          uploadThroughput: (profile.kbps * 1000) / 8,
        });
      }
      await tab.goto(`${hostOrigin}/`);
      await tab.waitForFunction(
        () => document.querySelector('zhenxin-verify')?.shadowRoot?.querySelector('textarea'),
        null,
        {
          polling: 'raf',
          timeout: 60_000,
        },
      );
      times.push(Number(await tab.evaluate('performance.now() - window.t0')));
      await context.close();
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    console.log(`${profile.name.padEnd(48)} ${Math.round(median).toString().padStart(6)} ms`);
  }
  await browser.close();
} finally {
  child?.kill();
  host.close();
  await connection.close();
  rmSync(dir, { recursive: true, force: true });
}
if (gz > BUDGET) {
  console.error(`widget over budget: ${gz} bytes gzipped > ${BUDGET}`);
  process.exitCode = 1;
}
