import type { ServerResponse } from 'node:http';
import { sql } from 'kysely';
import { type Connection, openDatabase, sharedConnection } from '../db/connection.ts';

/**
 * Health endpoints for load balancers and orchestrators, answered by scripts/serve.ts before
 * the site: `/healthz` — the process is alive and serving (no I/O); `/readyz` — it can do its
 * work: the database answers a trivial query within two seconds (else 503, so a balancer stops
 * sending it traffic until it recovers).
 */
const READY_TIMEOUT_MS = 2_000;
const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

let own: Connection | undefined;

function database(): Connection {
  // `npm start` shares its connection; a bare scripts/serve.ts opens one, like the site does.
  const shared = sharedConnection();
  if (shared) return shared;
  own ??= openDatabase(process.env.DATABASE_URL);
  return own;
}

export function databaseAnswers(connection: Connection, timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
  return settlesWithin(() => sql`select 1`.execute(connection.db), timeoutMs);
}

/** Whether `probe` succeeds within `timeoutMs` (a failure or a hang is false). */
export async function settlesWithin(probe: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([probe().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function answerHealth(path: '/healthz' | '/readyz', method: string, res: ServerResponse): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { ...HEADERS, allow: 'GET, HEAD' });
    res.end(JSON.stringify({ error: { code: 'method_not_allowed', message: 'use GET or HEAD on this path' } }));
    return;
  }
  let status = 200;
  let body: Record<string, string> = { status: 'ok' };
  if (path === '/readyz') {
    let ready = false;
    try {
      ready = await databaseAnswers(database());
    } catch {
      ready = false; // an unusable DATABASE_URL: not ready
    }
    if (!ready) {
      status = 503;
      body = { status: 'unavailable', reason: 'the database does not answer' };
    }
  }
  res.writeHead(status, HEADERS);
  res.end(method === 'HEAD' ? undefined : JSON.stringify(body));
}
