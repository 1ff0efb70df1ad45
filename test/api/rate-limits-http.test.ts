import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LENDER_BAD_KEYS_PER_ADDRESS } from '../../src/server/rate-limiters.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { anonymousClient } from '../support/staff-client.ts';

// Every 429 says when to come back: Retry-After in whole seconds, the limiter's own time left on
// the key (so within the budget's window, never a fixed guess), and JSON answers name the same
// wait. The lender API has budgets of its own: per key, and per address for keys that are not
// valid. Budgets are small here (server settings) so a few requests reach them; on PostgreSQL
// they are kept in the database.

announcePostgresSkip();

const CHECKS = 2;
const LENDER_REQUESTS = 3;

/** The wait a 429 gives, checked against the budget's window (seconds). */
function waitOf(response: Response, window: number): number {
  expect(response.status).toBe(429);
  const header = response.headers.get('retry-after') ?? '';
  expect(header).toMatch(/^[1-9]\d*$/);
  expect(Number(header)).toBeLessThanOrEqual(window);
  return Number(header);
}

for (const dialect of dialects) {
  describe(`rate limits over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let keyA: string;
    let keyB: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-limits-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      keyA = (await lenderWithKey(database.connection.db, 'alpha')).key;
      keyB = (await lenderWithKey(database.connection.db, 'beta')).key;
      server = await startServer({
        DATABASE_URL: database.url,
        PUBLIC_CHECKS_PER_MINUTE: String(CHECKS),
        LENDER_API_REQUESTS_PER_MINUTE: String(LENDER_REQUESTS),
      });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const lenderGet = (key: string) =>
      fetch(`${server.url}/api/v1/borrowers/B404`, { headers: { authorization: `Bearer ${key}` } });

    it('public checks: the API, the page and short links', async () => {
      const verify = () =>
        fetch(`${server.url}/api/v1/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: '您好' }),
        });
      for (let i = 0; i < CHECKS; i++) expect((await verify()).status).toBe(200);
      const limited = await verify();
      const wait = waitOf(limited, 60);
      const body = (await limited.json()) as { error: { code: string; message: string; retryAfter: number } };
      expect(body.error).toEqual({
        code: 'rate_limited',
        message: `Too many checks from this address; try again in ${wait} s.`,
        retryAfter: wait,
      });

      // the page spends from the same budget
      const page = await anonymousClient(server.url).post('/verify', { method: 'text', text: '您好' });
      waitOf(page, 60);
      await page.arrayBuffer();

      for (let i = 0; i < CHECKS; i++) await (await fetch(`${server.url}/r/AbCdEfGhIjKlMnOpQrStUvWx`)).arrayBuffer();
      const link = await fetch(`${server.url}/r/AbCdEfGhIjKlMnOpQrStUvWx`);
      waitOf(link, 60);
      await link.arrayBuffer();
    });

    it('signing in with a code: the per-address budget of code checks', async () => {
      const client = anonymousClient(server.url);
      const sent = await client.post('/account/sign-in', { action: 'send', phone: '138 1234 5678' });
      expect(sent.status).toBe(303);
      const pending = sent.headers.getSetCookie().find((c) => c.startsWith('__Host-zx-pending='));
      client.cookie = pending?.split(';')[0] ?? '';
      let limited: Response | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const answer = await client.post('/account/sign-in', { action: 'code', code: '000000' });
        if (answer.status === 429) limited = answer;
        else await answer.arrayBuffer();
      }
      if (!limited) throw new Error('the code checks were never limited');
      waitOf(limited, 600);
      await limited.arrayBuffer();
    });

    it('the lender API: a budget per key, in the API’s error shape', async () => {
      for (let i = 0; i < LENDER_REQUESTS; i++) expect((await lenderGet(keyA)).status).toBe(404);
      const limited = await lenderGet(keyA);
      const wait = waitOf(limited, 60);
      const body = (await limited.json()) as { error: { code: string; message: string; retryAfter: number } };
      expect(body.error.code).toBe('rate_limited');
      expect(body.error.retryAfter).toBe(wait);
      expect(body.error.message).toBe(
        `Too many requests with this API key (at most ${LENDER_REQUESTS} a minute); try again in ${wait} s.`,
      );
      // another lender's key is not held back by it
      expect((await lenderGet(keyB)).status).toBe(404);
    });

    it('the lender API: guessing keys from one address is stopped, whatever key comes next', async () => {
      for (let i = 0; i < LENDER_BAD_KEYS_PER_ADDRESS; i++) {
        const wrong = await lenderGet(`zx_live_${'x'.repeat(40)}${i}`);
        expect(wrong.status).toBe(401);
        await wrong.arrayBuffer();
      }
      const limited = await lenderGet('zx_live_guess');
      const wait = waitOf(limited, 15 * 60);
      expect(((await limited.json()) as { error: { retryAfter: number } }).error.retryAfter).toBe(wait);
      // a valid key from the same address waits too: the guesser learns nothing from a 200
      waitOf(await lenderGet(keyB), 15 * 60);
    });
  });
}
