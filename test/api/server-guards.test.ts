import { mkdtempSync, rmSync } from 'node:fs';
import { request, STATUS_CODES } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server.ts';

// Requests the framework itself cannot turn into a Request object get a plain 4xx from our
// server, never the adapter's bare 500 (which also logged the raw URL, tokens and all).

function raw(url: string, method: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; reason: string; body: string }>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server guards', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-guards-'));
    server = await startServer({ DATABASE_URL: `file:${join(dir, 'app.db')}` });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends each status with its own reason phrase (never "404 OK")', async () => {
    const cases: Array<[string, string, number]> = [
      ['/r/short', 'GET', 404],
      ['/no-such-page', 'GET', 404],
      ['/verify', 'POST', 400],
      ['/', 'GET', 200],
      ['/account', 'GET', 303],
      ['/api/v1/loans/x/balance', 'GET', 401],
    ];
    for (const [path, method, status] of cases) {
      const answer = await raw(`${server.url}${path}`, method, method === 'POST' ? { 'content-length': '0' } : {});
      expect(answer.status, path).toBe(status);
      expect(answer.reason, `${method} ${path}`).toBe(STATUS_CODES[status]);
    }
  });

  it('answers TRACE with 405 and the allowed methods', async () => {
    const answer = await raw(`${server.url}/r/AbCdEfGhIjKlMnOpQrStUvWx`, 'TRACE');
    expect(answer.status).toBe(405);
  });

  it('answers a Host header with a user name with 400', async () => {
    for (const host of ['user@host', 'a:pw@127.0.0.1', 'a@b']) {
      expect((await raw(`${server.url}/`, 'GET', { host })).status, host).toBe(400);
    }
    expect((await raw(`${server.url}/`, 'GET')).status).toBe(200);
  });

  it('does not serve the error page as a page of its own', async () => {
    const response = await fetch(`${server.url}/500`);
    expect(response.status).toBe(404);
  });
});
