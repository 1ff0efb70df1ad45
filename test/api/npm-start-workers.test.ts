import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server.ts';

// `npm start` with two workers on SQLite behind one trusted proxy hop: the workers share the
// per-client budgets, a worker that dies is replaced, /healthz and /readyz answer, and SIGTERM
// lets a request in flight finish before the processes exit.

const CHECKS_PER_MINUTE = 5;

/** The worker processes of the primary (Linux: /proc). */
function workerPids(primary: number): number[] {
  return readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One GET on a connection of its own; its status, or a rejection when the connection is lost. */
function getOnNewConnection(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    // A connection the primary handed to the worker as it died is never answered: given up on.
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** One POST /api/v1/verify on a connection of its own (so that connections spread over workers). */
function verifyOnNewConnection(base: string, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ text: 'hello' });
    const req = request(
      `${base}/api/v1/verify`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.runIf(process.platform === 'linux')('npm start with two workers', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-workers-'));
    server = await startServer(
      {
        DATABASE_URL: `file:${join(dir, 'app.db')}`,
        WEB_CONCURRENCY: '2',
        TRUST_PROXY: '1',
        PUBLIC_CHECKS_PER_MINUTE: String(CHECKS_PER_MINUTE),
      },
      'scripts/start.ts',
    );
    await until(() => workerPids(server.pid).length === 2, 'two workers');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz and /readyz', async () => {
    const live = await fetch(`${server.url}/healthz`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok' }]);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${server.url}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('gives a client the same budget however many workers serve it', async () => {
    // Eleven checks, each on its own connection, alternate between the two workers. Were each
    // worker counting alone, up to twice the budget would pass.
    const statuses: number[] = [];
    for (let i = 0; i < 2 * CHECKS_PER_MINUTE + 1; i++) {
      // What the client writes left of the proxy's entry is not its address.
      statuses.push(await verifyOnNewConnection(server.url, `6.6.6.${i}, 198.51.100.8`));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(CHECKS_PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(CHECKS_PER_MINUTE + 1);
    // Another client (as the trusted proxy saw it) has its own budget.
    expect(await verifyOnNewConnection(server.url, '198.51.100.9')).toBe(200);
  });

  it('replaces a worker killed under load; the other keeps serving, only requests in flight are lost', async () => {
    const [victim, survivor] = workerPids(server.pid);
    expect(victim && survivor).toBeTruthy();
    // Four clients keep asking, each request on a connection of its own, while a worker dies.
    const outcome = { ok: 0, fiveXx: 0, lost: 0, lostAfterReplacement: 0 };
    let loading = true;
    let replaced = false;
    const client = async () => {
      while (loading) {
        const startedAfterReplacement = replaced;
        try {
          const status = await getOnNewConnection(server.url, '/api/v1/lenders/demo');
          if (status >= 500) outcome.fiveXx++;
          else outcome.ok++;
        } catch {
          // a connection the killed worker held, or one the primary handed it before it saw it die
          outcome.lost++;
          if (startedAfterReplacement) outcome.lostAfterReplacement++;
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = outcome.ok;
    process.kill(victim as number, 'SIGKILL');
    await until(() => {
      const pids = workerPids(server.pid);
      return pids.length === 2 && !pids.includes(victim as number);
    }, 'a replacement worker');
    // The primary forks the replacement when it sees the death, and from then on hands nothing to
    // the dead worker.
    replaced = true;
    const atReplacement = outcome.ok;
    await new Promise((resolve) => setTimeout(resolve, 300));
    loading = false;
    await Promise.all(clients);
    expect(before).toBeGreaterThan(0);
    expect(outcome.fiveXx).toBe(0);
    // Lost: what was in flight on the killed worker, and what the primary's round robin handed it
    // before it saw it die (README, known gaps). That window is a few connections on an idle
    // machine and was 180 on a loaded one, so its size is not asserted; nothing is lost after it.
    expect(outcome.lostAfterReplacement, JSON.stringify(outcome)).toBe(0);
    // served throughout, and after the replacement came up
    expect(outcome.ok).toBeGreaterThan(atReplacement);
    expect(workerPids(server.pid)).toContain(survivor);
  });

  it('drains on SIGTERM: a request in flight is answered, then every process exits', async () => {
    const workers = workerPids(server.pid);
    const body = JSON.stringify({ text: '【青禾消费金融】您的借款已逾期，请及时还款。' });
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Headers and half the body: the request is in flight when the signal arrives.
    socket.write(
      `POST /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Forwarded-For: 198.51.100.10\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    const bytes = Buffer.from(body);
    socket.write(bytes.subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(server.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Draining: new connections are no longer accepted…
    await expect(fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    // …but the request in flight completes.
    socket.end(bytes.subarray(10));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"verdict":"not_sent"');
    await until(() => !alive(server.pid) && workers.every((pid) => !alive(pid)), 'every process to exit');
  });
});
