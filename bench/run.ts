import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../src/auth/api-keys.ts';
import { localDate } from '../src/core/dates.ts';
import { openDatabase } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { findLenderBySlug } from '../src/db/repositories/lenders.ts';
import { seedDemo } from '../src/services/demo-seed.ts';
import { dispatchOutbox } from '../src/services/dispatcher.ts';
import { runReminderCycle } from '../src/services/reminders.ts';
import { createDevOutboxProvider } from '../src/sms/dev-outbox.ts';

/**
 * `npm run bench`: the built site (scripts/serve.ts: the API router, Astro for pages) against a
 * bare node:http server that does the same work (the same service calls on the same database,
 * the same rate limiter) and answers with the same bytes and headers (bench/bare-server.ts), for
 * the home page, one lender-API balance, a genuine short link (/r/<token>) and a
 * pasted-text check (POST /api/v1/verify). Each server runs in its own process
 * (its own core on a 2-core machine); the load generator (autocannon) runs in this one. Prints a
 * table and writes the figures to bench-results/latest.json.
 *
 * Env: BENCH_SECONDS (measured seconds per run, default 10); BENCH_TARGETS (a comma-separated
 * subset of home, balance, short-link, verify; default all).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const SECONDS = parseSeconds(process.env.BENCH_SECONDS);
const RSS_SAMPLE_MS = 200;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// autocannon (CommonJS, no bundled types): the part of its programmatic API used here.

interface Histogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  total: number;
}

interface AutocannonResult {
  duration: number;
  requests: Histogram & { sent: number };
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  resets: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonOptions {
  url: string;
  method?: string;
  body?: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  timeout?: number;
}

type Autocannon = (options: AutocannonOptions) => PromiseLike<AutocannonResult> & { stop(): void };

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ---------------------------------------------------------------------------------------------
// Child processes: every one is tracked and stopped at the end, on error and on SIGINT/SIGTERM.

const children = new Set<ChildProcess>();
let workDir: string | undefined;

function removeWorkDir(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!running(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!stopped && running(child)) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
  }
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopChild));
}

function killAllNow(): void {
  for (const child of children) if (running(child)) child.kill('SIGKILL');
}

process.on('exit', () => {
  killAllNow();
  removeWorkDir();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the servers`);
    for (const child of children) if (running(child)) child.kill('SIGTERM');
    setTimeout(() => {
      killAllNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, 1000).unref();
    void stopAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

function parseSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 10;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600) {
    throw new Error(`BENCH_SECONDS must be a number of seconds between 1 and 600; got "${value}"`);
  }
  return seconds;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

/** Resident set size of a process in kB, from /proc (undefined once it has gone). */
function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function sampleRss(pid: number): () => { peakKb: number; endKb: number } {
  let peakKb = rssKb(pid) ?? 0;
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, rssKb(pid) ?? 0);
  }, RSS_SAMPLE_MS);
  return () => {
    clearInterval(timer);
    const endKb = rssKb(pid) ?? 0;
    return { peakKb: Math.max(peakKb, endKb), endKb };
  };
}

/**
 * CPU time a process has used so far, in seconds, from /proc/<pid>/stat (utime + stime, in clock
 * ticks of 1/100 s, which is USER_HZ on Linux).
 */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU time used by the whole machine so far (all cores, not idle or waiting), in seconds. */
function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return 0;
  }
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Steps

async function prepareDatabase(dir: string): Promise<{ url: string; apiKey: string; sms: string }> {
  const url = `file:${join(dir, 'bench.db')}`;
  const connection = openDatabase(url);
  try {
    await migrateToLatest(connection.db);
    await seedDemo(connection.db);
    const lender = await findLenderBySlug(connection.db, 'demo');
    if (!lender) throw new Error('the demo lender is missing after seeding');
    const { key } = await createApiKey(connection.db, lender.id, 'bench');
    // Real reminders, sent through the dev outbox: a genuine link and text to check.
    // 10:00 on the demo lender's today, the day seedDemo anchors its loans to
    const today = localDate(new Date(), 'Asia/Shanghai');
    await runReminderCycle(connection.db, { now: new Date(`${today}T10:00:00+08:00`), send: true });
    await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
    const sent = await connection.db
      .selectFrom('dev_sms_outbox')
      .select('text')
      .where('to', '=', '+8613800138005')
      .executeTakeFirst();
    if (!sent) throw new Error('no reminder was sent to the demo borrower B005');
    return { url, apiKey: key, sms: sent.text };
  } finally {
    await connection.close();
  }
}

/** Keeps the last few kB of a child's output, to show if it fails. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function startAstro(databaseUrl: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = track(
    // The same V8 flags as `npm start`.
    spawn(process.execPath, ['--max-semi-space-size=32', '--max-old-space-size=256', join(ROOT, 'scripts/serve.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'silent',
        // One load generator is one client address: lift the per-client budget (it is still checked).
        PUBLIC_CHECKS_PER_MINUTE: '100000000',
        LENDER_API_REQUESTS_PER_MINUTE: '100000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = tail(child);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!running(child))
      throw new Error(`the Astro server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return { child, base };
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`the Astro server did not answer within ${START_TIMEOUT_MS} ms:\n${output()}`);
}

async function startBare(
  bodyFile: string,
  headersFile: string,
  work: Target['work'],
  databaseUrl: string,
): Promise<{ child: ChildProcess; base: string }> {
  const child = track(
    spawn(process.execPath, [join(ROOT, 'bench/bare-server.ts'), bodyFile, headersFile, work, databaseUrl], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  const output = tail(child);
  const ready = new Promise<number>((resolvePort, reject) => {
    child.once('message', (message) => {
      const port = (message as { port?: unknown }).port;
      if (typeof port === 'number') resolvePort(port);
      else reject(new Error(`unexpected message from the bare server: ${JSON.stringify(message)}`));
    });
    child.once('exit', (code, signal) => reject(new Error(`the bare server exited (${code ?? signal}):\n${output()}`)));
  });
  const port = await withTimeout(ready, START_TIMEOUT_MS, 'the bare server');
  return { child, base: `http://127.0.0.1:${port}` };
}

interface Target {
  name: string;
  /** What the bare server does before answering (bench/bare-server.ts). */
  work: 'home' | 'balance' | 'short-link' | 'verify';
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Captured {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers the bare server's node:http sets itself, or that depend on the connection. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

async function capture(base: string, target: Target): Promise<Captured> {
  const response = await fetch(`${base}${target.path}`, {
    method: target.method,
    // As the load generator asks: nothing compressed.
    headers: { ...target.headers, 'accept-encoding': 'identity' },
    ...(target.body === undefined ? {} : { body: target.body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) {
    throw new Error(`${target.name}: expected 200, got ${response.status}: ${body.toString('utf8').slice(0, 500)}`);
  }
  if (response.headers.get('content-encoding')) {
    throw new Error(`${target.name}: the response is encoded (${response.headers.get('content-encoding')})`);
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    if (!OWN_HEADERS.has(key)) headers[key] = value;
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', headers, body };
}

interface RunFigures {
  server: 'astro' | 'bare';
  requestsPerSecond: number;
  requestsTotal: number;
  durationSeconds: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  throughputMBps: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  problems: number;
  statusCodes: Record<string, number>;
  rssMB: { before: number; peak: number; end: number };
  /**
   * Share of one core used during the measured run: by the server, by this process (the load
   * generator), and by everything else on the machine (should be near 0 for trustworthy figures).
   */
  cpuPercent: { server: number; loadGenerator: number; other: number };
  /**
   * The server's CPU time per answered request, in µs: what a request costs, and far steadier
   * than req/s on a machine others are using too (a busy neighbour takes cores, not work).
   */
  cpuMicrosPerRequest: number;
}

async function load(base: string, target: Target, duration: number): Promise<AutocannonResult> {
  const instance = autocannon({
    url: `${base}${target.path}`,
    method: target.method,
    ...(target.body === undefined ? {} : { body: target.body }),
    connections: CONNECTIONS,
    duration,
    headers: target.headers,
    timeout: 10,
  });
  try {
    return await withTimeout(Promise.resolve(instance), (duration + 30) * 1000, 'autocannon');
  } catch (error) {
    instance.stop();
    throw error;
  }
}

async function measure(server: RunFigures['server'], pid: number, base: string, target: Target): Promise<RunFigures> {
  process.stderr.write(`  ${target.name} / ${server}: warm-up ${WARMUP_SECONDS} s… `);
  await load(base, target, WARMUP_SECONDS);
  process.stderr.write(`measuring ${SECONDS} s… `);
  const before = rssKb(pid) ?? 0;
  const stopSampling = sampleRss(pid);
  const startedAt = performance.now();
  const serverCpuBefore = cpuSeconds(pid) ?? 0;
  const ownCpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  let result: AutocannonResult;
  let rss: { peakKb: number; endKb: number };
  try {
    result = await load(base, target, SECONDS);
  } finally {
    rss = stopSampling();
  }
  const elapsed = (performance.now() - startedAt) / 1000;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const serverCpu = (cpuSeconds(pid) ?? serverCpuBefore) - serverCpuBefore;
  const ownCpuSeconds = (ownCpu.user + ownCpu.system) / 1e6;
  const otherCpu = Math.max(0, machineBusySeconds() - machineBefore - serverCpu - ownCpuSeconds);
  const problems = result.errors + result.timeouts + result.non2xx;
  process.stderr.write(`${Math.round(result.requests.average)} req/s\n`);
  return {
    server,
    requestsPerSecond: round(result.requests.average, 1),
    requestsTotal: result.requests.total,
    durationSeconds: result.duration,
    latencyMs: {
      mean: round(result.latency.mean),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    throughputMBps: round(result.throughput.average / 1024 / 1024),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    resets: result.resets,
    problems,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    rssMB: { before: mb(before), peak: mb(rss.peakKb), end: mb(rss.endKb) },
    cpuMicrosPerRequest: Math.round((serverCpu * 1e6) / Math.max(1, result.requests.total)),
    cpuPercent: {
      server: Math.round((serverCpu / elapsed) * 100),
      loadGenerator: Math.round((ownCpuSeconds / elapsed) * 100),
      other: Math.round((otherCpu / elapsed) * 100),
    },
  };
}

interface TargetResult {
  name: string;
  method: string;
  path: string;
  contentType: string;
  bytes: number;
  astro: RunFigures;
  bare: RunFigures;
  ratio: number;
  /** bare's CPU per request over the site's: the ratio by cost rather than by throughput. */
  cpuRatio: number;
}

function table(results: TargetResult[]): string {
  const head = [
    'target',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'peak RSS MB',
    'end RSS MB',
    'server CPU%',
    'loadgen CPU%',
    'other CPU%',
    'CPU µs/req',
    'site/bare',
    'by CPU',
  ];
  const rows: string[][] = [];
  for (const result of results) {
    for (const run of [result.astro, result.bare]) {
      rows.push([
        run.server === 'astro' ? result.name : '',
        run.server === 'astro' ? 'site' : 'bare node:http',
        run.requestsPerSecond.toFixed(0),
        String(run.latencyMs.p50),
        String(run.latencyMs.p99),
        String(run.problems),
        run.rssMB.peak.toFixed(1),
        run.rssMB.end.toFixed(1),
        String(run.cpuPercent.server),
        String(run.cpuPercent.loadGenerator),
        String(run.cpuPercent.other),
        String(run.cpuMicrosPerRequest),
        run.server === 'astro' ? `${result.ratio.toFixed(2)}×` : '',
        run.server === 'astro' ? `${result.cpuRatio.toFixed(2)}×` : '',
      ]);
    }
  }
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const left = new Set([0, 1]);
  const line = (cells: string[]) =>
    cells.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

const WORKS: readonly Target['work'][] = ['home', 'balance', 'short-link', 'verify'];

/** BENCH_TARGETS's works (all when unset); an unknown name stops the run rather than measuring nothing. */
function chosenTargets(list: string | undefined): Set<Target['work']> {
  if (!list?.trim()) return new Set(WORKS);
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(WORKS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')} (known: ${WORKS.join(', ')})`);
  return new Set(names as Target['work'][]);
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'zhenxin-bench-'));
  workDir = dir;
  try {
    process.stderr.write('bench: preparing the database… ');
    const { url, apiKey, sms } = await prepareDatabase(dir);
    const shortLink = /https:\/\/[^/\s]+(\/r\/[A-Za-z0-9_-]+)/.exec(sms)?.[1];
    if (!shortLink) throw new Error(`no short link in the sent reminder: ${sms}`);
    process.stderr.write('done\nbench: starting the Astro server… ');
    const astro = await startAstro(url);
    const astroPid = astro.child.pid ?? 0;
    const astroRssAtStartMB = mb(rssKb(astroPid) ?? 0);
    process.stderr.write(`pid ${astroPid}, RSS ${astroRssAtStartMB} MB\n`);

    const targets: Target[] = [
      { name: 'home page', work: 'home', method: 'GET', path: '/', headers: {} },
      {
        name: 'API balance',
        work: 'balance',
        method: 'GET',
        path: '/api/v1/loans/L005/balance?asOf=2026-12-01',
        headers: { authorization: `Bearer ${apiKey}` },
      },
      { name: 'short link /r/', work: 'short-link', method: 'GET', path: shortLink, headers: {} },
      {
        name: 'API verify (text)',
        work: 'verify',
        method: 'POST',
        path: '/api/v1/verify',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: sms }),
      },
    ];

    const results: TargetResult[] = [];
    const chosen = chosenTargets(process.env.BENCH_TARGETS);
    for (const [index, target] of targets.entries()) {
      if (!chosen.has(target.work)) continue;
      const captured = await capture(astro.base, target);
      const bodyFile = join(dir, `body-${index}`);
      writeFileSync(bodyFile, captured.body);
      const headersFile = join(dir, `headers-${index}.json`);
      writeFileSync(headersFile, JSON.stringify(captured.headers));
      const astroFigures = await measure('astro', astroPid, astro.base, target);
      const bare = await startBare(bodyFile, headersFile, target.work, url);
      let bareFigures: RunFigures;
      try {
        bareFigures = await measure('bare', bare.child.pid ?? 0, bare.base, target);
      } finally {
        await stopChild(bare.child);
      }
      results.push({
        name: target.name,
        method: target.method,
        path: target.path,
        contentType: captured.contentType,
        bytes: captured.body.length,
        astro: astroFigures,
        bare: bareFigures,
        ratio: round(astroFigures.requestsPerSecond / bareFigures.requestsPerSecond, 3),
        cpuRatio: round(bareFigures.cpuMicrosPerRequest / Math.max(1, astroFigures.cpuMicrosPerRequest), 3),
      });
    }

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: { available: availableParallelism(), model: cpus()[0]?.model ?? 'unknown' },
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      rssSampleMs: RSS_SAMPLE_MS,
      astroRssAtStartMB,
      targets: results,
    };
    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

    console.log(
      `\n${CONNECTIONS} connections, ${SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up; ` +
        `node ${process.version}, ${availableParallelism()} CPUs\n`,
    );
    for (const result of results) {
      console.log(`${result.name}: ${result.method} ${result.path} → ${result.bytes} bytes, ${result.contentType}`);
    }
    console.log(`\nAstro server RSS after start (before any load): ${astroRssAtStartMB} MB`);
    console.log(`\n${table(results)}\n`);
    console.log('written to bench-results/latest.json');
    console.log('CPU% is the share of one core during the measured run; "other" is the rest of the machine.');
    console.log(
      'site/bare compares req/s; "by CPU" compares the CPU time each server spent per request (bare ÷ site), ' +
        'which holds better when other processes share the machine.',
    );
    const busy = results.flatMap((result) => [result.astro, result.bare]).some((run) => run.cpuPercent.other >= 15);
    if (busy) {
      console.log(
        'note: other processes used a noticeable share of the CPUs during some runs; those figures are low. ' +
          'Run again on a quiet machine.',
      );
    }
    if (results.some((result) => result.bare.cpuPercent.loadGenerator >= 90)) {
      console.log(
        'note: the load generator used a whole core against the bare server, so the bare figures are a lower ' +
          'bound of the ceiling (and the astro/bare ratios an upper bound).',
      );
    }

    const failed = results.flatMap((result) =>
      [result.astro, result.bare]
        .filter((run) => run.problems > 0)
        .map(
          (run) =>
            `${result.name} / ${run.server}: ${run.errors} errors, ${run.timeouts} timeouts, ${run.non2xx} non-2xx ` +
            `(status codes ${JSON.stringify(run.statusCodes)})`,
        ),
    );
    for (const message of failed) console.error(`bench: ${message}`);
    return failed.length ? 1 : 0;
  } finally {
    await stopAll();
    removeWorkDir();
  }
}

const RUNS = 8; // four targets, each against both servers
const limitMs = (RUNS * (WARMUP_SECONDS + SECONDS + 30) + 180) * 1000;
const watchdog = setTimeout(() => {
  console.error(`bench: gave up after ${limitMs / 1000} s`);
  killAllNow();
  process.exit(1);
}, limitMs);
watchdog.unref();

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error('bench:', error instanceof Error ? (error.stack ?? error.message) : error);
}
process.exit(code);
