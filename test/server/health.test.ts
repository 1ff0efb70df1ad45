import type { ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { answerHealth, databaseAnswers, settlesWithin } from '../../src/server/health.ts';

/** What answerHealth wrote: status, headers and body. */
function recorder() {
  const written = { status: 0, headers: {} as Record<string, string>, body: '' };
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      written.status = status;
      written.headers = headers;
      return this;
    },
    end(body?: string) {
      written.body = body ?? '';
    },
  } as unknown as ServerResponse;
  return { res, written };
}

describe('health endpoints', () => {
  const unreachable = openDatabase('postgres://postgres@127.0.0.1:1/test');
  const working = openDatabase('file::memory:');
  afterAll(async () => {
    await unreachable.close().catch(() => {});
    await working.close();
  });

  it('tells whether the database answers', async () => {
    expect(await databaseAnswers(working)).toBe(true);
    expect(await databaseAnswers(unreachable)).toBe(false);
  });

  it('gives up on a database that does not answer in time', async () => {
    expect(await settlesWithin(() => new Promise(() => {}), 50)).toBe(false);
    expect(await settlesWithin(() => Promise.reject(new Error('down')), 50)).toBe(false);
    expect(await settlesWithin(() => Promise.resolve(), 50)).toBe(true);
  });

  it('answers /healthz without touching the database, and refuses other methods', async () => {
    const { res, written } = recorder();
    await answerHealth('/healthz', 'GET', res);
    expect(written).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'cache-control': 'no-store' }),
      body: '{"status":"ok"}',
    });
    const post = recorder();
    await answerHealth('/readyz', 'POST', post.res);
    expect(post.written.status).toBe(405);
    expect(post.written.headers.allow).toBe('GET, HEAD');
  });
});
