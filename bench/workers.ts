import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localDate } from '../src/core/dates.ts';
import { openDatabase } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDemo } from '../src/services/demo-seed.ts';
import { dispatchOutbox } from '../src/services/dispatcher.ts';
import { runReminderCycle } from '../src/services/reminders.ts';
import { createDevOutboxProvider } from '../src/sms/dev-outbox.ts';

/**
 * `npm start` with one worker and with two, side by side on the same SQLite data: a genuine short
 * link (GET /r/<token>) and a pasted-text check (POST /api/v1/verify), 50 connections from
 * autocannon for BENCH_SECONDS (default 10) each. The load generator runs on the same machine,
 * so on two cores the second worker competes with it: the figures show what one more process
 * buys there, not a ceiling. Writes bench-results/workers.json.
 */

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => PromiseLike<Result>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'zx-bench-workers-'));
const url = `file:${join(dir, 'bench.db')}`;

async function prepare(): Promise<{ token: string; text: string }> {
  const connection = openDatabase(url);
  try {
    await migrateToLatest(connection.db);
    await seedDemo(connection.db);
    const today = localDate(new Date(), 'Asia/Shanghai');
    await runReminderCycle(connection.db, { now: new Date(`${today}T10:00:00+08:00`), send: true });
    await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
    const sent = await connection.db.selectFrom('dev_sms_outbox').select('text').executeTakeFirstOrThrow();
    const token = /\/r\/([A-Za-z0-9_-]{20,})/.exec(sent.text)?.[1];
    if (!token) throw new Error('no link in the sent reminder');
    return { token, text: sent.text };
  } finally {
    await connection.close();
  }
}

async function serve(workers: number, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--max-semi-space-size=32', '--max-old-space-size=256', 'scripts/start.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: String(workers),
      LOG_LEVEL: 'warn',
      // one load generator, one address: budgets out of the way of what is measured
      PUBLIC_CHECKS_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {}
    if (i > 300) throw new Error('server did not start');
    await sleep(100);
  }
  await sleep(1_500); // every worker up
  return child;
}

const { token, text } = await prepare();
const rows: Array<Record<string, number | string>> = [];
try {
  for (const workers of [1, 2]) {
    const port = 30_000 + Math.floor(Math.random() * 20_000) + workers;
    const server = await serve(workers, port);
    try {
      const base = `http://127.0.0.1:${port}`;
      for (const [name, options] of [
        ['GET /r/<token>', { url: `${base}/r/${token}` }],
        [
          'POST /api/v1/verify',
          {
            url: `${base}/api/v1/verify`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text }),
          },
        ],
      ] as const) {
        await autocannon({ ...options, connections: 50, duration: 2 }); // warm-up
        const result = await autocannon({ ...options, connections: 50, duration: SECONDS });
        rows.push({
          path: name,
          workers,
          'req/s': Math.round(result.requests.average),
          'p50 ms': result.latency.p50,
          'p99 ms': result.latency.p99,
          'non-2xx': result.non2xx,
          errors: result.errors,
        });
      }
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nnpm start with 1 and 2 workers (${availableParallelism()} cores, load generator on the same machine)`);
console.table(rows);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/workers.json', `${JSON.stringify({ seconds: SECONDS, rows }, null, 2)}\n`);
